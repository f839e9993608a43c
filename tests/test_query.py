"""The query value: spans, window expressions, filters (one meaning in a frame and in the
store), queries and how they change and render."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smstools_tui.dates import WEEKDAYS
from smstools_tui.errors import ConfigError
from smstools_tui.frames import RECEIVED_SCHEMA, SENT_SCHEMA, coerce_frame, sent_frame
from smstools_tui.msisdn import destinations, msisdn_digits, original_carriers
from smstools_tui.query import (
    DEFAULT_WINDOW,
    PERIODS,
    Filters,
    Query,
    Relation,
    Span,
    WindowExpr,
    filter_keywords,
    parse_window,
    week_hour,
)
from smstools_tui.store.schema import to_table

from .conftest import NOW

ROME = ZoneInfo("Europe/Rome")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def rome(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is Rome (``TZ``), as a user's in Italy would be."""
    monkeypatch.setenv("TZ", "Europe/Rome")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# -- spans ------------------------------------------------------------------------------------


def test_a_span_covers_the_whole_seconds_of_a_window() -> None:
    span = Span.covering(utc(2026, 11, 1, 8, 0, 0) + timedelta(microseconds=1), utc(2026, 11, 2))
    assert span.start == utc(2026, 11, 1, 8, 0, 1) and span.end == utc(2026, 11, 2)
    assert span.api_dates() == ("2026-11-01T08:00:01+0000", "2026-11-01T23:59:59+0000")
    # Less than a second of window still reads one second.
    tiny = Span.covering(utc(2026, 11, 1) + timedelta(microseconds=2), utc(2026, 11, 1, 0, 0, 1))
    assert tiny.epoch[1] - tiny.epoch[0] == 1


def test_a_span_is_aware_whole_seconds_and_not_empty() -> None:
    with pytest.raises(ValueError, match="aware"):
        Span(datetime(2026, 11, 1), utc(2026, 11, 2))
    with pytest.raises(ValueError, match="whole seconds"):
        Span(utc(2026, 11, 1) + timedelta(microseconds=5), utc(2026, 11, 2))
    with pytest.raises(ConfigError, match="before it starts"):
        Span(utc(2026, 11, 2), utc(2026, 11, 2))
    with pytest.raises(ConfigError, match="before it starts"):
        Span.covering(utc(2026, 11, 2), utc(2026, 11, 1))
    rome_start = datetime(2026, 11, 1, 1, tzinfo=ROME)
    assert Span(rome_start, utc(2026, 11, 2)).start.tzinfo is UTC


@settings(max_examples=100, deadline=None)
@given(
    start=st.integers(-2_000_000_000, 7_000_000_000),
    length=st.integers(1, 10**9),
    now=st.integers(-2_000_000_000, 7_000_000_000),
)
def test_span_arithmetic(start: int, length: int, now: int) -> None:
    span = Span.from_epoch(start, start + length)
    assert span.epoch == (start, start + length)
    assert Span.covering(span.start, span.end) == span
    before = span.previous()
    assert before.end == span.start and before.duration == span.duration
    assert span.intersect(before) is None
    assert span.intersect(span) == span
    moment = Span.from_epoch(now, now + 1).start + timedelta(microseconds=500_000)
    ended = span.ending_by(moment)
    assert ended.start == span.start and ended.end <= max(span.end, span.start + ended.duration)
    assert ended.end <= max(Span.from_epoch(now, now + 1).start, span.start + timedelta(seconds=1))
    assert span.contains(span.start) and not span.contains(span.end)


