from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import pytest

from smstools_tui.analysis import (
    DEFAULT_OPT_OUT_KEYWORDS,
    ComplianceRules,
    MessageClasses,
    compliance_list,
    is_opt_out,
    match_replies,
    opt_out_report,
    reply_report,
)

from .conftest import at

Make = Callable[..., pd.DataFrame]


def values(column: pd.Series) -> list[object]:
    """The column's values with every kind of NA as None."""
    return [None if pd.isna(value) else value for value in column.tolist()]


HOUR = 60
DAY = 24 * HOUR


@pytest.fixture
def conversation(make_sent: Make, make_received: Make) -> tuple[pd.DataFrame, pd.DataFrame]:
    sent = make_sent(
        [
            {"to": "393480000001", "transactionId": "promo", "sentDate": at(0)},
            {"to": "393480000001", "from": "MyShop OTP", "sentDate": at(60)},
            {"to": "393480000002", "transactionId": "promo", "sentDate": at(0)},
            {"to": "393480000003", "transactionId": "promo", "status": "PENDING"},
            {"to": "393480000004", "transactionId": "promo", "sentDate": at(0)},
        ],
        insertDate=at(0),
    )
    received = make_received(
        [
            {"from": "+393480000001", "text": "Grazie", "receiveDate": at(30)},
            {"from": "0039 348 000 0001", "text": "ok", "receiveDate": at(90)},
            {"from": "393480000002", "text": "Info", "receiveDate": at(3 * DAY + 1)},
            {"from": "+393480000003", "text": "?", "receiveDate": at(10)},
            {"from": "+393480000009", "text": "MYSHOP INFO", "receiveDate": at(5)},
            {"from": "+393480000002", "text": "early", "receiveDate": at(-10)},
            {"from": "+393480000004", "text": "Stop", "receiveDate": at(3 * DAY)},
        ]
    )
    return sent, received


