"""``smstools-tui config``: where the config file is and what it amounts to."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Any

import click
import tomlkit

from ..config import (
    ENV_KEY,
    Settings,
    config_file_path,
    load_accounts,
    load_compliance,
    load_display_zone,
    load_quiet_hours,
    load_views,
)
from ..report.tables import printable

__all__ = ["config_group", "effective_settings"]


@click.group("config")
def config_group() -> None:
    """The config file: where it is and the settings in effect."""


@config_group.command("path")
def path_command() -> None:
    """Print where the config file is read from (as config-path does)."""
    click.echo(str(config_file_path()))


@config_group.command("show")
def show_command() -> None:
    """Print the settings in effect (environment, config file, defaults), as TOML, without the
    credentials: only where they come from."""
    for line in effective_settings().splitlines():
        click.echo(printable(line))


def effective_settings() -> str:
    """The settings in effect as TOML, the credentials replaced by a comment saying where they
    come from. Every table of the config file is validated on the way (one clear error)."""
    path = config_file_path()
    settings = Settings.from_env()
    rules = load_compliance(path)
    views = load_views(path)
    if settings.credentials is None:
        source = "none (the demo account is used)"
    elif os.environ.get(ENV_KEY):
        source = "from the environment (SMSTOOLS_AUTH_KEY, SMSTOOLS_AUTH_SECRET)"
    else:
        source = "from the config file"
    document = tomlkit.document()
    document.add(tomlkit.comment(f"config file: {path}{'' if path.exists() else ' (none yet)'}"))
    document.add(tomlkit.comment(f"credentials: {source}"))
    document["base_url"] = settings.base_url
    compliance: dict[str, Any] = {
        "opt_out": list(rules.opt_out),
        "opt_in": list(rules.opt_in),
        "match": rules.match,
    }
    document["compliance"] = compliance
    document["classes"] = {
        name: list(value) if isinstance(value, tuple) else value
        for name, value in asdict(rules.classes).items()
    }
    shown_zone = load_display_zone(path)
    if shown_zone:
        document["display"] = {"time_zone": shown_zone}
    quiet = load_quiet_hours(path)
    document["quiet_hours"] = {
        "enabled": quiet.enabled,
        "start": f"{quiet.start:%H:%M}",
        "end": f"{quiet.end:%H:%M}",
        "days": list(quiet.days),
        "holidays": quiet.holidays,
        "time_zone": quiet.time_zone,
    }
    if views:
        document["views"] = {name: view.to_toml() for name, view in views.items()}
    accounts = load_accounts(path)
    if accounts:
        # Where each account's credentials are, never what they are.
        table = tomlkit.table(is_super_table=True)
        for name, account in accounts.items():
            entry = tomlkit.table()
            entry.add(tomlkit.comment(f"credentials: in {account.credentials_source}"))
            entry["base_url"] = account.base_url or settings.base_url
            table[name] = entry
        document["accounts"] = table
    return tomlkit.dumps(document)
