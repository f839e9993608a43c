"""The delivery rate a young campaign will end with, from the account's own history.

An hour after a campaign starts many of its messages are still PENDING or SENT, so its raw
delivery rate (delivered ÷ messages with a final status) is read on the few that settled first,
and failures often report later than deliveries. :func:`expected_delivery` estimates the rate
the messages will end with.

The gateway dates only deliveries (``deliveryDate``); a NOTDELIVERED or NOSENT message has no time
of failure. So the estimator needs delivery times only:

1. **How long deliveries take** (:class:`DeliveryCurve`). From older messages, per destination
   country (the whole history when a country has fewer than ``min_history`` deliveries), a
   Kaplan–Meier estimate of ``F(t)``, the probability that a message is delivered within ``t``
   of its hand-over to the operator (``sentDate``; its insert when it has none): a delivered
   message is an event at ``deliveryDate − sentDate``, a message still SENT is censored at its
   age (one still PENDING has not started to wait), a failed message is never delivered and
   stays at risk (a cure model: failures are the share that never gets delivered). The clock
   starts at the hand-over because a campaign waits minutes in the gateway's queue before it,
   the history's single messages do not. ``G(t) = F(t) /
   F(horizon)`` is the share of the eventual deliveries that arrive within ``t``.
2. **How many will be delivered.** If each message of a campaign's country ``c`` is eventually
   delivered with the same probability ``p``, the deliveries seen by now are on average
   ``p · Σ G_c(age_i)`` (each message at its own age: a campaign goes out over minutes). So
   ``p = delivered / Σ G_c(age_i)`` (a ratio estimator), and the expected deliveries are the
   delivered ones plus ``p · Σ (1 − G_c(age_i))`` over the messages, clipped between the
   delivered messages and the messages not known to have failed. A country of the campaign too
   young for that (fewer than one delivery expected yet) borrows the campaign's ``p``.
3. **The rate**, as the project counts rates, on final statuses: expected deliveries ÷ messages
   expected to reach a final status. A share of messages never settles (stuck in SENT): the
   history tells how many (messages older than ``horizon`` still unsettled), and the messages
   of the campaign older than ``horizon`` and still unsettled are taken to be such.

The interval (95 % by default, ``confidence``) is the delta method on ``delivered · (n / Σ G −
1)``: the binomial variation of the deliveries seen so far, the uncertainty of ``G`` (Greenwood's
variances of the survival up to an age and after it; the ages of one country share a curve, so
their errors are added, not pooled) and the chance in the deliveries still to come (a waiting
message is delivered later with probability ``p(1 − G) / (1 − pG)``). It is a normal
approximation and leaves out what the model assumes away (that the campaign's deliveries arrive
as the history's did): on the sandbox it held the final rate about three times in four. A group
whose messages all have a final status gets its raw rate and an interval of zero width.

Trust it when the history is large (hundreds of deliveries per country), recent (delivery times
change with routes) and the campaign resembles it; it cannot know that a route fails *now*,
only that the deliveries arrive as they used to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import NormalDist

import numpy as np
import pandas as pd

from .grouping import STATUS_INDEX, Groups, micros, sent_typed, status_codes
from .numbers import destinations

__all__ = [
    "DEFAULT_HORIZON",
    "DEFAULT_MIN_HISTORY",
    "EXPECTED_COLUMNS",
    "DeliveryCurve",
    "expected_delivery",
    "expected_rates",
    "history_before",
]

DEFAULT_HORIZON = timedelta(days=7)
"""Deliveries later than this after the insert are not waited for; a message unsettled for
longer never settles."""
DEFAULT_MIN_HISTORY = 50
"""A country with fewer deliveries in the history uses the whole history's curve."""
EXPECTED_COLUMNS: tuple[str, ...] = ("expected_rate", "expected_low", "expected_high")
"""The columns :func:`expected_delivery` adds to a report, beside ``delivery_rate``."""

