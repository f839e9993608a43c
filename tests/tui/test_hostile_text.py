"""Every SMS text and number is shown literally: no markup, escape or control character styles,
links, moves or breaks the screen."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from rich.console import Console
from rich.text import Text
from textual.content import Content

from smstools_tui.analysis import ComplianceRules, MessageClasses
from smstools_tui.tui.drilling import Chip
from smstools_tui.tui.model import TableModel
from smstools_tui.tui.safe_text import MAX_CELL_CHARS, cell_text, safe_text, visible
from smstools_tui.tui.screens.detail import MessageDetail
from smstools_tui.tui.widgets.chips import ChipButton

from ..conftest import NOW
from .conftest import SIZE, FrameClient, dashboard, settle

HOSTILE = {
    "close-tag": "[/bold]",
    "link-markup": "[link=http://x]y[/link]",
    "ansi": "\x1b[31mred",
    "osc8": "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07",
    "title": "\x1b]0;pwned\x07",
    "rlo": "\u202egnp.exe",
    "isolate": "a\u2066b\u2069c",
    "c1-csi": "\x9b31mx",
    "controls": "nul\x00 bell\x07 bs\x08 del\x7f",
    "lines": "one\ntwo\r\nthree\rfour",
    "long": "ten thousand " + "x" * 10_000,
    "emoji-markup": ":smile: [red]",
}
RENDERED = {
    "close-tag": "[/bold]",
    "link-markup": "[link=http://x]y[/link]",
    "ansi": "␛[31mred",
    "osc8": "␛]8;;http://evil.example␇click␛]8;;␇",
    "title": "␛]0;pwned␇",
    "rlo": "⟨U+202E⟩gnp.exe",
    "isolate": "a⟨U+2066⟩b⟨U+2069⟩c",
    "c1-csi": "⟨U+009B⟩31mx",
    "controls": "nul␀ bell␇ bs␈ del␡",
    "lines": "one␊two␍␊three␍four",
    "emoji-markup": ":smile: [red]",
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_visible_replaces_controls_with_pictures(name: str) -> None:
    assert visible(HOSTILE[name]) == RENDERED[name]


def test_visible_keeps_line_breaks_only_when_asked() -> None:
    assert visible("one\r\ntwo\nthree", keep_newlines=True) == "one\ntwo\nthree"
    assert visible("a\rb", keep_newlines=True) == "a␍b"


def test_missing_values_are_empty_and_long_ones_are_cut() -> None:
    assert visible(None) == visible(float("nan")) == visible(pd.NA) == ""
    cell = cell_text(HOSTILE["long"])
    assert len(cell.plain) == MAX_CELL_CHARS and cell.plain.endswith("…")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_rendered_text_has_no_escape_no_link_no_markup(name: str) -> None:
    console = Console(width=60, color_system="truecolor", force_terminal=True, record=True)
    for text in (safe_text(HOSTILE[name], keep_newlines=True), cell_text(HOSTILE[name])):
        assert isinstance(text, Text) and not text.spans
        segments = list(console.render(text))
        assert all("\x1b" not in segment.text for segment in segments)
        assert all(segment.style is None or not segment.style.link for segment in segments)


def hostile_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    names = list(HOSTILE)
    sent = pd.DataFrame(
        {
            "id": range(1, len(names) + 1),
            "to": [f"39348000{i:04d}" for i in range(len(names))],
            "from": ["[bold]Shop[/bold]"] * len(names),
            "text": [HOSTILE[name] for name in names],
            "status": ["DELIVERED"] * len(names),
            "insertDate": [NOW - timedelta(minutes=i + 1) for i in range(len(names))],
            "transactionId": ["\x1b[5mcampaign[/]"] * len(names),
            "price": [0.1] * len(names),
        }
    )
    received = pd.DataFrame(
        {
            "from": ["+39[red]348[/red]"],
            "text": [HOSTILE["osc8"]],
            "receiveDate": [NOW - timedelta(minutes=1)],
        }
    )
    return sent, received


def test_the_model_gives_literal_cells() -> None:
    sent, _ = hostile_frames()
    model = TableModel(sent)
    for position, name in enumerate(HOSTILE):
        cells = model.display_row(position)
        text = cells[list(sent.columns).index("text")]
        assert isinstance(text, Text)
        if name in RENDERED:
            assert text.plain == RENDERED[name]


async def test_the_dashboard_renders_hostile_text_literally() -> None:
    sent, received = hostile_frames()
    app = dashboard(FrameClient(sent, received), compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        view = app.view("sent")
        assert view.table.row_count == len(HOSTILE)
        screen = app.export_screenshot()
        for shown in ("[/bold]", "[link=http://x]y[/link]", "␛[31mred", "⟨U+202E⟩gnp.exe"):
            assert shown.replace("&", "&amp;").replace("<", "&lt;") in screen.replace("&#160;", " ")
        assert "[bold]Shop[/bold]" in screen.replace("&#160;", " ")
        lines = [view.table.render_line(y) for y in range(view.table.size.height)]
        for strip in lines:
            for segment in strip:
                assert "\x1b" not in segment.text and "\u202e" not in segment.text
                assert segment.style is None or not segment.style.link

        # The detail keeps every character of the 10,000-character text, escaped, in the parts
        # the gateway bills (a rule line before each).
        view.set_filter(search="ten thousand")
        view.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MessageDetail)
        detail = str(app.screen.query_one("#detail-content").render())
        text = "".join(line for line in detail.splitlines() if not line.startswith("── part"))
        assert "x" * 10_000 in text
        assert "── part 66 of 66 · " in detail  # 10,000+ septets in parts of 153
        await pilot.press("escape")

        view.set_filter(search="")
        view.set_filter(search="evil")
        view.table.focus()
        await pilot.press("enter")
        await pilot.pause()
        detail = str(app.screen.query_one("#detail-content").render())
        assert "␛]8;;http://evil.example␇click" in detail
        await pilot.press("escape")

        # The account's name, from the API, is data too.
        header = "".join(str(s.render()) for s in app.query("DashboardHeader Static"))
        assert "Test [bold]Shop[/bold]" in header


CAMPAIGNS = {
    "close-tag": "[/bold]",
    "link-markup": "[link=http://x]y[/link]",
    "ansi": "\x1b[31mred",
    "rlo": "\u202egnp.exe",
}


def hostile_report_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per hostile campaign id: a number delivered once then failing twice (a failing number),
    opting out with hostile text, and messaged again afterwards (the compliance list)."""
    sent_rows: list[dict[str, object]] = []
    received_rows: list[dict[str, object]] = []
    for index, (name, campaign) in enumerate(CAMPAIGNS.items()):
        number = f"39348000{index:04d}"
        for hours, status in ((12, "DELIVERED"), (10, "NOTDELIVERED"), (9, "NOTDELIVERED")):
            sent_rows.append(
                {
                    "to": number,
                    "status": status,
                    "transactionId": campaign,
                    "text": f"promo {campaign}",
                    "insertDate": NOW - timedelta(hours=hours),
                    "statusDetail": "\x1b]8;;http://evil.example\x07why",
                }
            )
        received_rows.append(
            {
                "from": "+" + number,
                "text": f"STOP {HOSTILE[name]}",
                "receiveDate": NOW - timedelta(hours=8),
            }
        )
        sent_rows.append(
            {
                "to": number,
                "status": "NOTDELIVERED",  # a third failure: the number stays failing
                "transactionId": None,
                "text": HOSTILE[name],
                "insertDate": NOW - timedelta(hours=2),
                "statusDetail": "\x1b]8;;http://evil.example\x07why",
            }
        )
    sent = pd.DataFrame(sent_rows)
    sent.insert(0, "id", range(1, len(sent) + 1))
    sent["from"] = "[bold]Shop[/bold]"
    sent["sentDate"] = sent["insertDate"] + timedelta(seconds=1)
    sent["price"] = 0.1
    return sent, pd.DataFrame(received_rows)


