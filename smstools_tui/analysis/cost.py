"""Cost: credit spent, per group, and how much of it bought nothing.

Prices are summed as whole micro-credits (integers), so a million additions of ``0.0945`` give
exactly ``94500`` and not ``94499.99999999``; only the result is turned back into credits. Round
for display only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import numpy as np
import pandas as pd

from .grouping import STATUS_INDEX, Groups, ratio, sent_typed, status_codes

__all__ = ["MICRO", "billing_report", "billing_total", "cost_report", "cost_total", "from_micro",
           "to_micro"]  # fmt: skip

MICRO = 1_000_000
"""Micro-credits per credit: prices are summed in these units."""

_WASTED = (STATUS_INDEX["NOTDELIVERED"], STATUS_INDEX["NOSENT"])
_PENDING = (STATUS_INDEX["PENDING"], STATUS_INDEX["SENT"])


def to_micro(prices: pd.Series | np.ndarray) -> np.ndarray:
    """Prices in credits → whole micro-credits (``int64``); a missing price counts as 0.

    Example:
        >>> to_micro(np.array([0.0945, 0.1, np.nan])).tolist()
        [94500, 100000, 0]
    """
    values = np.asarray(prices, dtype=float)
    micro: np.ndarray = np.rint(np.nan_to_num(values, nan=0.0) * MICRO).astype(np.int64)
    return micro


def from_micro(micro: np.ndarray | int) -> np.ndarray:
    """Whole micro-credits → credits (the nearest float to the exact sum).

    Example:
        >>> float(from_micro(np.int64(94500 * 1_000_000)))
        94500.0
    """
    return np.asarray(micro, dtype=np.int64) / MICRO


def cost_report(
    sent: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    tz: str | tzinfo | None = None,
) -> pd.DataFrame:
    """Spend per group, the part of it that bought nothing, and average prices.

    Args:
        sent: a sent frame.
        by: ``None`` or grouping keys, as for :func:`~smstools_tui.analysis.delivery_report`;
            ``["month", "country"]`` gives spend per month and country.
        tz: the zone of the calendar for time groups.

    Returns:
        The group columns, then ``messages``, ``delivered``, ``spend`` (credits),
        ``delivered_spend``, ``wasted_spend`` (on NOTDELIVERED and NOSENT messages),
        ``pending_spend`` (on PENDING and SENT messages: not wasted yet), ``avg_price`` (per
        message) and ``price_per_delivered`` (spend divided by delivered messages; NaN when
        none was delivered).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "status": s, "price": p} for i, (s, p) in
        ...     enumerate([("DELIVERED", 0.0945), ("NOTDELIVERED", 0.0945), ("SENT", 0.05)])])
        >>> cost_report(sent).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
        [{'messages': 3, 'delivered': 1, 'spend': 0.239, 'delivered_spend': 0.0945,
          'wasted_spend': 0.0945, 'pending_spend': 0.05, 'avg_price': 0.07966666666666666,
          'price_per_delivered': 0.239}]
    """
    sent = sent_typed(sent)
    groups = Groups.of(sent, by, tz=tz)
    micro = to_micro(sent["price"])
    codes = status_codes(sent)
    delivered = codes == STATUS_INDEX["DELIVERED"]
    messages = groups.count()
    delivered_count = groups.count(delivered)
    spend = groups.sum_int(micro)
    in_credits = from_micro(spend)
    return groups.frame(
        {
            "messages": messages,
            "delivered": delivered_count,
            "spend": in_credits,
            "delivered_spend": from_micro(groups.sum_int(micro, delivered)),
            "wasted_spend": from_micro(groups.sum_int(micro, np.isin(codes, _WASTED))),
            "pending_spend": from_micro(groups.sum_int(micro, np.isin(codes, _PENDING))),
            "avg_price": ratio(in_credits, messages),
            "price_per_delivered": ratio(in_credits, delivered_count),
        },
        size=spend,
    )


def billing_report(sent: pd.DataFrame, *, tz: str | tzinfo | None = None) -> pd.DataFrame:
    """What each account sent and spent, month by month: the figures to re-bill customers by.

    Args:
        sent: a sent frame of one or several accounts (its ``account`` column; without it,
            the one account is ``default``).
        tz: the zone of the calendar the months are read in.

    Returns:
        ``account``, ``month``, then ``messages``, ``segments`` (the parts the gateway bills)
        and ``spend`` (credits, summed as whole micro-credits), ordered by account then month.

    Example:
        >>> from smstools_tui.frames import sent_frame, with_account
        >>> sent = with_account(sent_frame([
        ...     {"id": 1, "text": "hi", "price": 0.09, "insertDate": "2026-10-31T23:30:00+0000"},
        ...     {"id": 2, "text": "hi", "price": 0.09, "insertDate": "2026-11-01T10:00:00+0000"},
        ... ]), "acme")
        >>> billing_report(sent, tz="Europe/Rome").to_dict("records")
        [{'account': 'acme', 'month': '2026-11', 'messages': 2, 'segments': 2, 'spend': 0.18}]
    """
    sent = sent_typed(sent)
    groups = Groups.of(sent, ["account", "month"], tz=tz)
    segments = sent["segments"].fillna(0).to_numpy(np.int64)
    frame = groups.frame(
        {
            "messages": groups.count(),
            "segments": groups.sum_int(segments),
            "spend": from_micro(groups.sum_int(to_micro(sent["price"]))),
        }
    )
    order = np.lexsort(
        (frame["month"].cat.codes.to_numpy(), frame["account"].astype(str).to_numpy())
    )
    return frame.iloc[order].reset_index(drop=True)


def billing_total(billing: pd.DataFrame) -> pd.DataFrame:
    """The total of a :func:`billing_report`: messages, segments and spend of every account
    and month together (money summed as whole micro-credits).

    Example:
        >>> billing = pd.DataFrame({"account": ["a", "b"], "month": ["2026-11"] * 2,
        ...                         "messages": [1, 2], "segments": [1, 4], "spend": [0.1, 0.2]})
        >>> billing_total(billing).to_dict("records")
        [{'messages': 3, 'segments': 5, 'spend': 0.3}]
    """
    return pd.DataFrame(
        {
            "messages": [int(billing["messages"].sum())],
            "segments": [int(billing["segments"].sum())],
            "spend": [float(from_micro(to_micro(billing["spend"]).sum()))],
        }
    )


_COUNTS = ("messages", "delivered")
_MONEY = ("spend", "delivered_spend", "wasted_spend", "pending_spend")


def cost_total(cost: pd.DataFrame) -> pd.DataFrame:
    """The total of a :func:`cost_report`'s groups: one row of its figures, without the group
    columns. Money is summed as whole micro-credits, so the total is exactly the report of all
    the messages at once, and the average prices are recomputed from the sums, never averaged.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "status": s, "price": 0.1, "from": f} for i, (s, f) in
        ...     enumerate([("DELIVERED", "A"), ("NOTDELIVERED", "A"), ("DELIVERED", "B")])])
        >>> cost_total(cost_report(sent, "sender")).equals(cost_report(sent))
        True
    """
    counts = {name: np.array([cost[name].sum()], dtype=np.int64) for name in _COUNTS}
    micro = {name: to_micro(cost[name]).sum() for name in _MONEY}
    spend = from_micro(np.array([micro["spend"]]))
    return pd.DataFrame(
        {
            **counts,
            **{name: from_micro(np.array([micro[name]])) for name in _MONEY},
            "avg_price": ratio(spend, counts["messages"]),
            "price_per_delivered": ratio(spend, counts["delivered"]),
        }
    )
