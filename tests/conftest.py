"""Shared fixtures: a small seeded sandbox account with a frozen clock, clients on it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import keyring
import pandas as pd
import pytest
from keyring.backend import KeyringBackend

from smstools_tui.account import Account
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.cli import main
from smstools_tui.frames import RECEIVED_SCHEMA, SENT_SCHEMA, empty_frame
from smstools_tui.query import FetchResult, Query
from smstools_tui.sandbox import (
    AccountSpec,
    SandboxAccount,
    SandboxApi,
    SandboxServer,
    generate_account,
    sandbox_settings,
)
from smstools_tui.source import CancelToken, MessageSource, ProgressCallback

CLOCK_SENSITIVE = (
    "smstools_tui/dates.py",
    "smstools_tui/query.py",
    "smstools_tui/sandbox/",
    "smstools_tui/store/",
    "tests/api/test_client.py",
    "tests/cli/",
    "tests/report/test_html.py",
    "tests/report/test_reports.py",
    "tests/sandbox/",
    "tests/store/",
    "tests/test_dates.py",
    "tests/test_public_api.py",
    "tests/test_query.py",
    "tests/test_source.py",
    "tests/tui/test_model.py",
)
"""Where windows, default dates and clocks are at work: these tests also run a year ahead and in
a far-off time zone (``tests/test_clock_shift.py``)."""


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the machine has cores. Many tests spend their time
    waiting (on a child process, a server, a deadline that must pass), and a core left idle
    while one does is what made the suite slow on two cores."""
    return (os.cpu_count() or 1) + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath
    for item in items:
        where = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        if where.startswith(CLOCK_SENSITIVE):
            item.add_marker(pytest.mark.clock)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_LongestFirst(), "smstools-longest-first")


class _LongestFirst:
    """Runs the longest tests first, after any shuffling (pytest-randomly): a worker that draws
    a minutes-long test at the end of the run finishes alone."""

    LONGEST = ("tests/test_clock_shift.py::test_clock_sensitive_tests_pass",)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        first = [item for item in items if item.nodeid.startswith(self.LONGEST)]
        rest = [item for item in items if not item.nodeid.startswith(self.LONGEST)]
        items[:] = [*first, *rest]


NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
"""The frozen 'now' of every test account: the data and the clocks stop here."""


class Clock:
    """A settable clock, shared by a sandbox and a client."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Sleeps(list[float]):
    """Records the pauses a client asks for, without pausing."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture(autouse=True)
def private_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """Every test gets its own data folder: live commands keep a local store there, and a test
    must neither read nor write the user's."""
    folder = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("SMSTOOLS_DATA_DIR", str(folder))
    return folder


class MemoryKeyring(KeyringBackend):
    """A keyring in memory: no test reads or writes the machine's own."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


@pytest.fixture(autouse=True)
def private_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty keyring of its own, never the system's."""
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def private_state_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """Every test gets its own state folder (where the dashboard remembers its settings and
    writes its debug log), never the user's."""
    folder = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder


@pytest.fixture(scope="session")
def account() -> SandboxAccount:
    """3,000 sent and 400 received messages over 400 days, ending at :data:`NOW`."""
    return generate_account(AccountSpec(seed=11, sent=3_000, received=400, now=NOW))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def api(account: SandboxAccount, clock: Clock) -> SandboxApi:
    """The emulated API on :func:`account`, with a page cap of 100."""
    return SandboxApi(account, clock=clock, page_cap=100)


@pytest.fixture
def make_client(
    api: SandboxApi, clock: Clock, sleeps: Sleeps
) -> Iterator[Callable[..., SmstoolsClient]]:
    """``make_client(**settings)``: a client on :func:`api`, in-process, instant retries."""
    clients: list[SmstoolsClient] = []

    def make(target: SandboxApi | None = None, **settings: Any) -> SmstoolsClient:
        settings.setdefault("page_size", 100)
        client = SmstoolsClient(
            sandbox_settings(**settings),
            transport=(target or api).transport(),
            clock=clock,
            sleep=sleeps,
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., SmstoolsClient]) -> SmstoolsClient:
    return make_client()


@pytest.fixture
def server(api: SandboxApi) -> Iterator[SandboxServer]:
    """The emulated API over real HTTP on 127.0.0.1."""
    with SandboxServer(api) as running:
        yield running


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No credentials in the environment and an empty config directory."""
    for name in ("SMSTOOLS_AUTH_KEY", "SMSTOOLS_AUTH_SECRET", "SMSTOOLS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@dataclass
class Result:
    """What a command line run did; also unpacks as ``code, out, err``."""

    code: int
    out: str
    err: str

    def __iter__(self) -> Iterator[Any]:
        return iter((self.code, self.out, self.err))


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the command line in-process; returns the exit code and what it printed."""

    def invoke(*args: str) -> Result:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


class RecordingSource(MessageSource):
    """A source that keeps the queries it is asked and answers each with no messages (typed
    empty frames), on the frozen clock: what a command or a call asked, exactly."""

    label = "recorder"

    def __init__(self) -> None:
        self.asked: list[Query] = []

    def now(self) -> datetime:
        return NOW

    def account(self) -> Account:
        return Account(business_name="Recorder")

    def close(self) -> None:
        pass

    def _fetch(
        self, query: Query, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> FetchResult:
        self.asked.append(query)
        frame: pd.DataFrame = empty_frame(SENT_SCHEMA if query.kind == "sent" else RECEIVED_SCHEMA)
        return FetchResult(frame, query, query.span, fetched_at=NOW, source=self.label)
