"""The named reports of ``smstools-tui report``: one function call each, one table each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import pandas as pd

from .. import analysis
from ..analysis import DEFAULT_OPT_OUT_KEYWORDS, DEFAULT_REPLY_WINDOW
from ..errors import ConfigError

__all__ = ["REPORTS", "ReportSpec", "run_report"]


@dataclass(frozen=True)
class ReportSpec:
    """A named report.

    Attributes:
        name: as typed on the command line.
        title: for people (page titles).
        needs_received: whether it reads received messages too.
        groupable: whether ``by`` applies.
        run: ``run(sent, received, options) -> frame``.
    """

    name: str
    title: str
    needs_received: bool
    groupable: bool
    run: Callable[[pd.DataFrame, pd.DataFrame | None, dict[str, Any]], pd.DataFrame]


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
) -> pd.DataFrame:
    """Run the report ``name`` (a key of :data:`REPORTS`).

    Raises :class:`~smstools_tui.errors.ConfigError` for an unknown report, or a ``by`` given
    to a report that is not grouped.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> run_report("delivery", sent_frame([{"id": 1, "status": "DELIVERED"}]))["messages"]
        0    1
        Name: messages, dtype: int64
    """
    spec = REPORTS.get(name)
    if spec is None:
        raise ConfigError(f"unknown report {name!r}: use one of {', '.join(REPORTS)}")
    if by is not None and not spec.groupable:
        groupable = ", ".join(key for key, value in REPORTS.items() if value.groupable)
        raise ConfigError(f"--by applies to the {groupable} reports, not to {name}")
    options = {
        "by": by,
        "tz": analysis.resolve_zone(tz),
        "window": window,
        "keywords": tuple(keywords),
        "min_failures": min_failures,
    }
    return spec.run(sent, received, options)
