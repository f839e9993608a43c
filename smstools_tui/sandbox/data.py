"""A seeded synthetic Smstools account: campaigns, alerts and OTPs sent; replies, opt-outs received.

Everything is generated column-wise with numpy from one seed, so the same seed and ``now`` give
the same account, and a million messages take seconds. Times are epoch seconds; a message's status
is not stored but derived from the clock (:meth:`SentTable.status_at`), so PENDING and SENT
messages settle as time passes and messages scheduled after ``now`` appear when their time comes.

What makes it realistic enough to test reports against:

- campaigns (shared ``transactionId``, one text, sent through a queue), order alerts and OTPs
  (no ``transactionId``), from several senders, growing over time, busier on weekdays;
- recipients in several countries with their own prices, a few invalid numbers (always NOSENT),
  a pool of dead numbers (always NOTDELIVERED), multipart pricing for long or unicode texts;
- insert→sent→delivery latencies from log-normal distributions, a campaign still being sent at
  ``now``, a few messages stuck in SENT;
- replies to campaigns on a dedicated number, STOP-style opt-outs in several languages (and
  words that only look like one), later campaigns that still reach some opted-out numbers,
  keyword messages from strangers, identical messages in the same second;
- a history long enough to cross a daylight-saving change, and hostile texts: spreadsheet formulas,
  Rich markup, ANSI and OSC escapes, bidi overrides, control characters, a 2,000-character text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from ..frames import RECEIVED_SCHEMA, SENT_SCHEMA, STATUSES, coerce_frame
from ..segments import segment

__all__ = [
    "SETTLINGS",
    "AccountSpec",
    "ReceivedTable",
    "SandboxAccount",
    "SentTable",
    "Settling",
    "generate_account",
]

NEVER = np.iinfo(np.int64).max
"""An event that never happens (a NOSENT message's delivery, a stuck message's report)."""

PENDING, SENT, NOSENT, DELIVERED, NOTDELIVERED = range(5)
assert STATUSES[NOTDELIVERED] == "NOTDELIVERED"

# country code, share of recipients, price per SMS part, delivery slowness factor, number maker
_COUNTRIES: tuple[tuple[str, float, float, float], ...] = (
    ("39", 0.80, 0.0945, 1.0),
    ("41", 0.04, 0.0750, 1.6),
    ("33", 0.04, 0.0850, 1.4),
    ("49", 0.04, 0.0920, 1.4),
    ("34", 0.03, 0.0780, 1.5),
    ("44", 0.03, 0.0450, 1.7),
    ("1", 0.02, 0.0120, 2.2),
)
_INVALID_NUMBERS = ("39123", "3934800000001234567", "3934B0000000", "0000000000", "39 348 123")

_SENDERS = ("MyShop", "MyShop OTP", "MyShopInfo", "393331112222")
_CAMPAIGN_SLUGS = (
    "newsletter", "black-friday", "saldi", "flash-sale", "nuovi-arrivi", "vip-preview",
    "survey", "back-to-school", "cyber-monday", "natale",
)  # fmt: skip
_CAMPAIGN_TEXTS = (
    "MyShop: nuovi arrivi in negozio! Scopri la collezione su myshop.example/new. "
    "Rispondi STOP per non ricevere più messaggi",
    "🎉 Black Friday: -30% su tutto fino a domenica! Codice BF30. Rispondi STOP per disiscriverti",
    # A curly apostrophe, as word processors write it: UCS-2, two parts instead of one.
    "Saldi d’inverno: fino al 50% su una selezione di articoli. Info: myshop.example/saldi",
    "Flash sale 24h: spedizione gratuita su tutti gli ordini. STOP al 3399999999",
    "Ciao! Sei tra i nostri clienti VIP: anteprima riservata domani dalle 10. Ti aspettiamo!",
    "Come è andato il tuo ultimo acquisto? Rispondi con un voto da 1 a 5. Grazie!",
    "Back to school: zaini e astucci -20% fino al 15/9. myshop.example/scuola",
    "Cyber Monday ⚡ solo oggi -25% online con il codice CYBER25",
    "Buon Natale da MyShop 🎄 Per te un buono di 10€ sul prossimo ordine: XMAS10",
    # Longer than 160 characters: two parts of GSM-7.
    "Newsletter di MyShop: le novità del mese ti aspettano su myshop.example, con i nuovi "
    "arrivi, le offerte della settimana e gli eventi in negozio. Per non ricevere più SMS "
    "rispondi ANNULLA",
)
_ALERT_TEMPLATES = (
    "Il tuo ordine #{n} è stato spedito. Tracking: myshop.example/t/{n}",
    "Il tuo ordine #{n} è in consegna oggi tra le 9 e le 13.",
    "Ordine #{n}: pagamento ricevuto, grazie!",
    "Your order #{n} has shipped. Track it at myshop.example/t/{n}",
    "Promemoria: il ritiro dell'ordine #{n} scade domani.",
)
_OTP_TEMPLATE = "Il tuo codice MyShop è {code}. Non condividerlo con nessuno."
_REPLY_TEXTS = (
    "Grazie!", "Ok 👍", "Quanto costa la spedizione?", "Info", "Sì", "Non ho ordinato nulla",
    "A che ora aprite sabato?", "Perfetto, grazie mille", "5", "4", "Posso pagare alla consegna?",
    "Thanks!", "chi è?", "Avete lo stopper per porte?", "Cancellami dalla lista",
)  # fmt: skip
# Opt-outs: different cases, accents, punctuation and languages.
_OPT_OUT_TEXTS = (
    "STOP", "Stop", "stop grazie", "STOP!!!", "CANCELLA", "Cancella", "ANNULLA",
    "annulla iscrizione", "unsubscribe", "Unsubscribe me", "STÒP", "stop.",
)  # fmt: skip
_INBOUND_TEXTS = ("MYSHOP INFO", "MYSHOP PROMO", "MYSHOP orari", "myshop concorso", "MYSHOP")
_HOSTILE_TEXTS = (
    '=HYPERLINK("http://evil.example/x","Clicca qui")',
    "+39 chiamami subito",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=cmd",
    "[bold red]GRATIS[/bold red] [link=http://evil.example]premio[/link]",
    "[/]",
    "\x1b[2J\x1b[31mALERT\x1b[0m",
    "\x1b]8;;http://evil.example\x07link\x1b]8;;\x07 and \x1b]0;pwned title\x07",
    "\u202egnp.exe \u2066isolate\u2069",
    "bell\x07 null-ish\x01 backspace\x08",
    "line one\nline two\r\nline three",
    "<script>alert(1)</script> & \"quotes\" 'single'",
    "Lungo " + "testo molto lungo " * 110,
)
_FAILURE_DETAILS = {
    NOTDELIVERED: ("ABSENT_SUBSCRIBER", "UNKNOWN_SUBSCRIBER", "EXPIRED", "BLOCKED_BY_OPERATOR"),
    NOSENT: ("INVALID_NUMBER", "NO_ROUTE"),
}
_DETAIL_NAMES = tuple(sorted({name for names in _FAILURE_DETAILS.values() for name in names}))


@dataclass(frozen=True)
class Degradation:
    """Messages to numbers starting with ``prefix`` (international digits, no ``+``) sent from
    ``since`` on fail at ``rate`` (NOTDELIVERED, ``BLOCKED_BY_OPERATOR``): a route going bad,
    for a check to catch.

    Example:
        >>> Degradation.parse("39:0.3").prefix, Degradation.parse("+44:0.5").rate
        ('39', 0.5)
    """

    prefix: str
    rate: float
    since: datetime | None = None

    @classmethod
    def parse(cls, text: str, since: datetime | None = None) -> Degradation:
        """``PREFIX:RATE`` (``39:0.3``: 30% of the messages to Italy fail)."""
        prefix, _, rate = text.partition(":")
        digits = prefix.strip().lstrip("+")
        try:
            share = float(rate)
        except ValueError:
            share = -1.0
        if not digits.isdigit() or not 0 <= share <= 1:
            raise ValueError(
                f"{text!r} is not PREFIX:RATE (39:0.3: 30% of the messages to +39 fail)"
            )
        return cls(digits, share, since)


@dataclass(frozen=True)
class Settling:
    """How long the operator takes to report a message's fate, from its hand-over (seconds,
    before the destination country's slowness factor): a log-normal per phase.

    Attributes:
        name: as ``--settling`` names it.
        description: for people.
        phases: ``(share, median, sigma)`` of the delivery reports; the shares add up to 1.
        failure: ``(median, sigma)`` of the NOTDELIVERED reports (``None``: as a delivery's).
    """

    name: str
    description: str
    phases: tuple[tuple[float, float, float], ...]
    failure: tuple[float, float] | None = None

    def delays(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Delivery and failure report delays (seconds) for ``n`` messages."""
        shares = np.array([share for share, _, _ in self.phases])
        phase = rng.choice(len(self.phases), size=n, p=shares / shares.sum())
        medians = np.array([median for _, median, _ in self.phases])[phase]
        sigmas = np.array([sigma for _, _, sigma in self.phases])[phase]
        delivery = medians * np.exp(sigmas * rng.standard_normal(n))
        if self.failure is None:
            return delivery, delivery
        median, sigma = self.failure
        return delivery, median * np.exp(sigma * rng.standard_normal(n))


SETTLINGS: dict[str, Settling | None] = {
    "fast": None,
    "lognormal": Settling(
        "lognormal",
        "deliveries report after a median of 20 minutes with a long tail (log-normal, sigma "
        "1.1); failures after a median of an hour",
        ((1.0, 1200.0, 1.1),),
        (3600.0, 1.0),
    ),
    "two-phase": Settling(
        "two-phase",
        "70% of the deliveries report within seconds, 30% hours later (median 3 hours); "
        "failures after a median of 6 hours",
        ((0.7, 20.0, 0.8), (0.3, 3 * 3600.0, 0.6)),
        (6 * 3600.0, 0.7),
    ),
}
"""How statuses settle: ``fast`` (the default: reports within seconds, a median of 5 s) or a
slow distribution, for estimates of the rate a young campaign will end with."""


@dataclass(frozen=True)
class AccountSpec:
    """What to generate.

    Attributes:
        seed: the random seed; the same seed and ``now`` give the same account.
        sent, received: how many messages (about; the scheduled future adds ~1%).
        days: how much history before ``now`` (default long enough to cross a DST change).
        now: the end of the history (default: the current time, to the minute).
        degrade: routes that go bad (see :class:`Degradation`); the rest of the account is the
            same as without them.
        settling: how statuses settle, a key of :data:`SETTLINGS`; the rest of the account
            (recipients, outcomes, texts) is the same whatever it is.
    """

    seed: int = 7
    sent: int = 50_000
    received: int = 4_000
    days: int = 400
    now: datetime | None = None
    degrade: tuple[Degradation, ...] = ()
    settling: str = "fast"

    def __post_init__(self) -> None:
        if self.settling not in SETTLINGS:
            raise ValueError(f"settling {self.settling!r} is not one of {', '.join(SETTLINGS)}")

    def anchor(self) -> datetime:
        now = self.now or datetime.now(UTC).replace(second=0, microsecond=0)
        return now.astimezone(UTC)


@dataclass
class SentTable:
    """Sent messages as columns, sorted by insert time (then id)."""

    id: np.ndarray
    to: np.ndarray  # object array of str
    sender: np.ndarray  # codes into ``senders``
    text: np.ndarray  # codes into ``texts``
    transaction: np.ndarray  # codes into ``transactions``; -1: none
    insert: np.ndarray  # epoch seconds
    sent: np.ndarray  # handed to the operator (or refused: NOSENT); NEVER if never
    final: np.ndarray  # time of the final status; NEVER for a message stuck in SENT
    outcome: np.ndarray  # DELIVERED, NOTDELIVERED or NOSENT (or SENT if stuck)
    price: np.ndarray
    detail: np.ndarray  # codes into ``details``; -1: none
    senders: tuple[str, ...]
    texts: list[str]
    transactions: list[str]
    details: tuple[str, ...] = _DETAIL_NAMES

    def __len__(self) -> int:
        return len(self.id)

    def take(self, rows: np.ndarray) -> SentTable:
        """A table of only these rows (a boolean mask or sorted positions)."""
        columns = ("id", "to", "sender", "text", "transaction", "insert", "sent", "final",
                   "outcome", "price", "detail")  # fmt: skip
        return replace(self, **{name: getattr(self, name)[rows] for name in columns})

    def status_at(self, now: int, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Status codes (indexes into :data:`~smstools_tui.frames.STATUSES`) at time ``now``."""
        sent, final, outcome = self.sent[rows], self.final[rows], self.outcome[rows]
        status = np.where(now < final, SENT, outcome)
        status = np.where((outcome == NOSENT) & (now >= sent), NOSENT, status)
        return np.where(now < sent, PENDING, status).astype(np.int8)

    def records(self, rows: np.ndarray, now: int, zone: Any) -> list[dict[str, Any]]:
        """Messages as the API writes them (dates in ``zone``, with their offset)."""
        statuses = self.status_at(now, rows)
        return [
            self._record(int(row), int(status), zone)
            for row, status in zip(rows, statuses, strict=True)
        ]

    def record(self, row: int, now: int, zone: Any) -> dict[str, Any]:
        """One message as the API writes it (dates in ``zone``, with their offset)."""
        return self.records(np.array([row]), now, zone)[0]

    def _record(self, row: int, status: int, zone: Any) -> dict[str, Any]:
        transaction = self.transaction[row]
        detail = self.detail[row]
        sent_at = self.sent[row] if status in (SENT, DELIVERED, NOTDELIVERED) else None
        return {
            "id": int(self.id[row]),
            "to": self.to[row],
            "text": self.texts[self.text[row]],
            "from": self.senders[self.sender[row]],
            "status": STATUSES[status],
            "insertDate": _api_time(int(self.insert[row]), zone),
            "sentDate": _api_time(int(sent_at), zone) if sent_at is not None else None,
            "deliveryDate": _api_time(int(self.final[row]), zone) if status == DELIVERED else None,
            "transactionId": self.transactions[transaction] if transaction >= 0 else None,
            "price": float(self.price[row]),
            "statusDetail": self.details[detail] if status in (NOSENT, NOTDELIVERED) else None,
            "type": "SMS",
        }

    def frame(self, now: int) -> pd.DataFrame:
        """The typed sent frame as the API would return it at ``now`` (everything inserted by
        then), built column-wise: the fast way to get a large, realistic frame."""
        visible = self.insert <= now
        status = self.status_at(now)[visible]
        has_sent = np.isin(status, (SENT, DELIVERED, NOTDELIVERED))
        delivered = status == DELIVERED
        failed = np.isin(status, (NOSENT, NOTDELIVERED))
        columns = {
            "id": pd.array(self.id[visible], dtype="Int64"),
            "to": pd.Categorical(self.to[visible]),
            "from": pd.Categorical.from_codes(self.sender[visible], _index(self.senders)),
            "text": pd.Categorical.from_codes(self.text[visible], _index(self.texts)),
            "status": pd.Categorical.from_codes(status, _index(STATUSES)),
            "insertDate": _utc(self.insert[visible]),
            "sentDate": _utc(np.where(has_sent, self.sent[visible], NEVER)),
            "deliveryDate": _utc(np.where(delivered, self.final[visible], NEVER)),
            "transactionId": pd.Categorical.from_codes(
                self.transaction[visible], _index(self.transactions)
            ),
            "price": self.price[visible],
            "statusDetail": pd.Categorical.from_codes(
                np.where(failed, self.detail[visible], -1), _index(self.details)
            ),
            "type": pd.Categorical.from_codes(np.zeros(int(visible.sum()), int), _index(["SMS"])),
        }
        return coerce_frame(pd.DataFrame(columns), SENT_SCHEMA)


@dataclass
class ReceivedTable:
    """Received messages as columns, sorted by receive time."""

    sender: np.ndarray  # object array of str, with +
    text: np.ndarray  # object array of str
    receive: np.ndarray  # epoch seconds
    service: np.ndarray  # codes into ``services``
    services: tuple[str, ...] = ("1001", "1002")

    def __len__(self) -> int:
        return len(self.receive)

    def record(self, row: int, zone: Any) -> dict[str, Any]:
        return {
            "from": self.sender[row],
            "text": self.text[row],
            "receiveDate": _api_time(int(self.receive[row]), zone),
            "simId": self.services[self.service[row]],
        }

    def frame(self, now: int) -> pd.DataFrame:
        visible = self.receive <= now
        columns = {
            "from": pd.array(self.sender[visible], dtype="string[pyarrow]"),
            "text": pd.array(self.text[visible], dtype="string[pyarrow]"),
            "receiveDate": _utc(self.receive[visible]),
            "simId": pd.Categorical.from_codes(self.service[visible], _index(self.services)),
        }
        return coerce_frame(pd.DataFrame(columns), RECEIVED_SCHEMA)


@dataclass
class SandboxAccount:
    """A generated account: the sent and received tables plus the account's details."""

    spec: AccountSpec
    now: datetime
    sent: SentTable
    received: ReceivedTable
    user: dict[str, Any] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)

    def sent_frame(self, at: datetime | None = None) -> pd.DataFrame:
        """The whole sent history as a typed frame, as seen at ``at`` (default: ``now``)."""
        return self.sent.frame(_epoch(at or self.now))

    def received_frame(self, at: datetime | None = None) -> pd.DataFrame:
        """The whole received history as a typed frame, as seen at ``at`` (default: ``now``)."""
        return self.received.frame(_epoch(at or self.now))


def generate_account(spec: AccountSpec | None = None) -> SandboxAccount:
    """Generate the account ``spec`` describes.

    Example:
        >>> from datetime import datetime, UTC
        >>> account = generate_account(AccountSpec(seed=1, sent=2_000, received=200,
        ...                                        now=datetime(2026, 11, 25, tzinfo=UTC)))
        >>> frame = account.sent_frame()
        >>> len(frame) > 1_900, frame["status"].value_counts().idxmax()
        (True, 'DELIVERED')
    """
    spec = spec or AccountSpec()
    rng = np.random.default_rng(spec.seed)
    now = spec.anchor()
    builder = _Builder(spec, rng, _epoch(now))
    sent = builder.sent_table()
    received = builder.received_table(sent)
    return SandboxAccount(
        spec=spec,
        now=now,
        sent=sent,
        received=received,
        user=_user(rng, now),
        services=[
            {"id": "1001", "sim": "393399999999", "key": None, "expirationDate": _expiry(now, 300)},
            {
                "id": "1002",
                "sim": "393400000000",
                "key": "MYSHOP",
                "expirationDate": _expiry(now, 90),
            },
        ],
    )


class _Builder:
    """The generation steps, sharing the spec, the random generator and the clock."""

    def __init__(self, spec: AccountSpec, rng: np.random.Generator, now: int) -> None:
        self.spec, self.rng, self.now = spec, rng, now
        self.start = now - spec.days * 86_400
        # Days start at midnight UTC, so campaigns go out in office hours (8-17 UTC, 9-18 Rome).
        self.midnight = self.start - self.start % 86_400
        pool_size = max(60, spec.sent // 6)
        self.pool, self.pool_country = self._numbers(pool_size)
        self.dead = rng.random(pool_size) < 0.02  # numbers that never receive anything
        self.texts: list[str] = []
        self.text_codes: dict[str, int] = {}
        self.transactions: list[str] = []
        self.opted_out: dict[int, int] = {}  # pool index → time of the opt-out
        self.opt_out_rows: list[tuple[int, int, str]] = []  # (pool index, time, text)
        self.reply_rows: list[tuple[int, int, str]] = []

    # -- numbers -----------------------------------------------------------------------------

    def _numbers(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        rng = self.rng
        shares = np.array([share for _, share, _, _ in _COUNTRIES])
        country = rng.choice(len(_COUNTRIES), size=size, p=shares / shares.sum())
        numbers = np.empty(size, dtype=object)
        for index, code in enumerate(country):
            numbers[index] = _national_number(_COUNTRIES[code][0], rng)
        invalid = rng.choice(size, size=min(len(_INVALID_NUMBERS), size // 20), replace=False)
        for slot, index in enumerate(invalid):
            numbers[index] = _INVALID_NUMBERS[slot]
            country[index] = -1
        # Unique numbers: a collision would merge two customers.
        _, first = np.unique(numbers.astype(str), return_index=True)
        keep = np.sort(first)
        return numbers[keep], country[keep]

    def _text(self, text: str) -> int:
        code = self.text_codes.get(text)
        if code is None:
            code = self.text_codes[text] = len(self.texts)
            self.texts.append(text)
        return code

    # -- sent ----------------------------------------------------------------------------------

    def sent_table(self) -> SentTable:
        total = self.spec.sent
        campaigns = self._campaigns(int(total * 0.6))
        singles = self._singles(total - sum(len(c["recipient"]) for c in campaigns))
        parts = [*campaigns, singles]
        recipient = np.concatenate([p["recipient"] for p in parts])
        insert = np.concatenate([p["insert"] for p in parts])
        queue = np.concatenate([p["queue"] for p in parts])
        order = np.lexsort((np.arange(len(insert)), insert))
        recipient, insert, queue = recipient[order], insert[order], queue[order]
        sender = np.concatenate([p["sender"] for p in parts])[order]
        text = np.concatenate([p["text"] for p in parts])[order]
        transaction = np.concatenate([p["transaction"] for p in parts])[order]
        sent, final, outcome, detail = self._fates(recipient, insert, queue)
        price = self._prices(recipient, text, outcome)
        ids = 389_395_385 + np.arange(len(insert), dtype=np.int64) * 7 + self.rng.integers(0, 7)
        return SentTable(
            id=ids,
            to=self.pool[recipient],
            sender=sender.astype(np.int16),
            text=text.astype(np.int32),
            transaction=transaction.astype(np.int32),
            insert=insert,
            sent=sent,
            final=final,
            outcome=outcome.astype(np.int8),
            price=price,
            detail=detail.astype(np.int16),
            senders=_SENDERS,
            texts=self.texts,
            transactions=self.transactions,
        )

    def _campaigns(self, volume: int) -> list[dict[str, np.ndarray]]:
        rng, pool = self.rng, len(self.pool)
        count = max(3, self.spec.days // 9)
        size = max(5, volume // count)
        days = np.sort(
            rng.choice(self.spec.days, size=count - 1, replace=count - 1 > self.spec.days)
        )
        starts = [
            self.midnight + int(day) * 86_400 + int(rng.integers(8 * 3600, 17 * 3600))
            for day in days
        ]
        starts.append(self.now - 240)  # the last campaign is being sent right now
        campaigns = []
        for number, start in enumerate(starts):
            slug = _CAMPAIGN_SLUGS[number % len(_CAMPAIGN_SLUGS)]
            day = datetime.fromtimestamp(start, UTC).strftime("%Y%m%d")
            # Some integrations send a UUID as the transactionId, others a readable name.
            transaction_id = rng.bytes(16).hex() if number % 3 == 2 else f"{slug}-{day}"
            self.transactions.append(transaction_id)
            audience_size = int(min(pool, max(5, rng.normal(size, size * 0.3))))
            audience = rng.choice(pool, size=audience_size, replace=False)
            # Most opted-out numbers are removed from later campaigns; some slip through.
            if self.opted_out:
                opted = np.array([
                    index in self.opted_out and self.opted_out[index] < start for index in audience
                ])  # fmt: skip
                audience = audience[~opted | (rng.random(len(audience)) < 0.25)]
            text_code = self._text(_CAMPAIGN_TEXTS[number % len(_CAMPAIGN_TEXTS)])
            n = len(audience)
            # A campaign goes through a queue at about 15 messages a second; the one running
            # now is throttled to last eight minutes, so some of it is still PENDING.
            rate = 15.0 if start < self.now - 240 else n / 480
            campaign = {
                "recipient": audience,
                "insert": start + np.sort(rng.integers(0, 20, size=n)),
                "queue": np.arange(n) / rate,
                "sender": np.full(n, rng.choice([0, 2])),
                "text": np.full(n, text_code),
                "transaction": np.full(n, len(self.transactions) - 1),
            }
            campaigns.append(campaign)
            # People answer once the message has reached them, not when the campaign starts:
            # a large campaign spends many minutes in the queue.
            reached = campaign["insert"] + np.ceil(campaign["queue"]).astype(np.int64)
            self._responses(audience, reached)
        return campaigns

    def _responses(self, audience: np.ndarray, reached: np.ndarray) -> None:
        """Replies and opt-outs a campaign provokes, after it reaches its audience."""
        rng = self.rng
        reply_rate = self.spec.received / max(self.spec.sent, 1) * 0.9
        replying = rng.random(len(audience)) < reply_rate
        for index, at in zip(audience[replying], reached[replying], strict=True):
            if self.dead[index] or self.pool_country[index] < 0:
                continue
            # Replies come minutes to days later (log-normal, median 20 minutes).
            when = int(at) + 60 + int(rng.lognormal(math.log(1200), 1.3))
            if rng.random() < 0.12:
                text = str(rng.choice(_OPT_OUT_TEXTS))
                self.opt_out_rows.append((int(index), when, text))
                self.opted_out.setdefault(int(index), when)
            else:
                self.reply_rows.append((int(index), when, str(rng.choice(_REPLY_TEXTS))))

    def _singles(self, volume: int) -> dict[str, np.ndarray]:
        """Order alerts and OTPs: one message per send call, no transactionId."""
        rng = self.rng
        volume = max(volume, 0)
        # Busier in recent months and on weekdays, mostly in the daytime (Rome).
        day_weights = np.linspace(0.5, 1.5, self.spec.days)
        weekday = (np.arange(self.spec.days) + self.start // 86_400 + 3) % 7  # 0 = Monday
        day_weights = day_weights * np.where(weekday >= 5, 0.55, 1.0)
        days = rng.choice(self.spec.days, size=volume, p=day_weights / day_weights.sum())
        hours = np.clip(rng.normal(14.0, 3.5, size=volume), 0, 23.99) - 1  # ~Rome → UTC
        insert = self.midnight + days * 86_400 + (hours * 3600).astype(np.int64)
        insert = np.maximum(insert, self.start)
        # A few scheduled messages fall after ``now``: they appear as the clock passes them.
        future = rng.random(volume) < 0.01
        insert = np.where(future, self.now + rng.integers(60, 86_400, size=volume), insert)
        insert = np.minimum(insert, np.where(future, insert, self.now - 1))
        otp = rng.random(volume) < 0.4
        text = np.empty(volume, dtype=np.int64)
        hostile = rng.random(volume) < 0.002
        for row in range(volume):
            if hostile[row]:
                text[row] = self._text(_HOSTILE_TEXTS[row % len(_HOSTILE_TEXTS)])
            elif otp[row]:
                text[row] = self._text(_OTP_TEMPLATE.format(code=f"{rng.integers(1_000_000):06d}"))
            else:
                template = _ALERT_TEMPLATES[row % len(_ALERT_TEMPLATES)]
                text[row] = self._text(template.format(n=100_000 + int(rng.integers(900_000))))
        return {
            "recipient": rng.integers(0, len(self.pool), size=volume),
            "insert": insert,
            "queue": np.zeros(volume),
            "sender": np.where(otp, 1, np.where(rng.random(volume) < 0.1, 3, 0)),
            "text": text,
            "transaction": np.full(volume, -1),
        }

    def _fates(
        self, recipient: np.ndarray, insert: np.ndarray, queue: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        rng, n = self.rng, len(recipient)
        country = self.pool_country[recipient]
        slowness = np.array([factor for *_, factor in _COUNTRIES])[np.maximum(country, 0)]
        # insert → sent: a second or two, plus the campaign queue.
        sent = insert + np.ceil(queue + rng.lognormal(math.log(1.5), 0.6, size=n)).astype(np.int64)
        # sent → delivery report: seconds, with a long tail, slower abroad.
        report = sent + np.ceil(rng.lognormal(math.log(5.0), 1.0, size=n) * slowness).astype(
            np.int64
        )
        roll = rng.random(n)
        outcome = np.full(n, DELIVERED)
        outcome = np.where(roll < 0.035, NOTDELIVERED, outcome)
        outcome = np.where((roll >= 0.035) & (roll < 0.042), NOSENT, outcome)
        dead = self.dead[recipient]
        outcome = np.where(dead & (outcome == DELIVERED), NOTDELIVERED, outcome)
        outcome = np.where(country < 0, NOSENT, outcome)
        failure_report = report
        settling = SETTLINGS[self.spec.settling]
        if settling is not None:
            # A generator of its own: the rest of the account stays what it is.
            own = np.random.default_rng([self.spec.seed, 2, list(SETTLINGS).index(settling.name)])
            delivery_delay, failure_delay = settling.delays(own, n)
            report = sent + np.ceil(delivery_delay * slowness).astype(np.int64)
            failure_report = sent + np.ceil(failure_delay * slowness).astype(np.int64)
        stuck = (roll > 0.993) & (outcome == DELIVERED)
        final = np.where(outcome == NOTDELIVERED, failure_report, report)
        final = np.where(stuck, NEVER, final)
        final = np.where(outcome == NOSENT, sent, final)
        outcome = np.where(stuck, SENT, outcome)
        detail = np.full(n, -1)
        for status, names in _FAILURE_DETAILS.items():
            codes = np.array([_DETAIL_NAMES.index(name) for name in names])
            picks = codes[rng.integers(0, len(codes), size=n)]
            detail = np.where(outcome == status, picks, detail)
        detail = np.where(
            dead & (outcome == NOTDELIVERED), _DETAIL_NAMES.index("UNKNOWN_SUBSCRIBER"), detail
        )
        detail = np.where(country < 0, _DETAIL_NAMES.index("INVALID_NUMBER"), detail)
        for route in self.spec.degrade:
            outcome, final, detail = self._degraded(route, recipient, insert, failure_report,
                                                    outcome, final, detail)  # fmt: skip
        return sent, final, outcome, detail

    def _degraded(
        self,
        route: Degradation,
        recipient: np.ndarray,
        insert: np.ndarray,
        report: np.ndarray,
        outcome: np.ndarray,
        final: np.ndarray,
        detail: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # A generator of its own: the rest of the account stays what it is without the route.
        rng = np.random.default_rng([self.spec.seed, 1, int(route.prefix), round(route.rate * 1e6)])
        since = _epoch(route.since) if route.since is not None else self.start
        numbers = self.pool[recipient].astype(str)
        hit = (
            np.char.startswith(numbers, route.prefix)
            & (insert >= since)
            & (outcome != NOSENT)
            & (rng.random(len(recipient)) < route.rate)
        )
        outcome = np.where(hit, NOTDELIVERED, outcome)
        final = np.where(hit, report, final)
        detail = np.where(hit, _DETAIL_NAMES.index("BLOCKED_BY_OPERATOR"), detail)
        return outcome, final, detail

    def _prices(self, recipient: np.ndarray, text: np.ndarray, outcome: np.ndarray) -> np.ndarray:
        country = self.pool_country[recipient]
        unit = np.array([price for _, _, price, _ in _COUNTRIES])[np.maximum(country, 0)]
        # The gateway bills per part.
        parts = np.array([segment(body).segments for body in self.texts])[text]
        return np.where(outcome == NOSENT, 0.0, np.round(unit * parts, 4))

    # -- received ------------------------------------------------------------------------------

    def received_table(self, sent: SentTable) -> ReceivedTable:
        rng = self.rng
        rows: list[tuple[str, int, str, int]] = []
        for index, when, text in self.reply_rows + self.opt_out_rows:
            rows.append(("+" + self.pool[index], when, text, 0))
        target = self.spec.received
        strangers = max(target - len(rows), target // 5)
        for _ in range(strangers):
            number = "+" + _national_number(str(rng.choice(["39", "39", "39", "41", "33"])), rng)
            when = self.start + int(rng.integers(0, self.spec.days * 86_400))
            roll = rng.random()
            if roll < 0.04:
                text = _HOSTILE_TEXTS[int(rng.integers(len(_HOSTILE_TEXTS)))]
            else:
                text = str(rng.choice(_INBOUND_TEXTS))
            rows.append((number, when, text, 1))
        # Identical messages from one number in one second are two messages: keep a few.
        # (An account of no received message has none to repeat.)
        for row in rng.choice(len(rows), size=max(min(1, len(rows)), len(rows) // 200),
                              replace=False):  # fmt: skip
            rows.append(rows[int(row)])
        rows.sort(key=lambda row: row[1])
        return ReceivedTable(
            sender=np.array([row[0] for row in rows], dtype=object),
            text=np.array([row[2] for row in rows], dtype=object),
            receive=np.array([row[1] for row in rows], dtype=np.int64),
            service=np.array([row[3] for row in rows], dtype=np.int8),
        )


# Mobile prefixes per country code, and how many random digits follow them.
_MOBILE_PLANS: dict[str, tuple[tuple[str, ...], int]] = {
    "39": (("39320", "39327", "39328", "39329", "39333", "39334", "39335", "39338", "39339",
            "39347", "39348", "39349"), 7),
    "41": (("4175", "4176", "4177", "4178", "4179"), 7),
    "33": (("336", "337"), 8),
    "49": (("49151", "49152", "49157", "49159"), 8),
    "34": (("346",), 8),
    "44": (("4474", "4475", "4477", "4478", "4479"), 8),
    "1": (("1212", "1415", "1617", "1305", "1206"), 7),
}  # fmt: skip


def _national_number(country_code: str, rng: np.random.Generator) -> str:
    """A plausible mobile number, international, without ``+``."""
    prefixes, length = _MOBILE_PLANS[country_code]
    prefix = prefixes[int(rng.integers(len(prefixes)))]
    first = str(rng.integers(2, 10))  # no subscriber number starts with 0 or 1
    return prefix + first + "".join(map(str, rng.integers(0, 10, size=length - 1).tolist()))


def _user(rng: np.random.Generator, now: datetime) -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Rome")
    credit = round(float(rng.uniform(400, 2500)), 4)
    return {
        "name": "Maria",
        "lastname": "Rossi",
        "username": "mrossi",
        "email": "maria.rossi@myshop.example",
        "businessname": "MyShop S.r.l.",
        "sender": "MyShop",
        "senderAlias": list(_SENDERS[:3]),
        "registrationDate": _api_time(_epoch(now - timedelta(days=900)), zone),
        "expirationDate": _api_time(_epoch(now + timedelta(days=465)), zone),
        "credit": credit,
        "italysms": int(credit / _COUNTRIES[0][2]),
    }


def _expiry(now: datetime, days: int) -> str:
    from zoneinfo import ZoneInfo

    return _api_time(_epoch(now + timedelta(days=days)), ZoneInfo("Europe/Rome"))


def _api_time(epoch: int, zone: Any) -> str:
    # isoformat is several times faster than strftime; the API writes the offset without colon.
    text = datetime.fromtimestamp(epoch, zone).isoformat()
    return text[:-3] + text[-2:]


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _utc(epochs: np.ndarray) -> pd.Series:
    values = np.where(epochs == NEVER, np.iinfo(np.int64).min, epochs * 1_000_000)
    return pd.Series(values.astype("datetime64[us]")).dt.tz_localize("UTC")


def _index(values: Any) -> pd.Index:
    return pd.Index(list(values), dtype="str")
