"""Which messages a dashboard row or figure stands for: the one place the dashboard asks the
report layer for a drill-down.

A report row (a campaign, a cost bucket, a failing number, an opt-out), a headline figure or a
chart bar was computed from the window on screen (its *base* query); the messages behind it are
a narrower :class:`~smstools_tui.query.Query`, made by :mod:`smstools_tui.report.drill`. This
module maps the dashboard's tables and figures to those functions, so the app makes one call per
place; the chips above a drill-down (its filters, its relation and its span when narrower than
the window) and what removing one leaves are decided here too.

No Textual here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any

from ..analysis import NO_VALUE
from ..frames import is_missing
from ..query import Query, Span
from ..report import drill
from .model import format_timestamp

__all__ = [
    "Chip",
    "base_query",
    "bucket_query",
    "chips",
    "figure_query",
    "row_query",
    "without_chip",
]

SPAN_CHIP = "span"
"""The chip of a span narrower than the window (removing it widens the query to the window)."""


def base_query(window: Span, query: Query | None = None) -> Query:
    """The sent messages every figure of the window was computed from: the dataset's own
    query (a saved view's filters included), or the whole window's when there is none.

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> base_query(window).describe("UTC")
        'sent messages, 2026-11-01 00:00 to 2026-12-01 00:00 UTC'
    """
    if query is not None and query.kind == "sent":
        return query
    return Query("sent", window)


def row_query(
    table_id: str,
    variant: str,
    row: Mapping[str, Any],
    base: Query,
    *,
    zone: tzinfo | None = None,
) -> Query | None:
    """The messages behind a row of the report table ``table_id`` (shown as ``variant``), or
    ``None`` when no query tells them apart (a row of messages without a campaign, a table
    that is not a report of messages).

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> query = row_query("failing", "", {"number": "393480000000"}, base_query(window))
        >>> query.describe("UTC")
        'sent messages, 2026-11-01 00:00 to 2026-12-01 00:00 UTC; number 393480000000'
        >>> row_query("opt-outs", "", {"number": "393480000000"}, base_query(window)).chips()
        [('numbers', '393480000000', 'number 393480000000'), ('relation', 'opt_outs', 'opt-outs')]
    """
    if table_id in ("campaigns", "costs"):
        return drill.of_group(base, row, zone=zone)
    if table_id == "failing":
        return drill.of_number(drill.messages(base), row.get("number"))
    if table_id == "opt-outs":
        return drill.of_number(drill.received(base, opt_outs=True), row.get("number"))
    if table_id == "compliance":
        message_id = row.get("id")
        if message_id is None or is_missing(message_id):
            return None
        return drill.within(drill.messages(base), ids=[int(message_id)])
    return None


_FIGURE_STATUSES = {
    "pending": drill.STATUS_SETS["pending"],
    "wasted_spend": drill.STATUS_SETS["wasted"],
    "median_delivery_seconds": drill.STATUS_SETS["delivered"],
}


def figure_query(figure_id: str, base: Query) -> Query | None:
    """The messages behind a headline figure of the overview (``None``: a figure of its own
    computation, which no query reproduces).

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> [label for _, _, label in figure_query("pending", base_query(window)).chips()]
        ['status PENDING', 'status SENT']
        >>> figure_query("replies", base_query(window)).kind
        'received'
    """
    if figure_id in ("messages", "delivery_rate", "spend"):
        return drill.messages(base)
    if figure_id in _FIGURE_STATUSES:
        return drill.within(drill.messages(base), statuses=_FIGURE_STATUSES[figure_id])
    if figure_id == "replies":
        return drill.received(base, replies=True)
    if figure_id == "opt_outs":
        return drill.received(base, opt_outs=True)
    return None


def bucket_query(base: Query, by: str, label: str, *, zone: tzinfo | None = None) -> Query | None:
    """The sent messages of one bar of a chart by day, week or month (``label`` as the chart
    names the bucket), or of one status.

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> print(bucket_query(base_query(window), "day", "2026-11-03", zone=UTC).span)
        2026-11-03T00:00:00+00:00 .. 2026-11-04T00:00:00+00:00
    """
    if by == "status":
        return drill.within(drill.messages(base), statuses=[label])
    if label == NO_VALUE:
        return None
    return drill.in_bucket(drill.messages(base), by, label, zone=zone)


@dataclass(frozen=True)
class Chip:
    """One removable part of a drill-down: what :meth:`Query.without` takes (``name``,
    ``value``) and what the chip says."""

    name: str
    value: Any
    label: str


def chips(query: Query, window: Span, zone: tzinfo | None = None) -> list[Chip]:
    """The chips of ``query`` drilled from ``window``: its span when narrower, each filter value,
    its relation.

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> query = bucket_query(base_query(window), "day", "2026-11-03", zone=UTC)
        >>> [chip.label for chip in chips(query.with_filters(status="SENT"), window, UTC)]
        ['2026-11-03 00:00 → 2026-11-04 00:00', 'status SENT']
    """
    shown: list[Chip] = []
    span = query.span
    if span is not None and span != window and window.intersect(span) is not None:
        start, end = (format_timestamp(moment, zone)[:16] for moment in (span.start, span.end))
        shown.append(Chip(SPAN_CHIP, None, f"{start} → {end}"))
    shown.extend(Chip(name, value, label) for name, value, label in query.chips())
    return shown


def without_chip(query: Query, chip: Chip, window: Span) -> Query:
    """``query`` without ``chip``: the span chip widens it back to ``window``.

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> query = figure_query("pending", base_query(window))
        >>> first = chips(query, window)[0]
        >>> sorted(without_chip(query, first, window).filters.statuses)
        ['SENT']
    """
    if chip.name == SPAN_CHIP:
        return replace(query, span=window, window=None)
    return query.without(chip.name, chip.value)


def still_valid(query: Query, window: Span) -> bool:
    """Whether a drill-down still applies to data loaded for ``window`` (a refresh): its span
    must meet the window; a search by ids alone always applies.

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> still_valid(figure_query("pending", base_query(window)), window.previous())
        False
    """
    return query.span is None or window.intersect(query.span) is not None
