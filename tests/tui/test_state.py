"""The dashboard's state without the app: fetch generations, stale results, cancelling, failed
fetches with and without data on screen, what is still being computed, what the header, the
tiles, the report tables and the detail view say, and the way back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from smstools_tui import analysis
from smstools_tui.errors import (
    AuthenticationError,
    FetchCancelled,
    NetworkError,
    ServerError,
    SmstoolsError,
)
from smstools_tui.frames import received_frame, row_values, sent_frame
from smstools_tui.query import Query, Span
from smstools_tui.tui import state as state_module
from smstools_tui.tui.loader import LoadFailed
from smstools_tui.tui.model import SortOrder, TableFilter
from smstools_tui.tui.state import (
    DashboardState,
    Place,
    RepliesResult,
    ReportResult,
    Selection,
    TablePlace,
    compute_overview,
    compute_reports,
    explain,
    match_replies,
    select_messages,
)
from smstools_tui.tui.summary import WindowFigures
from smstools_tui.tui.views import DEFAULT_FIGURES, Dataset, ReportTab, default_reports

from ..conftest import NOW

WINDOW = Span(datetime(2026, 11, 18, 10, tzinfo=UTC), NOW)
REPORTS = default_reports(UTC)
EXPECTED = [
    (spec.id, key)
    for report in REPORTS
    for spec in (report, report.secondary)
    if spec is not None
    for key, _ in spec.computations()
]
"""Every (report table, variant) the dashboard computes from a window."""


def at(hours: float) -> str:
    return (NOW - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S+0000")


SENT = sent_frame(
    [
        {"id": 1, "to": "393480000001", "from": "MyShop", "text": "Promo", "status": "DELIVERED",
         "insertDate": at(50), "sentDate": at(50), "deliveryDate": at(49.9), "price": 0.1,
         "transactionId": "black-friday"},
        {"id": 2, "to": "393480000001", "from": "MyShop", "text": "Later promo",
         "status": "DELIVERED", "insertDate": at(10), "sentDate": at(10), "price": 0.1,
         "transactionId": "black-friday"},
        {"id": 3, "to": "393480000002", "from": "MyShop", "text": "Hello", "status": "NOTDELIVERED",
         "insertDate": at(5), "sentDate": at(5), "price": 0.1},
    ]
)  # fmt: skip
RECEIVED = received_frame(
    [
        {"from": "+393480000001", "text": "STOP", "receiveDate": at(49)},
        {"from": "+393489999999", "text": "who is this", "receiveDate": at(1)},
    ]
)


def dataset(*, complete: bool = True, rows: int | None = None, **changes: Any) -> Dataset:
    sent = SENT if rows is None else SENT.iloc[:rows]
    received = RECEIVED if rows is None else RECEIVED.iloc[:0]
    return Dataset(
        sent=sent,
        received=received,
        window=WINDOW,
        fetched_at=NOW,
        complete=complete,
        problem=None if complete else "failed while reading received SMS; 2 messages arrived",
        **changes,
    )


def make_state(**options: Any) -> DashboardState:
    options.setdefault("zone", UTC)
    return DashboardState(REPORTS, DEFAULT_FIGURES, **options)


def figures() -> WindowFigures:
    return compute_overview(DEFAULT_FIGURES, dataset(), UTC).figures


def loaded(state: DashboardState, data: Dataset | None = None) -> int:
    """Start a fetch and let its window arrive; the fetch is still running (the previous
    window comes next)."""
    generation = state.start_fetch().generation
    assert state.loaded(generation, data or dataset())
    return generation


def analysed(state: DashboardState, generation: int) -> None:
    """Everything computed from the window on screen has arrived."""
    data = state.dataset
    assert data is not None
    assert state.overview_computed(generation, compute_overview(state.figures, data, UTC))
    assert state.replies_matched(generation, match_replies(data))
    for result in compute_reports(state.specs.values(), data):
        assert state.report_computed(generation, result)


def refreshing(state: DashboardState) -> tuple[Dataset, int]:
    """A complete window on screen and a refresh of it running: the data shown and the
    refresh's generation."""
    loaded(state)
    state.fetch_finished()
    shown = state.dataset
    assert shown is not None
    return shown, state.start_fetch().generation


