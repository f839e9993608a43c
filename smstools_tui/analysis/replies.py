"""Replies, opt-outs and the compliance list.

- A received message **replies** to the latest message sent to the same number before it
  arrived (numbers normalised first: ``+39…``, ``0039…`` and ``39…`` are one number). Only
  messages handed to the operator (those with a ``sentDate``) can be replied to, and a reply
  counts for a campaign when it arrives within a window (default 72 hours) of that message.
- A received message is an **opt-out** when its text contains one of the opt-out keywords as a
  whole word, ignoring case and accents: ``Stop``, ``STÒP`` and ``stop!`` are opt-outs,
  ``stopper`` is not; with ``strict`` matching the whole reply must be the keyword. An
  **opt-in** (``START``, ``ISCRIVI``) ends the number's opt-out (see
  :mod:`~smstools_tui.analysis.compliance` for the rules).
- The **compliance list** holds the marketing messages sent to a number while it was opted out.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import timedelta, tzinfo
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .compliance import (
    DEFAULT_OPT_IN_KEYWORDS,
    DEFAULT_OPT_OUT_KEYWORDS,
    ComplianceRules,
    KeywordMatch,
    classify_messages,
)
from .grouping import (
    NAT,
    Groups,
    lookup,
    micros,
    ratio,
    received_typed,
    sent_typed,
    take,
    timestamps,
)
from .numbers import normalise_numbers

__all__ = [
    "DEFAULT_OPT_OUT_KEYWORDS",
    "DEFAULT_REPLY_WINDOW",
    "Keywords",
    "compliance_list",
    "is_opt_in",
    "is_opt_out",
    "match_replies",
    "opt_out_report",
    "reply_report",
]

Keywords = Iterable[str] | ComplianceRules
"""The opt-out keywords alone (every other rule its default), or all the rules."""

DEFAULT_REPLY_WINDOW = pd.Timedelta(hours=72)
"""How long after a message a reply still counts for it."""

Window = timedelta | str
"""A reply window: a ``timedelta`` (``pd.Timedelta`` too) or text such as ``"72h"``."""


def is_opt_out(
    texts: pd.Series,
    keywords: Iterable[str] = DEFAULT_OPT_OUT_KEYWORDS,
    *,
    match: KeywordMatch = "lenient",
) -> pd.Series:
    """Whether each text is an opt-out: it contains an opt-out keyword as a whole word
    (``lenient``), or it is the keyword and nothing else (``strict``); case, accents and, for
    ``strict``, spaces and punctuation around the keyword are ignored. NA is not an opt-out.

    Example:
        >>> texts = pd.Series(["Stop", "STÒP grazie", "stopper per porte", "Rimuovi!", None])
        >>> is_opt_out(texts).tolist()
        [True, True, False, True, False]
        >>> is_opt_out(texts, match="strict").tolist()
        [True, False, False, True, False]
    """
    return _keyword_hits(texts, keywords, match)


def is_opt_in(
    texts: pd.Series,
    keywords: Iterable[str] = DEFAULT_OPT_IN_KEYWORDS,
    *,
    match: KeywordMatch = "lenient",
) -> pd.Series:
    """Whether each text is an opt-in (``START``, ``ISCRIVI``), matched as :func:`is_opt_out`
    matches opt-outs.

    Example:
        >>> is_opt_in(pd.Series(["start", "Iscrivi di nuovo", "started"])).tolist()
        [True, True, False]
    """
    return _keyword_hits(texts, keywords, match)


def _keyword_hits(texts: pd.Series, keywords: Iterable[str], match: KeywordMatch) -> pd.Series:
    words = sorted({_fold(keyword.strip()) for keyword in keywords if keyword.strip()})
    if not words or len(texts) == 0:
        return pd.Series(False, index=texts.index, dtype=bool)
    values = pa.array(pd.array(texts, dtype="str").to_numpy(na_value=None), type=pa.string())
    folded = pc.utf8_lower(
        pc.replace_substring_regex(pc.utf8_normalize(values, "NFKD"), r"\p{Mn}+", "")
    )
    # No look-around in Arrow's engine (RE2), and its \b knows only ASCII: a word boundary is
    # an end of the text or a character that is not a letter, a digit or an underscore.
    alternatives = "|".join(_escape(word) for word in words)
    if match == "strict":
        pattern = rf"^[^\p{{L}}\p{{N}}]*(?:{alternatives})[^\p{{L}}\p{{N}}]*$"
    else:
        pattern = rf"(?:^|[^\p{{L}}\p{{N}}_])(?:{alternatives})(?:$|[^\p{{L}}\p{{N}}_])"
    hits = pc.fill_null(pc.match_substring_regex(folded, pattern), False)
    return pd.Series(np.asarray(hits.to_numpy(zero_copy_only=False), dtype=bool), index=texts.index)


def opt_out_mask(received: pd.DataFrame, keywords: Keywords) -> np.ndarray:
    """Which received messages are opt-outs under ``keywords`` (words or the whole rules)."""
    return _opt_outs(received, ComplianceRules.of(keywords))


def _opt_outs(received: pd.DataFrame, rules: ComplianceRules) -> np.ndarray:
    hits = is_opt_out(received["text"], rules.opt_out, match=rules.match)
    return np.asarray(hits.to_numpy(dtype=bool), dtype=bool)


def _opt_ins(received: pd.DataFrame, rules: ComplianceRules) -> np.ndarray:
    # A reply that is both (``STOP START``) stays an opt-out: in doubt, a number is opted out.
    opt_in = is_opt_in(received["text"], rules.opt_in, match=rules.match).to_numpy(dtype=bool)
    both: np.ndarray = np.logical_and(opt_in, ~_opt_outs(received, rules))
    return both


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").lower()


def _escape(text: str) -> str:
    return "".join(ch if ch.isalnum() else f"\\x{{{ord(ch):x}}}" for ch in text)


def as_window(window: Window) -> pd.Timedelta:
    """A reply window as a ``Timedelta``; a negative one is refused."""
    value = pd.Timedelta(window)
    if value < pd.Timedelta(0):
        raise ValueError("the reply window cannot be negative")
    return value


class Matched:
    """Received messages matched to sent rows, in the received frame's row order."""

    def __init__(self, sent: pd.DataFrame, received: pd.DataFrame) -> None:
        sent_numbers = normalise_numbers(sent["to"])
        received_numbers = normalise_numbers(received["from"])
        # One code space for both sides' numbers.
        sent_categories = sent_numbers.cat.categories
        inverse, union = pd.factorize(
            sent_categories.append(received_numbers.cat.categories), sort=False
        )
        self.numbers = pd.Index(union, dtype="str")
        self.sent_key = _recode(sent_numbers, inverse[: len(sent_categories)])
        self.received_key = _recode(received_numbers, inverse[len(sent_categories) :])
        self.sent_at = micros(sent["sentDate"])
        self.received_at = micros(received["receiveDate"])
        self.row = self._merge()  # sent row position replied to, -1 for none
        matched = self.row >= 0
        self.gap_us = np.full(len(received), np.iinfo(np.int64).max, dtype=np.int64)
        self.gap_us[matched] = self.received_at[matched] - self.sent_at[self.row[matched]]

    def _merge(self) -> np.ndarray:
        out = np.full(len(self.received_key), -1, dtype=np.int64)
        heard_from = np.zeros(len(self.numbers) + 1, dtype=bool)
        heard_from[self.received_key[self.received_key >= 0]] = True
        # Only messages to numbers that wrote back matter: usually a small part of the sent.
        candidates = np.flatnonzero(
            (self.sent_at != NAT) & (self.sent_key >= 0) & heard_from[self.sent_key]
        )
        listening = np.flatnonzero((self.received_at != NAT) & (self.received_key >= 0))
        if len(candidates) == 0 or len(listening) == 0:
            return out
        right = pd.DataFrame(
            {"key": self.sent_key[candidates], "at": self.sent_at[candidates], "row": candidates}
        ).sort_values(["at", "row"], kind="stable")
        left = pd.DataFrame(
            {
                "key": self.received_key[listening],
                "at": self.received_at[listening],
                "position": listening,
            }
        ).sort_values("at", kind="stable")
        merged = pd.merge_asof(
            left, right, on="at", by="key", direction="backward", allow_exact_matches=True
        )
        found = merged["row"].notna().to_numpy()
        out[merged["position"].to_numpy()[found]] = merged["row"].to_numpy()[found].astype(np.int64)
        return out

    def in_window(self, window: pd.Timedelta) -> np.ndarray:
        limit = int(window / pd.Timedelta(microseconds=1))
        return (self.row >= 0) & (self.gap_us <= limit)


