"""Exporting: the table on screen as CSV or Parquet, or the whole window as the HTML report.

The dialog works from the keyboard the way its border says: it opens on the format choice, where
``c``, ``p`` and ``h`` pick a format and the arrows move between them (the arrows also work from
the path field and the buttons); Enter exports from anywhere but the Cancel button; Esc cancels.
The path's suffix follows the chosen format, and a typed suffix chooses the format. Tab reaches the
path with the cursor at its end and nothing selected, so typing adds to it.

:func:`open_export` is the whole flow the app's ``e`` starts: the names it proposes, the
``.partial`` rule for incomplete data, the writing in a worker thread and the notification of
how it went.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from ... import analysis
from ...errors import SmstoolsError
from ...query import Query, Span
from ...report.export import export_frame, partial_path
from ..model import format_timestamp
from ..safe_text import visible
from ..summary import WindowFigures
from ..views import Dataset
from ..widgets.frame_view import FrameView

__all__ = [
    "FORMATS",
    "ExportScreen",
    "FormatChoice",
    "default_paths",
    "follow_format",
    "marked_partial",
    "open_export",
]

FORMATS: dict[str, tuple[str, str, str]] = {
    "csv": (".csv", "c", "CSV (spreadsheet-safe): the table on screen"),
    "parquet": (".parquet", "p", "Parquet (lossless): the table on screen"),
    "html": (".html", "h", "HTML report: the whole window, with charts"),
}
"""Format key → (suffix, the key that picks it, what the dialog calls it)."""

_SUFFIXES = {suffix: key for key, (suffix, _, _) in FORMATS.items()}


def follow_format(path: Path, suffix: str) -> Path:
    """``path`` with the suffix of the chosen format: a format's own suffix is replaced, any
    other ending is kept and the suffix added.

    Example:
        >>> follow_format(Path("out/sent.partial.csv"), ".parquet").as_posix()
        'out/sent.partial.parquet'
        >>> follow_format(Path("notes.v2"), ".csv").name
        'notes.v2.csv'
    """
    if path.suffix.lower() in _SUFFIXES:
        return path.with_suffix(suffix)
    return path.with_name(path.name + suffix)


class FormatChoice(RadioSet, inherit_bindings=False):
    """A radio set where moving is choosing: the arrows press the next or previous format at
    once (no Space needed), and Enter is left to the dialog, which exports."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "step(1)", "Next format", show=False),
        Binding("up,left", "step(-1)", "Previous format", show=False),
    ]

    def action_step(self, step: int) -> None:
        buttons = list(self.query(RadioButton))
        if not buttons:
            return
        at = self.pressed_index if self.pressed_index >= 0 else 0
        buttons[min(max(at + step, 0), len(buttons) - 1)].value = True


