"""The dashboard's state, apart from its widgets.

Which fetch is current and how to cancel it, what was computed from the data on screen (report
frames and their errors, the overview's figures and charts, the reply matching), the previous
window, what the header, the error panel, each tab and the detail view should say, each table's
selection and the places the user came from. The app composes the widgets, binds the keys and
routes its worker threads' messages here, then renders what this state says; every rule below is
therefore plain Python, tested without a running app.

The workers' own computations (:func:`compute_overview`, :func:`match_replies`,
:func:`compute_reports`) live here too: they read only what they are given, so they run in any
thread.

No Textual here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import analysis
from ..errors import AuthenticationError, NetworkError, SmstoolsError
from ..frames import is_missing, row_values
from ..query import Query
from .loader import LoadFailed
from .model import ColumnSpec, SortOrder, TableFilter, format_timestamp
from .replies import ReplyIndex
from .safe_text import visible
from .summary import (
    FigureValue,
    OverviewCharts,
    WindowFigures,
    compare_figures,
    compute_window_figures,
    describe_failure,
    overview_charts,
)
from .views import Dataset, Figure, ReportTab

__all__ = [
    "DashboardState",
    "Detail",
    "Drill",
    "FailedFetch",
    "Failure",
    "Fetch",
    "OverviewResult",
    "Place",
    "PreviousState",
    "RepliesResult",
    "ReportResult",
    "ReportShown",
    "Selected",
    "Selection",
    "TablePlace",
    "Tiles",
    "compute_overview",
    "compute_reports",
    "explain",
    "match_replies",
    "select_messages",
]

log = logging.getLogger("smstools_tui.tui")

PreviousState = Literal["loaded", "loading", "missing"]
"""Whether the previous window's figures are there to compare with."""


# -- what the workers compute ---------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewResult:
    """The overview of one window: its figures, and its charts or why they could not be drawn."""

    figures: WindowFigures
    charts: OverviewCharts | None = None
    chart_error: str | None = None


def compute_overview(
    figures: Sequence[Figure],
    dataset: Dataset,
    zone: tzinfo | None,
    rules: analysis.ComplianceRules | None = None,
) -> OverviewResult:
    """The overview's figures and charts of ``dataset``'s window, in ``zone``, opt-outs by
    ``rules``."""
    computed = compute_window_figures(figures, dataset.sent, dataset.received, rules)
    try:
        charts = overview_charts(dataset.sent, dataset.window, zone)
    except Exception as failure:  # the tiles are still worth showing
        log.exception("overview charts failed")
        return OverviewResult(computed, chart_error=describe_failure(failure))
    return OverviewResult(computed, charts)


@dataclass(frozen=True)
class RepliesResult:
    """The window's replies matched to the messages they answer, or why they could not be."""

    index: ReplyIndex | None
    error: str | None = None


def match_replies(dataset: Dataset, rules: analysis.ComplianceRules | None = None) -> RepliesResult:
    """Match the replies of ``dataset`` once, for the detail view, by the opt-out ``rules``.

    The matching runs on whatever the server sent, in a worker that goes on to compute the
    reports: whatever it raises becomes a result the dashboard shows (and the debug log keeps
    with its traceback), never a silence that leaves the replies "being matched" for ever.

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.frames import received_frame, sent_frame
        >>> from smstools_tui.query import Span
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
        >>> dataset = Dataset(sent_frame([]), received_frame([]), window, window.end)
        >>> match_replies(dataset).error is None
        True
    """
    try:
        return RepliesResult(ReplyIndex(dataset.sent, dataset.received, rules))
    except Exception as failure:
        log.exception("reply matching failed")
        return RepliesResult(None, describe_failure(failure))


@dataclass(frozen=True)
class ReportResult:
    """One report table's frame for one of its variants (``""`` without), or its error."""

    report_id: str
    variant: str
    frame: pd.DataFrame | None
    error: str | None = None


