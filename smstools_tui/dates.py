"""Dates on the wire, on the command line and in date windows.

The API writes ``yyyy-MM-ddTHH:mm:ssZ`` with an RFC-822 offset (``2014-01-13T15:01:35+0100``).
Inside the package every instant is a timezone-aware UTC ``datetime``.

A bare date typed by the user (``2026-11-01``) means midnight at the start of that day in the
local time zone of the machine (the ``TZ`` environment variable, when set, decides it); as the end
of a window it means the end of that day.

A date a user gives lies between :data:`EARLIEST` and :data:`LATEST`: wide of any SMS ever sent,
and narrow enough that a window, the window before it and a pandas timestamp of either can always
be computed. Anything outside, however it is written (``0001-01-05``, ``9999-12-31``, an extreme
offset), is the same one-line :class:`~smstools_tui.errors.ConfigError`.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from .errors import ConfigError

__all__ = [
    "EARLIEST",
    "LATEST",
    "DateWindow",
    "TimeInput",
    "as_instant",
    "format_api_datetime",
    "local_zone",
    "parse_api_datetime",
    "parse_user_datetime",
    "resolve_zone",
]

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest instant a user may give."""
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""The latest instant a user may give (a window never ends after now anyway)."""

_BARE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RFC822_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def local_zone() -> tzinfo:
    """The machine's time zone with its daylight-saving rules (``TZ`` wins when set).

    Example:
        >>> local_zone() is not None
        True
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    localtime = Path("/etc/localtime")
    try:
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            return zoneinfo.ZoneInfo(target.split("zoneinfo/", 1)[1])
        with localtime.open("rb") as handle:
            return zoneinfo.ZoneInfo.from_file(handle, key="localtime")
    except (OSError, ValueError, zoneinfo.ZoneInfoNotFoundError):
        pass
    # Last resort (Windows without tzdata): today's offset, without daylight-saving rules.
    fixed = datetime.now().astimezone().tzinfo
    assert fixed is not None
    return fixed


def resolve_zone(tz: str | tzinfo | None) -> tzinfo:
    """A time zone from a name (``Europe/Rome``), a ``tzinfo``, or ``None`` (the local zone).

    Raises :class:`~smstools_tui.errors.ConfigError` for an unknown name.

    Example:
        >>> str(resolve_zone("Europe/Rome"))
        'Europe/Rome'
    """
    if tz is None:
        return local_zone()
    if isinstance(tz, tzinfo):
        return tz
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {tz!r}: use an IANA name such as Europe/Rome or UTC"
        ) from None