def assert_inert(app: object) -> None:
    """No table on screen emits an escape, a bidi override or a link."""
    for table in app.query("FrameTable"):  # type: ignore[attr-defined]
        if not table.region:
            continue
        for y in range(table.size.height):
            for segment in table.render_line(y):
                assert "\x1b" not in segment.text and "\u202e" not in segment.text
                assert segment.style is None or not segment.style.link


async def test_report_tables_render_hostile_text_literally() -> None:
    sent, received = hostile_report_frames()
    # The messages after each STOP are sent one by one, with no campaign: counted as marketing
    # here, as a customer's [classes] may say.
    every_message = ComplianceRules(classes=MessageClasses(transactional_campaigns=()))
    app = dashboard(FrameClient(sent, received), compare_previous=False, compliance=every_message)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def screen() -> str:
            svg = app.export_screenshot().replace("&#160;", " ")
            return svg.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

        await pilot.press("4")  # campaigns
        await pilot.pause()
        assert len(app.view("campaigns").rows) == len(CAMPAIGNS)
        shown = screen()
        for name in CAMPAIGNS:
            assert RENDERED[name] in shown, name
        assert_inert(app)

        await pilot.press("6")  # failing numbers, with the hostile failure reason
        await pilot.pause()
        failing = app.view("failing")
        assert len(failing.rows) == len(CAMPAIGNS)
        failing.table.focus()
        failing.table.move_cursor(column=5)  # the reason, scrolled into view
        await pilot.pause()
        assert "␛]8;;http://evil.example␇why" in screen()
        assert_inert(app)

        await pilot.press("7")  # opt-outs (hostile texts) and the compliance list
        await pilot.pause()
        assert len(app.view("opt-outs").rows) == len(CAMPAIGNS)
        assert len(app.view("compliance").rows) == len(CAMPAIGNS)
        shown = screen()
        for name in CAMPAIGNS:
            assert f"STOP {RENDERED[name]}" in shown, name
        assert "␛[31mred" in shown and "⟨U+202E⟩gnp.exe" in shown
        assert_inert(app)

        # The opt-out's detail row and the compliance message's detail stay literal too.
        app.view("opt-outs").table.focus()
        await pilot.press("i")
        await pilot.pause()
        detail = str(app.screen.query_one("#detail-content").render())
        assert any(f"STOP {RENDERED[name]}" in detail for name in CAMPAIGNS)
        await pilot.press("escape")
        app.view("compliance").table.focus()
        await pilot.press("i")
        await pilot.pause()
        detail = str(app.screen.query_one("#detail-content").render())
        assert "sent after its number opted out" in detail
        assert "\x1b" not in detail and "\u202e" not in detail


