"""The dashboard's drill-down logic without the app: which query each report table's rows and
each headline figure open, the chips of a query and what removing one leaves, whether a
drill-down survives a refresh, and the state's drill-downs along the way back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from smstools_tui import analysis
from smstools_tui.frames import received_frame, sent_frame
from smstools_tui.monitor import Finding, Policy
from smstools_tui.msisdn import original_carriers
from smstools_tui.query import Query, Span
from smstools_tui.tui.drilling import (
    SPAN_CHIP,
    Chip,
    alert_query,
    base_query,
    bucket_query,
    chips,
    figure_query,
    row_query,
    still_valid,
    without_chip,
)
from smstools_tui.tui.state import DashboardState, Drill, select_messages
from smstools_tui.tui.views import (
    DEFAULT_FIGURES,
    RECEIVED_VIEW,
    Dataset,
    default_reports,
    find_tab,
)

WINDOW = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
BASE = base_query(WINDOW)


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three messages of two campaigns to two numbers, one reply and one opt-out."""

    def sent(i: int, to: str, campaign: str, status: str, day: int) -> dict[str, object]:
        stamp = f"2026-11-{day:02d}T10:00:00+0000"
        return {"id": i, "to": to, "transactionId": campaign, "status": status, "price": 0.1,
                "insertDate": stamp, "sentDate": stamp}  # fmt: skip

    messages = sent_frame([
        sent(1, "393480000001", "promo", "DELIVERED", 2),
        sent(2, "393480000002", "promo", "NOTDELIVERED", 3),
        sent(3, "393480000001", "news", "PENDING", 20),
    ])  # fmt: skip
    replies = received_frame([
        {"from": "+393480000001", "text": "grazie", "receiveDate": "2026-11-02T11:00:00+0000"},
        {"from": "+393480000002", "text": "STOP", "receiveDate": "2026-11-03T11:00:00+0000"},
    ])  # fmt: skip
    return messages, replies


def selected(query: Query | None) -> pd.DataFrame:
    assert query is not None
    sent, received = frames()
    return analysis.select(query, sent, received)


@pytest.mark.parametrize(
    ("table", "row", "ids"),
    [
        ("campaigns", {"campaign": "promo", "messages": 2}, [1, 2]),
        ("costs", {"month": "2026-11", "messages": 3}, [1, 2, 3]),
        ("costs", {"sender": "(none)", "messages": 3}, None),
        ("failing", {"number": "393480000002"}, [2]),
        ("compliance", {"id": 3}, [3]),
    ],
)
def test_each_report_row_opens_the_sent_messages_it_counts(
    table: str, row: dict[str, object], ids: list[int] | None
) -> None:
    query = row_query(find_tab(table, default_reports(UTC)), row, BASE)
    if ids is None:
        assert query is None  # messages without a sender: no query tells them apart
        return
    assert sorted(selected(query)["id"]) == ids


def test_an_opt_out_row_opens_that_numbers_opt_out_messages() -> None:
    query = row_query(find_tab("opt-outs"), {"number": "393480000002"}, BASE)
    assert query is not None and query.kind == "received"
    assert selected(query)["text"].tolist() == ["STOP"]
    assert row_query(RECEIVED_VIEW, {"from": "393480000002"}, BASE) is None  # not a report


def test_the_cell_under_the_cursor_picks_which_messages_of_a_row() -> None:
    campaign = {"campaign": "promo", "messages": 2, "replies": 1}
    query = row_query(find_tab("campaigns"), campaign, BASE, column="replies")
    assert query is not None and query.kind == "received"
    assert selected(query)["text"].tolist() == ["grazie", "STOP"]  # both answer promo


@pytest.mark.parametrize(
    ("figure", "kind", "count"),
    [
        ("messages", "sent", 3),
        ("pending", "sent", 1),
        ("wasted_spend", "sent", 1),
        ("median_delivery_seconds", "sent", 1),
        ("replies", "received", 2),
        ("opt_outs", "received", 1),
    ],
)
def test_each_headline_figure_opens_its_messages(figure: str, kind: str, count: int) -> None:
    [tile] = [tile for tile in DEFAULT_FIGURES if tile.id == figure]
    query = figure_query(tile, BASE)
    assert query is not None and query.kind == kind
    assert len(selected(query)) == count
    assert figure_query(replace(tile, drill=None), BASE) is None  # a figure of your own


