"""The dashboard app and :func:`make_app`, the one factory the CLI and the tests use.

The app never talks HTTP: a ``@work(thread=True)`` worker calls the public client
(:func:`~smstools_tui.tui.loader.load_dataset`) and posts back DataFrames or the package's own
errors. While a fetch runs the previous data stays on screen; Esc cancels it; a fetch that did not
complete is shown only when nothing else is, and then labelled INCOMPLETE everywhere.

Everything computed from the data (the overview's figures and charts, the report tabs, the reply
matching of the detail view) runs in worker threads too, so the tables answer while the reports
of half a million messages are computed; each result is posted back stamped with the fetch it
belongs to, and a stale one is dropped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from .. import analysis
from ..config import View
from ..errors import AuthenticationError, NetworkError, SmstoolsError
from ..query import Query, WindowExpr
from ..report.export import export_frame, partial_path
from ..source import MessageSource
from .loader import LoadFailed, load_dataset
from .messages import (
    DataLoaded,
    ExportFinished,
    FetchFailed,
    FetchProgress,
    FiguresComputed,
    PreviousLoaded,
    RepliesMatched,
    ReportComputed,
)
from .model import format_timestamp
from .replies import ReplyIndex
from .safe_text import visible
from .screens.detail import MessageDetail, describe_message
from .screens.export import ExportScreen
from .screens.help import HelpScreen, key_rows
from .screens.window import WindowScreen
from .summary import (
    OverviewCharts,
    WindowFigures,
    compare_figures,
    compute_window_figures,
    overview_charts,
)
from .views import (
    DEFAULT_FIGURES,
    DEFAULT_WINDOW,
    RECEIVED_VIEW,
    SENT_VIEW,
    WINDOW_PRESETS,
    Dataset,
    Figure,
    ReportSpec,
    WindowChoice,
    default_reports,
)
from .widgets.frame_view import FrameView
from .widgets.header import DashboardHeader, ErrorPanel, FetchBar
from .widgets.overview import Overview, PreviousState

__all__ = ["DashboardApp", "make_app"]

log = logging.getLogger("smstools_tui.tui")

STAGE_NAMES = {"sent": "sent SMS", "received": "received SMS", "previous": "the previous window"}


class DashboardApp(App[None]):
    """The Smstools dashboard. Build it with :func:`make_app`."""

    CSS_PATH = "app.tcss"
    TITLE = "smstools dashboard"

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
        Binding("question_mark,f1", "help", "Help", tooltip="This list of keys"),
        Binding("t", "toggle_dark", "Light/dark theme", show=False),
        *[
            Binding(str(number), f"show_tab_index({number - 1})", f"Tab {number}", show=False)
            for number in range(1, 10)
        ],
    ]

    def __init__(
        self,
        client: MessageSource,
        *,
        window: WindowChoice = DEFAULT_WINDOW,
        view: View | None = None,
        reports: Sequence[ReportSpec] | None = None,
        figures: Sequence[Figure] = DEFAULT_FIGURES,
        zone: tzinfo | None = None,
        compare_previous: bool = True,
        export_dir: Path | None = None,
        close_client: bool = False,
    ) -> None:
        super().__init__()
        self.client = client
        self.choice = window
        self.saved_view = view
        """A saved view whose filters scope what is loaded, whatever the window."""
        self.reports = list(reports if reports is not None else default_reports(zone))
        self.specs: dict[str, ReportSpec] = {}
        """Every report table by id, the tabs' own and those shown under them."""
        for report in self.reports:
            for spec in (report, report.secondary):
                if spec is not None:
                    self.specs[spec.id] = spec
        self.figures = list(figures)
        self.zone = zone
        self.compare_previous = compare_previous and bool(self.figures)
        self.export_dir = export_dir or Path.cwd()
        self.close_client = close_client
        self.dataset: Dataset | None = None
        self.fetching = False
        self._generation = 0
        self._loaded_generation = -1
        self._cancel: threading.Event | None = None
        self._fetch_worker: Worker[None] | None = None
        # What was computed from the dataset on screen (reset when another is shown).
        self._report_frames: dict[tuple[str, str], pd.DataFrame] = {}
        self._report_errors: dict[tuple[str, str], str] = {}
        self._figures: WindowFigures | None = None
        self._previous_figures: WindowFigures | None = None
        self.charts: OverviewCharts | None = None
        self.replies: ReplyIndex | None = None
        self.source = "demo" if client.is_demo else client.label
        self.tabs: list[tuple[str, str]] = [
            ("tab-overview", "Overview"),
            ("tab-sent", SENT_VIEW.title),
            ("tab-received", RECEIVED_VIEW.title),
            *[(f"tab-{report.id}", report.title) for report in self.reports],
        ]

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield DashboardHeader(
            source=self.source, choice=self.choice, clock=self.client.now, zone=self.zone
        )
        yield ErrorPanel(id="error-panel")
        with TabbedContent(id="tabs"):
            with TabPane("Overview", id="tab-overview"):
                yield Overview(self.figures, id="overview")
            with TabPane(SENT_VIEW.title, id="tab-sent"):
                yield FrameView(SENT_VIEW, zone=self.zone, id="view-sent")
            with TabPane(RECEIVED_VIEW.title, id="tab-received"):
                yield FrameView(RECEIVED_VIEW, zone=self.zone, id="view-received")
            for report in self.reports:
                with TabPane(report.title, id=f"tab-{report.id}"):
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
                            id=f"view-{report.secondary.id}",
                            classes="secondary",
                        )
        yield FetchBar(id="fetch-bar")
        yield Footer()

    def on_mount(self) -> None:
        for spec in self.specs.values():
            self.view(spec.id).set_note(spec.description or spec.title)
        self.start_fetch()

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

    # -- fetching -----------------------------------------------------------------------------

    def start_fetch(self) -> None:
        """Fetch the chosen window again; what is on screen stays until the new data is in."""
        if self._cancel is not None:
            self._cancel.set()
        self._generation += 1
        cancel = threading.Event()
        self._cancel = cancel
        try:
            sent, received = self.queries(self.choice.expression)
        except SmstoolsError as error:
            self._show_failure("Cannot use this window", error.message, "press w to pick another")
            return
        self.fetching = True
        self.refresh_bindings()
        self.query_one(DashboardHeader).state = "loading…"
        self.query_one(FetchBar).start("the account")
        self._fetch_worker = self._fetch(self._generation, sent, received, cancel)

    def queries(self, window: WindowExpr) -> tuple[Query, Query]:
        """The sent and received queries of ``window``, built on the client's clock; a saved
        view's filters scope the kind it is of, and the other kind reads the same span."""
        view = self.saved_view
        if view is not None:
            scoped = view.query(self.client.now(), self.zone, window=window)
        else:
            scoped = self.client.query("sent", window=window, zone=self.zone)
        other = Query("received" if scoped.kind == "sent" else "sent", scoped.span)
        return (scoped, other) if scoped.kind == "sent" else (other, scoped)

    @work(thread=True, exclusive=True, group="fetch", exit_on_error=False)
    def _fetch(
        self, generation: int, sent: Query, received: Query, cancel: threading.Event
    ) -> None:
        def progress(stage: str, done: int, total: int) -> None:
            self.post_message(FetchProgress(generation, stage, done, total))

        try:
            dataset = load_dataset(self.client, sent, received, progress=progress, cancel=cancel)
        except LoadFailed as failure:
            self.post_message(FetchFailed(generation, failure))
            return
        self.post_message(DataLoaded(generation, dataset))
        if not self.compare_previous or cancel.is_set():
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

    def _current(self, generation: int) -> bool:
        return generation == self._generation

    @on(FetchProgress)
    def _progress(self, message: FetchProgress) -> None:
        if self._current(message.generation):
            name = STAGE_NAMES.get(message.stage, message.stage)
            self.query_one(FetchBar).progress(name, message.done, message.total)

    @on(DataLoaded)
    def _loaded(self, message: DataLoaded) -> None:
        if not self._current(message.generation):
            return
        self._loaded_generation = message.generation
        self.query_one(ErrorPanel).clear()
        self._show_dataset(message.dataset)
        if self.compare_previous:
            self.query_one(DashboardHeader).state = "loading previous window…"

    @on(PreviousLoaded)
    def _previous_loaded(self, message: PreviousLoaded) -> None:
        if not self._current(message.generation) or self.dataset is None:
            return
        self.dataset = replace(self.dataset, previous=message.previous)
        self._compute_previous(message.generation, message.previous)

    @on(FetchFailed)
    def _failed(self, message: FetchFailed) -> None:
        if not self._current(message.generation):
            return
        failure = message.failure
        partial = failure.partial
        shown = self.dataset is not None and self.dataset.complete
        if failure.cancelled:
            self.notify(
                "Fetch cancelled." + (" The data on screen is unchanged." if shown else ""),
                title="Cancelled",
                severity="warning",
                markup=False,
            )
        else:
            title, hint = _explain(failure.error)
            self._show_failure(title, failure.error.message, hint)
        if not shown and partial is not None and (len(partial.sent) or len(partial.received)):
            self._show_dataset(partial)

    def _show_failure(self, title: str, message: str, hint: str) -> None:
        if self.dataset is not None:
            hint = f"{hint}; the data on screen is from {self.dataset.fetched_at:%H:%M:%S} UTC"
        self.query_one(ErrorPanel).show_error(title, message, hint)
        # Markup off keeps [brackets] literal; escapes in a server's message must show too.
        self.notify(visible(message, limit=400), title=title, severity="error", markup=False,
                    timeout=10)  # fmt: skip

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker is self._fetch_worker and worker.is_finished:
            self.fetching = False
            self._fetch_worker = None
            self.refresh_bindings()
            self.query_one(FetchBar).stop()
            header = self.query_one(DashboardHeader)
            cancelled = self._cancel is not None and self._cancel.is_set()
            if self.dataset is None:
                header.state = "no data"
            elif self._loaded_generation == self._generation:
                # The window itself arrived; at most the comparison with the one before it did not.
                loaded = self.dataset.previous is not None or not self.compare_previous
                header.state = "" if loaded else "previous window not loaded"
            elif cancelled:
                header.state = "refresh cancelled" if self.dataset.complete else ""
            elif self.query_one(ErrorPanel).message:
                header.state = "refresh failed"
            else:
                header.state = ""
            self._render_figures()  # "previous window loading…" becomes what happened
        if event.state == WorkerState.ERROR and worker.error is not None:
            # A bug, not a gateway error (those arrive as FetchFailed): say so, keep running.
            log.exception("worker %s failed", worker.name, exc_info=worker.error)
            self._show_failure(
                "Unexpected error",
                f"{type(worker.error).__name__}: {worker.error}",
                "the data on screen is kept; run with --debug for details",
            )

    def _show_dataset(self, dataset: Dataset) -> None:
        self.dataset = dataset
        incomplete = None if dataset.complete else dataset.problem
        self.query_one(DashboardHeader).dataset = dataset
        self.view("sent").set_frame(dataset.sent, incomplete=incomplete)
        self.view("received").set_frame(dataset.received, incomplete=incomplete)
        self._report_frames.clear()
        self._report_errors.clear()
        self._figures = self._previous_figures = None
        self.replies = None
        for spec in self.specs.values():
            self.view(spec.id).set_note(f"computing {spec.title}…")
        self._compute_overview(self._generation, dataset)
        self._compute_reports(self._generation, dataset)

    # -- figures and reports ------------------------------------------------------------------

    @property
    def analysis_pending(self) -> bool:
        """Whether figures, charts, replies or a report of the data on screen are still being
        computed."""
        if self.dataset is None:
            return False
        expected = {
            (spec.id, key) for spec in self.specs.values() for key, _ in spec.computations()
        }
        done = set(self._report_frames) | set(self._report_errors)
        return self._figures is None or self.replies is None or not expected <= done

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def _compute_overview(self, generation: int, dataset: Dataset) -> None:
        figures = compute_window_figures(self.figures, dataset.sent, dataset.received)
        charts: OverviewCharts | None = None
        error: str | None = None
        try:
            charts = overview_charts(dataset.sent, dataset.window, self.zone)
        except Exception as failure:  # the tiles are still worth showing
            log.exception("overview charts failed")
            error = f"{type(failure).__name__}: {failure}"
        self.post_message(FiguresComputed(generation, figures, charts=charts, chart_error=error))

    @work(thread=True, exclusive=True, group="previous-figures", exit_on_error=False)
    def _compute_previous(self, generation: int, previous: Dataset) -> None:
        figures = compute_window_figures(self.figures, previous.sent, previous.received)
        self.post_message(FiguresComputed(generation, figures, previous=True))

    @on(FiguresComputed)
    def _figures_computed(self, message: FiguresComputed) -> None:
        if not self._current(message.generation):
            return
        if message.previous:
            self._previous_figures = message.figures
        else:
            self._figures = message.figures
            self.charts = message.charts
            overview = self.query_one(Overview)
            overview.show_charts(message.charts)
            if message.chart_error is not None:
                overview.set_caption(f"⚠ charts could not be drawn: {visible(message.chart_error)}")
        self._render_figures()

    def _previous_state(self) -> PreviousState:
        if self._previous_figures is not None:
            return "loaded"
        if self.compare_previous and self.fetching:
            return "loading"
        return "missing"

    def _render_figures(self) -> None:
        """The tiles, from the window's figures and (when loaded) the previous window's."""
        current, dataset = self._figures, self.dataset
        if current is None or dataset is None:
            return
        state = self._previous_state()
        values = compare_figures(self.figures, current, self._previous_figures)
        overview = self.query_one(Overview)
        for figure in self.figures:
            overview.tile(figure.id).show(values[figure.id], state)
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
        overview.set_caption(caption)

    @work(thread=True, exclusive=True, group="reports", exit_on_error=False)
    def _compute_reports(self, generation: int, dataset: Dataset) -> None:
        # Replies first: they are what the detail view needs when the user opens a message.
        try:
            self.post_message(
                RepliesMatched(generation, ReplyIndex(dataset.sent, dataset.received))
            )
        except Exception:
            log.exception("reply matching failed")
        for spec in self.specs.values():
            for variant, compute in spec.computations():
                # A report's function is plug-in code: its failure is shown in its tab only.
                try:
                    frame = compute(dataset.sent, dataset.received)
                except Exception as failure:
                    error = f"{type(failure).__name__}: {failure}"
                    self.post_message(
                        ReportComputed(generation, spec.id, None, error, variant=variant)
                    )
                    continue
                self.post_message(ReportComputed(generation, spec.id, frame, variant=variant))

    @on(RepliesMatched)
    def _replies_matched(self, message: RepliesMatched) -> None:
        if self._current(message.generation):
            self.replies = message.index

    @on(ReportComputed)
    def _report(self, message: ReportComputed) -> None:
        if not self._current(message.generation) or message.report_id not in self.specs:
            return
        key = (message.report_id, message.variant)
        if message.error is not None or message.frame is None:
            self._report_errors[key] = message.error or "no result"
        else:
            self._report_frames[key] = message.frame
        view = self.view(message.report_id)
        if view.variant == message.variant:
            self._show_report(view)

    @on(FrameView.VariantChosen)
    def _variant_chosen(self, message: FrameView.VariantChosen) -> None:
        self._show_report(message.view)

    def _show_report(self, view: FrameView) -> None:
        """Show the report of ``view`` (its chosen variant), its error, or that it is coming."""
        spec = self.specs[view.spec.id]
        key = (spec.id, view.variant)
        error = self._report_errors.get(key)
        frame = self._report_frames.get(key)
        if error is not None:
            view.set_note(
                Content.styled(
                    f"⚠ {spec.title} could not be computed: {visible(error, limit=300)}",
                    "$error",
                )
            )
            return
        if frame is None:
            view.set_note(f"computing {spec.title}…")
            return
        summary = spec.description
        style = ""
        if spec.summary is not None:
            try:
                summary = visible(spec.summary(frame), limit=300)
            except Exception as failure:  # plug-in code: the table is still worth showing
                summary = visible(f"{type(failure).__name__}: {failure}", limit=300)
            if spec.alert:
                style = "bold $warning" if len(frame) else "$success"
        view.set_note(Content.styled(summary, style) if style else Content(summary))
        dataset = self.dataset
        incomplete = dataset.problem if dataset is not None and not dataset.complete else None
        view.set_frame(frame, incomplete=incomplete)

    # -- actions ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_fetch":
            return self.fetching
        if action == "show_tab_index":
            index = int(str(parameters[0])) if parameters else 0
            return index < len(self._tab_ids())
        return True

    def action_refresh(self) -> None:
        """Fetch the window again (a relative window moves to now)."""
        self.start_fetch()

    def action_cancel_fetch(self) -> None:
        """Stop the running fetch; what already arrived is not shown as complete."""
        if self._cancel is not None and self.fetching:
            self._cancel.set()
            self.query_one(DashboardHeader).state = "cancelling…"

    def action_pick_window(self) -> None:
        def chosen(choice: WindowChoice | None) -> None:
            if choice is not None:
                self.set_window(choice)

        def preview(window: WindowExpr) -> str:
            span = self.client.window(window=window, zone=self.zone)
            start, end = (
                format_timestamp(moment, self.zone)[:16] for moment in (span.start, span.end)
            )
            return f"{start} → {end}"

        self.push_screen(WindowScreen(self.choice, preview), chosen)

    def set_window(self, choice: WindowChoice) -> None:
        """Show ``choice`` and fetch it."""
        self.choice = choice
        self.query_one(DashboardHeader).set_choice(choice)
        self.start_fetch()

    def action_show_tab_index(self, index: int) -> None:
        tabs = self._tab_ids()
        if 0 <= index < len(tabs):
            self.show_tab(tabs[index])

    def show_tab(self, tab_id: str) -> None:
        """Switch to ``tab_id`` (``tab-sent``, ``tab-overview`` …) and focus its table."""
        self.query_one(TabbedContent).active = tab_id
        view = self.active_view()
        if view is not None:
            view.table.focus()

    def show_variant(self, report_id: str, key: str) -> None:
        """Switch to the report tab ``report_id`` showing its variant ``key`` (``month`` …)."""
        self.show_tab(f"tab-{report_id}")
        self.view(report_id).set_variant(key)

    def _tab_ids(self) -> list[str]:
        return [tab_id for tab_id, _ in self.tabs]

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_help(self) -> None:
        rows = key_rows(self.BINDINGS, FrameView.BINDINGS, tabs=[title for _, title in self.tabs])
        self.push_screen(HelpScreen(rows))

    def action_export(self, suffix: str = ".csv") -> None:
        """Ask where to write the table on screen (as filtered and sorted) or the HTML report of
        the whole window, then write it."""
        dataset = self.dataset
        if dataset is None:
            self.notify("Nothing is loaded yet.", severity="warning", markup=False)
            return
        window = dataset.window
        span = f"{window.start:%Y%m%d}-{window.end:%Y%m%d}"
        incomplete = not dataset.complete
        view = self.active_view()
        table = view is not None and view.model is not None
        defaults: dict[str, Path] = {}
        if view is not None and table:
            name = "-".join(part for part in (view.spec.id, view.variant) if part)
            defaults["csv"] = self.export_dir / f"{name}-{span}.csv"
            defaults["parquet"] = self.export_dir / f"{name}-{span}.parquet"
        defaults["html"] = self.export_dir / f"report-{span}.html"
        if incomplete:
            defaults = {key: partial_path(path) for key, path in defaults.items()}
        selected = {".parquet": "parquet", ".html": "html"}.get(suffix, "csv")

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            if incomplete and ".partial" not in path.name:
                path = partial_path(path)
            if path.suffix.lower() == ".html":
                self._export_report(dataset, self._previous_figures, path)
                return
            frame = view.view_frame() if view is not None else None
            if frame is not None:
                self._export(frame, path)

        self.push_screen(
            ExportScreen(
                defaults,
                rows=len(view.rows) if view is not None and table else 0,
                what=view.spec.noun if view is not None else "rows",
                incomplete=incomplete,
                selected=selected,
            ),
            chosen,
        )

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, frame: pd.DataFrame, path: Path) -> None:
        try:
            export_frame(frame, path)
        except SmstoolsError as error:
            self.post_message(ExportFinished(path, len(frame), error.message))
            return
        self.post_message(ExportFinished(path, len(frame)))

    @work(thread=True, group="export", exit_on_error=False)
    def _export_report(self, dataset: Dataset, previous: WindowFigures | None, path: Path) -> None:
        # plotly is only needed here: importing it costs a second, so not at start-up.
        from ..report.html import build_report_data, render_report, write_report

        headline = previous.headline if previous is not None else None
        if headline is None and dataset.previous is not None:
            headline = analysis.headline_figures(dataset.previous.sent, dataset.previous.received)
        window = dataset.window
        title = (
            f"SMS report {format_timestamp(window.start, self.zone)[:10]} → "
            f"{format_timestamp(window.end, self.zone)[:10]}"
        )
        if not dataset.complete:
            title += f" (INCOMPLETE: {dataset.problem})"
        account = dataset.account
        source = account.display_name if account is not None else ""
        source = " · ".join(
            part for part in (source, "demo data" if dataset.is_demo else "") if part
        )
        try:
            data = build_report_data(
                dataset.sent, dataset.received, tz=self.zone, previous=headline, span=window
            )
            write_report(path, render_report(data, title=title, source=source))
        except SmstoolsError as error:
            self.post_message(ExportFinished(path, None, error.message))
            return
        self.post_message(ExportFinished(path, None))

    @on(ExportFinished)
    def _exported(self, message: ExportFinished) -> None:
        if message.error is not None:
            self.notify(
                visible(message.error, limit=400), title="Export failed", severity="error",
                markup=False,
            )  # fmt: skip
        elif message.rows is None:
            self.notify(f"Wrote the HTML report to {message.path}", title="Exported", markup=False)
        else:
            self.notify(
                f"Wrote {message.rows:,} rows to {message.path}", title="Exported", markup=False
            )

    @on(FrameView.RowChosen)
    def _row_chosen(self, message: FrameView.RowChosen) -> None:
        view = message.view
        dataset = self.dataset
        if view.model is None or dataset is None:
            return
        record = view.model.record(message.position)
        spec = self.specs.get(view.spec.id)
        kind: str | None = view.spec.id if view.spec.id in ("sent", "received") else None
        if spec is not None and spec.messages == "sent":
            # A report row that is a sent message: open the message itself, with its replies.
            same = (dataset.sent["id"] == record.get("id")).fillna(False).to_numpy(dtype=bool)
            found = dataset.sent[same]
            if not found.empty:
                row = found.iloc[0]
                record = {str(k): (None if _missing(v) else v) for k, v in row.items()}
                kind = "sent"
        replies = self.replies
        if kind == "sent":
            content = describe_message(
                record,
                kind="sent",
                zone=self.zone,
                replies=replies.replies_to(record.get("id")) if replies is not None else None,
                opted_out=replies.opted_out_before(record.get("id"))
                if replies is not None
                else None,
            )
            title = "Sent message"
        elif kind == "received":
            replied, match = (
                replies.answered(message.position) if replies is not None else (None, None)
            )
            content = describe_message(
                record, kind="received", zone=self.zone, replied=replied, match=match
            )
            title = "Received message"
        else:
            content = describe_row(record)
            title = view.spec.title
        self.push_screen(MessageDetail(content, title=title))

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

    async def action_quit(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        self.exit()

    def on_unmount(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        if self.close_client:
            self.client.close()


def _bind(function: Callable[..., None], *args: Any) -> Callable[[], None]:
    def call() -> None:
        function(*args)

    return call


def describe_row(record: dict[str, Any]) -> Any:
    """A report row as ``field  value`` lines, every value shown literally."""
    from textual.content import Content

    from .safe_text import visible

    width = max((len(name) for name in record), default=0) + 2
    lines = [
        Content.assemble(
            (f"{name:<{width}}", "bold $text-muted"), visible(value, keep_newlines=True)
        )
        for name, value in record.items()
    ]
    return Content("\n").join(lines)


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _explain(error: SmstoolsError) -> tuple[str, str]:
    """A title and what the user can do, per kind of error."""
    if isinstance(error, AuthenticationError):
        return "Credentials refused", "check SMSTOOLS_AUTH_KEY/SECRET, then press r"
    if isinstance(error, NetworkError):
        return "Gateway unreachable", "check the connection, then press r to retry"
    return "Fetch failed", "press r to retry"


def make_app(
    client: MessageSource | None = None,
    *,
    window: WindowChoice | WindowExpr | str | None = None,
    since: WindowExpr | str | datetime | None = None,
    until: WindowExpr | str | datetime | None = None,
    view: View | None = None,
    reports: Sequence[ReportSpec] | None = None,
    figures: Sequence[Figure] = DEFAULT_FIGURES,
    zone: tzinfo | None = None,
    compare_previous: bool = True,
    export_dir: Path | None = None,
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
        reports: the report tabs, after Overview, Sent and Received (see :class:`ReportSpec`;
            default: :func:`~smstools_tui.tui.views.default_reports` in ``zone``).
        figures: the overview's headline figures (see :class:`Figure`).
        zone: the time zone timestamps are shown in (default: the machine's).
        compare_previous: also load the previous window of the same length, for the overview's
            changes.
        export_dir: where exports are proposed (default: the working directory).
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
    )
