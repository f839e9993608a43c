"""Pilot tests of drill-down: Enter on a report row or a headline figure opens the messages
behind it on the Sent or Received tab, its parts as removable chips; the tab's search, sort and
export work on them; Esc or Backspace goes back to exactly where the user was."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest
from textual.content import Content
from textual.widgets import TabbedContent

from smstools_tui import analysis
from smstools_tui.analysis import QuietHours
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.dates import WEEKDAYS
from smstools_tui.msisdn import number_format
from smstools_tui.query import Query, Span
from smstools_tui.tui import DashboardApp
from smstools_tui.tui.drilling import base_query
from smstools_tui.tui.model import SortOrder
from smstools_tui.tui.screens.export import ExportScreen
from smstools_tui.tui.widgets.charts import CHOSEN_STYLE, BarChart, StatusStrip, wrap_entries
from smstools_tui.tui.widgets.chips import ChipButton
from smstools_tui.tui.widgets.frame_view import FrameView
from smstools_tui.tui.widgets.heatmap import Heatmap
from smstools_tui.tui.widgets.overview import FigureTile

from .conftest import SIZE, FrameClient, dashboard, settle


def active_tab(app: DashboardApp) -> str:
    return str(app.query_one(TabbedContent).active)


def shown(view: FrameView) -> pd.DataFrame:
    frame = view.view_frame()
    assert frame is not None
    return frame


def chip_labels(view: FrameView) -> list[str]:
    return [button.chip.label for button in view.query(ChipButton)]


def truth(app: DashboardApp, kind: str = "sent", **filters: object) -> pd.DataFrame:
    """The messages of the window on screen that ``filters`` ask for, computed apart."""
    dataset = app.dataset
    assert dataset is not None
    query = base_query(dataset.window, dataset.query)
    if kind == "received":
        query = type(query)("received", query.span)
    query = query.with_filters(**filters)  # type: ignore[arg-type]
    return analysis.select(query, dataset.sent, dataset.received)


async def open_report_row(app: DashboardApp, pilot: object, report: str, row: int) -> FrameView:
    await pilot.press(str(app._tab_ids().index(f"tab-{report}") + 1))  # type: ignore[attr-defined]
    view = app.view(report)
    view.table.move_cursor(row=row, column=0)
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    return view


async def test_enter_on_a_campaign_opens_its_messages_and_esc_comes_back(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        campaigns = app.view("campaigns")
        await pilot.press("4")
        campaigns.table.move_cursor(row=2, column=3)
        await pilot.pause()
        scrolled = campaigns.table.scroll_offset
        row = campaigns.model.record(campaigns.table.current_position())  # type: ignore[union-attr,arg-type]
        await pilot.press("enter")
        await settle(pilot)

        sent = app.view("sent")
        assert active_tab(app) == "tab-sent" and sent.table.has_focus
        expected = truth(app, campaigns=[row["campaign"]])
        assert len(shown(sent)) == row["messages"] == len(expected)
        assert set(shown(sent)["id"]) == set(expected["id"])
        assert chip_labels(sent) == [f"campaign {row['campaign']}"]
        detail = str(sent.query_one(".drill-detail").render())
        assert "sent messages" in detail and f"campaign {row['campaign']}" in detail
        assert "of the drill-down" in str(sent.query_one(".status-line").render())

        await pilot.press("escape")
        await settle(pilot)
        assert active_tab(app) == "tab-campaigns" and campaigns.table.has_focus
        assert campaigns.table.cursor_coordinate == (2, 3)
        assert campaigns.table.scroll_offset == scrolled
        assert sent.drill is None and len(shown(sent)) == len(app.dataset.sent)  # type: ignore[union-attr]
        assert not sent.query_one(".drill").display
        assert app.state.places == ()


@pytest.mark.parametrize(
    ("report", "variant", "column", "filter_name"),
    [
        ("costs", "country", "country", "countries"),
        ("costs", "sender", "sender", "senders"),
        ("failing", "", "number", "numbers"),
    ],
)
async def test_each_report_row_opens_the_messages_it_counts(
    demo: SmstoolsClient, report: str, variant: str, column: str, filter_name: str
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if variant:
            app.show_variant(report, variant)
            await settle(pilot)
        view = await open_report_row(app, pilot, report, 0)
        record = view.model.record(int(view.rows[0]))  # type: ignore[union-attr]
        sent = app.view("sent")
        assert active_tab(app) == "tab-sent"
        expected = truth(app, **{filter_name: [record[column]]})
        assert set(shown(sent)["id"]) == set(expected["id"])
        count = "failures" if report == "failing" else "messages"
        if report == "failing":
            # Every failure counted is among the number's messages.
            failed = shown(sent)["status"].astype(str).isin(["NOTDELIVERED", "NOSENT"])
            assert failed.sum() >= record[count]
        else:
            assert len(shown(sent)) == record[count]
            assert shown(sent)["price"].sum() == pytest.approx(record["spend"])
        await pilot.press("backspace")
        await settle(pilot)
        assert active_tab(app) == f"tab-{report}" and view.variant == (variant or view.variant)


async def test_a_month_of_costs_narrows_the_span_and_its_chip_widens_it_back(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        costs = await open_report_row(app, pilot, "costs", 0)
        record = costs.model.record(int(costs.rows[0]))  # type: ignore[union-attr]
        sent = app.view("sent")
        assert len(shown(sent)) == record["messages"]
        assert sent.drill is not None and sent.drill.span != app.dataset.window  # type: ignore[union-attr]
        [span_chip] = chip_labels(sent)
        assert "→" in span_chip

        # The keyboard's way: d goes to the chips, x removes the one focused.
        await pilot.press("d")
        assert isinstance(app.focused, ChipButton)
        await pilot.press("x")
        await settle(pilot)
        assert chip_labels(sent) == []
        assert len(shown(sent)) == len(app.dataset.sent)  # type: ignore[union-attr]
        await pilot.press("escape")  # leaves the chips for the table
        await pilot.press("escape")
        await settle(pilot)
        assert active_tab(app) == "tab-costs" and sent.drill is None


async def test_a_headline_figure_opens_its_messages_and_a_chip_is_removed_by_mouse(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tile = app.query_one("#figure-pending")
        tile.focus()
        await pilot.press("enter")
        await settle(pilot)
        sent = app.view("sent")
        assert active_tab(app) == "tab-sent"
        assert chip_labels(sent) == ["status PENDING", "status SENT"]
        headline = analysis.headline_figures(app.dataset.sent, app.dataset.received)  # type: ignore[union-attr]
        assert len(shown(sent)) == headline["pending"]

        await pilot.click(ChipButton)  # the first chip: PENDING goes
        await settle(pilot)
        assert chip_labels(sent) == ["status SENT"]
        assert set(shown(sent)["status"].astype(str)) <= {"SENT"}
        assert len(shown(sent)) == len(truth(app, statuses=["SENT"]))

        await pilot.press("escape")  # from the chips to the table
        assert sent.table.has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert active_tab(app) == "tab-overview"


async def test_replies_and_opt_outs_open_on_received_with_their_relation(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        headline = analysis.headline_figures(app.dataset.sent, app.dataset.received)  # type: ignore[union-attr]
        assert app.drill_figure("replies")
        await settle(pilot)
        received = app.view("received")
        assert active_tab(app) == "tab-received"
        assert chip_labels(received) == ["replies to any message"]
        assert len(shown(received)) == headline["replies"]

        # The relation's chip goes: every received message of the window.
        await pilot.press("d", "delete")
        await settle(pilot)
        assert len(shown(received)) == len(app.dataset.received)  # type: ignore[union-attr]
        await pilot.press("escape", "escape")
        await settle(pilot)

        opt_outs = await open_report_row(app, pilot, "opt-outs", 0)
        record = opt_outs.model.record(int(opt_outs.rows[0]))  # type: ignore[union-attr]
        assert active_tab(app) == "tab-received"
        assert chip_labels(received) == [f"number {record['number']}", "opt-outs"]
        assert len(shown(received)) == record["opt_out_messages"]
        await pilot.press("c")  # a relation has no command line: its description is copied
        assert "opt-outs" in (app.clipboard or "")


async def test_search_sort_and_export_work_on_the_drill_down_and_back_restores_filters(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    app = dashboard(demo, compare_previous=False, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sent = app.view("sent")
        await pilot.press("2")
        sent.set_filter(status="DELIVERED", search="a")
        sent.set_sort(SortOrder("price", descending=True))
        sent.table.move_cursor(row=40, column=2)
        await settle(pilot)
        cursor, scroll = sent.table.cursor_coordinate, sent.table.scroll_offset
        before = shown(sent)

        # A drill-down from the Sent tab itself: the tab's own filters give way to it.
        assert app.drill_figure("wasted_spend")
        await settle(pilot)
        assert sent.table_filter.active() == {} and sent.table_filter.search == ""
        wasted = shown(sent)
        assert set(wasted["status"].astype(str)) <= {"NOTDELIVERED", "NOSENT"}
        sent.set_filter(search="codice")
        sent.set_sort(SortOrder("to"))
        await settle(pilot)
        narrowed = shown(sent)
        assert 0 < len(narrowed) < len(wasted)
        assert narrowed["to"].tolist() == sorted(narrowed["to"].tolist())
        assert narrowed["text"].str.lower().str.contains("codice").all()
        assert sent.export_name == "sent"
        await pilot.press("c")
        assert (app.clipboard or "").startswith("smstools-tui export sent --since ")
        assert "--status NOSENT --status NOTDELIVERED" in (app.clipboard or "")

        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("enter")
        await settle(pilot)
        window = app.dataset.window  # type: ignore[union-attr]
        first, last = f"{window.start:%Y-%m-%d}", f"{window.end - timedelta(seconds=1):%Y-%m-%d}"
        written = tmp_path / f"sent_{first}_{last}_status-nosent_status-notdelivered.csv"
        assert [path.name for path in tmp_path.iterdir()] == [written.name]
        assert len(pd.read_csv(written)) == len(narrowed)

        await pilot.press("escape")
        await settle(pilot)
        assert active_tab(app) == "tab-sent" and sent.drill is None
        assert sent.table_filter.active() == {"status": "DELIVERED"}
        assert sent.table_filter.search == "a"
        assert sent.sort == SortOrder("price", descending=True)
        assert shown(sent).equals(before)
        assert sent.table.cursor_coordinate == cursor and sent.table.scroll_offset == scroll


async def test_a_drill_down_s_export_is_named_after_its_span_and_filters(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    app = dashboard(demo, compare_previous=False, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dataset = app.dataset
        assert dataset is not None
        week = Span(datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
        sent_that_week = analysis.select(Query("sent", week), dataset.sent, dataset.received)
        campaign = str(sent_that_week["transactionId"].value_counts().index[0])
        query = Query("sent", week).with_filters(campaign=campaign)
        assert app.open_messages(query)
        await settle(pilot)
        sent = app.view("sent")
        assert 0 < len(shown(sent)) == len(analysis.select(query, dataset.sent, dataset.received))

        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("p")  # Parquet is named alike
        await pilot.press("enter")
        await settle(pilot)
        slug = re.sub(r"[^a-z0-9]+", "-", campaign.lower()).strip("-")
        written = tmp_path / f"sent_2026-11-09_2026-11-15_campaign-{slug}.parquet"
        assert [path.name for path in tmp_path.iterdir()] == [written.name]
        assert pd.read_parquet(written)["id"].tolist() == shown(sent)["id"].tolist()


async def test_escape_still_cancels_a_fetch_during_a_drill_down(
    frame_client: FrameClient,
) -> None:
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.drill_figure("messages")
        await settle(pilot)
        frame_client.stall = True
        await pilot.press("r")
        await pilot.pause()
        assert app.fetching
        await pilot.press("escape")  # cancels the fetch, does not go back
        await settle(pilot)
        assert not app.fetching and active_tab(app) == "tab-sent"
        assert app.view("sent").drill is not None and len(app.state.places) == 1
        frame_client.stall = False
        await pilot.press("escape")  # now back
        await settle(pilot)
        assert active_tab(app) == "tab-overview" and app.view("sent").drill is None


async def test_a_refresh_selects_the_drill_down_again_from_the_new_data(
    frame_client: FrameClient,
) -> None:
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.drill_figure("pending")
        await settle(pilot)
        sent = app.view("sent")
        sent.set_filter(search="a")
        await settle(pilot)
        before = shown(sent)
        labels = chip_labels(sent)
        await pilot.press("r")
        await settle(pilot)
        assert chip_labels(sent) == labels and shown(sent).equals(before)
        assert sent.drill is not None and len(app.state.places) == 1
        assert sent.table_filter.search == "a"  # the tab's own search is kept too


async def test_a_click_on_a_chart_bar_opens_that_buckets_messages(demo: SmstoolsClient) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        charts = app.charts
        assert charts is not None
        chart = app.query_one("#chart-spend", BarChart)
        # The last whole bucket: its bar is drawn, and the window covers all of it.
        index = max(i for i, partial in enumerate(charts.partial) if not partial)
        first, _, _ = next(bar for bar in chart._bars if bar[2] == index)
        assert chart.bar_at(first) == index and chart.bar_at(0) is None
        await pilot.click(chart, offset=(first, chart.size.height - 3))
        await settle(pilot)

        sent = app.view("sent")
        assert active_tab(app) == "tab-sent" and sent.drill is not None
        [span_chip] = chip_labels(sent)
        assert span_chip.startswith(charts.labels[index][:10])
        assert shown(sent)["price"].sum() == pytest.approx(charts.spend[index])
        await pilot.press("escape")
        await settle(pilot)
        assert active_tab(app) == "tab-overview"


def has_chosen_style(content: Content) -> bool:
    return any(CHOSEN_STYLE in str(span.style) for span in content.spans)


async def test_a_click_on_the_status_strip_opens_that_status_messages(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        strip = app.query_one(StatusStrip)
        counts = dict(strip.counts or ())
        assert counts["NOSENT"] > 0 and counts["DELIVERED"] > 0
        nosent = list(counts).index("NOSENT")
        first, last, _ = next(part for part in strip._segments if part[2] == nosent)
        assert strip.status_at(first, 0) == strip.status_at(last, 0) == nosent
        await pilot.click(strip, offset=(first, 0))  # its part of the bar
        await settle(pilot)

        sent = app.view("sent")
        assert active_tab(app) == "tab-sent" and chip_labels(sent) == ["status NOSENT"]
        assert len(shown(sent)) == counts["NOSENT"] == len(truth(app, statuses=["NOSENT"]))
        await pilot.press("escape")
        await settle(pilot)
        assert active_tab(app) == "tab-overview" and sent.drill is None

        legend = wrap_entries(strip._legend(), strip.size.width)
        line, column = next(
            (number, text.plain.index("DELIVERED"))
            for number, text in enumerate(legend, start=1)
            if "DELIVERED" in text.plain.replace("NOTDELIVERED", "")
        )
        await pilot.click(strip, offset=(column + 2, line))  # its legend entry
        await settle(pilot)
        assert chip_labels(sent) == ["status DELIVERED"]
        assert len(shown(sent)) == counts["DELIVERED"]


async def test_the_status_strip_and_the_charts_work_from_the_keyboard(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        strip = app.query_one(StatusStrip)
        spend = app.query_one("#chart-spend", BarChart)
        tiles = len(app.query(FigureTile))
        await pilot.press(*["tab"] * (tiles + 1))  # the overview, then its tiles, then the strip
        assert strip.has_focus and strip.chosen == 0
        assert not has_chosen_style(app.query_one("#chart-delivery", BarChart).render())
        await pilot.press("right", "right", "left", "right")
        counts = strip.counts or ()
        chosen = [index for index, (_, count) in enumerate(counts) if count][2]
        assert strip.chosen == chosen
        assert "▒" in strip.render().plain.splitlines()[0] and has_chosen_style(strip.render())
        await pilot.press("enter")
        await settle(pilot)
        sent = app.view("sent")
        assert chip_labels(sent) == [f"status {counts[chosen][0]}"]
        assert len(shown(sent)) == counts[chosen][1]
        await pilot.press("escape")
        await settle(pilot)
        assert strip.has_focus and strip.chosen == chosen  # back on the status chosen

        await pilot.press("tab", "tab")
        assert spend.has_focus
        charts = app.charts
        assert charts is not None
        drawn = [index for _, _, index in spend._bars]
        assert spend.chosen == drawn[-1] == len(charts.labels) - 1  # the most recent bucket
        await pilot.press("left", "left")
        assert spend.chosen == drawn[-3] and has_chosen_style(spend.render())
        await pilot.press("home", "left")
        assert spend.chosen == drawn[0]
        await pilot.press("end", "left")
        index = drawn[-2]
        await pilot.press("enter")
        await settle(pilot)
        [span_chip] = chip_labels(sent)
        assert span_chip.startswith(charts.labels[index][:10])
        assert shown(sent)["price"].sum() == pytest.approx(charts.spend[index])
        await pilot.press("escape")
        await settle(pilot)
        assert active_tab(app) == "tab-overview" and spend.has_focus and spend.chosen == index


async def test_a_carrier_and_a_sender_id_open_the_messages_they_count(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = await open_report_row(app, pilot, "carriers", 0)
        record = view.model.record(int(view.rows[0]))  # type: ignore[union-attr]
        sent = app.view("sent")
        assert active_tab(app) == "tab-sent"
        assert chip_labels(sent) == [
            f"country {record['country']}",
            f"carrier {record['original_carrier']}",
        ]
        assert len(shown(sent)) == record["messages"] > 0
        assert shown(sent)["price"].sum() == pytest.approx(record["spend"])
        await pilot.press("backspace")
        await settle(pilot)

        senders = app.view("sender-ids")
        senders.table.focus()
        senders.table.move_cursor(row=0, column=0)
        await pilot.pause()
        record = senders.model.record(int(senders.rows[0]))  # type: ignore[union-attr]
        await pilot.press("enter")
        await settle(pilot)
        assert set(shown(sent)["from"].astype(str)) == {record["sender"]}
        assert len(shown(sent)) == record["messages"]


async def test_the_send_times_heatmap_opens_the_messages_of_an_hour(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(str(app._tab_ids().index("tab-send-times") + 1))
        heatmap = app.query_one(Heatmap)
        assert heatmap.has_focus and heatmap.chosen == (0, 9)
        drawn = heatmap.render().plain.splitlines()
        assert drawn[0].startswith("Shaded by messages") and drawn[2].startswith("Mon  ")
        await pilot.press("m")
        assert heatmap.render().plain.startswith("Shaded by delivery rate")
        # The busiest hour of the week, reached with the arrows from Monday 9:00.
        busiest = max(heatmap.cells.values(), key=lambda row: row["messages"])
        day, hour = WEEKDAYS.index(str(busiest["weekday"])), int(busiest["hour"])
        await pilot.press(*["down"] * day, *["right"] * ((hour - 9) % 24))
        assert heatmap.chosen == (day, hour)
        assert f"messages {busiest['messages']:,}" in heatmap.render().plain
        await pilot.press("enter")
        await settle(pilot)
        sent = app.view("sent")
        assert active_tab(app) == "tab-sent"
        assert chip_labels(sent) == [f"hour {busiest['weekday']} {hour:02d} UTC"]
        inserted = shown(sent)["insertDate"]
        assert len(inserted) == busiest["messages"]
        assert set(inserted.dt.hour) == {hour} and set(inserted.dt.day_of_week) == {day}
        await pilot.press("escape")
        await settle(pilot)
        assert active_tab(app) == "tab-send-times" and heatmap.has_focus


async def test_the_dashboard_writes_numbers_in_the_format_chosen(demo: SmstoolsClient) -> None:
    app = dashboard(demo, compare_previous=False)
    with number_format("international"):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            sent = app.view("sent")
            assert sent.model is not None
            column = [column.spec.name for column in sent.model.columns].index("to")
            shown_to = str(sent.model.display_row(0)[column])
            assert re.fullmatch(r"\+\d{1,3}( \d+)+", shown_to), shown_to


async def test_the_quiet_hours_list_follows_the_policy_and_opens_a_message(
    demo: SmstoolsClient,
) -> None:
    # The demo's marketing goes out on weekdays by day: a policy keeping Tuesdays quiet.
    policy = QuietHours(enabled=True, start=time(0), end=time(0), days=("Tue",), time_zone="UTC")
    app = dashboard(demo, compare_previous=False, quiet_hours=policy)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quiet = app.view("quiet-hours")
        frame = shown(quiet)
        assert len(frame) > 0 and set(frame["insertDate"].dt.day_of_week) == {1}
        quiet.table.focus()
        quiet.table.move_cursor(row=0, column=0)
        await pilot.pause()
        record = quiet.model.record(int(quiet.rows[0]))  # type: ignore[union-attr]
        await pilot.press("enter")
        await settle(pilot)
        assert active_tab(app) == "tab-sent"
        assert shown(app.view("sent"))["id"].tolist() == [record["id"]]
