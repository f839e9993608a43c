"""Fuzzing the windows users type and pass: whatever the text, the datetime or its offset, a
window is read as a span of whole seconds within the accepted range, or refused with one line;
never another error."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smstools_tui.dates import EARLIEST, LATEST
from smstools_tui.errors import ConfigError
from smstools_tui.query import PERIODS, Query, Span, parse_window

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)

offsets = st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(lambda minutes: timedelta(minutes=minutes))
zones = st.none() | offsets.map(timezone)
any_datetime = st.builds(lambda moment, zone: moment.replace(tzinfo=zone), st.datetimes(), zones)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


terms = st.one_of(
    st.text(max_size=30),
    st.dates().map(date.isoformat),
    st.dates().map(lambda day: day.isoformat()[:7]),
    st.builds(
        lambda moment, offset: moment.isoformat() + _offset_text(offset), st.datetimes(), offsets
    ),
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    st.datetimes().map(datetime.isoformat),
    st.builds(lambda n, unit: f"{n}{unit}", st.integers(0, 10**8), st.sampled_from("mhdwy")),
    st.sampled_from(PERIODS),
)
windows = st.one_of(
    terms,
    st.builds(lambda a, b: f"{a}..{b}", terms | st.just(""), terms | st.just("")),
)


def _span_or_refused(read: object) -> Span | None:
    """The span a read gave, checked, or ``None`` when it was refused with one line."""
    try:
        span = read()  # type: ignore[operator]
    except ConfigError as error:
        message = str(error)
        assert "\n" not in message and len(message) < 600
        return None
    assert isinstance(span, Span)
    assert span.start.microsecond == span.end.microsecond == 0
    assert span.start < span.end <= NOW + timedelta(seconds=1)
    assert span.end <= LATEST
    # The store and the reports turn a span and the one before it into pandas timestamps.
    before = span.previous()
    for moment in (span.start, span.end, before.start):
        assert pd.Timestamp(moment).tzinfo is not None
    return span


@FUZZ
@given(text=windows, zone=st.sampled_from([None, "UTC", "Pacific/Kiritimati", "America/Adak"]))
@example(text="0001-01-05", zone=None)
@example(text="9999-12-31", zone=None)
@example(text="..9999-12-31", zone="UTC")
@example(text="0001-01-01T00:00:00+23:59..", zone=None)
@example(text="9999-12-31T23:59:59-23:59", zone=None)
@example(text="99999999w", zone=None)
@example(text="1900-01-01T00:00:00Z..1900-01-02", zone="UTC")
def test_typed_windows_resolve_in_range_or_are_refused(text: str, zone: str | None) -> None:
    _span_or_refused(lambda: parse_window(text).resolve(NOW, zone))


@FUZZ
@given(since=st.none() | any_datetime | terms, until=st.none() | any_datetime | terms)
@example(since=datetime.max.replace(tzinfo=timezone(-timedelta(hours=23, minutes=59))), until=None)
@example(since=datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59))), until=None)
@example(since=datetime.min, until=None)
@example(since=None, until="1900-01-01")
def test_any_since_and_until_make_a_query_or_one_line(
    since: datetime | str | None, until: datetime | str | None
) -> None:
    span = _span_or_refused(lambda: Query.build("sent", since=since, until=until, now=NOW).span)
    if span is not None and isinstance(since, datetime | str) and since is not None:
        assert span.start >= EARLIEST - timedelta(seconds=1)