def compute_reports(specs: Iterable[ReportTab], dataset: Dataset) -> Iterator[ReportResult]:
    """Every report of ``specs`` on ``dataset``, one variant at a time, as each is done."""
    for spec in specs:
        for variant, compute in spec.computations():
            # A report's function is plug-in code: its failure is shown in its tab only.
            try:
                frame = compute(dataset.sent, dataset.received)
            except Exception as failure:
                yield ReportResult(spec.id, variant, None, describe_failure(failure))
                continue
            yield ReportResult(spec.id, variant, frame)


@dataclass(frozen=True)
class Selected:
    """The messages a drill-down asked for, selected from the data on screen, or why they
    could not be."""

    drill: Drill
    frame: pd.DataFrame | None
    error: str | None = None


def select_messages(drill: Drill, dataset: Dataset) -> Selected:
    """The messages of ``dataset`` that ``drill``'s query asks for (relations included), as
    :func:`smstools_tui.analysis.select` picks them; runs in a worker thread.

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.frames import received_frame, sent_frame
        >>> from smstools_tui.query import Span
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
        >>> dataset = Dataset(sent_frame([]), received_frame([]), window, window.end)
        >>> len(select_messages(Drill(Query("sent", window), 1), dataset).frame)
        0
    """
    try:
        frame = analysis.select(drill.query, dataset.sent, dataset.received)
    except Exception as failure:  # the tab says so; the rest of the dashboard carries on
        log.exception("drill-down selection failed")
        return Selected(drill, None, describe_failure(failure))
    return Selected(drill, frame)


# -- what the state answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Fetch:
    """One fetch: its generation (what older fetches post is dropped) and its cancel event."""

    generation: int
    cancel: threading.Event


@dataclass(frozen=True)
class Failure:
    """What the error panel says: a title, the message (untrusted text) and what to do."""

    title: str
    message: str
    hint: str


@dataclass(frozen=True)
class FailedFetch:
    """What a failed or cancelled fetch changes on screen.

    Attributes:
        notice: for a cancelled fetch, the line to notify.
        failure: for a failed one, what the error panel says.
        partial: what arrived, now shown labelled incomplete (only when nothing complete was
            on screen).
    """

    notice: str | None = None
    failure: Failure | None = None
    partial: Dataset | None = None


@dataclass(frozen=True)
class Tiles:
    """The overview's tiles: each figure's value and change, and the caption above them."""

    values: dict[str, FigureValue]
    previous: PreviousState
    caption: str


@dataclass(frozen=True)
class ReportShown:
    """What a report table shows: a note above it (its summary, that it is being computed, its
    error) in a style, and its frame once computed (``None``: keep what is there)."""

    note: str
    style: str = ""
    frame: pd.DataFrame | None = None
    incomplete: str | None = None


@dataclass(frozen=True)
class Detail:
    """What the detail view of a row shows.

    Attributes:
        title: the dialog's title.
        record: the row's fields (for a row of the compliance list, the whole sent message).
        kind: ``sent`` or ``received`` for a message, ``None`` for a report row (shown field
            by field).
        replies: a sent message's replies (``None`` while they are matched).
        opted_out: when a sent message's number had opted out before it was sent.
        replied: the sent message a received one answers (``None``: none, or not matched yet).
        match: a received message's match (``None`` while matching).
        unmatched: why the replies could not be matched (then they never will be).
        columns: a report row's columns (their titles and kinds), for people.
        drill: the messages a report row stands for (what Enter opens), if a query tells
            them apart.
    """

    title: str
    record: dict[str, Any]
    kind: Literal["sent", "received"] | None = None
    replies: pd.DataFrame | None = None
    opted_out: dict[str, Any] | None = None
    replied: dict[str, Any] | None = None
    match: dict[str, Any] | None = None
    unmatched: str | None = None
    columns: tuple[ColumnSpec, ...] = ()
    drill: Query | None = None


@dataclass(frozen=True)
class Drill:
    """A drill-down shown on the Sent or Received tab: its query, and a stamp that tells its
    selection from that of an earlier drill-down of the same tab."""

    query: Query
    stamp: int


@dataclass(frozen=True)
class Selection:
    """What a table is narrowed to and how it is ordered: its filters and search, its sort."""

    table_filter: TableFilter = field(default_factory=TableFilter)
    sort: SortOrder | None = None


