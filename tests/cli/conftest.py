"""The command line on a small demo account with a frozen clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.cli import main
from smstools_tui.sandbox import demo_client

from ..conftest import NOW


@pytest.fixture(autouse=True)
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--demo`` gives 3,000 sent and 400 received messages ending at :data:`NOW`."""

    def demo(cls: type[SmstoolsClient], **settings: Any) -> SmstoolsClient:
        client: SmstoolsClient = demo_client(**{"sent": 3_000, "received": 400, "now": NOW,
                                                **settings})  # fmt: skip
        return client

    monkeypatch.setattr(SmstoolsClient, "demo", classmethod(demo))


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """``run(*args)`` → (exit code, stdout, stderr) of ``smstools-tui args``."""

    def invoke(*args: str) -> tuple[int, str, str]:
        try:
            main(list(args))
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke
