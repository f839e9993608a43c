"""Quiet hours: the customer's policy, across a DST change and on a public holiday."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

import pandas as pd
import pytest

from smstools_tui.analysis import MessageClasses, QuietHours, quiet_hour_messages

Make = Callable[..., pd.DataFrame]


def _campaign(make_sent: Make, *stamps: str) -> pd.DataFrame:
    return make_sent([{"insertDate": stamp, "transactionId": "promo"} for stamp in stamps])


def test_off_by_default(make_sent: Make) -> None:
    sent = _campaign(make_sent, "2026-11-24T23:30:00+0000")
    assert quiet_hour_messages(sent).empty
    assert quiet_hour_messages(sent, QuietHours())["id"].tolist() == []


def test_the_quiet_hours_are_local_across_a_dst_change(make_sent: Make) -> None:
    # 20:30 UTC is 22:30 in Rome on Saturday 24 October (summer time, quiet after 22:00) and
    # 21:30 on Saturday 31 October (winter time, not yet quiet); 06:30 UTC is 08:30 then 07:30.
    sent = _campaign(
        make_sent,
        "2026-10-24T20:30:00+0000",
        "2026-10-31T20:30:00+0000",
        "2026-10-24T06:30:00+0000",
        "2026-10-31T06:30:00+0000",
    )
    policy = QuietHours(enabled=True, start=time(22, 0), end=time(8, 0), time_zone="Europe/Rome")
    flagged = quiet_hour_messages(sent, policy)
    assert flagged["id"].tolist() == [1, 4]  # the same UTC hours, quiet on one side only
    assert flagged["local_time"].tolist() == ["2026-10-24 22:30", "2026-10-31 07:30"]


def test_a_public_holiday_and_a_quiet_weekday_are_quiet_all_day(make_sent: Make) -> None:
    sent = _campaign(
        make_sent,
        "2026-12-08T10:00:00+0000",  # Tuesday, the Immaculate Conception: a holiday in Italy
        "2026-12-09T10:00:00+0000",  # Wednesday, a working day
        "2026-12-13T10:00:00+0000",  # Sunday
    )
    policy = QuietHours(enabled=True, days=("Sun",), holidays="IT", time_zone="Europe/Rome")
    flagged = quiet_hour_messages(sent, policy)
    assert flagged["id"].tolist() == [1, 3]
    assert flagged["quiet_reason"].tolist()[1] == "weekday"
    assert flagged["quiet_reason"].tolist()[0] not in ("", "hours", "weekday")  # its name
    assert quiet_hour_messages(sent, QuietHours(enabled=True, days=("Sun",)))["id"].tolist() == [3]


def test_only_marketing_messages_count(make_sent: Make) -> None:
    sent = make_sent(
        [
            {"insertDate": "2026-11-24T23:30:00+0000", "transactionId": "promo"},
            {"insertDate": "2026-11-24T23:30:00+0000", "from": "MyShop OTP"},  # transactional
        ]
    )
    policy = QuietHours(enabled=True)
    assert quiet_hour_messages(sent, policy)["id"].tolist() == [1]
    everything = QuietHours(enabled=True, classes=MessageClasses(transactional_campaigns=()))
    assert quiet_hour_messages(sent, everything)["id"].tolist() == [1, 2]


def test_a_wrong_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown weekday 'Sunday'"):
        QuietHours(days=("Sunday",))
    with pytest.raises(ValueError, match="no public holidays known"):
        QuietHours(holidays="XX")
    assert "customer's policy" in QuietHours(enabled=True).describe()