def failure(error: SmstoolsError, partial: Dataset | None = None) -> LoadFailed:
    return LoadFailed(error, partial)


# -- fetch generations ----------------------------------------------------------------------------


def test_each_fetch_has_the_next_generation_and_cancels_the_one_before() -> None:
    state = make_state()
    assert (state.generation, state.fetching, state.dataset) == (0, False, None)
    first = state.start_fetch()
    assert first.generation == 1 and state.fetching and not first.cancel.is_set()
    second = state.start_fetch()
    assert second.generation == 2 and state.is_current(2) and not state.is_current(1)
    assert first.cancel.is_set() and not second.cancel.is_set()


def test_what_a_stale_fetch_posts_is_dropped() -> None:
    state = make_state()
    old = state.start_fetch().generation
    new = loaded(state)
    shown = state.dataset
    assert not state.loaded(old, dataset(rows=1))
    assert not state.previous_loaded(old, dataset())
    assert state.fetch_failed(old, failure(NetworkError("down"), dataset(rows=1))) is None
    assert not state.overview_computed(old, compute_overview(DEFAULT_FIGURES, dataset(), UTC))
    assert not state.previous_computed(old, figures())
    assert not state.replies_matched(old, RepliesResult(None, "ValueError: stale"))
    assert not state.report_computed(old, ReportResult("campaigns", "", pd.DataFrame()))
    assert state.dataset is shown and state.failure is None
    assert state.window_figures is None and state.previous_figures is None
    assert state.replies_error is None and not state.report_frames
    assert state.is_current(new)


def test_a_result_for_an_unknown_report_is_dropped() -> None:
    state = make_state()
    generation = loaded(state)
    assert not state.report_computed(generation, ReportResult("nosuch", "", pd.DataFrame()))
    assert not state.report_frames


def test_a_new_window_resets_what_was_computed_from_the_old_one() -> None:
    state = make_state()
    generation = loaded(state)
    analysed(state, generation)
    assert state.replies is not None and state.charts is not None
    generation = loaded(state)
    assert state.window_figures is None and state.charts is None and state.replies is None
    assert not state.report_frames and not state.report_errors
    assert state.analysis_pending


# -- cancelling -----------------------------------------------------------------------------------


def test_cancel_asks_only_a_running_fetch_to_stop() -> None:
    state = make_state()
    assert not state.cancel()  # nothing runs
    fetch = state.start_fetch()
    assert state.cancel() and fetch.cancel.is_set() and state.cancelled
    assert state.header_state == "cancelling…"
    state.fetch_finished()
    assert not state.cancel()


def test_a_cancelled_first_fetch_shows_what_arrived_labelled() -> None:
    state = make_state()
    generation = state.start_fetch().generation
    state.cancel()
    partial = dataset(complete=False, rows=2)
    outcome = state.fetch_failed(generation, failure(FetchCancelled("cancelled"), partial))
    assert outcome is not None
    assert outcome.notice == "Fetch cancelled." and outcome.failure is None
    assert outcome.partial is partial and state.dataset is partial
    state.fetch_finished()
    # The dataset itself says INCOMPLETE: cancelled; the header adds nothing.
    assert state.header_state == "" and state.failure is None


def test_a_cancelled_refresh_keeps_the_complete_data() -> None:
    state = make_state(compare_previous=False)
    shown, generation = refreshing(state)
    state.cancel()
    outcome = state.fetch_failed(
        generation, failure(FetchCancelled("cancelled"), dataset(complete=False, rows=1))
    )
    assert outcome is not None and outcome.partial is None
    assert outcome.notice == "Fetch cancelled. The data on screen is unchanged."
    state.fetch_finished()
    assert state.dataset is shown and state.header_state == "refresh cancelled"


def test_close_stops_the_fetch_even_once_finished() -> None:
    state = make_state()
    fetch = state.start_fetch()
    state.fetch_finished()
    state.close()
    assert fetch.cancel.is_set()


