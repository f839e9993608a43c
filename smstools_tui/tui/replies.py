"""Which received message answers which sent one, for the detail view.

The rule is the analysis core's (:func:`~smstools_tui.analysis.match_replies`): a received
message answers the latest message sent to the same normalised number before it arrived. The
detail view and the reports therefore always agree. No Textual here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .. import analysis
from ..frames import row_values

__all__ = ["ReplyIndex"]


class ReplyIndex:
    """The replies of one loaded window, matched once and looked up per message.

    Args:
        sent, received: the window's frames (the received frame's row positions are those of
            the Received table).
        rules: the opt-out keywords and message classes (default: the defaults).

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> sent = sent_frame([{"id": 7, "to": "393480000000", "text": "Promo",
        ...                     "sentDate": "2026-11-02T10:00:00+0000"}])
        >>> received = received_frame([{"from": "+393480000000", "text": "Stop",
        ...                             "receiveDate": "2026-11-02T10:30:00+0000"}])
        >>> index = ReplyIndex(sent, received)
        >>> index.replies_to(7)["text"].tolist()
        ['Stop']
        >>> index.opted_out_before(7) is None
        True
        >>> message, match = index.answered(0)
        >>> message["text"], match["reply_seconds"], match["opt_out"]
        ('Promo', 1800.0, True)
    """

    def __init__(
        self,
        sent: pd.DataFrame,
        received: pd.DataFrame,
        rules: analysis.ComplianceRules | None = None,
    ) -> None:
        self.sent = sent
        self.received = received
        rules = analysis.ComplianceRules.of(rules)
        self.matched = analysis.match_replies(sent, received, keywords=rules)
        # The compliance list, by message id: a message sent after its number opted out says
        # so in its detail, whichever table it was opened from.
        compliance = analysis.compliance_list(sent, received, keywords=rules)
        self.after_opt_out = compliance.set_index("id")[["opted_out_at", "opt_out_text"]]

    def opted_out_before(self, message_id: object) -> dict[str, Any] | None:
        """When the number of the sent message ``message_id`` had opted out before it was sent:
        ``opted_out_at`` and ``opt_out_text`` of the first opt-out; else ``None``."""
        if message_id is None or message_id not in self.after_opt_out.index:
            return None
        return row_values(self.after_opt_out.loc[[message_id]].iloc[0])

    def replies_to(self, message_id: object) -> pd.DataFrame:
        """The received messages answering the sent message ``message_id``, oldest first, with
        ``reply_seconds``, ``in_window`` and ``opt_out``."""
        if message_id is None or self.matched.empty:
            return self.matched.iloc[:0]
        hits = (self.matched["reply_to_id"] == message_id).fillna(False).to_numpy(dtype=bool)
        return self.matched[hits].sort_values("receiveDate", kind="stable")

    def answered(self, position: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The sent message the received message at ``position`` answers (``None`` when no
        message was sent to its number before it), and its match (``reply_seconds``,
        ``in_window``, ``opt_out``, ``number``)."""
        match = row_values(self.matched.iloc[position])
        message_id = match.get("reply_to_id")
        if message_id is None:
            return None, match
        rows = self.sent[(self.sent["id"] == message_id).fillna(False).to_numpy(dtype=bool)]
        if rows.empty:
            return None, match
        return row_values(rows.iloc[0]), match
