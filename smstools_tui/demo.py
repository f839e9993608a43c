"""The built-in demo: the sandbox's emulated API behind the real client, in-process.

``connect(demo=True)``, the command line's ``--demo`` and the tests' fixtures all get their demo
client here. It is assembled at the top of the package so that neither the client
(:mod:`smstools_tui.api`) nor the emulator (:mod:`smstools_tui.sandbox`) imports the other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .api.client import SmstoolsClient
from .sandbox import AccountSpec, Degradation, SandboxApi, demo_account, sandbox_settings
from .source import DEMO_LABEL

__all__ = ["demo_client"]


def demo_client(
    *,
    seed: int = 7,
    sent: int = 50_000,
    received: int = 4_000,
    days: int = 400,
    now: datetime | None = None,
    degrade: tuple[Degradation, ...] = (),
    **settings: Any,
) -> SmstoolsClient:
    """A :class:`~smstools_tui.SmstoolsClient` on the demo account, in-process: no credentials,
    no network.

    With ``now`` the data and both clocks are frozen at that moment (repeatable results);
    without it the data ends at the current minute and statuses settle as time passes.
    ``degrade`` makes routes go bad (see :class:`~smstools_tui.sandbox.Degradation`).
    ``settings`` are :class:`~smstools_tui.Settings` fields (``None`` values are ignored).

    Example:
        >>> from datetime import datetime, UTC
        >>> client = demo_client(sent=1_000, received=100, now=datetime(2026, 11, 25, tzinfo=UTC))
        >>> client.is_demo, len(client.sent("2026-11-01", "2026-11-24")) > 0
        (True, True)
    """
    anchor = now.astimezone(UTC) if now else datetime.now(UTC).replace(second=0, microsecond=0)
    account = demo_account(
        AccountSpec(seed=seed, sent=sent, received=received, days=days, now=anchor, degrade=degrade)
    )
    clock = (lambda: anchor) if now else None
    api = SandboxApi(account, clock=clock)
    return SmstoolsClient(
        sandbox_settings(**{name: value for name, value in settings.items() if value is not None}),
        transport=api.transport(),
        clock=clock,
        label=DEMO_LABEL,
    )
