"""What a dashboard table shows: a frame, a filter and a sort, resolved to row positions.

A :class:`TableModel` wraps one frame (sent, received, or any report) without copying it: what
it reads are numpy views and Arrow arrays over the frame's own buffers. A :class:`TableFilter`
(filters and a free-text search) becomes a boolean mask, and a :class:`SortOrder` a permutation
of the whole frame; the rows on screen are ``order[mask[order]]``, an array of positions. Nothing
here builds a Python object per row: cells are formatted only when the table asks for a visible
row (:meth:`TableModel.display_row`).

What keeps a filter or a sort fast at millions of rows:

- The categorical columns of the frames: a status, sender or campaign filter compares integer
  codes, and a text search runs once over the distinct values (Arrow compute, on their lowered
  text) and is then mapped back over the rows through their codes.
- Keys computed once per column, ahead of the user: :meth:`TableModel.prepare` (which the
  dashboard runs in a worker thread when a frame arrives) lowers the searched text and orders
  the rows by each shown column, so a sort is a lookup; the reverse order is derived from it in
  linear time. A search or sort asked for before its key is ready computes it, or waits for the
  thread already computing it: it is slower then, never wrong.
- Integer sorts by radix: a categorical column sorts by the rank of its values, which numpy
  orders in one or two linear passes.

This module does not import Textual, so it can be tested and benchmarked on its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal, TypeVar, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rich.cells import cell_len
from rich.text import Text

from ..frames import STATUS_DTYPE, is_missing, row_values
from ..msisdn import display_number, msisdn_digits
from ..report.tables import format_duration
from .safe_text import cell_text, visible

__all__ = [
    "ColumnKind",
    "ColumnSpec",
    "FilterSpec",
    "SortOrder",
    "TableFilter",
    "TableModel",
    "format_duration",
    "format_timestamp",
]

ColumnKind = Literal[
    "text", "category", "status", "int", "id", "float", "money", "percent", "timestamp",
    "duration", "bool", "object", "phone",
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
_DESCENDING_CACHE = 4
"""Descending orders kept once derived (4 or 8 bytes a row each)."""


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
        key: the name the :class:`TableFilter` uses for it.
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
class TableFilter:
    """A table's own filters and search, as the user sets them above it: every filter (by
    :attr:`FilterSpec.key`) and the search must match. Empty values filter nothing.

    Not a :class:`smstools_tui.query.Query`: that is a request for messages (a drill-down, a
    saved view), which decides which rows a table holds; a table filter only narrows what the
    table shows of them, by what the user types.
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
    """One frame column, ready to format a cell, test a filter and order the rows.

    It holds views of the frame's own buffers (categorical codes, timestamps as integers, Arrow
    strings), never a copy of the frame.
    """

    def __init__(self, spec: ColumnSpec, series: pd.Series, zone: tzinfo | None) -> None:
        self.spec = spec
        self.zone = zone
        self.series = series
        self.kind: ColumnKind = spec.kind or _kind_of(spec.name, series)
        self.codes: np.ndarray | None = None
        self.categories: pd.Index | None = None
        self.stamps: np.ndarray | None = None
        self._numbers: tuple[np.ndarray, np.ndarray] | None = None
        self._labels: dict[int, Text] = {}
        self._strings: pa.Array | None = None
        self._ties: np.ndarray | None = None
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            categorical = cast("pd.Categorical", series.array)
            self.codes = categorical.codes  # a view: ``series.cat.codes`` would copy them
            self.categories = categorical.categories
        elif self.kind == "timestamp":
            stamps = series if isinstance(dtype, pd.DatetimeTZDtype) else _as_utc(series)
            if stamps.dt.unit != "us":  # the frames' unit; as_unit("us") would copy them
                stamps = stamps.dt.as_unit("us")
            self.stamps = cast("pd.arrays.DatetimeArray", stamps.array).asi8

    @property
    def numeric(self) -> bool:
        """Whether the column sorts by number (timestamps, durations, numbers, booleans)."""
        return self.codes is None and self.kind not in (
            "text", "category", "status", "object", "phone"
        )  # fmt: skip

    def numbers(self) -> tuple[np.ndarray, np.ndarray]:
        """A numeric column as numbers (microseconds, seconds, the values) and where they are
        missing; made when first asked for (by a sort, not by the first screen)."""
        if self._numbers is not None:
            return self._numbers
        series, dtype = self.series, self.series.dtype
        if self.stamps is not None:
            values, missing = self.stamps, self.stamps == _NAT
        elif self.kind == "duration":
            # The reports give durations as float seconds (``median_delivery_seconds``), the
            # frames as timedeltas; to_timedelta would read bare numbers as nanoseconds.
            if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
                seconds = series.astype("float64")
            else:
                seconds = pd.to_timedelta(series).dt.total_seconds()
            values = seconds.to_numpy(dtype="float64", na_value=np.nan)
            missing = np.isnan(values)
        elif dtype == np.float64 and self.kind != "bool":
            values = series.to_numpy()  # the frame's own floats: NaN is the missing value
            missing = np.isnan(values)
        else:
            missing = series.isna().to_numpy()
            target = "int64" if self.kind in ("int", "id") else "float64"
            if self.kind == "bool":
                target = "bool"
            fill: Any = False if target == "bool" else 0
            values = series.to_numpy(dtype=target, na_value=fill)
        self._numbers = (values, missing)
        return self._numbers

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
        if self.stamps is not None:
            stamp = int(self.stamps[position])
            return None if stamp == _NAT else self._format(stamp)
        if self.kind == "duration":
            seconds, missing = self.numbers()
            return None if missing[position] else self._format(seconds[position])
        # One value read where it is: the first screen converts no column in full.
        value = self.series.array[position]
        return None if is_missing(value) else self._format(value)

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
        if kind == "phone":
            return cell_text(display_number(str(value)))
        return cell_text(value)

    def measure(self, positions: np.ndarray) -> int:
        """The width this column needs for the values at ``positions`` and its header."""
        width = cell_len(self.spec.title)
        if self.kind == "timestamp":
            return max(width, TIMESTAMP_WIDTH)
        if self.codes is not None and self.categories is not None:
            # Distinct values are what matter: the longest few hundred of them size the column.
            chosen = _longest(self.strings())
            cells = [self._format(self.categories[int(index)]).plain for index in chosen]
        elif self.kind in ("text", "object"):
            chosen = _longest(self.strings())
            cells = [self.plain(int(position)) for position in chosen]
        else:
            cells = [self.plain(int(position)) for position in positions[:_SAMPLE]]
        if cells:
            width = max(width, max(cell_len(cell) for cell in cells))
        return min(width, self.spec.width or DEFAULT_MAX_WIDTH)

    # -- filters ------------------------------------------------------------------------------

    def strings(self) -> pa.Array:
        """The values as Arrow strings: the distinct values of a categorical column (in code
        order), every row's value otherwise. A view of the frame's own Arrow buffers when it has
        them; missing values are null."""
        if self._strings is None:
            source = self.categories if self.categories is not None else self.series
            self._strings = _arrow_strings(source)
        return self._strings

    def folded(self) -> pa.Array:
        """:meth:`strings` in lower case: what the search and the text filters look in.

        Made once per column (by :meth:`TableModel.prepare`, or by the first search): lowering
        a million texts takes a while, matching them lowered is then twice as fast as matching
        while ignoring case.
        """
        return pc.utf8_lower(self.strings())

    def contains(self, needle: str, folded: pa.Array) -> np.ndarray | None:
        """Rows whose value contains ``needle``, ignoring case (``folded`` is :meth:`folded`);
        ``None`` when no row does. ``needle`` is literal text, never a pattern.

        For a categorical column the test runs over the distinct values only and is mapped back
        through the codes, so it costs the same at 10k rows as at 1M.
        """
        # RE2 finds a literal with memchr, faster than Arrow's plain substring matcher.
        hits = pc.match_substring_regex(folded, _literal_pattern(_fold(needle)))
        return self._rows_where(hits)

    def equals(self, value: str) -> np.ndarray | None:
        """Rows whose value is exactly ``value``; ``None`` when no row's is."""
        if self.codes is not None and self.categories is not None:
            where = np.flatnonzero(pc.equal(self.strings(), value).to_numpy(zero_copy_only=False))
            if not len(where):
                return None
            same: np.ndarray = self.codes == where[0]
            return same
        return self._rows_where(pc.equal(self.strings(), value))

    def _rows_where(self, hits: pa.Array) -> np.ndarray | None:
        """The rows whose value is one of ``hits`` (a boolean per value of :meth:`strings`)."""
        found: np.ndarray = pc.fill_null(hits, False).to_numpy(zero_copy_only=False)
        if not found.any():
            return None  # spares a pass over every row
        if self.codes is None:
            return found
        lookup = np.zeros(len(found) + 1, dtype=bool)
        lookup[:-1] = found
        rows: np.ndarray = lookup[self.codes]  # code -1 (missing) reads the last, False
        return rows

    def choices(self) -> list[str]:
        """The values a ``choice`` filter offers: the categories present, most frequent first."""
        if self.codes is not None and self.categories is not None:
            counts = _code_counts(self.codes, len(self.categories))
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

    def ascending(self) -> tuple[np.ndarray, int]:
        """The frame's positions by ascending value, ties in the frame's order, missing values
        last; and how many values are not missing.

        This is the costly part of a sort (the rest is linear): :meth:`TableModel.prepare`
        computes it once per column, ahead of the user's first sort.
        """
        dtype = _positions_dtype(len(self.series))
        if self.codes is not None and self.categories is not None:
            missing = self.codes < 0
            present = _present(missing)
            codes = self.codes if present is None else self.codes[present]
            if self.kind == "status" or getattr(self.series.dtype, "ordered", False):
                key = codes  # the lifecycle order for statuses
            else:
                # Arrow sorts the distinct strings (a few hundred thousand for texts) far faster
                # than numpy sorts Python strings; the rows then sort by the small integer rank.
                by_value = pc.sort_indices(self.strings()).to_numpy()
                rank = np.empty(len(by_value), dtype=np.int64)
                rank[by_value] = np.arange(len(by_value))
                key = rank[codes]
            ordered = _stable_argsort_ranks(key, len(self.categories))
        elif self.numeric:
            values, missing = self.numbers()
            present = _present(missing)
            if present is not None:
                values = values[present]
            if values.dtype == bool:
                ordered = _stable_argsort_ranks(values.view(np.uint8), 2)
            else:
                ordered = np.argsort(values, kind="stable")
        else:
            try:
                strings = self.strings()
            except (pa.ArrowException, TypeError, ValueError):
                return self._ascending_by_text(dtype)
            # Arrow's sort is stable and puts nulls (missing values) last.
            by_value = pc.sort_indices(strings).to_numpy()
            return by_value.astype(dtype, copy=False), len(strings) - strings.null_count
        if present is not None:
            ordered = present[ordered]
        result = np.empty(len(missing), dtype=dtype)
        result[: len(ordered)] = ordered
        result[len(ordered) :] = np.flatnonzero(missing)
        return result, len(ordered)

    def _ascending_by_text(self, dtype: np.dtype[Any]) -> tuple[np.ndarray, int]:
        """Values of no one type (a report's object column): by their text."""
        codes, _ = pd.factorize(self.series.astype("str"), sort=True)
        missing = self.series.isna().to_numpy() | (codes < 0)
        present = np.flatnonzero(~missing)
        self._ties = codes
        ordered = present[np.argsort(codes[present], kind="stable")]
        result = np.concatenate([ordered, np.flatnonzero(missing)]).astype(dtype)
        return result, len(ordered)

    def value_changes(self, ordered: np.ndarray) -> np.ndarray:
        """Where a new value starts in ``ordered`` (positions of present values in ascending
        order, from :meth:`ascending`): the indexes ``i > 0`` whose value differs from the one
        before."""
        if len(ordered) < 2:
            return np.zeros(0, dtype=np.int64)
        keys: Any
        if self.codes is not None:
            keys = self.codes[ordered]  # one code per distinct value
        elif self._ties is not None:
            keys = self._ties[ordered]
        elif self.numeric:
            keys = self.numbers()[0][ordered]
        else:
            taken = self.strings().take(pa.array(ordered))
            differs = pc.not_equal(taken.slice(1), taken.slice(0, len(taken) - 1))
            return np.flatnonzero(differs.to_numpy(zero_copy_only=False)) + 1
        return np.flatnonzero(keys[1:] != keys[:-1]) + 1


