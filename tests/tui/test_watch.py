"""Watch mode: the dashboard refreshes by itself, keeps every table as the user left it, pauses
on ``l``, and shows the watch policy's rules that are not OK as a banner that opens their
messages."""

from __future__ import annotations

import pandas as pd

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.monitor import Policy
from smstools_tui.tui.model import SortOrder
from smstools_tui.tui.widgets.header import AlertBanner, DashboardHeader

from .conftest import SIZE, dashboard, settle

BY_COUNTRY = """
[[rule]]
name = "delivery by country"
metric = "delivery_rate"
window = "7d"
by = "country"
min_messages = 20
warning = 0.99
critical = 0.5
"""


async def test_each_refresh_keeps_filters_sort_and_the_cursors_message(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, watch=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        header = app.query_one(DashboardHeader)
        assert header.live == "every 30 s"
        timer = app._watch_timer
        assert timer is not None and timer._interval == 30

        await pilot.press("2")
        sent = app.view("sent")
        sent.set_filter(search="MyShop")
        sent.set_sort(SortOrder("price", descending=True))
        await settle(pilot)
        sent.table.focus()
        sent.table.move_cursor(row=7, column=2)
        await pilot.pause()
        position = sent.table.current_position()
        assert position is not None and sent.model is not None
        message = int(sent.model.frame["id"].iloc[position])
        table_filter, sort = sent.table_filter, sent.sort
        generation = app.state.generation

        app._watch_tick()  # what the timer calls every 30 s
        await settle(pilot)
        assert app.state.generation == generation + 1
        assert sent.table_filter == table_filter and sent.sort == sort
        position = sent.table.current_position()
        assert position is not None and sent.model is not None
        assert int(sent.model.frame["id"].iloc[position]) == message
        assert sent.table.cursor_coordinate.column == 2

        await pilot.press("l")  # pause: the timer's ticks fetch nothing
        assert header.live == "paused"
        app._watch_tick()
        await settle(pilot)
        assert app.state.generation == generation + 1
        await pilot.press("l")  # resume: at once, then every 30 s
        await settle(pilot)
        assert header.live == "every 30 s" and app.state.generation == generation + 2


async def test_l_turns_watch_mode_on(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app._watch_timer is None and app.query_one(DashboardHeader).live == ""
        await pilot.press("l")
        await settle(pilot)
        assert app._watch_timer is not None and app.query_one(DashboardHeader).live == "every 60 s"


async def test_the_cursor_follows_its_message_when_new_ones_arrive(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        sent = app.view("sent")
        sent.table.focus()
        sent.table.move_cursor(row=4)
        await pilot.pause()
        assert sent.model is not None
        frame = sent.model.frame
        position = sent.table.current_position()
        assert position is not None
        message = int(frame["id"].iloc[position])
        # A newer message arrives: it sorts first (newest first), every row moves down one.
        newest = frame.sort_values("insertDate").tail(1).copy()
        newest["id"] = int(frame["id"].max()) + 1
        newest["insertDate"] = newest["insertDate"] + pd.Timedelta(seconds=1)
        sent.set_frame(pd.concat([frame, newest], ignore_index=True))
        await settle(pilot)
        assert sent.table.cursor_coordinate.row == 5
        position = sent.table.current_position()
        assert position is not None and sent.model is not None
        assert int(sent.model.frame["id"].iloc[position]) == message


async def test_rules_not_ok_show_as_a_banner_that_opens_their_messages(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, policy=Policy.parse(BY_COUNTRY))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        banner = app.query_one(AlertBanner)
        assert banner.has_class("-warning") and banner.display
        assert any(line.startswith("WARNING delivery by country [IT]") for line in banner.lines)
        result = app.check_result
        assert result is not None and result.status == "WARNING"

        await pilot.press("a")
        await settle(pilot)
        assert app.query_one("TabbedContent").active == "tab-sent"  # type: ignore[attr-defined]
        sent = app.view("sent")
        assert sent.drill is not None
        assert sent.drill.filters.countries == {"IT"}
        assert sent.drill.filters.statuses == {"NOTDELIVERED", "NOSENT"}
        shown = sent.model.frame  # type: ignore[union-attr]
        assert len(shown) > 0
        assert set(shown["status"].astype(str)) <= {"NOTDELIVERED", "NOSENT"}
        assert shown["to"].astype(str).str.startswith("39").all()


async def test_no_banner_while_every_rule_is_ok(demo: SmstoolsClient) -> None:
    relaxed = BY_COUNTRY.replace("warning = 0.99", "warning = 0.4").replace("0.5", "0.3")
    app = dashboard(demo, policy=Policy.parse(relaxed))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.check_result is not None and app.check_result.status == "OK"
        banner = app.query_one(AlertBanner)
        assert not banner.has_class("-warning") and not banner.has_class("-critical")
        await pilot.press("a")
        await settle(pilot)
        assert app.query_one("TabbedContent").active == "tab-overview"  # type: ignore[attr-defined]