class ExportScreen(ModalScreen[Path | None]):
    """Asks for a file name; returns the path (its suffix says the format) or ``None``.

    Args:
        defaults: the proposed path per format key of :data:`FORMATS` (only those formats are
            offered); the first one is selected, unless ``selected`` says otherwise.
        rows: rows of the table on screen (for CSV and Parquet).
        what: what a row is (``messages``).
        incomplete: the data is only part of the window (the names say ``.partial``).
        selected: the format selected first.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "export", "Export", show=False),
        # Reached only where the focused widget has no use for the key: the arrows and letters
        # move the cursor or type in the path field.
        Binding("down", "step_format(1)", "Next format", show=False),
        Binding("up", "step_format(-1)", "Previous format", show=False),
        *[
            Binding(letter, f"choose_format('{key}')", f"Export as {key}", show=False)
            for key, (_, letter, _) in FORMATS.items()
        ],
    ]

    def __init__(
        self,
        defaults: Mapping[str, Path],
        *,
        rows: int = 0,
        what: str = "rows",
        incomplete: bool = False,
        selected: str | None = None,
    ) -> None:
        super().__init__()
        self.defaults = {key: path for key, path in defaults.items() if key in FORMATS}
        if not self.defaults:
            raise ValueError("no export format to offer")
        self.format = selected if selected in self.defaults else next(iter(self.defaults))
        self.rows = rows
        self.what = what
        self.incomplete = incomplete

    def compose(self) -> ComposeResult:
        letters = " ".join(FORMATS[key][1] for key in self.defaults)
        with VerticalScroll(id="export-dialog") as dialog:
            dialog.border_title = "Export"
            dialog.border_subtitle = f"{letters} or ↑↓ format · Enter exports · Esc cancels"
            yield Label(self._note(), id="export-note", markup=False)
            with FormatChoice(id="export-format"):
                for key in self.defaults:
                    _, letter, label = FORMATS[key]
                    yield RadioButton(
                        Content.assemble((letter, "bold underline"), f"  {label}"),
                        value=key == self.format,
                        id=f"format-{key}",
                    )
            yield Input(
                str(self.defaults[self.format]),
                id="export-path",
                select_on_focus=False,
            )
            with Horizontal(id="export-buttons"):
                yield Button("Export", id="export-ok", variant="primary")
                yield Button("Cancel", id="export-cancel")
            yield Static("", id="export-error", markup=False)

    def _note(self) -> str:
        if self.format == "html":
            note = (
                "The report of the whole loaded window (every message, not only the rows on "
                "screen): figures, delivery, spend, latency, campaigns, replies, failing "
                "numbers, opt-outs and the compliance list."
            )
        else:
            note = f"{self.rows:,} {self.what}, as filtered and sorted on screen."
        if self.incomplete:
            note += " INCOMPLETE data: the file name says .partial."
        return note

    def on_mount(self) -> None:
        self.query_one(FormatChoice).focus()

    @property
    def path_field(self) -> Input:
        return self.query_one("#export-path", Input)

    # -- the format -----------------------------------------------------------------------------

    def action_choose_format(self, key: str) -> None:
        """Choose ``key`` (``csv``, ``parquet``, ``html``), as a click on it would."""
        if key in self.defaults:
            self.query_one(f"#format-{key}", RadioButton).value = True

    def action_step_format(self, step: int) -> None:
        self.query_one(FormatChoice).action_step(step)

    @on(RadioSet.Changed)
    def _format_chosen(self, event: RadioSet.Changed) -> None:
        chosen = (event.pressed.id or "").removeprefix("format-")
        if chosen not in self.defaults or chosen == self.format:
            return
        field = self.path_field
        typed = Path(field.value.strip())
        suffix = FORMATS[chosen][0]
        if typed == self.defaults[self.format]:
            # Untouched: propose the new format's own name (a report is not a table).
            field.value = str(self.defaults[chosen])
        elif typed.suffix.lower() != suffix:
            base = typed if field.value.strip() else Path(self.defaults[chosen].name)
            field.value = str(follow_format(base, suffix))
        field.cursor_position = len(field.value)
        self.format = chosen
        self.query_one("#export-note", Label).update(self._note())
        self.query_one("#export-error", Static).update("")

    @on(Input.Changed, "#export-path")
    def _path_typed(self, event: Input.Changed) -> None:
        # A suffix typed by hand says the format: the choice follows it, the text stays.
        chosen = _SUFFIXES.get(Path(event.value.strip()).suffix.lower())
        if chosen is not None and chosen != self.format:
            self.action_choose_format(chosen)

    # -- the answer ---------------------------------------------------------------------------

    def action_export(self) -> None:
        """Export, unless the Cancel button has the focus (then Enter cancels)."""
        focused = self.focused
        if focused is not None and focused.id == "export-cancel":
            self.action_cancel()
            return
        self._ok()

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def _ok(self) -> None:
        value = self.path_field.value.strip()
        if not value:
            self.query_one("#export-error", Static).update("type a file name")
            return
        path = Path(value).expanduser()
        suffix = FORMATS[self.format][0]
        if not path.suffix:
            path = path.with_name(path.name + suffix)
        suffixes = [FORMATS[key][0] for key in self.defaults]
        if path.suffix.lower() not in suffixes:
            self.query_one("#export-error", Static).update(
                f"the file name must end in {' or '.join(suffixes)}"
            )
            return
        self.dismiss(path)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the flow -------------------------------------------------------------------------------------


def window_label(window: Span) -> str:
    """The window in a file name: ``20261101-20261201``."""
    return f"{window.start:%Y%m%d}-{window.end:%Y%m%d}"


def default_paths(
    folder: Path,
    window: Span,
    *,
    table: str | None,
    drill: Query | None = None,
    zone: tzinfo | None = None,
    incomplete: bool = False,
) -> dict[str, Path]:
    """The file proposed per format: the table named ``table`` (``None``: no table on screen)
    as CSV and Parquet, the window's HTML report; ``.partial`` when the data is incomplete.
    A table showing the drill-down ``drill`` is named after it, as the command line names its
    export: its kind, its span's dates in ``zone`` and a slug of its filters.

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC),
        ...                     datetime(2026, 12, 1, tzinfo=UTC))
        >>> paths = default_paths(Path("out"), window, table="costs-country", incomplete=True)
        >>> {key: path.as_posix() for key, path in paths.items()}  # doctest: +NORMALIZE_WHITESPACE
        {'csv': 'out/costs-country-20261101-20261201.partial.csv',
         'parquet': 'out/costs-country-20261101-20261201.partial.parquet',
         'html': 'out/report-20261101-20261201.partial.html'}
        >>> week = Span(datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC))
        >>> drill = Query("sent", week).with_filters(campaign="saldi")
        >>> default_paths(Path("out"), window, table="sent", drill=drill, zone=UTC)["csv"].name
        'sent_2026-11-02_2026-11-09_campaign-saldi.csv'
    """
    span = window_label(window)
    paths: dict[str, Path] = {}
    if table is not None and drill is not None:
        for key, suffix in (("csv", ".csv"), ("parquet", ".parquet")):
            paths[key] = folder / drill.file_name(suffix, zone, with_chips=True)
    elif table is not None:
        paths["csv"] = folder / f"{table}-{span}.csv"
        paths["parquet"] = folder / f"{table}-{span}.parquet"
    paths["html"] = folder / f"report-{span}.html"
    return {key: marked_partial(path, incomplete) for key, path in paths.items()}


def marked_partial(path: Path, incomplete: bool) -> Path:
    """The file for ``path``: one of incomplete data says ``.partial`` in its name, whatever
    name was typed.

    Example:
        >>> [marked_partial(Path("sent.csv"), incomplete).name for incomplete in (True, False)]
        ['sent.partial.csv', 'sent.csv']
        >>> marked_partial(Path("mine.partial.csv"), True).name
        'mine.partial.csv'
    """
    if incomplete and ".partial" not in path.name:
        return partial_path(path)
    return path


def open_export(
    app: App[Any],
    dataset: Dataset | None,
    view: FrameView | None,
    *,
    folder: Path,
    zone: tzinfo | None,
    previous: WindowFigures | None = None,
    suffix: str = ".csv",
) -> None:
    """Ask where to write the table of ``view`` (as filtered and sorted) or the HTML report of
    ``dataset``'s window, then write it in a worker thread and notify how it went.

    Args:
        app: the app that shows the dialog and runs the worker.
        dataset: the data on screen (``None``: nothing to export, and the user is told).
        view: the table in use, if any.
        folder: where the files are proposed.
        zone: the zone of the report's times.
        previous: the previous window's figures, for the report's changes.
        suffix: the format selected first (``.csv``, ``.parquet``, ``.html``).
    """
    if dataset is None:
        app.notify("Nothing is loaded yet.", severity="warning", markup=False)
        return
    incomplete = not dataset.complete
    table = view if view is not None and view.model is not None else None
    name = None
    if table is not None:
        name = table.export_name

    def chosen(path: Path | None) -> None:
        if path is None:
            return
        path = marked_partial(path, incomplete)
        if path.suffix.lower() == ".html":
            write = partial(_write_report, app, dataset, previous, path, zone)
        else:
            frame = view.view_frame() if view is not None else None
            if frame is None:
                return
            write = partial(_write_table, app, frame, path)
        app.run_worker(write, group="export", thread=True, exit_on_error=False)

    app.push_screen(
        ExportScreen(
            default_paths(
                folder,
                dataset.window,
                table=name,
                drill=table.drill if table is not None else None,
                zone=zone,
                incomplete=incomplete,
            ),
            rows=len(table.rows) if table is not None else 0,
            what=view.spec.noun if view is not None else "rows",
            incomplete=incomplete,
            selected=_SUFFIXES.get(suffix, "csv"),
        ),
        chosen,
    )


def _failed(app: App[Any], error: SmstoolsError) -> None:
    app.notify(
        visible(error.message, limit=400), title="Export failed", severity="error", markup=False
    )


def _write_table(app: App[Any], frame: pd.DataFrame, path: Path) -> None:
    try:
        export_frame(frame, path)
    except SmstoolsError as error:
        _failed(app, error)
        return
    app.notify(f"Wrote {len(frame):,} rows to {path}", title="Exported", markup=False)


def _write_report(
    app: App[Any],
    dataset: Dataset,
    previous: WindowFigures | None,
    path: Path,
    zone: tzinfo | None,
) -> None:
    # plotly is only needed here: importing it costs a second, so not at start-up.
    from ...report.html import build_report_data, render_report, write_report

    # The dashboard's own compliance rules (the config file's), as its tabs use them.
    rules = analysis.ComplianceRules.of(getattr(app, "compliance", None))
    headline = previous.headline if previous is not None else None
    if headline is None and dataset.previous is not None:
        headline = analysis.headline_figures(
            dataset.previous.sent, dataset.previous.received, keywords=rules
        )
    window = dataset.window
    title = (
        f"SMS report {format_timestamp(window.start, zone)[:10]} → "
        f"{format_timestamp(window.end, zone)[:10]}"
    )
    if not dataset.complete:
        title += f" (INCOMPLETE: {dataset.problem})"
    account = dataset.account
    source = account.display_name if account is not None else ""
    source = " · ".join(part for part in (source, "demo data" if dataset.is_demo else "") if part)
    try:
        data = build_report_data(
            dataset.sent, dataset.received, tz=zone, previous=headline, span=window, keywords=rules
        )
        write_report(path, render_report(data, title=title, source=source))
    except SmstoolsError as error:
        _failed(app, error)
        return
    app.notify(f"Wrote the HTML report to {path}", title="Exported", markup=False)
