"""What encoding and length cost: segments per message, the share of UCS-2 texts, the credits a
cheaper spelling would have saved, and the texts to rewrite.

The gateway bills per part (see :mod:`smstools_tui.segments`), so a message's price divided by
its segments is the price of one part, and the same message in ``n`` parts would have cost ``n``
times that. Two counterfactuals follow, per message:

- *as suggested*: the text after :func:`~smstools_tui.segments.suggest`'s edits (back to GSM-7
  or to fewer parts), so ``encoding_cost = spend - spend_as_suggested`` is what the characters
  outside the GSM-7 alphabet cost;
- *in one part*: ``length_cost = spend - spend_in_one_part`` is what the length cost (a text of
  161 GSM-7 characters is billed as two SMS).

Money is summed as whole micro-credits (see :mod:`.cost`); a message's counterfactual price is
rounded to the micro-credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import numpy as np
import pandas as pd

from ..segments import UCS_2, parts_after_suggestion, segment, suggest
from .cost import from_micro, to_micro
from .grouping import Groups, ratio, sent_typed

__all__ = ["encoding_report", "suggested_segments", "text_savings"]


def suggested_segments(sent: pd.DataFrame) -> np.ndarray:
    """The parts each message would take after :func:`~smstools_tui.segments.suggest`'s edits
    (its own parts where there is no suggestion; 0 for a message without text), computed once
    per distinct text.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "text": "Caffè’" * 14}, {"id": 2, "text": "Ciao"},
        ...                    {"id": 3}])
        >>> sent["segments"].tolist(), suggested_segments(sent).tolist()
        ([2, 1, <NA>], [1, 1, 0])
    """
    sent = sent_typed(sent)
    codes = sent["text"].cat.codes.to_numpy(np.int64)
    texts = sent["text"].cat.categories
    present = codes >= 0
    segments = sent["segments"].to_numpy(dtype=np.int64, na_value=0)
    per_text = np.zeros(len(texts), dtype=np.int64)
    per_text[codes[present]] = segments[present]
    # Only a UCS-2 text can have a suggestion; a GSM-7 text keeps its own parts.
    ucs2 = (sent["encoding"] == UCS_2).to_numpy(dtype=bool, na_value=False)
    for index in np.unique(codes[present & ucs2]):
        per_text[index] = parts_after_suggestion(str(texts[index]))
    # A missing text (code -1) takes the last slot: 0 parts.
    parts: np.ndarray = np.append(per_text, 0)[codes]
    return parts


def _counterfactual(micro: np.ndarray, segments: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """Each message's price had it taken ``parts`` parts instead of ``segments``."""
    scaled = micro * parts.astype(float) / np.maximum(segments, 1)
    return np.where(segments > 0, np.rint(scaled).astype(np.int64), micro)


def encoding_report(
    sent: pd.DataFrame,
    by: str | Sequence[str] | None = None,
    *,
    tz: str | tzinfo | None = None,
) -> pd.DataFrame:
    """Segments, UCS-2 share and what encoding and length cost, per group.

    Args:
        sent: a sent frame.
        by: ``None`` or grouping keys, as for :func:`~smstools_tui.analysis.delivery_report`
            (``"campaign"``, ``"sender"``, ``"month"`` …).
        tz: the zone of the calendar for time groups.

    Returns:
        The group columns, then ``messages``, ``segments`` (parts billed),
        ``segments_per_message`` (of the messages with a text), ``ucs2_messages``,
        ``ucs2_share``, ``spend``, ``spend_as_suggested`` (had every text been written as
        :func:`~smstools_tui.segments.suggest` proposes), ``encoding_cost`` (``spend`` minus
        that), ``spend_in_one_part`` and ``length_cost`` (``spend`` minus that); money in
        credits.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([
        ...     {"id": 1, "text": "Sconto dell’80%! " * 5, "price": 0.2, "from": "Shop"},
        ...     {"id": 2, "text": "Ciao", "price": 0.1, "from": "Shop"}])
        >>> encoding_report(sent, "sender").iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
        {'sender': 'Shop', 'messages': 2, 'segments': 3, 'segments_per_message': 1.5,
         'ucs2_messages': 1, 'ucs2_share': 0.5, 'spend': 0.3, 'spend_as_suggested': 0.2,
         'encoding_cost': 0.1, 'spend_in_one_part': 0.2, 'length_cost': 0.1}
    """
    sent = sent_typed(sent)
    groups = Groups.of(sent, by, tz=tz)
    micro = to_micro(sent["price"])
    segments = sent["segments"].to_numpy(dtype=np.int64, na_value=0)
    with_text = segments > 0
    ucs2 = (sent["encoding"] == UCS_2).to_numpy(dtype=bool, na_value=False)
    as_suggested = _counterfactual(micro, segments, suggested_segments(sent))
    in_one_part = _counterfactual(micro, segments, np.ones_like(segments))
    spend = groups.sum_int(micro)
    suggested_spend = groups.sum_int(as_suggested)
    one_part_spend = groups.sum_int(in_one_part)
    messages = groups.count()
    texts = groups.count(with_text)
    parts = groups.sum_int(segments)
    return groups.frame(
        {
            "messages": messages,
            "segments": parts,
            "segments_per_message": ratio(parts, texts),
            "ucs2_messages": groups.count(ucs2),
            "ucs2_share": ratio(groups.count(ucs2), texts),
            "spend": from_micro(spend),
            "spend_as_suggested": from_micro(suggested_spend),
            "encoding_cost": from_micro(spend - suggested_spend),
            "spend_in_one_part": from_micro(one_part_spend),
            "length_cost": from_micro(spend - one_part_spend),
        },
        size=spend,
    )


