"""The figures a monitoring check watches, per group: one definition each, the reports' own.

Each metric is computed from the frames of a window (see :data:`METRICS`); rates count only
messages with a final status (DELIVERED, NOTDELIVERED, NOSENT), as the delivery report does, so
a young window's pending messages never look like failures. ``messages`` says how many messages
the value stands on: a check ignores a group with fewer than its ``min_messages``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..segments import UCS_2
from .carriers import carrier_groups
from .cost import from_micro, to_micro
from .grouping import (
    BY_CHOICES,
    STATUS_INDEX,
    TIME_BUCKETS,
    Groups,
    ratio,
    received_typed,
    sent_typed,
    status_codes,
)
from .latency import STAGES, stage_seconds
from .replies import DEFAULT_OPT_OUT_KEYWORDS, Keywords, compliance_list

__all__ = ["CHECK_GROUPINGS", "METRICS", "Metric", "check_groups", "metric_values"]


@dataclass(frozen=True)
class Metric:
    """A figure a check can watch.

    Attributes:
        name: as a policy names it.
        description: what it is, for people.
        worse: ``"lower"`` when a smaller value is worse (the delivery rate), else ``"higher"``.
        unit: ``rate`` (0–1), ``seconds``, ``count``, ``credits``, ``sms`` or ``number``.
        groupable: whether it can be computed per group (the account's credit cannot).
    """

    name: str
    description: str
    worse: str
    unit: str
    groupable: bool = True


METRICS: dict[str, Metric] = {
    metric.name: metric
    for metric in (
        Metric("delivery_rate", "delivered ÷ messages with a final status", "lower", "rate"),
        Metric("nosent_rate", "NOSENT ÷ messages with a final status", "higher", "rate"),
        Metric("p90_latency_seconds", "p90 of sent → delivered", "higher", "seconds"),
        Metric("pending_share", "PENDING and SENT ÷ all messages", "higher", "rate"),
        Metric(
            "sent_after_opt_out", "messages sent to numbers after they opted out", "higher", "count"
        ),
        Metric("wasted_spend", "credits spent on NOTDELIVERED and NOSENT", "higher", "credits"),
        Metric("credit_sms", "SMS to Italy the credit still buys", "lower", "sms", groupable=False),
        Metric("ucs2_share", "UCS-2 messages ÷ messages with a text", "higher", "rate"),
        Metric("segments_per_message", "parts billed per message with a text", "higher", "number"),
    )
}
"""Every metric a policy may name."""

CHECK_GROUPINGS: tuple[str, ...] = (
    *(key for key in BY_CHOICES if key not in TIME_BUCKETS),
    "carrier",
)
"""What a check's rule can be grouped by: a report's groupings other than days, weeks and
months, and the original ``carrier`` (with its country, as the carriers report has it)."""


def check_groups(sent: pd.DataFrame, by: str | None) -> Groups:
    """The messages of ``sent`` in the groups of a rule's ``by`` (one of
    :data:`CHECK_GROUPINGS`, or ``None``: one group).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "to": "393398408223"}])
        >>> check_groups(sent, "carrier").labels["carrier"].tolist()
        ['TIM (IT)']
    """
    if by in TIME_BUCKETS:
        raise ValueError("a check's groups are not days, weeks or months")
    if by == "carrier":
        return carrier_groups(sent)
    return Groups.of(sent, by)


_FINAL = [STATUS_INDEX[name] for name in ("DELIVERED", "NOTDELIVERED", "NOSENT")]
_PENDING = [STATUS_INDEX[name] for name in ("PENDING", "SENT")]
_WASTED = [STATUS_INDEX[name] for name in ("NOTDELIVERED", "NOSENT")]


def metric_values(
    sent: pd.DataFrame,
    received: pd.DataFrame | None,
    metric: str,
    by: str | None = None,
    *,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> pd.DataFrame:
    """The value of ``metric`` for the messages of a window, per group of ``by``.

    Args:
        sent, received: the window's frames (``received`` only for ``sent_after_opt_out``).
        keywords: the opt-out keywords, or the compliance rules (for ``sent_after_opt_out``).
        metric: a name of :data:`METRICS` other than ``credit_sms`` (the account's, not the
            messages').
        by: ``None`` (one row) or one of :data:`CHECK_GROUPINGS`.

    Returns:
        The group column (when ``by``), ``value`` (NaN where it has no messages to stand on)
        and ``messages`` (how many it stands on).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "status": s, "to": to} for i, (s, to) in enumerate(
        ...     [("DELIVERED", "393480000000"), ("NOTDELIVERED", "393480000001"),
        ...      ("PENDING", "41791234567"), ("DELIVERED", "41791234568")])])
        >>> metric_values(sent, None, "delivery_rate", "country").to_dict("records")
        ... # doctest: +NORMALIZE_WHITESPACE
        [{'country': 'IT', 'value': 0.5, 'messages': 2},
         {'country': 'CH', 'value': 1.0, 'messages': 1}]
    """
    if metric not in METRICS or not METRICS[metric].groupable:
        raise ValueError(f"{metric!r} is not a metric of the messages")
    sent = sent_typed(sent)
    groups = check_groups(sent, by)
    codes = status_codes(sent)
    final = np.isin(codes, _FINAL)
    if metric in ("delivery_rate", "nosent_rate"):
        wanted = STATUS_INDEX["DELIVERED" if metric == "delivery_rate" else "NOSENT"]
        counted = groups.count(final)
        value = ratio(groups.count(codes == wanted), counted)
    elif metric == "p90_latency_seconds":
        seconds = stage_seconds(sent, *STAGES["sent_to_delivery"])
        delivered = (codes == STATUS_INDEX["DELIVERED"]) & ~np.isnan(seconds)
        counted = groups.count(delivered)
        value = groups.quantiles(seconds, (0.9,), delivered)[:, 0]
    elif metric == "pending_share":
        counted = groups.count()
        value = ratio(groups.count(np.isin(codes, _PENDING)), counted)
    elif metric == "wasted_spend":
        counted = groups.count()
        value = from_micro(groups.sum_int(to_micro(sent["price"]), np.isin(codes, _WASTED)))
    elif metric == "sent_after_opt_out":
        counted = groups.count()
        flagged = compliance_list(sent, received_typed(_received(received)), keywords=keywords)
        after = sent["id"].isin(flagged["id"]).to_numpy(dtype=bool, na_value=False)
        value = groups.count(after).astype(float)
    else:  # ucs2_share, segments_per_message
        segments = sent["segments"].to_numpy(dtype=np.int64, na_value=0)
        with_text = segments > 0
        counted = groups.count(with_text)
        if metric == "ucs2_share":
            ucs2 = (sent["encoding"] == UCS_2).to_numpy(dtype=bool, na_value=False)
            value = ratio(groups.count(ucs2), counted)
        else:
            value = ratio(groups.sum_int(segments), counted)
    frame = groups.frame({"value": np.asarray(value, dtype=float), "messages": counted})
    return frame.sort_values("messages", ascending=False, kind="stable").reset_index(drop=True)


def _received(received: pd.DataFrame | None) -> pd.DataFrame:
    if received is not None:
        return received
    from ..frames import RECEIVED_SCHEMA, empty_frame

    return empty_frame(RECEIVED_SCHEMA)