# -- window expressions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("7d", utc(2026, 11, 18, 10), NOW),
        ("24h", utc(2026, 11, 24, 10), NOW),
        ("90m", utc(2026, 11, 25, 8, 30), NOW),
        ("2w", utc(2026, 11, 11, 10), NOW),
        ("today", utc(2026, 11, 24, 23), NOW),
        ("yesterday", utc(2026, 11, 23, 23), utc(2026, 11, 24, 23)),
        ("this-week", utc(2026, 11, 22, 23), NOW),  # Monday 23 November, in Rome
        ("last-week", utc(2026, 11, 15, 23), utc(2026, 11, 22, 23)),
        ("this-month", utc(2026, 10, 31, 23), NOW),
        ("last-month", utc(2026, 9, 30, 22), utc(2026, 10, 31, 23)),  # summer time to winter
        ("this-year", utc(2025, 12, 31, 23), NOW),
        ("last-year", utc(2024, 12, 31, 23), utc(2025, 12, 31, 23)),
        ("2026-10", utc(2026, 9, 30, 22), utc(2026, 10, 31, 23)),
        ("2026-10-25", utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)),  # a 25-hour day
        ("2026-11-01..", utc(2026, 10, 31, 23), NOW),
        ("..2026-11-20", utc(2026, 10, 21, 23), utc(2026, 11, 20, 23)),  # 30 days
        ("2026-10..2026-11-01", utc(2026, 9, 30, 22), utc(2026, 11, 1, 23)),
        ("7d..yesterday", utc(2026, 11, 18, 10), utc(2026, 11, 24, 23)),
        (
            "2026-11-01T08:00..2026-11-01T09:30:00+01:00",
            utc(2026, 11, 1, 7),
            utc(2026, 11, 1, 8, 30),
        ),
        ("2026-11-01T08:00Z..2030-01-01", utc(2026, 11, 1, 8), NOW),
        ("LAST_MONTH", utc(2026, 9, 30, 22), utc(2026, 10, 31, 23)),
        ("last month", utc(2026, 9, 30, 22), utc(2026, 10, 31, 23)),
    ],
)
def test_window_expressions_in_a_zone(text: str, start: datetime, end: datetime) -> None:
    span = parse_window(text).resolve(NOW, ROME)
    assert (span.start, span.end) == (start, end)
    assert parse_window(text).text == text


def test_bare_dates_and_periods_are_local_time_by_default(rome: None) -> None:
    assert parse_window("last-month").resolve(NOW) == parse_window("last-month").resolve(NOW, ROME)
    assert parse_window("2026-07-01").resolve(NOW).start == utc(2026, 6, 30, 22)


@pytest.mark.parametrize("moment", [utc(2026, 1, 1), utc(2026, 3, 2, 5), utc(2027, 1, 4, 0, 30)])
@pytest.mark.parametrize("period", PERIODS)
def test_calendar_periods_follow_each_other(moment: datetime, period: str) -> None:
    span = parse_window(period).resolve(moment, "UTC")
    local = span.start.astimezone(UTC)
    assert local.hour == local.minute == 0
    if period.startswith("last-") or period == "yesterday":
        following = "today" if period == "yesterday" else period.replace("last-", "this-")
        assert parse_window(following).resolve(moment, "UTC").start == span.end
    if "week" in period:
        assert local.weekday() == 0
    if "month" in period or "year" in period:
        assert local.day == 1
    if "year" in period:
        assert local.month == 1


def test_the_default_window_is_the_last_30_days() -> None:
    span = parse_window(DEFAULT_WINDOW).resolve(NOW)
    assert span.end == NOW and span.duration == timedelta(days=30)


@pytest.mark.parametrize("text", ["30d", "7d", "24h", "90m"])
def test_a_duration_is_whole_between_seconds(text: str) -> None:
    """Mid-second, ``30d`` was a second short: its start rounded up, its end down."""
    late = NOW + timedelta(seconds=30, microseconds=600_000)
    span = parse_window(text).resolve(late)
    assert span.end == NOW + timedelta(seconds=30)
    assert span.duration == parse_window(text).resolve(NOW).duration


def test_a_window_never_ends_after_now_and_never_starts_after_it() -> None:
    late = NOW + timedelta(seconds=30, microseconds=400_000)
    assert parse_window("2026-11").resolve(late).end == NOW + timedelta(seconds=30)
    with pytest.raises(ConfigError, match="starts in the future"):
        parse_window("2026-12-01..").resolve(NOW, ROME)
    with pytest.raises(ConfigError, match="before it starts"):
        WindowExpr.between(parse_window("2026-11-10"), parse_window("2026-11-01")).resolve(NOW)


