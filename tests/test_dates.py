from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from smstools_tui.dates import (
    EARLIEST,
    LATEST,
    DateWindow,
    as_instant,
    format_api_datetime,
    parse_api_datetime,
    parse_user_datetime,
)
from smstools_tui.errors import ConfigError


@pytest.fixture
def rome(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Rome")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_bare_date_is_local_midnight(rome: None) -> None:
    assert parse_user_datetime("2026-07-01") == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert parse_user_datetime("2026-12-01") == datetime(2026, 11, 30, 23, tzinfo=UTC)


def test_bare_date_as_end_includes_the_whole_day(rome: None) -> None:
    assert parse_user_datetime("2026-10-25", end_of_day=True) == datetime(
        2026, 10, 25, 23, tzinfo=UTC
    )


def test_a_window_over_the_dst_change_is_25_hours(rome: None) -> None:
    window = DateWindow.resolve("2026-10-25", "2026-10-25", now=datetime(2027, 1, 1, tzinfo=UTC))
    assert window.duration.total_seconds() == 25 * 3600


def test_iso_datetime_keeps_its_offset() -> None:
    assert parse_user_datetime("2026-03-29T03:30:00+02:00") == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    assert parse_user_datetime("2026-03-29T01:30:00Z") == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01", "2026-02-30", "01/02/2026"])
def test_bad_user_dates_are_one_line_errors(text: str) -> None:
    with pytest.raises(ConfigError, match="is not a date: use YYYY-MM-DD") as caught:
        parse_user_datetime(text)
    assert "\n" not in str(caught.value)


def test_api_format_round_trip() -> None:
    moment = datetime(2014, 1, 13, 14, 1, 35, tzinfo=UTC)
    assert format_api_datetime(moment) == "2014-01-13T14:01:35+0000"
    assert parse_api_datetime("2014-01-13T15:01:35+0100") == moment
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_api_datetime("2014-01-13T15:01:35")


def test_window_rules() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    window = DateWindow.resolve(None, None, now=now)
    assert window.until == now and window.duration.days == 30
    assert window.previous().until == window.since
    assert DateWindow.resolve(None, "2030-01-01", now=now) == window
    with pytest.raises(ConfigError, match="before it starts"):
        DateWindow.resolve("2026-11-02T00:00Z", "2026-11-01T00:00Z", now=now)
    with pytest.raises(ConfigError, match="starts in the future"):
        DateWindow.resolve("2026-12-01T00:00Z", None, now=now)
    assert DateWindow.last(days=7, now=now).contains(datetime(2026, 11, 24, tzinfo=UTC))


OUT_OF_RANGE = "is out of range: give a date between 1900-01-01 and 2200-01-01"


@pytest.mark.parametrize(
    ("text", "end_of_day"),
    [
        ("0001-01-05", True),  # the end of a window five days into year 1
        ("0001-01-01", False),
        ("9999-12-31", False),
        ("9999-12-31", True),  # its end of day is past the last date Python has
        ("0001-01-01T00:00:00+23:59", False),  # before year 1 once in UTC
        ("9999-12-31T23:59:59-23:59", False),  # after year 9999 once in UTC
        ("1899-12-31T23:59:59Z", False),
        ("2200-01-01T00:00:01Z", False),
        ("1899-12-30T00:00:00", False),  # naive: local time, outside in any zone
    ],
)
def test_dates_out_of_range_are_one_line_errors(text: str, end_of_day: bool) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_user_datetime(text, end_of_day=end_of_day)
    assert str(caught.value) == f"{text!r} {OUT_OF_RANGE}"


def test_the_range_includes_its_ends() -> None:
    assert parse_user_datetime("1900-01-01T00:00:00Z") == EARLIEST
    assert parse_user_datetime("2200-01-01T00:00:00Z") == LATEST


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime.max.replace(tzinfo=timezone(-timedelta(hours=23, minutes=59))),
        datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59))),
        datetime(2300, 1, 1, tzinfo=UTC),
    ],
)
def test_datetimes_out_of_range_are_the_same_error(moment: datetime) -> None:
    with pytest.raises(ConfigError, match=OUT_OF_RANGE):
        as_instant(moment)
    with pytest.raises(ConfigError, match=OUT_OF_RANGE):
        DateWindow.resolve(moment, None, now=datetime(2026, 11, 25, tzinfo=UTC))


def test_a_window_at_the_edge_of_the_range_and_the_one_before_it_compute() -> None:
    window = DateWindow.resolve(None, "1900-01-05T00:00Z", now=datetime(2026, 11, 25, tzinfo=UTC))
    assert window.since == datetime(1899, 12, 6, tzinfo=UTC)
    assert window.previous().until == window.since
