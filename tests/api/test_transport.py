"""The deadline transport: a request ends by its deadline however the server paces its bytes,
headers included; the deadline is the request's own on a reused connection and in each thread;
environment proxies are honoured; the client is built on it unless a test injects another."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.api.transport import (
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
    DeadlineTransport,
    environment_proxy,
    operation_timeouts,
)
from smstools_tui.errors import ConfigError, NetworkError
from smstools_tui.sandbox import SandboxApi, SandboxServer, sandbox_settings
from tests.conftest import Clock, Sleeps
from tests.hardening.hostile import HostileServer, Reply, Request

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"


class FakeTime:
    """A monotonic clock that moves only when the scripted network makes it wait."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ScriptedStream(httpcore.NetworkStream):
    """Bytes that arrive ``(delay, data)`` at a time; a wait longer than the read's timeout is
    the socket's timeout, as httpcore raises it."""

    def __init__(self, arrivals: list[tuple[float, bytes]], clock: FakeTime) -> None:
        self.arrivals = arrivals
        self.clock = clock
        self.read_timeouts: list[float | None] = []
        self.write_timeouts: list[float | None] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.read_timeouts.append(timeout)
        if not self.arrivals:
            return b""
        delay, data = self.arrivals[0]
        if timeout is not None and delay > timeout:
            self.clock.now += timeout
            self.arrivals[0] = (delay - timeout, data)
            raise httpcore.ReadTimeout("timed out")
        self.clock.now += delay
        self.arrivals.pop(0)
        if len(data) > max_bytes:
            self.arrivals.insert(0, (0.0, data[max_bytes:]))
        return data[:max_bytes]

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.write_timeouts.append(timeout)

    def close(self) -> None:
        pass

    def get_extra_info(self, info: str) -> Any:
        return False if info == "is_readable" else None


class ScriptedBackend(httpcore.NetworkBackend):
    def __init__(self, arrivals: Iterable[tuple[float, bytes]], clock: FakeTime) -> None:
        self.stream = ScriptedStream(list(arrivals), clock)
        self.connect_timeouts: list[float | None] = []
        self.connections = 0

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, *options: Any
    ) -> httpcore.NetworkStream:
        self.connect_timeouts.append(timeout)
        self.connections += 1
        return self.stream


def trickled(data: bytes, every: float) -> list[tuple[float, bytes]]:
    return [(every, data[index : index + 1]) for index in range(len(data))]


def scripted_client(
    arrivals: Iterable[tuple[float, bytes]], total: float
) -> tuple[httpx.Client, ScriptedBackend, FakeTime]:
    clock = FakeTime()
    backend = ScriptedBackend(arrivals, clock)
    transport = DeadlineTransport(total, network_backend=backend, clock=clock)
    client = httpx.Client(transport=transport, timeout=operation_timeouts(total))
    return client, backend, clock


def test_headers_trickled_inside_every_read_timeout_end_at_the_deadline() -> None:
    """A byte a second: each read waits one second, far inside the 30 s read timeout, and the
    headers would take over a minute; the request ends at its 5 s deadline."""
    client, backend, clock = scripted_client(trickled(HEAD + b"{}", every=1.0), total=5.0)
    started = clock.now
    with pytest.raises(httpx.ReadTimeout):
        client.get("http://api.test/user")
    assert clock.now - started == pytest.approx(5.0)
    waits = [timeout for timeout in backend.stream.read_timeouts if timeout is not None]
    assert waits == pytest.approx([5.0, 4.0, 3.0, 2.0, 1.0])  # each read gets the time left


def test_a_body_trickled_inside_every_read_timeout_ends_at_the_deadline() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    client, _, clock = scripted_client([(0.1, head), *trickled(b" " * 1000, 2.0)], total=10.0)
    started = clock.now
    with client.stream("GET", "http://api.test/sms/search") as response:
        assert response.status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            for _ in response.iter_raw():
                pass
    assert clock.now - started == pytest.approx(10.0)