def test_a_duration_cannot_end_a_window() -> None:
    with pytest.raises(ConfigError, match="counts back from now: it can start a window"):
        parse_window("2026-11-01..7d")
    with pytest.raises(ConfigError, match="counts back from now"):
        WindowExpr.between(None, parse_window("7d"))


@pytest.mark.parametrize(
    "text",
    ["", "  ", "..", "0d", "7y", "2026-13", "2026-02-30", "01/02/2026", "7d..8d..9d", "x" * 101],
)
def test_bad_windows_are_one_line_errors_listing_the_forms(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_window(text)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 400
    assert "window" in message


OUT_OF_RANGE = "is out of range: give a date between 1900-01-01 and 2200-01-01"


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-05",
        "9999-12-31",
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59-23:59",
        "1899-12-31T23:59:59Z",
        "2200-01-01T00:00:01Z",
        "1899-12-30T00:00:00",
        "9999999w",
        "..2300-01-01",
    ],
)
def test_windows_out_of_range_are_the_same_error(text: str) -> None:
    with pytest.raises(ConfigError, match=OUT_OF_RANGE):
        parse_window(text).resolve(NOW)


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
        Query.build("sent", since=moment, now=NOW)


def test_the_range_includes_its_ends_and_a_default_start_may_precede_it() -> None:
    span = parse_window("1900-01-01T00:00Z..1900-01-05T00:00Z").resolve(NOW)
    assert span.start == datetime(1900, 1, 1, tzinfo=UTC)
    early = parse_window("..1900-01-05T00:00Z").resolve(NOW)
    assert early.start == datetime(1899, 12, 6, tzinfo=UTC)
    assert early.previous().end == early.start


# -- filters ----------------------------------------------------------------------------------


