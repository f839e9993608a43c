"""The headline figures and the overview's chart bars, once for the dashboard and the HTML report,
each with the query of the messages behind it.

A :class:`HeadlineFigure` reads one key of :func:`~smstools_tui.analysis.headline_figures` (all
of them come from one computation per window), says how to format it and which way is good, and
:meth:`~HeadlineFigure.drill` gives the messages it counts. :func:`bar_query` does the same for a
bar of the overview's charts: a day, week or month (the buckets
:func:`~smstools_tui.analysis.time_buckets` picks, partial ones cut by the window) or a status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Literal

import pandas as pd

from ..analysis import DEFAULT_REPLY_WINDOW, time_buckets
from ..analysis.replies import as_window
from ..query import Query
from . import drill
from .tables import format_value

__all__ = [
    "CHARTS",
    "HEADLINE_FIGURES",
    "FigureKind",
    "HeadlineFigure",
    "bar_query",
    "format_figure",
]

FigureKind = Literal["count", "percent", "money", "duration", "number"]
"""How a figure is formatted: ``count`` (1,234), ``percent`` (0.95 → 95.0%), ``money``
(credits), ``duration`` (seconds → 3 min 17 s) or ``number``."""

Headline = Mapping[str, float]

REPLY_WINDOW_HOURS = "reply_window_hours"
"""A note's headline may say how long after a message a reply counted, in hours (default: the
analysis's 72)."""
DEFAULT_REPLY_HOURS = as_window(DEFAULT_REPLY_WINDOW) / pd.Timedelta(hours=1)
"""The result of :func:`~smstools_tui.analysis.headline_figures` for one window."""


@dataclass(frozen=True)
class HeadlineFigure:
    """One headline figure.

    Attributes:
        key: its key in :func:`~smstools_tui.analysis.headline_figures`.
        label: what it is called on a tile or a card.
        kind: how it is formatted (see :data:`FigureKind`).
        better: which way is good (``up``, ``down`` or ``None``), to colour the change.
        note: a short line under the value, from the window's headline figures.
        alert: a headline key; when its value is above zero the note is a warning.
        messages: what :meth:`drill` opens: ``sent`` (the window's sent messages),
            ``delivered``, ``pending`` or ``wasted`` (those of these statuses), ``replies`` or
            ``opt_outs`` (received messages in that relation).

    Example:
        >>> from datetime import UTC, datetime
        >>> base = Query.build("sent", window="7d", now=datetime(2026, 12, 1, tzinfo=UTC))
        >>> sorted(HEADLINE_FIGURES[2].drill(base).filters.statuses)
        ['PENDING', 'SENT']
    """

    key: str
    label: str
    messages: Literal["sent", "delivered", "pending", "wasted", "replies", "opt_outs"]
    kind: FigureKind = "count"
    better: Literal["up", "down"] | None = None
    note: Callable[[Headline], str] | None = None
    alert: str | None = None

    def drill(self, base: Query) -> Query | None:
        """The messages this figure counts, of the window and filters of ``base``
        (``None`` when the base's filters leave none of them)."""
        if self.messages == "replies":
            return drill.received(base, replies=True)
        if self.messages == "opt_outs":
            return drill.received(base, opt_outs=True)
        sent = drill.messages(base)
        if self.messages == "sent":
            return sent
        return drill.within(sent, statuses=drill.STATUS_SETS[self.messages])


def format_figure(value: float | int | None, kind: str) -> str:
    """A figure as a tile or a card writes it, as a table writes a value of its kind; ``–``
    when it cannot be told.

    Example:
        >>> format_figure(0.9531, "percent"), format_figure(12345, "count")
        ('95.3%', '12,345')
        >>> format_figure(float("nan"), "duration")
        '–'
    """
    return format_value(value, kind)


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "–"


HEADLINE_FIGURES: tuple[HeadlineFigure, ...] = (
    HeadlineFigure("messages", "Sent", "sent", note=lambda h: f"{int(h['received']):,} received"),
    HeadlineFigure(
        "delivery_rate",
        "Delivered",
        "sent",
        kind="percent",
        better="up",
        note=lambda h: f"{int(h['delivered']):,} delivered",
    ),
    HeadlineFigure(
        "pending",
        "Pending",
        "pending",
        note=lambda h: f"{_share(h['pending'], h['messages'])} of sent, not final yet",
    ),
    HeadlineFigure(
        "spend",
        "Spend",
        "sent",
        kind="money",
        note=lambda h: (
            f"credits, {h['spend'] / h['messages']:.4f} per SMS" if h["messages"] else "credits"
        ),
    ),
    HeadlineFigure(
        "wasted_spend",
        "Wasted spend",
        "wasted",
        kind="money",
        better="down",
        note=lambda h: f"{_share(h['wasted_spend'], h['spend'])} of the spend",
    ),
    HeadlineFigure(
        "median_delivery_seconds",
        "Median delivery time",
        "delivered",
        kind="duration",
        better="down",
        note=lambda h: "sent → delivered",
    ),
    HeadlineFigure(
        "replies",
        "Replies",
        "replies",
        better="up",
        note=lambda h: f"within {h.get(REPLY_WINDOW_HOURS, DEFAULT_REPLY_HOURS):g} h of a message",
    ),
    HeadlineFigure(
        "opt_outs",
        "Opt-outs",
        "opt_outs",
        better="down",
        note=lambda h: f"{int(h['sent_after_opt_out']):,} sent after an opt-out",
        alert="sent_after_opt_out",
    ),
)
"""The eight headline figures of the dashboard's overview and the HTML report, in order."""

CHARTS: dict[str, str] = {
    "delivery_rate": "Delivery rate",
    "spend": "Spend",
    "wasted": "Wasted spend",
    "statuses": "Messages by status",
}
"""The overview's charts: a bar of the first three is a day, week or month, of the last a
status."""


def bar_query(
    base: Query,
    chart: str,
    key: str,
    *,
    zone: tzinfo | str | None = None,
    by: str | None = None,
) -> Query | None:
    """The messages behind the bar ``key`` of the chart ``chart`` (a key of :data:`CHARTS`):
    a time bucket's label (``2026-11-02``, ``2026-11``) read in ``zone``, cut by the window
    where the bucket is partial, or a status; ``wasted`` bars keep the statuses spent on
    nothing. ``by`` is the chart's bucket (default: the one
    :func:`~smstools_tui.analysis.time_buckets` picks for the base's window, as the charts do).
    ``None`` when the base leaves no message there.

    Example:
        >>> from datetime import UTC, datetime
        >>> base = Query.build("sent", window="2026-11-04..2026-11-10",
        ...                    now=datetime(2026, 12, 1, tzinfo=UTC), zone="UTC")
        >>> print(bar_query(base, "spend", "2026-11-09", zone="UTC").span)
        2026-11-09T00:00:00+00:00 .. 2026-11-10T00:00:00+00:00
        >>> sorted(bar_query(base, "statuses", "NOSENT").filters.statuses)
        ['NOSENT']
    """
    if chart not in CHARTS:
        raise KeyError(chart)
    sent = drill.messages(base)
    if chart == "statuses":
        return drill.within(sent, statuses=[key])
    if chart == "wasted":
        narrowed = drill.within(sent, statuses=drill.STATUS_SETS["wasted"])
        if narrowed is None:
            return None
        sent = narrowed
    if by is None:
        if base.span is None:
            raise ValueError("a bar over time needs the chart's bucket or the base's window")
        by = time_buckets(base.span, tz=zone).by
    return drill.in_bucket(sent, by, key, zone=zone)
