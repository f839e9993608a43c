"""Delivery by original carrier, and the weekday × hour heatmap of sending."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import phonenumbers
from phonenumbers import carrier

from smstools_tui.analysis import carrier_report, send_time_heatmap

Make = Callable[..., pd.DataFrame]


def _carrier(number: str) -> str:
    return str(carrier.name_for_number(phonenumbers.parse("+" + number), "en"))


def test_carriers_are_the_original_ones_with_small_groups_masked(make_sent: Make) -> None:
    tim, swisscom = "393398408223", "41791234567"
    rows = [
        {"to": tim, "status": "DELIVERED", "price": 0.1, "sentDate": "2026-11-02T10:00:00+0000",
         "deliveryDate": f"2026-11-02T10:00:{seconds:02d}+0000"}
        for seconds in range(1, 6)
    ] + [
        {"to": tim, "status": "NOTDELIVERED", "price": 0.1},
        {"to": swisscom, "status": "DELIVERED", "price": 0.2},
        {"to": "MyShop", "status": "NOSENT", "price": 0.0},
    ]  # fmt: skip
    report = carrier_report(make_sent(rows), min_volume=3)
    assert report[["country", "original_carrier", "messages"]].to_dict("list") == {
        "country": ["IT", "(unknown)", "CH"],
        "original_carrier": [_carrier(tim), "(unknown)", _carrier(swisscom)],
        "messages": [6, 1, 1],
    }
    first = report.iloc[0]
    assert first["delivery_rate"] == 5 / 6 and first["median_delivery_seconds"] == 3.0
    assert math.isclose(first["spend"], 0.6) and not first["masked"]
    # Fewer than three messages: only the count is told.
    assert report["masked"].tolist() == [False, True, True]
    assert (
        report.loc[1:, ["delivery_rate", "median_delivery_seconds", "spend", "avg_price"]]
        .isna()
        .all()
        .all()
    )


def test_the_heatmap_reads_local_time_across_a_dst_change(
    make_sent: Make, make_received: Make
) -> None:
    # 08:30 UTC is 10:30 in Rome on Saturday 24 October (summer time) and 09:30 on Saturday
    # 31 October (winter time): two hours of the same weekday.
    sent = make_sent(
        [
            {"id": 1, "to": "391", "status": "DELIVERED", "insertDate": "2026-10-24T08:30:00+0000",
             "sentDate": "2026-10-24T08:30:00+0000", "deliveryDate": "2026-10-24T08:30:04+0000"},
            {"id": 2, "to": "392", "status": "NOTDELIVERED",
             "insertDate": "2026-10-31T08:30:00+0000", "sentDate": "2026-10-31T08:30:00+0000"},
            {"id": 3, "to": "393", "status": "DELIVERED", "insertDate": "2026-10-31T08:40:00+0000",
             "sentDate": "2026-10-31T08:40:00+0000", "deliveryDate": "2026-10-31T08:40:10+0000"},
        ]
    )  # fmt: skip
    received = make_received(
        [{"from": "+393", "text": "Grazie", "receiveDate": "2026-10-31T09:00:00+0000"}]
    )
    heatmap = send_time_heatmap(sent, received, tz="Europe/Rome")
    assert heatmap[["weekday", "hour", "messages"]].to_dict("list") == {
        "weekday": ["Sat", "Sat"], "hour": [9, 10], "messages": [2, 1],
    }  # fmt: skip
    nine, ten = heatmap.iloc[0], heatmap.iloc[1]
    assert nine["delivery_rate"] == 0.5 and nine["reply_rate"] == 0.5
    assert nine["median_delivery_seconds"] == 10.0
    assert ten["delivery_rate"] == 1.0 and ten["reply_rate"] == 0.0
    # In UTC the three messages fall in one hour.
    assert send_time_heatmap(sent, received, tz="UTC")["messages"].tolist() == [3]
