"""The fast table: textual-fastdatatable's DataTable on a :class:`TableModel` view.

The table only ever asks its backend for the rows on screen, so a backend that formats a row
when asked (:class:`ModelBackend`) draws 1M messages as quickly as 100: no Python object per
row is built, no column is measured in full, and a new filter or sort swaps an array of row
positions (:meth:`SwappableDataTable.replace_backend`, the one place that reaches into the
library's private state).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual_fastdatatable import DataTable
from textual_fastdatatable.backend import DataTableBackend

from ..model import SortOrder, TableModel

__all__ = ["FrameTable", "ModelBackend", "SwappableDataTable"]


class ModelBackend(DataTableBackend[TableModel]):
    """A read-only backend over ``model`` showing the rows at ``rows``, formatted on demand.

    Every cell is a :class:`rich.text.Text` made by the model, so no value is ever parsed as
    markup, whatever the table's settings.
    """

    def __init__(
        self,
        data: TableModel,
        max_rows: int | None = None,
        column_names: Sequence[str] | None = None,
        *,
        rows: np.ndarray | None = None,
        sort: SortOrder | None = None,
    ) -> None:
        self._render_markup: bool | None = None
        self.model = data
        self.rows = rows if rows is not None else np.arange(len(data), dtype=np.int64)
        if max_rows is not None:
            self.rows = self.rows[:max_rows]
        labels = list(column_names) if column_names is not None else data.labels
        if sort is not None:
            names = [spec.name for spec in data.specs]
            if sort.column in names:
                at = names.index(sort.column)
                labels[at] = f"{labels[at]} {'▼' if sort.descending else '▲'}"
        self._labels = labels

    @classmethod
    def from_pydict(
        cls,
        data: Mapping[str, Sequence[Any]],
        max_rows: int | None = None,
        column_names: Sequence[str] | None = None,
    ) -> ModelBackend:
        import pandas as pd

        return cls(TableModel(pd.DataFrame(dict(data))), max_rows, column_names)

    @property
    def source_data(self) -> TableModel:
        return self.model

    @property
    def source_row_count(self) -> int:
        return len(self.model)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def columns(self) -> Sequence[str]:
        return self._labels

    @property
    def column_content_widths(self) -> Sequence[int]:
        return self.model.widths()

    def position(self, index: int) -> int:
        """The frame position of the row shown at ``index``."""
        return int(self.rows[index])

    def get_row_at(self, index: int) -> Sequence[Any]:
        return self.model.display_row(self.position(index))

    def get_column_at(self, index: int) -> Sequence[Any]:
        column = self.model.columns[index]
        return [column.display(int(position)) for position in self.rows]

    def get_cell_at(self, row_index: int, column_index: int) -> Text | None:
        # The table draws cell by cell: format this one, not its whole row.
        return self.model.columns[column_index].display(self.position(row_index))

    def append_column(self, label: str, default: Any | None = None) -> int:
        raise NotImplementedError("the table is a read-only view of a frame")

    def append_rows(self, records: Iterable[Iterable[Any]]) -> list[int]:
        raise NotImplementedError("the table is a read-only view of a frame")

    def drop_row(self, row_index: int) -> None:
        raise NotImplementedError("the table is a read-only view of a frame")

    def update_cell(self, row_index: int, column_index: int, value: Any) -> None:
        raise NotImplementedError("the table is a read-only view of a frame")

    def sort(self, by: list[tuple[str, Literal["ascending", "descending"]]] | str) -> None:
        raise NotImplementedError("sort through the model (TableModel.order)")


class SwappableDataTable(DataTable):
    """textual-fastdatatable's DataTable, given new data in place and able to style whole rows.

    The library (0.19) keeps a table's data immutable: :meth:`DataTable.clear` raises and its
    documentation says to mount a new table instead, which would lose focus, the cursor's
    column and the scroll position on every keystroke of a search. Nor can a subclass style a
    row but through a private method. This class is the one place in the project that touches
    the library's private state, and only the following:

    - ``_ordered_columns`` (the columns' labels and widths, derived from the data) is reset;
    - ``_clear_caches()`` drops the rendered rows, cells and lines of the old data;
    - ``_update_count`` is bumped: it keys those caches;
    - ``_require_update_dimensions`` makes the table recompute its virtual size when idle;
    - ``_get_row_style(row_index, base_style)`` is overridden to ask :meth:`row_style`.

    ``tests/tui/test_datatable_seam.py`` checks each of them against the installed release and
    fails, saying what to update, when one changes; ``pyproject.toml`` keeps the dependency below
    the next minor release, which nobody has tested yet.
    """

    def replace_backend(self, backend: DataTableBackend[Any]) -> None:
        """Show ``backend``'s data instead of the current data, in constant time."""
        self.backend = backend
        self._ordered_columns = None
        self._clear_caches()
        self._update_count += 1
        self._require_update_dimensions = True
        self.refresh(layout=True)

    def row_style(self, row_index: int) -> Style | None:
        """A style for the whole data row at ``row_index`` (its cells and the padding between
        them), or ``None`` for the table's own (zebra stripes)."""
        return None

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        style = self.row_style(row_index) if row_index >= 0 else None
        return style if style is not None else super()._get_row_style(row_index, base_style)


class FrameTable(SwappableDataTable):
    """The DataTable of one tab; :meth:`show` swaps in a new view in constant time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Tab leaves the table (to the filters) instead of moving between its cells.
        Binding("tab", "app.focus_next", "Focus next", show=False),
        Binding("shift+tab", "app.focus_previous", "Focus previous", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *DataTable.COMPONENT_CLASSES,
        "frametable--highlight",
    }

    DEFAULT_CSS = """
    FrameTable {
        height: 1fr;
        max-height: 100%;
    }
    FrameTable > .frametable--highlight {
        background: $warning 30%;
        text-style: bold;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(
            id=id,
            classes=classes,
            render_markup=False,
            cursor_type="cell",
            zebra_stripes=True,
            show_row_labels=False,
            null_rep="",
        )

    @property
    def view(self) -> ModelBackend | None:
        """The view on screen, if any."""
        backend = self.backend
        return backend if isinstance(backend, ModelBackend) else None

    def show(
        self,
        model: TableModel,
        rows: np.ndarray,
        sort: SortOrder | None = None,
        *,
        keep_cursor: bool = False,
    ) -> None:
        """Show ``rows`` of ``model`` (sorted by ``sort``, which only labels the header), in
        place: focus and the cursor's column stay where the user left them."""
        column = self.cursor_coordinate.column if keep_cursor else 0
        backend = ModelBackend(model, rows=rows, sort=sort)
        backend.render_markup = False
        self.replace_backend(backend)
        self.cursor_coordinate = Coordinate(0, min(column, max(model_columns(model) - 1, 0)))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.check_idle()

    def row_style(self, row_index: int) -> Style | None:
        # A flagged record takes the highlight style across the whole row: styling only the
        # cells' text would leave gaps between the columns.
        view = self.view
        if (
            view is not None
            and 0 <= row_index < view.row_count
            and view.model.highlighted(view.position(row_index))
        ):
            return self.get_component_styles("frametable--highlight").rich_style
        return None

    def current_position(self) -> int | None:
        """The frame position of the row under the cursor, or ``None`` when empty."""
        view = self.view
        if view is None or view.row_count == 0:
            return None
        row = min(self.cursor_coordinate.row, view.row_count - 1)
        return view.position(row)


def model_columns(model: TableModel) -> int:
    return len(model.columns)
