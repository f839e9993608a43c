"""The sandbox over real HTTP on loopback, with the client on the other end."""

from __future__ import annotations

import base64
import socket
import struct

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.config import Credentials
from smstools_tui.errors import AuthenticationError, NetworkError
from smstools_tui.sandbox import (
    SANDBOX_KEY,
    SANDBOX_SECRET,
    FaultPlan,
    SandboxApi,
    SandboxServer,
    sandbox_settings,
)
from tests.conftest import Clock, Sleeps


def test_client_over_http_equals_client_in_process(
    server: SandboxServer, client: SmstoolsClient, clock: Clock
) -> None:
    with SmstoolsClient(sandbox_settings(server.base_url, page_size=100), clock=clock) as remote:
        over_http = remote.sent("2026-08-01", "2026-11-01")
        assert remote.account().username == "mrossi"
    pd.testing.assert_frame_equal(over_http, client.sent("2026-08-01", "2026-11-01"))


def test_wrong_credentials_over_http(server: SandboxServer) -> None:
    settings = sandbox_settings(server.base_url).with_(
        credentials=Credentials("sandbox-key", "wrong")
    )
    with SmstoolsClient(settings) as remote, pytest.raises(AuthenticationError):
        remote.sent()


def test_dropped_connections_are_retried(
    api: SandboxApi, clock: Clock, sleeps: Sleeps, client: SmstoolsClient
) -> None:
    flaky = SandboxApi(
        api.account, clock=clock, page_cap=100, faults=FaultPlan(rate=0.4, kinds=("drop",), seed=1)
    )
    with (
        SandboxServer(flaky) as running,
        SmstoolsClient(
            sandbox_settings(running.base_url, page_size=100), clock=clock, sleep=sleeps
        ) as remote,
    ):
        frame = remote.sent("2026-08-01", "2026-11-01")
    assert flaky.faults_injected["drop"] >= 2
    pd.testing.assert_frame_equal(frame, client.sent("2026-08-01", "2026-11-01"))


def test_always_dropped_ends_in_a_network_error(
    api: SandboxApi, clock: Clock, sleeps: Sleeps
) -> None:
    broken = SandboxApi(api.account, clock=clock, faults=FaultPlan(rate=1.0, kinds=("drop",)))
    with (
        SandboxServer(broken) as running,
        SmstoolsClient(
            sandbox_settings(running.base_url, max_attempts=3), clock=clock, sleep=sleeps
        ) as remote,
        pytest.raises(NetworkError, match=r"connection to 127\.0\.0\.1 broke"),
    ):
        remote.sent()


def test_latency_is_applied(api: SandboxApi, clock: Clock) -> None:
    import time

    with (
        SandboxServer(api, latency=0.05) as running,
        SmstoolsClient(sandbox_settings(running.base_url), clock=clock) as remote,
    ):
        started = time.perf_counter()
        remote.account()
        assert time.perf_counter() - started >= 0.05


def test_a_client_hanging_up_mid_answer_leaves_no_traceback(
    server: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A client whose deadline passed closes its connection with the answer unread (a reset):
    the sandbox goes on serving and says nothing on stderr, where the command line's one error
    line is."""
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    connection.sendall(b"GET /rest/api/user HTTP/1.1\r\nHost: sandbox\r\n\r\n")
    assert connection.recv(12).startswith(b"HTTP/1.1")
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()
    with SmstoolsClient(sandbox_settings(server.base_url)) as remote:
        assert remote.account().username == "mrossi"  # served after the reset was handled
    assert capsys.readouterr().err == ""


def test_a_trickle_sends_a_byte_at_a_time(api: SandboxApi) -> None:
    api.faults = FaultPlan(rate=1.0, kinds=("trickle",), trickle=0.05)
    auth = base64.b64encode(f"{SANDBOX_KEY}:{SANDBOX_SECRET}".encode())
    with SandboxServer(api) as trickling:
        connection = socket.create_connection(("127.0.0.1", trickling.port), timeout=5)
        connection.sendall(
            b"GET /rest/api/user HTTP/1.1\r\nHost: sandbox\r\nAuthorization: Basic "
            + auth
            + b"\r\n\r\n"
        )
        pieces = [connection.recv(100) for _ in range(5)]
        connection.close()
    assert [len(piece) for piece in pieces] == [1] * 5
    assert b"".join(pieces) == b"HTTP/"
