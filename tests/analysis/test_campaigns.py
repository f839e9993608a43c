from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from smstools_tui.analysis import campaign_report

from .conftest import at

Make = Callable[..., pd.DataFrame]


def test_one_row_per_campaign(make_sent: Make, make_received: Make) -> None:
    sent = make_sent(
        [
            # promo: 3 messages, 2 delivered, 1 not delivered
            {"to": "391", "transactionId": "promo", "insertDate": at(0), "sentDate": at(1),
             "deliveryDate": at(2), "price": 0.0945},
            {"to": "392", "transactionId": "promo", "insertDate": at(0), "sentDate": at(1),
             "deliveryDate": at(5), "price": 0.0945},
            {"to": "393", "transactionId": "promo", "insertDate": at(1), "sentDate": at(2),
             "status": "NOTDELIVERED", "price": 0.0945},
            # an OTP to 391 after promo: the later reply belongs to it
            {"to": "391", "insertDate": at(100), "sentDate": at(100)},
            # news: 1 message, still pending
            {"to": "394", "transactionId": "news", "insertDate": at(-60), "status": "PENDING",
             "price": 0.05},
        ]
    )  # fmt: skip
    received = make_received(
        [
            {"from": "+392", "text": "Grazie", "receiveDate": at(30)},
            {"from": "+393", "text": "STOP", "receiveDate": at(60)},
            {"from": "+391", "text": "ok", "receiveDate": at(110)},
        ]
    )
    report = campaign_report(sent, received)
    assert report["campaign"].tolist() == ["news", "promo"]
    promo = report.iloc[1].to_dict()
    assert promo["first_send"] == pd.Timestamp(at(0))
    assert promo["last_send"] == pd.Timestamp(at(1))
    assert {k: promo[k] for k in ("messages", "delivered", "pending", "recipients", "replies",
                                  "repliers", "opt_outs")} == {
        "messages": 3, "delivered": 2, "pending": 0, "recipients": 3, "replies": 2,
        "repliers": 2, "opt_outs": 1,
    }  # fmt: skip
    assert promo["delivery_rate"] == 2 / 3
    assert promo["spend"] == 0.2835
    assert promo["median_delivery_seconds"] == 150.0  # 60 s and 240 s
    assert promo["reply_rate"] == 2 / 3
    assert promo["median_reply_seconds"] == (29 * 60 + 58 * 60) / 2
    news = report.iloc[0]
    assert news["messages"] == 1 and news["pending"] == 1
    assert math.isnan(news["delivery_rate"])
    assert news["recipients"] == 0 and math.isnan(news["reply_rate"])


def test_no_campaigns_and_no_received(make_sent: Make) -> None:
    report = campaign_report(make_sent([{"insertDate": at(0)}]))
    assert report.empty
    assert "reply_rate" in report.columns
    one = campaign_report(make_sent([{"insertDate": at(0), "transactionId": "x"}]))
    assert one[["campaign", "messages", "replies"]].values.tolist() == [["x", 1, 0]]
    assert campaign_report(make_sent([])).empty


def test_the_expected_rate_of_a_young_campaign_beside_the_raw_one() -> None:
    from datetime import UTC, datetime, timedelta

    from smstools_tui.analysis import Groups, expected_delivery, history_before
    from smstools_tui.sandbox import AccountSpec, generate_account

    now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    account = generate_account(
        AccountSpec(seed=3, sent=6_000, received=10, days=20, now=now, settling="lognormal")
    )
    moment = now + timedelta(minutes=40)  # the campaign that started at now - 4 min is young
    sent = account.sent_frame(at=moment)
    report = campaign_report(sent, now=moment)
    columns = report.columns.tolist()
    rate = columns.index("delivery_rate")
    assert columns[rate + 1 : rate + 4] == ["expected_rate", "expected_low", "expected_high"]
    settled, young = report.iloc[:-1], report.iloc[-1]
    assert settled["expected_rate"].equals(settled["delivery_rate"])
    assert (settled["expected_low"] == settled["expected_high"]).all()
    assert young["pending"] > 0.1 * young["messages"]
    mine = sent[sent["transactionId"] == young["campaign"]]
    direct = expected_delivery(
        mine, history_before(sent, mine["insertDate"].min()), now=moment,
        groups=Groups.of(mine, "campaign"),
    ).iloc[0]  # fmt: skip
    assert young["expected_rate"] == direct["expected_rate"]
    assert young["expected_low"] < young["expected_rate"] < young["expected_high"]
    assert young["expected_rate"] != young["delivery_rate"]
