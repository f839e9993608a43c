"""The chips above a drill-down: each part of its query, removable with the mouse or a key.

A chip is a small button saying what it keeps (``campaign promo ×``); clicking it, or Delete,
Backspace or ``x`` while it has focus, posts :class:`ChipBar.Removed`, and the app shows the
query without it. The labels are the query's values (campaign names, numbers): shown as text,
never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup
from textual.content import Content
from textual.message import Message
from textual.widgets import Button

from ..drilling import Chip
from ..safe_text import visible

__all__ = ["ChipBar", "ChipButton"]


class ChipButton(Button):
    """One chip: the button removes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace,x", "remove", "Remove", tooltip="Remove this part of the query"),
        Binding("left", "app.focus_previous", show=False),
        Binding("right", "app.focus_next", show=False),
    ]

    def __init__(self, chip: Chip) -> None:
        super().__init__(
            Content(f"{visible(chip.label, limit=60)} ×"), compact=True, classes="chip"
        )
        self.chip = chip
        # A chip names values from the data: its tooltip is text, never markup.
        self.tooltip = Content(f"Remove {visible(chip.label, limit=200)} (click, Delete or x)")

    def action_remove(self) -> None:
        self.press()


class ChipBar(HorizontalGroup):
    """The chips of one drill-down, in a row."""

    class Removed(Message):
        """The user removed ``chip``."""

        def __init__(self, bar: ChipBar, chip: Chip) -> None:
            super().__init__()
            self.bar = bar
            self.chip = chip

        @property
        def control(self) -> ChipBar:
            return self.bar

    def show(self, chips: Sequence[Chip]) -> None:
        """Show ``chips`` instead of those shown; the focus stays on the row when it was in it."""
        had_focus = any(button.has_focus for button in self.query(ChipButton))
        self.remove_children()
        self.mount_all([ChipButton(chip) for chip in chips])
        if had_focus and chips:
            self.call_after_refresh(self.focus_first)

    def focus_first(self) -> None:
        """Put the focus on the first chip (the keyboard's way into the row)."""
        buttons = self.query(ChipButton)
        if buttons:
            buttons.first().focus()

    @on(Button.Pressed, ".chip")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if isinstance(event.button, ChipButton):
            self.post_message(self.Removed(self, event.button.chip))
