"""``smstools-tui config show`` and ``config path``."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import Result

pytestmark = pytest.mark.usefixtures("no_credentials")

KEY, SECRET = "key-1234-visible-nowhere", "secret-5678-visible-nowhere"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "smstools-tui" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_show_prints_the_settings_in_effect_without_the_credentials(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path = _config(
        tmp_path,
        f'auth_key = "{KEY}"\nauth_secret = "{SECRET}"\n'
        '[compliance]\nopt_out = ["STOP", "BASTA"]\nmatch = "strict"\n'
        '[classes]\ntransactional_senders = ["* OTP"]\n'
        '[views.failed]\nkind = "sent"\nstatuses = ["NOSENT"]\n',
    )
    code, out, err = run("config", "show")
    assert code == 0 and err == ""
    assert KEY not in out and SECRET not in out
    assert f"# config file: {path}" in out and "# credentials: from the config file" in out
    shown = tomllib.loads(out)
    assert shown["compliance"] == {
        "opt_out": ["STOP", "BASTA"], "opt_in": ["START", "ISCRIVI"], "match": "strict",
    }  # fmt: skip
    assert shown["classes"]["transactional_senders"] == ["* OTP"]
    assert shown["classes"]["transactional_campaigns"] == [""]  # the default kept
    assert shown["views"]["failed"]["statuses"] == ["NOSENT"]
    assert "auth_key" not in shown and "auth_secret" not in shown


def test_show_without_a_file_prints_the_defaults(run: Callable[..., Result]) -> None:
    code, out, _ = run("config", "show")
    assert code == 0
    assert "(none yet)" in out and "# credentials: none (the demo account is used)" in out
    assert tomllib.loads(out)["compliance"]["match"] == "lenient"


def test_show_names_the_file_the_line_and_the_key_of_a_typo(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path = _config(tmp_path, f'auth_secret = "{SECRET}"\nauth-key = "{KEY}"\n')
    code, out, err = run("config", "show")
    assert code == 2 and out == ""
    assert err == (
        f"smstools-tui: error: config file {path}, line 2: unknown key 'auth-key'; did you mean "
        "'auth_key'? (it takes auth_key, auth_secret, base_url, [compliance], [classes], "
        "[quiet_hours], [display], [views.NAME] and [accounts.NAME] tables)\n"
    )
    assert SECRET not in err and KEY not in err


def test_path_and_config_path_agree(run: Callable[..., Result], tmp_path: Path) -> None:
    assert run("config", "path").out == run("config-path").out
    assert run("config", "path").out.strip() == str(
        tmp_path / "config" / "smstools-tui" / "config.toml"
    )


def test_the_reports_follow_the_config_files_rules(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    window = ("--since", "2026-09-01T00:00:00+00:00", "--until", "2026-11-24T00:00:00+00:00")
    default = tmp_path / "default.csv"
    assert run("report", "compliance", "--demo", *window, "--out", str(default)).code == 0
    _config(tmp_path, "[classes]\ntransactional_campaigns = []\n")  # every message marketing
    everything = tmp_path / "everything.csv"
    assert run("report", "compliance", "--demo", *window, "--out", str(everything)).code == 0
    default_rows = default.read_text(encoding="utf-8-sig").splitlines()[1:]
    every_rows = everything.read_text(encoding="utf-8-sig").splitlines()[1:]
    assert len(every_rows) > len(default_rows)
    assert all(",marketing," in row for row in every_rows)


def test_the_number_format_spaces_numbers_on_screen_but_never_in_csv(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    window = ("--since", "2026-09-01T00:00:00+00:00", "--until", "2026-11-24T00:00:00+00:00")
    plain = run("report", "failing-numbers", "--demo", *window).out
    assert "+39" in plain and "+39 3" not in plain
    _config(tmp_path, '[display]\nnumber_format = "international"\n')
    spaced = run("report", "failing-numbers", "--demo", *window).out
    assert "+39 3" in spaced
    written = tmp_path / "failing.csv"
    assert run("report", "failing-numbers", "--demo", *window, "--out", str(written)).code == 0
    numbers = [row.split(",")[0] for row in written.read_text(encoding="utf-8-sig").splitlines()]
    assert any(number.startswith("'+39") for number in numbers)
    assert not any(" " in number for number in numbers if number.startswith("'+"))


def test_an_unknown_number_format_names_the_file_line_and_key(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    path = _config(tmp_path, '[display]\nnumber_format = "national"\n')
    code, out, err = run("report", "failing-numbers", "--demo")
    assert code == 2 and out == ""
    assert f"config file {path}, line 2" in err and "number_format" in err
    assert "e164 or international" in err
