"""The help screen: every key the dashboard answers to, in one table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen", "key_rows"]

# Keys handled by widgets rather than bindings of ours, described once here.
NAVIGATION: tuple[tuple[str, str], ...] = (
    ("↑ ↓ ← →", "move the cursor in a table; scroll the overview"),
    ("j k g G", "down, up, first row, last row (the overview: scroll, top, bottom)"),
    ("PgUp PgDn Home End", "page through a table; Home/End: first/last row"),
    (
        "Enter",
        "a message: its full text, timestamps, latency, cost and replies (or the message it "
        "answers); a report row or a headline figure: the messages behind it (a drill-down)",
    ),
    (
        "← → Enter",
        "on a chart or the status strip of the overview (Tab reaches them): choose a bar or a "
        "status, then open its messages (or click one)",
    ),
    ("click a chip", "remove that part of the drill-down (focused: Delete, Backspace or x)"),
    ("click a header", "sort by that column; click again to reverse"),
    ("Tab Shift+Tab", "move between filters, search and table"),
    ("Esc", "close a dialog; in a filter, back to the table (while fetching: cancel)"),
    ("Ctrl+P", "command palette: every action by name"),
)


def _pretty(key: str) -> str:
    names = {
        "slash": "/",
        "question_mark": "?",
        "escape": "Esc",
        "backspace": "Backspace",
        "ctrl+p": "Ctrl+P",
    }
    return " ".join(names.get(part, part.replace("ctrl+", "Ctrl+")) for part in key.split(","))


def key_rows(*groups: Iterable[BindingType], tabs: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(keys, description) for every binding in ``groups``, then the tab keys (``tabs`` are
    the tab titles, in order) and the navigation keys."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for group in groups:
        for binding in group:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if binding.action.startswith("show_tab_index"):
                continue  # one row for all of them, below
            keys = _pretty(binding.key)
            if keys in seen:
                continue
            seen.add(keys)
            rows.append((keys, binding.tooltip or binding.description))
    if tabs:
        listed = ", ".join(f"{number} {title}" for number, title in enumerate(tabs, 1))
        rows.append((f"1 … {min(len(tabs), 9)}", f"switch tab: {listed}"))
    rows.extend(NAVIGATION)
    return rows


class HelpScreen(ModalScreen[None]):
    """Lists every key (and, with ``--debug``, where the log goes); Esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def __init__(self, rows: Sequence[tuple[str, str]], *, log_file: Path | None = None) -> None:
        super().__init__()
        self.rows = rows
        self.log_file = log_file

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", box=None, expand=True)
        table.add_column("key", no_wrap=True)
        table.add_column("does")
        for keys, description in self.rows:
            table.add_row(Text(keys, style="bold"), Text(description))
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "Esc closes"
            if self.log_file is not None:
                yield Static(
                    Text.assemble(("Debug log: ", "bold"), str(self.log_file)),
                    id="help-log",
                )
            yield Static(table, id="help-table")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
