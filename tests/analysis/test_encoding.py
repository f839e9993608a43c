"""What encoding and length cost, checked against prices recomputed by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from smstools_tui.analysis import encoding_report, suggested_segments, text_savings
from smstools_tui.analysis.encoding import _counterfactual
from smstools_tui.segments import segment

from .conftest import at

CURLY = "Saldi d’inverno: fino al 50% su una selezione di articoli. Info: myshop.example/saldi"
STRAIGHT = CURLY.replace("’", "'")
LONG = "Newsletter di MyShop: " + "novità " * 25  # 197 GSM-7 characters: two parts
CYRILLIC = "Привет! " * 10  # 80 units of UCS-2 that no edit fixes: two parts
UNIT = 0.09  # credits per part


@pytest.fixture
def small_account(make_sent: Callable[..., pd.DataFrame]) -> pd.DataFrame:
    rows = []
    for text, campaign, count, sender in (
        (CURLY, "saldi", 3, "MyShop"),
        (LONG, "news", 2, "MyShop"),
        (CYRILLIC, "ru", 2, "MyShopRU"),
        ("Il tuo codice è 1234", None, 4, "MyShop OTP"),
    ):
        for _ in range(count):
            rows.append({"text": text, "transactionId": campaign, "from": sender,
                         "price": round(UNIT * segment(text).segments, 4),
                         "insertDate": at(len(rows))})  # fmt: skip
    return make_sent(rows)


def test_the_account_is_what_the_test_says(small_account: pd.DataFrame) -> None:
    assert [segment(text).segments for text in (CURLY, STRAIGHT, LONG, CYRILLIC)] == [2, 1, 2, 2]
    assert [segment(text).encoding for text in (CURLY, LONG, CYRILLIC)] == [
        "UCS-2", "GSM-7", "UCS-2",
    ]  # fmt: skip


def test_cost_of_encoding_equals_the_price_difference_by_hand(
    small_account: pd.DataFrame,
) -> None:
    report = encoding_report(small_account, "campaign").set_index("campaign")
    # saldi: 3 messages of 2 parts (0.18 each) would have been 1 part (0.09) with a straight
    # apostrophe: 3 × 0.09 saved. The newsletter is GSM-7: nothing from encoding, and 2 × 0.09
    # from its length. The Cyrillic text has no GSM-7 form: its cost is its length alone.
    assert report.loc["saldi", "spend"] == pytest.approx(3 * 0.18)
    assert report.loc["saldi", "encoding_cost"] == pytest.approx(3 * 0.09)
    assert report.loc["saldi", "spend_as_suggested"] == pytest.approx(3 * 0.09)
    assert report.loc["saldi", "length_cost"] == pytest.approx(3 * 0.09)
    assert report.loc["news", "encoding_cost"] == 0
    assert report.loc["news", "length_cost"] == pytest.approx(2 * 0.09)
    assert report.loc["ru", "encoding_cost"] == 0
    assert report.loc["ru", "length_cost"] == pytest.approx(2 * 0.09)
    assert report.loc["(none)", "encoding_cost"] == report.loc["(none)", "length_cost"] == 0
    total = encoding_report(small_account).iloc[0]
    assert total["encoding_cost"] == pytest.approx(3 * 0.09)
    assert total["length_cost"] == pytest.approx(7 * 0.09)
    assert total["spend"] == pytest.approx(small_account["price"].sum())


def test_segments_and_shares(small_account: pd.DataFrame) -> None:
    report = encoding_report(small_account, "sender").set_index("sender")
    assert report.loc["MyShop", "messages"] == 5
    assert report.loc["MyShop", "segments"] == 3 * 2 + 2 * 2
    assert report.loc["MyShop", "segments_per_message"] == 2.0
    assert report.loc["MyShop", "ucs2_messages"] == 3
    assert report.loc["MyShop", "ucs2_share"] == pytest.approx(3 / 5)
    assert report.loc["MyShop OTP", "segments_per_message"] == 1.0
    assert report.loc["MyShopRU", "ucs2_share"] == 1.0
    assert report.loc["MyShop OTP", "ucs2_share"] == 0.0


def test_by_month_and_encoding(small_account: pd.DataFrame) -> None:
    by_month = encoding_report(small_account, "month", tz="Europe/Rome")
    assert by_month["month"].tolist() == ["2026-11"]
    by_encoding = encoding_report(small_account, "encoding").set_index("encoding")
    assert by_encoding.loc["UCS-2", "messages"] == 5
    assert by_encoding.loc["GSM-7", "encoding_cost"] == 0


def test_messages_without_text_or_price(make_sent: Callable[..., pd.DataFrame]) -> None:
    sent = make_sent([{"text": None, "price": 0.1}, {"text": CURLY, "price": None}])
    report = encoding_report(sent).iloc[0]
    assert report["messages"] == 2
    assert report["segments"] == 2
    assert report["segments_per_message"] == 2.0  # of the one message with a text
    assert report["spend"] == pytest.approx(0.1)
    assert report["encoding_cost"] == 0 and report["length_cost"] == 0
    assert suggested_segments(sent).tolist() == [0, 1]


def test_a_counterfactual_price_is_rounded_to_the_micro_credit() -> None:
    micro = np.array([100_000, 100_001, 7])
    got = _counterfactual(micro, np.array([3, 3, 0]), np.array([1, 1, 1]))
    assert got.tolist() == [33_333, 33_334, 7]


def test_text_savings(small_account: pd.DataFrame) -> None:
    savings = text_savings(small_account)
    assert savings["text"].tolist() == [CURLY]  # the Cyrillic text has no cheaper spelling
    row = savings.iloc[0]
    assert row["campaign"] == "saldi"
    assert row["suggested_text"] == STRAIGHT
    assert (row["segments"], row["suggested_segments"]) == (2, 1)
    assert row["edits"] == "curly apostrophes ’ → '"
    assert row["characters"] == "’"
    assert row["parts_saved"] == 3
    assert row["credits_saved"] == pytest.approx(3 * 0.09)


def test_text_savings_on_an_account_of_gsm_texts(make_sent: Callable[..., pd.DataFrame]) -> None:
    savings = text_savings(make_sent([{"text": "Ciao"}]))
    assert savings.empty
    assert list(savings.columns)[:3] == ["text", "campaign", "messages"]


def test_the_sandbox_shows_the_effect(sandbox_frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sent, _ = sandbox_frames
    report = encoding_report(sent).iloc[0]
    assert report["ucs2_share"] > 0.05
    assert report["encoding_cost"] > 0 and report["length_cost"] > report["encoding_cost"]
    savings = text_savings(sent)
    assert savings["edits"].str.contains("curly apostrophes").any()
    assert savings["edits"].str.contains("emoji").any()
    assert savings["credits_saved"].iloc[0] > 0
    # Prices follow the parts: one part costs one price per country, whatever the parts.
    billed = sent[sent["price"] > 0]
    per_part = (billed["price"] / billed["segments"].astype(float)).round(4)
    assert per_part.nunique() <= 8  # the sandbox's countries
