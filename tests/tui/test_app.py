"""Pilot tests of the dashboard: tabs, filters, sort, detail, window, export, cancel, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from textual.widgets import Footer, Input, Select, TabbedContent

from smstools_tui import analysis
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import AuthenticationError, NetworkError, ServerError
from smstools_tui.tui.model import SortOrder
from smstools_tui.tui.screens.detail import MessageDetail
from smstools_tui.tui.screens.export import ExportScreen
from smstools_tui.tui.screens.help import HelpScreen
from smstools_tui.tui.screens.window import WindowScreen
from smstools_tui.tui.views import WINDOW_PRESETS, ReportTab, WindowChoice
from smstools_tui.tui.widgets.header import DashboardHeader, ErrorPanel, FetchBar
from smstools_tui.tui.widgets.overview import Overview

from ..conftest import NOW
from .conftest import SIZE, FrameClient, dashboard, settle


def header_text(app: object) -> str:
    header = app.query_one(DashboardHeader)  # type: ignore[attr-defined]
    return "\n".join(str(static.render()) for static in header.query("Static"))


def status_line(app: object, view_id: str) -> str:
    view = app.view(view_id)  # type: ignore[attr-defined]
    return str(view.query_one(".status-line").render())


async def test_opens_on_the_overview_with_the_window_loaded(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-overview"
        data = app.dataset
        assert data is not None and data.complete
        assert data.window.end == NOW and data.window.duration == timedelta(days=30)
        assert data.previous is not None and data.previous.window.end == data.window.start
        text = header_text(app)
        assert "DEMO" in text and "MyShop S.r.l." in text and "credit" in text
        assert "last 30 days" in text and "just now" in text
        assert f"{len(data.sent):,} sent" in text
        tile = app.query_one(Overview).tile("messages")
        assert tile.value == len(data.sent)
        assert f"vs {len(data.previous.sent):,}" in str(tile.render())


async def test_number_keys_switch_tabs_and_every_tab_shows_its_data(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None
        tabs = ("sent", "received", "campaigns", "costs", "failing", "opt-outs", "overview")
        for key, tab in zip("2345671", tabs, strict=True):
            await pilot.press(key)
            await pilot.pause()
            assert app.query_one(TabbedContent).active == f"tab-{tab}"
        assert app.view("sent").table.row_count == len(data.sent)
        assert app.view("received").table.row_count == len(data.received)
        for report in ("campaigns", "costs", "failing", "opt-outs", "compliance"):
            assert app.view(report).frame is not None, report
        costs = app.view("costs").frame
        assert costs is not None and costs["messages"].sum() == len(data.sent)
        assert f"{len(data.sent):,} of {len(data.sent):,} messages" in status_line(app, "sent")


async def test_status_filter_number_filter_and_search(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view = app.view("sent")
        sent = view.frame
        assert sent is not None
        view.query_one("#filter-status", Select).value = "NOTDELIVERED"
        await pilot.pause()
        expected = int((sent["status"] == "NOTDELIVERED").sum())
        assert 0 < len(view.rows) == expected
        assert "status=NOTDELIVERED" in status_line(app, "sent")

        number = str(sent.loc[view.rows[0], "to"])
        view.query_one("#filter-number", Input).focus()
        await pilot.press(*("+" + number[:2] + " " + number[2:]))
        await pilot.pause()
        mask = (sent["status"] == "NOTDELIVERED") & (sent["to"].astype(str) == number)
        assert set(view.rows.tolist()) == set(mask[mask].index)

        await pilot.press("escape")  # back to the table
        assert view.table.has_focus
        await pilot.press("x")  # clear every filter
        await pilot.pause()
        assert len(view.rows) == len(sent)

        await pilot.press("slash", *"stop")
        await pilot.pause()
        found = view.model.frame.iloc[view.rows]  # type: ignore[union-attr]
        assert len(found) > 0
        haystack = (
            found["text"].astype(str) + found["to"].astype(str) + found["from"].astype(str)
        ).str.lower()
        assert haystack.str.contains("stop").all()


async def test_sort_by_header_click_and_key(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view = app.view("sent")
        assert view.sort == SortOrder("insertDate", descending=True)
        frame = view.frame
        assert frame is not None
        inserted = frame["insertDate"].iloc[view.rows]
        assert inserted.is_monotonic_decreasing

        left = sum(column.render_width for column in view.table.ordered_columns[:2])
        await pilot.click(view.table, offset=(left + 1, 0))  # the "sender" header
        await pilot.pause()
        assert view.sort == SortOrder("from")
        senders = frame["from"].astype(str).iloc[view.rows].tolist()
        assert senders == sorted(senders)
        assert "sorted by sender ▲" in status_line(app, "sent")

        view.table.focus()
        view.table.move_cursor(column=6)  # price
        await pilot.press("s")
        await pilot.pause()
        assert view.sort == SortOrder("price", descending=True)
        prices = frame["price"].iloc[view.rows]
        assert prices.is_monotonic_decreasing
        await pilot.press("s")
        await pilot.pause()
        assert view.sort == SortOrder("price", descending=False)


async def test_enter_opens_the_message_detail(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view = app.view("sent")
        frame = view.frame
        assert frame is not None
        delivered = frame.index[frame["status"] == "DELIVERED"][0]
        view.set_filter(search=str(frame.loc[delivered, "to"]))
        view.table.focus()
        await pilot.pause()
        position = view.table.current_position()
        assert position is not None
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MessageDetail)
        shown = str(app.screen.query_one("#detail-content").render())
        record = frame.iloc[position]
        assert str(record["id"]) in shown and str(record["to"]) in shown
        for label in ("inserted", "sent", "delivered", "latency", "cost", "Replies"):
            assert label in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MessageDetail)

        await pilot.press("3")
        received = app.view("received")
        received.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MessageDetail)
        assert "In reply to" in str(app.screen.query_one("#detail-content").render())


async def test_replies_appear_in_the_detail_of_the_message_they_answer() -> None:
    sent = pd.DataFrame(
        {
            "id": [1, 2],
            "to": ["393480000001", "393480000001"],
            "from": ["MyShop", "MyShop"],
            "text": ["Promo", "Later promo"],
            "status": ["DELIVERED", "DELIVERED"],
            "insertDate": [NOW - timedelta(hours=5), NOW - timedelta(hours=1)],
            # Only a message handed to the operator can be answered (the analysis rule).
            "sentDate": [NOW - timedelta(hours=5), NOW - timedelta(hours=1)],
            "price": [0.1, 0.1],
        }
    )
    received = pd.DataFrame(
        {
            "from": ["+393480000001", "+393480000001", "+393489999999"],
            "text": ["STOP", "grazie", "other number"],
            "receiveDate": [NOW - timedelta(hours=4), NOW - timedelta(minutes=30), NOW],
        }
    )
    app = dashboard(FrameClient(sent, received), compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view = app.view("sent")
        view.table.move_cursor(row=1)  # newest first: row 1 is the older promo
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#detail-content").render())
        assert "Replies (1)" in shown and "STOP" in shown and "grazie" not in shown
        assert "opt-out" in shown and "+1 h " in shown
        await pilot.press("escape")

        # The other way round: the received "grazie" answers the later promo.
        await pilot.press("3")
        received = app.view("received")
        received.set_filter(search="grazie")
        received.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#detail-content").render())
        assert "In reply to" in shown and "message 2" in shown and "Later promo" in shown
        assert "answered 30 min after it was sent" in shown


async def test_window_picker_presets_and_custom(frame_client: FrameClient) -> None:
    app = dashboard(frame_client)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WindowScreen)
        await pilot.press("up", "enter")  # from "last 30 days" to "last 7 days"
        await settle(pilot)
        data = app.dataset
        assert data is not None and data.window.duration == timedelta(days=7)
        assert "last 7 days" in header_text(app)
        assert len(app.view("sent").rows) == len(data.sent)

        await pilot.press("w")
        await pilot.pause()
        await pilot.press("end", "enter")  # type a window…
        await pilot.pause()
        field = app.screen.query_one("#window-expression", Input)
        assert field.value == "7d" and app.focused is field
        field.value = ""
        await pilot.press(*"2026-11-20T00:00:00Z..", "enter")
        await settle(pilot)
        data = app.dataset
        assert data is not None
        assert data.window.start == datetime(2026, 11, 20, tzinfo=UTC)
        assert data.window.end == NOW
        assert "2026-11-20T00:00:00Z.." in header_text(app)

        await pilot.press("w")
        await pilot.pause()
        await pilot.press("end", "enter")
        await pilot.pause()
        field = app.screen.query_one("#window-expression", Input)
        field.value = "last-month"  # checked as it is typed: what it means now is shown
        await pilot.pause()
        preview = str(app.screen.query_one("#window-preview").render())
        assert preview == "2026-10-01 00:00 → 2026-11-01 00:00"
        field.value = "not a date"
        await pilot.pause()
        assert str(app.screen.query_one("#window-preview").render()) == ""
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WindowScreen)  # stays open and says why
        assert "'not a date' is not a window" in str(app.screen.query_one("#window-error").render())
        field.value = "2026-12-01.."
        await pilot.pause()
        assert "starts in the future" in str(app.screen.query_one("#window-error").render())
        await pilot.press("escape")


async def test_refresh_fetches_again_and_moves_a_relative_window(
    frame_client: FrameClient,
) -> None:
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.dataset
        frame_client._now = NOW + timedelta(hours=1)
        await pilot.press("r")
        await settle(pilot)
        assert app.dataset is not first
        assert app.dataset is not None and app.dataset.window.end == NOW + timedelta(hours=1)
        assert [name for name, _ in frame_client.calls].count("sent") == 2


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
async def test_export_writes_the_view_as_filtered_and_sorted(
    demo: SmstoolsClient, tmp_path: Path, suffix: str
) -> None:
    app = dashboard(demo, export_dir=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view = app.view("sent")
        view.set_filter(status="DELIVERED")
        view.set_sort(SortOrder("price", descending=True))
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        if suffix == ".parquet":
            await pilot.click("#format-parquet")
            await pilot.pause()
        path_input = app.screen.query_one("#export-path", Input)
        assert path_input.value.endswith(suffix)
        path_input.focus()
        await pilot.press("enter")
        await settle(pilot)
        [written] = list(tmp_path.iterdir())
        assert written.name.startswith("sent-") and written.suffix == suffix
        if suffix == ".csv":
            back = pd.read_csv(written, encoding="utf-8-sig")
        else:
            back = pd.read_parquet(written)
        assert len(back) == len(view.rows)
        assert set(back["status"]) == {"DELIVERED"}
        assert back["price"].is_monotonic_decreasing


async def test_escape_cancels_a_fetch_and_nothing_is_shown_as_complete(
    frame_client: FrameClient,
) -> None:
    frame_client.stall = True
    frame_client.partial_rows = 10
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        assert frame_client.stalled.wait(5)
        assert app.fetching
        assert "Esc" in str(app.query_one("#fetch-hint").render())
        bar, footer = app.query_one(FetchBar).region, app.query_one(Footer).region
        assert bar.height == 1 and not bar.overlaps(footer)  # seen, not hidden by the footer
        await pilot.press("escape")
        await settle(pilot)
        assert not app.fetching
        data = app.dataset
        # Nothing complete was on screen, so the ten that arrived are shown, labelled.
        assert data is not None and not data.complete and len(data.sent) == 10
        assert "INCOMPLETE" in header_text(app) and "cancelled" in header_text(app)
        assert "INCOMPLETE" in app.export_screenshot()  # not cut off at 80 columns
        assert "INCOMPLETE" in status_line(app, "sent")
        assert any(note.title == "Cancelled" for note in app._notifications)


async def test_a_cancelled_refresh_keeps_the_complete_data(frame_client: FrameClient) -> None:
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.dataset
        assert before is not None and before.complete
        frame_client.stall = True
        frame_client.partial_rows = 5
        await pilot.press("r")
        assert frame_client.stalled.wait(5)
        await pilot.press("escape")
        await settle(pilot)
        assert app.dataset is before
        assert len(app.view("sent").rows) == len(before.sent)
        assert "refresh cancelled" in header_text(app)


async def test_bad_credentials_show_an_error_panel_and_the_app_stays_up(
    frame_client: FrameClient,
) -> None:
    frame_client.fail_account = AuthenticationError(401, "BAD_CREDENTIALS", endpoint="/user")
    app = dashboard(frame_client)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        panel = app.query_one(ErrorPanel)
        assert panel.has_class("-active")
        assert not panel.region.overlaps(app.query_one(DashboardHeader).region)
        assert "BAD_CREDENTIALS" in str(panel.render())
        assert "Credentials refused" in str(panel.render())
        assert app.dataset is None and app.is_running
        assert any(note.severity == "error" for note in app._notifications)
        # Fixed credentials and a retry clear it.
        frame_client.fail_account = None
        await pilot.press("r")
        await settle(pilot)
        assert not panel.has_class("-active") and app.dataset is not None


async def test_network_down_on_refresh_keeps_the_data_on_screen(frame_client: FrameClient) -> None:
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.dataset
        frame_client.fail_sent = NetworkError("cannot connect to api.smstools.it (/sms/search)")
        frame_client.partial_rows = 3
        await pilot.press("r")
        await settle(pilot)
        assert app.dataset is before
        panel = app.query_one(ErrorPanel)
        assert "Gateway unreachable" in str(panel.render())
        assert "refresh failed" in header_text(app)


async def test_server_error_with_nothing_on_screen_shows_the_partial_labelled(
    frame_client: FrameClient,
) -> None:
    frame_client.fail_received = ServerError(500, "GENERIC_ERROR", endpoint="/sms/received/search")
    frame_client.partial_rows = 4
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None and not data.complete
        assert len(data.received) == 4 and len(data.sent) > 0
        assert "failed while reading received SMS" in (data.problem or "")
        assert "INCOMPLETE" in status_line(app, "received")


async def test_a_failing_report_shows_its_error_in_its_tab_only(demo: SmstoolsClient) -> None:
    def broken(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
        raise ValueError("no such column")

    report = ReportTab("broken", "Broken", compute=broken)
    app = dashboard(demo, reports=[report])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        note = str(app.view("broken").query_one(".note").render())
        assert "could not be computed" in note and "no such column" in note
        assert app.view("sent").table.row_count > 0


async def test_help_lists_every_key_and_the_palette_has_the_actions(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {keys for keys, _ in app.screen.rows}
        for key in ("q", "r", "w", "e", "Esc", "/", "s", "x", "b", "t", "Enter", "Ctrl+P"):
            assert any(key in group.split() for group in keys), key
        await pilot.press("escape")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for title in (
            "Refresh", "Pick the date window", "Window: last 7 days", "Export as CSV",
            "Export as Parquet", "Export the HTML report", "Show Sent", "Show Campaigns",
            "Show Costs", "Show Failing numbers", "Show Opt-outs", "Costs by country",
            "Clear filters", "Help",
        ):  # fmt: skip
            assert title in titles


async def test_theme_toggle(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dark = app.current_theme.dark
        await pilot.press("t")
        assert app.current_theme.dark is not dark


def test_window_choices_are_expressions() -> None:
    assert [choice.expression.text for choice in WINDOW_PRESETS] == [
        "24h", "7d", "30d", "90d", "this-month", "last-month",
    ]  # fmt: skip
    fixed = WindowChoice.custom("2026-11-01T00:00:00Z", "2026-11-10T00:00:00Z")
    assert fixed.label == "2026-11-01T00:00:00Z..2026-11-10T00:00:00Z"
    assert fixed.expression.resolve(NOW).start == datetime(2026, 11, 1, tzinfo=UTC)
    assert WindowChoice.custom() == WindowChoice.of("30d", "last 30 days")


async def test_cancelling_only_the_previous_window_leaves_the_window_complete(
    frame_client: FrameClient,
) -> None:
    app = dashboard(frame_client)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The refresh reads account, sent and received; the previous window's sent stalls.
        frame_client.stall_after = len(frame_client.calls) + 3
        await pilot.press("r")
        assert frame_client.stalled.wait(5)
        await pilot.press("escape")
        await settle(pilot)
        data = app.dataset
        assert data is not None and data.complete and data.previous is None
        text = header_text(app)
        assert "previous window not loaded" in text and "INCOMPLETE" not in text


async def test_an_unexpected_bug_in_a_fetch_is_reported_and_the_app_stays_up(
    frame_client: FrameClient,
) -> None:
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        before = app.dataset

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("boom")

        frame_client._fetch = broken  # type: ignore[method-assign]
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running and app.dataset is before and not app.fetching
        assert "RuntimeError: boom" in str(app.query_one(ErrorPanel).render())


async def test_with_a_debug_log_the_app_says_where_it_is(
    frame_client: FrameClient, tmp_path: Path
) -> None:
    log_file = tmp_path / "log" / "dashboard.log"
    app = dashboard(frame_client, compare_previous=False, log_file=log_file)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert any(str(log_file) in note.message for note in app._notifications)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert f"Debug log: {log_file}" in str(app.screen.query_one("#help-log").render())


async def test_replies_that_cannot_be_matched_say_so_and_nothing_stays_pending(
    frame_client: FrameClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(sent: pd.DataFrame, received: pd.DataFrame, **options: object) -> pd.DataFrame:
        raise ValueError("cannot compare [red]numbers[/red]")

    monkeypatch.setattr(analysis, "match_replies", broken)
    app = dashboard(frame_client, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.replies is None and not app.analysis_pending
        assert app.view("campaigns").frame is not None  # the reports after it were computed
        for key, title in (("2", "Replies"), ("3", "In reply to")):
            await pilot.press(key, "enter")
            await pilot.pause()
            assert isinstance(app.screen, MessageDetail)
            shown = str(app.screen.query_one("#detail-content").render())
            assert title in shown and "still being matched" not in shown
            assert "could not be matched: ValueError: cannot compare [red]numbers[/red]" in shown
            await pilot.press("escape")
            await pilot.pause()


async def test_back_to_a_remembered_place_restores_tab_variant_cursor_and_filters(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.go_back()  # nowhere to go back to yet
        sent = app.view("sent")
        sent.set_filter(status="DELIVERED", search="a")
        sent.set_sort(SortOrder("price", descending=True))
        app.show_variant("costs", "country")
        await settle(pilot)
        costs = app.view("costs")
        costs.table.move_cursor(row=3, column=2)
        await pilot.pause()
        chosen = app.state.selections["sent"]  # the state follows every table's selection
        assert (
            chosen.table_filter.active() == {"status": "DELIVERED"}
            and chosen.table_filter.search == "a"
        )
        assert chosen.sort == SortOrder("price", descending=True)
        place = app.remember_place()
        assert place.tab == "tab-costs" and place.table == "costs"
        assert place.tables["costs"].variant == "country"
        assert place.tables["costs"].cursor == (3, 2)

        # Elsewhere: another tab, other filters there, another grouping here.
        app.show_variant("costs", "month")
        await pilot.press("2", "x")
        sent.set_filter(number="393")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-sent" and costs.variant == "month"

        assert app.go_back()
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-costs"
        assert costs.variant == "country" and costs.table.has_focus
        assert costs.table.cursor_coordinate == (3, 2)
        assert sent.table_filter.active() == {"status": "DELIVERED"}
        assert sent.table_filter.search == "a"
        assert sent.sort == SortOrder("price", descending=True)
        frame = sent.frame
        assert frame is not None
        assert set(frame["status"].iloc[sent.rows].astype(str)) == {"DELIVERED"}
        assert not app.go_back() and app.state.places == ()

        # Far down a long table: the scroll comes back too.
        await pilot.press("2")
        sent.table.move_cursor(row=150, column=1)
        await pilot.pause()
        scrolled = sent.table.scroll_offset
        assert scrolled.y > 100
        app.remember_place()
        await pilot.press("g", "4")
        await pilot.pause()
        assert app.go_back()
        await settle(pilot)
        assert sent.table.cursor_coordinate == (150, 1) and sent.table.scroll_offset == scrolled
