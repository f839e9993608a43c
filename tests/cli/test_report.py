from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from smstools_tui import connect
from smstools_tui.analysis import DEFAULT_REPLY_WINDOW, cost_total
from smstools_tui.cli import report as report_cli
from smstools_tui.query import FetchResult, Query
from smstools_tui.report import REPORTS, run_report
from smstools_tui.report.html import SECTIONS
from smstools_tui.report.tables import display_frame

from ..conftest import NOW

Run = Callable[..., tuple[int, str, str]]
WINDOW = ["--since", "2026-09-01T00:00:00+00:00", "--until", "2026-11-24T00:00:00+00:00"]
SPAN = Query.build("sent", since=WINDOW[1], until=WINDOW[3], now=NOW).span
"""The window, from a Tuesday to a Tuesday: its first and last weeks are partial."""


def _expected(name: str, **options: Any) -> pd.DataFrame:
    """The report computed straight from the same demo data."""
    with connect(demo=True, sent=3_000, received=400, now=NOW) as client:
        sent = client.sent(WINDOW[1], WINDOW[3])
        received = client.received(WINDOW[1], WINDOW[3])
    return run_report(name, sent, received, window=DEFAULT_REPLY_WINDOW, **options)


@pytest.mark.parametrize("name", list(REPORTS))
def test_each_report_to_csv(run: Run, tmp_path: Path, name: str) -> None:
    target = tmp_path / f"{name}.csv"
    code, out, err = run("report", name, "--demo", *WINDOW, "--tz", "Europe/Rome",
                         "--out", str(target))  # fmt: skip
    assert code == 0, err
    assert out == ""
    assert err.startswith("wrote ") and str(target) in err
    written = pd.read_csv(target, encoding="utf-8-sig")
    expected = _expected(name, tz="Europe/Rome")
    assert written.columns.tolist() == expected.columns.tolist()
    # In this small demo no campaign reaches a number that opted out: only order alerts and
    # OTPs do, and they are transactional, so the compliance list is rightly empty. Quiet hours
    # are off unless the config file enables them (tests/cli/test_config.py does).
    empty_here = ("compliance", "quiet-hours")
    assert len(written) == len(expected) > (-1 if name in empty_here else 0)


@pytest.mark.parametrize("name", ["campaigns", "delivery", "all"])
def test_a_report_by_id_alone_asks_for_a_window(run: Run, tmp_path: Path, name: str) -> None:
    """``--id`` without a window ended in "unexpected AssertionError", exit 70."""
    out_file = ("--out", str(tmp_path / "report.html")) if name == "all" else ()
    code, out, err = run("report", name, "--demo", "--id", "7", *out_file)
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "smstools-tui: error: a report needs a window: give --window or --since with --id "
        "(--id alone searches by id; export takes it that way)"
    ]
    code, _, err = run("report", name, "--demo", "--id", "7", *WINDOW, *out_file)
    assert code == 0, err


