"""``smstools-tui login``: store the credentials in the system keyring."""

from __future__ import annotations

import click

from ..config import KEYRING_SERVICE, Credentials, store_in_keyring
from ..errors import ConfigError

__all__ = ["login_command"]


@click.command("login")
def login_command() -> None:
    """Store the AUTH_KEY and AUTH_SECRET of your Smstools private area in the system keyring
    (asked for, never echoed), where every command and the dashboard find them when
    SMSTOOLS_AUTH_KEY and SMSTOOLS_AUTH_SECRET are not set.
    """
    key = click.prompt("AUTH_KEY", hide_input=True).strip()
    secret = click.prompt("AUTH_SECRET", hide_input=True).strip()
    if not key or not secret:
        raise ConfigError("both the auth key and the secret are needed")
    where = store_in_keyring(Credentials(key, secret))
    click.echo(f"stored in the system keyring ({where}, service {KEYRING_SERVICE})", err=True)