def test_a_prompt_answer_is_untouched() -> None:
    client, backend, _ = scripted_client([(0.2, HEAD + b"{}")], total=5.0)
    response = client.get("http://api.test/user")
    assert (response.status_code, response.content) == (200, b"{}")
    assert backend.connect_timeouts == [pytest.approx(min(CONNECT_TIMEOUT, 5.0))]


def test_per_operation_timeouts_stay_under_the_deadline() -> None:
    assert operation_timeouts(60.0) == httpx.Timeout(
        connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, write=READ_TIMEOUT, pool=60.0
    )
    assert operation_timeouts(2.0) == httpx.Timeout(2.0)
    client, backend, _ = scripted_client([(0.0, HEAD + b"{}")], total=60.0)
    client.get("http://api.test/user")
    assert backend.connect_timeouts == [CONNECT_TIMEOUT]
    assert max(t for t in backend.stream.read_timeouts if t is not None) <= READ_TIMEOUT
    assert max(t for t in backend.stream.write_timeouts if t is not None) <= READ_TIMEOUT


def test_a_reused_connection_runs_under_the_new_requests_deadline() -> None:
    """Two answers of 3 s each on one keep-alive connection under a 5 s deadline: both arrive,
    which they would not if the second ran under what was left of the first's deadline."""
    client, backend, _ = scripted_client([(3.0, HEAD + b"{}"), (3.0, HEAD + b"[]")], total=5.0)
    assert client.get("http://api.test/a").content == b"{}"
    assert client.get("http://api.test/b").content == b"[]"
    assert backend.connections == 1


def test_a_deadline_is_per_thread(api: SandboxApi) -> None:
    """Over real sockets, one thread's trickled request times out while another thread's
    prompt requests go on, on the same transport."""

    def trickle_user(request: Request) -> Reply | None:
        if request.endpoint == "/user":
            return Reply(200, [("Content-Type", "application/json")], b"{}", head_delay=0.1)
        return None

    with (
        HostileServer(api, trickle_user) as server,
        httpx.Client(transport=DeadlineTransport(1.0), timeout=operation_timeouts(1.0)) as client,
    ):
        failures: list[BaseException] = []

        def slow() -> None:
            try:
                client.get(server.base_url + "/user")
            except httpx.TimeoutException as error:
                failures.append(error)

        worker = threading.Thread(target=slow)
        started = time.monotonic()
        worker.start()
        prompt = [client.get(server.base_url + "/sms/search").status_code for _ in range(5)]
        worker.join(5)
        assert prompt == [401] * 5  # answered (no credentials given), not timed out
        assert len(failures) == 1
        assert 0.9 < time.monotonic() - started < 3.0


def test_the_client_retries_a_trickle_and_gets_the_answer(api: SandboxApi, sleeps: Sleeps) -> None:
    def first_trickles(request: Request) -> Reply | None:
        if request.endpoint == "/user" and request.number == 1:
            return Reply(200, [("Content-Type", "application/json")], b"{}", head_delay=0.1)
        return None

    with HostileServer(api, first_trickles) as server:
        settings = sandbox_settings(server.base_url, timeout=0.5)
        with SmstoolsClient(settings, sleep=sleeps) as client:
            started = time.monotonic()
            account = client.account()
    assert account.username == "mrossi"
    assert server.count("/user") == 2 and len(sleeps) == 1
    assert time.monotonic() - started < 3.0


def test_the_clients_message_names_the_deadline(api: SandboxApi, sleeps: Sleeps) -> None:
    def trickles(request: Request) -> Reply:
        return Reply(200, [("Content-Type", "application/json")], b"{}", head_delay=0.1)

    with HostileServer(api, trickles) as server:
        settings = sandbox_settings(server.base_url, timeout=0.5, max_attempts=2)
        with (
            SmstoolsClient(settings, sleep=sleeps) as client,
            pytest.raises(NetworkError, match=r"did not answer /user in full within 0\.5 s"),
        ):
            client.account()
    assert server.count("/user") == 2