def _code_counts(codes: np.ndarray, distinct: int) -> np.ndarray:
    """How many rows have each code (missing values, code -1, not counted)."""
    # Arrow counts the codes where they are; numpy's bincount would first widen them all.
    counted = pc.value_counts(pa.array(codes))
    values = counted.field("values").to_numpy()
    present = values >= 0
    counts = np.zeros(distinct, dtype=np.int64)
    counts[values[present]] = counted.field("counts").to_numpy()[present]
    return counts


def _fold(text: str) -> str:
    """``text`` in lower case, as Arrow lowers a column (:meth:`_Column.folded`)."""
    folded: str = pc.utf8_lower(pa.scalar(text, type=pa.string())).as_py()
    return folded


def _literal_pattern(text: str) -> str:
    """An RE2 pattern matching ``text`` literally: every character as its code point, so
    nothing the user types is read as regular expression syntax."""
    return "".join(f"\\x{{{ord(character):x}}}" for character in text)


def _present(missing: np.ndarray) -> np.ndarray | None:
    """Positions where a value is present; ``None`` when every one is (no copy to make)."""
    return np.flatnonzero(~missing) if missing.any() else None


def _positions_dtype(rows: int) -> np.dtype[Any]:
    """Row positions in 4 bytes while they fit: half the memory of the default 8."""
    return np.dtype(np.int32 if rows < np.iinfo(np.int32).max else np.int64)


