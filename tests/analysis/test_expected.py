"""The expected final delivery rate: the Kaplan-Meier curve by hand, the edge cases, and the
issue's acceptance on sandbox accounts whose statuses settle slowly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from smstools_tui.analysis import Groups
from smstools_tui.analysis.expected import DeliveryCurve, expected_delivery, history_before
from smstools_tui.sandbox import AccountSpec, generate_account

from .conftest import BASE, at

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
"""The end of the generated histories."""


def test_the_curve_is_kaplan_meier_with_failures_never_delivered() -> None:
    # Delivered after 10 s and 20 s; one unsettled at 15 s of age; one failed.
    curve = DeliveryCurve.fit(
        delay=np.array([10.0, 20.0, np.nan, np.nan]),
        age=np.array([1e6, 1e6, 15.0, 1e6]),
        unsettled=np.array([False, False, True, False]),
        horizon=3600.0,
    )
    # S(10) = 1 - 1/4; S(20) = S(10) * (1 - 1/2): the unsettled one left the risk set at 15 s,
    # the failed one stays in it. F(inf) = 0.625, so G(10) = 0.25 / 0.625.
    share, spread = curve.at(np.array([5.0, 10.0, 19.0, 20.0, 1e5]))
    assert share.tolist() == pytest.approx([0.0, 0.4, 0.4, 1.0, 1.0])
    # G is exactly 0 before the first delivery and 1 after the last; uncertain between.
    assert spread[0] == 0.0 and spread[1] > 0 and spread[-1] == 0.0
    assert curve.deliveries == 2 and curve.never_final == 0.0


def test_messages_unsettled_beyond_the_horizon_never_settle() -> None:
    curve = DeliveryCurve.fit(
        delay=np.array([10.0, np.nan, np.nan, np.nan]),
        age=np.array([1e6, 1e6, 1e6, 100.0]),
        unsettled=np.array([False, True, False, True]),
        horizon=3600.0,
    )
    assert curve.never_final == pytest.approx(1 / 3)  # of the three older than the horizon


def _history(make_sent: Callable[..., pd.DataFrame], size: int = 400) -> pd.DataFrame:
    # Half the deliveries within 10 minutes, half after an hour, a day before BASE.
    rows = [
        {"insertDate": at(i - 1440), "deliveryDate": at(i - 1440 + (10 if i % 2 else 60))}
        for i in range(size)
    ]
    return make_sent(rows, status="DELIVERED")


def test_a_campaign_all_final_gets_its_raw_rate_and_no_width(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    statuses = ["DELIVERED"] * 7 + ["NOTDELIVERED", "NOSENT", "DELIVERED"]
    young = make_sent([{"status": s, "insertDate": at(0), "deliveryDate": at(1)} for s in statuses])
    row = expected_delivery(young, _history(make_sent), now=BASE + timedelta(minutes=5)).iloc[0]
    assert row["delivery_rate"] == pytest.approx(0.8)
    assert (row["expected_rate"], row["expected_low"], row["expected_high"]) == (0.8, 0.8, 0.8)


def test_young_deliveries_are_scaled_up_by_the_share_still_to_come(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    # 30 minutes old: half of the eventual deliveries have arrived (G = 0.5). 40 delivered,
    # 10 failed, 50 unsettled: p = 40 / (100 * 0.5) = 0.8, 80 deliveries expected of 100.
    rows: list[dict[str, Any]] = (
        [{"status": "DELIVERED", "deliveryDate": at(5)} for _ in range(40)]
        + [{"status": "NOTDELIVERED"}] * 10
        + [{"status": "SENT"}] * 50
    )
    young = make_sent(rows, insertDate=at(0))
    row = expected_delivery(young, _history(make_sent), now=BASE + timedelta(minutes=30)).iloc[0]
    assert row["delivery_rate"] == pytest.approx(0.8)  # 40 of the 50 final
    assert row["expected_delivered"] == pytest.approx(80.0)
    assert row["expected_rate"] == pytest.approx(0.8)
    assert row["expected_low"] < 0.8 < row["expected_high"]
    # Never more deliveries than messages not known to have failed.
    assert row["expected_high"] <= 0.9


def test_the_estimate_is_clipped_to_what_can_still_happen(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    # 90 delivered at G = 0.5 would make 180 of 100 messages: capped at the 95 not failed.
    rows: list[dict[str, Any]] = (
        [{"status": "DELIVERED", "deliveryDate": at(5)} for _ in range(90)]
        + [{"status": "NOTDELIVERED"}] * 5
        + [{"status": "SENT"}] * 5
    )
    young = make_sent(rows, insertDate=at(0))
    row = expected_delivery(young, _history(make_sent), now=BASE + timedelta(minutes=30)).iloc[0]
    assert row["expected_delivered"] == 95
    assert row["expected_rate"] == pytest.approx(0.95) and row["expected_high"] == 0.95


def test_no_history_or_too_young_to_tell_is_nan(make_sent: Callable[..., pd.DataFrame]) -> None:
    young = make_sent([{"status": "SENT", "insertDate": at(0)}] * 5)
    empty = young.iloc[:0]
    assert np.isnan(expected_delivery(young, empty, now=BASE)["expected_rate"].iloc[0])
    # A minute old: the history delivers nothing that fast, no delivery is expected yet.
    row = expected_delivery(young, _history(make_sent), now=BASE + timedelta(minutes=1))
    assert np.isnan(row["expected_rate"].iloc[0])


def test_groups_are_estimated_apart(make_sent: Callable[..., pd.DataFrame]) -> None:
    rows = [{"transactionId": "a", "status": "DELIVERED", "deliveryDate": at(1)}] * 3 + [
        {"transactionId": "b", "status": "NOTDELIVERED"}
    ]
    young = make_sent(rows, insertDate=at(0))
    frame = expected_delivery(
        young, _history(make_sent), now=BASE + timedelta(hours=3),
        groups=Groups.of(young, "campaign"),
    )  # fmt: skip
    rates = dict(zip(frame["campaign"].astype(str), frame["expected_rate"], strict=True))
    assert rates == {"a": 1.0, "b": 0.0}


def test_now_must_be_aware(make_sent: Callable[..., pd.DataFrame]) -> None:
    young = make_sent([{"status": "SENT", "insertDate": at(0)}])
    with pytest.raises(ValueError, match="timezone"):
        expected_delivery(young, young, now=datetime(2026, 11, 2, 12))


# -- the acceptance ----------------------------------------------------------------------


def _errors(settling: str) -> list[tuple[float, float]]:
    """Per campaign of a slowly settling account: (estimate − final rate, raw − final rate),
    two hours after the campaign started, on the history before it."""
    account = generate_account(
        AccountSpec(seed=11, sent=60_000, received=50, days=30, now=NOW, settling=settling)
    )
    end = account.sent_frame(at=NOW + timedelta(days=20))  # every status settled
    campaigns = end[end["transactionId"].notna()]
    starts = campaigns.groupby("transactionId", observed=True)["insertDate"].min()
    errors = []
    for campaign, first in starts.items():
        moment = (first + pd.Timedelta(hours=2)).to_pydatetime()
        if moment > NOW:
            continue
        seen = account.sent_frame(at=moment)
        young = seen[seen["transactionId"] == campaign]
        row = expected_delivery(young, history_before(seen, first), now=moment).iloc[0]
        final = end.loc[end["transactionId"] == campaign, "status"].astype(str)
        rate = (final == "DELIVERED").sum() / final.isin(
            ["DELIVERED", "NOTDELIVERED", "NOSENT"]
        ).sum()
        assert row["unsettled"] > 0.05 * row["messages"]  # young indeed
        errors.append((row["expected_rate"] - rate, row["delivery_rate"] - rate))
    return errors


@pytest.mark.parametrize("settling", ["lognormal", "two-phase"])
def test_two_hours_in_the_estimate_is_within_one_and_a_half_points(settling: str) -> None:
    errors = _errors(settling)
    assert len(errors) >= 2
    for estimate, _ in errors:
        assert abs(estimate) <= 0.015
    # The raw rate, read on the messages that settled first, is further off.
    assert np.mean([abs(raw) for _, raw in errors]) > np.mean([abs(e) for e, _ in errors])


def test_a_country_too_young_to_tell_borrows_its_groups_rate(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    # Italy: 30 minutes old, G = 0.5, half delivered: p = 1. One message to Switzerland a
    # minute old (no delivery expected yet) takes the campaign's p.
    rows: list[dict[str, Any]] = [
        {"status": "DELIVERED", "insertDate": at(0), "deliveryDate": at(5)} for _ in range(50)
    ] + [{"status": "SENT", "insertDate": at(0)}] * 50
    rows.append({"status": "SENT", "insertDate": at(29), "to": "41791234567"})
    young = make_sent(rows)
    row = expected_delivery(young, _history(make_sent), now=BASE + timedelta(minutes=30)).iloc[0]
    assert row["expected_delivered"] == pytest.approx(101.0)
    assert row["expected_low"] < row["expected_rate"] == pytest.approx(1.0)
