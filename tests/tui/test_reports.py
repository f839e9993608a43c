"""The analysis half of the dashboard: overview figures and charts, the report tabs, replies in
the detail view and the HTML report, checked against the analysis functions on the same data."""

from __future__ import annotations

import math
import threading
from datetime import UTC, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from textual.content import Content
from textual.widgets import Input, Select

from smstools_tui import analysis
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.report.html import SECTIONS
from smstools_tui.report.tables import column_title
from smstools_tui.tui.screens.detail import MessageDetail
from smstools_tui.tui.screens.export import ExportScreen
from smstools_tui.tui.summary import FigureValue
from smstools_tui.tui.views import DEFAULT_FIGURES, Figure, ReportTab, opt_outs_flagged
from smstools_tui.tui.widgets.charts import AXIS_BREAK, BarChart, StatusStrip
from smstools_tui.tui.widgets.overview import Overview, format_change, format_figure

from ..conftest import NOW
from .conftest import SIZE, FrameClient, dashboard, settle


def same(left: float | int | None, right: float | int | None) -> bool:
    """Equal, NaN and None included."""
    if left is None or right is None:
        return left is right
    if isinstance(left, float) and math.isnan(left):
        return isinstance(right, float) and math.isnan(right)
    return left == right


def rendered(widget: Any) -> str:
    return str(widget.render())