def _stable_argsort_ranks(key: np.ndarray, distinct: int) -> np.ndarray:
    """The stable ascending order of ``key``, integer ranks in ``[0, distinct)``.

    numpy sorts integers of 8 or 16 bits stably by radix, in linear time: small ranges sort in
    one pass, ranks up to 2³² in two (the low half first, then, stably, the high half), several
    times faster than a comparison sort of the same keys.
    """
    if distinct <= 1 << 8:
        return np.argsort(key.astype(np.uint8), kind="stable")
    if distinct <= 1 << 16:
        return np.argsort(key.astype(np.uint16), kind="stable")
    if distinct <= 1 << 32:
        wide = key.astype(np.uint32, copy=False)
        by_low = np.argsort((wide & 0xFFFF).astype(np.uint16), kind="stable")
        by_high = np.argsort((wide[by_low] >> 16).astype(np.uint16), kind="stable")
        ordered: np.ndarray = by_low[by_high]
        return ordered
    return np.argsort(key, kind="stable")


def _reverse_runs(ordered: np.ndarray, changes: np.ndarray) -> np.ndarray:
    """``ordered`` (ascending, ties in the frame's order) turned descending, ties still in the
    frame's order: the runs of equal values in reverse, each run as it was. Linear time.

    Example:
        >>> _reverse_runs(np.array([4, 0, 3, 1, 2]), np.array([1, 3])).tolist()
        [1, 2, 0, 3, 4]
    """
    count = len(ordered)
    if len(changes) == count - 1:
        reverse: np.ndarray = ordered[::-1].copy()  # every value distinct: no ties to keep
        return reverse
    dtype = _positions_dtype(count)
    starts = np.concatenate(([0], changes)).astype(dtype)
    ends = np.concatenate((changes, [count])).astype(dtype)
    # The run [start, end) moves to [count - end, count - start): each item shifts the same.
    target = np.repeat(count - ends - starts, ends - starts)
    target += np.arange(count, dtype=dtype)
    result = np.empty_like(ordered)
    result[target] = ordered
    return result


