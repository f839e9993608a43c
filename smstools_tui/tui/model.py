"""What a dashboard table shows: a frame, a filter and a sort, resolved to row positions.

A :class:`TableModel` wraps one frame (sent, received, or any report) without copying it. A
:class:`Query` (filters and a free-text search) becomes a boolean mask computed column-wise in
pandas/numpy, and a :class:`SortOrder` a permutation of the whole frame, cached per column and
direction; the rows on screen are ``order[mask[order]]``, an array of positions. Nothing here
builds a Python object per row: cells are formatted only when the table asks for a visible row
(:meth:`TableModel.display_row`).

The categorical columns of the frames make the common filters cheap: a status, sender or campaign
filter compares integer codes, and a text search runs once over the distinct values and is then
mapped back over the rows through their codes.

This module does not import Textual, so it can be tested and benchmarked on its own.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rich.cells import cell_len
from rich.text import Text

from ..frames import STATUS_DTYPE, row_values
from ..msisdn import msisdn_digits
from ..report.tables import format_duration
from .safe_text import cell_text, visible

__all__ = [
    "ColumnKind",
    "ColumnSpec",
    "FilterSpec",
    "Query",
    "SortOrder",
    "TableModel",
    "format_duration",
    "format_timestamp",
]

ColumnKind = Literal[
    "text", "category", "status", "int", "id", "float", "money", "percent", "timestamp",
    "duration", "bool", "object",
]  # fmt: skip

STATUS_STYLES: dict[str, str] = {
    "DELIVERED": "green",
    "NOTDELIVERED": "bold red",
    "NOSENT": "bold red",
    "PENDING": "magenta",
    "SENT": "blue",
}
"""How a status reads at a glance; plain ANSI colours, which Textual maps into both themes."""

DEFAULT_MAX_WIDTH = 40
"""The widest a column is drawn unless its spec says otherwise; the full value is in the detail
view and in exports."""

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
TIMESTAMP_WIDTH = len("2026-11-25 10:00:00")
_NAT = np.iinfo(np.int64).min
_SAMPLE = 500
"""Rows (or distinct values) measured to size a column: enough to fit, cheap at any size."""
_SORT_CACHE = 6


@dataclass(frozen=True)
class ColumnSpec:
    """One column as a table shows it.

    Attributes:
        name: the frame's column.
        label: the header (default: ``name``).
        kind: how to format and sort it (default: from the dtype; ``money``, ``percent`` and
            ``id`` must be asked for).
        width: the widest it is drawn, in cells (default :data:`DEFAULT_MAX_WIDTH`).
        digits: decimals shown for ``money`` (default 4: a price per SMS) and ``percent``
            (default 1); a total spend reads better with 2. Display only: the value is exact.
    """

    name: str
    label: str | None = None
    kind: ColumnKind | None = None
    width: int | None = None
    digits: int | None = None

    @property
    def title(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class FilterSpec:
    """A filter a table offers above it.

    Attributes:
        key: the name the :class:`Query` uses for it.
        label: what the filter is called on screen.
        column: the frame column it tests.
        mode: ``choice`` (one of the column's values, exactly), ``number`` (the digits typed
            appear in the number: ``+39 348…``, ``0039348…`` and ``39348…`` all match) or
            ``contains`` (case-insensitive substring).
    """

    key: str
    label: str
    column: str
    mode: Literal["choice", "number", "contains"] = "contains"


@dataclass(frozen=True)
class Query:
    """Which rows to show: every filter (by :attr:`FilterSpec.key`) and the search must match.

    Empty values filter nothing.
    """

    filters: Mapping[str, str] = field(default_factory=dict)
    search: str = ""

    def active(self) -> dict[str, str]:
        """The filters that filter something."""
        return {key: value for key, value in self.filters.items() if value and value.strip()}

    def describe(self, labels: Mapping[str, str] | None = None) -> str:
        """One line for a status bar: ``status=DELIVERED, search "stop"``."""
        parts = [f"{(labels or {}).get(key, key)}={value}" for key, value in self.active().items()]
        if self.search.strip():
            parts.append(f"search {self.search.strip()!r}")
        return ", ".join(parts)


@dataclass(frozen=True)
class SortOrder:
    """Sort by one column; missing values always go last."""

    column: str
    descending: bool = False

    def flipped(self) -> SortOrder:
        return SortOrder(self.column, not self.descending)


def format_timestamp(moment: datetime, zone: tzinfo | None) -> str:
    """An instant as the dashboard writes it: ``2026-11-25 11:00:00`` in ``zone`` (local if
    ``None``)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.strftime(TIMESTAMP_FORMAT)


