"""Delivery: how many messages reached the handset, overall and per group.

The delivery rate counts only messages whose fate is known::

    delivery_rate = DELIVERED / (DELIVERED + NOTDELIVERED + NOSENT)

PENDING and SENT messages are still on their way: they are shown apart (``pending`` and
``pending_share``), never counted as failed. A group with nothing final has no rate (NaN).
A message whose status the API does not document (``UNKNOWN``, see :mod:`smstools_tui.frames`)
is neither final nor pending: it counts in ``messages`` and in no other column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import numpy as np
import pandas as pd

from ..frames import STATUSES, UNKNOWN_STATUS
from .grouping import (
    NO_VALUE,
    STATUS_INDEX,
    Groups,
    ratio,
    sent_typed,
    status_codes,
)

__all__ = ["delivery_report", "status_counts", "status_funnel"]

_DELIVERED = STATUS_INDEX["DELIVERED"]
_NOTDELIVERED = STATUS_INDEX["NOTDELIVERED"]
_NOSENT = STATUS_INDEX["NOSENT"]
_PENDING = (STATUS_INDEX["PENDING"], STATUS_INDEX["SENT"])


def status_counts(sent: pd.DataFrame) -> pd.DataFrame:
    """Messages per status, every documented status listed (zero included), in the order
    messages move.

    An ``UNKNOWN`` row counts messages with an undocumented status, and a ``(none)`` row those
    with no status, when there are any.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "status": "DELIVERED"}, {"id": 2, "status": "SENT"}])
        >>> status_counts(sent).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'status': ['PENDING', 'SENT', 'NOSENT', 'DELIVERED', 'NOTDELIVERED'],
         'messages': [0, 1, 0, 1, 0], 'share': [0.0, 0.5, 0.0, 0.5, 0.0]}
    """
    codes = status_codes(sent_typed(sent))
    counts = np.bincount(codes + 1, minlength=len(STATUS_INDEX) + 1)
    names = list(STATUSES)
    values = list(counts[1 : len(STATUSES) + 1])
    if counts[STATUS_INDEX[UNKNOWN_STATUS] + 1]:
        names.append(UNKNOWN_STATUS)
        values.append(counts[STATUS_INDEX[UNKNOWN_STATUS] + 1])
    if counts[0]:
        names.append(NO_VALUE)
        values.append(counts[0])
    total = max(len(codes), 1)
    return pd.DataFrame(
        {
            "status": pd.Series(names, dtype="str"),
            "messages": np.array(values, dtype=np.int64),
            "share": np.array(values, dtype=float) / total,
        }
    )


def status_funnel(sent: pd.DataFrame) -> pd.DataFrame:
    """The path of the messages: accepted → handed to the operator → delivered.

    ``accepted`` is every message; ``handed to operator`` those with SENT, DELIVERED or
    NOTDELIVERED status; ``delivered`` the DELIVERED ones.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "status": s} for i, s in
        ...                    enumerate(["DELIVERED", "NOTDELIVERED", "NOSENT", "PENDING"])])
        >>> status_funnel(sent).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'stage': ['accepted', 'handed to operator', 'delivered'], 'messages': [4, 2, 1],
         'share': [1.0, 0.5, 0.25]}
    """
    codes = status_codes(sent_typed(sent))
    handed = np.isin(codes, (STATUS_INDEX["SENT"], _DELIVERED, _NOTDELIVERED))
    values = np.array([len(codes), int(handed.sum()), int((codes == _DELIVERED).sum())])
    return pd.DataFrame(
        {
            "stage": pd.Series(["accepted", "handed to operator", "delivered"], dtype="str"),
            "messages": values.astype(np.int64),
            "share": values / max(len(codes), 1),
        }
    )


def delivery_report(
    sent: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    tz: str | tzinfo | None = None,
) -> pd.DataFrame:
    """Delivery per group: counts per outcome, delivery rate, still-pending share.

    Args:
        sent: a sent frame.
        by: ``None`` for one row; a key of :data:`~smstools_tui.analysis.BY_CHOICES`
            (``day``, ``week``, ``month``, ``sender``, ``campaign``, ``country``, ``status``)
            or a list of them.
        tz: the zone of the calendar for ``day``/``week``/``month`` (default: local).

    Returns:
        The group columns, then ``messages``, ``delivered``, ``not_delivered``, ``not_sent``,
        ``pending`` (PENDING or SENT), ``delivery_rate`` (0–1, NaN when nothing is final)
        and ``pending_share`` (0–1). Time groups come in time order, others largest first.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "status": s, "transactionId": c} for i, (s, c) in
        ...     enumerate([("DELIVERED", "a"), ("NOTDELIVERED", "a"), ("SENT", "a"),
        ...                ("DELIVERED", None)])])
        >>> delivery_report(sent, "campaign").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'campaign': ['a', '(none)'], 'messages': [3, 1], 'delivered': [1, 1],
         'not_delivered': [1, 0], 'not_sent': [0, 0], 'pending': [1, 0],
         'delivery_rate': [0.5, 1.0], 'pending_share': [0.3333333333333333, 0.0]}
    """
    sent = sent_typed(sent)
    groups = Groups.of(sent, by, tz=tz)
    codes = status_codes(sent)
    messages = groups.count()
    delivered = groups.count(codes == _DELIVERED)
    not_delivered = groups.count(codes == _NOTDELIVERED)
    not_sent = groups.count(codes == _NOSENT)
    pending = groups.count(np.isin(codes, _PENDING))
    return groups.frame(
        {
            "messages": messages,
            "delivered": delivered,
            "not_delivered": not_delivered,
            "not_sent": not_sent,
            "pending": pending,
            "delivery_rate": ratio(delivered, delivered + not_delivered + not_sent),
            "pending_share": ratio(pending, messages),
        },
        size=messages,
    )
