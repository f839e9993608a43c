"""What the overview shows, computed from frames: the figures of a window, their change against
the previous window, and the series of its charts.

Everything here runs in the dashboard's worker threads and returns plain data; the widgets only
format it. No Textual here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

import numpy as np
import pandas as pd

from .. import analysis
from ..query import Span
from .views import Figure

__all__ = [
    "FigureValue",
    "OverviewCharts",
    "WindowFigures",
    "compare_figures",
    "compute_window_figures",
    "describe_failure",
    "overview_charts",
]


@dataclass(frozen=True)
class WindowFigures:
    """The overview's figures for one window.

    Attributes:
        values: per figure id, its value (``None`` or NaN when it cannot be told).
        errors: per figure id, why it could not be computed (plug-in figures may raise).
        headline: :func:`~smstools_tui.analysis.headline_figures` of the window, computed once
            for every figure that reads it (``None`` when no figure does, or it failed).
    """

    values: dict[str, float | int | None]
    errors: dict[str, str]
    headline: dict[str, float] | None


def describe_failure(failure: Exception) -> str:
    """A failure in one line, its type first: ``ValueError: no such column``."""
    return f"{type(failure).__name__}: {failure}"


def compute_window_figures(
    figures: Sequence[Figure],
    sent: pd.DataFrame,
    received: pd.DataFrame,
    rules: analysis.ComplianceRules | None = None,
) -> WindowFigures:
    """Every figure of one window; the headline figures from a single computation (opt-outs
    and the compliance list by ``rules``, default: the defaults).

    A figure that raises gets its error instead of a value; the others are unaffected.

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> figures = [Figure("rate", "Delivered", headline="delivery_rate", kind="percent"),
        ...            Figure("rows", "Rows", compute=lambda sent, received: len(sent))]
        >>> sent = sent_frame([{"id": 1, "status": "DELIVERED"}, {"id": 2, "status": "NOSENT"}])
        >>> compute_window_figures(figures, sent, received_frame([])).values
        {'rate': 0.5, 'rows': 2}
    """
    headline: dict[str, float] | None = None
    headline_error = ""
    if any(figure.headline is not None for figure in figures):
        try:
            headline = analysis.headline_figures(
                sent, received, keywords=analysis.ComplianceRules.of(rules)
            )
        except Exception as failure:
            headline_error = describe_failure(failure)
    values: dict[str, float | int | None] = {}
    errors: dict[str, str] = {}
    for figure in figures:
        values[figure.id] = None
        if figure.headline is not None:
            if headline is None:
                errors[figure.id] = headline_error
            elif figure.headline not in headline:
                errors[figure.id] = f"no headline figure {figure.headline!r}"
            else:
                values[figure.id] = headline[figure.headline]
            continue
        assert figure.compute is not None  # a Figure has one or the other
        # A figure's function is plug-in code: its failure is shown on its tile only.
        try:
            values[figure.id] = figure.compute(sent, received)
        except Exception as failure:
            errors[figure.id] = describe_failure(failure)
    return WindowFigures(values, errors, headline)


@dataclass(frozen=True)
class FigureValue:
    """One tile's content: the value, the previous window's, the change, a note.

    Attributes:
        current: this window's value (``None``/NaN: cannot be told, shown as ``–``).
        previous: the previous window's value (``None`` when that window is not loaded).
        change: ``current - previous`` (NaN when either is missing).
        change_ratio: ``change / |previous|`` (NaN when previous is 0 or missing).
        note: a line under the value.
        alert: the note is a warning (e.g. messages sent after an opt-out).
        error: why the figure could not be computed.
    """

    current: float | int | None
    previous: float | int | None = None
    change: float = math.nan
    change_ratio: float = math.nan
    note: str = ""
    alert: bool = False
    error: str = ""


def _number(value: float | int | None) -> float:
    return math.nan if value is None else float(value)


def compare_figures(
    figures: Sequence[Figure], current: WindowFigures, previous: WindowFigures | None
) -> dict[str, FigureValue]:
    """Each figure with its change against the previous window, via
    :func:`~smstools_tui.analysis.compare_headlines`.

    Example:
        >>> figures = [Figure("n", "Sent", headline="messages")]
        >>> now = WindowFigures({"n": 120}, {}, {"messages": 120})
        >>> before = WindowFigures({"n": 100}, {}, {"messages": 100})
        >>> value = compare_figures(figures, now, before)["n"]
        >>> value.change, value.change_ratio
        (20.0, 0.2)
    """
    ids = [figure.id for figure in figures]
    table = analysis.compare_headlines(
        {name: _number(current.values.get(name)) for name in ids},
        {name: _number(previous.values.get(name)) for name in ids} if previous else {},
    ).set_index("figure")
    out: dict[str, FigureValue] = {}
    for figure in figures:
        row = table.loc[figure.id]
        note, alert = "", False
        if current.headline is not None and figure.note is not None:
            try:
                note = figure.note(current.headline)
            except Exception as failure:  # a plug-in's note must not take its tile down
                note = describe_failure(failure)
            if figure.alert is not None:
                alert = current.headline.get(figure.alert, 0) > 0
        out[figure.id] = FigureValue(
            current=current.values.get(figure.id),
            previous=previous.values.get(figure.id) if previous is not None else None,
            change=float(row["change"]),
            change_ratio=float(row["change_ratio"]),
            note=note,
            alert=alert,
            error=current.errors.get(figure.id, ""),
        )
    return out


# -- charts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewCharts:
    """The series the overview charts.

    Attributes:
        bucket: ``day``, ``week`` or ``month``.
        labels: one label per bucket, in time order (``2026-11-02``, ``2026-11``).
        partial: per bucket, whether the window covers only part of it.
        delivery_rate: per bucket, delivered ÷ messages with a final status (NaN when none is
            final yet).
        spend: per bucket, credits spent.
        wasted: per bucket, credits spent on messages not delivered or not sent.
        statuses: messages per status, in the order messages move (zeros included).
    """

    bucket: str
    labels: tuple[str, ...]
    partial: tuple[bool, ...]
    delivery_rate: tuple[float, ...]
    spend: tuple[float, ...]
    wasted: tuple[float, ...]
    statuses: tuple[tuple[str, int], ...]


def overview_charts(sent: pd.DataFrame, window: Span, zone: tzinfo | None) -> OverviewCharts:
    """Delivery rate and spend per bucket of ``window`` in ``zone``: every bucket the window
    touches, as :func:`~smstools_tui.analysis.time_buckets` picks and marks them (empty buckets
    included: a day without messages is a gap in the chart, not a missing bar).

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "status": s, "price": 0.1,
        ...                     "insertDate": "2026-11-01T10:00:00+0000"}
        ...                    for i, s in enumerate(["DELIVERED", "NOSENT"])])
        >>> from smstools_tui.query import Span
        >>> window = Span(datetime(2026, 10, 31, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
        >>> charts = overview_charts(sent, window, UTC)
        >>> charts.labels, charts.delivery_rate, charts.spend, charts.wasted
        (('2026-10-31', '2026-11-01'), (nan, 0.5), (0.0, 0.2), (0.0, 0.1))
    """
    buckets = analysis.time_buckets(window, tz=zone)
    bucket, labels = buckets.by, buckets.labels
    delivery = analysis.delivery_report(sent, bucket, tz=zone).set_index(bucket)
    costs = analysis.cost_report(sent, bucket, tz=zone).set_index(bucket)
    index = pd.Index(labels, dtype="str")
    # Buckets without messages: no rate (a gap), nothing spent.
    rate = delivery["delivery_rate"].reindex(index).to_numpy(dtype=float, na_value=np.nan)
    spend = costs["spend"].reindex(index, fill_value=0.0).to_numpy(dtype=float)
    wasted = costs["wasted_spend"].reindex(index, fill_value=0.0).to_numpy(dtype=float)
    counts = analysis.status_counts(sent)
    statuses = tuple(
        (str(name), int(count))
        for name, count in zip(counts["status"], counts["messages"], strict=True)
    )
    return OverviewCharts(
        bucket=bucket,
        labels=labels,
        partial=buckets.partial,
        delivery_rate=tuple(float(value) for value in rate),
        spend=tuple(float(value) for value in spend),
        wasted=tuple(float(value) for value in wasted),
        statuses=statuses,
    )
