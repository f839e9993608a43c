"""``smstools-tui dashboard``: the terminal dashboard (also what ``smstools-tui`` alone opens)."""

from __future__ import annotations

from typing import Any

import click

from .common import ConnectionOptions, connection_options, window_options


@click.command("dashboard")
@window_options
@connection_options
def dashboard_command(**kwargs: Any) -> None:
    """Open the dashboard: the account at a glance, drill-down tables, filters and export.

    With credentials it shows the live account; without (or with --demo), the built-in demo
    data, and says so in the header. Press ? inside for every key. The theme and the last
    window picked inside are remembered for the next time (--since/--until win over it).

    \b
    Examples:
      smstools-tui
      smstools-tui dashboard --since 2026-11-01 --until 2026-11-30
      smstools-tui dashboard --demo
    """
    options = ConnectionOptions.from_kwargs(kwargs)
    # Textual is imported here, not at the top: the other commands never load it.
    from ..tui import make_app
    from ..tui.remembered import SettingsFile, default_settings_path

    with options.client(demo_without_credentials=True) as client:
        app = make_app(
            client,
            since=options.since,
            until=options.until,
            remember=SettingsFile(default_settings_path()),
        )
        app.run()
