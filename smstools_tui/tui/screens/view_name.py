"""Asking for the name of a saved view: typed, checked as it is typed, and confirmed again when
it would replace a view of that name."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..safe_text import visible

__all__ = ["VIEW_NAME", "ViewNameScreen", "name_problem"]

VIEW_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""A view's name: what ``--view NAME`` takes without quoting, and a bare TOML key."""


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a view (``None``: it can).

    Example:
        >>> name_problem("failed-last-week") is None
        True
        >>> name_problem("last week")
        'a view name is letters, digits, - and _ (at most 64): not "last week"'
    """
    if VIEW_NAME.fullmatch(name):
        return None
    return f'a view name is letters, digits, - and _ (at most 64): not "{visible(name, limit=40)}"'


class ViewNameScreen(ModalScreen[str | None]):
    """Returns the name typed (``None`` when dismissed). A name already in ``taken`` is
    returned only once the user presses Enter a second time on it.

    Args:
        what: what is saved, for people (the query's description).
        taken: the names of the views already saved.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, what: str, taken: Collection[str]) -> None:
        super().__init__()
        self.what = what
        self.taken = set(taken)
        self._confirming: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="view-dialog") as dialog:
            dialog.border_title = "Save as a view"
            dialog.border_subtitle = "Enter saves · Esc cancels"
            yield Static(visible(self.what, limit=300), id="view-what", markup=False)
            yield Input(placeholder="a name: failed-last-week", id="view-name")
            yield Static("", id="view-note", markup=False)

    def on_mount(self) -> None:
        self.query_one("#view-name", Input).focus()

    @on(Input.Changed, "#view-name")
    def _typed(self, event: Input.Changed) -> None:
        self._confirming = None
        name = event.value.strip()
        note = self.query_one("#view-note", Static)
        if not name:
            note.update("")
        elif (problem := name_problem(name)) is not None:
            note.update(problem)
        elif name in self.taken:
            note.update(f"A view {name} exists: Enter asks to replace it.")
        else:
            note.update("")

    @on(Input.Submitted, "#view-name")
    def _submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        note = self.query_one("#view-note", Static)
        problem = name_problem(name)
        if problem is not None:
            note.update(problem)
            return
        if name in self.taken and self._confirming != name:
            self._confirming = name
            note.update(f"Replace the view {name}? Enter again replaces it, Esc keeps it.")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