def format_api_datetime(moment: datetime) -> str:
    """Write an aware instant in the API's format, in UTC.

    Example:
        >>> from datetime import datetime, UTC
        >>> format_api_datetime(datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
        '2026-03-29T01:30:00+0000'
    """
    if moment.tzinfo is None:
        raise ValueError("format_api_datetime needs an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def parse_api_datetime(text: str) -> datetime:
    """Read one API date (``2014-01-13T15:01:35+0100``; ISO-8601 offsets are accepted too).

    Raises ``ValueError`` when ``text`` is not a date with an offset.

    Example:
        >>> parse_api_datetime("2014-01-13T15:01:35+0100").isoformat()
        '2014-01-13T14:01:35+00:00'
    """
    parsed = datetime.fromisoformat(
        _RFC822_OFFSET.sub(r"\1:\2", text.strip()).replace("Z", "+00:00")
    )
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return parsed.astimezone(UTC)


def parse_user_datetime(text: str, *, end_of_day: bool = False) -> datetime:
    """Read a date or datetime typed by a user, as an aware UTC instant.

    ``YYYY-MM-DD`` is local midnight at the start of that day, or with ``end_of_day`` the start of
    the next day. An ISO-8601 datetime keeps its offset; one without an offset is local time.

    Raises :class:`~smstools_tui.errors.ConfigError` with a one-line message on bad input, and on
    a date outside :data:`EARLIEST` … :data:`LATEST`.

    Example:
        >>> parse_user_datetime("2026-07-01T12:00:00+02:00").isoformat()
        '2026-07-01T10:00:00+00:00'
        >>> try:
        ...     parse_user_datetime("0001-01-05", end_of_day=True)
        ... except ConfigError as error:
        ...     print(error)
        '0001-01-05' is out of range: give a date between 1900-01-01 and 2200-01-01
    """
    cleaned = text.strip()
    try:
        if _BARE_DATE.fullmatch(cleaned):
            day = date.fromisoformat(cleaned)
            if end_of_day:
                day += timedelta(days=1)
            parsed = datetime(day.year, day.month, day.day)
        else:
            parsed = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except OverflowError:  # the day after 9999-12-31
        raise _out_of_range(text) from None
    except ValueError:
        raise ConfigError(
            f"{text!r} is not a date: use YYYY-MM-DD or an ISO-8601 datetime such as "
            "2026-11-01T08:00:00+01:00"
        ) from None
    return _checked_instant(parsed, text)


def _checked_instant(moment: datetime, given: str) -> datetime:
    """``moment`` as aware UTC (naive is local time), refused outside the accepted range."""
    try:
        aware = moment if moment.tzinfo is not None else moment.astimezone()
        instant = aware.astimezone(UTC)
    except (OverflowError, ValueError, OSError):  # beyond year 1 or 9999 once converted
        raise _out_of_range(given) from None
    if not EARLIEST <= instant <= LATEST:
        raise _out_of_range(given)
    return instant


def _out_of_range(given: str) -> ConfigError:
    return ConfigError(
        f"{given!r} is out of range: give a date between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}"
    )


TimeInput = datetime | str | None
"""A window end: an aware datetime (a naive one is local time), user text, or ``None``."""


def as_instant(value: TimeInput, *, end_of_day: bool = False) -> datetime | None:
    """An aware UTC instant from a datetime or user text (see :func:`parse_user_datetime`)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _checked_instant(value, value.isoformat())
    return parse_user_datetime(value, end_of_day=end_of_day)


@dataclass(frozen=True)
class DateWindow:
    """A half-open window of time ``[since, until)`` as aware UTC instants.

    Example:
        >>> from datetime import datetime, UTC
        >>> window = DateWindow.last(days=7, now=datetime(2026, 11, 25, tzinfo=UTC))
        >>> window.since.isoformat(), window.until.isoformat()
        ('2026-11-18T00:00:00+00:00', '2026-11-25T00:00:00+00:00')
    """

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        for moment in (self.since, self.until):
            if moment.tzinfo is None:
                raise ValueError("DateWindow needs aware datetimes")
        if self.until <= self.since:
            raise ConfigError(
                f"the window ends ({self.until.isoformat()}) before it starts "
                f"({self.since.isoformat()})"
            )

    @classmethod
    def last(cls, *, days: float, now: datetime | None = None) -> DateWindow:
        """The ``days`` before ``now`` (default: the current time)."""
        end = (now or datetime.now(UTC)).astimezone(UTC)
        return cls(end - timedelta(days=days), end)

    @classmethod
    def resolve(
        cls,
        since: TimeInput = None,
        until: TimeInput = None,
        *,
        now: datetime | None = None,
        default_days: float = 30,
    ) -> DateWindow:
        """The window a search reads: it never ends after ``now``, and a missing start is
        ``default_days`` before the end.

        Args:
            since, until: aware datetimes, user text (see :func:`parse_user_datetime`; a bare
                date as ``until`` includes that whole day) or ``None``.
            now: the current time (default: the system clock).

        Example:
            >>> from datetime import datetime, UTC
            >>> window = DateWindow.resolve("2026-11-01T00:00Z", "2030-01-01",
            ...                             now=datetime(2026, 11, 25, tzinfo=UTC))
            >>> window.until.isoformat()
            '2026-11-25T00:00:00+00:00'
        """
        current = (now or datetime.now(UTC)).astimezone(UTC)
        end = min(as_instant(until, end_of_day=True) or current, current)
        start = as_instant(since, end_of_day=False) or end - timedelta(days=default_days)
        if start >= current:
            raise ConfigError(f"the window starts in the future ({start.isoformat()})")
        return cls(start, end)

    @property
    def duration(self) -> timedelta:
        return self.until - self.since

    def previous(self) -> DateWindow:
        """The window of the same length that ends where this one starts."""
        return DateWindow(self.since - self.duration, self.since)

    def contains(self, moment: datetime) -> bool:
        return self.since <= moment < self.until
