"""The export dialog from the keyboard: where focus lands, one key or the arrows per format, the
suffix following the format, Enter exporting from anywhere, Esc cancelling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from textual.pilot import Pilot

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.demo import demo_client
from smstools_tui.errors import AuthenticationError, ServerError
from smstools_tui.tui import DashboardApp
from smstools_tui.tui.screens.export import ExportScreen, FormatChoice

from .conftest import FrameClient, dashboard, settle

SIZE = (80, 24)
"""The dialog must work in the smallest terminal people use."""


@pytest.fixture(scope="module")
def small_demo() -> SmstoolsClient:
    from ..conftest import NOW

    return demo_client(now=NOW, sent=400, received=40)


@pytest.fixture
async def opened(
    small_demo: SmstoolsClient, tmp_path: Path
) -> AsyncIterator[tuple[DashboardApp, Pilot[Any], ExportScreen]]:
    """The dashboard on the Sent tab with the export dialog open (``e``)."""
    app = dashboard(small_demo, export_dir=tmp_path, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2", "e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        yield app, pilot, screen


def written(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if not path.name.startswith("."))


async def test_focus_lands_on_the_format_and_the_path_is_not_selected(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen],
) -> None:
    app, pilot, screen = opened
    assert isinstance(app.focused, FormatChoice)
    path = screen.path_field
    proposed = path.value
    assert proposed.endswith(".csv") and Path(proposed).name.startswith("sent-")
    await pilot.press("tab")
    assert app.focused is path
    # The cursor waits at the end and nothing is selected: a keystroke adds, never wipes.
    assert path.cursor_position == len(proposed) and path.selection.is_empty
    await pilot.press("left", "left", "left", "left", *"-mine")
    assert path.value == proposed.removesuffix(".csv") + "-mine.csv"


@pytest.mark.parametrize(
    ("key", "suffix", "prefix"),
    [("p", ".parquet", "sent-"), ("h", ".html", "report-"), ("c", ".csv", "sent-")],
)
async def test_one_key_picks_each_format_and_the_suffix_follows(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen], key: str, suffix: str, prefix: str
) -> None:
    _, pilot, screen = opened
    await pilot.press("h" if key == "c" else "c")  # start elsewhere, so the key changes it
    await pilot.press(key)
    await pilot.pause()
    assert screen.format == {".csv": "csv", ".parquet": "parquet", ".html": "html"}[suffix]
    name = Path(screen.path_field.value).name
    assert name.startswith(prefix) and name.endswith(suffix)
    pressed = screen.query_one(FormatChoice).pressed_button
    assert pressed is not None and pressed.id == f"format-{screen.format}"


async def test_arrows_choose_the_format_from_the_choice_and_from_the_path(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen],
) -> None:
    app, pilot, screen = opened
    await pilot.press("down")
    await pilot.pause()
    assert screen.format == "parquet"
    await pilot.press("tab")  # to the path field: the arrows still choose
    assert app.focused is screen.path_field
    await pilot.press("down")
    await pilot.pause()
    assert screen.format == "html" and screen.path_field.value.endswith(".html")
    await pilot.press("down")  # the last stays the last
    await pilot.pause()
    assert screen.format == "html"
    await pilot.press("up", "up")
    await pilot.pause()
    assert screen.format == "csv" and screen.path_field.value.endswith(".csv")
    assert app.focused is screen.path_field  # choosing never steals the focus


async def test_a_renamed_file_keeps_its_name_and_takes_the_formats_suffix(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen], tmp_path: Path
) -> None:
    _, pilot, screen = opened
    screen.path_field.value = str(tmp_path / "november.csv")
    await pilot.press("p")
    await pilot.pause()
    assert screen.path_field.value == str(tmp_path / "november.parquet")
    # And the other way round: a suffix typed by hand chooses the format.
    screen.path_field.focus()
    await pilot.press(*["backspace"] * len("parquet"), *"html")
    await pilot.pause()
    assert screen.format == "html"
    assert screen.path_field.value == str(tmp_path / "november.html")


@pytest.mark.parametrize("start", ["format", "path", "export button"])
async def test_enter_exports_from_anywhere_in_the_dialog(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen], tmp_path: Path, start: str
) -> None:
    app, pilot, _screen = opened
    await pilot.press("p")
    presses = {"format": 0, "path": 1, "export button": 2}[start]
    await pilot.press(*["tab"] * presses)
    await pilot.press("enter")
    await settle(pilot)
    assert not isinstance(app.screen, ExportScreen)
    [path] = written(tmp_path)
    assert path.suffix == ".parquet" and path.name.startswith("sent-")
    assert len(pd.read_parquet(path)) == len(app.view("sent").rows)


async def test_enter_on_the_cancel_button_and_escape_cancel(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen], tmp_path: Path
) -> None:
    app, pilot, _ = opened
    await pilot.press("tab", "tab", "tab")  # format → path → Export → Cancel
    assert app.focused is not None and app.focused.id == "export-cancel"
    await pilot.press("enter")
    await settle(pilot)
    assert not isinstance(app.screen, ExportScreen)
    for focus_on in ("format", "path"):
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        if focus_on == "path":
            await pilot.press("tab")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen), focus_on
    assert written(tmp_path) == []


async def test_the_html_report_with_h_then_enter(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen], tmp_path: Path
) -> None:
    _app, pilot, _ = opened
    await pilot.press("h", "enter")
    await settle(pilot)
    [path] = written(tmp_path)
    assert path.name.startswith("report-") and path.suffix == ".html"
    assert "<html" in path.read_text(encoding="utf-8")[:2000].lower()


async def test_a_name_without_a_suffix_gets_the_chosen_formats(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen], tmp_path: Path
) -> None:
    _app, pilot, screen = opened
    await pilot.press("p")
    screen.path_field.value = str(tmp_path / "plain")
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)
    assert written(tmp_path) == [tmp_path / "plain.parquet"]


async def test_a_wrong_suffix_keeps_the_dialog_open_and_says_why(
    opened: tuple[DashboardApp, Pilot[Any], ExportScreen], tmp_path: Path
) -> None:
    app, pilot, screen = opened
    screen.path_field.value = str(tmp_path / "sent.xlsx")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert app.screen is screen
    assert "must end in .csv or .parquet or .html" in str(
        screen.query_one("#export-error").render()
    )
    assert written(tmp_path) == []


async def test_a_folder_that_does_not_exist_is_a_notification_and_the_app_stays_up(
    small_demo: SmstoolsClient, tmp_path: Path
) -> None:
    app = dashboard(small_demo, export_dir=tmp_path, compare_previous=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2", "e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.path_field.value = str(tmp_path / "gone" / "sent.csv")
        await pilot.press("enter")
        await settle(pilot)
        [note] = [note for note in app._notifications if note.title == "Export failed"]
        assert note.severity == "error" and "does not exist" in note.message
        assert app.is_running and written(tmp_path) == []
        await pilot.press("e", "enter")  # the proposed name still works
        await settle(pilot)
        [path] = written(tmp_path)
        rows = len(app.view("sent").rows)
        assert any(note.message == f"Wrote {rows:,} rows to {path}" for note in app._notifications)


async def test_incomplete_data_is_written_under_a_partial_name_whatever_was_typed(
    frame_client: FrameClient, tmp_path: Path
) -> None:
    frame_client.fail_received = ServerError(500, "GENERIC_ERROR", endpoint="/sms/received/search")
    frame_client.partial_rows = 4
    app = dashboard(frame_client, export_dir=tmp_path, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.dataset is not None and not app.dataset.complete
        await pilot.press("3", "e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        assert Path(screen.path_field.value).name.startswith("received-")
        assert screen.path_field.value.endswith(".partial.csv")
        screen.path_field.value = str(tmp_path / "mine.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert written(tmp_path) == [tmp_path / "mine.partial.csv"]
        assert len(pd.read_csv(tmp_path / "mine.partial.csv", encoding="utf-8-sig")) == 4


async def test_nothing_loaded_nothing_to_export(frame_client: FrameClient, tmp_path: Path) -> None:
    frame_client.fail_account = AuthenticationError(401, "BAD_CREDENTIALS", endpoint="/user")
    app = dashboard(frame_client, export_dir=tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert any(note.message == "Nothing is loaded yet." for note in app._notifications)
