"""``smstools-tui login``: store the credentials in the system keyring."""

from __future__ import annotations

import click

from ..config import KEYRING_SERVICE, Credentials, find_account, store_in_keyring
from ..errors import ConfigError

__all__ = ["login_command"]


@click.command("login")
@click.option(
    "--account",
    metavar="NAME",
    help="A named account of the config file ([accounts.NAME] with keyring = true): its "
    "credentials, apart from the others'.",
)
def login_command(account: str | None) -> None:
    """Store the AUTH_KEY and AUTH_SECRET of your Smstools private area in the system keyring
    (asked for, never echoed), where every command and the dashboard find them when
    SMSTOOLS_AUTH_KEY and SMSTOOLS_AUTH_SECRET are not set.

    \b
    Examples:
      smstools-tui login                       # the one account
      smstools-tui login --account acme        # [accounts.acme] with keyring = true
    """
    if account is not None:
        named = find_account(account)  # a typo is refused before the secrets are asked
        if not named.in_keyring:
            raise ConfigError(
                f"[accounts.{account}] keeps its credentials in the config file: replace "
                "auth_key and auth_secret by keyring = true to keep them in the keyring"
            )
    key = click.prompt("AUTH_KEY", hide_input=True).strip()
    secret = click.prompt("AUTH_SECRET", hide_input=True).strip()
    if not key or not secret:
        raise ConfigError("both the auth key and the secret are needed")
    where = store_in_keyring(Credentials(key, secret), account)
    whose = f" for the account {account}" if account is not None else ""
    click.echo(
        f"stored in the system keyring{whose} ({where}, service {KEYRING_SERVICE})", err=True
    )