class _Column:
    """One frame column, ready to format a cell, test a filter and give a sort key."""

    def __init__(self, spec: ColumnSpec, series: pd.Series, zone: tzinfo | None) -> None:
        self.spec = spec
        self.zone = zone
        self.series = series
        self.kind: ColumnKind = spec.kind or _kind_of(spec.name, series)
        self.codes: np.ndarray | None = None
        self.categories: pd.Index | None = None
        self.values: Any = None
        self.missing: np.ndarray | None = None
        self._labels: dict[int, Text] = {}
        self._sort_key: tuple[np.ndarray, np.ndarray] | None = None
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            self.codes = series.cat.codes.to_numpy()
            self.categories = series.cat.categories
        elif self.kind == "timestamp":
            stamps = series if isinstance(dtype, pd.DatetimeTZDtype) else _as_utc(series)
            self.values = stamps.dt.as_unit("us").array.asi8
            self.missing = self.values == _NAT
        elif self.kind == "duration":
            # The reports give durations as float seconds (``median_delivery_seconds``), the
            # frames as timedeltas; to_timedelta would read bare numbers as nanoseconds.
            if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
                seconds = series.astype("float64")
            else:
                seconds = pd.to_timedelta(series).dt.total_seconds()
            self.values = seconds.to_numpy(dtype="float64", na_value=np.nan)
            self.missing = np.isnan(self.values)
        elif self.kind in ("int", "id", "float", "money", "percent", "bool"):
            self.missing = series.isna().to_numpy()
            target = "int64" if self.kind in ("int", "id") else "float64"
            if self.kind == "bool":
                target = "bool"
            fill: Any = False if target == "bool" else 0
            self.values = series.to_numpy(dtype=target, na_value=fill)
        else:
            self.values = series.array

    # -- display ------------------------------------------------------------------------------

    def display(self, position: int) -> Text | None:
        """The cell at ``position``: literal text, or ``None`` for a missing value."""
        if self.codes is not None:
            code = int(self.codes[position])
            if code < 0:
                return None
            label = self._labels.get(code)
            if label is None:
                assert self.categories is not None
                label = self._format(self.categories[code])
                if len(self._labels) < 100_000:
                    self._labels[code] = label
            return label
        if self.missing is not None and self.missing[position]:
            return None
        return self._format(self.values[position])

    def plain(self, position: int) -> str:
        """The cell's text without styles (tests, the detail view's fallback)."""
        cell = self.display(position)
        return "" if cell is None else cell.plain

    def _format(self, value: Any) -> Text:
        kind = self.kind
        if value is None or value is pd.NA or value is pd.NaT:
            return Text("")
        if kind == "status":
            text = str(value)
            return cell_text(text, style=STATUS_STYLES.get(text, ""))
        if kind == "timestamp":
            if isinstance(value, np.integer | int):
                moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(value))
            else:
                moment = pd.Timestamp(value).to_pydatetime()
            return Text(format_timestamp(moment, self.zone), no_wrap=True, end="")
        if kind == "duration":
            if value != value:  # NaN: no duration measured
                return Text("")
            return Text(format_duration(float(value)), justify="right", no_wrap=True, end="")
        if kind == "id":
            return Text(str(int(value)), justify="right", no_wrap=True, end="")
        if kind == "int":
            return Text(f"{int(value):,}", justify="right", no_wrap=True, end="")
        if kind == "money":
            digits = 4 if self.spec.digits is None else self.spec.digits
            return Text(f"{float(value):,.{digits}f}", justify="right", no_wrap=True, end="")
        if kind == "percent":
            digits = 1 if self.spec.digits is None else self.spec.digits
            return Text(f"{float(value):.{digits}%}", justify="right", no_wrap=True, end="")
        if kind == "float":
            number = float(value)
            shown = f"{number:,.4f}".rstrip("0").rstrip(".") if number == number else ""
            return Text(shown, justify="right", no_wrap=True, end="")
        if kind == "bool":
            return Text("✓" if value else "·", justify="center", no_wrap=True, end="")
        return cell_text(value)

    def measure(self, positions: np.ndarray) -> int:
        """The width this column needs for the values at ``positions`` and its header."""
        width = cell_len(self.spec.title)
        if self.kind == "timestamp":
            return max(width, TIMESTAMP_WIDTH)
        if self.codes is not None and self.categories is not None:
            # Distinct values are what matter: the longest few hundred of them size the column.
            values = self.categories
            chosen = _longest(pd.Series(values.astype("str")))
            cells = [self._format(values[index]).plain for index in chosen]
        elif self.kind in ("text", "object"):
            chosen = _longest(self.series.astype("str"))
            cells = [self.plain(int(position)) for position in chosen]
        else:
            cells = [self.plain(int(position)) for position in positions[:_SAMPLE]]
        if cells:
            width = max(width, max(cell_len(cell) for cell in cells))
        return min(width, self.spec.width or DEFAULT_MAX_WIDTH)

    # -- filters ------------------------------------------------------------------------------

    def matches(self, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
        """Rows whose value passes ``test``, a vectorised string test on a Series.

        For a categorical column the test runs over the distinct values only and is mapped
        back through the codes, so it costs the same at 10k rows as at 1M.
        """
        if self.codes is not None and self.categories is not None:
            hits = test(pd.Series(self.categories.astype("str")))
            lookup = np.zeros(len(self.categories) + 1, dtype=bool)
            lookup[:-1] = hits.fillna(False).to_numpy(dtype=bool)
            found: np.ndarray = lookup[self.codes]  # code -1 (missing) reads the last, False
            return found
        values = self.series if self.kind in ("text", "object") else self.series.astype("str")
        try:
            result = test(values.astype("str"))
        except (TypeError, ValueError):
            result = test(pd.Series([visible(value) for value in values], dtype="str"))
        mask: np.ndarray = result.fillna(False).to_numpy(dtype=bool)
        return mask

    def contains(self, needle: str) -> np.ndarray:
        return self.matches(lambda values: values.str.contains(needle, case=False, regex=False))

    def equals(self, value: str) -> np.ndarray:
        if self.codes is not None and self.categories is not None:
            where = np.flatnonzero(self.categories.astype("str") == value)
            if not len(where):
                return np.zeros(len(self.codes), dtype=bool)
            same: np.ndarray = self.codes == where[0]
            return same
        return self.matches(lambda values: values == value)

    def choices(self) -> list[str]:
        """The values a ``choice`` filter offers: the categories present, most frequent first."""
        if self.codes is not None and self.categories is not None:
            counts = np.bincount(self.codes[self.codes >= 0], minlength=len(self.categories))
            present = np.flatnonzero(counts)
            if isinstance(self.series.dtype, pd.CategoricalDtype) and self.series.dtype.ordered:
                ordered = present
            elif self.series.dtype == STATUS_DTYPE:
                ordered = present  # the lifecycle order reads better than frequency
            else:
                ordered = present[np.argsort(-counts[present], kind="stable")]
            return [str(self.categories[code]) for code in ordered]
        counts = self.series.value_counts()
        return [str(value) for value in counts.index[:200]]

    # -- sorting ------------------------------------------------------------------------------

    def sort_key(self) -> tuple[np.ndarray, np.ndarray]:
        """A numeric key per row and where values are missing; computed once."""
        if self._sort_key is not None:
            return self._sort_key
        if self.codes is not None and self.categories is not None:
            missing = self.codes < 0
            if self.kind == "status" or getattr(self.series.dtype, "ordered", False):
                key = self.codes.astype(np.int64)  # lifecycle order for statuses
            else:
                # Arrow sorts a few hundred thousand distinct strings several times faster
                # than numpy sorts them as Python objects.
                order = pc.sort_indices(pa.array(self.categories.astype("str"))).to_numpy()
                rank = np.empty(len(self.categories), dtype=np.int64)
                rank[order] = np.arange(len(self.categories))
                key = rank[np.where(missing, 0, self.codes)]
        elif self.missing is not None and self.values is not None and self.kind != "object":
            missing = self.missing
            key = np.asarray(self.values)
            if key.dtype == bool:
                key = key.astype(np.int8)
        else:
            codes, _ = pd.factorize(self.series.astype("str"), sort=True)
            missing = self.series.isna().to_numpy() | (codes < 0)
            key = codes.astype(np.int64)
        self._sort_key = (key, missing)
        return self._sort_key


def _longest(values: pd.Series) -> np.ndarray:
    """Positions of the longest values (in characters) and of the first few: what a column
    must fit, found with one vectorised pass instead of measuring every value."""
    lengths = values.str.len().to_numpy(dtype="float64", na_value=0)
    if len(lengths) <= _SAMPLE:
        return np.arange(len(lengths))
    longest = np.argpartition(-lengths, _SAMPLE)[:_SAMPLE]
    return np.union1d(longest, np.arange(_SAMPLE // 5))


def _kind_of(name: str, series: pd.Series) -> ColumnKind:
    dtype = series.dtype
    if dtype == STATUS_DTYPE:
        return "status"
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return "timestamp"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "duration"
    if pd.api.types.is_integer_dtype(dtype):
        return "id" if name == "id" or name.endswith("Id") else "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_string_dtype(dtype):
        return "text"
    return "object"


def _as_utc(series: pd.Series) -> pd.Series:
    """Naive timestamps (a report's periods, say) are taken as they are, as if UTC."""
    return pd.to_datetime(series).dt.tz_localize(UTC)


class TableModel:
    """A frame prepared for a table: formats visible cells, filters and sorts by position.

    Args:
        frame: the data; never copied or changed.
        columns: what to show, in order (default: every column, formatted by dtype).
        filters: the filters the table offers (see :class:`FilterSpec`).
        search_columns: columns the free-text search looks in (default: the text columns).
        highlight: a boolean column; rows where it is true are drawn highlighted (see
            :meth:`highlighted`).
        zone: the time zone timestamps are shown in (default: the machine's).

    Example:
        >>> frame = pd.DataFrame({"status": ["DELIVERED", "SENT"], "n": [1, 2]})
        >>> model = TableModel(frame)
        >>> model.rows(Query(search="sent"), SortOrder("n", descending=True)).tolist()
        [1]
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        columns: Sequence[ColumnSpec] | None = None,
        *,
        filters: Sequence[FilterSpec] = (),
        search_columns: Sequence[str] | None = None,
        highlight: str | None = None,
        zone: tzinfo | None = None,
    ) -> None:
        self.frame = frame
        specs = (
            [spec for spec in columns if spec.name in frame.columns]
            if columns is not None
            else [ColumnSpec(str(name)) for name in frame.columns]
        )
        self.specs = specs
        self.zone = zone
        self._columns: dict[str, _Column] = {}
        self.columns = [self.column(spec.name, spec) for spec in specs]
        self.filters = [spec for spec in filters if spec.column in frame.columns]
        if search_columns is None:
            search_columns = [
                column.spec.name
                for column in self.columns
                if column.kind in ("text", "category", "object")
            ]
        self.search_columns = [name for name in search_columns if name in frame.columns]
        self.highlight = (
            frame[highlight].fillna(False).to_numpy(dtype=bool)
            if highlight is not None and highlight in frame.columns
            else None
        )
        self._orders: OrderedDict[tuple[str, bool], np.ndarray] = OrderedDict()
        self._widths: list[int] | None = None

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def labels(self) -> list[str]:
        return [spec.title for spec in self.specs]

    def column(self, name: str, spec: ColumnSpec | None = None) -> _Column:
        """The prepared column ``name`` (shown or not: filters may test hidden ones)."""
        prepared = self._columns.get(name)
        if prepared is None:
            prepared = _Column(spec or ColumnSpec(name), self.frame[name], self.zone)
            self._columns[name] = prepared
        return prepared

    # -- rows ---------------------------------------------------------------------------------

    def mask(self, query: Query) -> np.ndarray | None:
        """Rows that pass ``query``, or ``None`` when it filters nothing."""
        mask: np.ndarray | None = None
        by_key = {spec.key: spec for spec in self.filters}
        for key, value in query.active().items():
            spec = by_key.get(key)
            if spec is None:
                continue
            column = self.column(spec.column)
            if spec.mode == "choice":
                hit = column.equals(value)
            elif spec.mode == "number":
                needle = msisdn_digits(value)
                hit = column.contains(needle if needle else value.strip())
            else:
                hit = column.contains(value.strip())
            mask = hit if mask is None else mask & hit
        needle = query.search.strip()
        if needle:
            found = np.zeros(len(self.frame), dtype=bool)
            for name in self.search_columns:
                found |= self.column(name).contains(needle)
            mask = found if mask is None else mask & found
        return mask

    def order(self, sort: SortOrder | None) -> np.ndarray | None:
        """The whole frame's positions in ``sort`` order (``None``: the frame's own order)."""
        if sort is None or sort.column not in self.frame.columns:
            return None
        cache_key = (sort.column, sort.descending)
        cached = self._orders.get(cache_key)
        if cached is not None:
            self._orders.move_to_end(cache_key)
            return cached
        key, missing = self.column(sort.column).sort_key()
        present = np.flatnonzero(~missing)
        values = key[present]
        if sort.descending:
            # Reverse a stable ascending sort of the reversed rows: descending, and ties keep
            # the frame's order, as they do ascending.
            ranked = np.argsort(values[::-1], kind="stable")[::-1]
            ordered = present[::-1][ranked]
        else:
            ordered = present[np.argsort(values, kind="stable")]
        result = np.concatenate([ordered, np.flatnonzero(missing)]).astype(np.int64)
        self._orders[cache_key] = result
        if len(self._orders) > _SORT_CACHE:
            self._orders.popitem(last=False)
        return result

    def rows(self, query: Query, sort: SortOrder | None) -> np.ndarray:
        """Positions of the rows to show, in order."""
        mask = self.mask(query)
        order = self.order(sort)
        if order is None:
            if mask is None:
                return np.arange(len(self.frame), dtype=np.int64)
            return np.flatnonzero(mask).astype(np.int64)
        if mask is None:
            return order
        shown: np.ndarray = order[mask[order]]
        return shown

    def take(self, rows: np.ndarray) -> pd.DataFrame:
        """The frame's rows at ``rows``, every column, as real data (for export)."""
        taken = self.frame.iloc[rows].reset_index(drop=True)
        taken.attrs = dict(self.frame.attrs)
        return taken

    # -- display ------------------------------------------------------------------------------

    def display_row(self, position: int) -> list[Text | None]:
        """The cells of one row, formatted and safe to render."""
        return [column.display(position) for column in self.columns]

    def highlighted(self, position: int) -> bool:
        """Whether the row at ``position`` is one the report flags (the table draws the whole
        row, padding included, in its highlight style)."""
        return self.highlight is not None and bool(self.highlight[position])

    def widths(self) -> list[int]:
        """Content widths of the shown columns, measured on a sample."""
        if self._widths is None:
            sample = np.arange(min(len(self.frame), _SAMPLE))
            self._widths = [column.measure(sample) for column in self.columns]
        return self._widths

    def choices(self, key: str) -> list[str]:
        """The values offered by the ``choice`` filter ``key``."""
        spec = next((spec for spec in self.filters if spec.key == key), None)
        return self.column(spec.column).choices() if spec is not None else []

    def record(self, position: int) -> dict[str, Any]:
        """Every field of the row at ``position``, as Python values (NA as ``None``)."""
        return row_values(self.frame.iloc[position])