@dataclass(frozen=True)
class TablePlace:
    """Where a table was left: its variant, the cursor (row, column on screen) and the scroll
    offset (x, y)."""

    variant: str = ""
    cursor: tuple[int, int] = (0, 0)
    scroll: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Place:
    """Where the user was, enough to come back exactly.

    Attributes:
        tab: the tab on screen (``tab-campaigns``).
        table: the table in use on it (a tab may hold two), if any.
        tables: each table of that tab, as it was left.
        selections: every table's selection then (a drill-down changes another tab's).
        drills: the drill-down each message tab showed then, by kind (``sent``).
        focus: the id of the widget that had the focus where no table did (a chart of the
            overview, its status strip, a figure), to give it back.
    """

    tab: str
    table: str | None = None
    tables: Mapping[str, TablePlace] = field(default_factory=dict)
    selections: Mapping[str, Selection] = field(default_factory=dict)
    drills: Mapping[str, Drill] = field(default_factory=dict)
    focus: str | None = None


def explain(error: SmstoolsError) -> tuple[str, str]:
    """A title and what the user can do, per kind of error.

    Example:
        >>> explain(NetworkError("cannot connect"))
        ('Gateway unreachable', 'check the connection, then press r to retry')
    """
    if isinstance(error, AuthenticationError):
        return "Credentials refused", "check SMSTOOLS_AUTH_KEY/SECRET, then press r"
    if isinstance(error, NetworkError):
        return "Gateway unreachable", "check the connection, then press r to retry"
    return "Fetch failed", "press r to retry"