def test_each_received_message_replies_to_the_latest_earlier_sent_one(
    conversation: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = conversation
    matched = match_replies(sent, received)
    assert matched.index.equals(received.index)
    assert matched["number"].tolist() == [
        "393480000001", "393480000001", "393480000002", "393480000003", "393480000009",
        "393480000002", "393480000004",
    ]  # fmt: skip
    assert matched["reply_to_id"].tolist() == [1, 2, 3, pd.NA, pd.NA, pd.NA, 5]
    assert values(matched["campaign"]) == ["promo", None, "promo", None, None, None, "promo"]
    assert matched["sender"].iloc[1] == "MyShop OTP"
    assert matched["reply_seconds"].tolist()[:3] == [1800.0, 1800.0, 3 * 86400 + 60.0]
    assert matched["reply_seconds"].iloc[3:6].isna().all()
    # Within 72 hours, bounds included.
    assert matched["in_window"].tolist() == [True, True, False, False, False, False, True]
    assert matched["opt_out"].tolist() == [False] * 6 + [True]
    assert str(matched["sent_at"].iloc[0]) == "2026-11-02 10:00:00+00:00"


def test_a_smaller_window(conversation: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sent, received = conversation
    matched = match_replies(sent, received, window="20min")
    assert matched["in_window"].tolist() == [False] * 7
    assert matched["reply_to_id"].notna().sum() == 4


def test_reply_in_the_same_second_counts(make_sent: Make, make_received: Make) -> None:
    sent = make_sent([{"sentDate": at(0)}])
    received = make_received([{"text": "ok", "receiveDate": at(0)}])
    assert match_replies(sent, received)["reply_seconds"].tolist() == [0.0]


def test_reply_report_per_campaign(conversation: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sent, received = conversation
    report = reply_report(sent, received)
    assert report.to_dict("records") == [
        {
            "campaign": "promo",
            "recipients": 3,  # the PENDING message was never handed over
            "replies": 2,  # 72h + 1 min is too late
            "repliers": 2,
            "reply_rate": 2 / 3,
            "median_reply_seconds": (1800 + 3 * 86400) / 2,
            "p90_reply_seconds": 1800 + 0.9 * (3 * 86400 - 1800),
            "opt_outs": 1,
        },
        {
            "campaign": "(none)",
            "recipients": 1,
            "replies": 1,
            "repliers": 1,
            "reply_rate": 1.0,
            "median_reply_seconds": 1800.0,
            "p90_reply_seconds": 1800.0,
            "opt_outs": 0,
        },
    ]


def test_replies_with_nothing_received(make_sent: Make, make_received: Make) -> None:
    report = reply_report(make_sent([{"sentDate": at(0), "transactionId": "x"}]), make_received([]))
    assert report[["recipients", "replies", "reply_rate"]].values.tolist() == [[1, 0, 0.0]]
    assert math.isnan(report["median_reply_seconds"].iloc[0])
    assert match_replies(make_sent([]), make_received([])).empty


OPT_OUTS = [
    "STOP", "Stop grazie", "stop.", "STÒP", "STOP!!!", "annulla iscrizione", "Cancella",
    "Unsubscribe me", "ho detto: stop", "stop-it", "«stop»", "Stop\nthanks",
]  # fmt: skip
NOT_OPT_OUTS = [
    "stopper", "Avete lo stopper per porte?", "Cancellami dalla lista", "nonstop", "STOPPA",
    "autostop", "stop_it", "s t o p", "", "Grazie!",
]  # fmt: skip


def test_opt_out_keywords_whole_word_case_and_accent_insensitive() -> None:
    texts = pd.Series([*OPT_OUTS, *NOT_OPT_OUTS, None], dtype="str")
    assert is_opt_out(texts).tolist() == [True] * len(OPT_OUTS) + [False] * (len(NOT_OPT_OUTS) + 1)


def test_custom_opt_out_keywords() -> None:
    texts = pd.Series(["Basta così", "STOP", "non voglio più", "è BASTÀ!"])
    assert is_opt_out(texts, ["basta", "NON VOGLIO"]).tolist() == [True, False, True, True]
    assert is_opt_out(texts, []).tolist() == [False] * 4
    assert is_opt_out(texts, ["stóp"]).tolist() == [False, True, False, False]
    assert DEFAULT_OPT_OUT_KEYWORDS == ("STOP", "CANCELLA", "ANNULLA", "UNSUBSCRIBE", "RIMUOVI")


def test_keywords_with_regex_characters_are_literal() -> None:
    texts = pd.Series(["a+b", "aab", "x.y", "xzy"])
    assert is_opt_out(texts, ["a+b", "x.y"]).tolist() == [True, False, True, False]


@pytest.fixture
def opted_out(make_sent: Make, make_received: Make) -> tuple[pd.DataFrame, pd.DataFrame]:
    sent = make_sent(
        [
            {"to": "393480000001", "transactionId": "promo", "insertDate": at(50),
             "sentDate": at(50)},
            {"to": "393480000001", "insertDate": at(200), "sentDate": at(200), "text": "OTP 1"},
            {"to": "00393480000001", "transactionId": "later", "insertDate": at(300),
             "sentDate": at(300), "text": "=HYPERLINK(\"x\")"},
            {"to": "393480000002", "insertDate": at(50), "sentDate": at(50)},
            {"to": "393480000003", "insertDate": at(500), "sentDate": at(500)},
        ]
    )  # fmt: skip
    received = make_received(
        [
            {"from": "+39 348 000 0001", "text": "STOP", "receiveDate": at(100)},
            {"from": "+393480000001", "text": "stop!", "receiveDate": at(400)},
            {"from": "+393480000002", "text": "Cancella", "receiveDate": at(60)},
            {"from": "+393480000003", "text": "stopper?", "receiveDate": at(60)},
        ]
    )
    return sent, received


def test_compliance_list_holds_messages_sent_after_the_first_opt_out(
    opted_out: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = opted_out
    listed = compliance_list(sent, received)
    # The OTP (id 2, sent on its own, no campaign) is transactional by default: not listed.
    assert listed["id"].tolist() == [3]
    assert listed["to"].tolist() == ["00393480000001"]
    assert listed["opt_out_text"].tolist() == ["STOP"]
    assert listed["opted_out_at"].astype("str").tolist() == ["2026-11-02 11:40:00+00:00"]
    assert listed["message_class"].tolist() == ["marketing"]
    assert listed.columns.tolist() == [
        "id", "to", "from", "transactionId", "insertDate", "status", "price", "text",
        "message_class", "opted_out_at", "opt_out_text",
    ]  # fmt: skip
    everything = ComplianceRules(classes=MessageClasses(transactional_campaigns=()))
    assert compliance_list(sent, received, keywords=everything)["id"].tolist() == [2, 3]


def test_opt_out_report(opted_out: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sent, received = opted_out
    report = opt_out_report(sent, received)
    assert {name: values(report[name]) for name in report.columns[:5]} == {
        "number": ["393480000002", "393480000001"],
        "opted_out_at": [pd.Timestamp(at(60)), pd.Timestamp(at(100))],
        "text": ["Cancella", "STOP"],
        # Cancella replies to a message that is not part of a campaign.
        "campaign": [None, "promo"],
        "opt_out_messages": [1, 2],
    }
    assert report["sent_after"].tolist() == [0, 1]  # the OTP sent after STOP does not count
    assert report["opted_back_in"].tolist() == [False, False]
    assert pd.isna(report["last_sent_after"].iloc[0])
    assert str(report["last_sent_after"].iloc[1]) == "2026-11-02 15:00:00+00:00"


def test_no_opt_outs(make_sent: Make, make_received: Make) -> None:
    sent = make_sent([{"insertDate": at(0), "sentDate": at(0)}])
    received = make_received([{"text": "Grazie", "receiveDate": at(5)}])
    assert opt_out_report(sent, received).empty
    listed = compliance_list(sent, received)
    assert listed.empty
    assert "opted_out_at" in listed.columns
