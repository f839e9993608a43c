"""Which messages a dashboard row, figure or chart bar stands for: the one place the dashboard
asks the report layer for a drill-down.

A report row (a campaign, a cost bucket, a failing number, an opt-out), a headline figure or a
chart bar was computed from the window on screen (its *base* query); the messages behind it are
a narrower :class:`~smstools_tui.query.Query`, which the report registry makes (a report tab's
:meth:`~smstools_tui.tui.views.ReportTab.drill`, a figure's ``drill``,
:func:`~smstools_tui.report.figures.bar_query`). This module hands the dashboard's tables,
figures, charts and status strip to them, so the app makes one call per place; the chips above
a drill-down (its filters, its relation and its span when narrower than the window) and what
removing one leaves are decided here too.

No Textual here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any

from ..monitor import Finding, Policy
from ..query import Query, Relation, Span
from ..report import drill
from ..report.figures import bar_query
from .model import format_timestamp
from .views import Figure, ReportTab, TableSpec

__all__ = [
    "CHART_OF",
    "Chip",
    "alert_query",
    "base_query",
    "bucket_query",
    "chips",
    "figure_query",
    "row_query",
    "status_query",
    "still_valid",
    "without_chip",
]

SPAN_CHIP = "span"
"""The chip of a span narrower than the window (removing it widens the query to the window)."""

CHART_OF = {"chart-delivery": "delivery_rate", "chart-spend": "spend"}
"""The registry's chart (:data:`~smstools_tui.report.figures.CHARTS`) each overview chart is."""


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
    table: TableSpec, row: Mapping[str, Any], base: Query, *, column: str | None = None
) -> Query | None:
    """The messages behind a row of the report table ``table`` (``column``: the cell asked
    about, where a row's figures count different messages), or ``None`` when no query tells
    them apart (a row of messages without a campaign, a table that is not a report's).

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.tui.views import find_tab
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> query = row_query(find_tab("failing"), {"number": "393480000000"}, base_query(window))
        >>> query.describe("UTC")
        'sent messages, 2026-11-01 00:00 to 2026-12-01 00:00 UTC; number 393480000000'
    """
    if not isinstance(table, ReportTab):
        return None
    return table.drill(row, base, column=column)


def figure_query(figure: Figure, base: Query) -> Query | None:
    """The messages behind a headline figure of the overview (``None``: a figure of its own
    computation, which no query reproduces).

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.tui.views import DEFAULT_FIGURES
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> pending = next(figure for figure in DEFAULT_FIGURES if figure.id == "pending")
        >>> [label for _, _, label in figure_query(pending, base_query(window)).chips()]
        ['status PENDING', 'status SENT']
    """
    return figure.drill(base) if figure.drill is not None else None


def bucket_query(
    base: Query, chart_id: str, bucket: str, label: str, *, zone: tzinfo | None = None
) -> Query | None:
    """The sent messages of one bar of the overview's chart ``chart_id``: the day, week or
    month ``label`` (a ``bucket``), cut by the window.

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> query = bucket_query(base_query(window), "chart-spend", "day", "2026-11-03", zone=UTC)
        >>> print(query.span)
        2026-11-03T00:00:00+00:00 .. 2026-11-04T00:00:00+00:00
    """
    return bar_query(base, CHART_OF[chart_id], label, zone=zone, by=bucket)


def status_query(base: Query, status: str) -> Query | None:
    """The sent messages of one status of the overview's status strip (``None``: the base
    leaves none of that status).

    Example:
        >>> from datetime import UTC, datetime
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> [label for _, _, label in status_query(base_query(window), "NOSENT").chips()]
        ['status NOSENT']
    """
    return bar_query(base, "statuses", status)


_ALERT_STATUSES = {
    "delivery_rate": ("NOTDELIVERED", "NOSENT"),
    "nosent_rate": ("NOSENT",),
    "wasted_spend": ("NOTDELIVERED", "NOSENT"),
    "pending_share": ("PENDING", "SENT"),
    "p90_latency_seconds": ("DELIVERED",),
}


def alert_query(
    finding: Finding, policy: Policy | None, base: Query, zone: tzinfo | None = None
) -> Query | None:
    """The messages behind a rule that is not OK: its window as far as ``base`` (the data on
    screen) reaches, its group, and for a rate the messages that made it bad (the failed ones
    for the delivery rate, the pending ones for the pending share, the UCS-2 ones for their
    share); ``None`` when none are on screen.

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.monitor import Finding, Policy
        >>> policy = Policy.parse('[[rule]]\\nname = "d"\\nmetric = "delivery_rate"\\n'
        ...                       'window = "24h"\\nby = "country"\\nwarning = 0.9\\n')
        >>> finding = Finding("d", "delivery_rate", "country", "IT", 0.8, 0.9, None, "WARNING", 99)
        >>> window = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> query = alert_query(finding, policy, base_query(window), UTC)
        >>> query.span.start.isoformat(), sorted(query.filters.statuses), query.filters.countries
        ('2026-11-30T00:00:00+00:00', ['NOSENT', 'NOTDELIVERED'], frozenset({'IT'}))
    """
    rule = (
        next((rule for rule in policy.rules if rule.name == finding.name), None) if policy else None
    )
    if rule is None or base.span is None:
        return None
    span = rule.window.resolve(base.span.end, zone)
    start, end = max(span.start, base.span.start), min(span.end, base.span.end)
    if end <= start:
        return None
    query: Query | None = replace(base, span=Span(start, end))
    if finding.by is not None and finding.group is not None:
        assert query is not None
        query = drill.of_group(query, {finding.by: finding.group}, zone=zone)
    statuses = _ALERT_STATUSES.get(finding.metric)
    if query is not None and statuses is not None:
        query = drill.within(query, statuses=statuses)
    if query is not None and finding.metric == "ucs2_share":
        query = drill.within(query, encodings=["UCS-2"])
    if query is not None and finding.metric == "sent_after_opt_out":
        query = replace(drill.messages(query), relation=Relation(opt_outs=True))
    return query


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
        >>> query = bucket_query(base_query(window), "chart-spend", "day", "2026-11-03", zone=UTC)
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
        >>> query = base_query(window).with_filters(statuses=["PENDING", "SENT"])
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
        >>> still_valid(base_query(window), window.previous())
        False
    """
    return query.span is None or window.intersect(query.span) is not None