async def test_a_servers_error_message_shows_its_escapes_in_the_notification() -> None:
    from smstools_tui.errors import InvalidQueryError
    from smstools_tui.tui.widgets.header import ErrorPanel

    sent, received = hostile_frames()
    client = FrameClient(sent, received)
    client.fail_sent = InvalidQueryError(
        400, "\x1b]52;c;cHduZWQ=\x07[b]x[/b]\x9b31m", endpoint="/sms/search"
    )
    app = dashboard(client, compare_previous=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        [note] = [note for note in app._notifications if note.severity == "error"]
        assert not note.markup
        assert "␛]52;c;cHduZWQ=␇[b]x[/b]⟨U+009B⟩31m" in note.message
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in note.message)
        assert "␛]52;c;cHduZWQ=␇[b]x[/b]" in str(app.query_one(ErrorPanel).render())


@pytest.mark.parametrize("label", ["campaign [/]x", "sender [bold]MyShop[/bold]", "[link=x]y"])
def test_a_chip_and_its_tooltip_show_data_as_text(label: str) -> None:
    """A campaign id such as ``[/]x`` was parsed as markup by the tooltip: an error on hover."""
    button = ChipButton(Chip("campaigns", "x", label))
    tooltip = button.tooltip
    assert isinstance(tooltip, Content)
    assert tooltip.plain == f"Remove {label} (click, Delete or x)"
    assert not tooltip.spans
