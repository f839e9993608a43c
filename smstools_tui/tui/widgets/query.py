"""The Query tab: a SQL editor over the loaded window's messages, and its result in the fast
table.

The tables are :mod:`smstools_tui.sql`'s (``sent``, ``received``, the helper views and macros)
over the frames on screen. A query runs in a thread worker, so the dashboard stays responsive;
Esc interrupts it (DuckDB's own interrupt). An error shows under the editor, with its line and
column; the result is sortable, searchable and exportable as every table is, and Enter on a row
with an ``id`` opens that message on the Sent tab. The queries run are kept between sessions
(:class:`~smstools_tui.tui.querying.QueryHistory`): Ctrl+Up and Ctrl+Down walk them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import ClassVar

import pandas as pd
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Select, Static, TextArea

from ...errors import SmstoolsError
from ...sql import EXAMPLES, MACROS, SqlTables
from ..querying import QueryHistory, complete
from ..safe_text import visible
from ..views import TableSpec
from .frame_view import FrameView

__all__ = ["QUERY_VIEW", "QueryPane", "SqlEditor"]

QUERY_VIEW = TableSpec("query", "Query", noun="rows")
"""The result's table: every column, formatted by its type."""

_KEYWORDS = ("SELECT", "FROM", "WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "JOIN", "WITH")


class SqlEditor(TextArea):
    """A code editor for SQL; Tab completes a table, column or macro name (and indents where
    there is no word to complete)."""

    names: Sequence[str] = ()
    cancel: Callable[[], bool] | None = None
    """Esc: stop the running query; ``False`` when none runs (Esc then does what it does)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.cancel is not None and self.cancel():
            event.stop()
            event.prevent_default()
            return
        if event.key == "tab" and self.selection.is_empty:
            row, column = self.cursor_location
            before = self.document.get_line(row)[:column]
            found = complete(before, self.names)
            if found is not None:
                event.stop()
                event.prevent_default()
                if found.insert:
                    self.insert(found.insert)
                if len(found.candidates) > 1:
                    self.notify(", ".join(found.candidates[:12]), title="Completions",
                                markup=False, timeout=4)  # fmt: skip
                return
        await super()._on_key(event)


class QueryPane(Vertical):
    """The editor, the examples, the error line and the result table.

    Args:
        tables: gives the tables over the data on screen (``None`` before anything loaded);
            called from the worker thread.
        history: where the queries run are kept (``None``: nowhere).
        zone: the zone the result's times are shown in.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+enter,ctrl+j,f5", "run_query", "Run query", tooltip="Run the query (Ctrl+Enter)"
        ),
        Binding("escape", "cancel_query", "Cancel query", tooltip="Stop the running query"),
        Binding("ctrl+up", "history(-1)", "Earlier query", show=False),
        Binding("ctrl+down", "history(1)", "Later query", show=False),
    ]

    class Ran(Message):
        """A query finished: its result (``None`` when it failed) and how long it took."""

        def __init__(self, frame: pd.DataFrame | None, seconds: float) -> None:
            super().__init__()
            self.frame = frame
            self.seconds = seconds

    class MessageAsked(Message):
        """Enter on a result row with an ``id``: show that sent message."""

        def __init__(self, message_id: int) -> None:
            super().__init__()
            self.message_id = message_id

    def __init__(
        self,
        tables: Callable[[], SqlTables | None],
        *,
        history: QueryHistory | None = None,
        zone: tzinfo | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own name
    ) -> None:
        super().__init__(id=id)
        self._tables = tables
        self._query_tables: SqlTables | None = None
        self.history = history
        self._kept = history.load() if history is not None else []
        self._at = len(self._kept)
        self.zone = zone

    def compose(self) -> ComposeResult:
        yield Select(
            [(title, title) for title in EXAMPLES],
            prompt="Examples: the SQL of the built-in reports",
            id="query-examples",
        )
        first = self._kept[-1] if self._kept else next(iter(EXAMPLES.values()))
        options = {"soft_wrap": False, "tab_behavior": "indent", "show_line_numbers": True}
        try:
            editor = SqlEditor(first, language="sql", id="query-editor", **options)  # type: ignore[arg-type]
        except Exception:  # without the SQL grammar (textual[syntax]) a plain editor still works
            editor = SqlEditor(first, id="query-editor", **options)  # type: ignore[arg-type]
        editor.names = [*MACROS, *_KEYWORDS]
        editor.cancel = self._cancel
        yield editor
        yield Static(id="query-status")
        yield FrameView(QUERY_VIEW, zone=self.zone, id="view-query")

    @property
    def editor(self) -> SqlEditor:
        return self.query_one("#query-editor", SqlEditor)

    @property
    def result(self) -> FrameView:
        return self.query_one("#view-query", FrameView)

    @property
    def running(self) -> bool:
        return self._query_tables is not None

    def set_names(self, columns: dict[str, list[str]]) -> None:
        """Complete these tables and columns too (the macros and keywords always)."""
        names = {*MACROS, *_KEYWORDS, *columns}
        for listed in columns.values():
            names.update(listed)
        self.editor.names = sorted(names)

    @on(Select.Changed, "#query-examples")
    def _example_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value in EXAMPLES:
            self.editor.text = EXAMPLES[event.value]
            self.editor.focus()

    @on(FrameView.RowChosen, "#view-query")
    def _row_chosen(self, message: FrameView.RowChosen) -> None:
        message.stop()
        model = self.result.model
        if model is None:
            return
        value = model.record(message.position).get("id")
        if isinstance(value, int) and not isinstance(value, bool):
            self.post_message(self.MessageAsked(value))
        else:
            self._say(Text("Enter opens a message when the result has its id column."))

    def action_run_query(self) -> None:
        text = self.editor.text
        if not text.strip():
            self._say(Text("Write a SELECT first.", style="bold"))
            return
        if self.history is not None:
            self.history.add(text)
            self._kept = self.history.load()
        self._at = len(self._kept)
        self._say(Text("Running… (Esc cancels)"))
        self._run(text)

    def action_cancel_query(self) -> None:
        self._cancel()

    def _cancel(self) -> bool:
        running = self._query_tables
        if running is None:
            return False
        running.interrupt()
        # An interrupt that lands before the query starts is lost: repeat until it ends.
        self.set_timer(0.1, self._cancel)
        return True

    def action_history(self, step: int) -> None:
        if not self._kept:
            return
        self._at = max(0, min(len(self._kept) - 1, self._at + step))
        self.editor.text = self._kept[self._at]

    @work(thread=True, exclusive=True, group="sql")
    def _run(self, text: str) -> None:
        started = time.perf_counter()
        tables = self._tables()
        if tables is None:
            self.app.call_from_thread(self._say, Text("Nothing is loaded yet."))
            return
        self._query_tables = tables
        try:
            self.app.call_from_thread(self.set_names, tables.columns())
            frame = tables.query(text)
        except SmstoolsError as error:
            self.app.call_from_thread(self._failed, error, time.perf_counter() - started)
            return
        finally:
            self._query_tables = None
        self.app.call_from_thread(self._show, frame, time.perf_counter() - started)

    def _show(self, frame: pd.DataFrame, seconds: float) -> None:
        self.result.set_frame(frame)
        self._say(Text(f"{len(frame):,} rows in {seconds:.2f} s"))
        self.post_message(self.Ran(frame, seconds))

    def _failed(self, error: SmstoolsError, seconds: float) -> None:
        self._say(Text(visible(error.message, limit=500), style="bold red"))
        if getattr(error, "position", None) is not None:
            line, column = error.position  # type: ignore[attr-defined]
            self.editor.cursor_location = (line - 1, max(column - 1, 0))
        self.post_message(self.Ran(None, seconds))

    def _say(self, text: Text) -> None:
        self.query_one("#query-status", Static).update(text)
