"""Seeded fault scenarios: a tally of what was injected and how each scenario ended. Hostile
servers: a small account behind a scripted loopback server, and what a clear failure looks like."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from smstools_tui.sandbox import AccountSpec, SandboxAccount, SandboxApi, generate_account
from tests.conftest import NOW, Clock

from .hostile import WINDOW, HostileServer, Override, cli_env, run_cli

TALLY: dict[str, Counter[str]] = {"faults": Counter(), "outcomes": Counter()}


@pytest.fixture
def tally() -> dict[str, Counter[str]]:
    return TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    outcomes = TALLY["outcomes"]
    if not outcomes:
        return
    scenarios = sum(outcomes.values())
    faults = TALLY["faults"]
    terminalreporter.write_sep("-", "fault scenarios")
    terminalreporter.write_line(
        f"{scenarios} scenarios, {sum(faults.values())} faults injected "
        f"({', '.join(f'{kind} {count}' for kind, count in sorted(faults.items()))})"
    )
    terminalreporter.write_line(
        ", ".join(f"{outcome}: {count}" for outcome, count in sorted(outcomes.items()))
    )


# -- hostile servers ------------------------------------------------------------------------


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