def text_savings(sent: pd.DataFrame) -> pd.DataFrame:
    """The savings finder: every distinct text a cheaper spelling would send in fewer parts or
    as GSM-7, with the edits, the characters they touch and what they would have saved over
    the messages that carried the text; largest saving first.

    Returns:
        ``text``, ``campaign`` (the campaign that sent it most, ``NaN`` for none),
        ``messages``, ``encoding``, ``segments``, ``suggested_text``, ``suggested_encoding``,
        ``suggested_segments``, ``edits`` (each edit and the characters it replaced),
        ``characters`` (every character replaced), ``parts_saved`` and ``credits_saved``.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "text": "L’offerta è qui… " * 5, "price": 0.3,
        ...                     "transactionId": "promo"} for i in range(4)])
        >>> row = text_savings(sent).iloc[0]
        >>> row["segments"], row["suggested_segments"], row["parts_saved"], row["credits_saved"]
        (np.int64(2), np.int64(1), np.int64(4), np.float64(0.6))
        >>> row["edits"], row["characters"]
        ("curly apostrophes ’ → '; ellipsis … → ...", '’…')
    """
    sent = sent_typed(sent)
    columns = ["text", "campaign", "messages", "encoding", "segments", "suggested_text",
               "suggested_encoding", "suggested_segments", "edits", "characters",
               "parts_saved", "credits_saved"]  # fmt: skip
    ucs2 = (sent["encoding"] == UCS_2).to_numpy(dtype=bool, na_value=False)
    candidates = sent.loc[ucs2, ["text", "transactionId", "price"]]
    rows = []
    for text, messages in candidates.groupby("text", observed=True, sort=False):
        suggestion = suggest(str(text))
        if suggestion is None:
            continue
        original = segment(str(text))
        saved_parts = original.segments - suggestion.segmentation.segments
        micro = to_micro(messages["price"])
        saved = micro - _counterfactual(
            micro,
            np.full(len(micro), original.segments),
            np.full(len(micro), suggestion.segmentation.segments),
        )
        campaigns = messages["transactionId"].value_counts(sort=True)
        most = campaigns.index[0] if len(campaigns) and campaigns.iloc[0] > 0 else np.nan
        rows.append(
            {
                "text": str(text),
                "campaign": most,
                "messages": len(messages),
                "encoding": original.encoding,
                "segments": original.segments,
                "suggested_text": suggestion.text,
                "suggested_encoding": suggestion.segmentation.encoding,
                "suggested_segments": suggestion.segmentation.segments,
                "edits": "; ".join(
                    f"{edit.name} {edit.characters} → {edit.replacement or '(removed)'}"
                    for edit in suggestion.substitutions
                ),
                "characters": "".join(
                    dict.fromkeys(edit.characters for edit in suggestion.substitutions)
                ),
                "parts_saved": saved_parts * len(messages),
                "credits_saved": from_micro(int(saved.sum())),
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.astype(
        {
            "messages": np.int64,
            "segments": np.int64,
            "suggested_segments": np.int64,
            "parts_saved": np.int64,
            "credits_saved": float,
        }
    )
    return frame.sort_values(
        ["credits_saved", "parts_saved", "messages", "text"],
        ascending=[False, False, False, True],
        kind="stable",
    ).reset_index(drop=True)