def test_filter_values_are_normalised_once() -> None:
    chosen = Filters(
        statuses=["delivered", "Unknown"],
        numbers=["+39 348 000 0000", "0041791234567"],
        countries=["it", "001", "(unknown)"],
        ids=["12", 7],
        services=[12],
        text="",
    )
    assert chosen.statuses == {"DELIVERED", "UNKNOWN"}
    assert chosen.numbers == {"393480000000", "41791234567"}
    assert chosen.countries == {"IT", "001", "(unknown)"}
    assert chosen.ids == {7, 12} and chosen.services == {"12"} and chosen.text is None
    assert Filters(statuses="SENT").statuses == {"SENT"}  # one value, not its letters
    assert not Filters() and Filters(text="x")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"statuses": ["LOST"]}, "unknown status 'LOST'"),
        ({"numbers": ["abc"]}, "is not a phone number"),
        ({"ids": ["12a"]}, "is not a message id"),
        ({"ids": [-1]}, "ids are not negative"),
        ({"countries": ["Italy"]}, "unknown country 'Italy'"),
        ({"senders": ["  "]}, "an empty sender"),
        ({"carriers": [" "]}, "an empty carrier"),
        ({"hours": ["Mon"]}, "'Mon' is not an hour of the week"),
        ({"hours": ["Mon 24"]}, "is not an hour of the week"),
        ({"hours": ["Xyz 09"]}, "is not an hour of the week"),
        ({"hours": ["Mon 09 Mars/Olympus"]}, "Mars/Olympus"),
    ],
)
def test_bad_filter_values_are_clear_errors(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Filters(**values)


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        ("sent", {"services": ["1"]}, "--service applies to received messages only"),
        ("received", {"statuses": ["SENT"]}, "--status applies to sent messages only"),
        ("received", {"campaigns": ["x"]}, "--campaign applies to sent messages only"),
        ("received", {"ids": [1]}, "--id applies to sent messages only"),
        ("received", {"senders": ["shop"]}, "--sender applies to sent messages only"),
    ],
)
def test_a_filter_of_the_other_kind_is_refused(
    kind: Any, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Query(kind, Span.from_epoch(0, 10), Filters(**values))


@pytest.mark.parametrize(
    ("text", "zone", "kept"),
    [
        ("mon 9", "Europe/Rome", "Mon 09 Europe/Rome"),
        ("Monday 09:00", "UTC", "Mon 09 UTC"),
        ("sun 23 America/New_York", "Europe/Rome", "Sun 23 America/New_York"),
        ("  Fri  18h ", "Asia/Kolkata", "Fri 18 Asia/Kolkata"),
    ],
)
def test_an_hour_of_the_week_is_kept_with_its_zone(text: str, zone: str, kept: str) -> None:
    assert week_hour(text, zone) == kept
    assert Filters(hours=[kept]).hours == {kept}


def test_an_hour_of_the_week_without_a_zone_is_the_machine_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert Filters(hours="Tue 07").hours == {"Tue 07 Asia/Tokyo"}


def test_filter_keywords_join_spellings_and_map_the_received_sender() -> None:
    assert filter_keywords("sent", {"status": "SENT", "statuses": ["PENDING"], "msisdn": "39"}) == {
        "statuses": ["SENT", "PENDING"],
        "numbers": ["39"],
    }
    assert filter_keywords("received", {"sender": "+39348", "senders": ["+41"]}) == {
        "numbers": ["+39348", "+41"]
    }
    with pytest.raises(ConfigError, match="unknown filter 'colour'"):
        filter_keywords("sent", {"colour": "red"})


# Frames as the API gives them: a few values of each column, often repeated, sometimes missing,
# numbers written every way people and servers write them.
NUMBERS = ["393480000000", "+393480000000", "0039 348 000 0000", "41791234567", "+41 79 123 45 67",
           "447400123456", "80012345678", "39123", "MyShop", ""]  # fmt: skip
TEXTS = ["Promo -20%", "STOP", "stop please", "Ciao é", "CIAO É", "", "promo"]
SENDERS = ["mrossi", "Shop", "shop"]
CAMPAIGNS = ["black-friday", "summer", "Black-Friday"]
# Around Europe's and New York's clock changes (2026-03-29, 2026-03-08) and on either side of a
# midnight, so a weekday or an hour read in the wrong zone or offset shows.
MOMENTS = [
    "2026-03-29T00:30:00+0000",
    "2026-03-29T01:30:00+0000",
    "2026-03-28T23:10:00+0000",
    "2026-03-08T06:59:00+0000",
    "2026-03-08T07:00:00+0000",
    "2026-11-23T08:30:00+0000",
]
WEEK_HOURS = ["Sun 02 Europe/Rome", "Sun 03 Europe/Rome", "Sun 00 Europe/Rome", "Sat 23 UTC",
              "Sun 01 America/New_York", "Sun 03 America/New_York", "Mon 09 Europe/Rome",
              "Sun 00 UTC"]  # fmt: skip

maybe = st.none().__or__


def _sent_rows() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "id": st.integers(1, 30),
            "to": maybe(st.sampled_from(NUMBERS)),
            "from": maybe(st.sampled_from(SENDERS)),
            "text": maybe(st.sampled_from(TEXTS)),
            "status": maybe(st.sampled_from(["DELIVERED", "NOTDELIVERED", "SENT", "UNKNOWN"])),
            "transactionId": maybe(st.sampled_from(CAMPAIGNS)),
            "insertDate": maybe(st.sampled_from(MOMENTS)),
        }
    )


def _received_rows() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "from": maybe(st.sampled_from(NUMBERS)),
            "text": maybe(st.sampled_from(TEXTS)),
            "simId": maybe(st.sampled_from(["1", "2", "12"])),
            "receiveDate": maybe(st.sampled_from(MOMENTS)),
        }
    )


