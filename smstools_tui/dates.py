"""Dates on the wire, the range of dates a user may give, and the local time zone.

The API writes ``yyyy-MM-ddTHH:mm:ssZ`` with an RFC-822 offset (``2014-01-13T15:01:35+0100``).
Inside the package every instant is a timezone-aware UTC ``datetime``.

What users type (``2026-11-01``, ``last-month``, ``7d``) is read by
:mod:`smstools_tui.query` into windows. A bare date means that day in the local time zone
(:func:`local_zone`: the machine's, ``TZ`` when it is set).

A date a user gives lies between :data:`EARLIEST` and :data:`LATEST`: wide of any SMS ever sent,
and narrow enough that a window, the window before it and a pandas timestamp of either can always
be computed. Anything outside, however it is written (``0001-01-05``, ``9999-12-31``, an extreme
offset), is the same one-line :class:`~smstools_tui.errors.ConfigError`.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from .errors import ConfigError

__all__ = [
    "EARLIEST",
    "LATEST",
    "WEEKDAYS",
    "format_api_datetime",
    "local_zone",
    "parse_api_datetime",
    "resolve_zone",
    "zone_name",
]

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""The earliest instant a user may give."""
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""The latest instant a user may give (a window never ends after now anyway)."""

WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
"""The weekdays as reports and filters name them, Monday first (Python's and Arrow's order)."""

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


def zone_name(zone: tzinfo) -> str:
    """The IANA name of ``zone`` (what DuckDB's ``TimeZone`` and Arrow's timestamps take); the
    zone's abbreviation when it has no name (a fixed offset), ``UTC`` at worst.

    Example:
        >>> zone_name(resolve_zone("Europe/Rome")), zone_name(UTC)
        ('Europe/Rome', 'UTC')
    """
    key = getattr(zone, "key", None)
    if isinstance(key, str) and key != "localtime":
        return key
    name = zone.tzname(None)
    return name if name else "UTC"


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
