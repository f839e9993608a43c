from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smstools_tui import dates
from smstools_tui.analysis import (
    BY_CHOICES,
    CHART_BARS,
    NO_VALUE,
    Groups,
    group_key,
    local_zone,
    resolve_zone,
    time_buckets,
)
from smstools_tui.errors import ConfigError
from smstools_tui.query import Span

ROME = "Europe/Rome"

# Around the 2026 changes in Rome: summer time starts 2026-03-29 01:00 UTC and ends
# 2026-10-25 01:00 UTC.
DST_CASES = [
    # (UTC instant, Rome day, Rome week, Rome month)
    ("2026-03-28T23:30:00+0000", "2026-03-29", "2026-03-23", "2026-03"),
    ("2026-03-29T21:30:00+0000", "2026-03-29", "2026-03-23", "2026-03"),
    ("2026-03-29T22:30:00+0000", "2026-03-30", "2026-03-30", "2026-03"),
    ("2026-03-31T22:30:00+0000", "2026-04-01", "2026-03-30", "2026-04"),
    ("2026-10-24T22:30:00+0000", "2026-10-25", "2026-10-19", "2026-10"),
    ("2026-10-25T22:30:00+0000", "2026-10-25", "2026-10-19", "2026-10"),
    ("2026-10-25T23:30:00+0000", "2026-10-26", "2026-10-26", "2026-10"),
    ("2026-10-31T22:30:00+0000", "2026-10-31", "2026-10-26", "2026-10"),
    ("2026-10-31T23:30:00+0000", "2026-11-01", "2026-10-26", "2026-11"),
]


@pytest.mark.parametrize(("instant", "day", "week", "month"), DST_CASES)
def test_calendar_buckets_follow_rome_across_dst(
    make_sent: Callable[..., pd.DataFrame], instant: str, day: str, week: str, month: str
) -> None:
    sent = make_sent([{"insertDate": instant}])
    assert group_key(sent, "day", tz=ROME).tolist() == [day]
    assert group_key(sent, "week", tz=ROME).tolist() == [week]
    assert group_key(sent, "month", tz=ROME).tolist() == [month]


