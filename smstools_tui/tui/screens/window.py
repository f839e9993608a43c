"""Picking the date window: a preset, a saved view, or any window expression, checked as it is
typed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...config import View
from ...errors import SmstoolsError
from ...query import WindowExpr, parse_window
from ..views import WINDOW_PRESETS, WindowChoice

__all__ = ["WindowScreen", "view_summary"]

HINT = (
    "Or type any window: 7d, 24h, today, this-week, last-month, 2026-11, "
    "2026-11-01..2026-11-15, an ISO-8601 datetime (local time unless it has an offset)."
)


def view_summary(view: View) -> str:
    """What a saved view shows and over which window, for the lists that offer it.

    Example:
        >>> from smstools_tui.query import parse_window
        >>> view_summary(View("mine", kind="received", window=parse_window("24h")))
        'received messages, 24h'
        >>> view_summary(View("it", report="cost", group="country"))
        'cost report by country, the default window'
    """
    what = f"{view.kind} messages"
    if view.report is not None:
        what = f"{view.report} report" + (f" by {view.group}" if view.group else "")
    window = view.window.text if view.window is not None else "the default window"
    return f"{what}, {window}"


class WindowScreen(ModalScreen[WindowChoice | View | None]):
    """Returns the chosen :class:`WindowChoice` or saved :class:`~smstools_tui.config.View`, or
    ``None`` when dismissed.

    Args:
        current: the window shown now (its expression fills the field).
        preview: what a window expression means now, for people (``2026-10-01 00:00 →
            2026-11-01 00:00``); it raises the package's error for one that cannot be used.
            The dashboard asks its client, whose clock the window is read on.
        views: the saved views (of messages or of a report), listed after the presets.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        current: WindowChoice,
        preview: Callable[[WindowExpr], str],
        views: Sequence[View] = (),
    ) -> None:
        super().__init__()
        self.current = current
        self.preview = preview
        self.views = list(views)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="window-dialog") as dialog:
            dialog.border_title = "Date window"
            dialog.border_subtitle = "Enter picks · Esc cancels"
            yield OptionList(
                *[
                    Option(f"{choice.label}  ({choice.expression.text})", id=f"preset-{index}")
                    for index, choice in enumerate(WINDOW_PRESETS)
                ],
                *[
                    Option(f"view {view.name}  ({view_summary(view)})", id=f"view-{index}")
                    for index, view in enumerate(self.views)
                ],
                Option("type a window…", id="custom"),
                id="window-presets",
            )
            with Vertical(id="window-custom"):
                yield Static(HINT, id="window-hint", markup=False)
                with Horizontal():
                    yield Input(
                        value=self.current.expression.text,
                        placeholder="7d, last-month, 2026-11-01..",
                        id="window-expression",
                    )
                    yield Button("Apply", id="window-apply", variant="primary")
            yield Static("", id="window-preview", markup=False)
            yield Static("", id="window-error", markup=False)

    def on_mount(self) -> None:
        presets = self.query_one(OptionList)
        labels = [choice.label for choice in WINDOW_PRESETS]
        index = labels.index(self.current.label) if self.current.label in labels else len(labels)
        presets.highlighted = index
        presets.focus()
        self._check(self.current.expression.text)

    @on(OptionList.OptionSelected, "#window-presets")
    def _preset(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("preset-"):
            self.dismiss(WINDOW_PRESETS[int(option_id.removeprefix("preset-"))])
        elif option_id.startswith("view-"):
            self.dismiss(self.views[int(option_id.removeprefix("view-"))])
        else:
            self.query_one("#window-expression", Input).focus()

    @on(Input.Changed, "#window-expression")
    def _typed(self, event: Input.Changed) -> None:
        self._check(event.value)

    @on(Input.Submitted, "#window-expression")
    @on(Button.Pressed, "#window-apply")
    def _custom(self) -> None:
        expression = self._check(self.query_one("#window-expression", Input).value)
        if expression is not None:
            self.dismiss(WindowChoice(expression))

    def _check(self, text: str) -> WindowExpr | None:
        """The expression typed, with what it means now shown; ``None`` (and why) when it
        cannot be used."""
        preview = self.query_one("#window-preview", Static)
        error = self.query_one("#window-error", Static)
        try:
            expression = parse_window(text)
            meaning = self.preview(expression)
        except SmstoolsError as problem:
            preview.update("")
            error.update(problem.message)
            return None
        preview.update(meaning)
        error.update("")
        return expression

    def action_cancel(self) -> None:
        self.dismiss(None)
