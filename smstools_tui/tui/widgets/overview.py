"""The overview: one tile per headline :class:`~smstools_tui.tui.views.Figure`, with its change
against the previous window, and room for the charts below."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ..model import format_duration
from ..views import Figure

__all__ = ["FigureTile", "Overview", "format_figure"]


def format_figure(value: float | int | None, kind: str) -> str:
    """A figure as the overview writes it.

    Example:
        >>> format_figure(0.9531, "percent"), format_figure(12345, "count")
        ('95.3%', '12,345')
    """
    if value is None or value != value:
        return "–"
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "money":
        return f"{value:,.2f}"
    if kind == "duration":
        return format_duration(float(value))
    if kind == "count":
        return f"{int(value):,}"
    return f"{value:,.4g}"


def format_change(
    current: float | int | None, previous: float | int | None, figure: Figure
) -> Content:
    """The change against the previous window: ``▲ 12.5%`` (relative) or ``▲ 3.1 pt`` (a
    percentage's difference), coloured when the figure says which way is better."""
    if current is None or previous is None or current != current or previous != previous:
        return Content.styled("no previous window", "$text-muted")
    delta = float(current) - float(previous)
    if delta == 0:
        return Content.styled("= previous window", "$text-muted")
    arrow = "▲" if delta > 0 else "▼"
    if figure.kind == "percent":
        text = f"{arrow} {abs(delta) * 100:.1f} pt"
    elif previous:
        text = f"{arrow} {abs(delta) / abs(float(previous)):.1%}"
    else:
        text = f"{arrow} {format_figure(abs(delta), figure.kind)}"
    style = "$text-muted"
    if figure.better is not None:
        good = (delta > 0) == (figure.better == "up")
        style = "$success" if good else "$error"
    return Content.assemble((text, style), Content.styled(" vs previous", "$text-muted"))


class FigureTile(Static):
    """One headline figure: label, value, change."""

    def __init__(self, figure: Figure) -> None:
        super().__init__("", id=f"figure-{figure.id}", classes="figure", markup=False)
        self.figure = figure
        self.border_title = figure.label
        self.value: float | int | None = None

    def show(
        self, value: float | int | None, previous: float | int | None, *, error: str = ""
    ) -> None:
        self.value = value
        if error:
            self.update(Content.assemble(("error", "bold $error"), "\n", error[:60]))
            return
        self.update(
            Content.assemble(
                (format_figure(value, self.figure.kind), "bold"),
                "\n",
                format_change(value, previous, self.figure),
            )
        )


class Overview(VerticalScroll):
    """The figures in a grid, and below them the place for charts over time."""

    def __init__(self, figures: Sequence[Figure], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.figures = list(figures)

    def compose(self) -> ComposeResult:
        with Grid(id="figures"):
            for figure in self.figures:
                yield FigureTile(figure)
        # Charts of delivery rate and spend over time go here (#overview-charts).
        yield Static("", id="overview-charts", markup=False)

    def tile(self, figure_id: str) -> FigureTile:
        return self.query_one(f"#figure-{figure_id}", FigureTile)
