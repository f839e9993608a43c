"""Sender IDs: every alphanumeric sender an account used, how much and how well."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .grouping import STATUS_INDEX, sent_typed

__all__ = ["sender_ids"]

_FINAL = (STATUS_INDEX["DELIVERED"], STATUS_INDEX["NOTDELIVERED"], STATUS_INDEX["NOSENT"])


def sender_ids(sent: pd.DataFrame) -> pd.DataFrame:
    """Every alphanumeric sender (a ``from`` with a letter in it: a sender ID, not a number),
    most messages first.

    Returns:
        ``sender``, ``messages``, ``delivery_rate`` (delivered ÷ final, NaN with none final),
        ``first_send`` and ``last_send`` (insert times).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([
        ...     {"id": 1, "from": "MyShop", "status": "DELIVERED",
        ...      "insertDate": "2026-11-02T10:00:00+0000"},
        ...     {"id": 2, "from": "MyShop", "status": "NOTDELIVERED",
        ...      "insertDate": "2026-11-03T10:00:00+0000"},
        ...     {"id": 3, "from": "393331112222", "status": "DELIVERED"}])
        >>> sender_ids(sent)[["sender", "messages", "delivery_rate"]].to_dict("list")
        {'sender': ['MyShop'], 'messages': [2], 'delivery_rate': [0.5]}
    """
    sent = sent_typed(sent)
    senders = sent["from"].astype("str")
    alphanumeric = senders.str.contains(r"[^\W\d_]", regex=True).fillna(False).to_numpy(bool)
    rows = sent[alphanumeric]
    codes = rows["status"].cat.codes.to_numpy()
    frame = pd.DataFrame(
        {
            "sender": senders[alphanumeric].to_numpy(),
            "delivered": codes == STATUS_INDEX["DELIVERED"],
            "final": np.isin(codes, _FINAL),
            "at": rows["insertDate"].array,  # kept tz-aware: to_numpy() boxes each moment
        }
    )
    grouped = frame.groupby("sender", sort=True)
    final = grouped["final"].sum().to_numpy(dtype="float64")
    delivered = grouped["delivered"].sum().to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(final > 0, delivered / final, np.nan)
    out = pd.DataFrame(
        {
            "sender": pd.Series(grouped.size().index, dtype="str"),
            "messages": grouped.size().to_numpy(dtype=np.int64),
            "delivery_rate": rate,
            "first_send": grouped["at"].min().array,
            "last_send": grouped["at"].max().array,
        }
    )
    for name in ("first_send", "last_send"):
        out[name] = pd.to_datetime(out[name], utc=True)
    return out.sort_values(
        ["messages", "sender"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
