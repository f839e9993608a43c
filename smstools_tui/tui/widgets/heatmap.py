"""The send-times heatmap: one cell per weekday and hour of sending, shaded by a figure.

It shows the frame of the ``send-times`` report (:func:`~smstools_tui.analysis.send_time_heatmap`,
one row per weekday and hour with messages) as 7 rows of 24 cells, each shaded by the quarter of
the hours its figure falls in: messages, delivery rate, median latency or reply rate (``m``
moves to the next). The arrows choose a cell, whose figures are written under
the grid; Enter (or a click) opens its messages. An hour with no message is a dot. Every label is
text the dashboard made: nothing from a message reaches it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from ...dates import WEEKDAYS
from ...report.figures import format_figure
from .charts import CHOSEN_STYLE

__all__ = ["HEATMAP_METRICS", "Heatmap", "quartiles", "shade"]

HEATMAP_METRICS: tuple[tuple[str, str, str], ...] = (
    ("messages", "messages", "count"),
    ("delivery_rate", "delivery rate", "percent"),
    ("median_delivery_seconds", "median latency", "duration"),
    ("reply_rate", "reply rate", "percent"),
)
"""``(column, label, format)`` of each figure the heatmap shades by, in the order ``m`` picks."""

SHADES = "░▒▓█"
"""The quarters of the hours, from the lowest values to the highest (an empty hour is
:data:`EMPTY`)."""
EMPTY = "·"
HOURS = 24
CELL = 3
"""Columns per hour: two of shade and a gap."""
LABEL = 5
"""Columns of the weekday labels on the left."""


def quartiles(values: list[float]) -> list[float]:
    """The upper bounds of the four shades: the quartiles of ``values`` and their maximum.
    Shading by rank, not by value, keeps one busy campaign hour from washing out the rest.

    Example:
        >>> quartiles([1, 2, 3, 4, 5, 6, 7, 100])
        [2.75, 4.5, 6.25, 100.0]
    """
    return [float(bound) for bound in np.quantile(values, [0.25, 0.5, 0.75, 1.0])]


def shade(value: float, bounds: list[float]) -> str:
    """The shade of ``value``: the first of :data:`SHADES` whose bound (see :func:`quartiles`)
    it does not pass; :data:`EMPTY` for no value.

    Example:
        >>> bounds = quartiles([1, 2, 3, 4, 5, 6, 7, 100])
        >>> [shade(v, bounds) for v in (1, 4, 6, 100, float("nan"))]
        ['░', '▒', '▓', '█', '·']
    """
    if not math.isfinite(value):
        return EMPTY
    for char, bound in zip(SHADES, bounds, strict=False):
        if value <= bound:
            return char
    return SHADES[-1]


class Heatmap(Widget, can_focus=True):
    """Weekday × hour cells of the send-times report; Enter on a cell posts :class:`CellChosen`
    with the report's row of that cell."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Messages", tooltip="Show the messages of the hour chosen"),
        Binding("m", "next_metric", "Figure", tooltip="Shade by the next figure"),
        Binding("left", "move(0, -1)", "Previous hour", show=False),
        Binding("right", "move(0, 1)", "Next hour", show=False),
        Binding("up", "move(-1, 0)", "Previous day", show=False),
        Binding("down", "move(1, 0)", "Next day", show=False),
    ]

    class CellChosen(Message):
        """The user opened the cell of ``row`` (the report's row: weekday, hour, figures)."""

        def __init__(self, heatmap: Heatmap, row: Mapping[str, Any]) -> None:
            super().__init__()
            self.heatmap = heatmap
            self.row = row

        @property
        def control(self) -> Heatmap:
            return self.heatmap

    DEFAULT_CSS = """
    Heatmap {
        height: 13;
        width: 1fr;
        padding: 0 1;
    }
    """

    CELL_STYLE = "$primary"
    MUTED = "$text-muted"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.cells: dict[tuple[int, int], dict[str, Any]] = {}
        """The report's rows by ``(weekday index, hour)``; ``None`` shown: not computed yet."""
        self.computed = False
        self.metric = 0
        """The index in :data:`HEATMAP_METRICS` of the figure shading the cells."""
        self.chosen = (0, 9)
        """``(weekday index, hour)`` of the cell chosen from the keyboard."""

    def show(self, frame: pd.DataFrame | None) -> None:
        """Draw the send-times report ``frame`` (``None``: blank, while it is being computed)."""
        self.computed = frame is not None
        self.cells = {}
        if frame is not None:
            for row in frame.to_dict("records"):
                self.cells[(WEEKDAYS.index(str(row["weekday"])), int(row["hour"]))] = row
        self.refresh()

    @property
    def metric_label(self) -> str:
        return HEATMAP_METRICS[self.metric][1]

    def render(self) -> Content:
        if not self.computed:
            return Content.styled("computing…", self.MUTED)
        column, label, kind = HEATMAP_METRICS[self.metric]
        values = [_number(row.get(column)) for row in self.cells.values()]
        values = [value for value in values if math.isfinite(value)]
        bounds = quartiles(values) if values else []
        scale = "".join(
            f" {char} ≤ {format_figure(bound, kind)}"
            for char, bound in zip(SHADES, bounds, strict=False)
        )
        lines = [
            Content.assemble(
                ("Shaded by ", self.MUTED),
                (label, "bold"),
                (f" (m: next figure) by hour of sending:{scale}", self.MUTED),
            ),
            Content.styled(
                " " * LABEL + "".join(f"{hour:02d}".ljust(CELL) for hour in range(HOURS)),
                self.MUTED,
            ),
        ]
        for day, weekday in enumerate(WEEKDAYS):
            parts: list[Content | tuple[str, str] | str] = [(weekday.ljust(LABEL), self.MUTED)]
            for hour in range(HOURS):
                row = self.cells.get((day, hour))
                char = shade(_number(row.get(column)) if row else math.nan, bounds)
                style = self.MUTED if char == EMPTY else self.CELL_STYLE
                if self.has_focus and (day, hour) == self.chosen:
                    style = CHOSEN_STYLE
                    char = "▣" if char == EMPTY else char
                parts.append((char * (CELL - 1), style))
                parts.append(" ")
            lines.append(Content.assemble(*parts))
        lines.append(Content(""))
        lines.append(self._chosen_line())
        return Content("\n").join(lines)

    def _chosen_line(self) -> Content:
        day, hour = self.chosen
        when = f"{WEEKDAYS[day]} {hour:02d}:00–{(hour + 1) % HOURS:02d}:00"
        row = self.cells.get(self.chosen)
        if row is None:
            return Content.styled(f"{when}: no message", self.MUTED)
        figures = ", ".join(
            f"{name} {format_figure(_number(row.get(column)), kind)}"
            for column, name, kind in HEATMAP_METRICS
        )
        return Content.assemble((when, "bold"), f": {figures}", (" (Enter: messages)", self.MUTED))

    def action_move(self, days: int, hours: int) -> None:
        """Choose the cell ``days`` rows and ``hours`` columns away (wrapping around)."""
        day, hour = self.chosen
        self.chosen = ((day + days) % len(WEEKDAYS), (hour + hours) % HOURS)
        self.refresh()

    def action_next_metric(self) -> None:
        """Shade by the next figure of :data:`HEATMAP_METRICS`."""
        self.metric = (self.metric + 1) % len(HEATMAP_METRICS)
        self.refresh()

    def action_choose(self) -> None:
        """Open the messages of the cell chosen."""
        row = self.cells.get(self.chosen)
        if row is not None:
            self.post_message(self.CellChosen(self, row))
        else:
            self.notify("No message was sent in this hour.", severity="warning", markup=False)

    def cell_at(self, x: int, y: int) -> tuple[int, int] | None:
        """The ``(weekday index, hour)`` drawn at ``(x, y)`` of the widget's content."""
        day, hour = y - 2, (x - LABEL) // CELL
        if 0 <= day < len(WEEKDAYS) and x >= LABEL and 0 <= hour < HOURS:
            return day, hour
        return None

    def on_click(self, event: events.Click) -> None:
        cell = self.cell_at(event.x - 1, event.y)  # the padding's column
        if cell is not None:
            self.chosen = cell
            self.refresh()
            self.action_choose()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _number(value: Any) -> float:
    return math.nan if value is None or pd.isna(value) else float(value)
