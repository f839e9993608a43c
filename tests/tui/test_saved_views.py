"""Pilot tests of saved views in the dashboard (save the query on screen, list, open, errors)
and of report row details for people."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, TabbedContent

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.config import load_views
from smstools_tui.tui.model import TableFilter
from smstools_tui.tui.screens.detail import MessageDetail
from smstools_tui.tui.screens.view_name import ViewNameScreen

from .conftest import SIZE, dashboard, settle

COMMENTED = """\
# my settings, kept as they are
base_url = "https://api.smstools.example"

[views.old]  # a view of mine
kind = "received"
window = "7d"
"""


def write_config(path: Path, text: str) -> Path:
    """A config file as the user keeps it: readable by its owner only."""
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


async def type_name(pilot: object, app: object, name: str) -> None:
    field = app.screen.query_one("#view-name", Input)  # type: ignore[attr-defined]
    field.value = name
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_v_saves_the_drill_down_as_a_view_keeping_the_rest_of_the_file(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.toml", COMMENTED)
    app = dashboard(demo, compare_previous=False, config_path=config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.drill_figure("wasted_spend")
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ViewNameScreen)
        what = str(app.screen.query_one("#view-what").render())
        assert what.startswith("sent messages, ") and "UTC (30d)" in what
        assert "status NOSENT" in what

        await type_name(pilot, app, "last week")  # a bad name: said, not saved
        assert isinstance(app.screen, ViewNameScreen)
        assert "letters, digits" in str(app.screen.query_one("#view-note").render())
        await type_name(pilot, app, "wasted")
        assert not isinstance(app.screen, ViewNameScreen)

        views = load_views(config)
        assert sorted(views) == ["old", "wasted"]
        assert views["wasted"].kind == "sent" and views["wasted"].window.text == "30d"  # type: ignore[union-attr]
        assert views["wasted"].filters.statuses == {"NOSENT", "NOTDELIVERED"}
        text = config.read_text(encoding="utf-8")
        assert text.startswith(COMMENTED.rstrip("\n")) and "# a view of mine" in text
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
        assert any("Saved the view wasted" in note.message for note in app._notifications)

        # The same name again asks first; Enter twice replaces it.
        await pilot.press("escape")  # out of the chips' way: back to the overview
        await settle(pilot)
        await pilot.press("2")
        app.view("sent").set_filter(status="DELIVERED")
        await pilot.press("v")
        await pilot.pause()
        await type_name(pilot, app, "wasted")
        assert isinstance(app.screen, ViewNameScreen)
        assert "Replace the view wasted?" in str(app.screen.query_one("#view-note").render())
        await pilot.press("enter")
        await pilot.pause()
        assert load_views(config)["wasted"].filters.statuses == {"DELIVERED"}


async def test_a_tab_filter_the_drill_down_leaves_nothing_of_is_said_to_be_left_out(
    demo: SmstoolsClient,
) -> None:
    """A tab filter that contradicts the drill-down (the widgets offer only values on screen,
    so it comes from code, or a table filter kept across a change): the view silently dropped
    it and saved a wider query than the screen."""
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.drill_figure("wasted_spend")
        await settle(pilot)
        app.view("sent").table_filter = TableFilter(filters={"status": "DELIVERED"})
        assert app.dataset is not None
        view, _, left_out = app.current_view("x", app.dataset)
        assert view.filters.statuses == {"NOSENT", "NOTDELIVERED"}
        assert left_out == ["the status filter"]
        app.view("sent").set_filter(status="NOSENT")  # within the drill-down: kept
        await pilot.pause()
        view, _, left_out = app.current_view("x", app.dataset)
        assert view.filters.statuses == {"NOSENT"} and left_out == []


async def test_views_are_listed_in_the_palette_and_open_with_their_window_and_filters(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "config.toml",
        COMMENTED + '\n[views.failed]\nwindow = "7d"\nstatuses = ["NOTDELIVERED"]\n',
    )
    app = dashboard(demo, compare_previous=False, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "View: failed" in titles and "View: old" in titles and "Save as a view" in titles
        app.open_view(load_views(config)["failed"])
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-sent"
        assert app.choice.expression.text == "7d"
        dataset = app.dataset
        assert dataset is not None and len(dataset.sent)
        assert set(dataset.sent["status"].astype(str)) == {"NOTDELIVERED"}
        assert dataset.window.duration.days == 7


async def test_the_window_picker_lists_the_views_and_opens_one(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "config.toml", '[views.mine]\nkind = "received"\nwindow = "24h"\n'
    )
    app = dashboard(demo, compare_previous=False, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        presets = app.screen.query_one(OptionList)
        labels = [str(presets.get_option_at_index(i).prompt) for i in range(presets.option_count)]
        assert "view mine  (received messages, 24h)" in labels
        presets.highlighted = labels.index("view mine  (received messages, 24h)")
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-received"
        assert app.saved_view is not None and app.saved_view.name == "mine"
        assert app.dataset is not None and app.dataset.window.duration.days == 1


REPORT_VIEWS = """\
[views.costs-ok]
report = "cost"
group = "country"
window = "7d"
statuses = ["DELIVERED"]

