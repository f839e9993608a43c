"""The query: what a user asks for, as one immutable value from the edge to the wire.

A :class:`Query` is made once where a request enters (a click parameter type on the command line,
a keyword argument in Python, a saved view, a dashboard widget) and passed unchanged to the store
and the HTTP client; a fetch answers with a :class:`FetchResult`. Nobody parses, rounds or checks
it again on the way.

- :class:`Span` is the half-open window of whole seconds a search reads; the whole-second rule
  lives here, in :meth:`Span.covering`, and nowhere else.
- :class:`WindowExpr` is a window as people write it (``7d``, ``last-month``, ``2026-11``,
  ``2026-11-01..2026-11-15``), resolved into a span at a given moment by
  :meth:`WindowExpr.resolve`.
- :class:`Filters` says which messages of the span are wanted; :meth:`Filters.apply` (a frame) and
  :meth:`Filters.arrow_expression` (the store) are the one definition of what a filter means.
- :class:`Relation` asks for messages by their relation to others (replies, opt-outs); only
  the analysis, which holds both kinds of message, can answer it.

Calendar periods, bare dates and datetimes without an offset are read in the local time zone:
the machine's, or ``TZ`` when it is set (a ``zone`` argument overrides it).

Example:
    >>> from datetime import datetime, UTC
    >>> query = Query.build("sent", window="last-month", status="notdelivered",
    ...                     campaign="black-friday", now=datetime(2026, 11, 25, 10, tzinfo=UTC),
    ...                     zone="Europe/Rome")
    >>> print(query.span)
    2026-09-30T22:00:00+00:00 .. 2026-10-31T23:00:00+00:00
    >>> query.to_cli()  # doctest: +NORMALIZE_WHITESPACE
    'smstools-tui export sent --since 2026-09-30T22:00:00+00:00
     --until 2026-10-31T23:00:00+00:00 --status NOTDELIVERED --campaign black-friday'
"""

from __future__ import annotations

import functools
import operator
import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .dates import EARLIEST, LATEST, WEEKDAYS, format_api_datetime, resolve_zone, zone_name
from .errors import ConfigError
from .frames import STATUS_DTYPE
from .msisdn import number_carriers, number_countries, to_country, to_msisdn
from .segments import ENCODING_DTYPE, check_encoding, text_encoding_names

__all__ = [
    "DEFAULT_WINDOW",
    "FILTER_KEYWORDS",
    "FILTER_NAMES",
    "KINDS",
    "PERIODS",
    "FetchResult",
    "FilterValue",
    "Filters",
    "Kind",
    "Query",
    "Relation",
    "Span",
    "WindowExpr",
    "filter_keywords",
    "parse_window",
    "week_hour",
]

Kind = Literal["sent", "received"]
KINDS: tuple[Kind, ...] = ("sent", "received")

DEFAULT_WINDOW = "30d"
"""The window of a query that names none: the last 30 days."""

_SECOND = timedelta(seconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_WINDOW_TEXT = 100
"""Longer window expressions are refused: no real one comes near, and a view file might."""

Zone: TypeAlias = tzinfo | str | None
"""A time zone: a ``tzinfo``, an IANA name, or ``None`` for the local zone."""


def _ceil_second(moment: datetime) -> datetime:
    return moment if moment.microsecond == 0 else moment.replace(microsecond=0) + _SECOND


def _floor_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"a span's {name} must be an aware datetime, not {moment!r}")
    return moment.astimezone(UTC)