# -- failed fetches -------------------------------------------------------------------------------


def test_a_failed_refresh_keeps_the_data_on_screen_and_says_how_old_it_is() -> None:
    state = make_state(compare_previous=False)
    shown, generation = refreshing(state)
    outcome = state.fetch_failed(
        generation, failure(NetworkError("cannot connect"), dataset(complete=False, rows=1))
    )
    assert outcome is not None and outcome.notice is None and outcome.partial is None
    assert outcome.failure is not None and outcome.failure is state.failure
    assert outcome.failure.title == "Gateway unreachable"
    assert outcome.failure.message == "cannot connect"
    assert outcome.failure.hint.endswith("the data on screen is from 10:00:00 UTC")
    assert state.dataset is shown
    assert state.header_state == "loading…"  # until the worker is done
    state.fetch_finished()
    assert state.header_state == "refresh failed"


def test_a_failed_first_fetch_shows_what_arrived_labelled() -> None:
    state = make_state()
    generation = state.start_fetch().generation
    partial = dataset(complete=False, rows=2)
    outcome = state.fetch_failed(generation, failure(ServerError(500, "GENERIC_ERROR"), partial))
    assert outcome is not None and outcome.partial is partial and state.dataset is partial
    assert outcome.failure is not None and outcome.failure.hint == "press r to retry"
    state.fetch_finished()
    assert state.header_state == "refresh failed"
    assert state.analysis_pending  # the part on screen is analysed like a whole


def test_a_failed_first_fetch_with_nothing_arrived_shows_no_data() -> None:
    state = make_state()
    generation = state.start_fetch().generation
    error = AuthenticationError(401, "BAD_CREDENTIALS", endpoint="/user")
    outcome = state.fetch_failed(generation, failure(error, None))
    assert outcome is not None and outcome.partial is None
    assert outcome.failure is not None and outcome.failure.title == "Credentials refused"
    state.fetch_finished()
    assert state.dataset is None and state.header_state == "no data"
    assert not state.analysis_pending


def test_data_that_arrives_clears_the_failure() -> None:
    state = make_state()
    state.fail("Cannot use this window", "the window ends before it starts", "press w")
    assert state.failure is not None and state.failure.hint == "press w"  # nothing on screen
    loaded(state)
    assert state.failure is None


@pytest.mark.parametrize(
    ("error", "title"),
    [
        (AuthenticationError(401, "BAD_CREDENTIALS"), "Credentials refused"),
        (NetworkError("down"), "Gateway unreachable"),
        (ServerError(500, "GENERIC_ERROR"), "Fetch failed"),
    ],
)
def test_each_kind_of_error_has_its_title_and_advice(error: SmstoolsError, title: str) -> None:
    explained, hint = explain(error)
    assert explained == title and "press r" in hint


# -- what the header says -------------------------------------------------------------------------


def test_the_header_through_a_fetch_and_its_previous_window() -> None:
    state = make_state()
    assert state.header_state == "no data"
    generation = state.start_fetch().generation
    assert state.header_state == "loading…"
    assert state.loaded(generation, dataset())
    assert state.header_state == "loading previous window…"
    assert state.previous_loaded(generation, dataset())
    state.fetch_finished()
    assert state.header_state == ""
    assert state.dataset is not None and state.dataset.previous is not None


def test_the_header_when_the_previous_window_did_not_load() -> None:
    state = make_state()
    loaded(state)
    state.cancel()  # only the previous window was still coming
    state.fetch_finished()
    assert state.header_state == "previous window not loaded"


def test_the_header_without_a_comparison() -> None:
    state = make_state(compare_previous=False)
    generation = state.start_fetch().generation
    state.loaded(generation, dataset())
    assert state.header_state == "loading…"  # nothing else is coming: no previous window
    state.fetch_finished()
    assert state.header_state == ""


def test_no_figures_no_comparison() -> None:
    assert not DashboardState(REPORTS, [], compare_previous=True).compare_previous


# -- what is still being computed -----------------------------------------------------------------


