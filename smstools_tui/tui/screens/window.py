"""Picking the date window: a preset, or custom bounds typed as on the command line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...errors import SmstoolsError
from ..views import WINDOW_PRESETS, WindowChoice

__all__ = ["WindowScreen"]


class WindowScreen(ModalScreen[WindowChoice | None]):
    """Returns the chosen :class:`WindowChoice`, or ``None`` when dismissed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: WindowChoice, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.current = current
        self.now = now

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="window-dialog") as dialog:
            dialog.border_title = "Date window"
            dialog.border_subtitle = "Enter picks · Esc cancels"
            yield OptionList(
                *[
                    Option(choice.label, id=f"preset-{index}")
                    for index, choice in enumerate(WINDOW_PRESETS)
                ],
                Option("custom…", id="custom"),
                id="window-presets",
            )
            with Vertical(id="window-custom"):
                yield Label("From (YYYY-MM-DD or ISO-8601) and until (that day included):")
                with Horizontal():
                    yield Input(
                        value=_text(self.current.since), placeholder="since", id="window-since"
                    )
                    yield Input(
                        value=_text(self.current.until), placeholder="until (default now)",
                        id="window-until",
                    )  # fmt: skip
                    yield Button("Apply", id="window-apply", variant="primary")
            yield Static("", id="window-error", markup=False)

    def on_mount(self) -> None:
        presets = self.query_one(OptionList)
        labels = [choice.label for choice in WINDOW_PRESETS]
        index = labels.index(self.current.label) if self.current.label in labels else len(labels)
        presets.highlighted = index
        presets.focus()

    @on(OptionList.OptionSelected, "#window-presets")
    def _preset(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("preset-"):
            self.dismiss(WINDOW_PRESETS[int(option_id.removeprefix("preset-"))])
        else:
            self.query_one("#window-since", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#window-apply")
    def _custom(self) -> None:
        since = self.query_one("#window-since", Input).value.strip() or None
        until = self.query_one("#window-until", Input).value.strip() or None
        if since is None and until is None:
            self._error("type a start date, an end date or both")
            return
        choice = WindowChoice.custom(since, until)
        try:
            choice.resolve(self.now())
        except SmstoolsError as error:
            self._error(error.message)
            return
        self.dismiss(choice)

    def _error(self, message: str) -> None:
        self.query_one("#window-error", Static).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