# -- spans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A half-open window ``[start, end)`` of whole seconds, as aware UTC datetimes.

    The API's dates are whole seconds and its ``toDate`` is inclusive, so every window is read
    as :meth:`covering` makes it: ``[ceil(since), ceil(until))``. A span is never empty.

    Example:
        >>> from datetime import datetime, UTC
        >>> span = Span.covering(datetime(2026, 11, 1, 8, 0, 0, 500_000, tzinfo=UTC),
        ...                      datetime(2026, 11, 2, tzinfo=UTC))
        >>> span.start.isoformat(), span.api_dates()
        ('2026-11-01T08:00:01+00:00', ('2026-11-01T08:00:01+0000', '2026-11-01T23:59:59+0000'))
        >>> span.epoch == (span.start.timestamp(), span.end.timestamp())
        True
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start, end = _utc(self.start, "start"), _utc(self.end, "end")
        if start.microsecond or end.microsecond:
            raise ValueError("a span is whole seconds: make it with Span.covering")
        if end <= start:
            raise ConfigError(
                f"the window ends ({end.isoformat()}) before it starts ({start.isoformat()})"
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @classmethod
    def covering(cls, since: datetime, until: datetime) -> Span:
        """The whole seconds a search of ``[since, until)`` reads: ``[ceil(since),
        ceil(until))``, at least one second.

        Raises:
            ConfigError: ``until`` is not after ``since``.
        """
        since, until = _utc(since, "start"), _utc(until, "end")
        if until <= since:
            raise ConfigError(
                f"the window ends ({until.isoformat()}) before it starts ({since.isoformat()})"
            )
        start = _ceil_second(since)
        return cls(start, max(_ceil_second(until), start + _SECOND))

    @classmethod
    def from_epoch(cls, start: int, end: int) -> Span:
        """The span of epoch seconds ``[start, end)``.

        Example:
            >>> Span.from_epoch(0, 60).end.isoformat()
            '1970-01-01T00:01:00+00:00'
        """
        return cls(_EPOCH + timedelta(seconds=int(start)), _EPOCH + timedelta(seconds=int(end)))

    @property
    def epoch(self) -> tuple[int, int]:
        """``(start, end)`` in epoch seconds."""
        return (self.start - _EPOCH) // _SECOND, (self.end - _EPOCH) // _SECOND

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def api_dates(self) -> tuple[str, str]:
        """``(fromDate, toDate)`` as the API takes them: its ``toDate`` is inclusive, so it is
        the last second of the span."""
        return format_api_datetime(self.start), format_api_datetime(self.end - _SECOND)

    def previous(self) -> Span:
        """The span of the same length that ends where this one starts.

        Example:
            >>> print(Span.from_epoch(100, 160).previous())
            1970-01-01T00:00:40+00:00 .. 1970-01-01T00:01:40+00:00
        """
        return Span(self.start - self.duration, self.start)

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) falls in the span."""
        return self.start <= moment < self.end

    def intersect(self, other: Span) -> Span | None:
        """The part both spans cover, or ``None`` when they do not meet.

        Example:
            >>> Span.from_epoch(0, 100).intersect(Span.from_epoch(50, 200)).epoch
            (50, 100)
        """
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Span(start, end) if start < end else None

    def ending_by(self, now: datetime) -> Span:
        """This span, ending no later than the whole second ``now`` is in starts: messages
        that arrive while a search runs cannot shift its pages. Still at least one second.

        Example:
            >>> from datetime import datetime, UTC
            >>> span = Span.from_epoch(0, 3_600)
            >>> span.ending_by(datetime(1970, 1, 1, 0, 0, 30, 700_000, tzinfo=UTC)).epoch
            (0, 30)
        """
        end = max(min(self.end, _floor_second(_utc(now, "now"))), self.start + _SECOND)
        return self if end == self.end else Span(self.start, end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} .. {self.end.isoformat()}"


# -- window expressions -------------------------------------------------------------------------

PERIODS: tuple[str, ...] = (
    "today",
    "yesterday",
    "this-week",
    "last-week",
    "this-month",
    "last-month",
    "this-year",
    "last-year",
)
"""The calendar periods a window expression may name (weeks are ISO weeks, Monday first)."""

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_DURATION = re.compile(r"(\d{1,7})([mhdw])")
_MONTH = re.compile(r"\d{4}-\d{2}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FORMS = (
    "use 7d, 24h, 90m, 2w, today, yesterday, this-week, last-week, this-month, last-month, "
    "this-year, last-year, 2026-11, 2026-11-01, an ISO-8601 datetime such as "
    "2026-11-01T08:00:00+01:00, or a range A..B"
)


@dataclass(frozen=True)
class _Term:
    """One side of a window expression: it has a start and an end at a given moment."""

    text: str
    kind: Literal["duration", "period", "day", "month", "instant"]
    value: Any

    def bounds(self, now: datetime, zone: tzinfo) -> tuple[datetime, datetime]:
        if self.kind == "duration":
            return now - self.value, now
        if self.kind == "instant":
            moment: datetime = self.value
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=zone)
            return moment, moment
        if self.kind == "day":
            day: date = self.value
            return _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
        if self.kind == "month":
            first: date = self.value
            return _midnight(first, zone), _midnight(_next_month(first), zone)
        return _period(self.value, now.astimezone(zone).date(), zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _period(name: str, today: date, zone: tzinfo) -> tuple[datetime, datetime]:
    if name in ("today", "yesterday"):
        day = today - timedelta(days=1 if name == "yesterday" else 0)
        return _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
    unit = name.split("-", 1)[1]
    if unit == "week":
        first = today - timedelta(days=today.weekday())
        following = first + timedelta(days=7)
        earlier = first - timedelta(days=7)
    elif unit == "month":
        first = today.replace(day=1)
        following = _next_month(first)
        earlier = (first - timedelta(days=1)).replace(day=1)
    else:
        first = date(today.year, 1, 1)
        following, earlier = date(today.year + 1, 1, 1), date(today.year - 1, 1, 1)
    if name.startswith("last-"):
        first, following = earlier, first
    return _midnight(first, zone), _midnight(following, zone)


def _term(text: str) -> _Term:
    lowered = text.lower()
    duration = _DURATION.fullmatch(lowered)
    if duration:
        count, unit = int(duration.group(1)), duration.group(2)
        if count == 0:
            raise ConfigError(f"{text!r} is an empty window: give a length above zero")
        return _Term(text, "duration", timedelta(**{_UNITS[unit]: count}))
    period = re.sub(r"[ _]", "-", lowered)
    if period in PERIODS:
        return _Term(text, "period", period)
    try:
        if _MONTH.fullmatch(text):
            year, month = (int(part) for part in text.split("-"))
            return _Term(text, "month", date(year, month, 1))
        if _DAY.fullmatch(text):
            return _Term(text, "day", date.fromisoformat(text))
        return _Term(text, "instant", datetime.fromisoformat(re.sub(r"[zZ]$", "+00:00", text)))
    except ValueError:
        raise ConfigError(f"{text!r} is not a window: {_FORMS}") from None


@dataclass(frozen=True)
class WindowExpr:
    """A window as people write it, kept as written (:attr:`text`) and resolved at a moment.

    - a duration up to now: ``7d``, ``24h``, ``90m``, ``2w`` (``m`` is minutes);
    - a calendar period in the local zone: ``today``, ``yesterday``, ``this-week``,
      ``last-week`` (ISO weeks, Monday first), ``this-month``, ``last-month``, ``this-year``,
      ``last-year``; a ``this-`` period ends now;
    - ``YYYY-MM-DD`` (that local day), ``YYYY-MM`` (that local month), or an ISO-8601
      datetime (an instant; without an offset, local time);
    - a range ``A..B``, from A's start to B's end; either side may be left out (``2026-11-01..``
      runs to now; ``..2026-11-30`` starts 30 days before its end).

    A duration counts back from now, so it can start a window but not end one.

    Example:
        >>> from datetime import datetime, UTC
        >>> now = datetime(2026, 11, 25, 10, tzinfo=UTC)
        >>> print(parse_window("7d").resolve(now))
        2026-11-18T10:00:00+00:00 .. 2026-11-25T10:00:00+00:00
        >>> print(parse_window("2026-11-01..2026-11-14").resolve(now, zone="UTC"))
        2026-11-01T00:00:00+00:00 .. 2026-11-15T00:00:00+00:00
    """

    text: str
    first: _Term | None = field(repr=False)
    """What starts the window (``None``: :data:`DEFAULT_WINDOW` before its end)."""
    last: _Term | None = field(repr=False)
    """What ends the window (``None``: now)."""

    def __post_init__(self) -> None:
        if self.last is not None and self.last.kind == "duration" and self.last != self.first:
            raise ConfigError(
                f"{self.last.text!r} counts back from now: it can start a window "
                f"(--since {self.last.text}, {self.last.text}..) but not end one"
            )

    @classmethod
    def between(cls, since: WindowExpr | None, until: WindowExpr | None) -> WindowExpr:
        """The window from ``since``'s start to ``until``'s end (what ``--since A --until B``
        asks); either may be ``None``.

        Example:
            >>> WindowExpr.between(parse_window("last-month"), parse_window("yesterday")).text
            'last-month..yesterday'
        """
        first = since.first if since is not None else None
        last = until.last if until is not None else None
        if first is None and last is None:
            return parse_window(DEFAULT_WINDOW)
        text = f"{first.text if first else ''}..{last.text if last else ''}"
        return cls(text, first, last)

    @classmethod
    def asked(
        cls,
        since: WindowExpr | datetime | str | None = None,
        until: WindowExpr | datetime | str | None = None,
        window: WindowExpr | str | None = None,
    ) -> WindowExpr | None:
        """The window asked for by a whole ``window`` or by ``since`` and ``until`` (either
        alone), or ``None`` when nothing was asked.

        Raises:
            ConfigError: both a window and a start or end, or a bad expression.

        Example:
            >>> WindowExpr.asked(since="2026-11-01").text, WindowExpr.asked() is None
            ('2026-11-01..', True)
        """
        if window is not None:
            if since is not None or until is not None:
                raise ConfigError(_BOTH)
            return _as_window(window)
        if since is None and until is None:
            return None
        return cls.between(
            _as_window(since) if since is not None else None,
            _as_window(until) if until is not None else None,
        )

    @classmethod
    def instant(cls, moment: datetime) -> WindowExpr:
        """An instant as an expression: its start and its end are the instant."""
        term = _Term(moment.isoformat(), "instant", moment)
        return cls(term.text, term, term)

    def resolve(self, now: datetime, zone: Zone = None) -> Span:
        """The span this expression means at ``now``, in ``zone`` (default: the local zone).
        It never ends after ``now``.

        Raises:
            ConfigError: the window starts in the future, ends before it starts, or reaches
                outside the dates a user may give (see :mod:`smstools_tui.dates`).
        """
        current = _utc(now, "now")
        # A duration counts back from the last whole second, which is where the span ends:
        # counted from ``now`` itself, its start would round up and lose a second.
        counted_from = _floor_second(current)
        where = resolve_zone(zone)

        def reference(term: _Term) -> datetime:
            return counted_from if term.kind == "duration" else current

        end = self._bound(self.last, reference(self.last), where, 1) if self.last else current
        end = min(end, current)
        if self.first is not None:
            start = self._bound(self.first, reference(self.first), where, 0)
        else:
            start = _floor_second(end) - timedelta(days=30)
        if start > current:
            raise ConfigError(f"the window starts in the future ({start.isoformat()})")
        if start > end and self.first is not None and self.last is not None:
            raise ConfigError(
                f"the window {self.text!r} ends ({end.isoformat()}) before it starts "
                f"({start.isoformat()}): swap its ends ({self.last.text}..{self.first.text})"
            )
        if start == end:
            if start == current:  # a period that begins this very moment: its first second
                return Span(_floor_second(start), _floor_second(start) + _SECOND)
            raise ConfigError(
                f"the window {self.text!r} is empty: it starts and ends at {start.isoformat()} "
                "(a range A..B gives both ends)"
            )
        return Span.covering(start, end).ending_by(current)

    def start_at(self, now: datetime, zone: Zone = None) -> datetime:
        """The instant this expression starts at, at ``now`` (for an instant: the instant).

        Example:
            >>> from datetime import datetime, UTC
            >>> parse_window("2026-11-25T08:30+01:00").start_at(datetime.now(UTC)).isoformat()
            '2026-11-25T07:30:00+00:00'
        """
        if self.first is None:
            return self.resolve(now, zone).start
        return self._bound(self.first, _utc(now, "now"), resolve_zone(zone), 0)

    @staticmethod
    def _bound(term: _Term, now: datetime, zone: tzinfo, side: int) -> datetime:
        try:
            moment = term.bounds(now, zone)[side].astimezone(UTC)
        except (OverflowError, ValueError, OSError):
            raise _out_of_range(term.text) from None
        if not EARLIEST <= moment <= LATEST:
            raise _out_of_range(term.text)
        return moment

    def __str__(self) -> str:
        return self.text


def _out_of_range(text: str) -> ConfigError:
    return ConfigError(
        f"{text!r} is out of range: give a date between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}"
    )


def parse_window(text: str) -> WindowExpr:
    """Read a window expression (see :class:`WindowExpr`).

    Raises:
        ConfigError: not a window expression; the message lists the forms.

    Example:
        >>> parse_window(" Last-Month ").text, parse_window("2026-11-01..").text
        ('Last-Month', '2026-11-01..')
    """
    cleaned = str(text).strip()
    if not cleaned:
        raise ConfigError(f"an empty window: {_FORMS}")
    if len(cleaned) > _MAX_WINDOW_TEXT:
        raise ConfigError(f"a window of {len(cleaned)} characters is not a window: {_FORMS}")
    if ".." not in cleaned:
        term = _term(cleaned)
        return WindowExpr(cleaned, term, term)
    left, right = (side.strip() for side in cleaned.split("..", 1))
    if (not left and not right) or ".." in right:
        raise ConfigError(f"{cleaned!r} is not a window: {_FORMS}")
    first = _term(left) if left else None
    last = _term(right) if right else None
    return WindowExpr(cleaned, first, last)


def _as_window(value: WindowExpr | datetime | str) -> WindowExpr:
    if isinstance(value, WindowExpr):
        return value
    if isinstance(value, datetime):
        return WindowExpr.instant(value)
    return parse_window(value)


# -- filters ----------------------------------------------------------------------------------

FILTER_NAMES: tuple[str, ...] = (
    "statuses",
    "numbers",
    "senders",
    "campaigns",
    "services",
    "ids",
    "countries",
    "carriers",
    "encodings",
    "hours",
    "text",
)
"""The filters of a query, in the order they are shown and written."""

_OPTION = {
    "statuses": "--status",
    "numbers": "--number",
    "senders": "--sender",
    "campaigns": "--campaign",
    "services": "--service",
    "ids": "--id",
    "countries": "--country",
    "carriers": "--carrier",
    "encodings": "--encoding",
    "hours": "--hour",
    "text": "--text",
}
_LABEL = {
    "statuses": "status",
    "numbers": "number",
    "senders": "sender",
    "campaigns": "campaign",
    "services": "service",
    "ids": "id",
    "countries": "country",
    "carriers": "carrier",
    "encodings": "encoding",
    "hours": "hour",
    "text": "text",
}
_ONLY_FOR: dict[str, Kind] = {
    "statuses": "sent",
    "senders": "sent",
    "campaigns": "sent",
    "ids": "sent",
    "encodings": "sent",
    "services": "received",
}
_COLUMN = {
    "statuses": "status",
    "senders": "from",
    "campaigns": "transactionId",
    "services": "simId",
    "ids": "id",
    "text": "text",
}
_OTHER_PARTY: dict[Kind, str] = {"sent": "to", "received": "from"}
"""Whose number ``numbers`` and ``countries`` look at: the recipient, or the sender."""

_KEYWORDS = {
    "status": "statuses",
    "statuses": "statuses",
    "number": "numbers",
    "numbers": "numbers",
    "msisdn": "numbers",
    "sender": "senders",
    "senders": "senders",
    "campaign": "campaigns",
    "campaigns": "campaigns",
    "service": "services",
    "services": "services",
    "id": "ids",
    "ids": "ids",
    "country": "countries",
    "countries": "countries",
    "carrier": "carriers",
    "carriers": "carriers",
    "encoding": "encodings",
    "encodings": "encodings",
    "hour": "hours",
    "hours": "hours",
    "text": "text",
}

FILTER_KEYWORDS: frozenset[str] = frozenset(_KEYWORDS)
"""Every spelling a filter keyword may take: the names of :data:`FILTER_NAMES`, their singulars,
and ``msisdn``."""

FilterValue: TypeAlias = str | int | Iterable[str | int] | None
"""One value or several for a filter keyword; ``None`` (or leaving it out) is no filter."""

_COUNTRY_FUNCTION = "smstools_tui_number_country"
_CARRIER_FUNCTION = "smstools_tui_original_carrier"
_ENCODING_FUNCTION = "smstools_tui_text_encoding"


def _values(value: FilterValue) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):  # one value, never its characters
        return (value,)
    return tuple(value)


def _status(value: Any) -> str:
    upper = str(value).strip().upper()
    if upper not in STATUS_DTYPE.categories:
        allowed = ", ".join(STATUS_DTYPE.categories)
        raise ConfigError(f"unknown status {value!r}: use one of {allowed}")
    return upper


def _message_id(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{value!r} is not a message id: ids are whole numbers") from None
    if number < 0:
        raise ConfigError(f"{value!r} is not a message id: ids are not negative")
    return number


def _label(value: Any, what: str) -> str:
    text = str(value)
    if not text.strip():
        raise ConfigError(f"an empty {what}: give one, or leave the filter out")
    return text


_NORMALISE: dict[str, Callable[[Any], Any]] = {
    "statuses": _status,
    "numbers": lambda value: to_msisdn(str(value)),
    "senders": lambda value: _label(value, "sender"),
    "campaigns": lambda value: _label(value, "campaign"),
    "services": lambda value: _label(value, "service").strip(),
    "ids": _message_id,
    "countries": lambda value: to_country(str(value)),
    "carriers": lambda value: _label(value, "carrier").strip(),
    "encodings": lambda value: check_encoding(str(value)),
    "hours": lambda value: week_hour(str(value)),
}


def filter_keywords(kind: Kind, keywords: Mapping[str, FilterValue]) -> dict[str, Any]:
    """Filter keywords as :class:`Filters` fields: the singular spellings and ``msisdn`` become
    the plural field, and for received messages ``sender`` (who sent it) is ``numbers``, as
    ``--sender`` always meant for them. Keywords of ``None`` are left out; two spellings of one
    filter are joined.

    Raises:
        ConfigError: an unknown keyword.

    Example:
        >>> filter_keywords("received", {"sender": "+39 348", "status": None, "text": "stop"})
        {'numbers': ['+39 348'], 'text': 'stop'}
    """
    fields: dict[str, Any] = {}
    for name, value in keywords.items():
        if name not in _KEYWORDS:
            raise ConfigError(f"unknown filter {name!r}: use {', '.join(FILTER_NAMES)}")
        if value is None:
            continue
        target = _KEYWORDS[name]
        if kind == "received" and target == "senders":
            target = "numbers"
        if target == "text":
            fields["text"] = value
        else:
            fields[target] = [*fields.get(target, []), *_values(value)]
    return fields


@dataclass(frozen=True)
class Filters:
    """Which messages of a span a query keeps. Every filter is a set (empty: no filter) but
    :attr:`text`; a message must pass every filter given, and one value of each.

    Values are normalised once, here: statuses in upper case (checked against the status
    dtype), numbers as the API's digits (:func:`~smstools_tui.msisdn.to_msisdn`), countries
    as :func:`~smstools_tui.msisdn.to_country` names them, ids as integers.

    Attributes:
        statuses: sent: these statuses.
        numbers: the other party's number (sent ``to``, received ``from``).
        senders: sent: the sender alias (``from``), exactly.
        campaigns: sent: the ``transactionId``.
        services: received: the receiving service (``simId``).
        ids: sent: these message ids.
        countries: the country of the other party's number.
        carriers: the carrier the other party's number was originally allocated to (see
            :func:`~smstools_tui.msisdn.original_carriers`).
        hours: an hour of the week in a time zone (``Mon 09 Europe/Rome``: Mondays from 9:00
            to 10:00 there; see :func:`week_hour`), of the insert time (sent) or the receive
            time (received).
        encodings: sent: the encoding of the text (``GSM-7``, ``UCS-2``; see
            :mod:`smstools_tui.segments`).
        text: a substring of the text, ignoring case.

    Example:
        >>> Filters(statuses={"delivered"}, numbers=["+39 348 000 0000"]).numbers
        frozenset({'393480000000'})
    """

    statuses: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    senders: frozenset[str] = frozenset()
    campaigns: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    ids: frozenset[int] = frozenset()
    countries: frozenset[str] = frozenset()
    carriers: frozenset[str] = frozenset()
    encodings: frozenset[str] = frozenset()
    hours: frozenset[str] = frozenset()
    text: str | None = None

    def __post_init__(self) -> None:
        for name, normalise in _NORMALISE.items():
            values = _values(getattr(self, name))
            object.__setattr__(self, name, frozenset(normalise(value) for value in values))
        if self.text is not None:
            object.__setattr__(self, "text", str(self.text) or None)

    def __bool__(self) -> bool:
        return any(values for _, values in self.items())

    @staticmethod
    def normalise(name: str, value: Any) -> Any:
        """One value of the filter ``name`` as the filter keeps it.

        Example:
            >>> Filters.normalise("statuses", "delivered"), Filters.normalise("countries", "ch")
            ('DELIVERED', 'CH')
        """
        if name == "text":
            return str(value)
        if name not in _NORMALISE:
            raise ConfigError(f"unknown filter {name!r}: use {', '.join(FILTER_NAMES)}")
        return _NORMALISE[name](value)

    def items(self) -> Iterator[tuple[str, frozenset[Any] | str]]:
        """``(name, values)`` of the filters given, in :data:`FILTER_NAMES` order."""
        for name in FILTER_NAMES:
            values = getattr(self, name)
            if values:
                yield name, values

    def check(self, kind: Kind) -> None:
        """Refuse a filter that does not apply to ``kind``.

        Example:
            >>> try:
            ...     Filters(services={"12"}).check("sent")
            ... except ConfigError as error:
            ...     print(error)
            --service applies to received messages only
        """
        for name, _ in self.items():
            only = _ONLY_FOR.get(name)
            if only is not None and only != kind:
                raise ConfigError(f"{_OPTION[name]} applies to {only} messages only")

    def arrow_expression(self, kind: Kind) -> pc.Expression | None:
        """These filters as an Arrow expression over the columns of ``kind``'s frame (as the
        store keeps them), or ``None`` when there is no filter.

        Example:
            >>> import pyarrow as pa
            >>> table = pa.table({"to": ["+39 348 000 0000", "41791234567"],
            ...                   "status": ["DELIVERED", "DELIVERED"]})
            >>> table.filter(Filters(countries={"ch"}).arrow_expression("sent"))["to"].to_pylist()
            ['41791234567']
        """
        self.check(kind)
        other = pc.field(_OTHER_PARTY[kind])
        terms: list[pc.Expression] = []
        for name, values in self.items():
            if name == "text":
                text = pc.field("text").cast(pa.string())
                terms.append(pc.match_substring(text, str(values), ignore_case=True))
            elif name == "numbers":
                terms.append(_digits(other).isin(_value_set(values, pa.string())))
            elif name == "countries":
                # The documented way to call a registered function in an expression.
                country = pc.Expression._call(_COUNTRY_FUNCTION, [other.cast(pa.string())])
                terms.append(country.isin(_value_set(values, pa.string())))
            elif name == "carriers":
                carrier = pc.Expression._call(_CARRIER_FUNCTION, [other.cast(pa.string())])
                terms.append(carrier.isin(_value_set(values, pa.string())))
            elif name == "encodings":
                text = pc.field("text").cast(pa.string())
                encoding = pc.Expression._call(_ENCODING_FUNCTION, [text])
                terms.append(encoding.isin(_value_set(values, pa.string())))
            elif name == "hours":
                terms.append(_in_week_hours(pc.field(_TIME_OF[kind]), values))
            elif name == "ids":
                terms.append(pc.field("id").isin(_value_set(values, pa.int64())))
            else:  # category columns: compared as the store keeps them, never decoded
                column = pc.field(_COLUMN[name]).cast(_CATEGORY)
                terms.append(column.isin(_value_set(values, pa.string())))
        return functools.reduce(operator.and_, terms) if terms else None

    def apply(self, frame: pd.DataFrame, kind: Kind) -> pd.DataFrame:
        """The rows of ``kind``'s typed ``frame`` that pass, in order, with a fresh index (the
        frame itself when there is no filter). It evaluates :meth:`arrow_expression`, so a
        frame and the store can never disagree.

        Example:
            >>> from smstools_tui.frames import sent_frame
            >>> sent = sent_frame([{"id": 1, "text": "Promo -20%"}, {"id": 2, "text": "Hi"}])
            >>> Filters(text="PROMO").apply(sent, "sent")["id"].tolist()
            [1]
        """
        expression = self.arrow_expression(kind)
        if expression is None:
            return frame
        columns = sorted({self._column(name, kind) for name, _ in self.items()})
        table = pa.Table.from_pandas(frame[columns], preserve_index=False)
        rows = table.append_column(_ROW, pa.array(np.arange(len(frame), dtype=np.int64)))
        kept = rows.filter(expression)[_ROW].to_numpy()
        chosen = frame.take(kept).reset_index(drop=True)
        return _first_seen_categories(chosen) if len(chosen) < len(frame) else chosen

    @staticmethod
    def _column(name: str, kind: Kind) -> str:
        if name == "encodings":
            return "text"
        if name == "hours":
            return _TIME_OF[kind]
        return _OTHER_PARTY[kind] if name in _NUMBER_FILTERS else _COLUMN[name]


_NUMBER_FILTERS = ("numbers", "countries", "carriers")
"""The filters that read the other party's number."""
_ROW = "__smstools_row__"
_FIXED_CATEGORIES = (STATUS_DTYPE, ENCODING_DTYPE)
"""Category dtypes whose categories are a fixed list, kept whatever the rows use."""
_CATEGORY = pa.dictionary(pa.int32(), pa.string())


