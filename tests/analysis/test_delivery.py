from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from smstools_tui.analysis import delivery_report, status_counts, status_funnel
from smstools_tui.frames import STATUSES, sent_frame

Make = Callable[..., pd.DataFrame]


def test_rate_counts_only_final_messages(make_sent: Make) -> None:
    statuses = ["DELIVERED"] * 6 + ["NOTDELIVERED"] * 2 + ["NOSENT", "SENT", "PENDING", "SENT"]
    report = delivery_report(make_sent([{"status": s} for s in statuses]))
    assert report.to_dict("records") == [
        {
            "messages": 12,
            "delivered": 6,
            "not_delivered": 2,
            "not_sent": 1,
            "pending": 3,
            "delivery_rate": 6 / 9,
            "pending_share": 3 / 12,
        }
    ]


def test_all_pending_has_no_rate_and_is_not_failed(make_sent: Make) -> None:
    report = delivery_report(make_sent([{"status": "PENDING"}, {"status": "SENT"}]))
    row = report.iloc[0]
    assert row["pending"] == 2
    assert row["not_delivered"] == 0 and row["not_sent"] == 0
    assert math.isnan(row["delivery_rate"])
    assert row["pending_share"] == 1.0


def test_empty_frame(make_sent: Make) -> None:
    report = delivery_report(make_sent([]))
    assert report["messages"].tolist() == [0]
    assert math.isnan(report["delivery_rate"].iloc[0])
    assert math.isnan(report["pending_share"].iloc[0])
    by_day = delivery_report(make_sent([]), "day", tz="UTC")
    assert by_day.empty
    assert by_day.columns[0] == "day"


def test_by_campaign_largest_first_and_none_group(make_sent: Make) -> None:
    rows = [
        {"transactionId": "small", "status": "NOTDELIVERED"},
        {"transactionId": "big", "status": "DELIVERED"},
        {"transactionId": "big", "status": "DELIVERED"},
        {"transactionId": "big", "status": "NOSENT"},
        {"transactionId": None, "status": "DELIVERED"},
    ]
    report = delivery_report(make_sent(rows), "campaign")
    assert report[["campaign", "messages", "delivery_rate"]].to_dict("list") == {
        "campaign": ["big", "(none)", "small"],
        "messages": [3, 1, 1],
        "delivery_rate": [2 / 3, 1.0, 0.0],
    }


def test_by_day_in_rome_across_dst(make_sent: Make) -> None:
    rows = [
        {"insertDate": "2026-03-28T22:59:59+0000", "status": "DELIVERED"},  # 23:59 CET, 28th
        {"insertDate": "2026-03-28T23:00:00+0000", "status": "DELIVERED"},  # 00:00 CET, 29th
        {"insertDate": "2026-03-29T21:59:59+0000", "status": "NOTDELIVERED"},  # 23:59 CEST
        {"insertDate": "2026-03-29T22:00:00+0000", "status": "PENDING"},  # 00:00 CEST, 30th
    ]
    report = delivery_report(make_sent(rows), "day", tz="Europe/Rome")
    assert report[["day", "messages", "delivered", "pending"]].to_dict("list") == {
        "day": ["2026-03-28", "2026-03-29", "2026-03-30"],
        "messages": [1, 2, 1],
        "delivered": [1, 1, 0],
        "pending": [0, 0, 1],
    }
    assert report["delivery_rate"].tolist()[:2] == [1.0, 0.5]


def test_by_country_and_sender(make_sent: Make) -> None:
    rows = [
        {"to": "393480000000", "from": "A"},
        {"to": "41791234567", "from": "A", "status": "NOTDELIVERED"},
        {"to": "41791234567", "from": "B", "status": "NOTDELIVERED"},
        {"to": "bogus", "from": "B", "status": "NOSENT"},
    ]
    by_country = delivery_report(make_sent(rows), "country")
    assert by_country[["country", "messages", "delivered"]].to_dict("list") == {
        "country": ["CH", "(unknown)", "IT"],
        "messages": [2, 1, 1],
        "delivered": [0, 0, 1],
    }
    by_sender = delivery_report(make_sent(rows), "sender")
    assert by_sender["delivery_rate"].tolist() == [0.5, 0.0]


def test_by_list_of_keys(make_sent: Make) -> None:
    rows = [
        {"from": "A", "insertDate": "2026-11-02T10:00:00+0000"},
        {"from": "B", "insertDate": "2026-11-02T10:00:00+0000"},
        {"from": "A", "insertDate": "2026-11-03T10:00:00+0000"},
    ]
    report = delivery_report(make_sent(rows), ["day", "sender"], tz="UTC")
    assert report[["day", "sender", "messages"]].values.tolist() == [
        ["2026-11-02", "A", 1],
        ["2026-11-02", "B", 1],
        ["2026-11-03", "A", 1],
    ]


def test_status_counts_every_status_and_unknown(make_sent: Make) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sent = sent_frame(
            [{"id": 1, "status": "DELIVERED"}, {"id": 2, "status": "EXPIRED"}, {"id": 3}]
        )
    counts = status_counts(sent)
    assert counts["status"].tolist() == [*STATUSES, "UNKNOWN", "(none)"]
    assert counts["messages"].tolist() == [0, 0, 0, 1, 0, 1, 1]
    np.testing.assert_allclose(counts["share"], [0, 0, 0, 1 / 3, 0, 1 / 3, 1 / 3])


def test_an_unknown_status_is_neither_final_nor_pending(make_sent: Make) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sent = make_sent(
            [{"status": "DELIVERED"}, {"status": "NOTDELIVERED"}, {"status": "SENT"},
             {"status": "EXPIRED"}]
        )  # fmt: skip
    row = delivery_report(sent).iloc[0]
    assert row["messages"] == 4
    assert (row["delivered"], row["not_delivered"], row["not_sent"], row["pending"]) == (1, 1, 0, 1)
    assert row["delivery_rate"] == 0.5  # the UNKNOWN one counts neither way
    assert row["pending_share"] == 0.25


def test_status_counts_empty(make_sent: Make) -> None:
    counts = status_counts(make_sent([]))
    assert counts["messages"].tolist() == [0] * 5
    assert counts["share"].tolist() == [0.0] * 5


def test_funnel(make_sent: Make) -> None:
    statuses = ["DELIVERED", "DELIVERED", "NOTDELIVERED", "SENT", "NOSENT", "PENDING"]
    funnel = status_funnel(make_sent([{"status": s} for s in statuses]))
    assert funnel["messages"].tolist() == [6, 4, 2]
    assert funnel["share"].tolist() == [1.0, 4 / 6, 2 / 6]


def test_untyped_frame_is_coerced(make_sent: Make) -> None:
    plain = make_sent([{"status": "DELIVERED"}, {"status": "NOSENT"}]).astype(
        {"status": "object", "to": "object"}
    )
    assert delivery_report(plain)["delivery_rate"].tolist() == [0.5]
