from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from smstools_tui.analysis import failing_numbers

from .conftest import at

Make = Callable[..., pd.DataFrame]


def _history(make_sent: Make, rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    return make_sent(
        [
            {"to": to, "status": status, "insertDate": at(minute), "price": 0.1,
             "statusDetail": "ABSENT_SUBSCRIBER" if status == "NOTDELIVERED" else None}
            for to, status, minute in rows
        ]
    )  # fmt: skip


def test_repeated_failures_without_a_later_delivery(make_sent: Make) -> None:
    sent = _history(
        make_sent,
        [
            # delivered once, then failed twice: listed with 2 failures
            ("393480000001", "DELIVERED", 0),
            ("393480000001", "NOTDELIVERED", 10),
            ("393480000001", "NOSENT", 20),
            # failed twice, then delivered: fine
            ("393480000002", "NOTDELIVERED", 0),
            ("393480000002", "NOTDELIVERED", 10),
            ("393480000002", "DELIVERED", 20),
            # failed three times in three notations, a pending message after: listed
            ("393480000003", "NOTDELIVERED", 0),
            ("00393480000003", "NOTDELIVERED", 10),
            ("+393480000003", "NOTDELIVERED", 30),
            ("393480000003", "PENDING", 40),
            # failed once: not enough
            ("393480000004", "NOTDELIVERED", 0),
        ],
    )
    report = failing_numbers(sent)
    assert report[["number", "country", "failures", "messages"]].to_dict("list") == {
        "number": ["393480000003", "393480000001"],
        "country": ["IT", "IT"],
        "failures": [3, 2],
        "messages": [4, 3],
    }
    assert report["first_failure"].tolist() == [pd.Timestamp(at(0)), pd.Timestamp(at(10))]
    assert report["last_failure"].tolist() == [pd.Timestamp(at(30)), pd.Timestamp(at(20))]
    assert pd.isna(report["last_delivered"].iloc[0])
    assert report["last_delivered"].iloc[1] == pd.Timestamp(at(0))
    assert report["wasted_spend"].tolist() == [pytest.approx(0.3), 0.2]
    assert report["wasted_spend"].iloc[0] == 0.3
    assert report["last_status"].tolist() == ["NOTDELIVERED", "NOSENT"]
    assert [None if pd.isna(v) else v for v in report["last_status_detail"]] == [
        "ABSENT_SUBSCRIBER",
        None,
    ]


def test_min_failures(make_sent: Make) -> None:
    sent = _history(make_sent, [("393480000004", "NOTDELIVERED", 0)])
    assert failing_numbers(sent).empty
    assert failing_numbers(sent, min_failures=1)["failures"].tolist() == [1]
    with pytest.raises(ValueError, match="at least 1"):
        failing_numbers(sent, min_failures=0)


def test_empty_and_all_good(make_sent: Make) -> None:
    empty = failing_numbers(make_sent([]))
    assert empty.empty
    assert empty.columns.tolist() == [
        "number", "country", "failures", "first_failure", "last_failure", "last_delivered",
        "messages", "wasted_spend", "last_status", "last_status_detail",
    ]  # fmt: skip
    assert failing_numbers(_history(make_sent, [("391", "DELIVERED", 0)])).empty


def test_unparseable_number_is_listed_in_its_own_group(make_sent: Make) -> None:
    sent = _history(make_sent, [("39 123", "NOSENT", 0), ("39 123", "NOSENT", 5)])
    report = failing_numbers(sent)
    assert report[["number", "country", "failures"]].values.tolist() == [["39123", "(unknown)", 2]]
