from __future__ import annotations

import html
import sys
import unicodedata
import zoneinfo

import pandas as pd
import pytest

from smstools_tui.report.tables import (
    MISSING,
    column_title,
    display_frame,
    format_duration,
    html_table,
    partial_note,
    printable,
    table_page,
    total_cells,
)

from .conftest import HOSTILE

INVISIBLE = ("Cc", "Cf", "Zl", "Zp", "Cs")


def test_every_invisible_character_is_made_visible() -> None:
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) in INVISIBLE:
            shown = printable(f"a{ch}b")
            assert ch not in shown, f"U+{code:04X} passes through"
            assert shown.startswith("a\\") and shown.endswith("b")


def test_printable_keeps_visible_text_and_markup_as_is() -> None:
    text = "Ciao! 🎉 è [bold]x[/bold] <b> & 'q'"
    assert printable(text) == text
    assert printable(HOSTILE["ansi"]) == "\\x1b[2J\\x1b[31mALERT\\x1b[0m"
    assert printable(HOSTILE["lines"]) == "one\\ntwo\\r\\nthree"
    assert printable(HOSTILE["bidi"]) == "\\u202egnp.exe"
    assert printable("x" * 10, limit=5) == "xxxx…"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.0, "0 s"), (0.25, "0.2 s"), (6.0, "6 s"), (59.6, "1 min"), (61, "1 min 1 s"),
     (3600, "1 h"), (3660, "1 h 1 min"), (90000, "1 d 1 h"), (-5, "-5 s"),
     (float("nan"), "–")],
)  # fmt: skip
def test_format_duration(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_display_frame_formats_by_column() -> None:
    frame = pd.DataFrame(
        {
            "day": ["2026-11-02"],
            "id": pd.array([389395385], dtype="Int64"),
            "messages": [1234567],
            "delivery_rate": [0.93825],
            "pending_share": [float("nan")],
            "spend": [94500.0],
            "avg_price": [0.0945],
            "p50_seconds": [197.0],
            "valid": [True],
            "insertDate": pd.to_datetime(["2026-03-29T01:30:00Z"]),
            "text": pd.Categorical([HOSTILE["markup"]]),
        }
    )
    shown = display_frame(frame, tz=zoneinfo.ZoneInfo("Europe/Rome")).iloc[0].tolist()
    assert shown == [
        "2026-11-02", "389395385", "1,234,567", "93.8%", "–", "94,500.00", "0.0945",
        "3 min 17 s", "yes", "2026-03-29 03:30:00", HOSTILE["markup"],
    ]  # fmt: skip


def test_display_frame_shortens_long_texts() -> None:
    frame = pd.DataFrame({"text": ["x" * 500]})
    assert display_frame(frame, text_limit=10)["text"].iloc[0] == "x" * 9 + "…"
    assert display_frame(frame, text_limit=None)["text"].iloc[0] == "x" * 500


def test_html_table_escapes_every_cell_and_header() -> None:
    frame = pd.DataFrame({"<th>": list(HOSTILE.values()), "n": range(len(HOSTILE))})
    table = html_table(frame, caption="<caption>")
    assert "<script>" not in table and "<b>" not in table and "<img" not in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert "&lt;th&gt;" in table and "&lt;caption&gt;" in table
    assert "\x1b" not in table and "\u202e" not in table
    assert table.count("<tr>") == len(HOSTILE) + 1


def test_html_table_says_when_it_is_cut_or_empty() -> None:
    frame = pd.DataFrame({"n": range(5)})
    assert "The first 2 of 5 rows." in html_table(frame, max_rows=2)
    assert "None." in html_table(frame.iloc[:0])


def test_table_page_is_self_contained() -> None:
    page = table_page(pd.DataFrame({"text": [HOSTILE["script"]]}), "<Title>")
    assert page.startswith("<!doctype html>")
    assert "<title>&lt;Title&gt;</title>" in page
    assert "http" not in page.replace("http-equiv", "")
    assert "&lt;script&gt;" in page


def test_column_title() -> None:
    assert column_title("median_reply_seconds") == "median reply"
    assert column_title("delivery_rate") == "delivery rate"


COST = pd.DataFrame(
    {
        "week": ["2026-08-31", "2026-09-07", "2026-09-14"],
        "partial": [True, False, True],
        "messages": [3, 10, 2],
        "spend": [0.3, 1.0, 0.2],
        "avg_price": [0.1, 0.1, 0.1],
    }
)
COST_TOTAL = pd.DataFrame({"messages": [15], "spend": [1.5], "avg_price": [0.1]})


def test_partial_rows_are_lighter_and_explained() -> None:
    table = html_table(COST)
    rows = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0].strip().splitlines()
    assert [row.startswith('<tr class="partial">') for row in rows] == [True, False, True]
    assert "<td>yes</td>" in rows[0] and "<td>no</td>" in rows[1]
    assert html.escape(partial_note(COST)) in table
    assert partial_note(COST).startswith("Partial weeks (2026-08-31, 2026-09-14)")
    assert partial_note(COST.assign(partial=False)) == ""
    assert partial_note(COST.drop(columns="partial")) == ""


def test_total_row_closes_the_table_even_when_it_is_cut() -> None:
    table = html_table(COST, max_rows=1, total=COST_TOTAL)
    assert table.count("<tr") == 3  # the header, one row, the total
    footer = table.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert footer == (
        '<tr class="total"><td>total</td><td></td><td class="num">15</td>'
        '<td class="num">1.50</td><td class="num">0.1000</td></tr>'
    )
    assert "<tfoot>" in table_page(COST, "Cost", total=COST_TOTAL)


def test_no_total_without_groups_or_rows() -> None:
    assert total_cells(COST_TOTAL, COST_TOTAL) is None  # one row of figures already
    assert total_cells(COST.iloc[:0], COST_TOTAL) is None
    assert "<tfoot>" not in html_table(COST.iloc[:0], total=COST_TOTAL)
    missing = COST_TOTAL.assign(avg_price=float("nan"))
    assert total_cells(COST, missing) == ["total", "", "15", "1.50", MISSING]


def test_numbers_are_shown_in_e164_in_tables_and_html() -> None:
    frame = pd.DataFrame(
        {
            "to": pd.Categorical(["393398408223", "<b>1</b>", "4030"]),
            "number": ["+393289740902", "393289740902", None],
        }
    )
    assert display_frame(frame).to_dict("list") == {
        "to": ["+393398408223", "<b>1</b> (alias)", "4030 (short code)"],
        "number": ["+393289740902", "+393289740902", "–"],
    }
    page = html_table(frame)
    assert "<td>+393398408223</td><td>+393289740902</td>" in page
    assert "<td>&lt;b&gt;1&lt;/b&gt; (alias)</td>" in page  # still escaped
    assert "393398408223</td>" not in page.replace("+393398408223</td>", "")