[views.consent]
report = "compliance"

[views.rate]
report = "delivery"
window = "24h"
"""


async def test_a_report_s_view_opens_that_report_s_tab_with_its_window_and_filters(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.toml", REPORT_VIEWS)
    app = dashboard(demo, compare_previous=False, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert commands["View: costs-ok"] == "cost report by country, 7d"
        assert commands["View: consent"] == "compliance report, the default window"
        await pilot.press("w")
        await pilot.pause()
        presets = app.screen.query_one(OptionList)
        labels = [str(presets.get_option_at_index(i).prompt) for i in range(presets.option_count)]
        assert "view rate  (delivery report, 24h)" in labels
        presets.highlighted = labels.index("view costs-ok  (cost report by country, 7d)")
        await pilot.press("enter")
        await settle(pilot)

        costs = app.view("costs")
        assert app.query_one(TabbedContent).active == "tab-costs" and costs.table.has_focus
        assert costs.variant == "country" and app.choice.expression.text == "7d"
        dataset = app.dataset
        assert dataset is not None and dataset.window.duration.days == 7
        assert set(dataset.sent["status"].astype(str)) == {"DELIVERED"}
        assert dataset.query is not None and dataset.query.report is None
        assert costs.model is not None
        assert costs.model.frame["messages"].sum() == len(dataset.sent)

        app.open_view(load_views(config)["consent"])  # the table below the Opt-outs tab
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-opt-outs"
        assert app.view("compliance").table.has_focus
        assert app.choice.expression.text == "7d"  # a view without a window keeps the one shown
        assert app.dataset is not None and len(app.dataset.sent) > len(dataset.sent)

        app.open_view(load_views(config)["rate"])  # no tab of its own: the overview's figures
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-overview"
        assert app.dataset is not None and app.dataset.window.duration.days == 1


async def test_the_dashboard_opened_with_a_report_s_view_shows_that_report(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.toml", REPORT_VIEWS)
    view = load_views(config)["costs-ok"]
    app = dashboard(demo, compare_previous=False, config_path=config, view=view)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "tab-costs"
        assert app.view("costs").variant == "country" and app.view("costs").table.has_focus
        assert app.dataset is not None and app.dataset.window.duration.days == 7


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[views.broken\nkind = ", "is not valid TOML"),
        ('[views.odd]\ncolour = "red"\n', "unknown filter 'colour'"),
    ],
)
async def test_a_damaged_config_is_one_notification_never_a_crash(
    demo: SmstoolsClient, tmp_path: Path, content: str, expected: str
) -> None:
    config = write_config(tmp_path / "config.toml", content)
    app = dashboard(demo, compare_previous=False, config_path=config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert not isinstance(app.screen, ViewNameScreen)
        [note] = [note for note in app._notifications if note.severity == "error"]
        assert expected in note.message and "\n" not in note.message
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Views: cannot be read" in titles


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
async def test_an_unwritable_config_is_one_notification(demo: SmstoolsClient) -> None:
    # Nothing there to read, and no folder can be made there, whoever runs the test.
    unwritable = Path("/proc/self/smstools-tui/config.toml")
    app = dashboard(demo, compare_previous=False, config_path=unwritable)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        await type_name(pilot, app, "mine")
        [note] = [note for note in app._notifications if note.severity == "error"]
        assert note.title == "The view was not saved" and "cannot write" in note.message
        assert "\n" not in note.message


async def test_i_shows_a_report_row_for_people_with_the_messages_behind_it(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        campaigns = app.view("campaigns")
        campaigns.table.focus()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, MessageDetail)
        shown = str(app.screen.query_one("#detail-content").render())
        row = campaigns.model.record(int(campaigns.rows[0]))  # type: ignore[union-attr]
        lines = {line.split("  ")[0]: line.split("  ", 1)[1].strip() for line in shown.splitlines()
                 if "  " in line}  # fmt: skip
        assert lines["delivery rate"] == f"{row['delivery_rate']:.1%}"
        assert lines["spend"] == f"{row['spend']:,.2f} credits"
        assert lines["messages"] == f"{row['messages']:,}"
        assert lines["first send"].endswith("(UTC)") and "+00:00" not in lines["first send"]
        assert " min " in lines["median delivery"] or lines["median delivery"].endswith(" s")
        assert "Messages behind this row (Enter opens them)" in shown
        assert f"campaign {row['campaign']}" in shown
        assert "smstools-tui export sent --since " in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MessageDetail)
