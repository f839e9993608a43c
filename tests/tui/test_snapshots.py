"""SVG snapshots of the main screens on the seeded demo account with a frozen clock.

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the report before committing the new SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.tui.model import SortOrder

from .conftest import SIZE, dashboard, settle

Compare = Callable[..., bool]

SMALL = (80, 24)


def then(*steps: Callable[[Pilot[Any]], Awaitable[None] | None]) -> Callable[[Pilot[Any]], Any]:
    """Let the data load, then run ``steps``, then let everything settle."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            result = step(pilot)
            if result is not None:
                await result
            await pilot.pause()
        await settle(pilot)

    return run


def keys(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def press(pilot: Pilot[Any]) -> None:
        await pilot.press(*pressed)

    return press


class TestTabs:
    def test_overview(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then())

    def test_sent(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("2")))

    def test_received(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("3")))

    def test_campaigns(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("4")))

    def test_costs_by_country(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("5", "b")))

    def test_failing_numbers(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("6")))

    def test_opt_outs_and_compliance(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("7")))

    def test_carriers_and_sender_ids(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("8")))

    def test_send_times_heatmap(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        # Shaded by delivery rate, the cursor moved to Tuesday 11:00.
        steps = keys("9", "m", "down", "right", "right")
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(steps))


class TestInteractions:
    def test_sent_filtered_and_sorted(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        def narrow(pilot: Pilot[Any]) -> None:
            view = pilot.app.view("sent")  # type: ignore[attr-defined]
            view.set_filter(status="NOTDELIVERED", search="stop")
            view.set_sort(SortOrder("to"))
            view.table.focus()

        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("2"), narrow))

    def test_message_detail(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(
            dashboard(demo), terminal_size=SIZE, run_before=then(keys("2", "down", "enter"))
        )

    def test_help(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(
            dashboard(demo), terminal_size=SIZE, run_before=then(keys("question_mark"))
        )

    def test_window_picker(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("w")))


class TestDrillDown:
    """A campaign's messages with their chip and description, at both sizes; a report row's
    details for people; the dialog that names a view."""

    def test_campaign_drill_down(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        run = then(keys("4", "down", "enter"))
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=run)

    def test_campaign_drill_down_small(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        run = then(keys("4", "down", "enter"))
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=run)

    def test_figure_drill_down_with_chips_small(
        self, snap_compare: Compare, demo: SmstoolsClient
    ) -> None:
        def pending(pilot: Pilot[Any]) -> None:
            pilot.app.drill_figure("pending")  # type: ignore[attr-defined]

        run = then(pending, keys("d"))
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=run)

    def test_report_row_details(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("4", "i")))

    def test_save_view_dialog_small(
        self, snap_compare: Compare, demo: SmstoolsClient, tmp_path: Path
    ) -> None:
        app = dashboard(demo, config_path=tmp_path / "config.toml")
        assert snap_compare(app, terminal_size=SMALL, run_before=then(keys("5", "enter", "v")))


class TestOverviewKeyboard:
    """A chart and the status strip with the focus: the box in the accent colour, the bar or
    status chosen with the arrows highlighted, Enter in the footer."""

    def test_chart_bar_chosen(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        def spend(pilot: Pilot[Any]) -> None:
            pilot.app.query_one("#chart-spend").focus()

        run = then(spend, keys("left", "left"))
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=run)

    def test_status_chosen_small(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        def strip(pilot: Pilot[Any]) -> None:
            pilot.app.query_one("#overview-statuses").focus()

        run = then(strip, keys("right", "right"))
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=run)

    def test_chart_bar_chosen_small(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        def delivery(pilot: Pilot[Any]) -> None:
            pilot.app.query_one("#chart-delivery").focus()

        run = then(delivery, keys("left"))
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=run)


class TestThemes:
    def test_sent_light(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SIZE, run_before=then(keys("t", "2")))


class TestSmallTerminal:
    """Every screen at 80×24, the smallest terminal people use: nothing cut that matters, and
    what does not fit scrolls."""

    def test_overview(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then())

    def test_overview_scrolled_to_the_charts(
        self, snap_compare: Compare, demo: SmstoolsClient
    ) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then(keys("G")))

    def test_sent(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then(keys("2")))

    def test_received(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then(keys("3")))

    def test_campaigns(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then(keys("4")))

    def test_costs_by_country(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then(keys("5", "b")))

    def test_failing_numbers(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then(keys("6")))

    def test_opt_outs_and_compliance(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then(keys("7")))

    def test_message_detail(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(
            dashboard(demo), terminal_size=SMALL, run_before=then(keys("2", "down", "enter"))
        )

    def test_export_dialog(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        # A fixed folder: the proposed path must not depend on where the suite runs.
        app = dashboard(demo, export_dir=Path("/home/analyst"))
        assert snap_compare(app, terminal_size=SMALL, run_before=then(keys("2", "e")))

    def test_window_picker(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(dashboard(demo), terminal_size=SMALL, run_before=then(keys("w")))

    def test_help(self, snap_compare: Compare, demo: SmstoolsClient) -> None:
        assert snap_compare(
            dashboard(demo), terminal_size=SMALL, run_before=then(keys("question_mark"))
        )
