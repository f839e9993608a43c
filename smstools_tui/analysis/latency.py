"""Latency: how long messages wait, in two stages.

- ``insert_to_sent``: from acceptance by the gateway (``insertDate``) to the hand-over to the
  operator (``sentDate``): the gateway's queue;
- ``sent_to_delivery``: from the hand-over to the handset's delivery report
  (``deliveryDate``): the operator and the network.

A stage is measured only on messages that have both of its timestamps; durations are seconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import tzinfo

import numpy as np
import pandas as pd

from .grouping import NAT, Groups, micros, sent_typed

__all__ = [
    "HISTOGRAM_EDGES",
    "STAGES",
    "latencies",
    "latency_histogram",
    "latency_report",
]

STAGES: dict[str, tuple[str, str]] = {
    "insert_to_sent": ("insertDate", "sentDate"),
    "sent_to_delivery": ("sentDate", "deliveryDate"),
}
"""Each stage's name and the two timestamps it spans."""

HISTOGRAM_EDGES: tuple[float, ...] = (
    0, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400, float("inf"),
)  # fmt: skip
"""Bin edges (seconds) of :func:`latency_histogram`: close together where most messages are,
wide in the long tail."""


def latencies(sent: pd.DataFrame) -> pd.DataFrame:
    """Each message's duration of each stage in seconds (NaN when a timestamp is missing).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "insertDate": "2026-11-02T10:00:00+0000",
        ...                     "sentDate": "2026-11-02T10:00:02+0000",
        ...                     "deliveryDate": "2026-11-02T10:00:07+0000"}])
        >>> latencies(sent).to_dict("list")
        {'insert_to_sent': [2.0], 'sent_to_delivery': [5.0]}
    """
    sent = sent_typed(sent)
    return pd.DataFrame(
        {stage: stage_seconds(sent, start, end) for stage, (start, end) in STAGES.items()},
        index=sent.index,
    )


def latency_report(
    sent: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    tz: str | tzinfo | None = None,
) -> pd.DataFrame:
    """p50, p90 and p99 of each stage, per group.

    Args:
        sent: a sent frame.
        by: ``None`` or grouping keys, as for :func:`~smstools_tui.analysis.delivery_report`.
        tz: the zone of the calendar for time groups.

    Returns:
        The group columns, ``stage``, ``messages`` (measured), ``p50_seconds``,
        ``p90_seconds``, ``p99_seconds`` (linear interpolation; NaN when nothing is
        measured).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "insertDate": "2026-11-02T10:00:00+0000",
        ...     "sentDate": f"2026-11-02T10:00:0{i}+0000"} for i in range(1, 4)])
        >>> latency_report(sent).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'stage': ['insert_to_sent', 'sent_to_delivery'], 'messages': [3, 0],
         'p50_seconds': [2.0, nan], 'p90_seconds': [2.8, nan], 'p99_seconds': [2.98, nan]}
    """
    sent = sent_typed(sent)
    groups = Groups.of(sent, by, tz=tz)
    rank = _rank(groups)
    parts = []
    for stage, (start, end) in STAGES.items():
        seconds = stage_seconds(sent, start, end)
        q = groups.quantiles(seconds, (0.5, 0.9, 0.99))
        part = groups.frame(
            {
                "stage": stage,
                "messages": groups.count(~np.isnan(seconds)),
                "p50_seconds": q[:, 0],
                "p90_seconds": q[:, 1],
                "p99_seconds": q[:, 2],
            }
        )
        part["_rank"] = rank
        parts.append(part)
    return _by_group_then_stage(pd.concat(parts, ignore_index=True))


