"""The overview: one tile per headline :class:`~smstools_tui.tui.views.Figure` with its change
against the previous window, the status breakdown, and charts of delivery rate and spend over
time (in ``#overview-charts``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ...frames import is_missing
from ...report.figures import format_figure
from ..summary import FigureValue, OverviewCharts
from ..views import Figure
from .charts import BarChart, ChartSeries, StatusStrip

__all__ = ["FigureTile", "Overview", "format_change", "format_figure"]

PreviousState = Literal["loaded", "loading", "missing"]
"""Whether the previous window's figures are there to compare with."""

_BUCKET_WORDS = {"day": "day", "week": "week (from Monday)", "month": "month"}
_PARTIAL_NOTES = {
    "day": "dim: a partial day",
    "week": "dim: a partial week",
    "month": "dim: a partial month",
}


def format_change(
    value: FigureValue, figure: Figure, previous: PreviousState = "loaded"
) -> Content:
    """The change against the previous window: ``▲ 12.5% vs 4,210`` (relative) or
    ``▲ 3.1 pt vs 92.0%`` (a percentage's difference, in points), green when it moved the way
    the figure calls better and red when not.

    Example:
        >>> rate = Figure("rate", "Delivered", headline="delivery_rate", kind="percent",
        ...               better="up")
        >>> format_change(FigureValue(0.95, 0.92, 0.03, 0.0326), rate).plain
        '▲ 3.0 pt vs 92.0%'
    """
    if previous == "loading":
        return Content.styled("previous window loading…", "$text-muted")
    if previous == "missing" or value.previous is None:
        return Content.styled("no previous window", "$text-muted")
    before = format_figure(value.previous, figure.kind)
    if is_missing(value.current) or is_missing(value.previous) or math.isnan(value.change):
        return Content.styled(f"previous: {before}", "$text-muted")
    if value.change == 0:
        return Content.styled(f"= unchanged from {before}", "$text-muted")
    arrow = "▲" if value.change > 0 else "▼"
    if figure.kind == "percent":
        text = f"{arrow} {abs(value.change) * 100:.1f} pt"
    elif not math.isnan(value.change_ratio) and abs(value.change_ratio) >= 10:
        text = f"{arrow} {abs(value.change_ratio) + 1:,.0f}×"  # 1220% up reads better as 13×
    elif not math.isnan(value.change_ratio):
        text = f"{arrow} {abs(value.change_ratio):.1%}"
    else:  # from zero: a ratio means nothing
        text = f"{arrow} {format_figure(abs(value.change), figure.kind)}"
    style = "$text-muted"
    if figure.better is not None:
        good = (value.change > 0) == (figure.better == "up")
        style = "$success" if good else "$error"
    return Content.assemble((text, f"bold {style}"), (f" vs {before}", "$text-muted"))


class FigureTile(Static, can_focus=True):
    """One headline figure: value, change, note. Enter or a click posts :class:`Chosen`: the
    dashboard opens the messages behind the figure."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Messages", tooltip="Show the messages behind this figure"),
    ]

    class Chosen(Message):
        """The user asked for the messages behind ``tile``'s figure."""

        def __init__(self, tile: FigureTile) -> None:
            super().__init__()
            self.tile = tile

        @property
        def control(self) -> FigureTile:
            return self.tile

    def __init__(self, figure: Figure) -> None:
        super().__init__("", id=f"figure-{figure.id}", classes="figure", markup=False)
        self.figure = figure
        self.border_title = figure.label
        self.value: float | int | None = None
        self.shown: FigureValue | None = None

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self))

    def on_click(self) -> None:
        self.post_message(self.Chosen(self))

    def show(self, value: FigureValue, previous: PreviousState = "loaded") -> None:
        """Show ``value``; ``previous`` says whether a change can be shown yet."""
        self.value = value.current
        self.shown = value
        if value.error:
            self.update(Content.assemble(("error", "bold $error"), "\n", value.error[:80]))
            return
        note: Content = Content("")
        if value.note:
            note = Content.styled(value.note, "bold $warning" if value.alert else "$text-muted")
        self.update(
            Content.assemble(
                (format_figure(value.current, self.figure.kind), "bold"),
                "\n",
                format_change(value, self.figure, previous),
                "\n",
                note,
            )
        )


def _money_axis(value: float) -> str:
    if value == 0:
        return "0"
    if value >= 10_000:
        return f"{value / 1000:,.0f}k"
    if value >= 10:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if value >= 1 else f"{value:.2f}"


def _label(label: str, bucket: str) -> str:
    """``2026-11-02`` → ``11-02`` (the year is in the header); months stay ``2026-11``."""
    return label if bucket == "month" else label[5:]