def test_time_labels_are_in_time_order_and_utc_differs(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    sent = make_sent([{"insertDate": instant} for instant, *_ in reversed(DST_CASES)])
    key = group_key(sent, "day", tz=ROME)
    assert list(key.cat.categories) == sorted(set(key))
    assert group_key(sent, "day", tz="UTC").tolist()[-1] == "2026-03-28"


def test_missing_values_are_their_own_group(make_sent: Callable[..., pd.DataFrame]) -> None:
    sent = make_sent(
        [
            {"transactionId": "promo", "insertDate": "2026-11-02T10:00:00+0000"},
            {"transactionId": None, "insertDate": None, "from": None, "status": None},
        ]
    )
    assert group_key(sent, "campaign").tolist() == ["promo", NO_VALUE]
    assert group_key(sent, "day", tz="UTC").tolist() == ["2026-11-02", NO_VALUE]
    assert group_key(sent, "sender").tolist() == ["MyShop", NO_VALUE]
    assert group_key(sent, "status").tolist() == ["DELIVERED", NO_VALUE]


def test_country_key(make_sent: Callable[..., pd.DataFrame]) -> None:
    sent = make_sent([{"to": "393480000000"}, {"to": "41791234567"}, {"to": "39 1"}])
    assert group_key(sent, "country").tolist() == ["IT", "CH", "(unknown)"]


def test_unknown_key_and_zone_are_one_line_errors(make_sent: Callable[..., pd.DataFrame]) -> None:
    with pytest.raises(ConfigError, match="cannot group by 'hour'"):
        group_key(make_sent([{}]), "hour")
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        group_key(make_sent([{}]), "day", tz="Mars/Olympus")


def test_the_zones_are_the_data_layers(monkeypatch: pytest.MonkeyPatch) -> None:
    # One rule for the local zone: the analysis reads days where windows are read.
    monkeypatch.setenv("TZ", "America/New_York")
    assert str(local_zone()) == str(resolve_zone(None)) == "America/New_York"
    assert local_zone is dates.local_zone and resolve_zone is dates.resolve_zone


def test_by_choices() -> None:
    assert BY_CHOICES == (
        "day", "week", "month", "sender", "campaign", "country", "status", "encoding", "account",
    )  # fmt: skip


def test_groups_of_two_keys_lists_only_combinations_that_occur(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    sent = make_sent(
        [
            {"to": "393480000000", "insertDate": "2026-10-01T10:00:00+0000"},
            {"to": "41791234567", "insertDate": "2026-11-01T10:00:00+0000"},
            {"to": "393480000000", "insertDate": "2026-11-02T10:00:00+0000"},
        ]
    )
    groups = Groups.of(sent, ["month", "country"], tz="UTC")
    frame = groups.frame({"messages": groups.count()})
    assert frame.to_dict("list") == {
        "month": ["2026-10", "2026-11", "2026-11"],
        "country": ["IT", "IT", "CH"],
        "messages": [1, 1, 1],
    }


def test_groups_of_nothing_is_one_group_even_when_empty(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    groups = Groups.of(make_sent([]), None)
    assert groups.size == 1
    assert groups.count().tolist() == [0]


def test_report_order_time_first_then_largest(make_sent: Callable[..., pd.DataFrame]) -> None:
    sent = make_sent([{"from": "b"}, {"from": "a"}, {"from": "c"}, {"from": "c"}])
    groups = Groups.of(sent, "sender")
    frame = groups.frame({"messages": groups.count()}, size=groups.count())
    assert frame["sender"].tolist() == ["c", "a", "b"]


def test_quantiles_match_pandas() -> None:
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 5, size=1_000)
    values = rng.lognormal(1, 1, size=1_000)
    values[rng.random(1_000) < 0.1] = np.nan
    groups = Groups(codes, pd.DataFrame({"g": range(5)}))
    ours = groups.quantiles(values, (0.5, 0.9, 0.99))
    theirs = (
        pd.DataFrame({"g": codes, "v": values})
        .groupby("g")["v"]
        .quantile([0.5, 0.9, 0.99])
        .unstack()
        .to_numpy()
    )
    np.testing.assert_allclose(ours, theirs)


def test_quantiles_of_an_empty_group_are_nan() -> None:
    groups = Groups(np.array([0, 0]), pd.DataFrame({"g": [0, 1]}))
    out = groups.quantiles(np.array([1.0, 3.0]), (0.5,))
    assert out[0, 0] == 2.0
    assert np.isnan(out[1, 0])


def test_sum_int_is_exact() -> None:
    groups = Groups(np.zeros(3, dtype=np.int64), pd.DataFrame(index=range(1)))
    assert groups.sum_int(np.array([2**60, 1, 1], dtype=np.int64)).tolist() == [2**60 + 2]


def test_naive_datetime_column_is_read_as_utc() -> None:
    frame = pd.DataFrame({"insertDate": [datetime(2026, 3, 28, 23, 30)]})
    assert group_key(frame, "day", tz=ROME).tolist() == ["2026-03-29"]


# -- time buckets of a window ----------------------------------------------------------------------


def window(since: str, until: str) -> Span:
    return Span(datetime.fromisoformat(since), datetime.fromisoformat(until))


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, "day"), (35, "day"), (35.01, "week"), (245, "week"), (245.01, "month"), (800, "month")],
)
def test_one_rule_picks_the_bucket_from_the_window_length(days: float, expected: str) -> None:
    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    span = Span(now - timedelta(days=days), now)
    buckets = time_buckets(span, tz="UTC")
    assert buckets.by == expected
    assert len(buckets.labels) <= CHART_BARS + 2  # the first and last may be cut by the window


def test_whole_local_days_are_whole_buckets_across_dst() -> None:
    # October 2026 in Rome: midnight to midnight, with the 25-hour day of the change inside.
    october = window("2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00")
    days = time_buckets(october, "day", tz=ROME)
    assert len(days.labels) == 31 and days.labels[0] == "2026-10-01"
    assert days.partial_labels == ()
    assert time_buckets(october, "month", tz=ROME).labels == ("2026-10",)
    assert time_buckets(october, "month", tz=ROME).partial == (False,)
    # In UTC the same window starts and ends two hours into a day: both ends are cut.
    assert time_buckets(october, "day", tz="UTC").partial_labels == ("2026-09-30", "2026-10-31")