def latency_histogram(
    sent: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    tz: str | tzinfo | None = None,
    edges: Sequence[float] = HISTOGRAM_EDGES,
) -> pd.DataFrame:
    """Messages per duration bin, per stage and group: ready for a bar chart.

    Every bin is listed, empty ones too, so charts of different groups line up. A negative
    duration (clocks disagreeing) counts in the first bin.

    Returns:
        The group columns, ``stage``, ``bin`` (a label such as ``"2–5 s"``),
        ``lower_seconds``, ``upper_seconds`` and ``messages``.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "insertDate": "2026-11-02T10:00:00+0000",
        ...                     "sentDate": "2026-11-02T10:00:03+0000"}])
        >>> hist = latency_histogram(sent, edges=(0, 1, 5, float("inf")))
        >>> hist[hist["stage"] == "insert_to_sent"][["bin", "messages"]].to_dict("list")
        {'bin': ['< 1 s', '1–5 s', '≥ 5 s'], 'messages': [0, 1, 0]}
    """
    sent = sent_typed(sent)
    groups = Groups.of(sent, by, tz=tz)
    rank = _rank(groups)
    edge_array = np.asarray(edges, dtype=float)
    n_bins = len(edge_array) - 1
    labels = bin_labels(edges)
    parts = []
    for stage, (start, end) in STAGES.items():
        seconds = stage_seconds(sent, start, end)
        measured = ~np.isnan(seconds)
        bins = np.clip(np.searchsorted(edge_array, seconds[measured], side="right") - 1,
                       0, n_bins - 1)  # fmt: skip
        counts = np.bincount(
            groups.codes[measured] * n_bins + bins, minlength=groups.size * n_bins
        ).reshape(groups.size, n_bins)
        rows = np.repeat(np.arange(groups.size), n_bins)
        part = groups.labels.iloc[rows].reset_index(drop=True)
        part["_rank"] = rank[rows]
        part["stage"] = stage
        part["bin"] = np.tile(labels, groups.size)
        part["lower_seconds"] = np.tile(edge_array[:-1], groups.size)
        part["upper_seconds"] = np.tile(edge_array[1:], groups.size)
        part["messages"] = counts.reshape(-1).astype(np.int64)
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    frame["bin"] = pd.Categorical(frame["bin"], categories=pd.Index(labels, dtype="str"))
    return _by_group_then_stage(frame)


def _rank(groups: Groups) -> np.ndarray:
    """Each group's place in report order (groups with more messages first)."""
    rank = np.empty(groups.size, dtype=np.int64)
    rank[groups.order(groups.count())] = np.arange(groups.size)
    return rank


def _by_group_then_stage(frame: pd.DataFrame) -> pd.DataFrame:
    frame["stage"] = pd.Categorical(frame["stage"], categories=pd.Index(list(STAGES), dtype="str"))
    ordered = frame.sort_values(["_rank", "stage"], kind="stable")
    return ordered.drop(columns="_rank").reset_index(drop=True)


def bin_labels(edges: Sequence[float]) -> list[str]:
    """Readable labels of histogram bins: ``< 1 s``, ``1–2 s``, ``1–2 min``, ``≥ 1 d``.

    Example:
        >>> bin_labels((0, 1, 60, 3600, float("inf")))
        ['< 1 s', '1 s–1 min', '1 min–1 h', '≥ 1 h']
    """
    labels = []
    for lower, upper in itertools.pairwise(edges):
        if lower <= 0:
            labels.append(f"< {_duration(upper)}")
        elif np.isinf(upper):
            labels.append(f"≥ {_duration(lower)}")
        else:
            low, high = _duration(lower), _duration(upper)
            low_number, low_unit = low.split(" ")
            high_unit = high.split(" ")[1]
            labels.append(f"{low_number}–{high}" if low_unit == high_unit else f"{low}–{high}")
    return labels


def _duration(seconds: float) -> str:
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)} {unit}"
    return f"{seconds:g} s"


def stage_seconds(sent: pd.DataFrame, start: str, end: str) -> np.ndarray:
    """Seconds from the ``start`` to the ``end`` timestamp of each message (NaN when either is
    missing)."""
    begin, finish = micros(sent[start]), micros(sent[end])
    out = np.full(len(sent), np.nan)
    both = (begin != NAT) & (finish != NAT)
    out[both] = (finish[both] - begin[both]) / 1e6
    return out
