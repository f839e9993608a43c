"""Opt-out and opt-in keywords, message classes and the compliance list they make."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from smstools_tui.analysis import (
    DEFAULT_OPT_IN_KEYWORDS,
    DEFAULT_OPT_OUT_KEYWORDS,
    ComplianceRules,
    MessageClasses,
    classify_messages,
    compliance_list,
    is_opt_in,
    is_opt_out,
    opt_out_report,
)

from .conftest import at

Make = Callable[..., pd.DataFrame]


def test_the_default_keywords_are_italian_and_english() -> None:
    assert DEFAULT_OPT_OUT_KEYWORDS == ("STOP", "CANCELLA", "ANNULLA", "UNSUBSCRIBE", "RIMUOVI")
    assert DEFAULT_OPT_IN_KEYWORDS == ("START", "ISCRIVI")


@pytest.mark.parametrize(
    ("text", "strict", "lenient"),
    [
        ("STOP", True, True),
        ("  stop!!! ", True, True),
        ("Stòp.", True, True),
        ("Rimuovi", True, True),
        ("rimuovimi", False, False),
        ("Cancella il mio numero", False, True),
        ("annulla iscrizione", False, True),
        ("Unsubscribe me", False, True),
        ("UNSUBSCRIBE", True, True),
        ("stopper per porte", False, False),
        ("Non fermatevi, grazie", False, False),
        ("", False, False),
    ],
)
def test_opt_out_keywords_in_italian_and_english(text: str, strict: bool, lenient: bool) -> None:
    texts = pd.Series([text])
    assert is_opt_out(texts, match="strict").tolist() == [strict]
    assert is_opt_out(texts, match="lenient").tolist() == [lenient]


@pytest.mark.parametrize(
    ("text", "strict", "lenient"),
    [
        ("START", True, True),
        ("start.", True, True),
        ("Iscrivi", True, True),
        ("iscrivi di nuovo il mio numero", False, True),
        ("Please start again", False, True),
        ("restart", False, False),
        ("iscriviti", False, False),
    ],
)
def test_opt_in_keywords_in_italian_and_english(text: str, strict: bool, lenient: bool) -> None:
    texts = pd.Series([text])
    assert is_opt_in(texts, match="strict").tolist() == [strict]
    assert is_opt_in(texts, match="lenient").tolist() == [lenient]


def test_an_unknown_matching_or_class_is_refused() -> None:
    with pytest.raises(ValueError, match="strict or lenient"):
        ComplianceRules(match="loose")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="marketing or transactional"):
        MessageClasses(default="promo")  # type: ignore[arg-type]


def test_classes_by_campaign_then_sender_then_type(make_sent: Make) -> None:
    sent = make_sent(
        [
            {"from": "MyShop", "transactionId": "black-friday", "type": "SMS"},
            {"from": "MyShop OTP", "type": "SMS"},
            {"from": "MyShop", "transactionId": "ORDER-77", "type": "SMS"},
            {"from": "MyShop OTP", "transactionId": "promo-otp", "type": "SMS"},
            {"from": "MyShop", "type": "PUSH"},
        ]
    )
    classes = MessageClasses(
        marketing_campaigns=("promo-*",),
        transactional_campaigns=("order-*",),
        transactional_senders=("*otp",),
        transactional_types=("push",),
    )
    classified = classify_messages(sent, classes)
    assert classified["message_class"].tolist() == [
        "marketing", "transactional", "transactional", "marketing", "transactional",
    ]  # fmt: skip
    assert classified["class_rule"].tolist() == [
        "default", "sender *otp", "campaign order-*", "campaign promo-*", "type push",
    ]  # fmt: skip
    # By default a campaign is marketing and a message sent on its own transactional.
    assert classify_messages(sent)["message_class"].tolist() == [
        "marketing", "transactional", "marketing", "marketing", "transactional",
    ]  # fmt: skip


def _history(
    make_sent: Make, make_received: Make, replies: list[tuple[str, float]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Campaign messages to one number at minutes 10, 30, 50 and 70, an OTP at 40 and an
    order alert at 60; the number's replies at the minutes given."""
    sent = make_sent(
        [
            {"id": 1, "to": "393480000001", "transactionId": "promo-1", "insertDate": at(10),
             "sentDate": at(10)},
            {"id": 2, "to": "393480000001", "transactionId": "promo-2", "insertDate": at(30),
             "sentDate": at(30)},
            {"id": 3, "to": "393480000001", "from": "MyShop OTP", "insertDate": at(40),
             "sentDate": at(40), "text": "Il tuo codice MyShop è 123456"},
            {"id": 4, "to": "393480000001", "transactionId": "promo-3", "insertDate": at(50),
             "sentDate": at(50)},
            {"id": 5, "to": "393480000001", "insertDate": at(60), "sentDate": at(60),
             "text": "Your order #7 has shipped"},
            {"id": 6, "to": "393480000001", "transactionId": "promo-4", "insertDate": at(70),
             "sentDate": at(70)},
        ]
    )  # fmt: skip
    received = make_received(
        [
            {"from": "+393480000001", "text": text, "receiveDate": at(minute)}
            for text, minute in replies
        ]
    )
    return sent, received