def _first_seen_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each category column holding only the values its rows use, in order of
    first appearance, as a frame of just these rows is built: what is left of a larger answer
    is the frame a server that filtered would have given."""
    for name in frame.columns:
        column = frame[name]
        if not isinstance(column.dtype, pd.CategoricalDtype) or column.dtype in _FIXED_CATEGORIES:
            continue
        codes = column.cat.codes.to_numpy()
        used = pd.unique(codes[codes >= 0])
        remap = np.full(len(column.cat.categories) + 1, -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        categories = column.cat.categories[used]
        frame[name] = pd.Categorical.from_codes(remap[codes], categories=categories)
    return frame


_WEEK_HOUR = re.compile(r"(?i)^\s*([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?::00)?h?(?:\s+(\S+))?\s*$")
_TIME_OF: dict[Kind, str] = {"sent": "insertDate", "received": "receiveDate"}


def week_hour(text: str, zone: str | tzinfo | None = None) -> str:
    """An hour of the week as the hours filter keeps it: ``Mon 09 Europe/Rome``. The zone is
    the text's own, else ``zone``, else the machine's.

    Raises:
        ConfigError: not a weekday and an hour (0–23), or an unknown zone.

    Example:
        >>> week_hour("Tue 7", "Europe/Rome"), week_hour("sun 23:00 UTC")
        ('Tue 07 Europe/Rome', 'Sun 23 UTC')
    """
    match = _WEEK_HOUR.match(text)
    day = match.group(1).title() if match else ""
    if match is None or day not in WEEKDAYS or not 0 <= int(match.group(2)) <= 23:
        raise ConfigError(
            f"{text!r} is not an hour of the week: write a weekday and an hour, 'Mon 09' "
            "(optionally a time zone: 'Mon 09 Europe/Rome')"
        )
    named = zone_name(resolve_zone(match.group(3) or zone))
    return f"{day} {int(match.group(2)):02d} {named}"


def _in_week_hours(moment: pc.Expression, values: Any) -> pc.Expression:
    """Whether ``moment`` falls in one of the hours of the week ``values`` (each in its zone):
    Arrow reads a zone-aware timestamp's weekday and hour in that zone."""
    terms = []
    for value in sorted(values):
        day, hour, zone = str(value).split(" ", 2)
        local = moment.cast(pa.timestamp("us", tz=zone))
        terms.append((pc.day_of_week(local) == WEEKDAYS.index(day)) & (pc.hour(local) == int(hour)))
    return functools.reduce(operator.or_, terms)