def test_analysis_is_pending_until_figures_replies_and_every_report_arrive() -> None:
    state = make_state()
    assert not state.analysis_pending  # nothing on screen
    generation = loaded(state)
    data = state.dataset
    assert data is not None and state.analysis_pending
    state.overview_computed(generation, compute_overview(state.figures, data, UTC))
    state.replies_matched(generation, match_replies(data))
    results = list(compute_reports(state.specs.values(), data))
    assert [(result.report_id, result.variant) for result in results] == EXPECTED
    for result in results[:-1]:
        state.report_computed(generation, result)
        assert state.analysis_pending
    state.report_computed(generation, results[-1])
    assert not state.analysis_pending


def test_a_report_that_failed_is_done_too() -> None:
    state = make_state()
    generation = loaded(state)
    analysed(state, generation)
    state.report_computed(generation, ReportResult("campaigns", "", None, "ValueError: boom"))
    assert not state.analysis_pending
    assert ("campaigns", "") in state.report_errors


def test_reply_matching_that_raises_is_a_state_and_nothing_stays_pending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(sent: pd.DataFrame, received: pd.DataFrame, **options: Any) -> pd.DataFrame:
        raise KeyError("receiveDate")

    monkeypatch.setattr(analysis, "match_replies", broken)
    result = match_replies(dataset())
    assert result.index is None and result.error == "KeyError: 'receiveDate'"

    state = make_state()
    generation = loaded(state)
    data = state.dataset
    assert data is not None
    state.overview_computed(generation, compute_overview(state.figures, data, UTC))
    for report in compute_reports(state.specs.values(), data):
        state.report_computed(generation, report)
    assert state.analysis_pending  # the replies are still coming
    assert state.replies_matched(generation, result)
    assert not state.analysis_pending
    assert state.replies is None and state.replies_error == "KeyError: 'receiveDate'"
    detail = state.detail("sent", {"id": 1}, 0, title="Sent")
    assert detail is not None and detail.kind == "sent"
    assert detail.replies is None and detail.unmatched == "KeyError: 'receiveDate'"


def test_a_plug_in_report_that_raises_is_its_own_result() -> None:
    def broken(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
        raise ValueError("no such column")

    spec = ReportTab("broken", "Broken", compute=broken)
    [result] = compute_reports([spec], dataset())
    assert result == ReportResult("broken", "", None, "ValueError: no such column")


def test_charts_that_cannot_be_drawn_leave_the_figures_and_say_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any) -> None:
        raise ZeroDivisionError("no buckets")

    monkeypatch.setattr(state_module, "overview_charts", broken)
    result = compute_overview(DEFAULT_FIGURES, dataset(), UTC)
    assert result.charts is None and result.chart_error == "ZeroDivisionError: no buckets"
    assert result.figures.values["messages"] == len(SENT)
    state = make_state()
    generation = loaded(state)
    state.overview_computed(generation, result)
    tiles = state.tiles()
    assert tiles is not None
    assert tiles.caption.startswith("⚠ charts could not be drawn: ZeroDivisionError: no buckets.")


# -- the previous window --------------------------------------------------------------------------


def test_the_tiles_wait_for_the_windows_figures() -> None:
    state = make_state()
    assert state.tiles() is None
    loaded(state)
    assert state.tiles() is None


def test_the_tiles_while_the_previous_window_loads_then_once_it_is_in() -> None:
    state = make_state()
    generation = loaded(state)
    state.overview_computed(generation, compute_overview(DEFAULT_FIGURES, dataset(), UTC))
    tiles = state.tiles()
    assert tiles is not None and tiles.previous == "loading" == state.previous_state
    assert tiles.caption == (
        "Loading the previous window (2026-11-11 10:00 → 2026-11-18 10:00) to compare with…"
    )
    assert tiles.values["messages"].current == 3 and tiles.values["messages"].previous is None

    state.previous_loaded(generation, dataset(rows=1))
    state.previous_computed(
        generation, compute_overview(DEFAULT_FIGURES, dataset(rows=1), UTC).figures
    )
    state.fetch_finished()
    tiles = state.tiles()
    assert tiles is not None and tiles.previous == "loaded"
    assert tiles.caption == (
        "Changes against the previous window of the same length, "
        "2026-11-11 10:00 → 2026-11-18 10:00."
    )
    assert tiles.values["messages"].previous == 1 and tiles.values["messages"].change == 2


