"""``smstools-tui login``: credentials in the system keyring (a keyring in memory here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from smstools_tui.cli import cli
from smstools_tui.config import KEYRING_SERVICE, Credentials, Settings

from ..conftest import MemoryKeyring

pytestmark = pytest.mark.usefixtures("no_credentials")

KEY, SECRET = "key-in-the-keyring", "secret-in-the-keyring"


def test_login_stores_the_credentials_in_the_keyring_and_never_echoes_them(
    private_keyring: MemoryKeyring,
) -> None:
    result = CliRunner().invoke(cli, ["login"], input=f"{KEY}\n{SECRET}\n")
    assert result.exit_code == 0, result.output
    assert private_keyring.passwords == {
        (KEYRING_SERVICE, "auth_key"): KEY,
        (KEYRING_SERVICE, "auth_secret"): SECRET,
    }
    assert KEY not in result.output and SECRET not in result.output
    assert "stored in the system keyring (" in result.output and "MemoryKeyring" in result.output
    assert Settings.from_env().credentials == Credentials(KEY, SECRET)


def test_login_refuses_an_empty_secret(private_keyring: MemoryKeyring) -> None:
    result = CliRunner().invoke(cli, ["login"], input=f"{KEY}\n \n")
    assert result.exit_code != 0 and private_keyring.passwords == {}


def test_the_environment_wins_over_the_keyring_and_the_keyring_over_the_file(
    private_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    private_keyring.set_password(KEYRING_SERVICE, "auth_key", KEY)
    private_keyring.set_password(KEYRING_SERVICE, "auth_secret", SECRET)
    path = tmp_path / "config.toml"
    path.write_text('auth_key = "file-key"\nauth_secret = "file-secret"\n')
    path.chmod(0o600)
    assert Settings.from_env({}, config_path=path).credentials == Credentials(KEY, SECRET)
    from_env = Settings.from_env({"SMSTOOLS_AUTH_KEY": "e", "SMSTOOLS_AUTH_SECRET": "s"})
    assert from_env.credentials == Credentials("e", "s")
    private_keyring.passwords.clear()
    assert Settings.from_env({}, config_path=path).credentials == Credentials(
        "file-key", "file-secret"
    )


def test_without_a_usable_keyring_login_says_where_else_to_put_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    result = CliRunner().invoke(cli, ["login"], input=f"{KEY}\n{SECRET}\n", standalone_mode=False)
    assert result.exception is not None
    assert "no system keyring" in str(result.exception)
    assert "SMSTOOLS_AUTH_KEY" in str(result.exception)
    assert Settings.from_env({}, config_path=None).credentials is None  # nothing to read
