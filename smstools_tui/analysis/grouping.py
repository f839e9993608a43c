"""One way to split messages into groups, shared by every report: ``group_key`` and ``Groups``.

A report "by day", "by campaign" or "by country" is the same computation over different group
labels, so the labels are made here once and the reports only aggregate over integer group codes
(``numpy.bincount`` and friends), which keeps a million rows fast.

Time buckets are calendar days, ISO weeks (starting on Monday) and months **in the user's time
zone**: a message sent at 00:30 in Rome on the first of the month belongs to that month, even
though it is still the previous day in UTC. Daylight-saving changes are handled by the zone's
rules; ``tz`` defaults to the machine's zone (``TZ`` when set).

Charts over time draw the buckets of a window: :func:`time_buckets` picks day, week or month for
the window's length (one rule for the HTML report, the dashboard and the notebooks) and marks the
buckets the window covers only in part, whose totals are not comparable with the others'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
import pandas as pd

from ..dates import local_zone, resolve_zone
from ..errors import ConfigError
from ..frames import (
    ACCOUNT_COLUMN,
    DEFAULT_ACCOUNT,
    RECEIVED_SCHEMA,
    SENT_SCHEMA,
    STATUS_DTYPE,
    FrameSchema,
    coerce_frame,
)
from ..query import Span
from .numbers import destinations

__all__ = [
    "BY_CHOICES",
    "CHART_BARS",
    "NO_VALUE",
    "TIME_BUCKETS",
    "Groups",
    "TimeBuckets",
    "bucket_span",
    "group_key",
    "local_zone",
    "resolve_zone",
    "time_buckets",
]

BY_CHOICES: tuple[str, ...] = (
    "day", "week", "month", "sender", "campaign", "country", "status", "encoding", "account",
)  # fmt: skip
"""What a report can be grouped by. ``account`` is the ``account`` column of frames of several
accounts (``--all-accounts``); a frame without it is one account's, ``default``."""
TIME_BUCKETS: tuple[str, ...] = ("day", "week", "month")

NO_VALUE = "(none)"
"""The group of messages without a value: no campaign id, no sender, no date, no status."""

_COLUMN_OF = {
    "sender": "from", "campaign": "transactionId", "status": "status", "encoding": "encoding",
    "account": ACCOUNT_COLUMN,
}  # fmt: skip


CHART_BARS = 35
"""A chart over time draws the finest of day, week and month that fits the window in at most
this many of them: a bar a day up to five weeks, a bar a week up to eight months, else a bar a
month (a chart stays readable in half a terminal's width, and in a report)."""

_BUCKET_DAYS = {"day": 1, "week": 7}