@pytest.mark.parametrize("compare", [True, False])
def test_the_tiles_when_the_previous_window_is_missing(compare: bool) -> None:
    state = make_state(compare_previous=compare)
    generation = loaded(state)
    state.overview_computed(generation, compute_overview(DEFAULT_FIGURES, dataset(), UTC))
    state.fetch_finished()  # done, without the previous window
    tiles = state.tiles()
    assert tiles is not None and tiles.previous == "missing"
    assert tiles.caption == "The previous window is not loaded: no changes to show."


# -- the report tables ----------------------------------------------------------------------------


def test_a_report_is_computing_then_shown_with_its_summary() -> None:
    state = make_state()
    generation = loaded(state)
    assert state.report_shown("compliance").note == "computing Sent after opt-out…"
    assert state.report_shown("compliance").frame is None
    analysed(state, generation)
    shown = state.report_shown("compliance")
    assert shown.frame is not None and len(shown.frame) == 1  # message 2, after the STOP
    assert shown.style == "bold $warning" and shown.note.startswith("⚠ 1 messages were sent")
    costs = state.report_shown("costs", "country")
    assert costs.frame is not None and costs.note.startswith("Credit spent")
    assert costs.style == "" and costs.incomplete is None


def test_a_report_of_incomplete_data_says_so() -> None:
    state = make_state()
    generation = loaded(state, dataset(complete=False))
    analysed(state, generation)
    shown = state.report_shown("campaigns")
    assert (
        shown.frame is not None
        and shown.incomplete == "failed while reading received SMS; 2 messages arrived"
    )


def test_a_report_error_and_a_summary_that_raises_are_shown_literally() -> None:
    def summary(frame: pd.DataFrame) -> str:
        raise RuntimeError("[bold]oops[/bold]\x1b[2J")

    report = ReportTab("mine", "Mine", compute=lambda sent, received: sent, summary=summary)
    state = DashboardState([report], [], zone=UTC)
    generation = loaded(state)
    state.report_computed(generation, ReportResult("mine", "", SENT))
    shown = state.report_shown("mine")
    assert shown.frame is SENT and shown.note == "RuntimeError: [bold]oops[/bold]␛[2J"
    state.report_computed(generation, ReportResult("mine", "", None, "KeyError: 'x'\x07"))
    shown = state.report_shown("mine")
    assert shown.style == "$error" and shown.frame is None
    assert shown.note == "⚠ Mine could not be computed: KeyError: 'x'␇"


# -- the detail view ------------------------------------------------------------------------------


def test_details_of_a_sent_message_a_received_one_and_a_report_row() -> None:
    state = make_state()
    assert state.detail("sent", {"id": 1}, 0, title="Sent") is None  # nothing loaded
    generation = loaded(state)
    pending = state.detail("sent", {"id": 1}, 0, title="Sent")
    assert pending is not None and pending.replies is None and pending.unmatched is None
    analysed(state, generation)

    sent = state.detail("sent", {"id": 1}, 0, title="Sent")
    assert sent is not None and (sent.kind, sent.title) == ("sent", "Sent message")
    assert sent.replies is not None and sent.replies["text"].tolist() == ["STOP"]

    received = state.detail("received", {"text": "STOP"}, 0, title="Received")
    assert received is not None and received.kind == "received"
    assert received.replied is not None and received.replied["id"] == 1
    assert received.match is not None and received.match["opt_out"]

    # Inside a drill-down the tab's rows are a selection: the second message is row 0 there,
    # and its detail is its own match, not that of the window's row 0 (the STOP above).
    data = state.dataset
    assert data is not None
    drill = state.drill(Query("received", data.window).with_filters(numbers=["393489999999"]))
    selected = select_messages(drill, data).frame
    assert selected is not None and selected["text"].tolist() == ["who is this"]
    own = state.detail("received", row_values(selected.iloc[0]), 0, title="Received")
    assert own is not None and own.replied is None
    assert own.match is not None and not own.match["opt_out"]
    state.undrill("received")

    # A row of the compliance list opens the whole sent message, with its opt-out.
    after = state.detail("compliance", {"id": 2, "to": "393480000001"}, 0, title="List")
    assert after is not None and (after.kind, after.record["text"]) == ("sent", "Later promo")
    assert after.opted_out is not None and after.opted_out["opt_out_text"] == "STOP"

    row = state.detail("campaigns", {"campaign": "black-friday"}, 0, title="Campaigns")
    assert row is not None and row.kind is None and row.title == "Campaigns"
    assert row.record == {"campaign": "black-friday"}


