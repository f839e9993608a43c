"""The dashboard app and :func:`make_app`, the one factory the CLI and the tests use.

The app composes the widgets, binds the keys and routes messages; what it knows lives in a
:class:`~smstools_tui.tui.state.DashboardState` (no Textual there), and the app renders what that
state says. It never talks HTTP: a ``@work(thread=True)`` worker calls the public client
(:func:`~smstools_tui.tui.loader.load_dataset`) and posts back DataFrames or the package's own
errors. While a fetch runs the previous data stays on screen; Esc cancels it; a fetch that did not
complete is shown only when nothing else is, and then labelled INCOMPLETE everywhere.

Everything computed from the data (the overview's figures and charts, the report tabs, the reply
matching of the detail view) runs in worker threads too, so the tables answer while the reports
of half a million messages are computed; each result is posted back stamped with the fetch it
belongs to, and the state drops a stale one.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Literal

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from ..accounts import AccountsSource
from ..analysis import DEFAULT_OPT_OUT_KEYWORDS, ComplianceRules, QuietHours
from ..config import View, load_views, save_view
from ..errors import ConfigError, SmstoolsError
from ..monitor import CheckResult, Finding, Policy, evaluate_frames
from ..query import Query, WindowExpr, parse_window
from ..report import drill as report_drill
from ..source import MessageSource
from ..sql import SqlTables
from .drilling import (
    Chip,
    alert_query,
    base_query,
    bucket_query,
    chips,
    figure_query,
    row_query,
    status_query,
    still_valid,
    without_chip,
)
from .loader import LoadFailed, load_dataset
from .messages import (
    DataLoaded,
    FetchFailed,
    FetchProgress,
    MessagesSelected,
    OverviewComputed,
    PreviousComputed,
    PreviousLoaded,
    RepliesMatched,
    ReportComputed,
    RulesChecked,
)
from .model import format_timestamp
from .querying import QueryHistory
from .remembered import SettingsFile
from .replies import ReplyIndex
from .safe_text import visible
from .screens.detail import MessageDetail, describe_detail
from .screens.export import open_export
from .screens.help import HelpScreen, key_rows
from .screens.view_name import ViewNameScreen
from .screens.window import WindowScreen, view_summary
from .state import (
    DashboardState,
    Drill,
    Failure,
    Fetch,
    Place,
    Selection,
    TablePlace,
    compute_overview,
    compute_reports,
    match_replies,
    select_messages,
)
from .summary import OverviewCharts, compute_window_figures
from .views import (
    DEFAULT_FIGURES,
    DEFAULT_WINDOW,
    WINDOW_PRESETS,
    Dataset,
    Figure,
    ReportTab,
    WindowChoice,
    default_reports,
    message_views,
    tab_of_report,
)
from .widgets.charts import StatusStrip
from .widgets.frame_view import FrameView
from .widgets.header import AlertBanner, DashboardHeader, ErrorPanel, FetchBar
from .widgets.heatmap import Heatmap
from .widgets.overview import FigureTile, Overview
from .widgets.query import QueryPane

__all__ = ["DashboardApp", "make_app"]

log = logging.getLogger("smstools_tui.tui")

STAGE_NAMES = {"sent": "sent SMS", "received": "received SMS", "previous": "the previous window"}


class DashboardApp(App[None]):
    """The Smstools dashboard. Build it with :func:`make_app`."""

    CSS_PATH = "app.tcss"
    TITLE = "smstools dashboard"
    # Classes of every screen by terminal width, for the layouts of app.tcss (80×24 and up).
    # No ClassVar: Textual's own annotation (a ClassVar inside a union) reads to mypy as an
    # instance variable, which a ClassVar may not override.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (100, "-medium"),
        (120, "-wide"),
    ]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Quit the dashboard"),
        Binding(
            "r",
            "refresh",
            "Refresh",
            tooltip="Fetch the window again (a relative one moves to now)",
        ),
        Binding(
            "w",
            "pick_window",
            "Window",
            tooltip="Pick the date window: a preset, or any window such as last-month",
        ),
        Binding(
            "e",
            "export",
            "Export",
            tooltip="Export the table on screen (CSV, Parquet) or the HTML report of the window",
        ),
        Binding("escape", "cancel_fetch", "Cancel fetch", tooltip="Cancel the running fetch"),
        Binding(
            "escape,backspace",
            "drill_back",
            "Back",
            tooltip="Back to where you were before the drill-down, exactly as you left it",
        ),
        Binding(
            "v",
            "save_view",
            "Save view",
            show=False,
            tooltip="Save the window, the tab's kind and its drill-down as a named view",
        ),
        Binding(
            "l",
            "toggle_live",
            "Live",
            show=False,
            tooltip="Refresh by itself every --watch seconds (60 s without it), or pause",
        ),
        Binding(
            "a",
            "open_alert",
            "Alert",
            show=False,
            tooltip="Open the messages behind the first rule of the watch policy not OK",
        ),
        Binding("question_mark,f1", "help", "Help", tooltip="This list of keys"),
        Binding("t", "toggle_dark", "Light/dark theme", show=False),
        *[
            Binding(str(number % 10), f"show_tab_index({number - 1})", f"Tab {number}", show=False)
            for number in range(1, 11)
        ],
    ]

    def __init__(
        self,
        client: MessageSource,
        *,
        window: WindowChoice = DEFAULT_WINDOW,
        view: View | None = None,
        reports: Sequence[ReportTab] | None = None,
        figures: Sequence[Figure] = DEFAULT_FIGURES,
        zone: tzinfo | None = None,
        compare_previous: bool = True,
        export_dir: Path | None = None,
        close_client: bool = False,
        remember: SettingsFile | None = None,
        log_file: Path | None = None,
        config_path: Path | None = None,
        watch: float | None = None,
        policy: Policy | None = None,
        compliance: ComplianceRules | None = None,
        quiet_hours: QuietHours | None = None,
    ) -> None:
        super().__init__()
        self.config_path = config_path
        self.watch_seconds = watch
        """How often watch mode refreshes (``None``: it is off until ``l`` turns it on)."""
        self.policy = policy
        """The rules checked on every dataset shown; those not OK show as a banner."""
        self.check_result: CheckResult | None = None
        self._watch_timer: Timer | None = None
        self.live = False
        """The config file views are saved in and read from (``None``: the usual one)."""
        self.compliance = compliance
        """The opt-out keywords and message classes (``None``: the defaults)."""
        self.client = client
        self.remember = remember
        self.log_file = log_file
        self.choice = window
        self.saved_view = view
        """A saved view whose filters scope what is loaded, whatever the window."""
        self.reports = list(
            reports if reports is not None else default_reports(zone, compliance, quiet_hours)
        )
        self.zone = zone
        self.state = DashboardState(
            self.reports, figures, compare_previous=compare_previous, zone=zone
        )
        self.export_dir = export_dir or Path.cwd()
        self.close_client = close_client
        self._fetch_worker: Worker[None] | None = None
        self._arriving: dict[str, TablePlace] = {}
        """Where to put the cursor of a table going back to another variant, once drawn."""
        self.source = source_of(client)
        # Several accounts loaded together: the Sent and Received tables show whose each is.
        self.sent_view, self.received_view = message_views(isinstance(client, AccountsSource))
        self.tabs: list[tuple[str, str]] = [
            ("tab-overview", "Overview"),
            ("tab-sent", self.sent_view.title),
            ("tab-received", self.received_view.title),
            *[(f"tab-{report.id}", report.title) for report in self.reports],
            ("tab-query", "Query"),
        ]
        self._sql: tuple[Dataset, SqlTables] | None = None

    # What the state knows, under the names the CLI, the tests and the benchmarks read.

    @property
    def dataset(self) -> Dataset | None:
        """The data on screen."""
        return self.state.dataset

    @property
    def fetching(self) -> bool:
        return self.state.fetching

    @property
    def charts(self) -> OverviewCharts | None:
        return self.state.charts

    @property
    def replies(self) -> ReplyIndex | None:
        return self.state.replies

    @property
    def analysis_pending(self) -> bool:
        """Whether figures, charts, replies or a report of the data on screen are still being
        computed."""
        return self.state.analysis_pending

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield DashboardHeader(
            source=self.source, choice=self.choice, clock=self.client.now, zone=self.zone
        )
        yield ErrorPanel(id="error-panel")
        yield AlertBanner(id="alert-banner")
        with TabbedContent(id="tabs"):
            with TabPane("Overview", id="tab-overview"):
                yield Overview(self.state.figures, id="overview")
            with TabPane(self.sent_view.title, id="tab-sent"):
                yield FrameView(self.sent_view, zone=self.zone, id="view-sent")
            with TabPane(self.received_view.title, id="tab-received"):
                yield FrameView(self.received_view, zone=self.zone, id="view-received")
            for report in self.reports:
                with TabPane(report.title, id=f"tab-{report.id}"):
                    if report.heatmap:
                        yield Heatmap(id=f"heatmap-{report.id}")
                    yield FrameView(
                        report,
                        zone=self.zone,
                        variants=[(variant.key, variant.label) for variant in report.variants],
                        id=f"view-{report.id}",
                    )
                    if report.secondary is not None:
                        yield FrameView(
                            report.secondary,
                            zone=self.zone,
                            variants=[
                                (variant.key, variant.label)
                                for variant in report.secondary.variants
                            ],
                            id=f"view-{report.secondary.id}",
                            classes="secondary",
                        )
            with TabPane("Query", id="tab-query"):
                history = (
                    QueryHistory(self.remember.path.with_name("sql_history.json"))
                    if self.remember is not None
                    else None
                )
                yield QueryPane(self.sql_tables, history=history, zone=self.zone, id="query")
        yield FetchBar(id="fetch-bar")
        yield Footer()

    def on_mount(self) -> None:
        for spec in self.state.specs.values():
            self.view(spec.id).set_note(spec.description or spec.title)
        self.query_one(Overview).focus()  # so it scrolls at once where it is taller than the screen
        if self.saved_view is not None and self.saved_view.report is not None:
            # --view of a report: that report's tab, once the tabs are laid out
            self.call_after_refresh(self._show_report_of, self.saved_view)
        self._recall_theme()
        if self.log_file is not None:
            self.notify(f"Debug log: {self.log_file}", title="--debug", markup=False, timeout=8)
        if self.watch_seconds is not None:
            self._start_watching(self.watch_seconds)
        self.start_fetch()

    # -- watch mode ---------------------------------------------------------------------------

    def _start_watching(self, seconds: float) -> None:
        self.watch_seconds = seconds
        self._watch_timer = self.set_interval(seconds, self._watch_tick, name="watch")
        self.live = True
        self.query_one(DashboardHeader).live = f"every {seconds:g} s"

    def _watch_tick(self) -> None:
        # A fetch still running (a slow gateway) is left to finish: never two at once.
        if self.live and not self.state.fetching:
            self.start_fetch()

    def action_toggle_live(self) -> None:
        """Watch mode on (every ``--watch`` seconds, 60 without it), paused, or resumed."""
        header = self.query_one(DashboardHeader)
        if self._watch_timer is None:
            self._start_watching(self.watch_seconds or 60.0)
            self.start_fetch()
        elif self.live:
            self._watch_timer.pause()
            self.live = False
            header.live = "paused"
        else:
            self._watch_timer.resume()
            self.live = True
            header.live = f"every {self.watch_seconds:g} s"
            self.start_fetch()

    @work(thread=True, exclusive=True, group="rules", exit_on_error=False)
    def _check_rules(self, generation: int, dataset: Dataset) -> None:
        policy = self.policy
        if policy is None:
            return
        credit = dataset.account.italy_sms if dataset.account is not None else None
        try:
            result = evaluate_frames(
                policy,
                dataset.sent,
                dataset.received,
                now=dataset.fetched_at,
                zone=self.zone,
                credit_sms=credit,
                keywords=self.compliance or DEFAULT_OPT_OUT_KEYWORDS,
            )
        except (SmstoolsError, ValueError) as error:
            result = CheckResult((), error=str(error))
        self.post_message(RulesChecked(generation, result))

    @on(RulesChecked)
    def _rules_checked(self, message: RulesChecked) -> None:
        if not self.state.is_current(message.generation):
            return
        self.check_result = message.result
        alarms = [finding.line() for finding in self._alarms()]
        if message.result.error is not None:
            alarms = message.result.lines()
        self.query_one(AlertBanner).show_findings(message.result.status, alarms)

    def _alarms(self) -> list[Finding]:
        result = self.check_result
        if result is None:
            return []
        order = ("CRITICAL", "WARNING")
        found = [finding for finding in result.findings if finding.status in order]
        return sorted(found, key=lambda finding: order.index(finding.status))

    def action_open_alert(self) -> None:
        """The messages behind the worst rule that is not OK: its window (as far as the data
        on screen reaches) and its group, the failed ones for a rate."""
        dataset, alarms = self.dataset, self._alarms()
        if dataset is None or not alarms:
            self.notify("Every rule is OK.", markup=False)
            return
        base = base_query(dataset.window, dataset.query)
        query = alert_query(alarms[0], self.policy, base, self.zone)
        if query is None:
            self.notify("This rule has no messages to show.", severity="warning", markup=False)
            return
        self.open_messages(query)

    def on_resize(self, event: events.Resize) -> None:
        # Under 100 columns the keys pack closer and the palette's hint gives way, so "? Help"
        # stays on the line (the help lists Ctrl+P).
        footer = self.query_one(Footer)
        footer.compact = event.size.width < 100
        footer.show_command_palette = event.size.width >= 100

    def view(self, view_id: str) -> FrameView:
        """The table view of a tab: ``sent``, ``received`` or a report's id."""
        return self.query_one(f"#view-{view_id}", FrameView)

    def active_view(self) -> FrameView | None:
        """The table view of the tab on screen, if it has one."""
        pane = self.query_one(TabbedContent).active_pane
        if pane is None:
            return None
        views = list(pane.query(FrameView))
        focused = self.focused
        for view in views:
            # A tab with two tables (Opt-outs and the compliance list): the one in use.
            if focused is not None and view in focused.ancestors_with_self:
                return view
        return views[0] if views else None

    def sql_tables(self) -> SqlTables | None:
        """The SQL tables over the data on screen (made once per load), or ``None`` before
        anything is loaded. Safe to call from a worker thread."""
        dataset = self.state.dataset
        if dataset is None:
            return None
        made = self._sql
        if made is None or made[0] is not dataset:
            # One core fewer than the machine has: the interface keeps one while a query runs.
            threads = max(1, (os.cpu_count() or 2) - 1)
            tables = SqlTables.from_frames(
                dataset.sent, dataset.received, span=dataset.window, zone=self.zone,
                threads=threads,
            )  # fmt: skip
            made = self._sql = (dataset, tables)
        return made[1]

    # -- fetching -----------------------------------------------------------------------------

    def start_fetch(self) -> None:
        """Fetch the chosen window again; what is on screen stays until the new data is in."""
        try:
            sent, received = self.queries(self.choice.expression)
        except SmstoolsError as error:
            self._show_failure(
                self.state.fail("Cannot use this window", error.message, "press w to pick another")
            )
            return
        fetch = self.state.start_fetch()
        self.refresh_bindings()
        self._render_header_state()
        self.query_one(FetchBar).start("the account")
        self._fetch_worker = self._fetch(fetch, sent, received)

    def queries(self, window: WindowExpr) -> tuple[Query, Query]:
        """The sent and received queries of ``window``, built on the client's clock; a saved
        view's filters scope the kind it is of, and the other kind reads the same span."""
        view = self.saved_view
        if view is not None:
            # A report's view scopes the messages its tab is computed from: the report and its
            # grouping are the tab's, not the data's.
            scoped = replace(
                view.query(self.client.now(), self.zone, window=window), report=None, group=None
            )
        else:
            scoped = self.client.query("sent", window=window, zone=self.zone)
        other = Query("received" if scoped.kind == "sent" else "sent", scoped.span)
        return (scoped, other) if scoped.kind == "sent" else (other, scoped)

    @work(thread=True, exclusive=True, group="fetch", exit_on_error=False)
    def _fetch(self, fetch: Fetch, sent: Query, received: Query) -> None:
        generation, cancel = fetch.generation, fetch.cancel

        def progress(stage: str, done: int, total: int) -> None:
            self.post_message(FetchProgress(generation, stage, done, total))

        try:
            dataset = load_dataset(self.client, sent, received, progress=progress, cancel=cancel)
        except LoadFailed as failure:
            self.post_message(FetchFailed(generation, failure))
            return
        self.post_message(DataLoaded(generation, dataset))
        if not self.state.compare_previous or cancel.is_set():
            return

        def previous_progress(stage: str, done: int, total: int) -> None:
            self.post_message(FetchProgress(generation, "previous", done, total))

        try:
            previous = load_dataset(
                self.client,
                sent.previous(),
                received.previous(),
                progress=previous_progress,
                cancel=cancel,
                with_account=False,
            )
        except LoadFailed as failure:
            # Only the comparison is missing; the window itself is complete and on screen.
            log.info("previous window not loaded: %s", failure.error)
            return
        self.post_message(PreviousLoaded(generation, previous))

    @on(FetchProgress)
    def _progress(self, message: FetchProgress) -> None:
        if self.state.is_current(message.generation):
            name = STAGE_NAMES.get(message.stage, message.stage)
            self.query_one(FetchBar).progress(name, message.done, message.total)

    @on(DataLoaded)
    def _loaded(self, message: DataLoaded) -> None:
        if self.state.loaded(message.generation, message.dataset):
            self.query_one(ErrorPanel).clear()
            self._show_dataset(message.dataset)
            self._render_header_state()
            if self.policy is not None:
                self._check_rules(message.generation, message.dataset)

    @on(PreviousLoaded)
    def _previous_loaded(self, message: PreviousLoaded) -> None:
        if self.state.previous_loaded(message.generation, message.previous):
            self._compute_previous(message.generation, message.previous)

    @on(FetchFailed)
    def _failed(self, message: FetchFailed) -> None:
        outcome = self.state.fetch_failed(message.generation, message.failure)
        if outcome is None:
            return
        if outcome.notice is not None:
            self.notify(outcome.notice, title="Cancelled", severity="warning", markup=False)
        if outcome.failure is not None:
            self._show_failure(outcome.failure)
        if outcome.partial is not None:
            self._show_dataset(outcome.partial)

    def _show_failure(self, failure: Failure) -> None:
        self.query_one(ErrorPanel).show_error(failure.title, failure.message, failure.hint)
        # Markup off keeps [brackets] literal; escapes in a server's message must show too.
        self.notify(visible(failure.message, limit=400), title=failure.title, severity="error",
                    markup=False, timeout=10)  # fmt: skip
        self._render_header_state()

    def _render_header_state(self) -> None:
        self.query_one(DashboardHeader).state = self.state.header_state

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker is self._fetch_worker and worker.is_finished:
            self._fetch_worker = None
            self.state.fetch_finished()
            self.refresh_bindings()
            self.query_one(FetchBar).stop()
            self._render_header_state()
            self._render_figures()  # "previous window loading…" becomes what happened
        if event.state == WorkerState.ERROR and worker.error is not None:
            # A bug, not a gateway error (those arrive as FetchFailed): say so, keep running.
            log.exception("worker %s failed", worker.name, exc_info=worker.error)
            self._show_failure(
                self.state.fail(
                    "Unexpected error",
                    f"{type(worker.error).__name__}: {worker.error}",
                    "the data on screen is kept; run with --debug for details",
                )
            )

    def _show_dataset(self, dataset: Dataset) -> None:
        """Show the tables of ``dataset`` (already the state's) and compute the rest from it."""
        incomplete = None if dataset.complete else dataset.problem
        self.query_one(DashboardHeader).dataset = dataset
        self.view("sent").set_frame(dataset.sent, incomplete=incomplete)
        self.view("received").set_frame(dataset.received, incomplete=incomplete)
        self._reapply_drills(dataset)
        for spec in self.state.specs.values():
            self._show_report(self.view(spec.id))
        generation = self.state.generation
        self._compute_overview(generation, dataset)
        self._compute_reports(generation, dataset)

    # -- figures and reports ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def _compute_overview(self, generation: int, dataset: Dataset) -> None:
        result = compute_overview(self.state.figures, dataset, self.zone, self.compliance)
        self.post_message(OverviewComputed(generation, result))

    @work(thread=True, exclusive=True, group="previous-figures", exit_on_error=False)
    def _compute_previous(self, generation: int, previous: Dataset) -> None:
        figures = compute_window_figures(
            self.state.figures, previous.sent, previous.received, self.compliance
        )
        self.post_message(PreviousComputed(generation, figures))

    @on(OverviewComputed)
    def _overview_computed(self, message: OverviewComputed) -> None:
        if self.state.overview_computed(message.generation, message.result):
            self.query_one(Overview).show_charts(message.result.charts)
            self._render_figures()

    @on(PreviousComputed)
    def _previous_computed(self, message: PreviousComputed) -> None:
        if self.state.previous_computed(message.generation, message.figures):
            self._render_figures()

    def _render_figures(self) -> None:
        """The tiles, from the window's figures and (when loaded) the previous window's."""
        tiles = self.state.tiles()
        if tiles is None:
            return
        overview = self.query_one(Overview)
        for figure in self.state.figures:
            overview.tile(figure.id).show(tiles.values[figure.id], tiles.previous)
        overview.set_caption(tiles.caption)

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def _compute_reports(self, generation: int, dataset: Dataset) -> None:
        # Replies first: they are what the detail view needs when the user opens a message.
        self.post_message(RepliesMatched(generation, match_replies(dataset, self.compliance)))
        for result in compute_reports(self.state.specs.values(), dataset):
            self.post_message(ReportComputed(generation, result))

    @on(RepliesMatched)
    def _replies_matched(self, message: RepliesMatched) -> None:
        self.state.replies_matched(message.generation, message.result)

    @on(ReportComputed)
    def _report(self, message: ReportComputed) -> None:
        result = message.result
        if self.state.report_computed(message.generation, result):
            view = self.view(result.report_id)
            if view.variant == result.variant:
                self._show_report(view)

    @on(FrameView.VariantChosen)
    def _variant_chosen(self, message: FrameView.VariantChosen) -> None:
        self._show_report(message.view)

    def _show_report(self, view: FrameView) -> None:
        """Show the report of ``view`` (its chosen variant), its error, or that it is coming."""
        shown = self.state.report_shown(view.spec.id, view.variant)
        view.set_note(
            Content.styled(shown.note, shown.style) if shown.style else Content(shown.note)
        )
        heatmaps = self.query(f"#heatmap-{view.spec.id}").results(Heatmap)
        for heatmap in heatmaps:
            heatmap.show(shown.frame)
        if shown.frame is not None:
            view.set_frame(shown.frame, incomplete=shown.incomplete)
            spot = self._arriving.pop(view.spec.id, None)
            if spot is not None:
                self.call_after_refresh(_put_cursor, view, spot)

    @on(Heatmap.CellChosen)
    def _cell_chosen(self, message: Heatmap.CellChosen) -> None:
        dataset = self.dataset
        report_id = (message.heatmap.id or "").removeprefix("heatmap-")
        if dataset is None or report_id not in self.state.specs:
            return
        base = base_query(dataset.window, dataset.query)
        query = row_query(self.state.specs[report_id], message.row, base)
        if query is not None:
            self.open_messages(query)

    @on(FrameView.Applied)
    def _applied(self, message: FrameView.Applied) -> None:
        view = message.view
        self.state.select(view.spec.id, Selection(view.table_filter, view.sort))

    @on(FrameView.DetailsAsked)
    def _details_asked(self, message: FrameView.DetailsAsked) -> None:
        message.stop()
        self.show_detail(message.view, message.position)

    @on(QueryPane.MessageAsked)
    def _query_message_asked(self, message: QueryPane.MessageAsked) -> None:
        dataset = self.dataset
        if dataset is not None and dataset.query is not None:
            self.open_messages(dataset.query.with_filters(ids=[message.message_id]))

    @on(FrameView.RowChosen)
    def _row_chosen(self, message: FrameView.RowChosen) -> None:
        view = message.view
        if view.spec.id in self.state.specs:
            # A report row: the messages behind it (i shows its fields).
            self.drill_row(view, message.position)
            return
        self.show_detail(view, message.position)

    def show_detail(self, view: FrameView, position: int) -> None:
        """The detail view of the row at ``position`` of ``view``: a message with its replies,
        or a report row's fields."""
        if view.model is None:
            return
        record = view.model.record(position)
        detail = self.state.detail(view.spec.id, record, position, title=view.spec.title)
        dataset = self.dataset
        if detail is not None and detail.kind is None and dataset is not None:
            base = base_query(dataset.window, dataset.query)
            drill = row_query(view.spec, record, base, column=view.cursor_column)
            detail = replace(detail, drill=drill)
        if detail is not None:
            self.push_screen(MessageDetail(describe_detail(detail, self.zone), title=detail.title))

    # -- drill-downs --------------------------------------------------------------------------

    def open_messages(self, query: Query) -> bool:
        """Show the messages ``query`` asks for on the Sent or Received tab (selected from the
        data on screen in a worker), its parts as removable chips; Esc or Backspace comes back
        to exactly where the user was. ``False`` when nothing is loaded yet."""
        dataset = self.dataset
        if dataset is None:
            self.notify("Nothing is loaded yet.", severity="warning", markup=False)
            return False
        self.remember_place()
        self._show_drill(self.state.drill(query), dataset)
        self.show_tab(f"tab-{query.kind}")
        return True

    def drill_row(self, view: FrameView, position: int) -> bool:
        """Open the messages behind the row at ``position`` of the report table ``view`` (those
        of the cell under the cursor, where a row's figures count different messages: a
        campaign's replies); ``False`` (and a notification) when no query tells them apart."""
        dataset = self.dataset
        if dataset is None or view.model is None:
            return False
        row = view.model.record(position)
        base = base_query(dataset.window, dataset.query)
        query = row_query(view.spec, row, base, column=view.cursor_column)
        if query is None:
            self.notify(
                "No query tells these messages apart (messages without a value); "
                "i shows the row's fields.",
                title="No drill-down",
                severity="warning",
                markup=False,
            )
            return False
        return self.open_messages(query)

    def drill_figure(self, figure_id: str) -> bool:
        """Open the messages behind the headline figure ``figure_id``."""
        dataset = self.dataset
        if dataset is None:
            return False
        figure = next((figure for figure in self.state.figures if figure.id == figure_id), None)
        base = base_query(dataset.window, dataset.query)
        query = figure_query(figure, base) if figure is not None else None
        if query is None:
            self.notify("This figure has no messages to show.", severity="warning", markup=False)
            return False
        return self.open_messages(query)

    def _show_drill(self, drill: Drill, dataset: Dataset, *, again: bool = False) -> None:
        view = self.view(drill.query.kind)
        view.show_drill(drill.query, chips(drill.query, dataset.window, self.zone), again=again)
        self.run_worker(
            partial(self._select, drill, dataset),
            name=f"select {drill.query.kind}",
            group=f"select-{drill.query.kind}",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def _select(self, drill: Drill, dataset: Dataset) -> None:
        self.post_message(MessagesSelected(select_messages(drill, dataset)))

    @on(MessagesSelected)
    def _selected(self, message: MessagesSelected) -> None:
        selected = message.selected
        if not self.state.is_shown(selected.drill):
            return
        kind = selected.drill.query.kind
        view = self.view(kind)
        if selected.frame is None:
            view.set_note(
                Content.styled(
                    f"⚠ the drill-down could not be selected: {visible(selected.error or '')}",
                    "$error",
                )
            )
            return
        dataset = self.dataset
        incomplete = dataset.problem if dataset is not None and not dataset.complete else None
        view.set_note("")
        view.show_selection(selected.frame, incomplete=incomplete)
        spot = self._arriving.pop(kind, None)
        if spot is not None:
            self.call_after_refresh(_put_cursor, view, spot)

    @on(FrameView.ChipRemoved)
    def _chip_removed(self, message: FrameView.ChipRemoved) -> None:
        self.remove_chip(message.view.spec.id, message.chip)

    def remove_chip(self, kind: str, chip: Chip) -> None:
        """Show the drill-down of the tab ``kind`` without ``chip`` (the way back is kept)."""
        shown, dataset = self.state.drills.get(kind), self.dataset
        if shown is None or dataset is None:
            return
        query = without_chip(shown.query, chip, dataset.window)
        self._show_drill(self.state.drill(query), dataset)

    def _reapply_drills(self, dataset: Dataset) -> None:
        """A refresh keeps each drill-down whose span still meets the new window, selected
        again from the new data; the others end (with a notification)."""
        for kind, shown in list(self.state.drills.items()):
            if still_valid(shown.query, dataset.window):
                self._show_drill(self.state.drill(shown.query), dataset, again=True)
                continue
            self.state.undrill(kind)
            self.view(kind).end_drill()
            self.notify(
                f"The {kind} drill-down is outside the new window: the tab shows the window.",
                severity="warning",
                markup=False,
            )

    @on(FigureTile.Chosen)
    def _figure_chosen(self, message: FigureTile.Chosen) -> None:
        self.drill_figure(message.tile.figure.id)

    @on(StatusStrip.StatusChosen)
    def _status_chosen(self, message: StatusStrip.StatusChosen) -> None:
        self.drill_status(message.status)

    def drill_status(self, status: str) -> bool:
        """Open the sent messages of the status ``status`` (``DELIVERED`` …) of the overview's
        status strip."""
        dataset = self.dataset
        if dataset is None:
            return False
        query = status_query(base_query(dataset.window, dataset.query), status)
        if query is None:
            self.notify(f"No message of this window is {status}.", severity="warning",
                        markup=False)  # fmt: skip
            return False
        return self.open_messages(query)

    @on(Overview.BucketChosen)
    def _bucket_chosen(self, message: Overview.BucketChosen) -> None:
        self.drill_bucket(message.chart_id, message.bucket, message.label)

    def drill_bucket(self, chart_id: str, bucket: str, label: str) -> bool:
        """Open the sent messages of one bar of the overview's chart ``chart_id``: the day,
        week or month ``label`` (``bucket``), cut by the window."""
        dataset = self.dataset
        if dataset is None:
            return False
        base = base_query(dataset.window, dataset.query)
        try:
            query = bucket_query(base, chart_id, bucket, label, zone=self.zone)
        except (SmstoolsError, ValueError, KeyError) as error:  # a label no bucket is named by
            log.warning("no drill-down for the bar %r: %s", visible(label), error)
            query = None
        if query is None:
            self.notify("No messages of this window in that bar.", severity="warning",
                        markup=False)  # fmt: skip
            return False
        return self.open_messages(query)

    # -- where the user was -------------------------------------------------------------------

    def remember_place(self) -> Place:
        """Remember the tab on screen, how its tables were left and every table's selection,
        for :meth:`go_back`."""
        for view in self.query(FrameView):
            self.state.select(view.spec.id, Selection(view.table_filter, view.sort))
        in_use = self.active_view()
        tables = {
            view.spec.id: TablePlace(
                view.variant,
                (view.table.cursor_coordinate.row, view.table.cursor_coordinate.column),
                (view.table.scroll_offset.x, view.table.scroll_offset.y),
            )
            for view in self._views_of_tab()
        }
        tab = self.query_one(TabbedContent).active
        focused = self.focused
        in_table = focused is not None and any(
            isinstance(widget, FrameView) for widget in focused.ancestors_with_self
        )
        # A widget of its own (a chart, the heatmap) gets the focus back, not the tab's table.
        focus = focused.id if focused is not None and not in_table else None
        table = in_use.spec.id if in_use is not None and focus is None else None
        return self.state.push(tab, table, tables, focus=focus)

    def go_back(self) -> bool:
        """Back to the place last remembered: its tab, variants, cursors, scroll and every
        table's selection; ``False`` when there is nowhere to go back to."""
        before = dict(self.state.drills)
        place = self.state.pop()
        if place is None:
            return False
        self._arriving.clear()
        dataset = self.dataset
        for kind in ("sent", "received"):
            drill = self.state.drills.get(kind)
            if drill == before.get(kind):
                continue
            if drill is None:
                self.view(kind).end_drill()
            elif dataset is not None:
                self._show_drill(drill, dataset)
                spot = place.tables.get(kind)
                if spot is not None:
                    # Its cursor goes back once its messages are selected again.
                    self._arriving[kind] = spot
        for view in self.query(FrameView):
            selection = self.state.selections.get(view.spec.id)
            if selection is not None:
                _select(view, selection)
        self.show_tab(place.tab)
        for table_id, spot in place.tables.items():
            view = self.view(table_id)
            if table_id in self._arriving:
                continue
            if spot.variant and spot.variant != view.variant:
                # The cursor goes back once that variant's table is drawn.
                self._arriving[table_id] = spot
                view.set_variant(spot.variant)
            else:
                self.call_after_refresh(_put_cursor, view, spot)
        if place.table is not None:
            self.view(place.table).table.focus()
        elif place.focus is not None:
            # A chart keeps the bar chosen: back on it, Enter opens it again.
            with contextlib.suppress(NoMatches):
                self.query_one(f"#{place.focus}").focus()
        return True

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_fetch":
            return self.fetching
        if action == "drill_back":
            # Esc cancels a running fetch first; in a text field Backspace edits it.
            return not self.fetching and bool(self.state.places)
        if action == "show_tab_index":
            index = int(str(parameters[0])) if parameters else 0
            return index < len(self._tab_ids())
        return True

    def action_drill_back(self) -> None:
        """Back to where the user was before the last drill-down."""
        self.go_back()

    def action_refresh(self) -> None:
        """Fetch the window again (a relative window moves to now)."""
        self.start_fetch()

    def action_cancel_fetch(self) -> None:
        """Stop the running fetch; what already arrived is not shown as complete."""
        if self.state.cancel():
            self._render_header_state()

    def action_pick_window(self) -> None:
        def chosen(choice: WindowChoice | View | None) -> None:
            if isinstance(choice, View):
                self.open_view(choice)
            elif choice is not None:
                self.set_window(choice)

        def preview(window: WindowExpr) -> str:
            span = self.client.window(window=window, zone=self.zone)
            start, end = (
                format_timestamp(moment, self.zone)[:16] for moment in (span.start, span.end)
            )
            return f"{start} → {end}"

        try:
            views = list(self.views().values())
        except ConfigError as error:  # the picker still picks windows
            self._view_error("Cannot read the views", error)
            views = []
        self.push_screen(WindowScreen(self.choice, preview, views), chosen)

    def set_window(self, choice: WindowChoice) -> None:
        """Show ``choice`` and fetch it (and remember it for the next session)."""
        self.choice = choice
        self.query_one(DashboardHeader).set_choice(choice)
        if self.remember is not None:
            self.remember.remember_window(self.source, choice)
        self.start_fetch()

    # -- saved views --------------------------------------------------------------------------

    def current_view(self, name: str, dataset: Dataset) -> tuple[View, Query, list[str]]:
        """The query on screen as the view ``name``: the window, the kind of the tab on screen
        (Sent unless it is Received), its drill-down's filters (or those of the view the
        dashboard was opened with) and the tab's own exact filters (status, sender, service);
        with the query it asks for and what a view cannot hold and was left out."""
        tab = self.query_one(TabbedContent).active
        kind: Literal["sent", "received"] = "received" if tab == "tab-received" else "sent"
        left_out: list[str] = []
        window = self.choice.expression
        shown = self.state.drills.get(kind)
        if shown is not None:
            query = shown.query
            if query.relation is not None:
                left_out.append(", ".join(label for _, _, label in query.relation.chips()))
            query = replace(query, relation=None)
            if query.span is not None and query.span != dataset.window:
                start, end = query.span.start.isoformat(), query.span.end.isoformat()
                window = parse_window(f"{start}..{end}")
        elif self.saved_view is not None and self.saved_view.kind == kind:
            query = Query(kind, dataset.window, self.saved_view.filters)
        else:
            query = Query(kind, dataset.window)
        table = self.view(kind).table_filter
        exact = {"status": "statuses", "sender": "senders", "service": "services"}
        for key, value in table.active().items():
            narrowed = report_drill.within(query, **{exact[key]: [value]}) if key in exact else None
            if narrowed is not None:
                query = narrowed
            else:  # not a filter a view holds, or one that leaves nothing with the drill-down's
                left_out.append(f"the {key} filter")
        if table.search.strip():
            left_out.append("the search")
        return View(name, kind=kind, window=window, filters=query.filters), query, left_out

    def views(self) -> dict[str, View]:
        """The views saved in the config file.

        Raises:
            ConfigError: the config file cannot be read, or a view in it is not valid.
        """
        return load_views(self.config_path)

    def action_save_view(self) -> None:
        """Ask for a name, then save the query on screen as a view in the config file."""
        try:
            taken = self.views()
        except ConfigError as error:
            self._view_error("Cannot read the views", error)
            return
        dataset = self.dataset
        if dataset is None:
            self.notify("Nothing is loaded yet.", severity="warning", markup=False)
            return
        try:
            view, query, left_out = self.current_view("unnamed", dataset)
        except SmstoolsError as error:
            self._view_error("Cannot save this view", error)
            return
        # The window as it will be read again: relative ones move with the clock.
        relative = query.span == dataset.window
        what = replace(query, window=self.choice.expression if relative else None).describe(
            self.zone
        )
        if left_out:
            what += f" (a view cannot hold {', '.join(left_out)}: left out)"

        def named(name: str | None) -> None:
            if name is None:
                return
            try:
                path = save_view(replace(view, name=name), self.config_path)
            except ConfigError as error:
                self._view_error("The view was not saved", error)
                return
            self.notify(f"Saved the view {name} in {path}", title="Saved", markup=False)

        self.push_screen(ViewNameScreen(what, taken), named)

    def open_view(self, view: View) -> None:
        """Show the saved ``view``: its window (unless it has none) and its filters, which
        scope what is loaded, on the tab of its kind; a report's view on that report's tab, in
        its grouping (a report without a tab, delivery or latency: the overview's figures and
        charts)."""
        self.saved_view = view
        if view.report is None:
            self.show_tab(f"tab-{view.kind}")
        else:
            self._show_report_of(view)
        choice = WindowChoice(view.window) if view.window is not None else self.choice
        self.set_window(choice)

    def _show_report_of(self, view: View) -> None:
        found = tab_of_report(view.report or "", self.reports)
        if found is None:
            self.show_tab("tab-overview")
            return
        tab, table = found
        self.show_tab(f"tab-{tab.id}")
        shown = self.view(table.id)
        if view.group is not None:
            shown.set_variant(view.group)
        shown.table.focus()

    def _view_error(self, title: str, error: SmstoolsError) -> None:
        self.notify(visible(error.message, limit=300), title=title, severity="error",
                    markup=False, timeout=10)  # fmt: skip

    def action_show_tab_index(self, index: int) -> None:
        tabs = self._tab_ids()
        if 0 <= index < len(tabs):
            self.show_tab(tabs[index])

    def show_tab(self, tab_id: str) -> None:
        """Switch to ``tab_id`` (``tab-sent``, ``tab-overview`` …) and focus its table."""
        self.query_one(TabbedContent).active = tab_id
        view = self.active_view()
        heatmaps = self.query(f"#{tab_id} Heatmap").results(Heatmap)
        if tab_id == "tab-query":
            self.query_one(QueryPane).editor.focus()
        elif (heatmap := next(heatmaps, None)) is not None:
            heatmap.focus()
        elif view is not None:
            view.table.focus()
        elif tab_id == "tab-overview":
            self.query_one(Overview).focus()

    def show_variant(self, report_id: str, key: str) -> None:
        """Switch to the report tab ``report_id`` showing its variant ``key`` (``month`` …)."""
        self.show_tab(f"tab-{report_id}")
        self.view(report_id).set_variant(key)

    def _tab_ids(self) -> list[str]:
        return [tab_id for tab_id, _ in self.tabs]

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def _recall_theme(self) -> None:
        """The remembered theme, if Textual still has it; from now on every change is kept."""
        if self.remember is None:
            return
        theme = self.remember.load().theme
        if theme is not None and theme in self.available_themes:
            self.theme = theme
        elif theme is not None:
            log.warning("ignoring the remembered theme %r: no such theme", visible(theme))
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        if self.remember is not None:
            self.remember.remember_theme(theme.name)

    def action_help(self) -> None:
        rows = key_rows(self.BINDINGS, FrameView.BINDINGS, tabs=[title for _, title in self.tabs])
        self.push_screen(HelpScreen(rows, log_file=self.log_file))

    def action_export(self, suffix: str = ".csv") -> None:
        """Ask where to write the table on screen (as filtered and sorted) or the HTML report of
        the whole window, then write it."""
        open_export(
            self,
            self.dataset,
            self.active_view(),
            folder=self.export_dir,
            zone=self.zone,
            previous=self.state.previous_figures,
            suffix=suffix,
        )

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Refresh", "Fetch the window again (r)", self.action_refresh)
        yield SystemCommand(
            "Pick the date window", "A preset or any window expression (w)",
            self.action_pick_window,
        )  # fmt: skip
        for choice in WINDOW_PRESETS:
            yield SystemCommand(
                f"Window: {choice.label}",
                f"Show the {choice.label}",
                _bind(self.set_window, choice),
            )
        yield SystemCommand(
            "Export as CSV", "Write the table on screen to a CSV file (e)", self.action_export
        )
        yield SystemCommand(
            "Export as Parquet",
            "Write the table on screen to a Parquet file",
            _bind(self.action_export, ".parquet"),
        )
        yield SystemCommand(
            "Export the HTML report",
            "Every analysis of the window, with charts, in one file",
            _bind(self.action_export, ".html"),
        )
        for tab_id, title in self.tabs:
            yield SystemCommand(
                f"Show {title}", f"Switch to the {title} tab", _bind(self.show_tab, tab_id)
            )
        for report in self.reports:
            for variant in report.variants:
                yield SystemCommand(
                    f"{report.title} {variant.label}",
                    f"Show the {report.title} tab {variant.label} (b switches)",
                    _bind(self.show_variant, report.id, variant.key),
                )
        yield SystemCommand("Clear filters", "Clear the filters and search (x)", self._clear)
        view = self.active_view()
        if view is not None:
            yield SystemCommand(
                "Copy the cell", "The cell under the cursor, to the clipboard (y)",
                _bind(self._copy, "cell"),
            )  # fmt: skip
            yield SystemCommand(
                "Copy the row", "The row under the cursor, tab-separated, to the clipboard (Y)",
                _bind(self._copy, "row"),
            )  # fmt: skip
            if any(table.spec.numbers for table in self._views_of_tab()):
                yield SystemCommand(
                    "Copy the numbers", "Every number in the table, one per line (n)",
                    _bind(self._copy, "numbers"),
                )  # fmt: skip
        yield SystemCommand(
            "Save as a view", "The window, the tab's kind and its drill-down, named (v)",
            self.action_save_view,
        )  # fmt: skip
        try:
            saved = self.views()
        except ConfigError as error:
            yield SystemCommand(
                "Views: cannot be read", visible(error.message, limit=120),
                _bind(self._view_error, "Cannot read the views", error),
            )  # fmt: skip
            saved = {}
        for name, saved_view in sorted(saved.items()):
            yield SystemCommand(
                f"View: {name}", view_summary(saved_view), _bind(self.open_view, saved_view)
            )
        yield SystemCommand("Help", "Every key (?)", self.action_help)
        yield SystemCommand(
            "Light/dark theme", "Switch between the two (t)", self.action_toggle_dark
        )
        if self.fetching:
            yield SystemCommand(
                "Cancel fetch", "Stop the running fetch (Esc)", self.action_cancel_fetch
            )

    def _clear(self) -> None:
        view = self.active_view()
        if view is not None:
            view.action_clear_filters()

    def _views_of_tab(self) -> list[FrameView]:
        pane = self.query_one(TabbedContent).active_pane
        return list(pane.query(FrameView)) if pane is not None else []

    def _copy(self, what: str) -> None:
        """Copy the ``cell``, the ``row`` or the ``numbers`` of the table in use (the palette's
        way to ``y``, ``Y`` and ``n``)."""
        view = self.active_view()
        if view is None:
            return
        if what == "numbers" and not view.spec.numbers:
            # The table in use has no numbers: the first table of the tab that has.
            view = next((table for table in self._views_of_tab() if table.spec.numbers), view)
        {
            "cell": view.action_copy_cell,
            "row": view.action_copy_row,
            "numbers": view.action_copy_numbers,
        }[what]()

    async def action_quit(self) -> None:
        self.state.close()
        self.exit()

    def on_unmount(self) -> None:
        self.state.close()
        if self.close_client:
            self.client.close()


def _select(view: FrameView, selection: Selection) -> None:
    """Show ``selection`` in ``view`` as the user would set it (unchanged: nothing happens)."""
    if (view.table_filter, view.sort) == (selection.table_filter, selection.sort):
        return
    cleared = dict.fromkeys(view.table_filter.filters, "")
    view.set_filter(
        **{**cleared, **selection.table_filter.filters}, search=selection.table_filter.search
    )
    view.set_sort(selection.sort)


def _put_cursor(view: FrameView, spot: TablePlace) -> None:
    row, column = spot.cursor
    view.table.move_cursor(row=row, column=column)
    x, y = spot.scroll
    view.table.scroll_to(x, y, animate=False, immediate=True)


def source_of(client: MessageSource) -> str:
    """``demo``, or the gateway's host: what the header shows, and the account a window is
    remembered for."""
    return "demo" if client.is_demo else client.label


def _bind(function: Callable[..., None], *args: Any) -> Callable[[], None]:
    def call() -> None:
        function(*args)

    return call


def make_app(
    client: MessageSource | None = None,
    *,
    window: WindowChoice | WindowExpr | str | None = None,
    since: WindowExpr | str | datetime | None = None,
    until: WindowExpr | str | datetime | None = None,
    view: View | None = None,
    reports: Sequence[ReportTab] | None = None,
    figures: Sequence[Figure] = DEFAULT_FIGURES,
    zone: tzinfo | None = None,
    compare_previous: bool = True,
    export_dir: Path | None = None,
    remember: SettingsFile | None = None,
    log_file: Path | None = None,
    config_path: Path | None = None,
    watch: float | None = None,
    policy: Policy | None = None,
    compliance: ComplianceRules | None = None,
    quiet_hours: QuietHours | None = None,
) -> DashboardApp:
    """The dashboard app, ready to ``run()`` (or ``run_test()``).

    Args:
        client: where the data comes from (default: :func:`smstools_tui.connect`, which is the
            live account when credentials are configured and the demo otherwise). A client made
            here is closed when the app exits; one passed in is left open.
        window: the date window to open on: a choice, a window expression or its text
            (``7d``, ``last-month``; default: the last 30 days); or give ``since`` and/or
            ``until`` as the command line takes them.
        view: a saved view: its window (unless one is given) and its filters, which scope what
            is loaded whatever window is picked.
        reports: the report tabs, after Overview, Sent and Received (see :class:`ReportTab`;
            default: :func:`~smstools_tui.tui.views.default_reports` in ``zone``).
        figures: the overview's headline figures (see :class:`Figure`).
        zone: the time zone timestamps are shown in (default: the machine's).
        compare_previous: also load the previous window of the same length, for the overview's
            changes.
        export_dir: where exports are proposed (default: the working directory).
        remember: where the theme and the last window picked are kept between sessions (the
            command line passes :func:`~smstools_tui.tui.remembered.default_settings_path`);
            ``None`` remembers nothing. A window given here (``window``, ``since``, ``until``)
            wins over the remembered one.
        log_file: where ``--debug`` writes the log while the app runs, to show in the help.
        config_path: the config file whose views the dashboard lists and saves to (default:
            :func:`~smstools_tui.config.config_file_path`).
        watch: refresh by itself every this many seconds (watch mode; ``l`` pauses it).
        policy: rules (see :mod:`smstools_tui.monitor`) checked on every dataset shown; those
            not OK show as a banner, ``a`` opens their messages.
        compliance: the opt-out keywords and message classes of the default report tabs (the
            config file's ``[compliance]`` and ``[classes]``; default: the defaults).
        quiet_hours: the customer's quiet-hours policy of the default Send times tab (the
            config file's ``[quiet_hours]``; default: off).
    """
    from .. import connect

    owned = client is None
    if client is None:
        client = connect()
    if isinstance(window, str):
        window = WindowChoice.of(window)
    elif isinstance(window, WindowExpr):
        window = WindowChoice(window)
    elif window is None and since is None and until is None and view is not None:
        window = WindowChoice(view.window) if view.window is not None else None
    if window is None and since is None and until is None and remember is not None:
        window = remember.window(source_of(client), client.now())
    if window is None:
        window = WindowChoice.custom(since, until)
    return DashboardApp(
        client,
        window=window,
        view=view,
        reports=reports,
        figures=figures,
        zone=zone,
        compare_previous=compare_previous,
        export_dir=export_dir,
        close_client=owned,
        remember=remember,
        log_file=log_file,
        config_path=config_path,
        watch=watch,
        policy=policy,
        compliance=compliance,
        quiet_hours=quiet_hours,
    )