def _filters(kind: str) -> st.SearchStrategy[Filters]:
    def some(values: list[Any]) -> st.SearchStrategy[frozenset[Any]]:
        return st.frozensets(st.sampled_from(values), max_size=2)

    shared = {
        "numbers": some(["393480000000", "41791234567", "39123", "447400123456"]),
        "countries": some(["IT", "CH", "GB", "001", "(unknown)"]),
        "carriers": some(["TIM", "Vodafone", "Swisscom", "(unknown)"]),
        "hours": some(WEEK_HOURS),
        "text": maybe(st.sampled_from(["promo", "STOP", "é", "ciao É", "%"])),
    }
    if kind == "sent":
        only = {
            "statuses": some(["DELIVERED", "NOTDELIVERED", "SENT", "UNKNOWN"]),
            "senders": some(SENDERS),
            "campaigns": some(CAMPAIGNS),
            "ids": some(list(range(1, 31))),
        }
    else:
        only = {"services": some(["1", "12", "3"])}
    return st.fixed_dictionaries({**shared, **only}).map(lambda values: Filters(**values))


def _in_hour(moment: str, hour: str) -> bool:
    day, clock, zone = hour.split(" ")
    local = datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S%z").astimezone(ZoneInfo(zone))
    return WEEKDAYS[local.weekday()] == day and local.hour == int(clock)


def _meant(row: dict[str, Any], chosen: Filters, kind: str) -> bool:
    """What a filter means, said row by row in plain Python."""
    number = row["to" if kind == "sent" else "from"]
    moment = row["insertDate" if kind == "sent" else "receiveDate"]
    checks = {
        "statuses": lambda: row["status"] in chosen.statuses,
        "numbers": lambda: number is not None and msisdn_digits(number) in chosen.numbers,
        "senders": lambda: row["from"] in chosen.senders,
        "campaigns": lambda: row["transactionId"] in chosen.campaigns,
        "services": lambda: row["simId"] in chosen.services,
        "ids": lambda: row["id"] in chosen.ids,
        "countries": lambda: (
            destinations(pd.Series([number], dtype="str"))["country"].iloc[0] in chosen.countries
        ),
        "carriers": lambda: (
            original_carriers(pd.Series([number], dtype="str")).iloc[0] in chosen.carriers
        ),
        "hours": lambda: (
            moment is not None and any(_in_hour(moment, hour) for hour in chosen.hours)
        ),
        "text": lambda: row["text"] is not None and str(chosen.text).lower() in row["text"].lower(),
    }
    return all(checks[name]() for name, _ in chosen.items())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(["sent", "received"]))
def test_a_filter_means_the_same_in_a_frame_in_the_store_and_in_plain_words(
    data: st.DataObject, kind: Any
) -> None:
    rows = data.draw(st.lists(_sent_rows() if kind == "sent" else _received_rows(), max_size=25))
    chosen = data.draw(_filters(kind))
    frame = coerce_frame(pd.DataFrame(rows), SENT_SCHEMA if kind == "sent" else RECEIVED_SCHEMA)
    applied = chosen.apply(frame, kind)
    # The store keeps the frame as an Arrow table of its own types and filters it there.
    expression = chosen.arrow_expression(kind)
    stored = to_table(frame, kind)
    table = stored if expression is None else stored.filter(expression)
    expected = [index for index, row in enumerate(rows) if _meant(row, chosen, kind)]
    pd.testing.assert_frame_equal(
        applied, frame.iloc[expected].reset_index(drop=True), check_categorical=False
    )
    assert table.num_rows == len(expected)
    key = "id" if kind == "sent" else "text"
    assert (
        table[key].to_pylist()
        == applied[key].astype(object).where(applied[key].notna(), None).tolist()
    )


def test_no_filter_is_the_frame_itself() -> None:
    frame = coerce_frame(pd.DataFrame({"id": [1]}), SENT_SCHEMA)
    assert Filters().apply(frame, "sent") is frame
    assert Filters().arrow_expression("received") is None


