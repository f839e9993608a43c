from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from smstools_tui.analysis import HEADLINE_LABELS, compare_headlines, headline_figures

from .conftest import at

Make = Callable[..., pd.DataFrame]


def test_headline_figures(make_sent: Make, make_received: Make) -> None:
    sent = make_sent(
        [
            {"to": "391", "insertDate": at(0), "sentDate": at(0), "deliveryDate": at(0.1),
             "price": 0.1},
            {"to": "392", "insertDate": at(0), "sentDate": at(0), "deliveryDate": at(0.5),
             "price": 0.1},
            {"to": "393", "insertDate": at(0), "sentDate": at(0), "status": "NOTDELIVERED",
             "price": 0.1},
            {"to": "394", "insertDate": at(0), "status": "NOSENT", "price": 0.0},
            {"to": "395", "insertDate": at(0), "status": "PENDING", "price": 0.05},
            {"to": "391", "transactionId": "promo", "insertDate": at(200), "sentDate": at(200), "deliveryDate": at(201),
             "price": 0.1},
        ]
    )  # fmt: skip
    received = make_received(
        [
            {"from": "+391", "text": "STOP", "receiveDate": at(100)},
            {"from": "+392", "text": "Grazie", "receiveDate": at(5 * 24 * 60)},
            {"from": "+399", "text": "MYSHOP", "receiveDate": at(1)},
        ]
    )
    figures = headline_figures(sent, received)
    assert list(figures) == list(HEADLINE_LABELS)
    assert figures == {
        "messages": 6,
        "delivered": 3,
        "delivery_rate": 3 / 5,
        "pending": 1,
        "pending_share": 1 / 6,
        "spend": 0.45,
        "wasted_spend": 0.1,
        "median_delivery_seconds": 30.0,
        "received": 3,
        "replies": 1,
        "opt_outs": 1,
        "sent_after_opt_out": 1,
    }


def test_headline_of_nothing(make_sent: Make) -> None:
    figures = headline_figures(make_sent([]))
    assert figures["messages"] == 0 and figures["spend"] == 0.0
    assert math.isnan(figures["delivery_rate"])
    assert math.isnan(figures["median_delivery_seconds"])
    assert figures["replies"] == 0


def test_compare_headlines() -> None:
    current = {"messages": 120, "delivery_rate": 0.9, "spend": 5.0, "custom": 1.0}
    previous = {"messages": 100, "delivery_rate": 0.95, "spend": 0.0}
    table = compare_headlines(current, previous)
    assert table["figure"].tolist() == ["messages", "delivery_rate", "spend", "custom"]
    assert table["label"].tolist()[:2] == ["Messages sent", "Delivery rate"]
    assert table["change"].tolist()[:3] == [20.0, 0.9 - 0.95, 5.0]
    assert table["change_ratio"].iloc[0] == 0.2
    assert table["change_ratio"].iloc[1:].isna().tolist() == [False, True, True]