def _value_set(values: Any, arrow_type: pa.DataType) -> pa.Array:
    return pa.array(sorted(values), type=arrow_type)


def _digits(number: pc.Expression) -> pc.Expression:
    """A number as the API's digits, as :func:`~smstools_tui.msisdn.msisdn_digits` makes
    them: ``+39 348…`` and ``0039348…`` are ``39348…``."""
    digits = pc.replace_substring_regex(number.cast(pa.string()), pattern=r"\D", replacement="")
    return pc.replace_substring_regex(digits, pattern=r"^00", replacement="")


def _countries(context: Any, numbers: pa.Array | pa.Scalar) -> pa.Array | pa.Scalar:
    if isinstance(numbers, pa.Scalar):
        return number_countries(pa.array([numbers.as_py()], pa.string()))[0]
    return number_countries(numbers)


def _register_country_function() -> None:
    """The country of a number as an Arrow function, so the store's expressions can use it:
    phonenumbers' answer is not an Arrow kernel of its own."""
    if _COUNTRY_FUNCTION in pc.list_functions():
        return
    pc.register_scalar_function(
        _countries,
        _COUNTRY_FUNCTION,
        {
            "summary": "The country of a phone number.",
            "description": "smstools_tui.msisdn.number_countries: an ISO 3166 region code, 001 "
            "for non-geographic numbers, (unknown) otherwise.",
        },
        {"numbers": pa.string()},
        pa.string(),
    )


