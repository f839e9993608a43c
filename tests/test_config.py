from __future__ import annotations

import os
import pickle
import stat
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smstools_tui.analysis import ComplianceRules, MessageClasses
from smstools_tui.config import (
    DEFAULT_BASE_URL,
    Credentials,
    Settings,
    View,
    find_view,
    keyring_credentials,
    load_compliance,
    load_views,
    save_view,
    store_in_keyring,
    validate_base_url,
)
from smstools_tui.errors import ConfigError
from smstools_tui.query import Filters, Span, parse_window

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


# -- saved views --------------------------------------------------------------------------------

VIEWS = """\
# My views: kept by hand, and by the dashboard.
auth_key = "key-1234abcd"   # the credentials stay where they are
auth_secret = "secret-5678efgh"

[views.failed]
kind = "sent"
window = "last-month"  # a window expression
statuses = ["NOTDELIVERED", "nosent"]
campaign = "black-friday"

[views.replies]
kind = "received"
window = "7d"
country = "it"
text = "stop"

[views.weekly]
report = "delivery"
group = "week"
window = "2026-09-01..2026-11-30"
"""

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)


def views_file(tmp_path: Path, text: str = VIEWS) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_views_are_read_into_queries(tmp_path: Path) -> None:
    views = load_views(views_file(tmp_path))
    assert sorted(views) == ["failed", "replies", "weekly"]
    failed = views["failed"].query(NOW, "UTC")
    assert (
        failed.kind == "sent" and failed.window is not None and failed.window.text == "last-month"
    )
    assert failed.span == Span(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    assert failed.filters == Filters(
        statuses={"NOTDELIVERED", "NOSENT"}, campaigns={"black-friday"}
    )
    replies = views["replies"].query(NOW, "UTC")
    assert replies.kind == "received" and replies.filters == Filters(countries={"IT"}, text="stop")
    weekly = views["weekly"].query(NOW, "UTC")
    assert (weekly.kind, weekly.report, weekly.group) == ("sent", "delivery", "week")


def test_explicit_values_replace_the_views(tmp_path: Path) -> None:
    failed = load_views(views_file(tmp_path))["failed"]
    query = failed.query(NOW, "UTC", window="7d", status=["SENT"], campaigns=())
    assert query.window is not None and query.window.text == "7d"
    # The status is replaced; an empty value is not given, so the campaign stays.
    assert query.filters == Filters(statuses={"SENT"}, campaigns={"black-friday"})
    assert failed.query(NOW, "UTC", since="2026-11-01").window.text == "2026-11-01.."  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match="the view 'failed' is of sent messages, not received"):
        failed.query(NOW, kind="received")
    # An array or a Series is given, whatever it holds: comparing one with None was ambiguous.
    by_ids = failed.query(NOW, "UTC", ids=np.array([3, 1]), numbers=pd.Series(["393480000001"]))
    assert by_ids.filters.ids == {1, 3} and by_ids.filters.numbers == {"393480000001"}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('colour = "red"', "unknown filter 'colour' (a view takes kind, report, group, window"),
        ('window = "last-fortnight"', "'last-fortnight' is not a window: use 7d"),
        ("statuses = true", "statuses must be text, a number or a list of them, not true/false"),
        ("statuses = [[1]]", "statuses must be text, a number or a list of them, not a list"),
        ("window = 7", "window must be text, not a number"),
        ('kind = "both"', "kind must be sent or received, not 'both'"),
        ('report = "delivery"\nkind = "received"', "a report's view reads sent messages"),
        ('services = ["12"]', "--service applies to received messages only"),
        ('statuses = ["LOST"]', "unknown status 'LOST'"),
        ("text = 5", "text must be text, not a number"),
    ],
)
def test_a_bad_view_is_one_line_naming_the_file_and_the_view(
    tmp_path: Path, table: str, message: str
) -> None:
    path = views_file(tmp_path, f"[views.failed]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        load_views(path)
    text = str(caught.value)
    assert text.startswith(f"{path} [views.failed]: ") and message in text
    assert "\n" not in text


def test_views_must_be_tables(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[views\]: must be a table of views"):
        load_views(views_file(tmp_path, 'views = "all"\n'))
    with pytest.raises(ConfigError, match=r"\[views.x\]: a view is a table"):
        load_views(views_file(tmp_path, "[views]\nx = 1\n"))


def test_an_unknown_view_lists_the_known_ones(tmp_path: Path) -> None:
    path = views_file(tmp_path)
    with pytest.raises(
        ConfigError, match=r"no view 'faild' in .* \(its views: failed, replies, weekly\)"
    ):
        find_view("faild", path)
    with pytest.raises(ConfigError, match=r"\(its views: none yet\)"):
        find_view("failed", tmp_path / "missing.toml")
    assert find_view("failed", path).name == "failed"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_views_in_a_file_others_can_read_are_refused(tmp_path: Path) -> None:
    path = views_file(tmp_path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_views(path)
    with pytest.raises(ConfigError, match="chmod 600"):
        save_view(View("x"), path)


def test_saving_a_view_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = views_file(tmp_path)
    saved = View(
        "failed",
        window=parse_window("2026-11"),
        filters=Filters(statuses={"NOSENT"}, numbers={"393480000000"}, text="promo"),
    )
    assert save_view(saved, path) == path
    added = View("weekly-replies", kind="received", window=parse_window("7d"))
    save_view(added, path)
    text = path.read_text()
    # Everything else is as it was: the comments, the credentials, the other views.
    assert text.startswith("# My views: kept by hand, and by the dashboard.\n")
    assert 'auth_key = "key-1234abcd"   # the credentials stay where they are' in text
    assert '[views.replies]\nkind = "received"\nwindow = "7d"\ncountry = "it"' in text
    assert "black-friday" not in text  # the view of that name was replaced, not merged
    views = load_views(path)
    assert views["failed"] == saved and views["weekly-replies"] == added
    assert sorted(views) == ["failed", "replies", "weekly", "weekly-replies"]
    assert Settings.from_env({}, config_path=path).credentials == Credentials(KEY, SECRET)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [entry.name for entry in tmp_path.iterdir()] == ["config.toml"]  # no temporary left


def test_saving_a_view_makes_the_file_when_there_is_none(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_view(
        View("month", report="cost", group="country", window=parse_window("this-month")), path
    )
    assert load_views(path)["month"].to_toml() == {
        "report": "cost", "group": "country", "window": "this-month",
    }  # fmt: skip
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_broken_file_is_not_overwritten(tmp_path: Path) -> None:
    path = views_file(tmp_path, "auth_key = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        save_view(View("x"), path)
    assert path.read_text() == "auth_key = \n"


def test_compliance_rules_come_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[compliance]\nopt_out = ["STOP", "BASTA"]\nopt_in = ["START"]\nmatch = "strict"\n'
        '[classes]\ntransactional_senders = ["* OTP"]\ntransactional_campaigns = []\n'
        'default = "marketing"\n'
    )
    path.chmod(0o600)
    rules = load_compliance(path)
    assert rules == ComplianceRules(
        opt_out=("STOP", "BASTA"),
        opt_in=("START",),
        match="strict",
        classes=MessageClasses(transactional_senders=("* OTP",), transactional_campaigns=()),
    )
    assert load_compliance(tmp_path / "none.toml") == ComplianceRules()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('auth_key = "k"\n\n[classes]\ndefault = "promo"\n',
         ", line 4: [classes] default must be marketing or transactional, not 'promo'"),
        ('[compliance]\nopt_in = "START"\n', ", line 2: [compliance] opt_in must be a list of texts"),
        ('[compliance]\nopt_in = ["START", 1]\n', ", line 2: [compliance] opt_in must be a list"),
        ('compliance = 1\n', ", line 1: compliance must be a table ([compliance])"),
        ('[compliance]\n"match" = "any"\n', ", line 2: [compliance] match must be strict or lenient"),
        ('[compliance]\nmatch = "strict"\nmatch = "lenient"\n', ", line 3, column 18 is not valid TOML"),
    ],
)  # fmt: skip
def test_a_wrong_compliance_setting_names_the_file_line_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    path.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        load_compliance(path)
    assert str(caught.value).startswith(f"config file {path}") and message in str(caught.value)


def test_a_named_account_has_its_own_credentials_and_base_url(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'auth_key = "{KEY}"\nauth_secret = "{SECRET}"\n'
        '[accounts.acme]\nauth_key = "acme-key"\nauth_secret = "acme-secret"\n'
        'base_url = "http://127.0.0.1:8765/rest/api"\n[accounts.globex]\nkeyring = true\n'
    )
    path.chmod(0o600)
    environ = {"SMSTOOLS_AUTH_KEY": KEY, "SMSTOOLS_AUTH_SECRET": SECRET,
               "SMSTOOLS_BASE_URL": "http://127.0.0.1:1/rest/api"}  # fmt: skip
    acme = Settings.from_env(environ, config_path=path, account="acme")
    assert acme.credentials == Credentials("acme-key", "acme-secret")  # never the environment's
    assert acme.base_url == "http://127.0.0.1:8765/rest/api"  # its own over the environment's
    given = Settings.from_env(environ, config_path=path, account="acme", base_url="https://x.test")
    assert given.base_url == "https://x.test"  # what the command line gives wins
    with pytest.raises(ConfigError, match="smstools-tui login --account globex"):
        Settings.from_env(environ, config_path=path, account="globex")
    store_in_keyring(Credentials("globex-key", "globex-secret"), "globex")
    globex = Settings.from_env(environ, config_path=path, account="globex")
    assert globex.credentials == Credentials("globex-key", "globex-secret")
    assert globex.base_url == "http://127.0.0.1:1/rest/api"  # none of its own: the environment's
    assert keyring_credentials() is None  # the unnamed account's entry is apart
    with pytest.raises(ConfigError, match=r"no account 'globx'.*did you mean 'globex'"):
        Settings.from_env(environ, config_path=path, account="globx")
