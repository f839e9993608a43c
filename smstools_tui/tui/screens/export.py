"""Exporting: the table on screen as CSV or Parquet, or the whole window as the HTML report."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

__all__ = ["FORMATS", "ExportScreen"]

FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", "CSV (spreadsheet-safe): the table on screen"),
    "parquet": (".parquet", "Parquet (lossless): the table on screen"),
    "html": (".html", "HTML report: the whole window, every analysis with charts"),
}
"""Format key → (suffix, what the dialog calls it)."""


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

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

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
        with Vertical(id="export-dialog") as dialog:
            dialog.border_title = "Export"
            dialog.border_subtitle = "Enter exports · Esc cancels"
            yield Label(self._note(), id="export-note", markup=False)
            with RadioSet(id="export-format"):
                for key in self.defaults:
                    yield RadioButton(FORMATS[key][1], value=key == self.format, id=f"format-{key}")
            yield Input(str(self.defaults[self.format]), id="export-path")
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
        self.query_one("#export-path", Input).focus()

    @on(RadioSet.Changed)
    def _format(self, event: RadioSet.Changed) -> None:
        chosen = (event.pressed.id or "").removeprefix("format-")
        if chosen not in self.defaults or chosen == self.format:
            return
        field = self.query_one("#export-path", Input)
        if Path(field.value) == self.defaults[self.format]:
            # Untouched: propose the new format's own name (a report is not a table).
            field.value = str(self.defaults[chosen])
        else:
            path = Path(field.value or self.defaults[chosen].name)
            known = {suffix for suffix, _ in FORMATS.values()}
            stem = path.name.removesuffix(path.suffix) if path.suffix in known else path.name
            field.value = str(path.with_name(stem + FORMATS[chosen][0]))
        self.format = chosen
        self.query_one("#export-note", Label).update(self._note())

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def _ok(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.query_one("#export-error", Static).update("type a file name")
            return
        path = Path(value).expanduser()
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