def test_start_after_stop_ends_the_opt_out(make_sent: Make, make_received: Make) -> None:
    sent, received = _history(make_sent, make_received, [("STOP", 20), ("START", 45)])
    listed = compliance_list(sent, received)
    # Opted out from 20 to 45: the campaign at 30 is listed, the OTP at 40 is transactional,
    # the campaigns at 50 and 70 come after the opt-in.
    assert listed["id"].tolist() == [2]
    report = opt_out_report(sent, received)
    assert report["sent_after"].tolist() == [1]
    assert report["opted_back_in"].tolist() == [True]


def test_an_italian_opt_out_after_an_opt_in_starts_a_new_one(
    make_sent: Make, make_received: Make
) -> None:
    replies = [("Cancella", 20), ("Iscrivi", 35), ("Rimuovi!", 55)]
    sent, received = _history(make_sent, make_received, replies)
    listed = compliance_list(sent, received)
    assert listed["id"].tolist() == [2, 6]
    # Each flagged message names the opt-out in effect when it was sent.
    assert listed["opt_out_text"].tolist() == ["Cancella", "Rimuovi!"]
    assert listed["opted_out_at"].tolist() == [pd.Timestamp(at(20)), pd.Timestamp(at(55))]
    assert listed["message_class"].tolist() == ["marketing", "marketing"]
    assert opt_out_report(sent, received)["opted_back_in"].tolist() == [False]


def test_strict_matching_ignores_a_sentence_that_mentions_stop(
    make_sent: Make, make_received: Make
) -> None:
    sent, received = _history(make_sent, make_received, [("non stop, grazie!", 20)])
    assert compliance_list(sent, received)["id"].tolist() == [2, 4, 6]
    strict = ComplianceRules(match="strict")
    assert compliance_list(sent, received, keywords=strict).empty


def test_classes_decide_what_the_compliance_list_counts(
    make_sent: Make, make_received: Make
) -> None:
    sent, received = _history(make_sent, make_received, [("STOP", 20)])
    assert compliance_list(sent, received)["id"].tolist() == [2, 4, 6]
    everything = ComplianceRules(classes=MessageClasses(transactional_campaigns=()))
    listed = compliance_list(sent, received, keywords=everything)
    assert listed["id"].tolist() == [2, 3, 4, 5, 6]
    by_sender = ComplianceRules(
        classes=MessageClasses(transactional_campaigns=(), transactional_senders=("* OTP",))
    )
    listed = compliance_list(sent, received, keywords=by_sender)
    assert listed["id"].tolist() == [2, 4, 5, 6]  # the order alert has no rule: marketing
    assert set(classify_messages(sent, by_sender.classes)["class_rule"].iloc[[1, 3, 4, 5]]) == {
        "default"
    }


def test_a_sender_rule_decides_before_having_no_campaign_id(make_sent: Make) -> None:
    sent = make_sent(
        [
            {"from": "MyShopInfo"},  # marketing sent one by one, no campaign id
            {"from": "MyShop"},  # an order alert
            {"from": "MyShopInfo", "transactionId": "ORDER-1"},
        ]
    )
    classes = MessageClasses(
        marketing_senders=("MyShopInfo",), transactional_campaigns=("order-*", "")
    )
    classified = classify_messages(sent, classes)
    assert classified["message_class"].tolist() == ["marketing", "transactional", "transactional"]
    assert classified["class_rule"].tolist() == [
        "sender MyShopInfo", "campaign (none)", "campaign order-*",
    ]  # fmt: skip