def _recode(numbers: pd.Series, mapping: np.ndarray) -> np.ndarray:
    codes = numbers.cat.codes.to_numpy(np.int64)
    return lookup(mapping.astype(np.int64), codes, -1)


def match_replies(
    sent: pd.DataFrame,
    received: pd.DataFrame,
    *,
    window: Window = DEFAULT_REPLY_WINDOW,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> pd.DataFrame:
    """Each received message with the sent message it replies to.

    Returns:
        The received frame's columns (same rows, same order) and: ``number`` (normalised),
        ``reply_to_id``, ``campaign``, ``sender`` (of the message replied to; NA when none was
        sent to that number before), ``sent_at``, ``reply_seconds`` (time since that message),
        ``in_window`` (replied within ``window``) and ``opt_out``.

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> sent = sent_frame([{"id": 7, "to": "393480000000", "transactionId": "promo",
        ...                     "sentDate": "2026-11-02T10:00:00+0000"}])
        >>> received = received_frame([{"from": "+393480000000", "text": "Stop",
        ...                             "receiveDate": "2026-11-02T10:30:00+0000"}])
        >>> match_replies(sent, received)[["reply_to_id", "campaign", "reply_seconds",
        ...     "in_window", "opt_out"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
        [{'reply_to_id': 7, 'campaign': 'promo', 'reply_seconds': 1800.0, 'in_window': True,
          'opt_out': True}]
    """
    sent, received = sent_typed(sent), received_typed(received)
    matched = Matched(sent, received)
    rows = matched.row
    out = received.copy()
    out["number"] = pd.Categorical.from_codes(matched.received_key, categories=matched.numbers)
    out["reply_to_id"] = take(sent["id"], rows)
    out["campaign"] = take(sent["transactionId"], rows)
    out["sender"] = take(sent["from"], rows)
    out["sent_at"] = take(sent["sentDate"], rows)
    out["reply_seconds"] = np.where(rows >= 0, matched.gap_us / 1e6, np.nan)
    out["in_window"] = matched.in_window(as_window(window))
    out["opt_out"] = _opt_outs(received, ComplianceRules.of(keywords))
    return out


def reply_report(
    sent: pd.DataFrame,
    received: pd.DataFrame,
    by: str | Sequence[str] | None = "campaign",
    *,
    window: Window = DEFAULT_REPLY_WINDOW,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
    tz: str | tzinfo | None = None,
) -> pd.DataFrame:
    """Replies per group of the messages replied to (default: per campaign).

    Returns:
        The group columns, ``recipients`` (distinct numbers the group's messages were handed
        over to), ``replies`` (received messages replying within the window),
        ``repliers`` (distinct numbers among them), ``reply_rate`` (repliers / recipients),
        ``median_reply_seconds``, ``p90_reply_seconds`` and ``opt_outs`` (opt-out replies
        within the window).

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> sent = sent_frame([{"id": i, "to": to, "transactionId": "promo",
        ...     "sentDate": "2026-11-02T10:00:00+0000"} for i, to in enumerate(["391", "392"])])
        >>> received = received_frame([{"from": "+391", "text": "Grazie",
        ...                             "receiveDate": "2026-11-02T10:01:00+0000"}])
        >>> reply_report(sent, received).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
        {'campaign': 'promo', 'recipients': 2, 'replies': 1, 'repliers': 1, 'reply_rate': 0.5,
         'median_reply_seconds': 60.0, 'p90_reply_seconds': 60.0, 'opt_outs': 0}
    """
    sent, received = sent_typed(sent), received_typed(received)
    groups = Groups.of(sent, by, tz=tz)
    matched = Matched(sent, received)
    return reply_columns(groups, matched, received, as_window(window), keywords)


def reply_columns(
    groups: Groups,
    matched: Matched,
    received: pd.DataFrame,
    window: pd.Timedelta,
    keywords: Keywords,
    *,
    ordered: bool = True,
) -> pd.DataFrame:
    """The reply columns of :func:`reply_report` for ``groups`` of the sent messages (in
    report order unless ``ordered`` is false: then in the groups' own order)."""
    handed = (matched.sent_at != NAT) & (matched.sent_key >= 0)
    recipients = _distinct_pairs(groups.codes[handed], matched.sent_key[handed], groups.size)
    replying = matched.in_window(window)
    group_of_reply = groups.codes[matched.row[replying]]
    reply_numbers = matched.received_key[replying]
    seconds = matched.gap_us[replying] / 1e6
    reply_groups = Groups(group_of_reply, groups.labels)
    q = reply_groups.quantiles(seconds, (0.5, 0.9))
    opt_out = _opt_outs(received, ComplianceRules.of(keywords))[replying]
    replies = reply_groups.count()
    repliers = _distinct_pairs(group_of_reply, reply_numbers, groups.size)
    return groups.frame(
        {
            "recipients": recipients,
            "replies": replies,
            "repliers": repliers,
            "reply_rate": ratio(repliers, recipients),
            "median_reply_seconds": q[:, 0],
            "p90_reply_seconds": q[:, 1],
            "opt_outs": reply_groups.count(opt_out),
        },
        size=replies if ordered else None,
    )


def _distinct_pairs(groups: np.ndarray, numbers: np.ndarray, size: int) -> np.ndarray:
    """Distinct numbers per group."""
    if len(groups) == 0:
        return np.zeros(size, dtype=np.int64)
    width = int(numbers.max()) + 1
    pairs = pd.unique(groups.astype(np.int64) * width + numbers)
    return np.bincount(pairs // width, minlength=size).astype(np.int64)


def first_opt_outs(matched: Matched, received: pd.DataFrame, keywords: Keywords) -> pd.DataFrame:
    """One row per number that opted out: when first, with what text, how many times, and
    whether its last keyword was an opt-in (``opted_back_in``)."""
    rules = ComplianceRules.of(keywords)
    opt_out = _opt_outs(received, rules)
    usable = (matched.received_key >= 0) & (matched.received_at != NAT)
    rows = np.flatnonzero(opt_out & usable)
    frame = pd.DataFrame(
        {"key": matched.received_key[rows], "at": matched.received_at[rows], "row": rows}
    ).sort_values(["at", "row"], kind="stable")
    counts = frame.groupby("key", sort=False).size()
    first = frame.drop_duplicates("key", keep="first").set_index("key")
    first["opt_out_messages"] = counts
    last_out = frame.groupby("key", sort=False)["at"].max()
    ins = np.flatnonzero(_opt_ins(received, rules) & usable)
    last_in = (
        pd.Series(matched.received_at[ins], index=matched.received_key[ins]).groupby(level=0).max()
    )
    back_in = last_in.reindex(first.index).to_numpy() > last_out.reindex(first.index).to_numpy()
    first["opted_back_in"] = back_in
    return first


def opt_out_report(
    sent: pd.DataFrame,
    received: pd.DataFrame,
    *,
    window: Window = DEFAULT_REPLY_WINDOW,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> pd.DataFrame:
    """One row per number that opted out, first opt-out first.

    Returns:
        ``number``, ``opted_out_at`` (the first opt-out), ``text`` (its text), ``campaign``
        (the campaign it replied to, when within the window), ``opt_out_messages`` (how many
        opt-outs the number sent), ``opted_back_in`` (its last keyword was an opt-in),
        ``sent_after`` (marketing messages sent to the number while it was opted out: see
        :func:`compliance_list`) and ``last_sent_after``.

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> sent = sent_frame([{"id": i, "to": "393480000000", "insertDate": t, "sentDate": t,
        ...     "transactionId": "promo"}
        ...     for i, t in enumerate(["2026-11-02T10:00:00+0000", "2026-11-09T10:00:00+0000"])])
        >>> received = received_frame([{"from": "+393480000000", "text": "STOP",
        ...                             "receiveDate": "2026-11-02T11:00:00+0000"}])
        >>> opt_out_report(sent, received)[["number", "text", "sent_after"]].to_dict("list")
        {'number': ['393480000000'], 'text': ['STOP'], 'sent_after': [1]}
    """
    sent, received = sent_typed(sent), received_typed(received)
    matched = Matched(sent, received)
    rules = ComplianceRules.of(keywords)
    first = first_opt_outs(matched, received, rules)
    replying = matched.in_window(as_window(window))
    rows = first["row"].to_numpy(np.int64)
    replied_row = np.where(replying[rows], matched.row[rows], -1)
    after = sent_after_opt_out(sent, matched, received, rules, first)
    after_counts = np.bincount(after["position"], minlength=len(first))
    last_after = np.full(len(first), NAT, dtype=np.int64)
    np.maximum.at(last_after, after["position"], after["at"])
    frame = pd.DataFrame(
        {
            "number": pd.Series(matched.numbers[first.index.to_numpy(np.int64)], dtype="str"),
            "opted_out_at": timestamps(first["at"].to_numpy(np.int64)),
            "text": take(received["text"], rows),
            "campaign": take(sent["transactionId"], replied_row),
            "opt_out_messages": first["opt_out_messages"].to_numpy(np.int64),
            "opted_back_in": first["opted_back_in"].to_numpy(dtype=bool),
            "sent_after": np.asarray(after_counts, dtype=np.int64),
            "last_sent_after": timestamps(last_after),
        }
    )
    return frame.sort_values(["opted_out_at", "number"], kind="stable").reset_index(drop=True)


def sent_after_opt_out(
    sent: pd.DataFrame,
    matched: Matched,
    received: pd.DataFrame,
    keywords: Keywords,
    first: pd.DataFrame,
) -> dict[str, Any]:
    """Marketing messages inserted while their number was opted out (after an opt-out, before
    any later opt-in): sent row, position of the number in ``first``, insert time, and the
    received row of the opt-out in effect (``out_row``)."""
    rules = ComplianceRules.of(keywords)
    usable = (matched.received_key >= 0) & (matched.received_at != NAT)
    opt_out = _opt_outs(received, rules) & usable
    opt_in = _opt_ins(received, rules) & usable
    events = np.flatnonzero(opt_out | opt_in)
    inserted = micros(sent["insertDate"])
    key = matched.sent_key
    marketing = classify_messages(sent, rules.classes)["message_class"].to_numpy() == "marketing"
    candidates = np.flatnonzero((key >= 0) & (inserted != NAT) & marketing)
    empty = np.zeros(0, dtype=np.int64)
    if len(events) == 0 or len(candidates) == 0:
        return {"row": empty, "position": empty, "at": empty, "out_row": empty}
    right = pd.DataFrame(
        {
            "key": matched.received_key[events],
            "at": matched.received_at[events],
            "event_row": events,
            "is_out": opt_out[events],
        }
    ).sort_values(["at", "event_row"], kind="stable")
    left = pd.DataFrame(
        {"key": key[candidates], "at": inserted[candidates], "row": candidates}
    ).sort_values(["at", "row"], kind="stable")
    # The number's last keyword strictly before the message: sent while opted out when it was
    # an opt-out.
    merged = pd.merge_asof(
        left, right, on="at", by="key", direction="backward", allow_exact_matches=False
    )
    flagged = merged["is_out"].fillna(False).to_numpy(dtype=bool)
    merged = merged[flagged]
    position = np.full(len(matched.numbers) + 1, -1, dtype=np.int64)
    position[first.index.to_numpy(np.int64)] = np.arange(len(first))
    rows = merged["row"].to_numpy(np.int64)
    return {
        "row": rows,
        "position": position[key[rows]],
        "at": merged["at"].to_numpy(np.int64),
        "out_row": merged["event_row"].to_numpy(np.int64),
    }


def compliance_list(
    sent: pd.DataFrame,
    received: pd.DataFrame,
    *,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> pd.DataFrame:
    """Marketing messages sent to a number while it was opted out, oldest first.

    ``keywords`` are the opt-out keywords, or the whole :class:`ComplianceRules` (opt-in
    keywords, strict or lenient matching, message classes).

    Returns:
        ``id``, ``to``, ``from``, ``transactionId``, ``insertDate``, ``status``, ``price``,
        ``text`` of each such message, ``message_class`` (marketing, by the rules of
        :func:`~smstools_tui.analysis.classify_messages`, which also says which rule), then
        ``opted_out_at`` and ``opt_out_text`` (the opt-out in effect when it was sent).

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> sent = sent_frame([{"id": i, "to": "393480000000", "insertDate": t, "sentDate": t,
        ...     "transactionId": "promo"}
        ...     for i, t in enumerate(["2026-11-02T10:00:00+0000", "2026-11-09T10:00:00+0000"])])
        >>> received = received_frame([{"from": "+39 348 000 0000", "text": "stop",
        ...                             "receiveDate": "2026-11-02T11:00:00+0000"}])
        >>> compliance_list(sent, received)[["id", "message_class"]].to_dict("list")
        {'id': [1], 'message_class': ['marketing']}
    """
    sent, received = sent_typed(sent), received_typed(received)
    rules = ComplianceRules.of(keywords)
    matched = Matched(sent, received)
    first = first_opt_outs(matched, received, rules)
    after = sent_after_opt_out(sent, matched, received, rules, first)
    columns = ["id", "to", "from", "transactionId", "insertDate", "status", "price", "text"]
    out = sent[columns].iloc[after["row"]].reset_index(drop=True)
    classes = classify_messages(sent, rules.classes).iloc[after["row"]].reset_index(drop=True)
    out["message_class"] = classes["message_class"]
    out["opted_out_at"] = timestamps(matched.received_at[after["out_row"]])
    out["opt_out_text"] = take(received["text"], after["out_row"])
    return out.sort_values(["insertDate", "id"], kind="stable").reset_index(drop=True)