def test_the_country_filter_works_on_any_arrow_column() -> None:
    table = pa.table({"from": pa.array(["+41 79 123 45 67", None, "393480000000"])})
    assert table.filter(Filters(countries={"(unknown)"}).arrow_expression("received")).num_rows == 1


# -- queries ----------------------------------------------------------------------------------


def test_build_defaults_to_the_last_30_days_and_an_ids_search_to_no_window() -> None:
    query = Query.build("sent", now=NOW)
    assert query.span == Span(NOW - timedelta(days=30), NOW)
    assert query.window is not None and query.window.text == DEFAULT_WINDOW
    by_ids = Query.build("sent", ids=[3, 1], now=NOW)
    assert by_ids.span is None and by_ids.filters.ids == {1, 3}
    with pytest.raises(ConfigError, match="must name message ids"):
        Query("sent", None)


def test_build_reads_since_until_and_window_once() -> None:
    query = Query.build("sent", since="2026-11-01", until="2026-11-10", now=NOW, zone="UTC")
    assert query.span == Span(utc(2026, 11, 1), utc(2026, 11, 11))
    assert query.window is not None and query.window.text == "2026-11-01..2026-11-10"
    assert query == Query.build("sent", window="2026-11-01..2026-11-10", now=NOW, zone="UTC")
    fixed = Span(utc(2026, 11, 1), utc(2026, 11, 2))
    assert Query.build("received", window=fixed, now=NOW).span == fixed
    instants = Query.build("sent", since=utc(2026, 11, 1, 8), until=utc(2026, 11, 1, 9), now=NOW)
    assert instants.span == Span(utc(2026, 11, 1, 8), utc(2026, 11, 1, 9))
    with pytest.raises(ConfigError, match="not both"):
        Query.build("sent", since="2026-11-01", window="7d", now=NOW)


def test_build_takes_every_spelling_of_a_filter() -> None:
    query = Query.build(
        "sent", status="delivered", msisdn="+39 348 000 0000", campaign="bf", sender="Shop",
        ids=[5], country="it", text="promo", now=NOW,
    )  # fmt: skip
    assert dict(query.filters.items()) == {
        "statuses": {"DELIVERED"},
        "numbers": {"393480000000"},
        "senders": {"Shop"},
        "campaigns": {"bf"},
        "ids": {5},
        "countries": {"IT"},
        "text": "promo",
    }
    received = Query.build("received", sender="+39 348 000 0000", service=12, now=NOW)
    assert received.filters.numbers == {"393480000000"} and received.filters.services == {"12"}
    with pytest.raises(ConfigError, match="--service applies to received messages only"):
        Query.build("sent", service="1", now=NOW)


def test_changing_a_query() -> None:
    query = Query.build("sent", window="2026-11", statuses=["SENT", "PENDING"], text="x", now=NOW)
    assert query.without("statuses", "pending").filters.statuses == {"SENT"}
    assert not query.without("statuses").filters.statuses
    assert query.without("text").filters.text is None
    changed = query.with_filters(status="NOSENT", campaigns=["a", "b"])
    assert changed.filters.statuses == {"NOSENT"} and changed.filters.campaigns == {"a", "b"}
    assert changed.filters.text == "x" and changed.span == query.span
    week = Span(utc(2026, 11, 9), utc(2026, 11, 16))
    narrowed = query.narrowed(week)
    assert (
        narrowed.span == week and narrowed.window is None and narrowed == replace_span(query, week)
    )
    with pytest.raises(ConfigError, match="outside the query's window"):
        query.narrowed(Span(utc(2026, 12, 9), utc(2026, 12, 16)))
    replies = Query("received", query.span, relation=Relation(replies_to_campaigns={"bf"}))
    assert replies.relation is not None and replies.relation.replies
    assert replies.without("relation").relation is None


def replace_span(query: Query, span: Span) -> Query:
    return Query(query.kind, span, query.filters, query.relation, query.group)


