from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from smstools_tui import analysis
from smstools_tui.frames import SENT_SCHEMA, empty_frame, sent_frame
from smstools_tui.query import Span
from smstools_tui.report.html import SECTIONS, build_report_data, render_report, write_report
from smstools_tui.report.tables import partial_note
from smstools_tui.sandbox import SandboxAccount

from .conftest import HOSTILE


class Page(HTMLParser):
    """What a browser would load and show: tags, their attributes, sections, scripts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section":
            self.sections.append(str(attributes.get("id")))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SPAN = Span(datetime(2026, 9, 1, tzinfo=UTC), NOW)
"""From a Tuesday to the account's present: 85 days, drawn by week; the first and last weeks
are partial."""


@pytest.fixture(scope="module")
def sandbox_data(account: SandboxAccount) -> Any:
    sent, received = account.sent_frame(), account.received_frame()
    inside = sent["insertDate"] >= SPAN.start
    received_inside = received["receiveDate"] >= SPAN.start
    return build_report_data(
        sent[inside].reset_index(drop=True),
        received[received_inside].reset_index(drop=True),
        tz="Europe/Rome",
        span=SPAN,
    )


@pytest.fixture(scope="module")
def sandbox_page(sandbox_data: Any) -> str:
    return render_report(sandbox_data, source="MyShop S.r.l.", generated=NOW)


def test_every_section_in_order(sandbox_page: str) -> None:
    page = Page(sandbox_page)
    assert page.sections == list(SECTIONS)
    for key in SECTIONS:
        assert f'href="#{key}"' in sandbox_page


def test_nothing_is_loaded_from_anywhere(sandbox_page: str) -> None:
    page = Page(sandbox_page)
    for tag, attributes in page.tags:
        assert "src" not in attributes or not str(attributes["src"]).startswith(("http", "//")), tag
        if tag == "link":
            assert not str(attributes.get("href", "")).startswith(("http", "//"))
    assert all("src" not in attributes for tag, attributes in page.tags if tag == "script")
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert csp and "default-src 'none'" in str(csp[0])


def test_plotly_is_embedded_once(sandbox_page: str) -> None:
    page = Page(sandbox_page)
    library = get_plotlyjs()
    assert sum(script == library for script in page.scripts) == 1
    assert sandbox_page.count(library[:200]) == 1
    assert len(page.scripts) == 1 + 10  # the library and ten figures
    assert sandbox_page.index(library[:200]) < sandbox_page.index("Plotly.newPlot")


def test_the_encoding_section(sandbox_page: str) -> None:
    start = sandbox_page.index('<section id="encoding">')
    section = sandbox_page[start : sandbox_page.index("</section>", start)]
    assert "<h2>Encoding and segments</h2>" in section
    assert "cost of encoding" in section and "UCS-2 share" in section
    assert "<h3>Cheaper texts</h3>" in section
    # The curly-apostrophe campaign and its fix, as text.
    assert "Saldi d’inverno" in section and "Saldi d&#x27;inverno" in section
    assert "curly apostrophes ’ → &#x27;" in section


def test_headline_and_meta(sandbox_page: str) -> None:
    assert 'data-figure="delivery_rate"' in sandbox_page
    assert "MyShop S.r.l." in sandbox_page
    assert "times in Europe/Rome" in sandbox_page
    assert "generated 2026-11-25 11:00" in sandbox_page


def test_untrusted_text_is_escaped_everywhere(
    hostile_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = hostile_frames
    html = render_report(build_report_data(sent, received, tz="UTC"), title="<b>title</b>")
    body = html.replace(get_plotlyjs(), "")
    for raw in ("<script>alert", "<img src=x", "<b>", "\x1b", "\u202e", "\x07"):
        assert raw not in body, raw
    page = Page(html)
    assert [tag for tag, _ in page.tags if tag in ("img", "b")] == []
    # The hostile texts are there, shown as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert HOSTILE["markup"] in body
    assert "\\x1b[31mALERT" in body


def test_previous_window_shows_the_change(account: SandboxAccount) -> None:
    sent = account.sent_frame()
    previous = {"messages": len(sent) / 2}
    data = build_report_data(sent, None, tz="UTC", previous=previous)
    page = render_report(data, generated=NOW)
    assert "+100.0% on the window before" in page


@pytest.mark.parametrize(("window", "said"), [(None, "within 72 h"), ("24h", "within 24 h")])
def test_the_replies_card_says_the_reply_window_of_the_report(
    account: SandboxAccount, window: str | None, said: str
) -> None:
    """``report all --reply-window 24`` still said "within 72 h" under the replies."""
    options = {} if window is None else {"window": window}
    data = build_report_data(account.sent_frame(), account.received_frame(), tz="UTC", **options)
    page = render_report(data, generated=NOW)
    assert f"{said} of a message" in page
    assert (
        data.headline["replies"]
        == analysis.headline_figures(account.sent_frame(), account.received_frame(), **options)[
            "replies"
        ]
    )


@pytest.mark.parametrize("days", [30, 36, 200, 246, 1000])
def test_time_bucket_is_the_one_rule_for_the_window(days: int) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    span = Span(start, start + timedelta(days=days))
    sent = sent_frame([{"id": 1, "insertDate": "2024-01-02T00:00:00+0000"}])
    data = build_report_data(sent, tz="UTC", span=span)
    assert data.buckets == analysis.time_buckets(span, tz="UTC")
    # Without the window, the messages' first and last moments choose, and nothing is partial.
    last = (start + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S%z")
    alone = sent_frame(
        [{"id": 1, "insertDate": "2024-01-01T12:00:00+0000"}, {"id": 2, "insertDate": last}]
    )
    unmarked = build_report_data(alone, tz="UTC")
    assert unmarked.time_bucket == data.time_bucket
    assert not any(unmarked.buckets.partial) and not unmarked.delivery["partial"].any()


def test_partial_weeks_are_drawn_apart_and_explained(sandbox_data: Any, sandbox_page: str) -> None:
    assert sandbox_data.time_bucket == "week"
    delivery = sandbox_data.delivery
    assert delivery.loc[delivery["partial"], "week"].tolist() == ["2026-08-31", "2026-11-23"]
    assert html.escape(partial_note(delivery)) in sandbox_page
    spend = sandbox_data.spend
    assert set(spend.loc[spend["partial"], "week"]) == {"2026-08-31", "2026-11-23"}
    # The figures in the page: hatched bars for the two weeks, a line that says what it means;
    # the opt-outs chart only when someone opted out in one of them.
    opted = analysis.group_key(sandbox_data.opt_outs, "week", tz="Europe/Rome",
                               time_column="opted_out_at")  # fmt: skip
    in_partial = bool(set(opted) & {"2026-08-31", "2026-11-23"})
    sections = {key: sandbox_page.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]
                for key in ("delivery-rate", "spend", "opt-outs")}  # fmt: skip
    drawn = {key: "hatched: partial week" in body for key, body in sections.items()}
    assert drawn == {"delivery-rate": True, "spend": True, "opt-outs": in_partial}


def test_spend_table_has_the_exact_total(account: SandboxAccount, sandbox_page: str) -> None:
    section = sandbox_page.split('<section id="spend">', 1)[1].split("</section>", 1)[0]
    footer = section.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    sent = account.sent_frame()
    total = analysis.cost_report(sent[sent["insertDate"] >= SPAN.start])
    assert f'<td class="num">{total["spend"].iloc[0]:,.2f}</td>' in footer
    assert footer.startswith('<tr class="total"><td>total</td>')
    assert section.count('<tr class="partial">') == 2


def test_empty_window_still_renders(tmp_path: Path) -> None:
    page = render_report(build_report_data(empty_frame(SENT_SCHEMA), tz="UTC"), generated=NOW)
    assert Page(page).sections == list(SECTIONS)
    target = write_report(tmp_path / "empty.html", page)
    assert target.read_text(encoding="utf-8") == page
    assert [p.name for p in tmp_path.iterdir()] == ["empty.html"]
