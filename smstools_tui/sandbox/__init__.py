"""A local Smstools API with realistic seeded data: for the demo, the tests and the benchmarks.

``smstools-tui sandbox`` serves it over HTTP on 127.0.0.1; ``--demo`` runs the same emulator
in-process, with no credentials and no network.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ..config import Credentials, Settings
from .data import AccountSpec, SandboxAccount, generate_account
from .emulator import (
    API_PREFIX,
    BOMB_BYTES,
    FAULT_KINDS,
    SANDBOX_KEY,
    SANDBOX_SECRET,
    FaultPlan,
    SandboxApi,
    SandboxResponse,
    XmlStyle,
    compression_bomb,
    encode_xml_page,
)
from .process import free_port, sandbox_process
from .server import SandboxServer

__all__ = [
    "BOMB_BYTES",
    "FAULT_KINDS",
    "SANDBOX_KEY",
    "SANDBOX_SECRET",
    "AccountSpec",
    "FaultPlan",
    "SandboxAccount",
    "SandboxApi",
    "SandboxResponse",
    "SandboxServer",
    "XmlStyle",
    "compression_bomb",
    "demo_account",
    "demo_client",
    "encode_xml_page",
    "free_port",
    "generate_account",
    "sandbox_process",
    "sandbox_settings",
]

DEMO_BASE_URL = f"http://localhost{API_PREFIX}"


@lru_cache(maxsize=4)
def demo_account(spec: AccountSpec) -> SandboxAccount:
    """The generated account for ``spec``, generated once per process."""
    return generate_account(spec)


def sandbox_settings(base_url: str = DEMO_BASE_URL, **overrides: Any) -> Settings:
    """Settings that reach a sandbox at ``base_url`` with its public demo credentials."""
    return Settings(
        base_url=base_url, credentials=Credentials(SANDBOX_KEY, SANDBOX_SECRET), **overrides
    )


def demo_client(
    *,
    seed: int = 7,
    sent: int = 50_000,
    received: int = 4_000,
    days: int = 400,
    now: datetime | None = None,
    **settings: Any,
) -> Any:
    """A :class:`~smstools_tui.SmstoolsClient` on the demo account, in-process.

    With ``now`` the data and both clocks are frozen at that moment (repeatable results);
    without it the data ends at the current minute and statuses settle as time passes.

    Example:
        >>> from datetime import datetime, UTC
        >>> client = demo_client(sent=1_000, received=100, now=datetime(2026, 11, 25, tzinfo=UTC))
        >>> client.is_demo, len(client.sent("2026-11-01", "2026-11-24")) > 0
        (True, True)
    """
    from ..api.client import SmstoolsClient

    anchor = now.astimezone(UTC) if now else datetime.now(UTC).replace(second=0, microsecond=0)
    account = demo_account(
        AccountSpec(seed=seed, sent=sent, received=received, days=days, now=anchor)
    )
    clock = (lambda: anchor) if now else None
    api = SandboxApi(account, clock=clock)
    return SmstoolsClient(
        sandbox_settings(**{name: value for name, value in settings.items() if value is not None}),
        transport=api.transport(),
        clock=clock,
        label="demo",
    )
