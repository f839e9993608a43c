"""The drill-down invariant, as a property over generated accounts: the messages behind a report
row, a headline figure or a chart bar recompute exactly the figure they were opened from.

Each example draws an account (a seeded ``AccountSpec``), a window that rarely falls on a day's
edges, a zone, a grouping and sometimes a filter of the base query. The frames "loaded" are what
the command line and the dashboard load for that base: its sent messages, and the received
messages of its window. Every figure is then computed as the reports compute it, every drill-down
query answered by ``analysis.select`` on the same loaded frames, and the figure recomputed from
the answer alone:

- counts, delivery rates, spend (exact: the reports sum whole micro-credits) and latency
  percentiles by running the same report, ungrouped, on the drilled messages;
- replies and opt-outs, which need every loaded sent message to be matched (a reply answers the
  latest message sent to its number, whatever its campaign), by counting the received messages
  ``select`` returns for the relation: ``select`` is given the loaded frames, as the report was;
- a compliance row by its one message.

Not recomputed: a campaign's median and p90 reply times, which need each reply's matched sent
message (the replies and repliers behind them are checked). A failing number's row is recomputed
whole, every column, from the number's messages.

A row that no query can tell apart (the group of messages without a campaign, a number with
letters, a latency stage nothing reached) drills to ``None``; the test checks that only such
rows do.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smstools_tui import analysis
from smstools_tui.analysis import NO_VALUE
from smstools_tui.analysis.cost import to_micro
from smstools_tui.analysis.latency import STAGES, stage_seconds
from smstools_tui.query import Query
from smstools_tui.report import drill
from smstools_tui.report.figures import HEADLINE_FIGURES, bar_query
from smstools_tui.report.reports import REPORTS, Report, ReportOptions
from smstools_tui.sandbox import AccountSpec, generate_account
from smstools_tui.tui.summary import overview_charts

NOW = datetime(2026, 11, 30, 9, 17, 23, tzinfo=UTC)
DAYS = 45
ZONES = ("UTC", "Europe/Rome", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")


@cache
def account(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    generated = generate_account(AccountSpec(seed=seed, sent=320, received=110, days=DAYS, now=NOW))
    return generated.sent_frame(), generated.received_frame()


@st.composite
def cases(draw: st.DrawFn) -> tuple[int, Query, str, str | None]:
    seed = draw(st.integers(0, 7))
    sent, _ = account(seed)
    zone = draw(st.sampled_from(ZONES))
    start = NOW - timedelta(minutes=draw(st.integers(60, DAYS * 24 * 60)))
    end = start + timedelta(minutes=draw(st.integers(30, DAYS * 24 * 60)))
    filters: dict[str, Any] = draw(
        st.sampled_from(
            [
                {},
                {},
                {"statuses": ["DELIVERED", "NOTDELIVERED", "PENDING"]},
                {"campaigns": sorted(set(sent["transactionId"].dropna().astype(str)))[:2]},
                {"countries": ["IT", "CH"]},
            ]
        )
    )
    base = Query.build("sent", since=start, until=min(end, NOW), now=NOW, zone=zone, **filters)
    by = draw(st.sampled_from([None, *analysis.BY_CHOICES]))
    return seed, base, zone, by


def loaded(base: Query, sent: pd.DataFrame, received: pd.DataFrame) -> tuple[Any, Any]:
    """What a report on ``base`` loads: its sent messages, the received ones of its window."""
    return (
        analysis.select(base, sent, received),
        analysis.select(drill.messages(base, "received"), sent, received),
    )


class Answer:
    """``analysis.select`` of a drill-down query, on frames that make the query prove itself.

    The frames are the whole account's wherever that is possible, so a query that forgot its
    window, a partial bucket's cut or the base's filters picks messages the figure never counted
    and the property fails: sent messages come from the whole account unless the query has a
    relation; received ones always do. A relation is answered, as the report computed it,
    against the messages the report loaded: replies are matched to the base's sent messages (a
    reply answers the latest of those sent to its number), and the messages sent after an opt-out
    are those after an opt-out of the window.
    """

    def __init__(self, base: Query, sent: pd.DataFrame, received: pd.DataFrame) -> None:
        self.sent, self.received = sent, received
        self.base_sent, self.base_received = loaded(base, sent, received)

    def __call__(self, query: Query | None) -> pd.DataFrame:
        assert query is not None
        sent = self.sent if query.relation is None else self.base_sent
        received = self.received if query.kind == "received" else self.base_received
        return analysis.select(query, sent, received)

    def or_none(self, query: Query | None) -> pd.DataFrame:
        """The answer, or no message for ``None`` (a figure of no message)."""
        return self.base_sent.iloc[:0] if query is None else self(query)


def same(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        return left == right or (math.isnan(left) and math.isnan(right))
    if pd.isna(left) and pd.isna(right):
        return True
    return bool(left == right)


def assert_same_figures(row: Mapping[str, Any], again: Mapping[str, Any], names: Any) -> None:
    for name in names:
        assert same(row[name], again[name]), (name, row[name], again[name], dict(row))


def untold(row: Mapping[str, Any]) -> bool:
    """A row no query can tell apart from the others (see the module's docstring)."""
    values = [str(value) for value in row.values()]
    number = row.get("number")
    return (
        NO_VALUE in values
        or row.get("messages") == 0
        or (isinstance(number, str) and not number.isdigit())
        or "account" in row  # a query names no account
    )


def micro(frame: pd.DataFrame) -> int:
    """What the messages of ``frame`` cost, in whole micro-credits, summed as the reports sum."""
    return int(to_micro(frame["price"]).sum())


def credits_micro(value: float) -> int:
    """A figure in credits, back in the micro-credits it was made of."""
    return int(to_micro(pd.Series([value], dtype="float64"))[0])


GROUPED = {
    "delivery": ("messages", "delivered", "not_delivered", "not_sent", "pending",
                 "delivery_rate", "pending_share"),
    "cost": ("messages", "delivered", "spend", "delivered_spend", "wasted_spend",
             "pending_spend", "avg_price", "price_per_delivered"),
    "latency": ("messages", "p50_seconds", "p90_seconds", "p99_seconds"),
}  # fmt: skip
CAMPAIGN_SENT = ("first_send", "last_send", "messages", "delivered", "delivery_rate", "pending",
                 "spend", "median_delivery_seconds", "recipients")  # fmt: skip


def told_rows(
    report: Report, frame: pd.DataFrame, base: Query, zone: str | None = None
) -> Iterator[tuple[dict[str, Any], Query]]:
    """Each row of ``frame`` with its drill-down query; a row without one must be untold."""
    for row in frame.to_dict("records"):
        query = report.drill(row, base, zone=zone)
        if query is None:
            assert untold(row), (report.name, row)
            continue
        yield row, query


def check_grouped_reports(
    base: Query, zone: str, by: str | None, sent: pd.DataFrame, received: pd.DataFrame
) -> int:
    answer = Answer(base, sent, received)
    base_sent, base_received = answer.base_sent, answer.base_received
    checked = 0
    for name, figures in GROUPED.items():
        report = REPORTS[name]
        frame = report.run(base_sent, base_received, ReportOptions(by=by, tz=zone))
        for row, query in told_rows(report, frame, base, zone):
            again = report.run(answer(query), base_received, ReportOptions(tz=zone))
            if name == "latency":
                again = again[again["stage"] == row["stage"]]
            assert len(again) == 1, (name, row)
            assert_same_figures(row, again.iloc[0].to_dict(), figures)
            checked += 1
    return checked


ROUTE_REPORTS = {
    "carriers": ("country", "original_carrier", "messages", "delivery_rate",
                 "median_delivery_seconds", "spend", "avg_price", "masked"),
    # A cell's reply rate needs every loaded message matched (a reply answers the latest message
    # to its number): the replies are the campaign report's to check.
    "send-times": ("weekday", "hour", "messages", "delivery_rate", "median_delivery_seconds"),
    "sender-ids": ("sender", "messages", "delivery_rate", "first_send", "last_send"),
}  # fmt: skip


def check_other_reports(base: Query, zone: str, sent: pd.DataFrame, received: pd.DataFrame) -> int:
    answer = Answer(base, sent, received)
    base_sent, base_received = answer.base_sent, answer.base_received
    checked = 0

    campaigns = REPORTS["campaigns"]
    for row, query in told_rows(campaigns, campaigns.run(base_sent, base_received), base):
        again = campaigns.run(answer(query), base_received).iloc[0].to_dict()
        assert_same_figures(row, again, CAMPAIGN_SENT)
        replies = answer(campaigns.drill(row, base, column="replies"))
        assert len(replies) == row["replies"], row
        repliers = analysis.normalise_numbers(replies["from"]).nunique()
        assert repliers == row["repliers"], row
        assert len(answer(campaigns.drill(row, base, column="opt_outs"))) == row["opt_outs"]
        checked += 1

    failing = REPORTS["failing-numbers"]
    for row, query in told_rows(failing, failing.run(base_sent), base):
        again = failing.run(answer(query))
        assert len(again) == 1
        assert_same_figures(row, again.iloc[0].to_dict(), row.keys())
        checked += 1

    opt_outs = REPORTS["opt-outs"]
    for row, query in told_rows(opt_outs, opt_outs.run(base_sent, base_received), base):
        opted_out = answer(query)
        assert len(opted_out) == row["opt_out_messages"], row
        assert opted_out["receiveDate"].min() == row["opted_out_at"], row
        after = answer(opt_outs.drill(row, base, column="sent_after"))
        assert len(after) == row["sent_after"], row
        checked += 1

    for name, figures in ROUTE_REPORTS.items():
        report = REPORTS[name]
        frame = report.run(base_sent, base_received, ReportOptions(tz=zone))
        for row, query in told_rows(report, frame, base, zone):
            again = report.run(answer(query), base_received, ReportOptions(tz=zone))
            assert len(again) == 1, (name, row)
            assert_same_figures(row, again.iloc[0].to_dict(), figures)
            checked += 1

    compliance = REPORTS["compliance"]
    for row in compliance.run(base_sent, base_received).to_dict("records"):
        assert answer(compliance.drill(row, base))["id"].tolist() == [row["id"]]
        checked += 1
    return checked


def check_figures(base: Query, sent: pd.DataFrame, received: pd.DataFrame) -> int:
    answer = Answer(base, sent, received)
    base_sent = answer.base_sent
    headline = analysis.headline_figures(base_sent, answer.base_received)
    for figure in HEADLINE_FIGURES:
        drilled = answer.or_none(figure.drill(base))
        value = headline[figure.key]
        if figure.key == "delivery_rate":
            assert same(analysis.headline_figures(drilled)["delivery_rate"], value)
        elif figure.key == "spend":
            assert micro(drilled) == credits_micro(value)
            assert micro(drilled) == micro(base_sent)
        elif figure.key == "wasted_spend":
            assert micro(drilled) == credits_micro(value)
        elif figure.key == "median_delivery_seconds":
            seconds = stage_seconds(drilled, *STAGES["sent_to_delivery"])
            measured = seconds[~np.isnan(seconds)]
            assert same(float(np.median(measured)) if len(measured) else math.nan, value)
            assert (drilled["status"] == "DELIVERED").all()
        else:  # messages, pending, replies, opt_outs: counts of messages
            assert len(drilled) == value, figure.key
    return len(HEADLINE_FIGURES)


def check_bars(base: Query, zone: str, sent: pd.DataFrame, received: pd.DataFrame) -> int:
    answer = Answer(base, sent, received)
    assert base.span is not None
    charts = overview_charts(answer.base_sent, base.span, analysis.resolve_zone(zone))
    checked = 0
    for label, rate, spend, wasted in zip(
        charts.labels, charts.delivery_rate, charts.spend, charts.wasted, strict=True
    ):
        for chart, value in (("delivery_rate", rate), ("spend", spend), ("wasted", wasted)):
            drilled = answer.or_none(bar_query(base, chart, label, zone=zone))
            if chart == "delivery_rate":
                assert same(analysis.headline_figures(drilled)["delivery_rate"], value)
            else:
                assert micro(drilled) == credits_micro(value), chart
            checked += 1
    for status, count in charts.statuses:
        assert len(answer.or_none(bar_query(base, "statuses", status, zone=zone))) == count
        checked += 1
    return checked


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_every_drill_down_recomputes_its_figure(case: tuple[int, Query, str, str | None]) -> None:
    seed, base, zone, by = case
    sent, received = account(seed)
    checked = check_grouped_reports(base, zone, by, sent, received)
    checked += check_other_reports(base, zone, sent, received)
    checked += check_figures(base, sent, received)
    checked += check_bars(base, zone, sent, received)
    assert checked > 0
