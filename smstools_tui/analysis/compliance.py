"""The rules of the compliance list: which replies opt a number out (or back in), and which
messages are marketing.

- **Keywords.** A reply is an opt-out when it is one of the opt-out keywords, an opt-in when it
  is one of the opt-in keywords. ``strict`` matching (what gateways do) takes the whole reply:
  ``Stop``, ``STÒP`` and ``stop!`` are ``STOP`` once case, accents, spaces and punctuation
  around it are set aside, ``stop grazie`` is not. ``lenient`` matching takes the keyword as a
  whole word anywhere in the reply: ``stop grazie`` is an opt-out, ``stopper`` is not.
- **Opt-in ends an opt-out.** A number is opted out from its opt-out until its next opt-in.
- **Classes.** A message is ``marketing`` or ``transactional`` (an OTP, an order alert): by its
  campaign (``transactionId``, glob patterns), by its sender, or by the API's ``type``; the
  campaign decides first, then the sender, then the type, then having no campaign id at all
  (the empty pattern ``""``), then :attr:`MessageClasses.default`. Within one of them a
  marketing rule wins over a transactional one: in doubt, a message is counted. Only marketing
  messages sent while their number was opted out are on the compliance list.

These are the customer's rules, set in the config file's ``[compliance]`` and ``[classes]``
tables; this module only applies them.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_OPT_IN_KEYWORDS",
    "DEFAULT_OPT_OUT_KEYWORDS",
    "MESSAGE_CLASSES",
    "ComplianceRules",
    "KeywordMatch",
    "MessageClasses",
    "classify_messages",
]

DEFAULT_OPT_OUT_KEYWORDS: tuple[str, ...] = (
    "STOP", "CANCELLA", "ANNULLA", "UNSUBSCRIBE", "RIMUOVI",
)  # fmt: skip
"""Words that make a received message an opt-out (Italian and English)."""

DEFAULT_OPT_IN_KEYWORDS: tuple[str, ...] = ("START", "ISCRIVI")
"""Words that make a received message an opt-in: it ends the number's opt-out."""

KeywordMatch = Literal["strict", "lenient"]
"""``strict``: the whole reply is the keyword; ``lenient``: the keyword is a word of it."""

MESSAGE_CLASSES: tuple[str, ...] = ("marketing", "transactional")
"""The classes a sent message can have."""

MessageClass = Literal["marketing", "transactional"]


@dataclass(frozen=True)
class MessageClasses:
    """How sent messages are told apart: glob patterns (``*``, ``?``; case ignored) on the
    campaign (``transactionId``; ``""`` matches a message with none), the sender and the type.

    The default takes a campaign (a batch sharing a ``transactionId``) for marketing and a
    message sent on its own (an OTP, an order alert) for transactional.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "from": "MyShop", "transactionId": "promo"},
        ...                    {"id": 2, "from": "MyShop OTP"},
        ...                    {"id": 3, "from": "MyShop", "transactionId": "order-alert-7"}])
        >>> classes = MessageClasses(transactional_campaigns=("order-*", ""))
        >>> classify_messages(sent, classes)["message_class"].tolist()
        ['marketing', 'transactional', 'transactional']
    """

    marketing_campaigns: tuple[str, ...] = ()
    transactional_campaigns: tuple[str, ...] = ("",)
    marketing_senders: tuple[str, ...] = ()
    transactional_senders: tuple[str, ...] = ()
    marketing_types: tuple[str, ...] = ()
    transactional_types: tuple[str, ...] = ()
    default: MessageClass = "marketing"

    def __post_init__(self) -> None:
        if self.default not in MESSAGE_CLASSES:
            raise ValueError(f"a message class is marketing or transactional, not {self.default!r}")


