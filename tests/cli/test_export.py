"""``smstools-tui export`` end to end: files, safety, errors."""

from __future__ import annotations

import csv
import shlex
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.cli import export
from smstools_tui.msisdn import display_number
from smstools_tui.query import Query
from smstools_tui.report.csv import spreadsheet_safe
from smstools_tui.sandbox import SandboxApi, SandboxResponse, SandboxServer, sandbox_settings
from tests.conftest import NOW, Clock, Result

WINDOW = ("--since", "2026-08-01T00:00:00+00:00", "--until", "2026-11-01T00:00:00+00:00")


def read_csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets then read UTF-8 correctly
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_export_sent_to_csv(
    run: Callable[..., Result], live: SandboxServer, tmp_path: Path, clock: Clock
) -> None:
    target = tmp_path / "sent.csv"
    result = run("export", "sent", *WINDOW, "--out", str(target))
    assert result.code == 0, result.err
    assert result.err.startswith("wrote ") and str(target) in result.err
    rows = read_csv_rows(target)
    header, body = rows[0], rows[1:]
    assert header == ["id", "to", "from", "text", "status", "insertDate", "sentDate", "deliveryDate",
                      "transactionId", "price", "statusDetail", "type", "encoding",
                      "segments"]  # fmt: skip
    with SmstoolsClient(sandbox_settings(live.base_url), clock=clock) as client:
        truth = client.sent(*WINDOW[1::2])
    assert len(body) == len(truth) > 100
    first = dict(zip(header, body[0], strict=True))
    assert first["insertDate"].endswith("+00:00") and "T" in first["insertDate"]
    assert first["id"] == str(truth["id"].iloc[0])
    # Numbers are written in E.164 as text (a leading quote: a spreadsheet keeps the ``+`` and
    # every digit), the invalid ones as the API wrote them, marked.
    assert set(row[1] for row in body) == {
        spreadsheet_safe(display_number(number)) for number in truth["to"].astype(str)
    }
    assert "'+" + str(truth["to"].iloc[0]) in {row[1] for row in body}


def test_export_received_to_parquet_is_lossless(
    run: Callable[..., Result], live: SandboxServer, tmp_path: Path, clock: Clock
) -> None:
    target = tmp_path / "received.parquet"
    assert run("export", "received", *WINDOW, "--format", "xml", "--out", str(target)).code == 0
    with SmstoolsClient(sandbox_settings(live.base_url), clock=clock) as client:
        truth = client.received(*WINDOW[1::2])
    pd.testing.assert_frame_equal(pd.read_parquet(target), truth)


def test_export_filters(run: Callable[..., Result], live: SandboxServer, tmp_path: Path) -> None:
    target = tmp_path / "failed.parquet"
    assert (
        run("export", "sent", *WINDOW, "--status", "notdelivered", "--out", str(target)).code == 0
    )
    assert set(pd.read_parquet(target)["status"]) == {"NOTDELIVERED"}


def test_export_takes_several_values_of_a_filter_and_a_window_expression(
    run: Callable[..., Result], no_credentials: None, tmp_path: Path
) -> None:
    target = tmp_path / "failed.parquet"
    result = run("export", "sent", "--demo", "--window", "last-month", "--status", "NOTDELIVERED",
                 "--status", "nosent", "--country", "it", "--out", str(target))  # fmt: skip
    assert result.code == 0, result.err
    failed = pd.read_parquet(target)
    assert len(failed) > 0 and set(failed["status"]) <= {"NOTDELIVERED", "NOSENT"}
    assert failed["to"].str.startswith("39").all()
    some = failed["id"].iloc[:2].astype(str).tolist()
    by_id = tmp_path / "by-id.parquet"
    # Ids alone: no window, the messages are searched by id.
    assert run("export", "sent", "--demo", "--id", some[0], "--id", some[1], "--out",
               str(by_id)).code == 0  # fmt: skip
    assert sorted(pd.read_parquet(by_id)["id"].astype(str)) == sorted(some)


