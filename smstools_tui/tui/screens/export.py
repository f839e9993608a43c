"""Exporting the table on screen: where to, and as CSV or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

__all__ = ["ExportScreen"]

FORMATS = {"csv": ".csv", "parquet": ".parquet"}


class ExportScreen(ModalScreen[Path | None]):
    """Asks for a file name; returns the path (its suffix says the format) or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: Path, *, rows: int, what: str, incomplete: bool = False) -> None:
        super().__init__()
        self.default = default
        self.rows = rows
        self.what = what
        self.incomplete = incomplete

    def compose(self) -> ComposeResult:
        fmt = "parquet" if self.default.suffix == ".parquet" else "csv"
        with Vertical(id="export-dialog") as dialog:
            dialog.border_title = "Export the current view"
            dialog.border_subtitle = "Enter exports · Esc cancels"
            note = f"{self.rows:,} {self.what}, as filtered and sorted on screen"
            if self.incomplete:
                note += " (INCOMPLETE data: the file name says .partial)"
            yield Label(note)
            with RadioSet(id="export-format"):
                yield RadioButton("CSV (spreadsheet-safe)", value=fmt == "csv", id="format-csv")
                yield RadioButton("Parquet (lossless)", value=fmt == "parquet", id="format-parquet")
            yield Input(str(self.default), id="export-path")
            with Horizontal(id="export-buttons"):
                yield Button("Export", id="export-ok", variant="primary")
                yield Button("Cancel", id="export-cancel")
            yield Static("", id="export-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(RadioSet.Changed)
    def _format(self, event: RadioSet.Changed) -> None:
        suffix = FORMATS["parquet" if event.pressed.id == "format-parquet" else "csv"]
        field = self.query_one("#export-path", Input)
        path = Path(field.value or self.default.name)
        stem = path.name.removesuffix(path.suffix) if path.suffix in FORMATS.values() else path.name
        field.value = str(path.with_name(stem + suffix))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def _ok(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.query_one("#export-error", Static).update("type a file name")
            return
        path = Path(value).expanduser()
        if path.suffix.lower() not in FORMATS.values():
            self.query_one("#export-error", Static).update(
                "the file name must end in .csv or .parquet"
            )
            return
        self.dismiss(path)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