_register_country_function()


def _carriers(context: Any, numbers: pa.Array | pa.Scalar) -> pa.Array | pa.Scalar:
    if isinstance(numbers, pa.Scalar):
        return number_carriers(pa.array([numbers.as_py()], pa.string()))[0]
    return number_carriers(numbers)


def _register_carrier_function() -> None:
    """The original carrier of a number as an Arrow function, for the store's expressions."""
    if _CARRIER_FUNCTION in pc.list_functions():
        return
    pc.register_scalar_function(
        _carriers,
        _CARRIER_FUNCTION,
        {
            "summary": "The carrier a phone number was originally allocated to.",
            "description": "smstools_tui.msisdn.number_carriers: phonenumbers' carrier name, "
            "(unknown) otherwise.",
        },
        {"numbers": pa.string()},
        pa.string(),
    )


_register_carrier_function()


def _encodings(context: Any, texts: pa.Array | pa.Scalar) -> pa.Array | pa.Scalar:
    if isinstance(texts, pa.Scalar):
        return text_encoding_names(pa.array([texts.as_py()], pa.string()))[0]
    return text_encoding_names(texts)


def _register_encoding_function() -> None:
    """The encoding of a text as an Arrow function, for the store's expressions: the store
    keeps the text, not its encoding."""
    if _ENCODING_FUNCTION in pc.list_functions():
        return
    pc.register_scalar_function(
        _encodings,
        _ENCODING_FUNCTION,
        {
            "summary": "The encoding of an SMS text.",
            "description": "smstools_tui.segments.text_encodings: GSM-7 or UCS-2, null for "
            "no text.",
        },
        {"texts": pa.string()},
        pa.string(),
    )