_DELIVERED = STATUS_INDEX["DELIVERED"]
_FAILED = [STATUS_INDEX[name] for name in ("NOTDELIVERED", "NOSENT")]
_UNSETTLED = [STATUS_INDEX[name] for name in ("PENDING", "SENT")]
_MICRO = 1_000_000


@dataclass(frozen=True)
class DeliveryCurve:
    """The share of eventual deliveries that arrive within a time of the insert.

    Attributes:
        times: the delivery delays observed (seconds, ascending, distinct).
        share: ``G`` just after each of ``times`` (the last one is 1).
        spread: the standard error of ``G`` just after each of ``times`` (before the first
            delivery ``G`` is 0, exactly).
        deliveries: how many deliveries the curve stands on.
        never_final: the share of messages older than the horizon still unsettled.

    Example:
        >>> curve = DeliveryCurve.fit(
        ...     delay=np.array([10.0, 20.0, np.nan, 30.0]), age=np.full(4, 1e6),
        ...     unsettled=np.zeros(4, bool), horizon=3600.0)
        >>> curve.at(np.array([5.0, 20.0, 99.0]))[0].round(3).tolist()
        [0.0, 0.667, 1.0]
    """

    times: np.ndarray
    share: np.ndarray
    spread: np.ndarray
    deliveries: int
    never_final: float

    @classmethod
    def fit(
        cls, delay: np.ndarray, age: np.ndarray, unsettled: np.ndarray, horizon: float
    ) -> DeliveryCurve:
        """The Kaplan–Meier curve of a history (every argument one value per message).

        Args:
            delay: seconds from hand-over to delivery; NaN for a message not delivered.
            age: seconds from hand-over to the moment the history was read.
            unsettled: whether the message is still PENDING or SENT.
            horizon: deliveries later than this are not counted (seconds).
        """
        delivered = ~np.isnan(delay) & (delay <= horizon)
        events = np.sort(np.maximum(delay[delivered], 0.0))
        # A message unsettled at its age leaves the risk set then; one older than the horizon,
        # like a failure, stays (it will never be delivered).
        censored = np.sort(age[unsettled & (age <= horizon)])
        total = len(delay)
        old = age > horizon
        older = int(np.count_nonzero(old))
        never_final = int(np.count_nonzero(old & unsettled)) / older if older else 0.0
        if len(events) == 0:
            empty = np.zeros(0)
            return cls(empty, empty, empty, 0, never_final)
        # ``events`` is sorted: its distinct values start where it changes.
        first = np.flatnonzero(np.concatenate(([True], events[1:] != events[:-1])))
        times = events[first]
        counts = np.diff(np.append(first, len(events)))
        at_risk = (
            total
            - np.searchsorted(events, times, side="left")
            - np.searchsorted(censored, times, side="left")
        ).astype(float)
        survival = np.cumprod(1.0 - counts / at_risk)
        reached = 1.0 - survival[-1]
        share = (1.0 - survival) / reached
        remaining = at_risk - counts
        with np.errstate(divide="ignore", invalid="ignore"):
            greenwood = np.where(remaining > 0, counts / (at_risk * remaining), 0.0)
        # G = (1 - S(t)) / (1 - S(t) C(t)), C(t) the survival after t: the delta method on
        # log S(t) and log C(t), whose variances are Greenwood's sums up to t and after it.
        before = np.cumsum(greenwood)
        after = before[-1] - before
        last = survival[-1]
        spread = np.sqrt(
            ((survival - last) / reached**2) ** 2 * before
            + ((1.0 - survival) * last / reached**2) ** 2 * after
        )
        return cls(times, share, spread, len(events), never_final)

    def at(self, ages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``G`` and its standard error at each of ``ages`` (seconds; NaN counts as old)."""
        if len(self.times) == 0:
            return np.ones(len(ages)), np.zeros(len(ages))
        ages = np.where(np.isnan(ages), np.inf, ages)
        position = np.searchsorted(self.times, ages, side="right") - 1
        share = np.where(position >= 0, self.share[np.maximum(position, 0)], 0.0)
        spread = np.where(position >= 0, self.spread[np.maximum(position, 0)], 0.0)
        return share, spread


@dataclass(frozen=True)
class _Prepared:
    """What the estimate reads of each message, computed once per frame."""

    codes: np.ndarray  # status codes
    inserted: np.ndarray  # seconds since the epoch, NaN if unknown
    started: np.ndarray  # when the wait for a delivery began (see _clock_start)
    delay: np.ndarray  # seconds from the start to the delivery; NaN if not delivered
    age: np.ndarray  # seconds waited by now
    country: np.ndarray  # codes into countries
    countries: pd.Index

    @classmethod
    def of(cls, sent: pd.DataFrame, now: datetime) -> _Prepared:
        sent = sent_typed(sent)
        codes = status_codes(sent)
        started = _clock_start(sent, codes)
        delivered_at = _seconds(sent["deliveryDate"])
        country = _countries(sent)
        return cls(
            codes=codes,
            inserted=_seconds(sent["insertDate"]),
            started=started,
            delay=np.where(codes == _DELIVERED, delivered_at - started, np.nan),
            age=_ages(sent, codes, now),
            country=country.cat.codes.to_numpy(np.int64),
            countries=country.cat.categories,
        )

    def take(self, rows: np.ndarray) -> _Prepared:
        """Only these rows (a boolean mask)."""
        return _Prepared(self.codes[rows], self.inserted[rows], self.started[rows],
                         self.delay[rows], self.age[rows], self.country[rows],
                         self.countries)  # fmt: skip


@dataclass(frozen=True)
class _Curves:
    """One curve per country with enough history, and the whole history's."""

    by_country: dict[str, DeliveryCurve]
    overall: DeliveryCurve

    @classmethod
    def fit(cls, history: _Prepared, horizon: float, min_history: int) -> _Curves:
        codes, delay, age = history.codes, history.delay, history.age
        # A message without a time tells nothing of how long deliveries take.
        known = ~np.isnan(history.started) & ~((codes == _DELIVERED) & np.isnan(delay))
        unsettled = np.isin(codes, _UNSETTLED)
        overall = DeliveryCurve.fit(delay[known], age[known], unsettled[known], horizon)
        curves: dict[str, DeliveryCurve] = {}
        names = history.countries
        deliveries = np.bincount(history.country[known & ~np.isnan(delay)], minlength=len(names))
        for index in np.flatnonzero(deliveries >= min_history):
            rows = known & (history.country == index)
            curves[str(names[index])] = DeliveryCurve.fit(
                delay[rows], age[rows], unsettled[rows], horizon
            )
        return cls(curves, overall)

    def curve(self, country: str) -> DeliveryCurve:
        return self.by_country.get(country, self.overall)


def history_before(sent: pd.DataFrame, moment: pd.Timestamp | datetime) -> pd.DataFrame:
    """The messages of ``sent`` inserted before ``moment``: the history a young campaign
    starting then is judged on.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "insertDate": "2026-11-30T09:00:00+0000"},
        ...                    {"id": 2, "insertDate": "2026-11-30T11:00:00+0000"}])
        >>> history_before(sent, pd.Timestamp("2026-11-30T10:00Z"))["id"].tolist()
        [1]
    """
    inserted = sent["insertDate"]
    return sent[(inserted < pd.Timestamp(moment)).to_numpy(dtype=bool, na_value=False)]


def expected_delivery(
    sent: pd.DataFrame,
    history: pd.DataFrame,
    *,
    now: datetime,
    groups: Groups | None = None,
    horizon: timedelta = DEFAULT_HORIZON,
    min_history: int = DEFAULT_MIN_HISTORY,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The delivery rate the messages of each group will end with, and its interval (see the
    module's docstring for the method and when to trust it).

    Args:
        sent: the messages to judge, as seen at ``now``.
        history: older messages, as seen at ``now``, whose delivery times the estimate
            follows (see :func:`history_before`).
        now: the moment the frames were read (a message's age counts from its hand-over to
            it); never read from the machine's clock.
        groups: the groups of ``sent`` (``None``: all the messages together).
        horizon: how long a delivery may take at most.
        min_history: the deliveries a country needs in the history to have its own curve.
        confidence: of the interval (0.95: 95 %).

    Returns:
        One row per group, in the groups' order (their label columns first): ``messages``,
        ``delivered``, ``failed``, ``unsettled``, ``delivery_rate`` (raw: delivered ÷ messages
        with a final status), ``expected_delivered``, ``expected_final`` (messages expected to
        reach a final status), ``expected_rate`` (``expected_delivered ÷ expected_final``),
        ``expected_low`` and ``expected_high``. NaN where nothing can be said yet: no
        history, or fewer than one delivery expected by now.

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.frames import sent_frame
        >>> def message(i, minutes, status, delivered_after=None):
        ...     at = pd.Timestamp("2026-11-30T08:00Z") + pd.Timedelta(minutes=minutes)
        ...     done = at + pd.Timedelta(minutes=delivered_after or 0)
        ...     return {"id": i, "to": "393480000000", "status": status,
        ...             "insertDate": at.isoformat(),
        ...             "deliveryDate": done.isoformat() if delivered_after else None}
        >>> # The history: half the deliveries within 10 minutes, half after an hour.
        >>> old = sent_frame([message(i, i - 2000, "DELIVERED", 10 if i % 2 else 60)
        ...                   for i in range(400)])
        >>> # A campaign 30 minutes old: its first half delivered, nothing failed yet.
        >>> young = sent_frame([message(1000 + i, 0, "DELIVERED" if i < 50 else "SENT", 10)
        ...                     for i in range(100)])
        >>> row = expected_delivery(young, old, now=datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
        >>> row[["delivered", "unsettled", "expected_rate"]].to_dict("records")
        [{'delivered': 50, 'unsettled': 50, 'expected_rate': 1.0}]
    """
    groups = groups if groups is not None else Groups.of(sent, None)
    curves = _Curves.fit(_Prepared.of(history, now), horizon.total_seconds(), min_history)
    return _estimate(_Prepared.of(sent, now), curves, groups, horizon, confidence)


def expected_rates(
    sent: pd.DataFrame,
    groups: Groups,
    *,
    now: datetime | None = None,
    horizon: timedelta = DEFAULT_HORIZON,
    min_history: int = DEFAULT_MIN_HISTORY,
) -> pd.DataFrame:
    """The expected final rate of every group of ``sent`` and its 95 % interval, each group
    still settling judged on the messages of ``sent`` inserted before its first one (see
    :func:`expected_delivery`); a group with no message PENDING or SENT for less than
    ``horizon`` keeps its delivery rate, with no width. What a report of campaigns shows.

    Args:
        sent: the messages, as seen at ``now``.
        groups: their groups (``Groups.of(sent, "campaign")``).
        now: when they were read (``None``: the newest time among them, which a busy
            account's last message keeps close to it).

    Returns:
        The groups' label columns and :data:`EXPECTED_COLUMNS`, in the groups' order.

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "to": "393480000000", "transactionId": "old",
        ...     "status": "DELIVERED" if i % 4 else "NOTDELIVERED",
        ...     "insertDate": "2026-11-01T08:00:00+0000",
        ...     "deliveryDate": "2026-11-01T08:10:00+0000"} for i in range(8)])
        >>> expected_rates(sent, Groups.of(sent, "campaign")).to_dict("records")
        ... # doctest: +NORMALIZE_WHITESPACE
        [{'campaign': 'old', 'expected_rate': 0.75, 'expected_low': 0.75,
          'expected_high': 0.75}]
    """
    sent = sent_typed(sent)
    codes = status_codes(sent)
    delivered = groups.count(codes == _DELIVERED)
    final = groups.count(codes == _DELIVERED) + groups.count(np.isin(codes, _FAILED))
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(final > 0, delivered / np.maximum(final, 1), np.nan)
    out = np.repeat(raw[:, None], len(EXPECTED_COLUMNS), axis=1)
    if now is None and len(sent):
        newest = max(sent[column].max() for column in ("insertDate", "sentDate", "deliveryDate"))
        now = None if pd.isna(newest) else pd.Timestamp(newest).to_pydatetime()
    if now is not None:
        # A message unsettled longer than the horizon never settles: its group is not young.
        waiting = np.isin(codes, _UNSETTLED) & (
            sent["insertDate"] > pd.Timestamp(now) - horizon
        ).to_numpy(dtype=bool, na_value=False)
        young = np.unique(groups.codes[waiting])
        # Each young group on the messages inserted before it: prepared once, fitted per start.
        prepared = _Prepared.of(sent, now) if len(young) else None
        for code in young:
            assert prepared is not None
            mine = groups.codes == code
            first = np.nanmin(prepared.inserted[mine])
            history = prepared.take(prepared.inserted < first)
            curves = _Curves.fit(history, horizon.total_seconds(), min_history)
            one = Groups(np.zeros(int(mine.sum()), dtype=np.int64), pd.DataFrame(index=range(1)))
            estimate = _estimate(prepared.take(mine), curves, one, horizon)
            out[code] = estimate[list(EXPECTED_COLUMNS)].to_numpy(dtype=float)[0]
    return groups.frame({name: out[:, index] for index, name in enumerate(EXPECTED_COLUMNS)})


def _estimate(
    young: _Prepared,
    curves: _Curves,
    groups: Groups,
    horizon: timedelta = DEFAULT_HORIZON,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """:func:`expected_delivery` of prepared messages on fitted curves."""
    codes, age, country_codes = young.codes, young.age, young.country
    delivered = codes == _DELIVERED
    failed = np.isin(codes, _FAILED)
    unsettled = np.isin(codes, _UNSETTLED)
    share = np.ones(len(codes))
    spread = np.zeros(len(codes))
    never_final = np.zeros(len(codes))
    for index, name in enumerate(young.countries):
        rows = country_codes == index
        if not rows.any():
            continue
        curve = curves.curve(str(name))
        share[rows], spread[rows] = curve.at(age[rows])
        never_final[rows] = curve.never_final
    old = ~(age <= horizon.total_seconds())
    # Messages unsettled beyond the horizon never settle; younger ones may, as the history's did.
    never_final = np.where(old, unsettled.astype(float), never_final)

    size = groups.size
    messages = groups.count()
    n_delivered = groups.count(delivered)
    n_failed = groups.count(failed)
    n_unsettled = groups.count(unsettled)
    # Cells: one per group and country, each with its own p.
    width = len(young.countries) + 1
    cell_codes, cell = np.unique(groups.codes * width + country_codes + 1, return_inverse=True)
    cell_group = cell_codes // width

    def per_cell(values: np.ndarray) -> np.ndarray:
        return np.bincount(cell, weights=values, minlength=len(cell_codes))

    cell_n = per_cell(np.ones(len(codes)))
    cell_d = per_cell(delivered.astype(float))
    cell_g = per_cell(share)
    cell_g2 = per_cell(share**2)
    cell_sd = per_cell(spread)  # the ages of one country share a curve: errors add up
    group_d = np.bincount(cell_group, weights=cell_d, minlength=size)
    group_g = np.bincount(cell_group, weights=cell_g, minlength=size)
    with np.errstate(divide="ignore", invalid="ignore"):
        group_p = np.where(group_g >= 1, group_d / group_g, np.nan)
        own = cell_g >= 1
        p = np.where(own, cell_d / cell_g, group_p[cell_group])
        future = p * (cell_n - cell_g)
        # Delta method on delivered · (n / ΣG − 1); a cell on the campaign's p varies with it.
        variance_d = np.maximum(p * cell_g - p**2 * cell_g2, 0.0)
        slope_d = np.where(own, cell_n / cell_g - 1, 0.0)
        slope_g = np.where(own, cell_d * cell_n / cell_g**2, 0.0)
        variance = slope_d**2 * variance_d + slope_g**2 * cell_sd**2
        variance = np.where(
            own, variance, (cell_n - cell_g) ** 2 * p * (1 - p) / group_g[cell_group]
        )
        # The deliveries still to come are themselves random: a message still waiting is
        # delivered later with p(1 - G) / (1 - pG).
        p_message = np.clip(p[cell], 0.0, 1.0)
        later = np.where(
            unsettled, p_message * (1 - share) / np.maximum(1 - p_message * share, 1e-12), 0.0
        )
        later = np.clip(later, 0.0, 1.0)
        variance = variance + per_cell(np.nan_to_num(later * (1 - later)))
    expected = n_delivered + np.bincount(cell_group, weights=future, minlength=size)
    spread_total = np.sqrt(np.bincount(cell_group, weights=variance, minlength=size))
    ceiling = (messages - n_failed).astype(float)
    expected = np.clip(expected, n_delivered, ceiling)
    final = messages - np.bincount(groups.codes, weights=never_final, minlength=size)
    final = np.clip(final, n_delivered + n_failed, messages).astype(float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    low = np.clip(expected - z * spread_total, n_delivered, ceiling)
    high = np.clip(expected + z * spread_total, n_delivered, ceiling)
    settled = n_unsettled == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(n_delivered + n_failed > 0, n_delivered / (n_delivered + n_failed), np.nan)
        final = np.where(settled, n_delivered + n_failed, np.maximum(final, expected))
        rate = np.where(final > 0, expected / final, np.nan)
        low_rate = np.where(final > 0, low / final, np.nan)
        high_rate = np.where(final > 0, high / final, np.nan)
    unknown = ~settled & (np.isnan(group_p) | (curves.overall.deliveries == 0))
    for column in (rate, low_rate, high_rate, expected):
        column[unknown] = np.nan
    for column in (rate, low_rate, high_rate):
        column[settled] = raw[settled]
    return groups.frame(
        {
            "messages": messages,
            "delivered": n_delivered,
            "failed": n_failed,
            "unsettled": n_unsettled,
            "delivery_rate": raw,
            "expected_delivered": np.where(settled, n_delivered, expected),
            "expected_final": final,
            "expected_rate": rate,
            "expected_low": low_rate,
            "expected_high": high_rate,
        }
    )


def _clock_start(sent: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
    """When each message's wait for a delivery began: its hand-over to the operator
    (``sentDate``), else its insert. A campaign waits minutes in the gateway's queue before it
    is handed over, the history's single messages do not: timed from the insert, a campaign's
    messages would look older than they are."""
    started = _seconds(sent["sentDate"])
    return np.where(np.isnan(started), _seconds(sent["insertDate"]), started)


def _ages(sent: pd.DataFrame, codes: np.ndarray, now: datetime) -> np.ndarray:
    """Seconds each message has waited for its delivery by ``now``: none for a message still
    PENDING (not handed over yet)."""
    age = _now_seconds(now) - _clock_start(sent, codes)
    return np.where(codes == STATUS_INDEX["PENDING"], 0.0, age)


def _seconds(stamps: pd.Series) -> np.ndarray:
    values = micros(stamps)
    return np.where(values == np.iinfo(np.int64).min, np.nan, values / _MICRO)


def _now_seconds(now: datetime) -> float:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.timestamp()


def _countries(sent: pd.DataFrame) -> pd.Series:
    country: pd.Series = destinations(sent["to"])["country"]
    if not isinstance(country.dtype, pd.CategoricalDtype):
        country = country.astype("category")
    return country
