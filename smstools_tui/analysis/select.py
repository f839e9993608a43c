"""The messages behind a figure: a :class:`~smstools_tui.query.Query` answered from frames that are
already loaded, relations included.

A drill-down opens exactly these messages, so the figure it came from can be computed again from
them: the window (the query's span, on the insert date of a sent message and the receive date of
a received one), the filters (:meth:`Filters.apply <smstools_tui.query.Filters.apply>`, the one
definition the clients and the store use too) and the relation to messages of the other kind,
with the reply and opt-out rules of :mod:`.replies`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..query import Query, Relation
from .grouping import received_typed, sent_typed
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

__all__ = ["relation_mask", "select"]

_TIME_COLUMN = {"sent": "insertDate", "received": "receiveDate"}


def select(
    query: Query,
    sent: pd.DataFrame,
    received: pd.DataFrame,
    *,
    reply_window: Window = DEFAULT_REPLY_WINDOW,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> pd.DataFrame:
    """The rows of ``sent`` (or ``received``, by the query's kind) that ``query`` asks for, in
    their order, with a fresh index.

    Args:
        query: what to keep: its span, filters and relation.
        sent, received: the loaded frames; both are needed for a relation (replies are matched
            against every sent message, as the reports match them).
        reply_window, keywords: the reply and opt-out rules, as the reports take them.

    Example:
        >>> from smstools_tui.frames import received_frame, sent_frame
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.query import Query, Relation, Span
        >>> sent = sent_frame([{"id": 7, "to": "393480000000", "transactionId": "promo",
        ...                     "insertDate": "2026-11-02T09:59:00+0000",
        ...                     "sentDate": "2026-11-02T10:00:00+0000"}])
        >>> received = received_frame([
        ...     {"from": "+393480000000", "text": "Stop",
        ...      "receiveDate": "2026-11-02T10:30:00+0000"},
        ...     {"from": "+393339999999", "text": "hi",
        ...      "receiveDate": "2026-11-02T10:31:00+0000"}])
        >>> november = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
        >>> replies = Query("received", november, relation=Relation(replies_to_campaigns={"promo"}))
        >>> select(replies, sent, received)["text"].tolist()
        ['Stop']
    """
    kind = query.kind
    frame = sent_typed(sent) if kind == "sent" else received_typed(received)
    keep = np.ones(len(frame), dtype=bool)
    if query.span is not None:
        stamps = frame[_TIME_COLUMN[kind]]
        keep &= (
            ((stamps >= query.span.start) & (stamps < query.span.end))
            .fillna(False)
            .to_numpy(dtype=bool)
        )
    if query.relation is not None:
        keep &= relation_mask(
            query.relation, kind, sent, received, reply_window=reply_window, keywords=keywords
        )
    chosen = frame if keep.all() else frame.iloc[np.flatnonzero(keep)].reset_index(drop=True)
    return query.filters.apply(chosen, kind)


def relation_mask(
    relation: Relation,
    kind: str,
    sent: pd.DataFrame,
    received: pd.DataFrame,
    *,
    reply_window: Window = DEFAULT_REPLY_WINDOW,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> np.ndarray:
    """Which rows of the ``kind`` frame stand in ``relation`` to the other frame.

    - received, ``replies``: the received messages that reply, within ``reply_window``, to a sent
      message (of one of ``replies_to_campaigns``, when given) — what the headline's and the
      campaigns' reply counts count;
    - received, ``opt_outs``: the opt-out messages;
    - sent, ``opt_outs``: the messages sent to a number after it opted out (the compliance list).

    Example:
        >>> from smstools_tui.frames import received_frame, sent_frame
        >>> received = received_frame([{"from": "+393480000000", "text": "STOP grazie"},
        ...                            {"from": "+393480000000", "text": "ok"}])
        >>> relation_mask(Relation(opt_outs=True), "received", sent_frame([]), received).tolist()
        [True, False]
    """
    sent, received = sent_typed(sent), received_typed(received)
    if kind == "received":
        mask = np.ones(len(received), dtype=bool)
        if relation.replies:
            matched = Matched(sent, received)
            mask &= matched.in_window(as_window(reply_window))
            if relation.replies_to_campaigns:
                rows = matched.row
                of_campaign = np.zeros(len(received), dtype=bool)
                answered = rows >= 0
                # Only the answered sent rows' campaigns: never the whole column copied.
                wanted = (
                    sent["transactionId"]
                    .iloc[rows[answered]]
                    .isin(list(relation.replies_to_campaigns))
                )
                of_campaign[answered] = wanted.to_numpy(dtype=bool)
                mask &= of_campaign
        if relation.opt_outs:
            mask &= opt_out_mask(received, keywords)
        return mask
    mask = np.ones(len(sent), dtype=bool)
    if relation.opt_outs:
        matched = Matched(sent, received)
        after = sent_after_opt_out(
            sent, matched, received, keywords, first_opt_outs(matched, received, keywords)
        )
        flagged = np.zeros(len(sent), dtype=bool)
        flagged[after["row"]] = True
        mask &= flagged
    return mask
