"""Keys people bring from other tools: j/k/g/G in the tables, y/Y to copy a cell or a row, n to
copy a table's numbers, and what reaches the terminal when the clipboard is written."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pandas as pd
import pytest
from textual.widgets import Input

from smstools_tui.analysis import ComplianceRules, MessageClasses
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.msisdn import display_number
from smstools_tui.tui import DashboardApp
from smstools_tui.tui.model import SortOrder, format_timestamp

from ..conftest import NOW
from .conftest import SIZE, FrameClient, dashboard, settle

OSC52 = re.compile(r"\x1b\]52;c;([A-Za-z0-9+/=]*)\x07")


def titles(app: DashboardApp) -> set[str]:
    return {command.title for command in app.get_system_commands(app.screen)}


def last_note(app: DashboardApp) -> Any:
    return list(app._notifications)[-1]


async def test_vi_keys_move_the_table_cursor(demo: SmstoolsClient) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        table = app.view("sent").table
        assert table.has_focus and table.cursor_coordinate.row == 0
        await pilot.press("j", "j", "j")
        assert table.cursor_coordinate.row == 3
        await pilot.press("k")
        assert table.cursor_coordinate.row == 2
        await pilot.press("G")
        assert table.cursor_coordinate.row == table.row_count - 1
        await pilot.press("g")
        assert table.cursor_coordinate.row == 0
        # In the search field the same keys are letters.
        await pilot.press("slash", "j", "g")
        assert app.view("sent").query_one("#search", Input).value == "jg"
        assert table.cursor_coordinate.row == 0


async def test_y_copies_the_cell_whole_and_shift_y_the_row_tab_separated(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view = app.view("sent")
        frame = view.frame
        assert frame is not None
        # A long text, much wider than its column, is copied whole.
        longest = int(frame["text"].astype(str).str.len().idxmax())
        view.set_filter(search=str(frame.loc[longest, "to"]))
        view.table.focus()
        await pilot.pause()
        position = view.table.current_position()
        assert position is not None
        record = frame.iloc[position]
        text_column = [spec.name for spec in view.model.specs].index("text")  # type: ignore[union-attr]
        view.table.move_cursor(column=text_column)
        await pilot.press("y")
        assert app.clipboard == record["text"]
        assert len(app.clipboard) > view.table.ordered_columns[text_column].render_width
        note = last_note(app)
        assert note.title == "Copied" and "\n" not in note.message

        view.table.move_cursor(column=0)
        await pilot.press("y")  # a time, as the table shows it
        assert app.clipboard == format_timestamp(record["insertDate"].to_pydatetime(), app.zone)

        await pilot.press("Y")
        cells = app.clipboard.split("\t")
        assert len(cells) == len(view.model.columns)  # type: ignore[union-attr]
        assert cells[0] == format_timestamp(record["insertDate"].to_pydatetime(), app.zone)
        # The number as the table shows it, in E.164 and as text for a spreadsheet; the frame
        # keeps the API's digits.
        assert cells[1] == "'" + display_number(str(record["to"])) == "'+" + str(record["to"])
        assert cells[text_column] == record["text"]


async def test_n_copies_the_failing_numbers_one_per_line(demo: SmstoolsClient) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2", "n")  # the Sent tab has no list of numbers: nothing happens
        assert app.clipboard == ""
        assert "Copy the numbers" not in titles(app)

        await pilot.press("6")
        view = app.view("failing")
        frame = view.frame
        assert frame is not None and len(frame) > 1
        assert "Copy the numbers" in titles(app)
        await pilot.press("n")
        shown = frame["number"].iloc[view.rows].astype(str).tolist()
        assert app.clipboard.split("\n") == shown
        assert f"{len(shown):,} numbers" in last_note(app).message

        # As filtered on screen: one number, one line.
        view.set_filter(number=shown[-1])
        await pilot.press("n")
        assert app.clipboard == shown[-1]


async def test_n_on_the_compliance_list_copies_each_number_once(demo: SmstoolsClient) -> None:
    # Every message counted, order alerts too: the demo then messages one number twice.
    every_message = ComplianceRules(classes=MessageClasses(transactional_campaigns=()))
    app = dashboard(demo, compare_previous=False, compliance=every_message)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("7")
        compliance = app.view("compliance")
        frame = compliance.frame
        assert frame is not None and frame["to"].duplicated().any()  # a number messaged twice
        compliance.table.focus()
        await pilot.press("n")
        expected = list(dict.fromkeys(frame["to"].iloc[compliance.rows].astype(str)))
        assert app.clipboard.split("\n") == expected
        # The palette's command copies the list of the table in use, as the key does.
        app.copy_to_clipboard("")
        app._copy("numbers")
        assert app.clipboard.split("\n") == expected


async def test_the_palette_offers_the_copies(demo: SmstoolsClient) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        assert {"Copy the cell", "Copy the row"} <= titles(app)
        app._copy("row")
        assert app.clipboard.count("\t") == len(app.view("sent").model.columns) - 1  # type: ignore[union-attr]


HOSTILE_TEXT = '=HYPERLINK("x")\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202eSTOP\nline two'


@pytest.fixture
def hostile_client() -> FrameClient:
    sent = pd.DataFrame(
        {
            "id": [1, 2],
            "to": ["+393480000001", "393480000002"],
            "from": ["\x1b]0;title\x07Shop", "Shop"],
            "text": [HOSTILE_TEXT, "ok"],
            "status": ["NOTDELIVERED", "DELIVERED"],
            "insertDate": [NOW - timedelta(hours=2), NOW - timedelta(hours=1)],
            "price": [-0.5, 0.1],
        }
    )
    return FrameClient(sent)


async def test_copied_text_reaches_the_terminal_only_as_base64_and_is_data(
    hostile_client: FrameClient,
) -> None:
    app = dashboard(hostile_client, compare_previous=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        written: list[str] = []
        driver = app._driver
        assert driver is not None
        driver.write = written.append  # type: ignore[method-assign]
        await pilot.press("2")
        view = app.view("sent")
        view.set_sort(SortOrder("insertDate"))  # the hostile message first
        view.table.focus()
        names = [spec.name for spec in view.model.specs]  # type: ignore[union-attr]
        copies: dict[str, str] = {}
        for column in ("text", "from", "to", "price"):
            view.table.move_cursor(row=0, column=names.index(column))
            await pilot.press("y")
            copies[column] = app.clipboard
        await pilot.press("Y")
        copies["row"] = app.clipboard

        sequences = [chunk for chunk in written if "]52;" in chunk]
        assert len(sequences) == len(copies)
        for chunk, text in zip(sequences, copies.values(), strict=True):
            # One OSC 52 sequence, its payload base64: nothing else of the text reaches the
            # terminal, and the payload is exactly the copied text.
            match = OSC52.fullmatch(chunk)
            assert match is not None, chunk
            assert base64.b64decode(match.group(1)).decode("utf-8") == text
        # The copies themselves: escapes visible, no formula, line breaks kept in a cell only.
        assert copies["text"] == '\'=HYPERLINK("x")␛]52;c;ZXZpbA==␇␛[2J⟨U+202E⟩STOP\nline two'
        assert copies["from"] == "␛]0;title␇Shop (alias)"  # as shown: not a phone number
        assert copies["to"] == "'+393480000001"
        assert copies["price"] == "-0.5000"  # a number is not a formula: as shown
        assert "\n" not in copies["row"] and "\x1b" not in copies["row"]
        assert "'=HYPERLINK" in copies["row"] and "STOP␊line two" in copies["row"]
        for note in app._notifications:
            assert "\x1b" not in note.message and "\x07" not in note.message