class DashboardState:
    """Everything the dashboard knows, apart from its widgets.

    Args:
        reports: the report tabs (their secondary tables count as reports too).
        figures: the overview's figures.
        compare_previous: also load the previous window (only when there are figures).
        zone: the zone times are shown in.

    Example:
        >>> state = DashboardState([], [])
        >>> fetch = state.start_fetch()
        >>> fetch.generation, state.fetching, state.header_state
        (1, True, 'loading…')
        >>> state.cancel(), state.header_state
        (True, 'cancelling…')
        >>> state.fetch_finished()
        >>> state.header_state
        'no data'
    """

    def __init__(
        self,
        reports: Iterable[ReportTab],
        figures: Sequence[Figure],
        *,
        compare_previous: bool = True,
        zone: tzinfo | None = None,
    ) -> None:
        self.specs: dict[str, ReportTab] = {}
        """Every report table by id, the tabs' own and those shown under them."""
        for report in reports:
            for spec in (report, report.secondary):
                if spec is not None:
                    self.specs[spec.id] = spec
        self.figures = list(figures)
        self.compare_previous = compare_previous and bool(self.figures)
        self.zone = zone
        self.dataset: Dataset | None = None
        """The data on screen."""
        self.fetching = False
        self.generation = 0
        """The current fetch's; what an older one posts is stale."""
        self.failure: Failure | None = None
        """The last failure, shown until data loads."""
        self._fetch: Fetch | None = None
        self._loaded_generation = -1
        # What was computed from the dataset on screen (reset when another is shown).
        self.report_frames: dict[tuple[str, str], pd.DataFrame] = {}
        self.report_errors: dict[tuple[str, str], str] = {}
        self.window_figures: WindowFigures | None = None
        self.previous_figures: WindowFigures | None = None
        self.charts: OverviewCharts | None = None
        self.chart_error: str | None = None
        self.replies: ReplyIndex | None = None
        self.replies_error: str | None = None
        self.selections: dict[str, Selection] = {}
        """Each table's selection, by table id (``sent``, ``campaigns`` …)."""
        self._places: list[Place] = []
        self.drills: dict[str, Drill] = {}
        """The drill-down each message tab shows, by kind; a tab without one shows the
        window."""
        self._drill_stamp = 0

    # -- fetching -------------------------------------------------------------------------------

    def start_fetch(self) -> Fetch:
        """A new fetch: the running one is cancelled and whatever it still posts is stale."""
        self.close()
        self.generation += 1
        self._fetch = Fetch(self.generation, threading.Event())
        self.fetching = True
        return self._fetch

    def is_current(self, generation: int) -> bool:
        """Whether a result stamped ``generation`` belongs to the current fetch."""
        return generation == self.generation

    def cancel(self) -> bool:
        """Ask the running fetch to stop; ``False`` when none runs."""
        if self._fetch is None or not self.fetching:
            return False
        self._fetch.cancel.set()
        return True

    @property
    def cancelled(self) -> bool:
        """Whether the current fetch was asked to stop."""
        return self._fetch is not None and self._fetch.cancel.is_set()

    def close(self) -> None:
        """Stop the current fetch, running or not (the app is closing, or a new one starts)."""
        if self._fetch is not None:
            self._fetch.cancel.set()

    def fetch_finished(self) -> None:
        """The current fetch's worker is done, whatever became of it."""
        self.fetching = False

    def loaded(self, generation: int, dataset: Dataset) -> bool:
        """A window arrived complete: show it (``False``: it is stale, ignore it)."""
        if not self.is_current(generation):
            return False
        self._loaded_generation = generation
        self.failure = None
        self._show(dataset)
        return True

    def previous_loaded(self, generation: int, previous: Dataset) -> bool:
        """The previous window arrived, for the data on screen (``False``: stale)."""
        if not self.is_current(generation) or self.dataset is None:
            return False
        self.dataset = replace(self.dataset, previous=previous)
        return True

    def fetch_failed(self, generation: int, failure: LoadFailed) -> FailedFetch | None:
        """A fetch failed or was cancelled (``None``: stale). What arrived is shown only when
        nothing complete is on screen; complete data is never replaced by a part."""
        if not self.is_current(generation):
            return None
        complete_on_screen = self.dataset is not None and self.dataset.complete
        notice = shown = None
        if failure.cancelled:
            notice = "Fetch cancelled." + (
                " The data on screen is unchanged." if complete_on_screen else ""
            )
        else:
            title, hint = explain(failure.error)
            # For --debug: the log says what the panel says (the log's formatter shows escapes).
            log.info("fetch failed: %s: %s", title, failure.error.message)
            shown = self.fail(title, failure.error.message, hint)
        partial = failure.partial
        if (
            complete_on_screen
            or partial is None
            or not (len(partial.sent) or len(partial.received))
        ):
            partial = None
        else:
            self._show(partial)
        return FailedFetch(notice, shown, partial)

    def fail(self, title: str, message: str, hint: str) -> Failure:
        """Record a failure for the error panel; the hint says how old the data on screen is."""
        if self.dataset is not None:
            hint = f"{hint}; the data on screen is from {self.dataset.fetched_at:%H:%M:%S} UTC"
        self.failure = Failure(title, message, hint)
        return self.failure

    @property
    def header_state(self) -> str:
        """What the header says is happening (empty when all is well)."""
        if self.fetching:
            if self.cancelled:
                return "cancelling…"
            if self.compare_previous and self._loaded_generation == self.generation:
                return "loading previous window…"
            return "loading…"
        dataset = self.dataset
        if dataset is None:
            return "no data"
        if self._loaded_generation == self.generation:
            # The window itself arrived; at most the comparison with the one before it did not.
            missing = self.compare_previous and dataset.previous is None
            return "previous window not loaded" if missing else ""
        if self.cancelled:
            # An incomplete dataset already says INCOMPLETE: cancelled.
            return "refresh cancelled" if dataset.complete else ""
        return "refresh failed" if self.failure is not None else ""

    def _show(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.report_frames.clear()
        self.report_errors.clear()
        self.window_figures = self.previous_figures = None
        self.charts = self.chart_error = None
        self.replies = self.replies_error = None

    # -- what is computed from the data on screen ------------------------------------------------

    def overview_computed(self, generation: int, result: OverviewResult) -> bool:
        """The window's figures and charts arrived (``False``: stale)."""
        if not self.is_current(generation):
            return False
        self.window_figures = result.figures
        self.charts = result.charts
        self.chart_error = result.chart_error
        return True

    def previous_computed(self, generation: int, figures: WindowFigures) -> bool:
        """The previous window's figures arrived (``False``: stale)."""
        if not self.is_current(generation):
            return False
        self.previous_figures = figures
        return True

    def replies_matched(self, generation: int, result: RepliesResult) -> bool:
        """The reply matching finished, or failed (``False``: stale)."""
        if not self.is_current(generation):
            return False
        self.replies = result.index
        self.replies_error = None if result.index is not None else result.error or "no result"
        return True

    def report_computed(self, generation: int, result: ReportResult) -> bool:
        """A report's frame or error arrived (``False``: stale, or no such report)."""
        if not self.is_current(generation) or result.report_id not in self.specs:
            return False
        key = (result.report_id, result.variant)
        if result.error is not None or result.frame is None:
            self.report_errors[key] = result.error or "no result"
        else:
            self.report_frames[key] = result.frame
        return True

    @property
    def analysis_pending(self) -> bool:
        """Whether figures, charts, replies or a report of the data on screen are still being
        computed."""
        if self.dataset is None:
            return False
        expected = {
            (spec.id, key) for spec in self.specs.values() for key, _ in spec.computations()
        }
        done = set(self.report_frames) | set(self.report_errors)
        replies_done = self.replies is not None or self.replies_error is not None
        return self.window_figures is None or not replies_done or not expected <= done

    # -- what is shown where --------------------------------------------------------------------

    @property
    def previous_state(self) -> PreviousState:
        """Whether the tiles can compare with the previous window."""
        if self.previous_figures is not None:
            return "loaded"
        if self.compare_previous and self.fetching:
            return "loading"
        return "missing"

    def tiles(self) -> Tiles | None:
        """The overview's tiles, once the window's figures are computed."""
        current, dataset = self.window_figures, self.dataset
        if current is None or dataset is None:
            return None
        state = self.previous_state
        values = compare_figures(self.figures, current, self.previous_figures)
        before = dataset.window.previous()
        span = (
            f"{format_timestamp(before.start, self.zone)[:16]} → "
            f"{format_timestamp(before.end, self.zone)[:16]}"
        )
        if state == "loaded":
            caption = f"Changes against the previous window of the same length, {span}."
        elif state == "loading":
            caption = f"Loading the previous window ({span}) to compare with…"
        else:
            caption = "The previous window is not loaded: no changes to show."
        if self.chart_error is not None:
            caption = f"⚠ charts could not be drawn: {visible(self.chart_error)}. {caption}"
        return Tiles(values, state, caption)

    def report_shown(self, report_id: str, variant: str = "") -> ReportShown:
        """What the report table ``report_id`` shows for ``variant``."""
        spec = self.specs[report_id]
        key = (report_id, variant)
        error = self.report_errors.get(key)
        if error is not None:
            note = f"⚠ {spec.title} could not be computed: {visible(error, limit=300)}"
            return ReportShown(note, "$error")
        frame = self.report_frames.get(key)
        if frame is None:
            return ReportShown(f"computing {spec.title}…")
        note, style = spec.description, ""
        if spec.summary is not None:
            try:
                note = visible(spec.summary(frame), limit=300)
            except Exception as failure:  # plug-in code: the table is still worth showing
                note = visible(describe_failure(failure), limit=300)
            if spec.alert:
                style = "bold $warning" if len(frame) else "$success"
        dataset = self.dataset
        incomplete = dataset.problem if dataset is not None and not dataset.complete else None
        return ReportShown(note, style, frame, incomplete)

    def detail(
        self, table_id: str, record: dict[str, Any], position: int, *, title: str
    ) -> Detail | None:
        """The detail of the row at ``position`` of the table ``table_id`` (``record`` holds
        its fields); ``None`` while nothing is loaded."""
        dataset = self.dataset
        if dataset is None:
            return None
        spec = self.specs.get(table_id)
        kind = table_id if table_id in ("sent", "received") else None
        if spec is not None and spec.messages == "sent":
            # A report row that is a sent message: the message itself, with its replies.
            same = (dataset.sent["id"] == record.get("id")).fillna(False).to_numpy(dtype=bool)
            found = dataset.sent[same]
            if not found.empty:
                record, kind = row_values(found.iloc[0]), "sent"
        replies, unmatched = self.replies, self.replies_error
        if kind == "sent":
            message_id = record.get("id")
            return Detail(
                "Sent message",
                record,
                "sent",
                replies=replies.replies_to(message_id) if replies is not None else None,
                opted_out=replies.opted_out_before(message_id) if replies is not None else None,
                unmatched=unmatched,
            )
        if kind == "received":
            where = self._received_position(dataset.received, record, position)
            replied, match = (
                replies.answered(where)
                if replies is not None and where is not None
                else (None, None)
            )
            return Detail(
                "Received message",
                record,
                "received",
                replied=replied,
                match=match,
                unmatched=unmatched,
            )
        return Detail(title, record, columns=(spec.columns or ()) if spec is not None else ())

    def _received_position(
        self, received: pd.DataFrame, record: Mapping[str, Any], position: int
    ) -> int | None:
        """Where the received message ``record`` (at ``position`` of its tab) stands in the
        window's received frame, which the replies were matched in: the same position, unless
        the tab shows a drill-down, whose rows are a selection; then the first message with its
        number, date and text (identical messages match identically)."""
        if "received" not in self.drills:
            return position
        same = np.ones(len(received), dtype=bool)
        for column in ("from", "receiveDate", "text"):
            value = record.get(column)
            if is_missing(value):
                same &= received[column].isna().to_numpy()
            else:
                same &= (received[column] == value).fillna(False).to_numpy(dtype=bool)
        found = np.flatnonzero(same)
        return int(found[0]) if len(found) else None

    # -- selections and the way back ------------------------------------------------------------

    def select(self, table_id: str, selection: Selection) -> None:
        """The table ``table_id`` now shows ``selection``."""
        self.selections[table_id] = selection

    def push(
        self,
        tab: str,
        table: str | None = None,
        tables: Mapping[str, TablePlace] | None = None,
        *,
        focus: str | None = None,
    ) -> Place:
        """Remember where the user is (the tab, its tables, every table's selection, the
        widget with the focus where no table has it) before taking them elsewhere; :meth:`pop`
        comes back to it.

        Example:
            >>> state = DashboardState([], [])
            >>> state.select("sent", Selection(TableFilter(search="stop")))
            >>> place = state.push("tab-campaigns", "campaigns", {"campaigns": TablePlace()})
            >>> state.select("sent", Selection(TableFilter({"campaign": "black-friday"})))
            >>> state.pop() == place, state.selections["sent"].table_filter.search
            (True, 'stop')
        """
        place = Place(
            tab, table, dict(tables or {}), dict(self.selections), dict(self.drills), focus
        )
        self._places.append(place)
        return place

    def pop(self) -> Place | None:
        """Back to the last place pushed: every table's selection and drill-down is restored;
        ``None`` when there is nowhere to go back to."""
        if not self._places:
            return None
        place = self._places.pop()
        self.selections = dict(place.selections)
        self.drills = dict(place.drills)
        return place

    # -- drill-downs ----------------------------------------------------------------------------

    def drill(self, query: Query) -> Drill:
        """Show ``query`` on the tab of its kind, from now on (what an older drill-down of
        that tab still selects is stale).

        Example:
            >>> from datetime import UTC, datetime
            >>> from smstools_tui.query import Span
            >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
            >>> state = DashboardState([], [])
            >>> first = state.drill(Query("sent", window))
            >>> second = state.drill(Query("sent", window.previous()))
            >>> state.is_shown(first), state.is_shown(second)
            (False, True)
        """
        self._drill_stamp += 1
        shown = Drill(query, self._drill_stamp)
        self.drills[query.kind] = shown
        return shown

    def undrill(self, kind: str) -> Drill | None:
        """The tab of ``kind`` shows the whole window again; the drill-down it showed."""
        return self.drills.pop(kind, None)

    def is_shown(self, drill: Drill) -> bool:
        """Whether ``drill`` is still what its tab shows (its selection is not stale)."""
        return self.drills.get(drill.query.kind) == drill

    @property
    def places(self) -> tuple[Place, ...]:
        """The way back, the oldest place first."""
        return tuple(self._places)