def test_chips_and_description() -> None:
    query = Query.build(
        "received", window="2026-11", number="+41 79 123 45 67", text="stop", now=NOW,
        zone="UTC", relation=Relation(opt_outs=True),
    )  # fmt: skip
    assert query.chips() == [
        ("numbers", "41791234567", "number 41791234567"),
        ("text", "stop", 'text contains "stop"'),
        ("relation", "opt_outs", "opt-outs"),
    ]
    assert query.describe("UTC") == (
        "received messages, 2026-11-01 00:00 to 2026-11-25 10:00 UTC (2026-11); "
        'number 41791234567; text contains "stop"; opt-outs'
    )
    report = Query.build("sent", window="7d", now=NOW, report="delivery", group="week")
    assert report.describe("UTC").startswith("delivery report by week, 2026-11-18 10:00 to")


def test_to_cli_quotes_every_word_and_renders_the_window_either_way() -> None:
    query = Query.build(
        "sent", window="last-month", statuses=["NOTDELIVERED", "NOSENT"], text="it's $HOME",
        campaign="black friday", now=NOW, zone="UTC",
    )  # fmt: skip
    assert query.to_cli() == (
        "smstools-tui export sent --since 2026-10-01T00:00:00+00:00 "
        "--until 2026-11-01T00:00:00+00:00 --status NOSENT --status NOTDELIVERED "
        "--campaign 'black friday' --text 'it'\"'\"'s $HOME'"
    )
    assert query.to_cli(relative=True).startswith("smstools-tui export sent --window last-month ")
    report = Query.build("sent", window="7d", now=NOW, report="delivery", group="week")
    assert report.to_cli(relative=True) == "smstools-tui report delivery --by week --window 7d"
    by_ids = Query.build("sent", ids=[9, 10], now=NOW)
    assert by_ids.to_cli() == "smstools-tui export sent --id 9 --id 10"
    assert by_ids.to_python() == "client.sent(ids=[9, 10])"


def test_a_relation_is_for_the_analysis_only() -> None:
    query = Query("received", Span(utc(2026, 11, 1), NOW), relation=Relation(replies=True))
    with pytest.raises(ConfigError, match=r"analysis\.select"):
        query.to_cli()
    with pytest.raises(ConfigError, match=r"analysis\.select"):
        query.to_python()
    with pytest.raises(ConfigError, match="replies are received messages"):
        Query("sent", query.span, relation=Relation(replies=True))


def test_windows_are_not_compared_but_kept() -> None:
    relative = Query.build("sent", window="last-month", now=NOW, zone="UTC")
    absolute = Query.build(
        "sent", since="2026-10-01T00:00Z", until="2026-11-01T00:00Z", now=NOW, zone="UTC"
    )
    assert relative == absolute and hash(relative) == hash(absolute)
    assert relative.window != absolute.window
    assert date(2026, 10, 1) == relative.span.start.date()  # type: ignore[union-attr]


def test_an_instant_is_not_a_window_but_a_period_starting_now_is_one_second() -> None:
    with pytest.raises(ConfigError, match="is empty: it starts and ends at"):
        parse_window("2026-11-01T08:00Z").resolve(NOW)
    midnight = utc(2026, 11, 1)
    assert parse_window("today").resolve(midnight, "UTC") == Span(
        midnight, midnight + timedelta(seconds=1)
    )


def test_what_is_left_of_a_larger_answer_is_the_frame_of_just_those_rows() -> None:
    # A server that ignored a filter sent more; after the filter, the frame is the one a
    # server that filtered would have sent: the same categories, in order of appearance.
    rows = [{"id": 1, "to": "41791234567", "status": "SENT"},
            {"id": 2, "to": "393480000000", "status": "DELIVERED"},
            {"id": 3, "to": "447400123456", "status": "DELIVERED"}]  # fmt: skip
    chosen = Filters(statuses={"DELIVERED"}).apply(sent_frame(rows), "sent")
    assert chosen.equals(sent_frame(rows[1:]))
    assert list(chosen["to"].cat.categories) == ["393480000000", "447400123456"]