def test_export_a_saved_view(
    run: Callable[..., Result], no_credentials: None, tmp_path: Path
) -> None:
    config = tmp_path / "config" / "smstools-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[views.failed]\nwindow = "last-month"\nstatuses = ["NOTDELIVERED"]\n')
    config.chmod(0o600)
    target = tmp_path / "view.parquet"
    assert run("export", "--view", "failed", "--demo", "--out", str(target)).code == 0
    by_view = pd.read_parquet(target)
    assert len(by_view) > 0 and set(by_view["status"]) == {"NOTDELIVERED"}
    # Explicit options win over the view's values.
    assert run("export", "--view", "failed", "--status", "NOSENT", "--window", "90d", "--demo",
               "--out", str(target)).code == 0  # fmt: skip
    assert set(pd.read_parquet(target)["status"]) == {"NOSENT"}
    wrong = run("export", "received", "--view", "failed", "--demo", "--out", str(target))
    assert wrong.code == 2
    assert wrong.err == (
        "smstools-tui: error: the view 'failed' is of sent messages, not received\n"
    )
    missing = run("export", "--view", "nope", "--demo")
    assert missing.code == 2 and f"no view 'nope' in {config} (its views: failed)" in missing.err


def test_hostile_texts_are_neutralised_in_csv(
    run: Callable[..., Result],
    api: SandboxApi,
    live: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hostile = [
        '=HYPERLINK("http://evil.example","x")',
        "+39 call",
        "-1+1",
        "@SUM(1)",
        "\t=1",
        "\r=2",
        "fine",
    ]
    texts = api.account.received.text.copy()
    texts[: len(hostile)] = hostile
    monkeypatch.setattr(api.account.received, "text", texts)  # the shared account stays intact
    target = tmp_path / "received.csv"
    assert (
        run(
            "export",
            "received",
            "--since",
            "2025-01-01",
            "--until",
            "2026-11-25",
            "--out",
            str(target),
        ).code
        == 0
    )
    texts = [row[1] for row in read_csv_rows(target)[1:]]
    for text in hostile[:-1]:
        assert "'" + text in texts
    assert "fine" in texts
    assert not any(text[:1] in ("=", "+", "-", "@", "\t", "\r") for text in texts)
    numbers = [row[0] for row in read_csv_rows(target)[1:]]
    assert all(
        number.startswith("'+") for number in numbers
    )  # '+39… reads as text, all digits kept


def test_export_to_stdout(run: Callable[..., Result], live: SandboxServer) -> None:
    result = run("export", "sent", *WINDOW, "--out", "-")
    assert result.code == 0
    assert result.out.splitlines()[0].startswith("id,to,from,text,status")


def test_demo_needs_no_credentials(
    run: Callable[..., Result], no_credentials: None, tmp_path: Path
) -> None:
    target = tmp_path / "demo.parquet"
    result = run("export", "sent", "--demo", "--out", str(target))
    assert result.code == 0, result.err
    frame = pd.read_parquet(target)
    assert len(frame) > 100
    # The demo's clock is frozen at NOW (see tests/cli/conftest.py): the default window is the
    # 30 days before it, whatever today's date is.
    assert frame["insertDate"].min() >= pd.Timestamp(NOW) - pd.Timedelta(days=30)
    assert frame["insertDate"].max() < pd.Timestamp(NOW)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("export", "sent", "--since", "2026-02-30", "--demo", "--out", "x.csv"),
            2,
            "'2026-02-30' is not a window: use 7d, 24h",
        ),
        (("export", "sent", "--demo", "--out", "x.xlsx"), 2, "must end in .csv or .parquet"),
        (("export", "--demo"), 2, "say which messages: sent or received (or give --view NAME)"),
        (
            ("export", "sent", "--window", "7d", "--since", "2026-11-01", "--demo"),
            2,
            "give a window or its start and end (since, until), not both",
        ),
        (("export", "sent", "--until", "7d", "--demo"), 2, "'7d' counts back from now"),
        (("export", "sent", "--id", "x1", "--demo"), 2, "'x1' is not a message id"),
        (("export", "sent", "--country", "Italy", "--demo"), 2, "unknown country 'Italy'"),
        (
            ("export", "received", "--status", "SENT", "--demo", "--out", "x.csv"),
            2,
            "--status applies to sent",
        ),
        (
            ("export", "sent", "--campaign", "a", "--service", "1", "--demo", "--out", "x.csv"),
            2,
            "--service applies to received",
        ),
        (("export", "sent", "--out", "x.csv"), 2, "no credentials: set SMSTOOLS_AUTH_KEY"),
        (("export", "sent", "--demo", "--out", "x.csv", "--concurrency", "0"), 2, "--concurrency"),
        (("export", "letters", "--demo", "--out", "x.csv"), 2, "'letters' is not one of"),
        (("export", "sent", "--base-url", "http://example.com", "--out", "x.csv"), 2, "https"),
        (("export", "sent", "--demo", "--out", "/no/such/folder/x.csv"), 2, "does not exist"),
        (("export", "sent", "--demo", "--out", "."), 2, "must end in .csv or .parquet"),
        (("export", "sent", "--demo", "--out", "/tmp/"), 2, "must end in .csv or .parquet"),
        *(
            (
                ("export", "sent", option, value, "--demo", "--out", "x.csv"),
                2,
                f"{value!r} is out of range: give a date between 1900-01-01 and 2200-01-01",
            )
            for option, value in (
                ("--until", "0001-01-05"),
                ("--since", "9999-12-31"),
                ("--since", "0001-01-01"),
                ("--since", "0001-01-01T00:00:00+23:59"),
                ("--until", "9999-12-31T23:59:59-23:59"),
            )
        ),
    ],
)
def test_bad_input_is_one_line_and_an_exit_code(
    run: Callable[..., Result], no_credentials: None, args: tuple[str, ...], code: int, message: str
) -> None:
    result = run(*args)
    assert result.code == code
    assert message in result.err
    assert result.err.count("\n") == 1 and result.err.startswith("smstools-tui: error: ")
    assert "Traceback" not in result.err