def test_weeks_cut_by_the_window_are_partial() -> None:
    # From a Tuesday to the current moment of a Wednesday.
    span = window("2026-09-01T00:00:00+00:00", "2026-11-25T10:00:00+00:00")
    weeks = time_buckets(span, "week", tz="UTC")
    assert weeks.labels[0] == "2026-08-31" and weeks.labels[-1] == "2026-11-23"
    assert weeks.partial_labels == ("2026-08-31", "2026-11-23")
    assert not any(weeks.partial[1:-1])
    # A window of whole weeks, Monday to Monday, has none.
    whole = window("2026-08-31T00:00:00+00:00", "2026-11-23T00:00:00+00:00")
    assert time_buckets(whole, "week", tz="UTC").partial_labels == ()


def test_mark_adds_a_partial_column_after_the_bucket(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    sent = make_sent(
        [
            {"to": "393480000000", "insertDate": "2026-11-24T10:00:00+0000"},
            {"to": "41791234567", "insertDate": "2026-11-02T10:00:00+0000"},
            {"to": "393480000000", "insertDate": None},
        ]
    )
    groups = Groups.of(sent, ["week", "country"], tz="UTC")
    report = groups.frame({"messages": groups.count()})
    span = window("2026-11-04T00:00:00+00:00", "2026-11-25T10:00:00+00:00")
    marked = time_buckets(span, "week", tz="UTC").mark(report)
    assert marked.columns.tolist() == ["week", "partial", "country", "messages"]
    assert marked["partial"].dtype == bool
    assert dict(zip(marked["week"], marked["partial"], strict=True)) == {
        "2026-11-02": True, "2026-11-23": True, NO_VALUE: False,
    }  # fmt: skip
    # Marking again replaces the column; a frame without the bucket cannot be marked.
    assert (
        time_buckets(span, "week", tz="UTC").mark(marked).columns.tolist()
        == marked.columns.tolist()
    )
    with pytest.raises(ValueError, match="no day column"):
        time_buckets(span, "day", tz="UTC").mark(report)


def test_an_unknown_bucket_is_a_one_line_error() -> None:
    span = window("2026-11-04T00:00:00+00:00", "2026-11-05T00:00:00+00:00")
    with pytest.raises(ConfigError, match="cannot draw time by 'hour'"):
        time_buckets(span, "hour")


ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Rome",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "America/Santiago",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)),
    length=st.timedeltas(timedelta(seconds=1), timedelta(days=900)),
    by=st.sampled_from([None, "day", "week", "month"]),
    zone=ZONES,
    offsets=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=20),
)
def test_buckets_cover_the_window_and_only_its_ends_are_partial(
    start: datetime, length: timedelta, by: str | None, zone: str, offsets: list[float]
) -> None:
    span = Span.covering(start, start + length)
    length = span.duration
    buckets = time_buckets(span, by, tz=zone)
    assert list(buckets.labels) == sorted(set(buckets.labels))
    # Every moment of the window falls in one of the buckets, labelled as reports label it.
    moments = [span.start + length * offset for offset in offsets] + [span.start]
    frame = pd.DataFrame({"insertDate": pd.to_datetime(moments, utc=True)})
    assert set(group_key(frame, buckets.by, tz=zone)) <= set(buckets.labels)
    # Inner buckets are whole; the ends are partial exactly when the window cuts them.
    assert not any(buckets.partial[1:-1])
    step = {
        "day": pd.DateOffset(days=1),
        "week": pd.DateOffset(days=7),
        "month": pd.DateOffset(months=1),
    }

    def local(moment: pd.Timestamp) -> pd.Timestamp:
        return moment.tz_localize(zone, ambiguous=False, nonexistent="shift_forward")

    first, last = pd.Timestamp(buckets.labels[0]), pd.Timestamp(buckets.labels[-1])
    starts_before = local(first) < span.start
    ends_after = local(last + step[buckets.by]) > span.end
    if len(buckets.labels) == 1:
        assert buckets.partial == (starts_before or ends_after,)
    else:
        assert buckets.partial[0] == starts_before
        assert buckets.partial[-1] == ends_after