def test_a_bucket_narrows_the_span_and_its_chip_widens_it_back() -> None:
    query = bucket_query(BASE, "chart-spend", "day", "2026-11-02", zone=UTC)
    assert query is not None and sorted(selected(query)["id"]) == [1]
    first, *rest = chips(query, WINDOW, UTC)
    assert first == Chip(SPAN_CHIP, None, "2026-11-02 00:00 → 2026-11-03 00:00") and rest == []
    assert without_chip(query, first, WINDOW).span == WINDOW


def test_removing_each_kind_of_chip() -> None:
    query = row_query(find_tab("opt-outs"), {"number": "393480000002"}, BASE)
    assert query is not None
    number, relation = chips(query, WINDOW)
    assert (number.label, relation.label) == ("number 393480000002", "opt-outs")
    assert without_chip(query, relation, WINDOW).relation is None
    assert not without_chip(query, number, WINDOW).filters.numbers


def test_a_drill_down_survives_a_refresh_only_while_its_span_meets_the_window() -> None:
    query = bucket_query(BASE, "chart-delivery", "day", "2026-11-02", zone=UTC)
    assert query is not None
    moved = Span(WINDOW.start + timedelta(days=1), WINDOW.end + timedelta(days=1))
    assert still_valid(query, moved)
    assert not still_valid(query, Span(WINDOW.end, WINDOW.end + timedelta(days=30)))


def test_the_state_keeps_each_tabs_drill_down_and_restores_it_on_the_way_back() -> None:
    state = DashboardState([], [])
    state.push("tab-overview")
    first = state.drill(BASE)
    assert state.is_shown(first) and state.drills == {"sent": first}
    state.push("tab-sent", "sent")
    narrower = state.drill(BASE.with_filters(status="PENDING"))
    assert not state.is_shown(first) and state.is_shown(narrower)
    replies = state.drill(Query("received", WINDOW))
    assert state.drills == {"sent": narrower, "received": replies}

    state.pop()
    assert state.drills == {"sent": first}  # a stale selection of the later one is dropped
    assert not state.is_shown(narrower) and state.is_shown(first)
    state.pop()
    assert state.drills == {} and state.undrill("sent") is None


def test_a_selection_is_the_query_answered_on_the_data_on_screen_or_its_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent, received = frames()
    dataset = Dataset(sent, received, WINDOW, WINDOW.end)
    drill = Drill(BASE.with_filters(campaign="promo"), 1)
    assert sorted(select_messages(drill, dataset).frame["id"]) == [1, 2]  # type: ignore[index]

    def broken(*args: object, **kwargs: object) -> pd.DataFrame:
        raise ValueError("\x1b[31mno such column")

    monkeypatch.setattr(analysis, "select", broken)
    failed = select_messages(drill, dataset)
    assert failed.frame is None and "no such column" in (failed.error or "")


def test_a_carrier_alarm_opens_the_failed_messages_of_that_carrier(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = demo_frames
    policy = Policy.parse(
        '[[rule]]\nname = "c"\nmetric = "delivery_rate"\nwindow = "30d"\nby = "carrier"\n'
        "warning = 0.99\n"
    )
    label = analysis.carrier_label("TIM", "IT")
    finding = Finding("c", "delivery_rate", "carrier", label, 0.9, 0.99, None, "WARNING", 9)
    window = Span(
        sent["insertDate"].min().to_pydatetime(), sent["insertDate"].max().to_pydatetime()
    )
    query = alert_query(finding, policy, base_query(window), UTC)
    assert query is not None
    assert query.filters.carriers == {"TIM"} and query.filters.countries == {"IT"}
    chosen = analysis.select(query, sent, received)
    assert len(chosen) > 0
    assert set(original_carriers(chosen["to"]).astype(str)) == {"TIM"}
    assert set(chosen["status"].astype(str)) <= {"NOTDELIVERED", "NOSENT"}
