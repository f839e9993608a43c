"""The dashboard at 80×24: the overview reflows and scrolls, titles and legends fit, the header
keeps every line whole. (What it looks like is in the ``TestSmallTerminal`` snapshots.)"""

from __future__ import annotations

from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.tui.widgets.charts import BarChart, StatusStrip
from smstools_tui.tui.widgets.header import DashboardHeader
from smstools_tui.tui.widgets.overview import FigureTile, Overview

from .conftest import SIZE, dashboard, settle

SMALL = (80, 24)


def per_row(tiles: list[FigureTile]) -> int:
    return len({tile.region.x for tile in tiles})


async def test_the_overview_reflows_at_80_columns_and_scrolls(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        overview = app.query_one(Overview)
        tiles = list(overview.query(FigureTile))
        assert per_row(tiles) == 2
        for tile in tiles:
            # The border keeps a corner, a rule and a space each side of the title.
            assert len(tile.figure.label) <= tile.region.width - 6, tile.figure.label
            lines = str(tile.render()).split("\n")
            assert all(len(line) <= tile.content_region.width for line in lines), lines
        strip = overview.query_one(StatusStrip)
        shown = "\n".join(line.text for line in strip.render_lines(strip.region.reset_offset))
        assert strip.counts is not None
        for status, count in strip.counts:
            assert f"{status} {count:,}" in shown, status  # the legend wraps, never cut
        for chart in overview.query(BarChart):
            assert chart.region.height >= 10  # a readable chart, not one row
        assert app.focused is overview  # the keys scroll it at once
        assert overview.max_scroll_y > 0
        await pilot.press("G")
        assert overview.scroll_target_y == overview.max_scroll_y
        await pilot.press("g")
        assert overview.scroll_target_y == 0
        await pilot.press("j", "j")
        assert overview.scroll_target_y == 2
        await pilot.press("k")
        assert overview.scroll_target_y == 1


async def test_four_tiles_a_row_from_120_columns(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tiles = list(app.query_one(Overview).query(FigureTile))
        assert per_row(tiles) == 4
        for tile in tiles:
            assert len(tile.figure.label) <= tile.region.width - 6, tile.figure.label


async def test_the_header_keeps_each_line_whole_at_80_columns(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        header = app.query_one(DashboardHeader)
        data = app.dataset
        assert data is not None
        top, bottom = (str(line.render()) for line in header.query(Static))
        assert len(top) <= 78 and len(bottom) <= 78
        assert header.region.height == 2
        assert "DEMO" in top and "credit" in top
        assert "2026-10-26 → 2026-11-25" in bottom and "(last 30 days)" in bottom
        assert f"{len(data.sent):,} sent" in bottom and "just now" in bottom
        # Wide enough, the full line with the times and the fetch's clock time.
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        bottom = str(header.query(Static).last().render())
        assert (
            "window 2026-10-26 10:00 → 2026-11-25 10:00" in bottom and "fetched 10:00:00" in bottom
        )


async def test_the_footer_keeps_help_in_view_on_every_tab(demo: SmstoolsClient) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for tab in "1234567":
            await pilot.press(tab)
            await pilot.pause()
            footer = app.query_one(Footer)
            shown = list(footer.query(FooterKey))
            [help_key] = [key for key in shown if key.action == "help"]
            assert help_key.region.right <= SMALL[0], tab
            # Nothing docked over it either (the palette's hint sits at the right end).
            assert not any(
                key.region.overlaps(help_key.region) for key in shown if key is not help_key
            ), tab
