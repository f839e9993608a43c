from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from smstools_tui.config import DEFAULT_BASE_URL, Credentials, Settings, validate_base_url
from smstools_tui.errors import ConfigError

KEY, SECRET = "key-1234abcd", "secret-5678efgh"


def test_credentials_from_the_environment() -> None:
    settings = Settings.from_env(
        {"SMSTOOLS_AUTH_KEY": KEY, "SMSTOOLS_AUTH_SECRET": SECRET}, config_path=None
    )
    assert settings.credentials == Credentials(KEY, SECRET)
    assert settings.base_url == DEFAULT_BASE_URL


def test_half_the_credentials_is_an_error() -> None:
    with pytest.raises(ConfigError, match="SMSTOOLS_AUTH_SECRET is not set"):
        Settings.from_env({"SMSTOOLS_AUTH_KEY": KEY}, config_path=None)


def test_credentials_never_show_themselves() -> None:
    credentials = Credentials(KEY, SECRET)
    settings = Settings(credentials=credentials)
    for text in (repr(credentials), str(credentials), repr(settings), str(settings)):
        assert KEY not in text and SECRET not in text
    with pytest.raises(TypeError):
        pickle.dumps(credentials)


def write_config(path: Path, mode: int) -> Path:
    path.write_text(f'auth_key = "{KEY}"\nauth_secret = "{SECRET}"\n')
    path.chmod(mode)
    return path


def test_config_file_readable_only_by_its_owner_is_used(tmp_path: Path) -> None:
    path = write_config(tmp_path / "config.toml", 0o600)
    assert Settings.from_env({}, config_path=path).credentials == Credentials(KEY, SECRET)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_config_file_that_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = write_config(tmp_path / "config.toml", mode)
    with pytest.raises(ConfigError, match="chmod 600") as caught:
        Settings.from_env({}, config_path=path)
    assert SECRET not in str(caught.value)


def test_a_broken_config_file_does_not_echo_its_content(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'auth_key = "{KEY}"\nauth_secret = {SECRET}\n')
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        Settings.from_env({}, config_path=path)
    assert SECRET not in str(caught.value) and caught.value.__cause__ is None


def test_environment_wins_over_the_config_file(tmp_path: Path) -> None:
    path = write_config(tmp_path / "config.toml", 0o644)  # unsafe, but never read
    settings = Settings.from_env(
        {"SMSTOOLS_AUTH_KEY": "k", "SMSTOOLS_AUTH_SECRET": "s"}, config_path=path
    )
    assert settings.credentials == Credentials("k", "s")


@pytest.mark.parametrize(
    "url",
    [
        "https://api.smstools.it/rest/api",
        "http://127.0.0.1:8765/rest/api",
        "http://127.9.9.9/rest/api",
        "http://localhost:1/x",
        "http://[::1]:8765/rest/api",
    ],
)
def test_allowed_base_urls(url: str) -> None:
    assert validate_base_url(url + "/") == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://api.smstools.it/rest/api", "https"),
        ("http://10.0.0.1/rest/api", "https"),
        ("http://localhost.evil.example/", "https"),
        ("ftp://api.smstools.it/", "https"),
        ("api.smstools.it/rest/api", "https"),
        ("https://key:secret@api.smstools.it/rest/api", "must not carry credentials"),
    ],
)
def test_refused_base_urls(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        validate_base_url(url)
    assert "secret@" not in str(caught.value)


def test_base_url_from_environment_is_validated() -> None:
    with pytest.raises(ConfigError, match="https"):
        Settings.from_env({"SMSTOOLS_BASE_URL": "http://example.com"}, config_path=None)


def test_settings_bounds() -> None:
    with pytest.raises(ConfigError, match="concurrency"):
        Settings(concurrency=0)
    with pytest.raises(ConfigError, match="json or xml"):
        Settings(wire_format="yaml")  # type: ignore[arg-type]


@pytest.mark.parametrize("seconds", [0.0, -5.0, float("nan"), float("inf")])
def test_the_timeout_is_a_positive_number_of_seconds(seconds: float) -> None:
    with pytest.raises(ConfigError, match="timeout must be a positive number of seconds"):
        Settings(timeout=seconds)
    assert Settings().timeout == 60.0
