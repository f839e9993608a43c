from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from smstools_tui.cli import main
from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxServer


@dataclass
class Result:
    code: int
    out: str
    err: str


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


@pytest.fixture
def live(
    monkeypatch: pytest.MonkeyPatch, server: SandboxServer, no_credentials: None
) -> SandboxServer:
    """The environment of a user whose credentials point at the sandbox server."""
    monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)
    return server