def test_refused_credentials(
    run: Callable[..., Result], live: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", "not-the-secret-123")
    result = run("export", "sent", "--out", "x.csv")
    assert result.code == 3
    assert "401 BAD_CREDENTIALS" in result.err and result.err.count("\n") == 1
    assert "not-the-secret-123" not in result.err


def test_unreachable_gateway(
    run: Callable[..., Result], no_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", "k")
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", "s")
    monkeypatch.setattr("smstools_tui.api.client.time.sleep", lambda seconds: None)
    result = run("export", "sent", "--base-url", "http://127.0.0.1:9/rest/api", "--out", "x.csv")
    assert result.code == 4
    assert "cannot connect to 127.0.0.1" in result.err


def test_a_failure_mid_fetch_keeps_what_was_read_and_says_it_is_incomplete(
    run: Callable[..., Result],
    api: SandboxApi,
    live: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("smstools_tui.api.client.time.sleep", lambda seconds: None)
    real = api.handle
    calls = {"n": 0}

    def breaks_after_three(*args: object) -> SandboxResponse:
        calls["n"] += 1
        if calls["n"] > 3:
            return SandboxResponse(500, b'{"errorMsg":"GENERIC_ERROR","errorCode":500}')
        return real(*args)  # type: ignore[arg-type]

    api.handle = breaks_after_three  # type: ignore[method-assign]
    target = tmp_path / "sent.csv"
    result = run(
        "export", "sent", *WINDOW, "--concurrency", "1", "--no-store", "--out", str(target)
    )
    assert result.code == 1
    assert "500 GENERIC_ERROR" in result.err and "the gateway failed" in result.err
    partial = tmp_path / "sent.partial.csv"
    assert not target.exists()
    assert f"INCOMPLETE, in {partial}" in result.err
    assert len(read_csv_rows(partial)) - 1 == 300  # three pages of 100 were read


def test_debug_shows_the_traceback_then_the_same_line_and_code(
    run: Callable[..., Result], no_credentials: None
) -> None:
    result = run("--debug", "export", "sent", "--out", "x.csv")
    assert result.code == 2
    lines = result.err.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert any(line.startswith("smstools_tui.errors.ConfigError: no credentials") for line in lines)
    assert lines[-1].startswith("smstools-tui: error: no credentials")


def test_help_and_version(run: Callable[..., Result]) -> None:
    assert "export" in run("--help").out
    assert "smstools-tui, version" in run("--version").out


def test_a_folder_in_the_files_place_fails_before_the_fetch(
    run: Callable[..., Result], no_credentials: None, tmp_path: Path
) -> None:
    (tmp_path / "taken.csv").mkdir()
    result = run("export", "sent", "--demo", "--out", str(tmp_path / "taken.csv"))
    assert result.code == 2
    assert "is a folder: name a file" in result.err and result.err.count("\n") == 1


def test_offline_with_partial_coverage_writes_nothing_to_standard_output(
    run: Callable[..., Result], live: SandboxServer
) -> None:
    assert run("sync", "--since", "2026-10-01T00:00:00+00:00").code == 0
    result = run("export", "sent", *WINDOW, "--offline", "--out", "-")
    assert result.code == 1
    assert result.out == ""
    assert result.err.splitlines()[-1].endswith(
        "nothing was written: use --out FILE to keep what it holds"
    )


def test_help_lists_every_exit_code(run: Callable[..., Result]) -> None:
    shown = run("--help").out
    for code in ("0", "1", "2", "3", "4", "70", "130"):
        assert f"\n    {code} " in shown


@pytest.fixture
def on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Standard output is a terminal, the working directory an empty folder, local time Rome."""
    monkeypatch.setattr(export, "_stdout_is_terminal", lambda: True)
    monkeypatch.setenv("TZ", "Europe/Rome")
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.usefixtures("no_credentials")
def test_without_out_a_terminal_gets_a_named_file_that_never_replaces_one(
    run: Callable[..., Result], on_a_terminal: Path
) -> None:
    first = run("export", "sent", "--demo")
    named = on_a_terminal / "sent_2026-10-26_2026-11-25.csv"  # 30 days to NOW, Rome's dates
    assert first.code == 0 and first.out == ""
    assert first.err == f"wrote {len(read_csv_rows(named)) - 1:,} sent SMS to {named}\n"
    before = named.read_bytes()
    second = run("export", "sent", "--demo", "--status", "DELIVERED")
    again = on_a_terminal / "sent_2026-10-26_2026-11-25.2.csv"
    assert second.code == 0 and second.err.endswith(f" to {again}\n")
    assert named.read_bytes() == before  # the first file is kept as it was
    assert sorted(path.name for path in on_a_terminal.iterdir()) == [again.name, named.name]


@pytest.mark.usefixtures("no_credentials")
def test_without_out_a_pipe_gets_csv_on_standard_output(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("export", "sent", "--demo")
    assert result.code == 0 and result.err == ""
    assert result.out.splitlines()[0].startswith("id,to,from,text,status")
    assert len(result.out.splitlines()) > 100
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("no_credentials")
def test_an_export_that_matches_nothing_says_so(
    run: Callable[..., Result], on_a_terminal: Path
) -> None:
    asked = ("export", "sent", "--demo", "--window", "2026-11-01..2026-11-20", "--campaign", "nope")
    described = (
        "no sent SMS match sent messages, 2026-11-01 00:00 to 2026-11-21 00:00 CET "
        "(2026-11-01..2026-11-20); campaign nope"
    )
    default = run(*asked)
    assert (default.code, default.out) == (0, "")
    assert default.err == f"{described}: no file written\n"
    assert list(on_a_terminal.iterdir()) == []
    target = on_a_terminal / "empty.csv"
    named = run(*asked, "--out", str(target))
    assert named.code == 0
    assert named.err == f"{described}: {target} holds the column headers alone\n"
    assert read_csv_rows(target) == [read_csv_rows(target)[0]] and "id" in read_csv_rows(target)[0]
    piped = run(*asked, "--out", "-")
    assert piped.code == 0 and piped.out.startswith("id,to,") and len(piped.out.splitlines()) == 1
    assert piped.err == f"{described}\n"


@pytest.mark.usefixtures("no_credentials")
def test_a_query_s_command_line_runs_as_written_on_a_terminal(
    run: Callable[..., Result], on_a_terminal: Path
) -> None:
    query = Query.build("sent", window="2026-11-01..2026-11-20", status="DELIVERED", now=NOW,
                        zone="Europe/Rome")  # fmt: skip
    words = shlex.split(query.to_cli())
    result = run(*words[1:], "--demo")
    written = on_a_terminal / "sent_2026-11-01_2026-11-20.csv"
    assert result.code == 0 and result.err.endswith(f" sent SMS to {written}\n")
    rows = read_csv_rows(written)
    assert len(rows) > 10 and {row[rows[0].index("status")] for row in rows[1:]} == {"DELIVERED"}