@dataclass(frozen=True)
class TimeBuckets:
    """The calendar buckets a window touches in a zone: the bars of a chart over time.

    Made by :func:`time_buckets`.

    Attributes:
        by: ``day``, ``week`` or ``month``.
        labels: every bucket the window touches, in time order, labelled as :func:`group_key`
            labels them (a bucket without messages is listed too: a gap, not a missing bar).
        partial: per bucket, whether the window covers only part of it (the first one may
            start before the window, the last one end after it, as the current week does):
            its totals are not comparable with a whole bucket's.
        zone: the zone of the calendar.
    """

    by: str
    labels: tuple[str, ...]
    partial: tuple[bool, ...]
    zone: tzinfo

    @property
    def partial_labels(self) -> tuple[str, ...]:
        """The labels of the partial buckets."""
        return tuple(label for label, cut in zip(self.labels, self.partial, strict=True) if cut)

    def mark(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (a report grouped by :attr:`by`, perhaps with other keys) with a boolean
        ``partial`` column right after its :attr:`by` column; rows of no bucket of the window
        (the :data:`NO_VALUE` group) are not partial.

        Example:
            >>> from smstools_tui.query import Span
            >>> from datetime import UTC, datetime
            >>> window = Span(datetime(2026, 11, 4, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC))
            >>> report = pd.DataFrame({"week": ["2026-11-02", "2026-11-09"], "messages": [5, 8]})
            >>> time_buckets(window, "week", tz="UTC").mark(report).to_dict("list")
            {'week': ['2026-11-02', '2026-11-09'], 'partial': [True, False], 'messages': [5, 8]}
        """
        if self.by not in frame.columns:
            raise ValueError(f"the frame has no {self.by} column to mark")
        cut = dict(zip(self.labels, self.partial, strict=True))
        partial = [cut.get(label, False) for label in frame[self.by].astype("object")]
        out = frame.drop(columns="partial", errors="ignore")
        out.insert(out.columns.get_loc(self.by) + 1, "partial", np.array(partial, dtype=bool))
        return out


def time_buckets(
    window: Span, by: str | None = None, *, tz: str | tzinfo | None = None
) -> TimeBuckets:
    """The day, week or month buckets of ``window`` in ``tz``, the partial ones marked.

    Args:
        window: the half-open span ``[start, end)`` the messages were read for.
        by: ``day``, ``week`` or ``month``; ``None`` picks the finest that draws the window in
            at most :data:`CHART_BARS` bars.
        tz: the zone of the calendar (default: the local zone).

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 9, 1, tzinfo=UTC),  # a Tuesday
        ...               datetime(2026, 11, 25, 10, tzinfo=UTC))
        >>> buckets = time_buckets(window, tz="UTC")
        >>> buckets.by, len(buckets.labels), buckets.labels[0], buckets.partial_labels
        ('week', 13, '2026-08-31', ('2026-08-31', '2026-11-23'))
        >>> time_buckets(window, "month", tz="UTC").partial
        (False, False, True)
    """
    zone = resolve_zone(tz)
    if by is None:
        days = window.duration / timedelta(days=1)
        by = next((key for key, size in _BUCKET_DAYS.items() if days <= CHART_BARS * size), "month")
    if by not in TIME_BUCKETS:
        raise ConfigError(f"cannot draw time by {by!r}: use one of {', '.join(TIME_BUCKETS)}")
    # The window is half-open: its last instant is just before ``until``.
    first = window.start.astimezone(zone).date()
    last = (window.end - timedelta(microseconds=1)).astimezone(zone).date()
    start = _bucket_start(first, by)
    labels: list[str] = []
    partial: list[bool] = []
    while start <= last:
        end = _next_bucket(start, by)
        labels.append(start.isoformat()[:7] if by == "month" else start.isoformat())
        partial.append(_midnight(start, zone) < window.start or _midnight(end, zone) > window.end)
        start = end
    return TimeBuckets(by, tuple(labels), tuple(partial), zone)


def bucket_span(label: str, by: str, *, tz: str | tzinfo | None = None) -> Span:
    """The instants of the day, week or month ``label`` (as :func:`group_key` labels it) in
    ``tz``: from its first midnight to the next bucket's, so a message is in the span exactly
    when its bucket is ``label`` (days of 23 or 25 hours included).

    Raises:
        ConfigError: ``by`` is not a time bucket, or ``label`` is not one of its labels.

    Example:
        >>> print(bucket_span("2026-03-29", "day", tz="Europe/Rome"))  # 23 hours: clocks go forward
        2026-03-28T23:00:00+00:00 .. 2026-03-29T22:00:00+00:00
        >>> print(bucket_span("2026-11", "month", tz="UTC"))
        2026-11-01T00:00:00+00:00 .. 2026-12-01T00:00:00+00:00
    """
    if by not in TIME_BUCKETS:
        raise ConfigError(f"{by!r} is not a time bucket: use one of {', '.join(TIME_BUCKETS)}")
    try:
        start = date.fromisoformat(f"{label}-01" if by == "month" else label)
    except ValueError:
        raise ConfigError(f"{label!r} is not a {by}") from None
    if _bucket_start(start, by) != start or len(label) != (7 if by == "month" else 10):
        raise ConfigError(f"{label!r} is not a {by}")
    zone = resolve_zone(tz)
    return Span(_midnight(start, zone), _midnight(_next_bucket(start, by), zone))


def _bucket_start(day: date, by: str) -> date:
    if by == "month":
        return day.replace(day=1)
    if by == "week":
        return day - timedelta(days=day.weekday())
    return day


def _next_bucket(start: date, by: str) -> date:
    if by == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=_BUCKET_DAYS[by])


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The instant ``day`` starts in ``zone`` (the zone's rules decide a skipped midnight)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def group_key(
    frame: pd.DataFrame,
    by: str,
    *,
    tz: str | tzinfo | None = None,
    time_column: str = "insertDate",
) -> pd.Series:
    """The group label of every message, as a ``category`` named ``by``.

    Args:
        frame: a sent frame (``day``/``week``/``month`` also work on a received frame with
            ``time_column="receiveDate"``).
        by: one of :data:`BY_CHOICES`. ``day`` labels are ``2026-11-02``, ``week`` labels the
            Monday that starts the week (``2026-11-02``), ``month`` labels are ``2026-11``;
            ``country`` is the recipient's region (see
            :func:`~smstools_tui.analysis.destinations`).
        tz: the zone the calendar is read in (default: the local zone).
        time_column: the timestamp time buckets are read from.

    Messages without a value are in the :data:`NO_VALUE` group, never dropped. Time labels
    are ordered chronologically.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "to": "393480000000",
        ...                     "insertDate": "2026-03-28T23:30:00+0000"}])
        >>> group_key(sent, "day", tz="Europe/Rome").tolist(), group_key(sent, "campaign").tolist()
        (['2026-03-29'], ['(none)'])
    """
    if by in TIME_BUCKETS:
        codes, labels = _time_codes(frame[time_column], by, resolve_zone(tz))
    elif by == "country":
        country = destinations(frame["to"])["country"]
        codes, labels = country.cat.codes.to_numpy(np.int64), country.cat.categories
    elif by == "account" and ACCOUNT_COLUMN not in frame:
        codes = np.zeros(len(frame), dtype=np.int64)
        labels = pd.Index([DEFAULT_ACCOUNT], dtype="str")
    elif by in _COLUMN_OF:
        column = frame[_COLUMN_OF[by]]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype("category")
        codes, labels = column.cat.codes.to_numpy(np.int64), column.cat.categories
    else:
        raise ConfigError(f"cannot group by {by!r}: use one of {', '.join(BY_CHOICES)}")
    return _categorical(codes, pd.Index(labels, dtype="str"), frame.index, by)


def _categorical(codes: np.ndarray, labels: pd.Index, index: pd.Index, name: str) -> pd.Series:
    if (codes < 0).any():
        if NO_VALUE not in labels:
            labels = labels.append(pd.Index([NO_VALUE], dtype="str"))
        codes = np.where(codes < 0, labels.get_loc(NO_VALUE), codes)
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=labels), index=index, name=name, copy=False
    )


def _time_codes(stamps: pd.Series, by: str, zone: tzinfo) -> tuple[np.ndarray, pd.Index]:
    """Codes into chronologically sorted labels of day, week or month buckets in ``zone``."""
    utc = pd.Series(stamps, copy=False)
    if not isinstance(utc.dtype, pd.DatetimeTZDtype):
        utc = pd.to_datetime(utc, utc=True)
    wall = utc.dt.tz_convert(zone).dt.tz_localize(None).to_numpy()
    missing = np.isnat(wall)
    unit = "M" if by == "month" else "D"
    buckets = wall.astype(f"datetime64[{unit}]").view(np.int64)
    if by == "week":
        # Day 0 (1970-01-01) was a Thursday: (day + 3) % 7 counts days since Monday.
        buckets = buckets - (buckets + 3) % 7
    present, inverse = np.unique(buckets[~missing], return_inverse=True)
    codes = np.full(len(buckets), -1, dtype=np.int64)
    codes[~missing] = inverse
    starts = present.astype(f"datetime64[{unit}]")
    labels = np.datetime_as_string(starts, unit=unit)  # type: ignore[call-overload]
    return codes, pd.Index(labels, dtype="str")


@dataclass(frozen=True)
class Groups:
    """Messages split into groups: an integer code per message and the groups' labels.

    ``Groups.of(sent, None)`` is one group of everything; ``Groups.of(sent, ["month",
    "country"])`` groups by both keys (only combinations that occur). The aggregation helpers
    return one value per group, in label order.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "from": s} for i, s in enumerate("ABA")])
        >>> groups = Groups.of(sent, "sender")
        >>> groups.frame({"messages": groups.count()}).to_dict("list")
        {'sender': ['A', 'B'], 'messages': [2, 1]}
    """

    codes: np.ndarray
    labels: pd.DataFrame  # one row per group, one column per key (no columns: everything)

    @classmethod
    def of(
        cls,
        frame: pd.DataFrame,
        by: str | Sequence[str] | None,
        *,
        tz: str | tzinfo | None = None,
        time_column: str = "insertDate",
    ) -> Groups:
        keys = [by] if isinstance(by, str) else list(by or ())
        if not keys:
            return cls(np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=range(1)))
        zone = resolve_zone(tz) if any(key in TIME_BUCKETS for key in keys) else None
        columns = [group_key(frame, key, tz=zone, time_column=time_column) for key in keys]
        if len(columns) == 1:
            return cls._from_categorical(columns[0])
        flat = np.ravel_multi_index(
            [column.cat.codes.to_numpy(np.int64) for column in columns],
            [len(column.cat.categories) for column in columns],
        )
        present, codes = np.unique(flat, return_inverse=True)
        parts = np.unravel_index(present, [len(column.cat.categories) for column in columns])
        labels = pd.DataFrame(
            {
                column.name: pd.Categorical.from_codes(part, dtype=column.dtype)
                for column, part in zip(columns, parts, strict=True)
            }
        )
        return cls(codes.astype(np.int64), labels)

    @classmethod
    def _from_categorical(cls, key: pd.Series) -> Groups:
        codes = key.cat.codes.to_numpy(np.int64)
        present = np.flatnonzero(np.bincount(codes, minlength=len(key.cat.categories)))
        # Only groups that occur; renumber the codes to them.
        renumber = np.full(len(key.cat.categories), -1, dtype=np.int64)
        renumber[present] = np.arange(len(present))
        labels = pd.DataFrame({key.name: pd.Categorical.from_codes(present, dtype=key.dtype)})
        return cls(renumber[codes], labels)

    @property
    def size(self) -> int:
        return len(self.labels)

    @property
    def keys(self) -> list[str]:
        return [str(name) for name in self.labels.columns]

    def count(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Messages per group (only where ``mask``)."""
        codes = self.codes if mask is None else self.codes[mask]
        return np.bincount(codes, minlength=self.size).astype(np.int64)

    def sum_int(self, values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        """Exact integer sum per group (money in micro-credits)."""
        out = np.zeros(self.size, dtype=np.int64)
        if mask is None:
            np.add.at(out, self.codes, values)
        else:
            np.add.at(out, self.codes[mask], values[mask])
        return out

    def quantiles(
        self, values: np.ndarray, quantiles: Sequence[float], mask: np.ndarray | None = None
    ) -> np.ndarray:
        """Quantiles per group (linear interpolation, as pandas), NaN for an empty group.

        Returns an array of shape ``(groups, len(quantiles))``; NaN values are ignored.
        """
        keep = ~np.isnan(values) if mask is None else mask & ~np.isnan(values)
        codes, kept = self.codes[keep], values[keep]
        order = np.lexsort((kept, codes))
        ordered = kept[order]
        counts = np.bincount(codes, minlength=self.size)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        out = np.full((self.size, len(quantiles)), np.nan)
        has = counts > 0
        for column, q in enumerate(quantiles):
            position = q * (counts[has] - 1)
            low = np.floor(position).astype(np.int64)
            high = np.ceil(position).astype(np.int64)
            below, above = ordered[starts[has] + low], ordered[starts[has] + high]
            out[has, column] = below + (above - below) * (position - low)
        return out

    def order(self, size: np.ndarray) -> np.ndarray:
        """Group positions in report order: time groups in time order, other groups largest
        ``size`` first, ties by label."""
        if not self.keys:
            return np.arange(self.size)
        sort_keys: list[np.ndarray] = []  # np.lexsort: the last key sorts first
        for key in reversed(self.keys):
            if key not in TIME_BUCKETS:
                column = self.labels[key]
                alphabetical = np.argsort(np.argsort(column.cat.categories.astype(str)))
                sort_keys.append(alphabetical[column.cat.codes.to_numpy(np.int64)])
        sort_keys.append(-np.asarray(size))
        for key in reversed(self.keys):
            if key in TIME_BUCKETS:  # time labels are categories in time order
                sort_keys.append(self.labels[key].cat.codes.to_numpy(np.int64))
        return np.lexsort(sort_keys)

    def frame(self, columns: dict[str, Any], size: np.ndarray | None = None) -> pd.DataFrame:
        """The group label columns followed by ``columns`` (one value per group), in report
        order (see :meth:`order`) when ``size`` is given."""
        out = self.labels.copy()
        for name, values in columns.items():
            out[name] = values
        if size is None:
            return out
        return out.iloc[self.order(size)].reset_index(drop=True)


def typed(frame: pd.DataFrame, schema: FrameSchema) -> pd.DataFrame:
    """``frame`` as is when it already has the schema's dtypes, else coerced to it."""
    dtypes = schema.dtypes()
    if all(name in frame and frame[name].dtype == dtype for name, dtype in dtypes.items()):
        return frame
    return coerce_frame(frame, schema)


def sent_typed(frame: pd.DataFrame) -> pd.DataFrame:
    return typed(frame, SENT_SCHEMA)


def received_typed(frame: pd.DataFrame) -> pd.DataFrame:
    return typed(frame, RECEIVED_SCHEMA)


def status_codes(sent: pd.DataFrame) -> np.ndarray:
    """Index of each message's status in :data:`~smstools_tui.frames.STATUS_DTYPE` (the
    documented statuses, then ``UNKNOWN``), -1 for NA."""
    codes: np.ndarray = sent["status"].cat.codes.to_numpy(np.int64)
    return codes


STATUS_INDEX = {name: index for index, name in enumerate(STATUS_DTYPE.categories)}


def ratio(part: Any, whole: Any) -> np.ndarray:
    """``part / whole`` as floats, NaN where ``whole`` is 0."""
    part = np.asarray(part, dtype=float)
    whole = np.asarray(whole, dtype=float)
    out = np.full(np.shape(part), np.nan)
    np.divide(part, whole, out=out, where=whole > 0)
    return out


NAT = np.iinfo(np.int64).min
"""``NaT`` as int64 microseconds."""


def micros(stamps: pd.Series) -> np.ndarray:
    """Timestamps as int64 microseconds since the epoch (:data:`NAT` for NaT)."""
    values: np.ndarray = stamps.to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT"))
    return values.view(np.int64)


def timestamps(values: np.ndarray) -> pd.Series:
    """int64 microseconds since the epoch → UTC timestamps (:data:`NAT` → NaT)."""
    stamps = np.asarray(values, dtype=np.int64).view("datetime64[us]")
    return pd.Series(stamps).dt.tz_localize("UTC")


def lookup(table: np.ndarray, codes: np.ndarray, missing: Any) -> np.ndarray:
    """``table[codes]``, with ``missing`` where a code is -1."""
    return np.append(table, missing)[np.where(codes >= 0, codes, len(table))]


def take(column: pd.Series, rows: np.ndarray) -> Any:
    """``column``'s values at positions ``rows`` (an array, dtype kept); -1 gives NA."""
    return column.array.take(np.asarray(rows, dtype=np.int64), allow_fill=True)