async def test_overview_figures_and_charts_are_the_analysis_results(
    demo: SmstoolsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = analysis.headline_figures

    def counting(sent: pd.DataFrame, *args: Any, **kwargs: Any) -> dict[str, float]:
        calls.append(len(sent))
        return original(sent, *args, **kwargs)

    monkeypatch.setattr(analysis, "headline_figures", counting)
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None and data.previous is not None
        # One computation per window, not one per figure.
        assert sorted(calls) == sorted([len(data.sent), len(data.previous.sent)])
        current = original(data.sent, data.received)
        previous = original(data.previous.sent, data.previous.received)
        changes = analysis.compare_headlines(current, previous).set_index("figure")
        overview = app.query_one(Overview)
        assert len(DEFAULT_FIGURES) == 8
        for figure in DEFAULT_FIGURES:
            assert figure.headline is not None
            tile = overview.tile(figure.id)
            shown = tile.shown
            assert shown is not None and not shown.error, figure.id
            assert same(shown.current, current[figure.headline]), figure.id
            assert same(shown.previous, previous[figure.headline]), figure.id
            assert same(shown.change, float(changes.loc[figure.headline, "change"])), figure.id
            text = rendered(tile)
            assert format_figure(current[figure.headline], figure.kind) in text
            assert f"vs {format_figure(previous[figure.headline], figure.kind)}" in text or (
                "unchanged" in text or "previous:" in text
            )
        # The notes come from the same computation.
        assert f"{current['delivered']:,} delivered" in rendered(overview.tile("delivery_rate"))
        opt_outs = rendered(overview.tile("opt_outs"))
        assert f"{current['sent_after_opt_out']:,} sent after an opt-out" in opt_outs
        caption = rendered(app.query_one("#overview-caption"))
        assert "previous window" in caption and "2026-09-26" in caption

        # The charts: delivery rate and spend per day of the window, in its zone.
        charts = app.charts
        assert charts is not None
        assert charts.bucket == "day"  # a 30-day window
        buckets = analysis.time_buckets(data.window, tz=UTC)
        assert charts.labels == buckets.labels and charts.partial == buckets.partial
        assert len(charts.labels) == 31  # a 30-day window touches 31 calendar days
        # It starts and ends at 10:00: its first and last days are partial, drawn dim.
        assert charts.partial == (True, *[False] * 29, True)
        delivery = analysis.delivery_report(data.sent, "day", tz=UTC).set_index("day")
        for label, rate in zip(charts.labels, charts.delivery_rate, strict=True):
            expected = delivery["delivery_rate"].get(label, math.nan)
            assert same(rate, float(expected)), label
        assert sum(charts.spend) == pytest.approx(current["spend"])
        assert sum(charts.wasted) == pytest.approx(current["wasted_spend"])
        statuses = dict(charts.statuses)
        assert sum(statuses.values()) == len(data.sent)
        assert "Delivery rate per day" in str(app.query_one("#chart-delivery-box").border_title)
        chart = app.query_one("#chart-delivery", BarChart)
        drawn = rendered(chart)
        assert "100% ┤" in drawn and charts.labels[0][5:] in drawn
        # The rate axis starts above zero: its foot is a break, not a corner.
        assert f" {AXIS_BREAK}─" in drawn and "└" not in drawn
        dim = [span for span in chart.render().spans if str(span.style).endswith(" dim")]
        assert dim, "the partial days' bars are dim"
        subtitle = app.query_one("#chart-delivery-box").border_subtitle
        assert subtitle == "dim: a partial day"
        assert " └─" in rendered(app.query_one("#chart-spend", BarChart))  # spend: from zero
        strip = rendered(app.query_one(StatusStrip))
        assert f"DELIVERED {statuses['DELIVERED']:,}" in strip


def test_changes_are_coloured_by_which_way_is_better() -> None:
    rate = Figure("rate", "Delivered", headline="delivery_rate", kind="percent", better="up")
    wasted = Figure("wasted", "Wasted", headline="wasted_spend", kind="money", better="down")
    sent = Figure("sent", "Sent", headline="messages")

    def style(content: Content) -> str:
        return " ".join(str(span.style) for span in content.spans)

    up_rate = format_change(FigureValue(0.95, 0.90, 0.05, 0.055), rate)
    assert up_rate.plain == "▲ 5.0 pt vs 90.0%" and "$success" in style(up_rate)
    down_rate = format_change(FigureValue(0.85, 0.90, -0.05, -0.055), rate)
    assert down_rate.plain.startswith("▼ 5.0 pt") and "$error" in style(down_rate)
    up_waste = format_change(FigureValue(12.0, 10.0, 2.0, 0.2), wasted)
    assert up_waste.plain == "▲ 20.0% vs 10.00" and "$error" in style(up_waste)
    up_sent = format_change(FigureValue(120, 100, 20.0, 0.2), sent)
    assert "$success" not in style(up_sent) and "$error" not in style(up_sent)
    assert format_change(FigureValue(5, 0, 5.0, math.nan), sent).plain == "▲ 5 vs 0"
    assert format_change(FigureValue(130, 10, 120.0, 12.0), sent).plain == "▲ 13× vs 10"
    assert format_change(FigureValue(math.nan, 0.9), rate).plain == "previous: 90.0%"
    assert format_change(FigureValue(1, None), sent).plain == "no previous window"
    assert format_change(FigureValue(1, None), sent, "loading").plain.endswith("loading…")


def frames_of(statuses: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    sent = pd.DataFrame(
        {
            "id": range(1, len(statuses) + 1),
            "to": [f"39348000{i:04d}" for i in range(len(statuses))],
            "from": ["MyShop"] * len(statuses),
            "text": ["Promo"] * len(statuses),
            "status": statuses,
            "insertDate": [NOW - timedelta(hours=i + 1) for i in range(len(statuses))],
            "transactionId": ["promo"] * len(statuses),
            "price": [0.1] * len(statuses),
        }
    )
    return sent, pd.DataFrame()


@pytest.mark.parametrize("case", ["empty", "all pending"])
async def test_an_empty_or_all_pending_window_renders_dashes(case: str) -> None:
    sent, received = frames_of([] if case == "empty" else ["PENDING"] * 4)
    app = dashboard(FrameClient(sent, received))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        overview = app.query_one(Overview)
        for figure_id in ("delivery_rate", "median_delivery_seconds"):
            text = rendered(overview.tile(figure_id))
            assert text.startswith("–"), (figure_id, text)
            assert "error" not in text
        assert rendered(overview.tile("pending")).startswith("0" if case == "empty" else "4")
        assert "No message has a final status yet." in rendered(app.query_one("#chart-delivery"))
        spend = rendered(app.query_one("#chart-spend"))
        if case == "empty":
            assert "Nothing was spent" in spend
            assert "No message was sent" in rendered(app.query_one(StatusStrip))
        for view_id in ("campaigns", "costs", "failing", "opt-outs", "compliance"):
            view = app.view(view_id)
            assert view.frame is not None, view_id
            assert "could not be computed" not in rendered(view.query_one(".note"))
        assert "✓ No message was sent" in rendered(app.view("compliance").query_one(".note"))
        await pilot.press("4")
        count = 0 if case == "empty" else 1
        status = rendered(app.view("campaigns").query_one(".status-line"))
        assert f"{count} of {count} campaigns" in status


async def test_campaigns_and_failing_numbers_tabs_are_the_analysis_reports(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None
        campaigns = app.view("campaigns")
        expected = analysis.campaign_report(data.sent, data.received)
        assert len(expected) > 0
        pd.testing.assert_frame_equal(campaigns.frame, expected)
        # Newest campaign first; money for display only: the frame keeps the exact sum.
        first = campaigns.model.frame.iloc[campaigns.rows[0]]  # type: ignore[union-attr]
        assert first["first_send"] == expected["first_send"].max()
        spend_column = [spec.name for spec in campaigns.model.specs].index("spend")  # type: ignore[union-attr]
        cell = campaigns.model.columns[spend_column].plain(int(campaigns.rows[0]))  # type: ignore[union-attr]
        assert cell == f"{first['spend']:,.2f}"

        failing = app.view("failing")
        pd.testing.assert_frame_equal(failing.frame, analysis.failing_numbers(data.sent))
        await pilot.press("6")
        await pilot.pause()
        rare = failing.model.choices("country")[-1]  # type: ignore[union-attr]
        failing.query_one("#filter-country", Select).value = rare
        await pilot.pause()
        shown = failing.model.frame.iloc[failing.rows]  # type: ignore[union-attr]
        assert 0 < len(shown) < len(failing.frame)  # type: ignore[arg-type]
        assert set(shown["country"].astype(str)) == {rare}

        # i on a report row shows all its fields (Enter opens its messages).
        failing.table.focus()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, MessageDetail)
        reason = rendered(app.screen.query_one("#detail-content"))
        assert f"{column_title('last_status_detail')}  " in reason


async def test_costs_by_month_country_and_sender(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None
        await pilot.press("5")
        await pilot.pause()
        costs = app.view("costs")
        assert costs.variant == "month"
        month = analysis.cost_report(data.sent, "month", tz=UTC)
        pd.testing.assert_frame_equal(costs.frame, month)
        assert costs.frame is not None and costs.frame["spend"].sum() == pytest.approx(
            analysis.headline_figures(data.sent)["spend"]
        )

        await pilot.press("b")  # the next grouping
        await pilot.pause()
        assert costs.variant == "country"
        pd.testing.assert_frame_equal(costs.frame, analysis.cost_report(data.sent, "country"))
        assert costs.query_one("#variant", Select).value == "country"

        costs.query_one("#variant", Select).value = "sender"
        await pilot.pause()
        assert costs.variant == "sender"
        pd.testing.assert_frame_equal(costs.frame, analysis.cost_report(data.sent, "sender"))

        # The palette's commands do the same from anywhere.
        await pilot.press("1")
        app.show_variant("costs", "month")
        await pilot.pause()
        assert app.query_one("TabbedContent").active == "tab-costs"  # type: ignore[attr-defined]
        assert costs.variant == "month" and "month" in costs.frame.columns  # type: ignore[union-attr]

        # "b" belongs to reports with groupings only.
        await pilot.press("2")
        await pilot.press("b")
        await pilot.pause()
        assert costs.variant == "month"


async def test_costs_by_encoding_and_what_encoding_cost(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None
        await pilot.press("5")
        await pilot.pause()
        costs = app.view("costs")
        costs.query_one("#variant", Select).value = "encoding"
        await pilot.pause()
        pd.testing.assert_frame_equal(costs.frame, analysis.cost_report(data.sent, "encoding"))
        assert set(costs.frame["encoding"]) == {"GSM-7", "UCS-2"}  # type: ignore[index]

        # Below: the encoding report, by campaign, sender or month.
        encoding = app.view("encoding")
        assert [key for key, _ in encoding.variants] == ["campaign", "sender", "month"]
        await pilot.pause()
        pd.testing.assert_frame_equal(
            encoding.frame, analysis.encoding_report(data.sent, "campaign")
        )
        encoding.query_one("#variant", Select).value = "month"
        await pilot.pause()
        pd.testing.assert_frame_equal(
            encoding.frame, analysis.encoding_report(data.sent, "month", tz=UTC)
        )


async def test_a_sent_message_shows_its_parts_and_a_cheaper_spelling(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        sent = app.view("sent")
        sent.set_filter(search="inverno")
        await pilot.pause()
        sent.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        content = app.screen.query_one("#detail-content").render()
        shown = str(content)
        assert "parts       2 × UCS-2" in shown
        assert "── part 1 of 2 · 67 UTF-16 units ──" in shown
        assert "── part 2 of 2 · 18 UTF-16 units ──" in shown
        assert "Cheaper: GSM-7 in 1 part instead of 2 (curly apostrophes ’ → ')" in shown
        assert "Saldi d'inverno: fino al 50%" in shown


async def test_opt_outs_highlight_the_numbers_messaged_afterwards_and_list_them(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None
        opt_outs = app.view("opt-outs")
        expected = opt_outs_flagged(data.sent, data.received)
        pd.testing.assert_frame_equal(
            opt_outs.frame.drop(columns="messaged_after"),  # type: ignore[union-attr]
            analysis.opt_out_report(data.sent, data.received),
        )
        flagged = expected["sent_after"] > 0
        assert flagged.any() and not flagged.all()
        model = opt_outs.model
        assert model is not None and model.highlight is not None
        assert model.highlight.tolist() == flagged.tolist()
        # Those needing action come first, and stand out.
        first = opt_outs.rows[0]
        assert flagged.iloc[first]
        assert model.highlighted(first)
        table = opt_outs.table
        highlight = table.get_component_styles("frametable--highlight").rich_style
        assert table._get_row_style(0, highlight + table.rich_style) == highlight
        assert table._get_row_style(len(opt_outs.rows) - 1, table.rich_style) != highlight

        compliance = app.view("compliance")
        listed = analysis.compliance_list(data.sent, data.received)
        pd.testing.assert_frame_equal(compliance.frame, listed)
        assert listed["id"].nunique() == int(expected["sent_after"].sum())
        note = rendered(compliance.query_one(".note"))
        assert f"⚠ {len(listed):,} messages were sent to numbers after they had opted out" in note

        # i on the compliance list opens the message itself, with why it is listed.
        await pilot.press("7")
        compliance.table.focus()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, MessageDetail)
        shown = rendered(app.screen.query_one("#detail-content"))
        row = compliance.model.frame.iloc[compliance.rows[0]]  # type: ignore[union-attr]
        assert f"Sent message {row['id']}" in shown
        assert "sent after its number opted out" in shown and str(row["opt_out_text"]) in shown
        await pilot.press("escape")
        assert app.active_view() is compliance  # export and palette act on the table in use


async def test_the_detail_uses_the_analysis_reply_matching(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None
        matched = analysis.match_replies(data.sent, data.received)
        counts = matched["reply_to_id"].value_counts()
        message_id = int(counts.index[0])
        await pilot.press("2")
        sent = app.view("sent")
        sent.set_filter(search=str(data.sent.loc[data.sent["id"] == message_id, "to"].iloc[0]))
        sent.table.focus()
        frame = sent.model.frame  # type: ignore[union-attr]
        row = list(frame.iloc[sent.rows]["id"]).index(message_id)
        sent.table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        shown = rendered(app.screen.query_one("#detail-content"))
        assert f"Replies ({counts.iloc[0]})" in shown
        for text in matched.loc[matched["reply_to_id"] == message_id, "text"]:
            assert str(text)[:30] in shown
        await pilot.press("escape")

        # A received message names the message it answers, by the same rule.
        await pilot.press("3")
        received = app.view("received")
        received.table.focus()
        position = received.table.current_position()
        assert position is not None
        answered = matched["reply_to_id"].iloc[position]
        await pilot.press("enter")
        await pilot.pause()
        shown = rendered(app.screen.query_one("#detail-content"))
        if pd.isna(answered):
            assert "no message was sent to this number before it" in shown
        else:
            assert f"message {answered}" in shown


class Sections(HTMLParser):
    """The ids of the sections of a page, and its title."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.ids.append(dict(attrs).get("id") or "")
        self._in_title = tag == "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False


async def test_export_the_html_report_and_a_report_table(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    app = dashboard(demo, export_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")  # on the overview: there is no table, only the report
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert list(app.screen.defaults) == ["html"]
        await pilot.press("escape")

        await pilot.press("5")  # a report tab: the dialog offers its table and the report
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert list(app.screen.defaults) == ["csv", "parquet", "html"]
        await pilot.click("#format-html")
        await pilot.pause()
        path_input = app.screen.query_one("#export-path", Input)
        assert Path(path_input.value).name == "report-20261026-20261125.html"
        assert "whole loaded window" in rendered(app.screen.query_one("#export-note"))
        path_input.focus()
        await pilot.press("enter")
        await settle(pilot)
        [written] = list(tmp_path.iterdir())
        page = written.read_text(encoding="utf-8")
        parser = Sections()
        parser.feed(page)
        parser.close()
        assert parser.ids == list(SECTIONS)
        assert parser.title.startswith("SMS report 2026-10-26")
        # The previous window was loaded: the headline cards show the change.
        assert "on the window before" in page
        assert any("HTML report" in note.message for note in app._notifications)
        written.unlink()

        await pilot.press("b")  # costs by country, as a table
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        path_input = app.screen.query_one("#export-path", Input)
        assert Path(path_input.value).name.startswith("costs-country-")
        assert path_input.value.endswith(".csv")
        path_input.focus()
        await pilot.press("enter")
        await settle(pilot)
        [written] = list(tmp_path.iterdir())
        back = pd.read_csv(written, encoding="utf-8-sig")
        shown = app.view("costs").frame
        assert shown is not None
        assert back["country"].tolist() == shown["country"].astype(str).tolist()
        assert back["spend"].tolist() == pytest.approx(shown["spend"].tolist())


async def test_the_ui_answers_while_a_report_computes(frame_client: FrameClient) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
        started.set()
        release.wait(10)
        return analysis.campaign_report(sent, received)

    report = ReportTab("slow", "Slow", compute=slow)
    app = dashboard(frame_client, reports=[report], compare_previous=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(500):
                if started.is_set():
                    break
                await pilot.pause(0.01)
            assert started.is_set()
            # The report is stuck in its worker; tabs, filters and the overview carry on.
            await pilot.press("2")
            sent = app.view("sent")
            sent.set_filter(status="DELIVERED")
            await pilot.pause()
            shown = sent.model.frame.iloc[sent.rows]  # type: ignore[union-attr]
            assert len(shown) > 0 and set(shown["status"].astype(str)) == {"DELIVERED"}
            assert "computing Slow" in rendered(app.view("slow").query_one(".note"))
            assert app.analysis_pending
            release.set()
            await settle(pilot)
            assert app.view("slow").frame is not None and not app.analysis_pending
    finally:
        release.set()