@dataclass(frozen=True)
class ComplianceRules:
    """Everything the compliance list is computed with.

    Attributes:
        opt_out: the opt-out keywords.
        opt_in: the opt-in keywords (a later opt-in ends an opt-out).
        match: ``strict`` or ``lenient`` (see the module's description).
        classes: which messages are marketing.

    Example:
        >>> rules = ComplianceRules(opt_out=("stop",), match="strict")
        >>> rules.opt_out, rules.opt_in
        (('stop',), ('START', 'ISCRIVI'))
    """

    opt_out: tuple[str, ...] = DEFAULT_OPT_OUT_KEYWORDS
    opt_in: tuple[str, ...] = DEFAULT_OPT_IN_KEYWORDS
    match: KeywordMatch = "lenient"
    classes: MessageClasses = field(default_factory=MessageClasses)

    def __post_init__(self) -> None:
        if self.match not in ("strict", "lenient"):
            raise ValueError(f"keyword matching is strict or lenient, not {self.match!r}")

    @classmethod
    def of(cls, keywords: Iterable[str] | ComplianceRules | None) -> ComplianceRules:
        """Rules from what a caller gave: rules themselves, or only the opt-out keywords (the
        other rules their defaults), or nothing (every rule its default).

        Example:
            >>> ComplianceRules.of(["STOP"]).opt_out, ComplianceRules.of(None).match
            (('STOP',), 'lenient')
        """
        if isinstance(keywords, ComplianceRules):
            return keywords
        if keywords is None:
            return cls()
        return cls(opt_out=tuple(keywords))


def classify_messages(sent: pd.DataFrame, classes: MessageClasses | None = None) -> pd.DataFrame:
    """The class of each sent message and the rule that gave it.

    Returns:
        A frame aligned with ``sent``: ``message_class`` (``marketing`` or ``transactional``)
        and ``class_rule`` (``campaign order-*``, ``sender MyShop OTP``, ``type SMS`` or
        ``default``). Work is done once per distinct campaign, sender and type.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "from": "MyShop OTP"}, {"id": 2, "from": "MyShop"}])
        >>> classes = MessageClasses(transactional_campaigns=(),
        ...                          transactional_senders=("* otp",))
        >>> classify_messages(sent, classes).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'message_class': ['transactional', 'marketing'],
         'class_rule': ['sender * otp', 'default']}
    """
    classes = classes or MessageClasses()
    n = len(sent)
    decided = np.zeros(n, dtype=bool)
    is_marketing = np.full(n, classes.default == "marketing", dtype=bool)
    rule = np.full(n, "default", dtype=object)
    named = tuple(p for p in classes.marketing_campaigns if p)
    named_transactional = tuple(p for p in classes.transactional_campaigns if p)
    levels = (
        ("campaign", "transactionId", named, named_transactional),
        ("sender", "from", classes.marketing_senders, classes.transactional_senders),
        ("type", "type", classes.marketing_types, classes.transactional_types),
        # "No campaign id" says least about a message: it decides only when neither the
        # sender nor the type has.
        (
            "campaign",
            "transactionId",
            tuple(p for p in classes.marketing_campaigns if not p),
            tuple(p for p in classes.transactional_campaigns if not p),
        ),
    )
    for label, column, marketing, transactional in levels:
        if column not in sent.columns or not (marketing or transactional):
            continue
        values = sent[column]
        for patterns, marketing_class in ((marketing, True), (transactional, False)):
            for pattern in patterns:
                hits = _matching(values, pattern) & ~decided
                is_marketing[hits] = marketing_class
                rule[hits] = f"{label} {pattern}" if pattern else f"{label} (none)"
                decided |= hits
    return pd.DataFrame(
        {
            "message_class": pd.Categorical.from_codes(
                np.where(is_marketing, 0, 1), categories=pd.Index(MESSAGE_CLASSES, dtype="str")
            ),
            "class_rule": pd.Series(rule, dtype="str").to_numpy(),
        },
        index=sent.index,
    )


def _matching(values: pd.Series, pattern: str) -> np.ndarray:
    """Whether each value matches a glob pattern, case ignored; ``""`` matches a missing or
    empty value. Tested once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = np.asarray(codes)
    if pattern == "":
        hits = np.array([str(value) == "" for value in uniques], dtype=bool)
        found = np.append(hits, True)  # the last position is NA: no value at all
    else:
        compiled = re.compile(fnmatch.translate(pattern.casefold()))
        hits = np.array([bool(compiled.match(str(value).casefold())) for value in uniques], bool)
        found = np.append(hits, False)
    return found[np.where(codes >= 0, codes, len(uniques))]
