"""Terminal charts for the overview: bars over time and a one-line status breakdown.

Drawn with block characters (eighths of a cell, so a 7-row chart has 56 levels) and the theme's
colour variables, so they read in the light and the dark theme and repeat exactly in snapshots.
Every label is text the dashboard made (dates, numbers); nothing from a message reaches a chart.

Bars of a partial bucket (a day or week the window covers only in part) are drawn dim. An axis
that does not start at zero says so: its foot is the break mark ``≈``, not a corner.

Both take the focus: left and right choose a bar (a status), drawn in the accent colour while
the chart has the focus, and Enter opens its messages, as a click does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.widget import Widget

from ..model import STATUS_STYLES

__all__ = [
    "AXIS_BREAK",
    "BarChart",
    "ChartSeries",
    "StatusStrip",
    "nice_ceiling",
    "step",
    "wrap_entries",
]

BLOCKS = " ▁▂▃▄▅▆▇█"
"""A cell filled from the bottom by 0 to 8 eighths."""
AXIS_BREAK = "≈"
"""The foot of a value axis that starts above zero, where a full one has its corner."""


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above ``value``: an axis top people read.

    Example:
        >>> [nice_ceiling(v) for v in (0.7, 3, 23, 260, 1001)]
        [1.0, 5.0, 25.0, 500.0, 2000.0]
    """
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power * (1 + 1e-9):
            return float(step * power)
    return float(10 * power)


@dataclass(frozen=True)
class ChartSeries:
    """What a :class:`BarChart` draws.

    Attributes:
        labels: one per bar, in order (shown under some of the bars).
        values: the bars' heights; NaN is a gap, drawn as a dot on the axis.
        top: per bar, the part of its value drawn at the top in the alert colour (wasted
            spend on top of spend); ``None`` for plain bars.
        partial: per bar, whether it is drawn dim: a bucket the window covers only in part.
        low, high: the axis range (``high`` ``None``: a round number above the largest value);
            a ``low`` above zero is shown by the axis break mark.
        fmt: how an axis value is written.
        legend: the entries of the legend above the bars; they wrap onto more lines where the
            chart is narrow, an entry never split unless it is wider than the chart.
        empty: what is shown instead when no bar has a value.
    """

    labels: Sequence[str]
    values: Sequence[float]
    fmt: Callable[[float], str]
    top: Sequence[float] | None = None
    partial: Sequence[bool] | None = None
    low: float = 0.0
    high: float | None = None
    legend: Sequence[Content] = ()
    empty: str = "nothing to show"


CHOSEN_STYLE = "bold $accent"
"""The bar or status chosen from the keyboard, while its chart has the focus."""

CHOOSING: list[BindingType] = [
    Binding("enter", "choose", "Messages", tooltip="Show the messages of the bar chosen"),
    Binding("left", "move(-1)", "Previous bar", show=False),
    Binding("right", "move(1)", "Next bar", show=False),
    Binding("home", "move(-1_000_000)", "First bar", show=False),
    Binding("end", "move(1_000_000)", "Last bar", show=False),
]
"""Left and right choose a bar, Home and End the first and the last; Enter opens it."""


def step(choices: Sequence[int], chosen: int | None, by: int) -> int | None:
    """The choice ``by`` places from ``chosen`` among ``choices``, held at either end; from
    none, the last (the most recent bucket) when moving left, the first when moving right.

    Example:
        >>> step([3, 4, 5], 4, -1), step([3, 4, 5], 5, 1), step([3, 4, 5], None, -1)
        (3, 5, 5)
        >>> step([], None, 1) is None
        True
    """
    if not choices:
        return None
    if chosen not in choices:
        return choices[-1] if by < 0 else choices[0]
    place = min(max(choices.index(chosen) + by, 0), len(choices) - 1)
    return choices[place]