def _arrow_strings(values: pd.Series | pd.Index) -> pa.Array:
    """``values`` as Arrow strings (missing: null), without a copy when they already are."""
    try:
        array = pa.array(values.array, from_pandas=True)
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            return array
        return pc.cast(array, pa.string())
    except (pa.ArrowException, TypeError, ValueError):
        # Values with no text form in Arrow: as the table draws them.
        return pa.array(
            [None if is_missing(value) else visible(value) for value in values],
            type=pa.string(),
        )


def _longest(strings: pa.Array) -> np.ndarray:
    """Positions of the longest values and of the first few: what a column must fit, found
    without measuring every value. Long is by UTF-8 bytes, which Arrow reads off the offsets
    at once; the chosen values are then measured in terminal cells."""
    if len(strings) <= _SAMPLE:
        return np.arange(len(strings))
    lengths = pc.fill_null(pc.binary_length(strings), 0)
    # Arrow's top-k: numpy's argpartition crawls over the few distinct lengths texts have.
    longest = pc.select_k_unstable(lengths, _SAMPLE, sort_keys=[("length", "descending")])
    return np.union1d(longest.to_numpy(), np.arange(_SAMPLE // 5))


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


_T = TypeVar("_T")


class _OnceEach:
    """Values computed once each, by whichever thread asks first.

    A thread asking for a value that another thread is computing waits for it rather than
    computing it twice; if that computation failed, the asking thread computes it itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._futures: dict[Hashable, Future[Any]] = {}

    def get(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if future is None:
                future = self._futures[key] = Future()
        if not owner:
            try:
                return cast("_T", future.result())
            except Exception:
                return self.get(key, compute)  # the failed claim was withdrawn: ours now
        try:
            value = compute()
        except BaseException as error:
            with self._lock:
                del self._futures[key]
            future.set_exception(error)
            raise
        future.set_result(value)
        return value

    def done(self, key: Hashable) -> bool:
        """Whether ``key`` has been computed."""
        future = self._futures.get(key)
        return future is not None and future.done() and future.exception() is None

    def values(self) -> list[Any]:
        """The values computed so far."""
        with self._lock:
            futures = list(self._futures.values())
        return [future.result() for future in futures if future.done() and not future.exception()]


class TableModel:
    """A frame prepared for a table: formats visible cells, filters and sorts by position.

    Sorting by a column the first time orders the whole frame, and the first search lowers every
    text; :meth:`prepare` does both ahead of time (call it from a worker thread: the event loop
    keeps running through the few seconds millions of rows take). Every other method is quick
    at any size and safe to call while :meth:`prepare` runs: a search or sort asked for before
    its key is ready computes it, or waits for the thread computing it.

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
        >>> model.rows(TableFilter(search="sent"), SortOrder("n", descending=True)).tolist()
        [1]
        >>> model.prepare()
        True
        >>> model.rows(TableFilter(), SortOrder("n", descending=True)).tolist()
        [1, 0]
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
                if column.kind in ("text", "category", "object", "phone")
            ]
        self.search_columns = [name for name in search_columns if name in frame.columns]
        self.highlight = (
            frame[highlight].to_numpy(dtype=bool, na_value=False)
            if highlight is not None and highlight in frame.columns
            else None
        )
        self._once = _OnceEach()
        self._descending: OrderedDict[str, np.ndarray] = OrderedDict()
        self._closed = False
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

    # -- keys, ahead of time ------------------------------------------------------------------

    def prepare(self, should_stop: Callable[[], bool] = lambda: False) -> bool:
        """Compute, once, what the first search and the first sort by each column need: the
        lowered text the search and the text filters look in, and each shown column's
        ascending order.

        Blocks for as long as that takes (seconds at millions of rows), so run it in a worker
        thread; most of the time is spent in numpy and Arrow, which let other threads run.
        Stops early once :meth:`close` was called or ``should_stop()`` is true.

        Returns:
            Whether everything is prepared.
        """
        for key, compute in self._preparations():
            if self._closed or should_stop():
                return False
            self._once.get(key, compute)
        return True

    @property
    def prepared(self) -> bool:
        """Whether no search or sort has anything costly left to compute."""
        return all(self._once.done(key) for key, _ in self._preparations())

    def _preparations(self) -> list[tuple[tuple[str, str], Callable[[], object]]]:
        searched = [*self.search_columns]
        searched += [spec.column for spec in self.filters if spec.mode != "choice"]
        folded = [self.column(name) for name in dict.fromkeys(searched)]
        return [
            *((("folded", column.spec.name), column.folded) for column in folded),
            *((("ascending", column.spec.name), column.ascending) for column in self.columns),
        ]

    def can_sort(self, sort: SortOrder | None) -> bool:
        """Whether rows in ``sort`` order come at once (its column is prepared, or there is no
        sort): if not, :meth:`rows` first orders the whole frame by that column."""
        if sort is None or sort.column not in self.frame.columns:
            return True
        return self._once.done(("ascending", sort.column))

    def close(self) -> None:
        """Stop :meth:`prepare` after the column it is computing: the model is being replaced.
        The model still works, computing what it is asked for when asked."""
        self._closed = True

    def nbytes(self) -> int:
        """Memory the model holds besides the frame's: the sort orders, the lowered text, the
        numbers and masks it made (views of the frame's own memory are not counted)."""
        total = 0
        for value in self._once.values():
            if isinstance(value, pa.Array):
                total += value.nbytes  # lowered text: Arrow's, but this model's alone
            else:
                total += value[0].nbytes  # an ascending order
        total += sum(order.nbytes for order in self._descending.values())
        for column in self._columns.values():
            made = [*(column._numbers or ()), column._ties]
            total += sum(array.nbytes for array in made if array is not None and array.base is None)
        if self.highlight is not None:
            total += self.highlight.nbytes
        return total

    def forget_descending(self) -> None:
        """Drop the descending orders derived so far (the prepared ascending ones stay). They
        are derived again, in linear time, when asked for: this frees their memory, and lets a
        benchmark time a first sort more than once."""
        self._descending.clear()

    def _ascending_order(self, column: _Column) -> tuple[np.ndarray, int]:
        return self._once.get(("ascending", column.spec.name), column.ascending)

    # -- rows ---------------------------------------------------------------------------------

    def mask(self, table_filter: TableFilter) -> np.ndarray | None:
        """Rows that pass ``table_filter``, or ``None`` when it filters nothing."""
        mask: np.ndarray | None = None
        by_key = {spec.key: spec for spec in self.filters}
        for key, value in table_filter.active().items():
            spec = by_key.get(key)
            if spec is None:
                continue
            column = self.column(spec.column)
            if spec.mode == "choice":
                hit = column.equals(value)
            elif spec.mode == "number":
                needle = msisdn_digits(value)
                hit = self._contains(column, needle if needle else value.strip())
            else:
                hit = self._contains(column, value.strip())
            if hit is None:
                return np.zeros(len(self.frame), dtype=bool)
            mask = hit if mask is None else np.logical_and(mask, hit, out=mask)
        needle = table_filter.search.strip()
        if needle:
            found = np.zeros(len(self.frame), dtype=bool)
            for name in self.search_columns:
                hit = self._contains(self.column(name), needle)
                if hit is not None:
                    np.logical_or(found, hit, out=found)
            mask = found if mask is None else np.logical_and(mask, found, out=mask)
        return mask

    def _contains(self, column: _Column, needle: str) -> np.ndarray | None:
        return column.contains(needle, self._once.get(("folded", column.spec.name), column.folded))

    def order(self, sort: SortOrder | None) -> np.ndarray | None:
        """The whole frame's positions in ``sort`` order (``None``: the frame's own order).

        Ties keep the frame's order in both directions; missing values always go last.
        """
        if sort is None or sort.column not in self.frame.columns:
            return None
        column = self.column(sort.column)
        ascending, present = self._ascending_order(column)
        if not sort.descending:
            return ascending
        cached = self._descending.get(sort.column)
        if cached is not None:
            self._descending.move_to_end(sort.column)
            return cached
        ordered = ascending[:present]
        result = np.empty_like(ascending)
        result[:present] = _reverse_runs(ordered, column.value_changes(ordered))
        result[present:] = ascending[present:]
        self._descending[sort.column] = result
        if len(self._descending) > _DESCENDING_CACHE:
            self._descending.popitem(last=False)
        return result

    def rows(self, table_filter: TableFilter, sort: SortOrder | None) -> np.ndarray:
        """Positions of the rows to show, in order."""
        mask = self.mask(table_filter)
        order = self.order(sort)
        if order is None:
            dtype = _positions_dtype(len(self.frame))
            if mask is None:
                return np.arange(len(self.frame), dtype=dtype)
            return np.flatnonzero(mask).astype(dtype)
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
