"""Fuzzing the dates users type and pass: whatever the text, the datetime or its offset, a date
is read as an instant within the accepted range or refused with one line; never another error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smstools_tui.dates import EARLIEST, LATEST, DateWindow, as_instant, parse_user_datetime
from smstools_tui.errors import ConfigError

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)

offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda minutes: timedelta(minutes=minutes))
zones = st.none() | offsets.map(timezone)
any_datetime = st.builds(lambda moment, zone: moment.replace(tzinfo=zone), st.datetimes(), zones)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


user_texts = st.one_of(
    st.text(max_size=40),
    st.dates().map(date.isoformat),
    st.builds(
        lambda moment, offset: moment.isoformat() + _offset_text(offset), st.datetimes(), offsets
    ),
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.datetimes().map(datetime.isoformat),
)


def _in_range_or_refused(read: Callable[[], datetime | None]) -> datetime | None:
    """What a read gave, checked: an aware UTC instant within the range, or ``None`` when it
    was refused with one line."""
    try:
        instant = read()
    except ConfigError as error:
        message = str(error)
        assert "\n" not in message
        assert "is not a date" in message or "is out of range" in message
        return None
    assert isinstance(instant, datetime) and instant.utcoffset() == timedelta(0)
    assert EARLIEST <= instant <= LATEST
    return instant


@FUZZ
@given(text=user_texts, end_of_day=st.booleans())
@example(text="0001-01-05", end_of_day=True)
@example(text="9999-12-31", end_of_day=True)
@example(text="9999-12-31", end_of_day=False)
@example(text="0001-01-01T00:00:00+23:59", end_of_day=False)
@example(text="9999-12-31T23:59:59-23:59", end_of_day=False)
@example(text="0001-01-01T00:00:00", end_of_day=False)
def test_typed_dates_are_read_in_range_or_refused(text: str, end_of_day: bool) -> None:
    _in_range_or_refused(lambda: parse_user_datetime(text, end_of_day=end_of_day))


@FUZZ
@given(moment=any_datetime)
@example(moment=datetime.max.replace(tzinfo=timezone(-timedelta(hours=23, minutes=59))))
@example(moment=datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59))))
@example(moment=datetime.min)
def test_given_datetimes_are_read_in_range_or_refused(moment: datetime) -> None:
    _in_range_or_refused(lambda: as_instant(moment))


@FUZZ
@given(since=st.none() | user_texts, until=st.none() | user_texts)
@example(since=None, until="1900-01-01")
@example(since="1900-01-01T00:00Z", until=None)
def test_any_window_the_range_allows_and_the_one_before_it_compute(
    since: str | None, until: str | None
) -> None:
    try:
        window = DateWindow.resolve(since, until, now=NOW)
    except ConfigError as error:
        assert "\n" not in str(error)
        return
    before = window.previous()
    # The store and the reports turn both windows into pandas timestamps.
    for moment in (window.since, window.until, before.since):
        assert pd.Timestamp(moment).tzinfo is not None


@pytest.mark.parametrize("until", ["0001-01-05", "9999-12-31", "2300-01-01"])
def test_the_same_error_whatever_the_way_out_of_range(until: str) -> None:
    with pytest.raises(ConfigError, match="is out of range: give a date between"):
        DateWindow.resolve(None, until, now=NOW)
