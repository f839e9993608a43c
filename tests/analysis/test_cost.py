from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from smstools_tui.analysis import cost_report, cost_total, from_micro, to_micro

Make = Callable[..., pd.DataFrame]


def test_spend_wasted_pending_and_averages(make_sent: Make) -> None:
    rows = [
        {"status": "DELIVERED", "price": 0.0945},
        {"status": "DELIVERED", "price": 0.0945},
        {"status": "NOTDELIVERED", "price": 0.0945},
        {"status": "NOSENT", "price": 0.0},
        {"status": "SENT", "price": 0.17},
        {"status": "PENDING", "price": None},
    ]
    report = cost_report(make_sent(rows))
    assert report.to_dict("records") == [
        {
            "messages": 6,
            "delivered": 2,
            "spend": 0.4535,
            "delivered_spend": 0.189,
            "wasted_spend": 0.0945,
            "pending_spend": 0.17,
            "avg_price": 0.4535 / 6,
            "price_per_delivered": 0.4535 / 2,
        }
    ]


def test_no_float_drift_over_many_messages(make_sent: Make) -> None:
    sent = make_sent([{"price": 0.1}] * 1000)
    assert float(np.sum(sent["price"])) != 100.0  # the naive float sum drifts
    assert cost_report(sent)["spend"].tolist() == [100.0]


def test_micro_conversion() -> None:
    assert to_micro(pd.Series([0.0945, 0.1, None, 1e-7])).tolist() == [94500, 100000, 0, 0]
    assert from_micro(np.array([94500, 1])).tolist() == [0.0945, 1e-06]


def test_nothing_delivered_has_no_price_per_delivered(make_sent: Make) -> None:
    report = cost_report(make_sent([{"status": "NOTDELIVERED"}]))
    assert math.isnan(report["price_per_delivered"].iloc[0])
    assert report["wasted_spend"].tolist() == [0.1]


def test_empty(make_sent: Make) -> None:
    report = cost_report(make_sent([]))
    assert report["spend"].tolist() == [0.0]
    assert math.isnan(report["avg_price"].iloc[0])


def test_per_status_and_campaign(make_sent: Make) -> None:
    rows = [
        {"status": "DELIVERED", "price": 0.2, "transactionId": "a"},
        {"status": "NOTDELIVERED", "price": 0.3, "transactionId": "b"},
        {"status": "NOTDELIVERED", "price": 0.3, "transactionId": "b"},
    ]
    by_status = cost_report(make_sent(rows), "status")
    assert by_status[["status", "spend"]].to_dict("list") == {
        "status": ["NOTDELIVERED", "DELIVERED"],
        "spend": [0.6, 0.2],
    }
    by_campaign = cost_report(make_sent(rows), "campaign")
    assert by_campaign[["campaign", "wasted_spend"]].to_dict("list") == {
        "campaign": ["b", "a"],
        "wasted_spend": [0.6, 0.0],
    }


def test_per_month_in_rome_and_country(make_sent: Make) -> None:
    rows = [
        # 00:30 on 1 November in Rome, still October in UTC
        {"insertDate": "2026-10-31T23:30:00+0000", "price": 0.1, "to": "393480000000"},
        {"insertDate": "2026-10-31T22:30:00+0000", "price": 0.2, "to": "393480000000"},
        {"insertDate": "2026-11-10T10:00:00+0000", "price": 0.07, "to": "41791234567"},
    ]
    report = cost_report(make_sent(rows), ["month", "country"], tz="Europe/Rome")
    assert report[["month", "country", "spend"]].values.tolist() == [
        ["2026-10", "IT", 0.2],
        ["2026-11", "IT", 0.1],
        ["2026-11", "CH", 0.07],
    ]
    assert cost_report(make_sent(rows), "month", tz="UTC")["spend"].tolist() == [
        0.3,
        0.07,
    ]


@pytest.mark.parametrize("by", ["month", "country", "campaign", ["week", "sender"]])
def test_total_of_the_groups_is_the_report_of_everything(
    sandbox_frames: tuple[pd.DataFrame, pd.DataFrame], by: str | list[str]
) -> None:
    sent, _ = sandbox_frames
    total = cost_total(cost_report(sent, by, tz="Europe/Rome"))
    pd.testing.assert_frame_equal(total, cost_report(sent), check_exact=True)


def test_total_of_nothing(make_sent: Make) -> None:
    empty = cost_report(make_sent([]), "country")
    assert empty.empty
    total = cost_total(empty)
    assert total[["messages", "spend"]].to_dict("records") == [{"messages": 0, "spend": 0.0}]
    assert math.isnan(total["avg_price"].iloc[0])