def test_grouped_report_to_parquet(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "delivery.parquet"
    code, _, err = run("report", "delivery", "--demo", *WINDOW, "--by", "week",
                       "--tz", "Europe/Rome", "--out", str(target))  # fmt: skip
    assert code == 0, err
    written = pd.read_parquet(target)
    expected = _expected("delivery", by="week", tz="Europe/Rome", span=SPAN)
    pd.testing.assert_frame_equal(written, expected, check_dtype=False)
    # The weeks the window cuts say so in a boolean column right after the week.
    assert written.columns[:2].tolist() == ["week", "partial"]
    assert written["partial"].dtype == bool
    assert written.loc[written["partial"], "week"].tolist() == ["2026-08-31", "2026-11-23"]


def test_encoding_report_to_parquet_and_the_encoding_filter(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "encoding.parquet"
    code, _, err = run("report", "encoding", "--demo", *WINDOW, "--by", "campaign",
                       "--out", str(target))  # fmt: skip
    assert code == 0, err
    written = pd.read_parquet(target)
    pd.testing.assert_frame_equal(written, _expected("encoding", by="campaign"), check_dtype=False)
    assert written["encoding_cost"].sum() > 0
    # Only the UCS-2 messages: every one of them is UCS-2, and what they cost is the same.
    code, out, err = run("report", "encoding", "--demo", *WINDOW, "--encoding", "ucs2",
                         "--by", "encoding", "--out", "-")  # fmt: skip
    assert code == 0, err
    only = pd.read_csv(io.StringIO(out.lstrip("\ufeff")))
    assert only["encoding"].tolist() == ["UCS-2"]
    assert only["encoding_cost"].iloc[0] == pytest.approx(written["encoding_cost"].sum())
    code, _, err = run("report", "encoding", "--demo", *WINDOW, "--encoding", "utf8")
    assert code == 2 and err.strip().endswith("unknown encoding 'utf8': use GSM-7 or UCS-2")


def test_partial_weeks_are_marked_in_the_table_and_the_csv(run: Run) -> None:
    code, out, err = run("report", "delivery", "--demo", *WINDOW, "--by", "week", "--tz", "UTC")
    assert code == 0, err
    assert "partial" in out.splitlines()[2]  # the header row
    assert (
        out.rstrip()
        .splitlines()[-1]
        .startswith("Partial weeks (2026-08-31, 2026-11-23): the window covers only part of them")
    )
    code, out, _ = run("report", "delivery", "--demo", *WINDOW, "--by", "week", "--tz", "UTC",
                       "--out", "-")  # fmt: skip
    written = pd.read_csv(io.StringIO(out))
    assert written.columns[:2].tolist() == ["week", "partial"]
    assert written["partial"].tolist() == [True] + [False] * (len(written) - 2) + [True]


def test_a_whole_month_window_has_no_partial_day(run: Run) -> None:
    code, out, err = run("report", "delivery", "--demo", "--since", "2026-10-01T00:00:00+00:00",
                         "--until", "2026-11-01T00:00:00+00:00", "--by", "day", "--tz", "UTC",
                         "--out", "-")  # fmt: skip
    assert code == 0, err
    written = pd.read_csv(io.StringIO(out))
    assert len(written) == 31 and not written["partial"].any()


def test_cost_table_ends_with_its_total_and_the_export_does_not(run: Run, tmp_path: Path) -> None:
    expected = _expected("cost", by="country")
    code, out, err = run("report", "cost", "--demo", *WINDOW, "--by", "country")
    assert code == 0, err
    lines = [line for line in out.splitlines() if line.startswith("│")]
    assert len(lines) == len(expected) + 1
    total = [cell.strip() for cell in lines[-1].strip("│").split("│")]
    shown = display_frame(cost_total(expected)).iloc[0].tolist()
    assert total == ["total", *shown]
    assert total[3] == f"{expected['spend'].sum():,.2f}"
    # A file for machines holds the groups alone: summing a column counts each message once.
    code, out, _ = run("report", "cost", "--demo", *WINDOW, "--by", "country", "--out", "-")
    written = pd.read_csv(io.StringIO(out))
    assert len(written) == len(expected) and "total" not in set(written["country"])
    # The HTML table ends with the total row.
    target = tmp_path / "cost.html"
    code, _, err = run("report", "cost", "--demo", *WINDOW, "--by", "country", "--out", str(target))
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    footer = page.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert footer.startswith('<tr class="total"><td>total</td>')
    assert f'<td class="num">{expected["spend"].sum():,.2f}</td>' in footer


def test_report_table_to_html(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "cost.html"
    code, _, err = run("report", "cost", "--demo", *WINDOW, "--by", "country",
                       "--out", str(target))  # fmt: skip
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert "<h1>Cost by country</h1>" in page
    assert "<th>country</th>" in page


def test_report_to_the_terminal(run: Run) -> None:
    code, out, err = run("report", "latency", "--demo", *WINDOW, "--by", "sender")
    assert code == 0, err
    assert "Latency by sender" in out
    # The stage is shown by its title for people; files keep its machine name.
    assert "inserted → sent" in out and "insert_to_sent" not in out and "MyShop OTP" in out
    assert "\x1b" not in out


def test_csv_to_standard_output(run: Run) -> None:
    code, out, _ = run("report", "campaigns", "--demo", *WINDOW, "--out", "-")
    assert code == 0
    assert out.splitlines()[0].startswith("campaign,first_send,last_send,messages")


def test_options_reach_the_analysis(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "failing.csv"
    code, _, err = run("report", "failing-numbers", "--demo", *WINDOW, "--min-failures", "3",
                       "--out", str(target))  # fmt: skip
    assert code == 0, err
    assert len(pd.read_csv(target, encoding="utf-8-sig")) == len(
        _expected("failing-numbers", min_failures=3)
    )
    target = tmp_path / "opt-outs.csv"
    code, _, err = run("report", "opt-outs", "--demo", *WINDOW, "--keyword", "grazie",
                       "--keyword", "ok", "--reply-window", "1", "--out", str(target))  # fmt: skip
    assert code == 0, err
    written = pd.read_csv(target, encoding="utf-8-sig")
    assert set(written["text"].str.lower()) <= {"grazie!", "ok 👍", "perfetto, grazie mille"}


@pytest.fixture
def hostile_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    from smstools_tui.frames import received_frame, sent_frame

    texts = ["[bold red]GRATIS[/bold red]", "\x1b[2J\x1b[31mALERT\x1b[0m", "\u202egnp.exe",
             "[link=http://evil.example]x[/link]", "=cmd|' /C calc'!A0"]  # fmt: skip
    sent = sent_frame(
        [{"id": i, "to": "393480000001", "from": text, "text": text, "transactionId": text,
          "insertDate": f"2026-11-0{i + 1}T10:00:00+0000", "status": "DELIVERED"}
         for i, text in enumerate(texts)]
    )  # fmt: skip
    received = received_frame(
        [{"from": "+393480000001", "text": "STOP", "receiveDate": "2026-11-01T11:00:00+0000"}]
    )
    query = Query("sent", SPAN, report="delivery")

    def fetched(*args: object, **options: object) -> tuple[FetchResult, FetchResult, Query, None]:
        group = args[3] if len(args) > 3 else None
        asked = dataclasses.replace(query, group=group)  # type: ignore[arg-type]
        return (
            FetchResult(sent, asked, SPAN, fetched_at=NOW, source="demo"),
            FetchResult(received, Query("received", SPAN), SPAN, fetched_at=NOW, source="demo"),
            asked,
            None,  # the source asked: one account, none failed
        )

    monkeypatch.setattr(report_cli, "_fetch", fetched)


@pytest.mark.usefixtures("hostile_fetch")
def test_untrusted_text_prints_literally(run: Run) -> None:
    code, out, err = run("report", "delivery", "--demo", "--by", "sender")
    assert code == 0, err
    assert "[bold red]GRATIS[/bold red]" in out
    assert "[link=http://evil.example]x[/link]" in out
    assert "\\x1b[2J\\x1b[31mALERT" in out
    assert "\\u202egnp.exe" in out
    assert "\x1b" not in out and "\u202e" not in out


@pytest.mark.usefixtures("hostile_fetch")
def test_untrusted_text_in_csv_is_neutralised(run: Run) -> None:
    code, out, _ = run("report", "delivery", "--demo", "--by", "campaign", "--out", "-")
    assert code == 0
    assert "'=cmd|' /C calc'!A0" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "delivery", "--tz", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        (["report", "delivery", "--out", "x.xlsx"], "must end in .csv or .parquet or .html"),
        (["report", "delivery", "--out", "/no/such/folder/x.csv"], "does not exist"),
        (["report", "delivery", "--since", "yesterday-ish"], "'yesterday-ish' is not a window"),
        (["report", "delivery", "--by", "hour"], "'hour' is not one of"),
        (["report", "campaigns", "--by", "day"], "No such option '--by'"),
        (["report", "all"], "Missing option '--out'"),
        (["report", "all", "--out", "report.csv"], "must end in .html"),
        (["report", "speed"], "No such command 'speed'"),
    ],
)
def test_bad_input_is_one_line(run: Run, args: list[str], message: str) -> None:
    code, out, err = run(*args, "--demo") if args[-1] != "speed" else run(*args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("smstools-tui: error:")
    assert message in err


class _Page(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.script_sources: list[str | None] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self.sections.append(str(attributes.get("id")))
        if tag == "script":
            self.script_sources.append(attributes.get("src"))


def test_report_all(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    code, out, err = run("report", "all", "--demo", *WINDOW, "--tz", "Europe/Rome",
                         "--out", str(target))  # fmt: skip
    assert code == 0, err
    assert out == ""
    assert "sent and" in err and str(target) in err
    page = target.read_text(encoding="utf-8")
    parsed = _Page(page)
    assert parsed.sections == list(SECTIONS)
    assert parsed.script_sources and all(source is None for source in parsed.script_sources)
    assert "MyShop S.r.l." in page  # the account's name
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_print_table_shows_text_as_text() -> None:
    import io

    frame = pd.DataFrame(
        {"text": [":smile: [b]x[/b]", "\x1b]0;title\x07", "a\nb"], "share": [0.5, 0.25, 1.0]}
    )
    stream = io.StringIO()
    report_cli.print_table(frame, title="[red]T[/red]", file=stream)
    out = stream.getvalue()
    assert ":smile: [b]x[/b]" in out and "[red]T[/red]" in out
    assert "\\x1b]0;title\\x07" in out and "a\\nb" in out
    assert "50.0%" in out
    assert "\x1b" not in out and "\x07" not in out


def test_the_default_window_is_the_clients_last_30_days(run: Run) -> None:
    """Resolved once on the client's clock (the demo's is frozen at NOW), and read exactly."""
    code, out, err = run("report", "delivery", "--demo", "--by", "day", "--tz", "UTC", "--out", "-")
    assert code == 0, err
    days = pd.read_csv(io.StringIO(out))
    assert days["day"].iloc[0] == "2026-10-26" and days["day"].iloc[-1] == "2026-11-25"
    # From 10:00 to 10:00: the first and the last day are partial, no other.
    assert days.loc[days["partial"], "day"].tolist() == ["2026-10-26", "2026-11-25"]


def test_a_report_of_a_saved_view_and_of_filtered_messages(
    run: Run, no_credentials: None, tmp_path: Path
) -> None:
    config = tmp_path / "config" / "smstools-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[views.weekly]\nreport = "delivery"\ngroup = "week"\n'
        f'window = "{WINDOW[1]}..{WINDOW[3]}"\n'
    )
    config.chmod(0o600)
    target = tmp_path / "weekly.parquet"
    code, _, err = run("report", "delivery", "--view", "weekly", "--demo", "--out", str(target))
    assert code == 0, err
    pd.testing.assert_frame_equal(
        pd.read_parquet(target), _expected("delivery", by="week", span=SPAN), check_dtype=False
    )
    code, _, err = run("report", "cost", "--view", "weekly", "--demo")
    assert code == 2
    assert "the view 'weekly' is of the delivery report, not the cost report: run " in err
    # A report reads the sent messages the filters keep.
    code, out, err = run(
        "report", "delivery", "--demo", *WINDOW, "--status", "NOSENT", "--out", "-"
    )
    assert code == 0, err
    rows = pd.read_csv(io.StringIO(out), encoding="utf-8-sig")
    assert int(rows["messages"].iloc[0]) == int(rows["not_sent"].iloc[0]) > 0
