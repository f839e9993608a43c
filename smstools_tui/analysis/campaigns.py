"""Campaigns: one row per ``transactionId`` (the sender's id for one send call)."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from .cost import from_micro, to_micro
from .expected import EXPECTED_COLUMNS, expected_rates
from .grouping import (
    STATUS_INDEX,
    Groups,
    micros,
    ratio,
    received_typed,
    sent_typed,
    status_codes,
    timestamps,
)
from .latency import STAGES, stage_seconds
from .replies import (
    DEFAULT_OPT_OUT_KEYWORDS,
    DEFAULT_REPLY_WINDOW,
    Keywords,
    Matched,
    Window,
    as_window,
    reply_columns,
)

__all__ = ["campaign_report"]


def campaign_report(
    sent: pd.DataFrame,
    received: pd.DataFrame | None = None,
    *,
    window: Window = DEFAULT_REPLY_WINDOW,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
    now: datetime | None = None,
) -> pd.DataFrame:
    """One row per campaign, oldest first; messages without a ``transactionId`` are left out.

    Args:
        sent: a sent frame.
        received: a received frame, for the replies and opt-outs (``None``: none counted).
        window: how long after a message a reply still counts (default 72 hours).
        keywords: the opt-out keywords (see :func:`~smstools_tui.analysis.is_opt_out`).
        now: when the frames were read, for the expected rates (``None``: the newest time in
            ``sent``, which a busy account's last message keeps close to it).

    Returns:
        ``campaign``, ``first_send`` and ``last_send`` (first and last ``insertDate``),
        ``messages``, ``delivered``, ``delivery_rate`` (as in
        :func:`~smstools_tui.analysis.delivery_report`), ``expected_rate``, ``expected_low``
        and ``expected_high`` (the rate the campaign is expected to end with and its 95 %
        interval, see :func:`~smstools_tui.analysis.expected_delivery`: a campaign still
        settling is judged on the messages sent before the first such campaign; a settled one
        has its delivery rate), ``pending``, ``spend``,
        ``median_delivery_seconds`` (sent → delivery), ``recipients``, ``replies``,
        ``repliers``, ``reply_rate``, ``median_reply_seconds``, ``p90_reply_seconds`` and
        ``opt_outs`` (see :func:`~smstools_tui.analysis.reply_report`).

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> sent = sent_frame([{"id": i, "to": to, "transactionId": "promo", "status": s,
        ...     "price": 0.1, "insertDate": "2026-11-02T10:00:00+0000",
        ...     "sentDate": "2026-11-02T10:00:01+0000"} for i, (to, s) in
        ...     enumerate([("391", "DELIVERED"), ("392", "NOTDELIVERED")])])
        >>> received = received_frame([{"from": "+391", "text": "STOP",
        ...                             "receiveDate": "2026-11-02T12:00:00+0000"}])
        >>> report = campaign_report(sent, received)
        >>> report[["campaign", "messages", "delivery_rate", "expected_rate", "spend", "replies",
        ...         "opt_outs"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
        [{'campaign': 'promo', 'messages': 2, 'delivery_rate': 0.5, 'expected_rate': 0.5,
          'spend': 0.2, 'replies': 1, 'opt_outs': 1}]
    """
    sent = sent_typed(sent)
    received = received_typed(received if received is not None else sent.iloc[:0, :0])
    in_campaign = sent["transactionId"].notna().to_numpy()
    groups = Groups.of(sent, "campaign")
    # Messages outside any campaign stay in the frame (a reply to an OTP sent after a
    # campaign message belongs to the OTP, not to the campaign) but their group is not listed.
    listed = np.zeros(groups.size, dtype=bool)
    listed[groups.codes[in_campaign]] = True
    listed[groups.codes[~in_campaign]] = False
    codes = status_codes(sent)
    inserted = micros(sent["insertDate"])
    first = np.full(groups.size, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(groups.size, np.iinfo(np.int64).min, dtype=np.int64)
    has_time = inserted != np.iinfo(np.int64).min
    np.minimum.at(first, groups.codes[has_time], inserted[has_time])
    np.maximum.at(last, groups.codes[has_time], inserted[has_time])
    first = np.where(first == np.iinfo(np.int64).max, np.iinfo(np.int64).min, first)
    delivered = groups.count(codes == STATUS_INDEX["DELIVERED"])
    final = groups.count(
        np.isin(codes, [STATUS_INDEX[s] for s in ("DELIVERED", "NOTDELIVERED", "NOSENT")])
    )
    latency = groups.quantiles(stage_seconds(sent, *STAGES["sent_to_delivery"]), (0.5,))
    base = groups.frame(
        {
            "first_send": timestamps(first),
            "last_send": timestamps(last),
            "messages": groups.count(),
            "delivered": delivered,
            "delivery_rate": ratio(delivered, final),
            "pending": groups.count(
                np.isin(codes, (STATUS_INDEX["PENDING"], STATUS_INDEX["SENT"]))
            ),
            "spend": from_micro(groups.sum_int(to_micro(sent["price"]))),
            "median_delivery_seconds": latency[:, 0],
        }
    )
    expected = expected_rates(sent, groups, now=now)
    position = base.columns.get_loc("delivery_rate") + 1
    for offset, name in enumerate(EXPECTED_COLUMNS):
        base.insert(position + offset, name, expected[name].to_numpy())
    matched = Matched(sent, received)
    replies = reply_columns(groups, matched, received, as_window(window), keywords, ordered=False)
    frame = pd.concat([base, replies.drop(columns="campaign")], axis=1)
    frame = frame[listed]
    frame["campaign"] = frame["campaign"].astype("str")
    return frame.sort_values(["first_send", "campaign"], kind="stable").reset_index(drop=True)
