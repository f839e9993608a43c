"""The named reports of ``smstools-tui report``: one function call each, one table each.

A report grouped by day, week or month and given the window it was read for (``span``) says which
of its rows the window covers only in part: a boolean ``partial`` column after the time column.
A total is never a row of the report (a CSV or Parquet file holds only the groups, each once):
:func:`report_total` computes it for the tables people read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import pandas as pd

from .. import analysis
from ..analysis import DEFAULT_OPT_OUT_KEYWORDS, DEFAULT_REPLY_WINDOW, TIME_BUCKETS
from ..errors import ConfigError
from ..query import Span

__all__ = ["REPORTS", "ReportSpec", "report_total", "run_report"]


@dataclass(frozen=True)
class ReportSpec:
    """A named report.

    Attributes:
        name: as typed on the command line.
        title: for people (page titles).
        needs_received: whether it reads received messages too.
        groupable: whether ``by`` applies.
        run: ``run(sent, received, options) -> frame``.
        total: ``total(frame) -> one row`` of the figures of all the groups together, for
            reports whose groups add up (``None``: no total row).
    """

    name: str
    title: str
    needs_received: bool
    groupable: bool
    run: Callable[[pd.DataFrame, pd.DataFrame | None, dict[str, Any]], pd.DataFrame]
    total: Callable[[pd.DataFrame], pd.DataFrame] | None = None


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec(
            "delivery", "Delivery", False, True,
            lambda sent, _, o: analysis.delivery_report(sent, o["by"], tz=o["tz"]),
        ),
        ReportSpec(
            "latency", "Latency", False, True,
            lambda sent, _, o: analysis.latency_report(sent, o["by"], tz=o["tz"]),
        ),
        ReportSpec(
            "cost", "Cost", False, True,
            lambda sent, _, o: analysis.cost_report(sent, o["by"], tz=o["tz"]),
            total=analysis.cost_total,
        ),
        ReportSpec(
            "campaigns", "Campaigns", True, False,
            lambda sent, received, o: analysis.campaign_report(
                sent, received, window=o["window"], keywords=o["keywords"]
            ),
        ),
        ReportSpec(
            "failing-numbers", "Failing numbers", False, False,
            lambda sent, _, o: analysis.failing_numbers(sent, min_failures=o["min_failures"]),
        ),
        ReportSpec(
            "opt-outs", "Opt-outs", True, False,
            lambda sent, received, o: analysis.opt_out_report(
                sent, _received(received), window=o["window"], keywords=o["keywords"]
            ),
        ),
        ReportSpec(
            "compliance", "Sent after opt-out", True, False,
            lambda sent, received, o: analysis.compliance_list(
                sent, _received(received), keywords=o["keywords"]
            ),
        ),
    )
}  # fmt: skip
"""Every named report, in the order the help lists them."""


def _received(received: pd.DataFrame | None) -> pd.DataFrame:
    if received is None:
        from ..frames import RECEIVED_SCHEMA, empty_frame

        return empty_frame(RECEIVED_SCHEMA)
    return received


def run_report(
    name: str,
    sent: pd.DataFrame,
    received: pd.DataFrame | None = None,
    *,
    by: str | None = None,
    tz: str | tzinfo | None = None,
    window: Any = DEFAULT_REPLY_WINDOW,
    keywords: Iterable[str] = DEFAULT_OPT_OUT_KEYWORDS,
    min_failures: int = 2,
    span: Span | None = None,
) -> pd.DataFrame:
    """Run the report ``name`` (a key of :data:`REPORTS`).

    ``span`` is the window the messages were read for: with it, a report by ``day``, ``week``
    or ``month`` marks the rows the window covers only in part (see
    :func:`~smstools_tui.analysis.time_buckets`).

    Raises :class:`~smstools_tui.errors.ConfigError` for an unknown report, or a ``by`` given
    to a report that is not grouped.

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "status": "DELIVERED",
        ...                     "insertDate": "2026-11-20T10:00:00+0000"}])
        >>> run_report("delivery", sent)["messages"].tolist()
        [1]
        >>> from smstools_tui.query import Span
        >>> november = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
        >>> run_report("delivery", sent, by="month", tz="UTC", span=november)[["month", "partial"]]
             month  partial
        0  2026-11     True
    """
    spec = REPORTS.get(name)
    if spec is None:
        raise ConfigError(f"unknown report {name!r}: use one of {', '.join(REPORTS)}")
    if by is not None and not spec.groupable:
        groupable = ", ".join(key for key, value in REPORTS.items() if value.groupable)
        raise ConfigError(f"--by applies to the {groupable} reports, not to {name}")
    zone = analysis.resolve_zone(tz)
    options = {
        "by": by,
        "tz": zone,
        "window": window,
        "keywords": tuple(keywords),
        "min_failures": min_failures,
    }
    frame = spec.run(sent, received, options)
    if span is not None and by in TIME_BUCKETS:
        frame = analysis.time_buckets(span, by, tz=zone).mark(frame)
    return frame


def report_total(name: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The total row of the report ``name``'s ``frame`` (see :attr:`ReportSpec.total`), or
    ``None`` when its groups do not add up.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "from": s, "price": 0.1} for i, s in enumerate("ABA")])
        >>> report_total("cost", run_report("cost", sent, by="sender"))["spend"].tolist()
        [0.3]
        >>> report_total("delivery", run_report("delivery", sent, by="sender")) is None
        True
    """
    spec = REPORTS[name]
    return spec.total(frame) if spec.total is not None else None