class Overview(VerticalScroll):
    """The figures in a grid, the status breakdown, and the charts over time.

    In a small terminal it is taller than the screen: it takes the focus when its tab is shown,
    and scrolls with the arrows, PgUp/PgDn, Home/End or ``j``/``k``/``g``/``G``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "scroll_down", show=False),
        Binding("k", "scroll_up", show=False),
        Binding("g", "scroll_home", show=False),
        Binding("G", "scroll_end", show=False),
    ]

    class BucketChosen(Message):
        """The user clicked the bar of one bucket (``label``, a ``bucket``: day, week, month)
        of the chart ``chart_id``."""

        def __init__(self, overview: Overview, chart_id: str, bucket: str, label: str) -> None:
            super().__init__()
            self.overview = overview
            self.chart_id = chart_id
            self.bucket = bucket
            self.label = label

        @property
        def control(self) -> Overview:
            return self.overview

    def __init__(self, figures: Sequence[Figure], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.figures = list(figures)
        self.charts: OverviewCharts | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="overview-caption", markup=False)
        with Grid(id="figures"):
            for figure in self.figures:
                yield FigureTile(figure)
        yield StatusStrip(id="overview-statuses")
        with Horizontal(id="overview-charts"):
            with Vertical(classes="chart", id="chart-delivery-box") as box:
                box.border_title = "Delivery rate"
                yield BarChart(id="chart-delivery")
            with Vertical(classes="chart", id="chart-spend-box") as box:
                box.border_title = "Spend"
                yield BarChart(id="chart-spend")

    @on(BarChart.BarChosen)
    def _bar_chosen(self, event: BarChart.BarChosen) -> None:
        event.stop()
        charts = self.charts
        chart_id = event.chart.id or ""
        if charts is not None and 0 <= event.index < len(charts.labels):
            label = charts.labels[event.index]
            self.post_message(self.BucketChosen(self, chart_id, charts.bucket, label))

    def tile(self, figure_id: str) -> FigureTile:
        return self.query_one(f"#figure-{figure_id}", FigureTile)

    def set_caption(self, caption: str) -> None:
        """The line above the tiles (what the changes compare with)."""
        self.query_one("#overview-caption", Static).update(caption)

    def show_charts(self, charts: OverviewCharts | None) -> None:
        """Draw the charts and the status breakdown (``None``: being computed)."""
        self.charts = charts
        self.query_one(StatusStrip).show(charts.statuses if charts is not None else None)
        delivery = self.query_one("#chart-delivery", BarChart)
        spend = self.query_one("#chart-spend", BarChart)
        if charts is None:
            delivery.show(None)
            spend.show(None)
            return
        every = _BUCKET_WORDS.get(charts.bucket, charts.bucket)
        # The window cuts its first and last buckets: their bars are dim, and the boxes say why.
        note = _PARTIAL_NOTES.get(charts.bucket, "dim: partial") if any(charts.partial) else ""
        delivery_box = self.query_one("#chart-delivery-box")
        spend_box = self.query_one("#chart-spend-box")
        delivery_box.border_title = f"Delivery rate per {every}"
        spend_box.border_title = f"Spend per {every}"
        delivery_box.border_subtitle = spend_box.border_subtitle = note
        labels = [_label(label, charts.bucket) for label in charts.labels]
        rates = [rate for rate in charts.delivery_rate if not math.isnan(rate)]
        # Rates sit near the top: start the axis a little under the lowest so changes show in
        # a few rows; its foot is labelled and drawn as a break, so the bars never pretend to
        # start at zero.
        low = max(min(math.floor((min(rates) - 0.02) * 10) / 10, 0.9), 0.0) if rates else 0.0
        delivery.show(
            ChartSeries(
                labels=labels,
                values=charts.delivery_rate,
                partial=charts.partial,
                fmt=lambda value: f"{value:.0%}",
                low=low,
                high=1.0,
                legend=(
                    Content.styled("delivered ÷ final", "$text-muted"),
                    Content.styled("· no final status yet", "$text-muted"),
                ),
                empty="No message has a final status yet.",
            ),
            bar_style="$success",
        )
        # Nothing spent is an empty chart with a sentence, not a row of zero-height bars.
        spent = any(value > 0 for value in charts.spend)
        spend.show(
            ChartSeries(
                labels=labels,
                values=charts.spend if spent else [math.nan] * len(charts.spend),
                top=charts.wasted,
                partial=charts.partial,
                fmt=_money_axis,
                legend=(
                    Content.assemble(("■", BarChart.BAR_STYLE), (" credits", "$text-muted")),
                    Content.assemble(
                        ("■", BarChart.TOP_STYLE),
                        (" wasted (not delivered, not sent)", "$text-muted"),
                    ),
                ),
                empty="Nothing was spent in this window.",
            )
        )
