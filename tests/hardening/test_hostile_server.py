"""A hostile server on loopback against the real command line, in a subprocess.

Every attack ends the same way: an exit code, one clear line on stderr, the child's peak memory
under :data:`RSS_BOUND_MB` above an ordinary run's, its wall time bounded, and the store still
readable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smstools_tui.sandbox import AccountSpec, SandboxAccount, SandboxApi, generate_account
from tests.conftest import NOW, Clock

from .hostile import CliRun, HostileServer, Override, cli_env, run_cli

RSS_BOUND_MB = 300.0
"""Peak memory a hostile answer may add to an ordinary run (the body limit is 64 MiB)."""
WINDOW = ("--since", "2026-11-01", "--until", "2026-11-20")


@pytest.fixture(scope="module")
def small_account() -> SandboxAccount:
    return generate_account(AccountSpec(seed=5, sent=600, received=80, days=60, now=NOW))


@pytest.fixture
def hostile(small_account: SandboxAccount) -> Iterator[Callable[[Override | None], HostileServer]]:
    """``hostile(override)``: a started server on a fresh sandbox (frozen clock, page cap 50)."""
    servers: list[HostileServer] = []

    def start(override: Override | None = None) -> HostileServer:
        api = SandboxApi(small_account, clock=Clock(), page_cap=50)
        server = HostileServer(api, override).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__(None, None, None)


@pytest.fixture(scope="module")
def idle_rss_mb(small_account: SandboxAccount, tmp_path_factory: pytest.TempPathFactory) -> float:
    """The peak memory of an ordinary export of the same account, for comparison."""
    folder = tmp_path_factory.mktemp("idle")
    api = SandboxApi(small_account, clock=Clock(), page_cap=50)
    with HostileServer(api) as server:
        done = run_cli(
            "export", "sent", *WINDOW, "--no-store", "--out", str(folder / "sent.csv"),
            env=cli_env(server.base_url, folder),
        )  # fmt: skip
    assert done.code == 0, done.err
    return done.peak_rss_mb


def assert_clear_failure(done: CliRun, code: int, idle_rss_mb: float, *, seconds: float) -> None:
    """Exit ``code``, one line on stderr without a traceback, bounded memory and time."""
    assert not done.killed, f"still running after {done.seconds:.0f} s: {done.err[-500:]}"
    assert done.code == code, done.err
    assert len(done.error_lines) == 1, done.err
    assert "Traceback" not in done.err
    assert done.peak_rss_mb - idle_rss_mb <= RSS_BOUND_MB, (done.peak_rss_mb, idle_rss_mb)
    assert done.seconds <= seconds, done.seconds


def test_an_ordinary_server_is_served_ordinarily(
    hostile: Callable[[Override | None], HostileServer], tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(None)
    done = run_cli(
        "export", "sent", *WINDOW, "--no-store", "--out", str(tmp_path / "sent.csv"),
        env=cli_env(server.base_url, tmp_path),
    )  # fmt: skip
    assert done.code == 0, done.err
    assert server.count("/sms/search") >= 2
    assert 0 < idle_rss_mb < 1024