_register_encoding_function()


# -- relations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """Messages asked for by their relation to messages of the other kind: only the analysis,
    which holds both, can answer it (``analysis.select``); the clients refuse it.

    Attributes:
        replies: received: the replies to sent messages (any, or to :attr:`replies_to_campaigns`).
        replies_to_campaigns: received: the replies to messages of these campaigns (implies
            :attr:`replies`).
        opt_outs: received: the opt-out messages; sent: the messages sent after an opt-out.
    """

    replies: bool = False
    replies_to_campaigns: frozenset[str] = frozenset()
    opt_outs: bool = False

    def __post_init__(self) -> None:
        campaigns = frozenset(str(value) for value in _values(self.replies_to_campaigns))
        object.__setattr__(self, "replies_to_campaigns", campaigns)
        if campaigns:
            object.__setattr__(self, "replies", True)

    def check(self, kind: Kind) -> None:
        if self.replies and kind != "received":
            raise ConfigError("replies are received messages: ask for received ones")

    def chips(self) -> list[tuple[str, str, str]]:
        chips = []
        if self.replies:
            to = ", ".join(sorted(self.replies_to_campaigns)) or "any message"
            chips.append(("relation", "replies", f"replies to {to}"))
        if self.opt_outs:
            chips.append(("relation", "opt_outs", "opt-outs"))
        return chips


_SLUG_LIMIT = 60
"""The longest slug of filters in a file name (:meth:`Query.file_name`)."""


def _slug(text: str) -> str:
    """``text`` as lower-case ASCII letters, digits and single dashes: safe in any file name.

    Example:
        >>> _slug('text contains "Caffè / ../Perché"')
        'text-contains-caffe-perche'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# -- the query --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """One request for messages: their kind, span and filters; for a report, its name and
    grouping. Make it with :meth:`build` (or a source's ``query``); it is passed unchanged to
    the store and the HTTP client.

    Two queries for the same messages are equal however their span was asked: :attr:`window`,
    how it was asked, is kept for rendering and not compared.

    Attributes:
        kind: ``sent`` or ``received``.
        span: what is searched; ``None`` only for a search by :attr:`Filters.ids`.
        filters: which messages of the span are kept.
        relation: a relation to messages of the other kind (the analysis answers it).
        group: the report's grouping (``week``, ``country`` …).
        window: the expression the span was resolved from, when there was one.
        report: the report this query feeds (``delivery`` …), or ``None`` for the messages.
    """

    kind: Kind
    span: Span | None
    filters: Filters = field(default_factory=Filters)
    relation: Relation | None = None
    group: str | None = None
    window: WindowExpr | None = field(default=None, compare=False)
    report: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"unknown kind of message {self.kind!r}: use sent or received")
        if self.span is None and not self.filters.ids:
            raise ConfigError("a query without a window must name message ids")
        self.filters.check(self.kind)
        if self.relation is not None:
            self.relation.check(self.kind)

    @classmethod
    def build(
        cls,
        kind: Kind,
        *,
        since: WindowExpr | datetime | str | None = None,
        until: WindowExpr | datetime | str | None = None,
        window: WindowExpr | Span | str | None = None,
        now: datetime,
        zone: Zone = None,
        group: str | None = None,
        report: str | None = None,
        relation: Relation | None = None,
        **filters: FilterValue,
    ) -> Query:
        """The one place keyword arguments become a query (the Python API, saved views, the
        dashboard and the command line all come here).

        Args:
            kind: ``sent`` or ``received``.
            since: the window starts where this starts (a window expression or a datetime).
            until: the window ends where this ends (so a bare date includes that whole day).
            window: the whole window (an expression or a :class:`Span`), instead of
                ``since``/``until``. With none of the three: :data:`DEFAULT_WINDOW`, unless
                message ids are asked for (then there is no window).
            now: the moment relative windows count from; the window never ends after it.
            zone: the zone of calendar periods, dates and local times (default: local).
            group, report: for a report's query.
            relation: see :class:`Relation`.
            filters: ``statuses``, ``numbers``, ``senders``, ``campaigns``, ``services``,
                ``ids``, ``countries`` (one value or several), ``text``; also in the singular
                (``status="DELIVERED"``), and ``msisdn`` for ``number``.

        Raises:
            ConfigError: a bad window, an unknown filter or value, a filter of the other kind.

        Example:
            >>> from datetime import datetime, UTC
            >>> now = datetime(2026, 11, 25, 10, tzinfo=UTC)
            >>> Query.build("sent", since="2026-11-01", status="DELIVERED", statuses=["nosent"],
            ...             now=now, zone="UTC").filters.statuses == {"DELIVERED", "NOSENT"}
            True
        """
        fields = filter_keywords(kind, filters)
        if "ids" in fields and not fields["ids"]:
            # An empty list of ids asks for nothing; as no filter it would ask for everything.
            raise ConfigError("no message ids given: leave ids out, or give at least one")
        chosen = Filters(**fields)
        span, expression = _span(since, until, window, now, zone, by_ids=bool(chosen.ids))
        return cls(kind, span, chosen, relation, group, expression, report)

    # -- changes --------------------------------------------------------------------------------

    def narrowed(self, span: Span) -> Query:
        """This query on the part of its span inside ``span`` (a drill-down into a bucket).

        Raises:
            ConfigError: the spans do not meet.
        """
        inside = self.span.intersect(span) if self.span is not None else span
        if inside is None:
            raise ConfigError(f"{span} is outside the query's window ({self.span})")
        return replace(self, span=inside, window=None)

    def previous(self) -> Query:
        """This query over the span of the same length that ends where its span starts: what
        a figure is compared with.

        Example:
            >>> from datetime import datetime, UTC
            >>> query = Query.build("sent", window="7d", now=datetime(2026, 11, 25, tzinfo=UTC))
            >>> print(query.previous().span)
            2026-11-11T00:00:00+00:00 .. 2026-11-18T00:00:00+00:00
        """
        if self.span is None:
            raise ConfigError("a search by ids alone has no window before it")
        return replace(self, span=self.span.previous(), window=None)

    def with_filters(self, **changes: FilterValue) -> Query:
        """This query with the filters named replaced (``None`` or an empty list removes one).

        Example:
            >>> from datetime import datetime, UTC
            >>> query = Query.build("sent", status="SENT", now=datetime(2026, 11, 25, tzinfo=UTC))
            >>> sorted(query.with_filters(status=None, campaign="x").filters.items())
            [('campaigns', frozenset({'x'}))]
        """
        named = {_KEYWORDS.get(name, name) for name in changes}
        if self.kind == "received":
            named = {"numbers" if name == "senders" else name for name in named}
        cleared: dict[str, Any] = {
            name: (None if name == "text" else frozenset()) for name in named
        }
        added = filter_keywords(self.kind, changes)
        return replace(self, filters=replace(self.filters, **{**cleared, **added}))

    def without(self, name: str, value: Any = None) -> Query:
        """This query without the filter ``name`` (or only its ``value``): a chip's ×.
        ``relation`` drops the relation.

        Example:
            >>> from datetime import datetime, UTC
            >>> query = Query.build("sent", statuses=["SENT", "PENDING"],
            ...                     now=datetime(2026, 11, 25, tzinfo=UTC))
            >>> query.without("statuses", "sent").filters.statuses
            frozenset({'PENDING'})
        """
        if name == "relation":
            return replace(self, relation=None)
        field_name = _KEYWORDS.get(name, name)
        if field_name not in FILTER_NAMES:
            raise ConfigError(f"unknown filter {name!r}: use {', '.join(FILTER_NAMES)}")
        if field_name == "text" or value is None:
            kept: Any = None if field_name == "text" else frozenset()
        else:
            kept = getattr(self.filters, field_name) - {Filters.normalise(field_name, value)}
        return replace(self, filters=replace(self.filters, **{field_name: kept}))

    # -- rendering ------------------------------------------------------------------------------

    def chips(self) -> list[tuple[str, Any, str]]:
        """``(name, value, label)`` for each filter value and the relation: what a chip shows,
        and what :meth:`without` takes to remove it.

        Example:
            >>> from datetime import datetime, UTC
            >>> Query.build("received", text="stop", country="it",
            ...             now=datetime(2026, 11, 25, tzinfo=UTC)).chips()
            [('countries', 'IT', 'country IT'), ('text', 'stop', 'text contains "stop"')]
        """
        chips: list[tuple[str, Any, str]] = []
        for name, values in self.filters.items():
            if name == "text":
                chips.append((name, values, f'text contains "{values}"'))
                continue
            chips.extend((name, value, f"{_LABEL[name]} {value}") for value in sorted(values))
        if self.relation is not None:
            chips.extend(self.relation.chips())
        return chips

    def describe(self, zone: Zone = None) -> str:
        """One line for people: what is asked, the window in ``zone`` (default: local), the
        filters.

        Example:
            >>> from datetime import datetime, UTC
            >>> query = Query.build("sent", window="2026-11", campaign="black-friday",
            ...                     now=datetime(2026, 11, 25, 10, tzinfo=UTC), zone="UTC")
            >>> query.describe("UTC")  # doctest: +NORMALIZE_WHITESPACE
            'sent messages, 2026-11-01 00:00 to 2026-11-25 10:00 UTC (2026-11);
             campaign black-friday'
        """
        where = resolve_zone(zone)
        what = f"{self.kind} messages"
        if self.report is not None:
            what = f"{self.report} report" + (f" by {self.group}" if self.group else "")
        parts = [what]
        if self.span is not None:
            start, end = (moment.astimezone(where) for moment in (self.span.start, self.span.end))
            window = f"{_local(start)} to {_local(end)} {end.tzname() or ''}".rstrip()
            if self.window is not None:
                window += f" ({self.window.text})"
            parts[0] += f", {window}"
        labels = [label for _, _, label in self.chips()]
        return "; ".join([*parts, *labels])

    def file_name(
        self, suffix: str = ".csv", zone: Zone = None, *, with_chips: bool = False
    ) -> str:
        """The file its messages are exported to when none is named: the kind and the span's
        first and last days in ``zone`` (default: local; the end is exclusive, so a span ending
        at midnight ends the day before); ``with_chips``: then a short slug of its filters and
        relation, so a drill-down's file says which messages it holds. Untrusted values (a
        campaign, a text) reach the name only as lower-case ASCII letters, digits and dashes.

        Example:
            >>> from datetime import datetime, UTC
            >>> now = datetime(2026, 11, 30, 10, tzinfo=UTC)
            >>> week = Query.build("sent", window="2026-11-02..2026-11-09", campaign="Saldi",
            ...                    now=now, zone="UTC")
            >>> week.file_name(zone="UTC"), week.file_name(".parquet", "UTC", with_chips=True)
            ('sent_2026-11-02_2026-11-09.csv', 'sent_2026-11-02_2026-11-09_campaign-saldi.parquet')
            >>> Query.build("sent", ids=[7], text="Caffè ../x", now=now).file_name(with_chips=True)
            'sent_by-id_id-7_text-contains-caffe-x.csv'
        """
        if self.span is None:
            stem = f"{self.kind}_by-id"
        else:
            where = resolve_zone(zone)
            first = self.span.start.astimezone(where).date()
            last = (self.span.end - timedelta(microseconds=1)).astimezone(where).date()
            stem = f"{self.kind}_{first.isoformat()}_{last.isoformat()}"
        if with_chips:
            slug = "_".join(filter(None, (_slug(label) for _, _, label in self.chips())))
            if len(slug) > _SLUG_LIMIT:  # a file name has a limit; the description has the rest
                slug = slug[:_SLUG_LIMIT].rstrip("-_")
            stem = f"{stem}_{slug}" if slug else stem
        return f"{stem}{suffix}"

    def to_cli(self, *, relative: bool = False) -> str:
        """The command line that asks for exactly this: the window as absolute ``--since`` and
        ``--until`` (or, with ``relative``, as the expression it was asked with), each filter
        as its option, repeated for several values, every word quoted for a POSIX shell. An
        export's line names no file: run on a terminal it writes ``KIND_FIRST-DAY_LAST-DAY.csv``
        in the working directory, into a pipe CSV on standard output.

        Raises:
            ConfigError: the query has a relation (no command takes one yet).
        """
        self._refuse_relation("a command line")
        if self.report is not None:
            words = ["smstools-tui", "report", self.report]
            if self.group is not None:
                words += ["--by", self.group]
        else:
            words = ["smstools-tui", "export", self.kind]
        if relative and self.window is not None:
            words += ["--window", self.window.text]
        elif self.span is not None:
            words += ["--since", self.span.start.isoformat(), "--until", self.span.end.isoformat()]
        for name, values in self.filters.items():
            if name == "text":
                words += [_OPTION[name], str(values)]
                continue
            for value in sorted(values):
                words += [_OPTION[name], str(value)]
        return shlex.join(words)

    def to_python(self, *, relative: bool = False, client: str = "client") -> str:
        """The Python call that asks for these messages (a report's query: the messages it
        reads).

        Raises:
            ConfigError: the query has a relation (use ``analysis.select``).

        Example:
            >>> from datetime import datetime, UTC
            >>> Query.build("sent", window="2026-11-01T00:00Z..2026-11-02T00:00Z", ids=[7, 3],
            ...             now=datetime(2026, 11, 25, tzinfo=UTC)).to_python()
            ... # doctest: +NORMALIZE_WHITESPACE
            "client.sent(since='2026-11-01T00:00:00+00:00',
             until='2026-11-02T00:00:00+00:00', ids=[3, 7])"
        """
        self._refuse_relation("a Python call")
        arguments = []
        if relative and self.window is not None:
            arguments.append(f"window={self.window.text!r}")
        elif self.span is not None:
            arguments.append(f"since={self.span.start.isoformat()!r}")
            arguments.append(f"until={self.span.end.isoformat()!r}")
        for name, values in self.filters.items():
            shown = repr(values) if name == "text" else repr(sorted(values))
            arguments.append(f"{name}={shown}")
        return f"{client}.{self.kind}({', '.join(arguments)})"

    def _refuse_relation(self, what: str) -> None:
        if self.relation is not None:
            raise ConfigError(
                f"a query for messages by their relation to others (replies, opt-outs) cannot "
                f"be written as {what}: use smstools_tui.analysis.select on both kinds of message"
            )


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M" + (":%S" if moment.second else ""))


def _span(
    since: WindowExpr | datetime | str | None,
    until: WindowExpr | datetime | str | None,
    window: WindowExpr | Span | str | None,
    now: datetime,
    zone: Zone,
    *,
    by_ids: bool,
) -> tuple[Span | None, WindowExpr | None]:
    if isinstance(window, Span):
        if since is not None or until is not None:
            raise ConfigError(_BOTH)
        return window, None
    expression = WindowExpr.asked(since, until, window)
    if expression is None:
        if by_ids:
            return None, None
        expression = parse_window(DEFAULT_WINDOW)
    return expression.resolve(now, zone), expression


_BOTH = "give a window or its start and end (since, until), not both"


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FetchResult:
    """What a fetch answered.

    Attributes:
        frame: the typed frame (see :mod:`smstools_tui.frames`).
        query: the query, unchanged.
        span: what was searched: the query's span, ending by the second the fetch started in
            (``None`` for a search by ids alone).
        complete: ``False`` when the answer may lack messages of the span (offline, a store
            that does not cover it); :attr:`problem` says why.
        problem: one line for people, when not complete.
        fetched_at: when the fetch started: the data's freshness (offline, the last sync).
        source: where it came from (``demo``, the gateway's host, a store's label).
        offline: answered from the local store alone.
    """

    frame: pd.DataFrame
    query: Query
    span: Span | None
    fetched_at: datetime
    source: str
    complete: bool = True
    problem: str | None = None
    offline: bool = False
