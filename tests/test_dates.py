"""The API's date format, the range of dates a user may give, the local zone. (Windows as users
type them are :mod:`smstools_tui.query`'s: see ``tests/test_query.py``.)"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from smstools_tui.dates import (
    format_api_datetime,
    local_zone,
    parse_api_datetime,
    resolve_zone,
)
from smstools_tui.errors import ConfigError


def test_api_format_round_trip() -> None:
    moment = datetime(2014, 1, 13, 14, 1, 35, tzinfo=UTC)
    assert format_api_datetime(moment) == "2014-01-13T14:01:35+0000"
    assert parse_api_datetime("2014-01-13T15:01:35+0100") == moment
    assert parse_api_datetime("2014-01-13T14:01:35Z") == moment
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_api_datetime("2014-01-13T15:01:35")
    with pytest.raises(ValueError, match="aware"):
        format_api_datetime(datetime(2014, 1, 13))


def test_the_local_zone_is_tz_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Rome")
    assert local_zone() == ZoneInfo("Europe/Rome")
    assert resolve_zone(None) == ZoneInfo("Europe/Rome")
    assert resolve_zone("UTC") == ZoneInfo("UTC") and resolve_zone(UTC) is UTC
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        resolve_zone("Mars/Olympus")
