from __future__ import annotations

import pytest

from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxServer


@pytest.fixture
def live(
    monkeypatch: pytest.MonkeyPatch, server: SandboxServer, no_credentials: None
) -> SandboxServer:
    """The environment of a user whose credentials point at the sandbox server."""
    monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)
    return server
