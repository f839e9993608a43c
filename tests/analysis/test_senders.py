"""Sender IDs: the alphanumeric senders an account used."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from smstools_tui.analysis import sender_ids

from .conftest import at

Make = Callable[..., pd.DataFrame]


def test_every_alphanumeric_sender_with_volume_rate_and_first_and_last_use(
    make_sent: Make,
) -> None:
    sent = make_sent(
        [
            {"from": "MyShop", "status": "DELIVERED", "insertDate": at(30)},
            {"from": "MyShop", "status": "NOTDELIVERED", "insertDate": at(10)},
            {"from": "MyShop", "status": "PENDING", "insertDate": at(50)},
            {"from": "MyShop OTP", "status": "DELIVERED", "insertDate": at(20)},
            {"from": "393331112222", "status": "DELIVERED", "insertDate": at(40)},
            {"from": "+39 333 111", "status": "DELIVERED", "insertDate": at(40)},
        ]
    )
    senders = sender_ids(sent)
    assert senders["sender"].tolist() == ["MyShop", "MyShop OTP"]  # numbers are not sender IDs
    assert senders["messages"].tolist() == [3, 1]
    assert senders["delivery_rate"].tolist() == [0.5, 1.0]  # pending is not failed
    assert senders["first_send"].tolist() == [pd.Timestamp(at(10)), pd.Timestamp(at(20))]
    assert senders["last_send"].tolist() == [pd.Timestamp(at(50)), pd.Timestamp(at(20))]


def test_no_sender_ids(make_sent: Make) -> None:
    senders = sender_ids(make_sent([{"from": "393331112222", "insertDate": at(1)}]))
    assert senders.empty and senders.columns.tolist() == [
        "sender", "messages", "delivery_rate", "first_send", "last_send",
    ]  # fmt: skip