class BarChart(Widget, can_focus=True):
    """Vertical bars with a labelled value axis and time labels underneath; a click on a bar,
    or Enter on the bar chosen with left and right, posts :class:`BarChosen` with its index in
    the series."""

    BINDINGS: ClassVar[list[BindingType]] = CHOOSING

    class BarChosen(Message):
        """The user clicked the bar ``index`` of the series shown."""

        def __init__(self, chart: BarChart, index: int) -> None:
            super().__init__()
            self.chart = chart
            self.index = index

        @property
        def control(self) -> BarChart:
            return self.chart

    DEFAULT_CSS = """
    BarChart {
        height: 1fr;
        width: 1fr;
    }
    """

    BAR_STYLE = "$primary"
    TOP_STYLE = "$error"
    AXIS_STYLE = "$text-muted"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.series: ChartSeries | None = None
        self.bar_style = self.BAR_STYLE
        self._bars: list[tuple[int, int, int]] = []
        """``(first column, last column, index in the series)`` of each bar drawn."""
        self.chosen: int | None = None
        """The index in the series of the bar chosen from the keyboard, if any."""

    def show(self, series: ChartSeries | None, *, bar_style: str | None = None) -> None:
        """Draw ``series`` (``None``: blank, while it is being computed)."""
        self.series = series
        if series is None or (self.chosen is not None and self.chosen >= len(series.values)):
            self.chosen = None
        if bar_style is not None:
            self.bar_style = bar_style
        self.refresh()

    def render(self) -> Content:
        series = self.series
        width, height = self.size.width, self.size.height
        self._bars = []
        if series is None:
            return Content.styled("computing…", self.AXIS_STYLE)
        values = [float(value) for value in series.values]
        legend = wrap_entries(series.legend, width)
        if not any(math.isfinite(value) for value in values):
            return Content("\n").join(
                [*legend, Content(""), Content.styled(series.empty, self.AXIS_STYLE)]
            )
        rows = max(height - len(legend) - 2, 1)  # the axis line and the labels take a row each
        high = series.high
        if high is None:
            high = nice_ceiling(max(value for value in values if math.isfinite(value)))
        low = series.low
        ticks = {0: high, rows // 2: (high + low) / 2, rows - 1: low} if rows >= 3 else {0: high}
        axis_width = max(len(series.fmt(value)) for value in ticks.values())
        plot = max(width - axis_width - 2, 1)
        labels = list(series.labels)
        tops = list(series.top) if series.top is not None else [0.0] * len(values)
        partial = list(series.partial) if series.partial is not None else [False] * len(values)
        if len(values) > plot:
            # Too many buckets for the width: the most recent ones are the ones people check.
            values, labels = values[-plot:], labels[-plot:]
            tops, partial = tops[-plot:], partial[-plot:]
        starts, widths, gap = _columns(len(values), plot)
        skipped = len(series.values) - len(values)
        self._bars = [
            (axis_width + 2 + start, axis_width + 2 + start + size - 1, skipped + index)
            for index, (start, size) in enumerate(zip(starts, widths, strict=True))
        ]
        scale = rows * 8 / (high - low) if high > low else 0.0

        def eighths(value: float) -> int:
            if not math.isfinite(value) or value <= low:
                return 0
            # A value above the axis's foot always shows, if only as an eighth.
            return min(max(round((value - low) * scale), 1), rows * 8)

        heights = [eighths(value) for value in values]
        lower = [
            eighths(value - top) if top > 0 else height_
            for value, top, height_ in zip(values, tops, heights, strict=True)
        ]
        chosen = self.chosen - skipped if self.has_focus and self.chosen is not None else None
        lines: list[Content] = list(legend)
        for row in range(rows):
            level = (rows - 1 - row) * 8  # eighths below this row
            tick = ticks.get(row)
            prefix = (
                f"{series.fmt(tick):>{axis_width}} ┤"
                if tick is not None
                else " " * axis_width + " │"
            )
            parts: list[Content | str | tuple[str, str]] = [(prefix, self.AXIS_STYLE)]
            for index, value in enumerate(values):
                char, style = self._cell(heights[index] - level, lower[index] - level)
                if style and partial[index]:
                    style = f"{style} dim"
                if not math.isfinite(value) and row == rows - 1:
                    char, style = "·", self.AXIS_STYLE
                if style and index == chosen:
                    style = CHOSEN_STYLE
                cells = char * widths[index]
                parts.append(Content.styled(cells, style) if style else cells)
                if gap:
                    parts.append(" " * gap)
            lines.append(Content.assemble(*parts))
        used = starts[-1] + widths[-1] + gap
        foot = AXIS_BREAK if low > 0 else "└"
        axis = " " * axis_width + f" {foot}" + "─" * used
        lines.append(Content.styled(axis, self.AXIS_STYLE))
        lines.append(_labels(labels, starts, axis_width + 2, chosen, self.AXIS_STYLE))
        return Content("\n").join(lines)

    def _choices(self) -> list[int]:
        return [index for _, _, index in self._bars]

    def action_move(self, by: int) -> None:
        """Choose the bar ``by`` places from the one chosen."""
        self.chosen = step(self._choices(), self.chosen, by)
        self.refresh()

    def action_choose(self) -> None:
        """Open the bar chosen (the most recent one when none is yet)."""
        if self.chosen not in self._choices():
            self.action_move(-1)
        if self.chosen is not None:
            self.post_message(self.BarChosen(self, self.chosen))

    def on_focus(self) -> None:
        if self.chosen not in self._choices():
            self.chosen = step(self._choices(), None, -1)
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def bar_at(self, x: int) -> int | None:
        """The index in the series of the bar drawn at column ``x`` (``None``: no bar there)."""
        return next((index for first, last, index in self._bars if first <= x <= last), None)

    def on_click(self, event: events.Click) -> None:
        index = self.bar_at(event.x)
        if index is not None:
            self.chosen = index
            self.post_message(self.BarChosen(self, index))

    def _cell(self, total: int, lower: int) -> tuple[str, str]:
        """The character and style of one cell of a bar, from the eighths of the bar and of
        its lower part that reach into it."""
        total, lower = min(max(total, 0), 8), min(max(lower, 0), 8)
        if total == 0:
            return " ", ""
        if lower >= total:
            return BLOCKS[total], self.bar_style
        if lower == 0:
            return BLOCKS[total], self.TOP_STYLE
        # The boundary falls inside the cell: the lower part as the glyph, the top part as
        # the background when it fills most of the rest.
        background = f" on {self.TOP_STYLE}" if total - lower >= (8 - lower) / 2 else ""
        return BLOCKS[lower], f"{self.bar_style}{background}"


def _columns(count: int, width: int) -> tuple[list[int], list[int], int]:
    """Where each of ``count`` bars starts and how wide it is in ``width`` columns, and the gap
    after each: wide slots get a one-column gap; narrow ones touch, and share out the width so
    the chart fills it (bars of one or two columns side by side read as an area).

    Example:
        >>> _columns(3, 12), _columns(4, 6)
        (([0, 4, 8], [3, 3, 3], 1), ([0, 1, 3, 4], [1, 2, 1, 2], 0))
    """
    if width >= 3 * count:
        slot = width // count
        return [index * slot for index in range(count)], [slot - 1] * count, 1
    edges = [index * width // count for index in range(count + 1)]
    widths = [max(end - start, 1) for start, end in itertools.pairwise(edges)]
    return edges[:-1], widths, 0


def _labels(
    labels: Sequence[str], starts: Sequence[int], indent: int, chosen: int | None, style: str
) -> Content:
    """Labels under the bars they name, as many as fit with two spaces between them; the
    ``chosen`` bar's always, in the accent colour.

    Example:
        >>> labels = ["11-01", "11-02", "11-03", "11-04"]
        >>> _labels(labels, [0, 4, 8, 12], 1, None, "").plain
        ' 11-01   11-03'
        >>> _labels(labels, [0, 4, 8, 12], 1, 3, "").plain
        ' 11-01       11-04'
    """
    if not labels:
        return Content("")
    longest = max(len(label) for label in labels)
    line = [" "] * (indent + starts[-1] + longest + 1)
    taken: tuple[int, int] | None = None
    if chosen is not None and 0 <= chosen < len(labels):
        taken = (starts[chosen] - 2, starts[chosen] + len(labels[chosen]) + 2)
    free = 0
    for index, (label, start) in enumerate(zip(labels, starts, strict=True)):
        end = start + len(label)
        clashes = taken is not None and index != chosen and start < taken[1] and end > taken[0]
        if index != chosen and (start < free or clashes):
            continue
        for offset, char in enumerate(label):
            line[indent + start + offset] = char
        free = max(free, end + 2)
    text = Content.styled("".join(line).rstrip(), style)
    if chosen is not None and 0 <= chosen < len(labels):
        first = indent + starts[chosen]
        text = text.stylize(CHOSEN_STYLE, first, first + len(labels[chosen]))
    return text


def wrap_entries(entries: Sequence[Content], width: int, gap: str = "  ") -> list[Content]:
    """Legend entries on as few lines of ``width`` cells as they fit, ``gap`` between them;
    an entry moves whole to the next line, and only one wider than a line is wrapped itself.

    Example:
        >>> entries = [Content("■ PENDING 27"), Content("■ SENT 4"), Content("■ DELIVERED 513")]
        >>> [line.plain for line in wrap_entries(entries, 26)]
        ['■ PENDING 27  ■ SENT 4', '■ DELIVERED 513']
    """
    lines: list[Content] = []
    line: Content | None = None
    for entry in entries:
        if line is not None and line.cell_length + len(gap) + entry.cell_length <= width:
            line = line + gap + entry
            continue
        if line is not None:
            lines.append(line)
        line = None
        if width > 0 and entry.cell_length > width:
            *whole, last = entry.wrap(width)
            lines.extend(whole)
            entry = last
        line = entry
    if line is not None:
        lines.append(line)
    return lines


class StatusStrip(Widget, can_focus=True):
    """Sent messages by status: one proportional bar and a legend with the counts. A click on a
    status (its part of the bar or its legend entry), or Enter on the one chosen with left and
    right, posts :class:`StatusChosen`."""

    BINDINGS: ClassVar[list[BindingType]] = CHOOSING

    class StatusChosen(Message):
        """The user asked for the messages of the status ``status``."""

        def __init__(self, strip: StatusStrip, status: str) -> None:
            super().__init__()
            self.strip = strip
            self.status = status

        @property
        def control(self) -> StatusStrip:
            return self.strip

    DEFAULT_CSS = """
    StatusStrip {
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.counts: tuple[tuple[str, int], ...] | None = None
        self.chosen: int | None = None
        """The index in :attr:`counts` of the status chosen from the keyboard, if any."""
        self._segments: list[tuple[int, int, int]] = []
        """``(first column, last column, index in counts)`` of each part of the bar drawn."""

    def show(self, counts: tuple[tuple[str, int], ...] | None) -> None:
        self.counts = counts
        if counts is None or (self.chosen is not None and self.chosen >= len(counts)):
            self.chosen = None
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        # The bar, and the legend on as many lines as the width needs.
        if not self.counts or not sum(count for _, count in self.counts):
            return 1
        return 1 + len(wrap_entries(self._legend(), width))

    def _legend(self) -> list[Content]:
        counts = self.counts or ()
        total = sum(count for _, count in counts) or 1
        chosen = self.chosen if self.has_focus else None
        return [
            Content.assemble(
                ("■ ", _status_style(name)),
                (
                    f"{name} {count:,} ({count / total:.1%})",
                    f"reverse {CHOSEN_STYLE}" if index == chosen else "",
                ),
            )
            for index, (name, count) in enumerate(counts)
        ]

    def render(self) -> Content:
        counts = self.counts
        self._segments = []
        if counts is None:
            return Content("")
        total = sum(count for _, count in counts)
        if total == 0:
            return Content.styled("No message was sent in this window.", "$text-muted")
        width = self.size.width
        # Largest-remainder rounding: the segments fill the line exactly, and any status
        # with a message gets at least one cell.
        shares = [count * width / total for _, count in counts]
        cells = [max(math.floor(share), 1 if count else 0) for share, (_, count) in
                 zip(shares, counts, strict=True)]  # fmt: skip
        order = sorted(range(len(counts)), key=lambda i: shares[i] - math.floor(shares[i]))
        while sum(cells) < width:
            cells[order.pop() if order else 0] += 1
        while sum(cells) > width:
            widest = max(range(len(cells)), key=lambda i: cells[i])
            cells[widest] -= 1
        chosen = self.chosen if self.has_focus else None
        parts: list[Content] = []
        start = 0
        for index, (name, _) in enumerate(counts):
            if not cells[index]:
                continue
            self._segments.append((start, start + cells[index] - 1, index))
            start += cells[index]
            # The chosen part is shaded, not solid, so its own colour still says which it is.
            glyph = "▒" if index == chosen else "█"
            parts.append(Content.styled(glyph * cells[index], _status_style(name)))
        bar = Content.assemble(*parts)
        return Content("\n").join([bar, *wrap_entries(self._legend(), width)])

    def status_at(self, x: int, y: int) -> int | None:
        """The index in :attr:`counts` of the status drawn at ``(x, y)``: its part of the bar
        (the first line) or its legend entry (``None``: none there)."""
        if y == 0:
            return next((index for first, last, index in self._segments if first <= x <= last),
                        None)  # fmt: skip
        lines = wrap_entries(self._legend(), self.size.width)
        if not 0 < y <= len(lines):
            return None
        line = lines[y - 1].plain
        for index, entry in enumerate(self._legend()):
            start = line.find(entry.plain)
            if start >= 0 and start <= x < start + len(entry.plain):
                return index
        return None

    def _choices(self) -> list[int]:
        return [index for index, (_, count) in enumerate(self.counts or ()) if count]

    def action_move(self, by: int) -> None:
        """Choose the status ``by`` places from the one chosen."""
        self.chosen = step(self._choices(), self.chosen, by)
        self.refresh()

    def action_choose(self) -> None:
        """Open the messages of the status chosen (the first one when none is yet)."""
        if self.chosen not in self._choices():
            self.action_move(1)
        self._post(self.chosen)

    def on_focus(self) -> None:
        if self.chosen not in self._choices():
            self.chosen = step(self._choices(), None, 1)
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self.status_at(event.x, event.y)
        if index is not None:
            self.chosen = index
            self._post(index)

    def _post(self, index: int | None) -> None:
        if self.counts is not None and index is not None and 0 <= index < len(self.counts):
            self.post_message(self.StatusChosen(self, self.counts[index][0]))


STRIP_STYLES = {**STATUS_STYLES, "NOSENT": "$warning"}
"""The table's status colours, but NOSENT apart from NOTDELIVERED: side by side in one bar,
two reds would read as one."""


def _status_style(name: str) -> str:
    # Without bold: a block of colour needs no weight.
    return STRIP_STYLES.get(name, "$text-muted").replace("bold ", "")