# -- selections and the way back ------------------------------------------------------------------


def test_push_and_pop_come_back_to_each_place_in_turn() -> None:
    state = make_state()
    assert state.pop() is None and state.places == ()
    by_price = Selection(TableFilter({"status": "DELIVERED"}), SortOrder("price", descending=True))
    state.select("sent", by_price)
    first = state.push(
        "tab-campaigns",
        "campaigns",
        {"campaigns": TablePlace(cursor=(12, 3), scroll=(0, 8))},
    )
    assert first == Place(
        "tab-campaigns",
        "campaigns",
        {"campaigns": TablePlace("", (12, 3), (0, 8))},
        {"sent": by_price},
    )
    drilled = Selection(TableFilter({"campaign": "black-friday"}))
    state.select("sent", drilled)
    state.select("received", Selection(TableFilter(search="stop")))
    second = state.push("tab-sent", "sent", {"sent": TablePlace(cursor=(4, 0))})
    state.select("sent", Selection(TableFilter({"campaign": "black-friday", "status": "NOSENT"})))
    assert state.places == (first, second)

    assert state.pop() == second
    assert state.selections == {"sent": drilled, "received": Selection(TableFilter(search="stop"))}
    assert state.pop() == first
    assert state.selections == {"sent": by_price}  # received had no selection then
    assert state.pop() is None and state.places == ()


def test_a_place_keeps_the_variant_of_each_table_of_its_tab() -> None:
    state = make_state()
    place = state.push(
        "tab-opt-outs",
        "compliance",
        {"opt-outs": TablePlace(cursor=(2, 0)), "compliance": TablePlace(cursor=(5, 1))},
    )
    costs = state.push("tab-costs", "costs", {"costs": TablePlace("country", (7, 2), (0, 3))})
    assert state.pop() is costs and costs.tables["costs"].variant == "country"
    assert state.pop() is place and place.table == "compliance"
    assert set(place.tables) == {"opt-outs", "compliance"}


def test_the_overview_counts_the_compliance_list_by_the_dashboards_rules() -> None:
    sent = sent_frame(
        [
            {"id": 1, "to": "393480000000", "insertDate": "2026-11-02T12:00:00+0000",
             "sentDate": "2026-11-02T12:00:00+0000"},  # an order alert: no campaign
            {"id": 2, "to": "393480000000", "transactionId": "promo",
             "insertDate": "2026-11-02T13:00:00+0000", "sentDate": "2026-11-02T13:00:00+0000"},
        ]
    )  # fmt: skip
    received = received_frame(
        [{"from": "+393480000000", "text": "STOP", "receiveDate": "2026-11-02T11:00:00+0000"}]
    )
    window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    dataset = Dataset(sent, received, window, window.end)
    default = compute_overview(DEFAULT_FIGURES, dataset, UTC)
    assert default.figures.headline is not None
    assert default.figures.headline["sent_after_opt_out"] == 1  # the campaign only
    everything = analysis.ComplianceRules(
        classes=analysis.MessageClasses(transactional_campaigns=())
    )
    counted = compute_overview(DEFAULT_FIGURES, dataset, UTC, everything)
    assert counted.figures.headline is not None
    assert counted.figures.headline["sent_after_opt_out"] == 2
