"""Headline figures: the handful of numbers an overview starts with, and their change."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .cost import from_micro, to_micro
from .grouping import STATUS_INDEX, ratio, received_typed, sent_typed, status_codes
from .latency import STAGES, stage_seconds
from .replies import (
    DEFAULT_OPT_OUT_KEYWORDS,
    DEFAULT_REPLY_WINDOW,
    Keywords,
    Matched,
    Window,
    as_window,
    first_opt_outs,
    opt_out_mask,
    sent_after_opt_out,
)

__all__ = ["HEADLINE_LABELS", "compare_headlines", "headline_figures"]

HEADLINE_LABELS: dict[str, str] = {
    "messages": "Messages sent",
    "delivered": "Delivered",
    "delivery_rate": "Delivery rate",
    "pending": "Still pending",
    "pending_share": "Pending share",
    "spend": "Spend",
    "wasted_spend": "Wasted spend",
    "median_delivery_seconds": "Median delivery time",
    "received": "Messages received",
    "replies": "Replies",
    "opt_outs": "Opt-outs",
    "sent_after_opt_out": "Sent after opt-out",
}
"""Every key of :func:`headline_figures`, in order, with a label for people."""


def headline_figures(
    sent: pd.DataFrame,
    received: pd.DataFrame | None = None,
    *,
    window: Window = DEFAULT_REPLY_WINDOW,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> dict[str, float]:
    """The overview's figures for one window of messages.

    Returns:
        A dict with the keys of :data:`HEADLINE_LABELS`: counts as ``int``; ``delivery_rate``
        and ``pending_share`` as fractions, ``spend`` and ``wasted_spend`` (NOTDELIVERED and
        NOSENT) in credits, ``median_delivery_seconds`` (sent → delivery) as ``float`` (NaN
        when there is nothing to measure). ``replies`` are received messages answering a sent
        message within ``window``; ``opt_outs`` are received opt-out messages;
        ``sent_after_opt_out`` counts the compliance list.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "status": "DELIVERED", "price": 0.1},
        ...                    {"id": 2, "status": "PENDING", "price": 0.1}])
        >>> figures = headline_figures(sent)
        >>> figures["messages"], figures["delivery_rate"], figures["pending"], figures["spend"]
        (2, 1.0, 1, 0.2)
    """
    sent = sent_typed(sent)
    received = received_typed(received if received is not None else _no_received())
    codes = status_codes(sent)
    micro = to_micro(sent["price"])
    delivered = int((codes == STATUS_INDEX["DELIVERED"]).sum())
    failed = np.isin(codes, (STATUS_INDEX["NOTDELIVERED"], STATUS_INDEX["NOSENT"]))
    pending = int(np.isin(codes, (STATUS_INDEX["PENDING"], STATUS_INDEX["SENT"])).sum())
    delivery = stage_seconds(sent, *STAGES["sent_to_delivery"])
    matched = Matched(sent, received)
    first = first_opt_outs(matched, received, keywords)
    return {
        "messages": len(sent),
        "delivered": delivered,
        "delivery_rate": float(ratio(delivered, delivered + int(failed.sum()))),
        "pending": pending,
        "pending_share": float(ratio(pending, len(sent))),
        "spend": float(from_micro(int(micro.sum()))),
        "wasted_spend": float(from_micro(int(micro[failed].sum()))),
        "median_delivery_seconds": (
            float(np.nanmedian(delivery)) if (~np.isnan(delivery)).any() else float("nan")
        ),
        "received": len(received),
        "replies": int(matched.in_window(as_window(window)).sum()),
        "opt_outs": int(opt_out_mask(received, keywords).sum()),
        "sent_after_opt_out": len(
            sent_after_opt_out(sent, matched, received, keywords, first)["row"]
        ),
    }


def _no_received() -> pd.DataFrame:
    from ..frames import RECEIVED_SCHEMA, empty_frame

    return empty_frame(RECEIVED_SCHEMA)


def compare_headlines(current: Mapping[str, float], previous: Mapping[str, float]) -> pd.DataFrame:
    """The figures of two windows side by side, with the change.

    Returns:
        ``figure``, ``label``, ``current``, ``previous``, ``change`` (current − previous) and
        ``change_ratio`` (change / previous; NaN when previous is 0 or missing).

    Example:
        >>> compare_headlines({"messages": 120}, {"messages": 100}).to_dict("records")
        ... # doctest: +NORMALIZE_WHITESPACE
        [{'figure': 'messages', 'label': 'Messages sent', 'current': 120.0, 'previous': 100.0,
          'change': 20.0, 'change_ratio': 0.2}]
    """
    names = [name for name in HEADLINE_LABELS if name in current] + [
        name for name in current if name not in HEADLINE_LABELS
    ]
    now = np.array([float(current[name]) for name in names])
    before = np.array([float(previous.get(name, np.nan)) for name in names])
    change = now - before
    change_ratio = np.full(len(names), np.nan)
    np.divide(change, np.abs(before), out=change_ratio, where=(before != 0) & ~np.isnan(before))
    return pd.DataFrame(
        {
            "figure": pd.Series(names, dtype="str"),
            "label": pd.Series([HEADLINE_LABELS.get(name, name) for name in names], dtype="str"),
            "current": now,
            "previous": before,
            "change": change,
            "change_ratio": change_ratio,
        }
    )
