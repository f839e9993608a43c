"""The command line on a small demo account with a frozen clock, or on the sandbox server."""

from __future__ import annotations

from typing import Any

import pytest

import smstools_tui.tui
from smstools_tui import demo
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxServer

from ..conftest import NOW


@pytest.fixture(autouse=True)
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--demo`` gives 3,000 sent and 400 received messages ending at :data:`NOW`."""

    built = demo.demo_client

    def small(**settings: Any) -> SmstoolsClient:
        return built(**{"sent": 3_000, "received": 400, "now": NOW, **settings})

    monkeypatch.setattr(demo, "demo_client", small)


@pytest.fixture
def live(
    monkeypatch: pytest.MonkeyPatch, server: SandboxServer, no_credentials: None
) -> SandboxServer:
    """The environment of a user whose credentials point at the sandbox server."""
    monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)
    return server


class Opened:
    """Stands in for the app: records how it was made and that it ran."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, client: Any, **options: Any) -> Opened:
        self.calls.append({"client": client, **options})
        return self

    def run(self) -> None:
        self.calls[-1]["ran"] = True


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Opened:
    recorder = Opened()
    monkeypatch.setattr(smstools_tui.tui, "make_app", recorder)
    return recorder
