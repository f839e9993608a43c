"""Common mistakes on the command line end as one line with what to do, exit code 2; each command
offers only the options that work for it; the root command takes the dashboard's options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from smstools_tui.cli import cli, main
from tests.conftest import Result

from .conftest import Opened


@pytest.mark.usefixtures("no_credentials")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # --format is the wire format; the file's type comes from --out.
        (
            ("export", "sent", "--demo", "--format", "csv"),
            "'csv' is not a wire format: --format is what the API answers in (json or xml); "
            "the file's type comes from --out's suffix (--out FILE.csv)",
        ),
        (("report", "delivery", "--demo", "--format", "parquet"), "(--out FILE.parquet)"),
        (("sync", "--format", "csv"), "answers in (json or xml); this command writes no file"),
        (("sync", "--offline"), "smstools-tui sync takes no --offline: sync needs the network"),
        (("sync", "--no-store"), "smstools-tui sync takes no --no-store: sync writes the local"),
        # A command's option before the command's name.
        (
            ("--demo", "export", "sent"),
            "--demo goes after the command's name: smstools-tui export … --demo",
        ),
        (
            ("report", "--demo"),
            "No such option '--demo' for smstools-tui report: it goes after the command's name "
            "(smstools-tui report delivery … --demo)",
        ),
        (
            ("export", "sent", "--by", "day"),
            "No such option '--by' for smstools-tui export: it is an option of report delivery",
        ),
        (("exprot", "sent"), "No such command 'exprot'. Did you mean 'export'?"),
        (
            ("dashboard", "--out", "x.csv"),
            "smstools-tui dashboard takes no --out: the dashboard exports from inside (press e)",
        ),
        (
            ("dashboard", "--status", "NOSENT"),
            "takes no --status: the dashboard's filters are set "
            "inside it (or saved in a view: --view NAME)",
        ),
        (("export", "sent", "--dmeo"), "Did you mean one of: '--debug', '--demo'"),
        (("report",), "smstools-tui report needs a command: all, billing, campaigns"),
        (
            ("export", "sent", "--demo", "--since", "2026-11-20", "--until", "2026-11-01"),
            "swap its ends (2026-11-01..2026-11-20)",
        ),
        (("export", "sent", "--demo", "--status", "DELIVERD"), "unknown status 'DELIVERD'"),
        (("export", "--demo"), "say which messages: sent or received (or give --view NAME)"),
        (
            ("export", "sent", "--window"),
            "Option '--window' requires an argument. (see 'smstools-tui export --help')",
        ),
        (("report", "delivery", "--by"), "(see 'smstools-tui report delivery --help')"),
        (("--demo", "--view", "nope"), "no view 'nope'"),
    ],
)
def test_a_mistake_is_one_line_with_a_hint(
    run: Callable[..., Result], args: tuple[str, ...], expected: str
) -> None:
    result = run(*args)
    assert result.code == 2, result.err
    assert result.out == ""
    assert result.err.count("\n") == 1 and result.err.startswith("smstools-tui: error: ")
    assert expected in result.err


def test_the_format_help_says_it_is_the_wire_format(run: Callable[..., Result]) -> None:
    help_text = " ".join(run("export", "--help").out.split())
    assert "--format [json|xml] The API's wire format" in help_text
    assert "not the file's type, which comes from --out's suffix" in help_text
    sync_help = " ".join(run("sync", "--help").out.split())
    assert "(the Accept header); not a file format." in sync_help


def options_of(*path: str) -> set[str]:
    command: Any = cli
    for name in path:
        command = command.commands[name]
    return {
        name
        for param in command.params
        if not getattr(param, "hidden", False)
        for name in param.opts
    }


def test_sync_offers_only_what_works(run: Callable[..., Result]) -> None:
    assert {"--offline", "--no-store"} <= options_of("export")
    assert not {"--offline", "--no-store"} & options_of("sync")
    assert {"--store", "--demo", "--since"} <= options_of("sync")
    listed = [line.split()[0] for line in run("sync", "--help").out.splitlines()
              if line.startswith("  --")]  # fmt: skip
    assert "--store" in listed and "--offline" not in listed and "--no-store" not in listed


def test_the_root_command_offers_the_dashboards_options_only() -> None:
    root = options_of()
    assert {"--demo", "--since", "--until", "--window", "--view", "--offline", "--store"} <= root
    assert not {"--status", "--number", "--text", "--out"} & root  # the dashboard's widgets


@pytest.mark.usefixtures("no_credentials")
def test_the_root_command_opens_the_dashboard_with_its_options(opened: Opened) -> None:
    main(["--demo", "--window", "last-month", "--format", "xml"])
    [call] = opened.calls
    assert call["ran"] and call["client"].is_demo
    assert call["window"].text == "last-month"
    assert call["client"].settings.wire_format == "xml"


def test_every_root_option_is_a_dashboard_option() -> None:
    assert options_of() - options_of("dashboard") == {"--version", "--debug"}  # hidden there


@pytest.mark.usefixtures("no_credentials")
@pytest.mark.parametrize(
    ("text", "args", "expected"),
    [
        ('auth_kye = "k"\nauth_secret = "s"\n', ("export", "sent"), "config.toml, line 1: unknown "
         "key 'auth_kye'; did you mean 'auth_key'? (it takes auth_key, auth_secret, base_url, "
         "[compliance], [classes], [quiet_hours], [display], [views.NAME] and [accounts.NAME] "
         "tables)"),
        ('auth_secret = "s"\nauth-key = "k"\n', ("export", "sent"), "config.toml, line 2: unknown "
         "key 'auth-key'; did you mean 'auth_key'?"),
        ('[view.failed]\nkind = "sent"\n', ("export", "--view", "failed", "--demo"),
         "line 1: unknown key 'view'; did you mean 'views'?"),
        ('[compliance]\nopt_out = ["STOP"]\nmach = "strict"\n', ("report", "compliance", "--demo"),
         "config.toml, line 3: [compliance] mach: unknown key; did you mean 'match'?"),
        ('[compliance]\nmatch = "loose"\n', ("report", "compliance", "--demo"),
         "config.toml, line 2: [compliance] match must be strict or lenient, not 'loose'"),
        ('[classes]\n\ntransactional_senders = "MyShop OTP"\n', ("report", "compliance", "--demo"),
         "config.toml, line 3: [classes] transactional_senders must be a list of texts, not a text"),
        ('auth_key = 12\n', ("export", "sent"), "config.toml, line 1: auth_key must be a text, "
         "not a number"),
        ('[compliance]\nmatch = strict\n', ("report", "compliance", "--demo"),
         "config.toml, line 2, column 9 is not valid TOML"),
        ('[views.failed]\nstatsu = "NOSENT"\n', ("export", "--view", "failed", "--demo"),
         "[views.failed]: unknown filter 'statsu'; did you mean 'status'?"),
        ('[views.failed]\nstatus = "NOSENT"\n', ("export", "--view", "faild", "--demo"),
         "(its views: failed); did you mean 'failed'?"),
    ],
)  # fmt: skip
def test_a_typo_in_the_config_file_names_the_key_meant(
    run: Callable[..., Result], tmp_path: Path, text: str, args: tuple[str, ...], expected: str
) -> None:
    config = tmp_path / "config" / "smstools-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(text)
    config.chmod(0o600)
    result = run(*args)
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and str(config) in result.err and expected in result.err


@pytest.mark.usefixtures("no_credentials")
def test_the_kind_is_read_in_any_case(run: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "sent.csv"
    result = run("export", "SENT", "--demo", "--out", str(target))
    assert result.code == 0 and result.err.startswith("wrote ") and " sent SMS to " in result.err
