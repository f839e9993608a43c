"""One tab's table with its filters, search, sort and status line.

The same widget shows the sent and received messages and every report frame: a
:class:`~smstools_tui.tui.views.TableSpec` says which columns, filters and sort it has. The
Sent and Received tabs also show drill-downs: a query's messages instead of the whole window's,
its parts as removable chips above the table and its description under them; the tab's own
filters, search, sort and export then work on those messages.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import tzinfo
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ...errors import ConfigError
from ...query import Query
from ..clipboard import TEXT_KINDS, clip_numbers, clip_row, clip_value
from ..drilling import Chip
from ..model import SortOrder, TableFilter, TableModel
from ..safe_text import visible
from ..views import TableSpec
from .chips import ChipBar
from .frame_table import FrameTable

__all__ = ["FrameView"]


class FrameView(Vertical):
    """Filters, search, the table and a status line for one frame.

    Call :meth:`set_frame` with new data; the filters, search and sort the user chose are
    kept and re-applied. ``Enter`` on a row posts :class:`FrameView.RowChosen`. A report with
    variants (Costs by month, country, sender) gets a picker before the filters; choosing one
    posts :class:`FrameView.VariantChosen`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", tooltip="Search the text, numbers, senders"),
        Binding("f", "focus_filters", "Filters", show=False, tooltip="Go to the filters"),
        Binding("s", "sort_column", "Sort", tooltip="Sort by the cursor's column; again: reverse"),
        Binding("x", "clear_filters", "Clear filters", show=False),
        Binding(
            "b",
            "next_variant",
            "Group by",
            tooltip="Show the report's next grouping (Costs: by month, country, sender)",
        ),
        Binding("escape", "focus_table", "Back to the table", show=False),
        # Keys people bring from vi and less, in the table only (in a filter they type); the
        # help screen lists them in one row, with the other ways to move.
        Binding("j", "table_cursor('down')", show=False),
        Binding("k", "table_cursor('up')", show=False),
        Binding("g", "table_cursor('first')", show=False),
        Binding("G", "table_cursor('last')", show=False),
        Binding(
            "y", "copy_cell", "Copy cell", show=False, tooltip="Copy the cell to the clipboard"
        ),
        Binding(
            "Y",
            "copy_row",
            "Copy row",
            show=False,
            tooltip="Copy the row to the clipboard, tab-separated (pastes into a spreadsheet)",
        ),
        Binding(
            "n",
            "copy_numbers",
            "Copy list",
            tooltip="Copy the table's numbers to the clipboard, one per line (Failing numbers, "
            "Opt-outs, the compliance list)",
        ),
        Binding("i", "details", "Details", tooltip="The row's fields, for people"),
        Binding(
            "c",
            "copy_query",
            "Copy command",
            show=False,
            tooltip="Copy the command line that exports the drill-down's messages",
        ),
        Binding(
            "d",
            "focus_chips",
            "Chips",
            show=False,
            tooltip="Go to the drill-down's chips (x removes one)",
        ),
    ]

    PREPARE_IN_BACKGROUND: ClassVar[int] = 100_000
    """From this many rows, the sort and search keys of a new frame are computed in a worker
    thread as it arrives; a smaller frame sorts and searches in milliseconds when asked."""

    class RowMessage(Message):
        """Something the user asked of one row."""

        def __init__(self, view: FrameView, position: int) -> None:
            super().__init__()
            self.view = view
            self.position = position
            """The row's position in :attr:`FrameView.frame`."""

        @property
        def control(self) -> FrameView:
            return self.view

    class RowChosen(RowMessage):
        """The user pressed Enter on a row (or double-clicked it)."""

    class DetailsAsked(RowMessage):
        """The user asked for the fields of a row (``i``)."""

    class VariantChosen(Message):
        """The user picked another variant of the report (``key``)."""

        def __init__(self, view: FrameView, key: str) -> None:
            super().__init__()
            self.view = view
            self.key = key

        @property
        def control(self) -> FrameView:
            return self.view

    class ChipRemoved(Message):
        """The user removed a chip of the drill-down shown."""

        def __init__(self, view: FrameView, chip: Chip) -> None:
            super().__init__()
            self.view = view
            self.chip = chip

        @property
        def control(self) -> FrameView:
            return self.view

    class Applied(Message):
        """A filter, search or sort was applied (``seconds`` is how long it took)."""

        def __init__(self, view: FrameView, rows: int, seconds: float) -> None:
            super().__init__()
            self.view = view
            self.rows = rows
            self.seconds = seconds

    def __init__(
        self,
        spec: TableSpec,
        *,
        zone: tzinfo | None = None,
        variants: Sequence[tuple[str, str]] = (),
        id: str | None = None,  # noqa: A002
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.spec = spec
        self.variants = list(variants)
        """``(key, label)`` of each variant of the report, the first shown first."""
        self.variant = self.variants[0][0] if self.variants else ""
        self.zone = zone
        self.model: TableModel | None = None
        self.table_filter = TableFilter()
        self.sort: SortOrder | None = spec.default_sort
        self.rows: np.ndarray = np.zeros(0, dtype=np.int64)
        self.incomplete: str | None = None
        self.drill: Query | None = None
        """The drill-down shown instead of the whole window, if any."""
        self._whole: tuple[TableModel, str | None] | None = None
        """The whole window's table while a drill-down is shown, for the way back."""
        self._selecting = False
        self._syncing = False
        self._sorting = False
        self._choices_stale = False
        self._labels = {item.key: item.label for item in spec.filters}

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filters"):
            if self.variants:
                yield Select[str](
                    [(label, key) for key, label in self.variants],
                    value=self.variant,
                    allow_blank=False,
                    id="variant",
                    classes="filter variant",
                    compact=True,
                )
            for item in self.spec.filters:
                if item.mode == "choice":
                    yield Select[str](
                        [],
                        prompt=f"any {item.label}",
                        id=f"filter-{item.key}",
                        classes="filter",
                        compact=True,
                    )
                else:
                    yield Input(
                        placeholder=item.label,
                        id=f"filter-{item.key}",
                        classes="filter",
                        compact=True,
                    )
            yield Input(placeholder="search  /", id="search", classes="search", compact=True)
        with Vertical(classes="drill"):
            yield ChipBar(classes="chips")
            yield Static("", classes="drill-detail", markup=False)
        yield Static("", classes="note", markup=False)
        yield FrameTable(classes="table")
        yield Static("", classes="status-line", markup=False)

    # -- data ---------------------------------------------------------------------------------

    @property
    def table(self) -> FrameTable:
        return self.query_one(FrameTable)

    @property
    def frame(self) -> pd.DataFrame | None:
        return self.model.frame if self.model is not None else None

    @property
    def sorting(self) -> bool:
        """Whether the rows in the chosen order are being computed in the background (the
        previous rows stay on screen until they are)."""
        return self._sorting

    def set_frame(self, frame: pd.DataFrame, *, incomplete: str | None = None) -> None:
        """Show ``frame``, keeping the user's filters, search and sort (while a drill-down is
        shown, ``frame`` is the whole window's, shown when the drill-down ends).

        Args:
            frame: the new data.
            incomplete: why the data is only part of the window (``None`` when it is whole);
                the status line says so in every state.
        """
        model = self._model_of(frame)
        if self.drill is not None:
            if self._whole is not None:
                self._whole[0].close()
            self._whole = (model, incomplete)
            return
        # A refresh of the same table: the cursor stays on its message (or group), where the
        # user left it on screen.
        spot = self._cursor_spot()
        self._use(model, incomplete)
        if spot is not None:
            self._follow(spot)

    def _cursor_spot(self) -> tuple[str, Any, int, int, int] | None:
        """``(column, value, row, column index, rows above it on screen)`` of the row under the
        cursor: the message's id, or the group's label (the first column)."""
        model, position = self.model, self.table.current_position()
        if model is None or position is None or self.table.cursor_coordinate.row == 0:
            return None
        frame = model.frame
        column = "id" if "id" in frame.columns else str(frame.columns[0])
        value = frame[column].iloc[position]
        if pd.isna(value):
            return None
        row = self.table.cursor_coordinate.row
        above = row - int(self.table.scroll_y)
        return column, value, row, self.table.cursor_coordinate.column, above

    def _follow(self, spot: tuple[str, Any, int, int, int]) -> None:
        column, value, row, cursor_column, above = spot
        frame = self.model.frame if self.model is not None else None
        if frame is None or column not in frame.columns or len(self.rows) == 0:
            return
        same = np.flatnonzero((frame[column] == value).to_numpy(dtype=bool, na_value=False))
        shown = np.flatnonzero(np.isin(self.rows, same))
        target = int(shown[0]) if len(shown) else min(row, len(self.rows) - 1)
        self.table.move_cursor(row=target, column=cursor_column)
        self.table.scroll_to(y=max(target - int(above), 0), animate=False, immediate=True)

    def _model_of(self, frame: pd.DataFrame) -> TableModel:
        return TableModel(
            frame,
            self.spec.columns,
            filters=self.spec.filters,
            search_columns=self.spec.search_columns,
            highlight=self.spec.highlight,
            zone=self.zone,
        )

    def _use(self, model: TableModel, incomplete: str | None) -> None:
        if self.model is not None and self.model is not model and not self._is_whole(self.model):
            self.model.close()
        self.model = model
        self.incomplete = incomplete
        self._selecting = False
        # The first screen waits for its rows: it is never sorted in the background.
        started = time.perf_counter()
        self._show(model, model.rows(self.table_filter, self.sort), started=started)
        # The filters' choices count every row: after the first screen, not before it (or
        # when a filter is set before then, see _sync_inputs).
        self._choices_stale = True
        self.call_after_refresh(self._refresh_choices)
        if len(model) >= self.PREPARE_IN_BACKGROUND:
            # Once the first screen is drawn, not competing with it.
            self.call_after_refresh(self._prepare, model)

    def _is_whole(self, model: TableModel) -> bool:
        return self._whole is not None and self._whole[0] is model

    # -- drill-downs --------------------------------------------------------------------------

    def show_drill(self, query: Query, chips: Sequence[Chip], *, again: bool = False) -> None:
        """Show the drill-down ``query`` (its messages follow with :meth:`show_selection`):
        its chips and description above the table, the tab's own filters and search cleared
        (the way back restores them; ``again``, the same drill-down on refreshed data, keeps
        them), the sort kept."""
        if self.drill is None and self.model is not None:
            self._whole = (self.model, self.incomplete)
        self.drill = query
        self._selecting = True
        if not again:
            self.table_filter = TableFilter()
            self._sync_inputs()
        self.query_one(".drill").display = True
        self.query_one(ChipBar).show(chips)
        detail = f"{query.describe(self.zone)}  ·  c copies the command line, d the chips"
        self.query_one(".drill-detail", Static).update(visible(detail, limit=400))
        self._update_status()

    def show_selection(self, frame: pd.DataFrame, *, incomplete: str | None = None) -> None:
        """Show the messages the drill-down selected; the whole window's table is kept."""
        if self.drill is not None:
            self._use(self._model_of(frame), incomplete)

    def end_drill(self) -> None:
        """Show the whole window again, as it was before the drill-down."""
        if self.drill is None:
            return
        self.drill = None
        self._selecting = False
        self.query_one(".drill").display = False
        self.query_one(ChipBar).show([])
        whole, self._whole = self._whole, None
        if whole is not None:
            self._use(*whole)
        else:
            self._update_status()

    @property
    def cursor_column(self) -> str | None:
        """The frame column under the table's cursor, if any."""
        if self.model is None or not self.model.specs:
            return None
        index = min(self.table.cursor_coordinate.column, len(self.model.specs) - 1)
        return self.model.specs[index].name

    @property
    def export_name(self) -> str:
        """What an export of this table is called before its window: its id and its variant (a
        drill-down's file is named after the drill-down itself)."""
        return "-".join(part for part in (self.spec.id, self.variant) if part)

    @on(ChipBar.Removed)
    def _chip_removed(self, event: ChipBar.Removed) -> None:
        event.stop()
        self.post_message(self.ChipRemoved(self, event.chip))

    def action_details(self) -> None:
        """Ask for the fields of the row under the cursor."""
        position = self.table.current_position()
        if position is not None:
            self.post_message(self.DetailsAsked(self, position))

    def action_focus_chips(self) -> None:
        self.query_one(ChipBar).focus_first()

    def action_copy_query(self) -> None:
        """Copy the command line that exports the drill-down's messages."""
        if self.drill is None:
            self._copied(None, "")
            return
        try:
            text = self.drill.to_cli()
        except ConfigError:
            # A relation (replies, opt-outs) has no command line: the description says it.
            self._copied(self.drill.describe(self.zone), "the description (no command takes it)")
            return
        self._copied(text, "the command line")

    @work(thread=True, exclusive=True, group="prepare-sorting", exit_on_error=False)
    def _prepare(self, model: TableModel) -> None:
        # The first sort by a column orders the whole frame, the first search lowers every
        # text: seconds at millions of rows, done here, off the event loop, while the user
        # looks at the first screen. A sort or search asked for sooner is still right (the
        # model computes what is missing, or waits for this thread).
        worker = get_current_worker()
        model.prepare(should_stop=lambda: worker.is_cancelled)

    def set_note(self, note: str | Content) -> None:
        """A line above the table (what a report is, that it is being computed, its error)."""
        widget = self.query_one(".note", Static)
        widget.update(note)
        widget.display = bool(str(note))

    def _refresh_choices(self) -> None:
        if self.model is None or not self._choices_stale:
            return
        self._choices_stale = False
        self._syncing = True
        try:
            for item in self.spec.filters:
                if item.mode != "choice":
                    continue
                select = self.query_one(f"#filter-{item.key}", Select)
                current = self.table_filter.filters.get(item.key, "")
                choices = self.model.choices(item.key)
                if current and current not in choices:
                    choices.append(current)
                select.set_options((Text(visible(value, limit=40)), value) for value in choices)
                if current:
                    select.value = current
        finally:
            self._syncing = False

    def apply(self, *, keep_cursor: bool = False) -> float:
        """Recompute the rows for the current query and sort and show them.

        On a large frame whose sort column is not prepared yet, the rows are ordered in a
        worker thread: the screen stays live (the status line says it is sorting) and the
        sorted rows replace the current ones when ready.

        Returns the seconds it took, from the query to a table ready to paint (0 when the rows
        are being ordered in the background).
        """
        model = self.model
        if model is None:
            return 0.0
        if len(model) >= self.PREPARE_IN_BACKGROUND and not model.can_sort(self.sort):
            self._sorting = True
            self._update_status()
            self._order_in_background(model, self.table_filter, self.sort, keep_cursor)
            return 0.0
        started = time.perf_counter()
        rows = model.rows(self.table_filter, self.sort)
        return self._show(model, rows, started=started, keep_cursor=keep_cursor)

    def _show(
        self, model: TableModel, rows: np.ndarray, *, started: float, keep_cursor: bool = False
    ) -> float:
        self._sorting = False
        self.rows = rows
        self.table.show(model, rows, self.sort, keep_cursor=keep_cursor)
        elapsed = time.perf_counter() - started
        self._update_status()
        self.post_message(self.Applied(self, len(rows), elapsed))
        return elapsed

    @work(thread=True, exclusive=True, group="order-rows", exit_on_error=False)
    def _order_in_background(
        self, model: TableModel, query: TableFilter, sort: SortOrder | None, keep_cursor: bool
    ) -> None:
        started = time.perf_counter()
        rows = model.rows(query, sort)  # computes the column's key, or waits for it
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._ordered, model, query, sort, rows, keep_cursor, started)

    def _ordered(
        self,
        model: TableModel,
        query: TableFilter,
        sort: SortOrder | None,
        rows: np.ndarray,
        keep_cursor: bool,
        started: float,
    ) -> None:
        if (model, query, sort) == (self.model, self.table_filter, self.sort):
            self._show(model, rows, started=started, keep_cursor=keep_cursor)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        # A sort that failed in its worker leaves the rows as they were; the app reports it.
        if event.worker.group == "order-rows" and event.state == WorkerState.ERROR:
            self._sorting = False
            self._update_status()

    def _update_status(self) -> None:
        model = self.model
        status = self.query_one(".status-line", Static)
        if model is None:
            status.update("")
            return
        if self._selecting:
            status.update(f"selecting the drill-down's {self.spec.noun}…")
            return
        parts = [f"{len(self.rows):,} of {len(model):,} {self.spec.noun}"]
        if self.drill is not None:
            parts[0] += " of the drill-down"
        if self.sort is not None:
            label = next(
                (spec.title for spec in model.specs if spec.name == self.sort.column),
                self.sort.column,
            )
            doing = "sorting" if self._sorting else "sorted"
            parts.append(f"{doing} by {label} {'▼' if self.sort.descending else '▲'}")
        described = self.table_filter.describe(self._labels)
        if described:
            parts.append(f"filtered: {visible(described, limit=80)}")
        content = Content(" · ".join(parts))
        if self.incomplete:
            content = Content.assemble(
                (f"INCOMPLETE ({visible(self.incomplete, limit=80)}) ", "bold $warning"),
                content,
            )
        status.update(content)

    # -- user input ---------------------------------------------------------------------------

    def set_filter(self, **changes: Any) -> float:
        """Change filters (by key) and/or ``search=`` programmatically, as the user would."""
        search = changes.pop("search", None)
        filters = {**self.table_filter.filters, **changes}
        self.table_filter = TableFilter(
            filters=filters, search=self.table_filter.search if search is None else search
        )
        self._sync_inputs()
        return self.apply()

    def set_sort(self, sort: SortOrder | None) -> float:
        """Sort by ``sort`` (``None``: the frame's own order)."""
        self.sort = sort
        return self.apply(keep_cursor=True)

    def _sync_inputs(self) -> None:
        self._refresh_choices()  # a choice must be offered before it is picked
        self._syncing = True
        try:
            for item in self.spec.filters:
                value = self.table_filter.filters.get(item.key, "")
                if item.mode == "choice":
                    select = self.query_one(f"#filter-{item.key}", Select)
                    if value:
                        select.value = value
                    else:
                        select.clear()
                else:
                    field = self.query_one(f"#filter-{item.key}", Input)
                    if field.value != value:
                        field.value = value
            search = self.query_one("#search", Input)
            if search.value != self.table_filter.search:
                search.value = self.table_filter.search
        finally:
            self._syncing = False

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._syncing or event.input.id is None:
            return
        # The input's value now, not the event's: a programmatic change posts its message
        # after the fact, and by then the query may already say the same.
        value = event.input.value
        if event.input.id == "search":
            if value == self.table_filter.search:
                return
            self.table_filter = replace(self.table_filter, search=value)
        else:
            key = event.input.id.removeprefix("filter-")
            if value == self.table_filter.filters.get(key, ""):
                return
            self.table_filter = replace(
                self.table_filter, filters={**self.table_filter.filters, key: value}
            )
        self.apply()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if self._syncing or event.select.id is None:
            return
        if event.select.id == "variant":
            chosen = event.select.value
            if chosen is not Select.NULL and str(chosen) != self.variant:
                self.variant = str(chosen)
                self.post_message(self.VariantChosen(self, self.variant))
            return
        key = event.select.id.removeprefix("filter-")
        current = event.select.value  # see _input_changed: the widget's value now
        value = "" if current is Select.NULL else str(current)
        if self.table_filter.filters.get(key, "") == value:
            return
        self.table_filter = replace(
            self.table_filter, filters={**self.table_filter.filters, key: value}
        )
        self.apply()

    @on(FrameTable.HeaderSelected)
    def _header_selected(self, event: FrameTable.HeaderSelected) -> None:
        event.stop()
        self._sort_by_index(event.column_index)

    @on(FrameTable.CellSelected)
    def _cell_selected(self, event: FrameTable.CellSelected) -> None:
        event.stop()
        position = self.table.current_position()
        if position is not None:
            self.post_message(self.RowChosen(self, position))

    def _sort_by_index(self, index: int) -> None:
        if self.model is None or not 0 <= index < len(self.model.specs):
            return
        name = self.model.specs[index].name
        if self.sort is not None and self.sort.column == name:
            self.set_sort(self.sort.flipped())
        else:
            # Newest, largest, latest first is what people look for; names read A→Z.
            kind = self.model.columns[index].kind
            descending = kind in ("timestamp", "int", "float", "money", "percent", "duration")
            self.set_sort(SortOrder(name, descending=descending))

    def action_sort_column(self) -> None:
        """Sort by the column under the cursor; again to reverse."""
        self._sort_by_index(self.table.cursor_coordinate.column)

    def set_variant(self, key: str) -> None:
        """Show the variant ``key``, as if the user had picked it."""
        if key == self.variant or key not in {known for known, _ in self.variants}:
            return
        self.query_one("#variant", Select).value = key  # posts Select.Changed, as a pick does

    def action_next_variant(self) -> None:
        """The report's next variant (Costs: by month → by country → by sender → …)."""
        keys = [key for key, _ in self.variants]
        if keys:
            self.set_variant(keys[(keys.index(self.variant) + 1) % len(keys)])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_variant":
            return bool(self.variants)
        if action == "copy_numbers":
            return self.spec.numbers is not None
        if action in ("copy_query", "focus_chips"):
            return self.drill is not None
        if action in ("table_cursor", "copy_cell", "copy_row", "details"):
            return self.table.has_focus
        if action == "focus_table":
            # Esc first cancels a running fetch (the app's binding), else leaves the filters.
            return not getattr(self.app, "fetching", False) and not self.table.has_focus
        return True

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_focus_filters(self) -> None:
        first = self.query(".filter")
        (first.first() if first else self.query_one("#search", Input)).focus()

    def action_clear_filters(self) -> None:
        """Clear every filter and the search."""
        self.table_filter = TableFilter()
        self._sync_inputs()
        self.apply()
        self.table.focus()

    # -- moving and copying -------------------------------------------------------------------

    def action_table_cursor(self, where: str) -> None:
        """Move the table's cursor ``down``, ``up``, to the ``first`` or the ``last`` row."""
        table = self.table
        moves = {
            "down": table.action_cursor_down,
            "up": table.action_cursor_up,
            "first": table.action_scroll_home,
            "last": table.action_scroll_end,
        }
        moves[where]()

    def _cell(self, position: int, index: int, *, one_line: bool) -> str:
        assert self.model is not None
        column = self.model.columns[index]
        value = self.model.frame[self.model.specs[index].name].iat[position]
        if column.kind == "phone":
            # A number is copied as it is shown (E.164), and as text: pasted bare, ``+39…``
            # would become a number in a spreadsheet.
            return clip_value(column.plain(position), column.plain(position), text=True)
        return clip_value(
            value, column.plain(position), text=column.kind in TEXT_KINDS, one_line=one_line
        )

    def action_copy_cell(self) -> None:
        """Copy the cell under the cursor: a text whole, a number or time as shown."""
        position = self.table.current_position()
        if self.model is None or position is None or not self.model.columns:
            self._copied(None, "")
            return
        index = min(self.table.cursor_coordinate.column, len(self.model.columns) - 1)
        text = self._cell(position, index, one_line=False)
        self._copied(text, f"the {self.model.specs[index].title}")

    def action_copy_row(self) -> None:
        """Copy the row under the cursor, its cells tab-separated, in the table's order."""
        position = self.table.current_position()
        if self.model is None or position is None:
            self._copied(None, "")
            return
        cells = [
            self._cell(position, index, one_line=True) for index in range(len(self.model.columns))
        ]
        self._copied(clip_row(cells), "the row")

    def action_copy_numbers(self) -> None:
        """Copy the distinct numbers of the rows on screen, one per line."""
        column = self.spec.numbers
        frame = self.frame
        if column is None or frame is None or column not in frame.columns or not len(self.rows):
            self._copied(None, "")
            return
        text, count = clip_numbers(frame[column].iloc[self.rows])
        self._copied(text, f"{count:,} numbers, one per line")

    def _copied(self, text: str | None, what: str) -> None:
        if not text:
            self.app.notify("Nothing to copy here.", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(text)
        # The notification is one line, whatever was copied; the escapes stay visible.
        self.app.notify(f"Copied {what}: {visible(text, limit=60)}", title="Copied", markup=False)

    def view_frame(self) -> pd.DataFrame | None:
        """The rows on screen, in screen order, as data (what an export writes)."""
        if self.model is None:
            return None
        return self.model.take(self.rows)