def test_the_client_stands_on_the_deadline_transport_unless_given_one(
    api: SandboxApi, clock: Clock
) -> None:
    settings = sandbox_settings(timeout=12.0)
    live = SmstoolsClient(settings)
    assert isinstance(live._transport, DeadlineTransport) and live._transport.total == 12.0
    seen: list[httpx.Request] = []
    inner = api.transport()

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return inner.handle_request(request)

    mock = httpx.MockTransport(spy)
    with SmstoolsClient(settings, transport=mock, clock=clock) as injected:
        assert injected._transport is mock
        injected.account()
    assert seen[0].headers["Accept-Encoding"] == "gzip, deflate"


# -- proxies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "environ", "expected"),
    [
        ("https://api.smstools.it/x", {"HTTPS_PROXY": "http://p:1"}, "http://p:1"),
        ("https://api.smstools.it/x", {"HTTP_PROXY": "http://p:1"}, None),
        ("http://127.0.0.1:8/x", {"HTTP_PROXY": "http://p:1"}, "http://p:1"),
        ("https://api.smstools.it/x", {"ALL_PROXY": "http://p:2"}, "http://p:2"),
        (
            "https://api.smstools.it/x",
            {"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:1"},
            "http://lower:1",
        ),
        ("https://api.smstools.it/x", {"HTTPS_PROXY": "http://p", "NO_PROXY": "*"}, None),
        ("https://api.smstools.it/x", {"HTTPS_PROXY": "http://p", "NO_PROXY": "smstools.it"}, None),
        ("https://api.smstools.it/x", {"HTTPS_PROXY": "http://p", "no_proxy": "a, .it"}, None),
        (
            "https://api.smstools.it/x",
            {"HTTPS_PROXY": "http://p", "NO_PROXY": "api.smstools.it:443"},
            None,
        ),
        (
            "https://api.smstools.it/x",
            {"HTTPS_PROXY": "http://p", "NO_PROXY": "tools.it"},
            "http://p",
        ),
        ("https://api.smstools.it/x", {"HTTPS_PROXY": ""}, None),
    ],
)
def test_environment_proxy(url: str, environ: dict[str, str], expected: str | None) -> None:
    assert environment_proxy(url, environ) == expected


def test_requests_go_through_the_environments_proxy(
    api: SandboxApi, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    """The sandbox stands in for a forwarding proxy (it answers a request whatever host its
    target names); the API's own address has nothing listening."""
    with SandboxServer(api) as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"http://user:pw@127.0.0.1:{proxy.port}")
        settings = sandbox_settings("http://127.0.0.1:9/rest/api", max_attempts=1)
        with SmstoolsClient(settings, clock=clock) as client:
            assert client.account().username == "mrossi"
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        with (
            SmstoolsClient(settings, clock=clock) as client,
            pytest.raises(NetworkError, match="cannot connect"),
        ):
            client.account()


@pytest.mark.parametrize("proxy", ["socks5://127.0.0.1:1080", "ftp://p:21", "http://"])
def test_a_proxy_that_cannot_be_used_is_a_clear_error(proxy: str) -> None:
    with pytest.raises(ConfigError, match="not an http:// or https:// proxy"):
        DeadlineTransport(5.0, proxy=proxy)


@pytest.mark.parametrize("proxy", ["http://p:abc", "http://p:99999"])
def test_a_proxy_port_that_is_not_one_is_a_clear_error(proxy: str) -> None:
    with pytest.raises(ConfigError, match="no valid port"):
        DeadlineTransport(5.0, proxy=proxy)


def test_a_proxy_without_a_scheme_is_an_http_one_as_httpx_reads_it(
    api: SandboxApi, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``HTTPS_PROXY=proxy.corp:3128``, a common corporate setting, was refused."""
    with SandboxServer(api) as proxy:
        monkeypatch.setenv("HTTP_PROXY", f"127.0.0.1:{proxy.port}")
        settings = sandbox_settings("http://127.0.0.1:9/rest/api", max_attempts=1)
        with SmstoolsClient(settings, clock=clock) as client:
            assert client.account().username == "mrossi"


def test_certificates_are_verified() -> None:
    transport = DeadlineTransport(5.0)
    assert transport.ssl_context.verify_mode.name == "CERT_REQUIRED"
    assert transport.ssl_context.check_hostname
