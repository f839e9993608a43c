"""``smstools-tui dashboard``: the terminal dashboard (also what ``smstools-tui`` alone opens)."""

from __future__ import annotations

from typing import Any

import click

from ..config import find_view
from ..query import WindowExpr
from .common import ConnectionOptions, QueryOptions, connection_options, query_options


@click.command("dashboard")
@query_options(())
@connection_options
def dashboard_command(**kwargs: Any) -> None:
    """Open the dashboard: the account at a glance, drill-down tables, filters and export.

    With credentials it shows the live account; without (or with --demo), the built-in demo
    data, and says so in the header. Press ? inside for every key. A --view's filters scope
    what the dashboard loads, whatever window is picked.

    \b
    Examples:
      smstools-tui
      smstools-tui dashboard --window last-month
      smstools-tui dashboard --since 2026-11-01 --until 2026-11-30
      smstools-tui dashboard --demo --view failed-last-month
    """
    options = ConnectionOptions.from_kwargs(kwargs)
    asked = QueryOptions.from_kwargs(kwargs)
    window = WindowExpr.asked(asked.since, asked.until, asked.window)
    saved = find_view(asked.view) if asked.view is not None else None
    # Textual is imported here, not at the top: the other commands never load it.
    from ..tui import make_app

    with options.client(demo_without_credentials=True) as client:
        app = make_app(client, window=window, view=saved)
        app.run()
