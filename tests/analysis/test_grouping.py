from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from smstools_tui.analysis import BY_CHOICES, NO_VALUE, Groups, group_key, local_zone, resolve_zone
from smstools_tui.errors import ConfigError

ROME = "Europe/Rome"

# Around the 2026 changes in Rome: summer time starts 2026-03-29 01:00 UTC and ends
# 2026-10-25 01:00 UTC.
DST_CASES = [
    # (UTC instant, Rome day, Rome week, Rome month)
    ("2026-03-28T23:30:00+0000", "2026-03-29", "2026-03-23", "2026-03"),
    ("2026-03-29T21:30:00+0000", "2026-03-29", "2026-03-23", "2026-03"),
    ("2026-03-29T22:30:00+0000", "2026-03-30", "2026-03-30", "2026-03"),
    ("2026-03-31T22:30:00+0000", "2026-04-01", "2026-03-30", "2026-04"),
    ("2026-10-24T22:30:00+0000", "2026-10-25", "2026-10-19", "2026-10"),
    ("2026-10-25T22:30:00+0000", "2026-10-25", "2026-10-19", "2026-10"),
    ("2026-10-25T23:30:00+0000", "2026-10-26", "2026-10-26", "2026-10"),
    ("2026-10-31T22:30:00+0000", "2026-10-31", "2026-10-26", "2026-10"),
    ("2026-10-31T23:30:00+0000", "2026-11-01", "2026-10-26", "2026-11"),
]


@pytest.mark.parametrize(("instant", "day", "week", "month"), DST_CASES)
def test_calendar_buckets_follow_rome_across_dst(
    make_sent: Callable[..., pd.DataFrame], instant: str, day: str, week: str, month: str
) -> None:
    sent = make_sent([{"insertDate": instant}])
    assert group_key(sent, "day", tz=ROME).tolist() == [day]
    assert group_key(sent, "week", tz=ROME).tolist() == [week]
    assert group_key(sent, "month", tz=ROME).tolist() == [month]


def test_time_labels_are_in_time_order_and_utc_differs(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    sent = make_sent([{"insertDate": instant} for instant, *_ in reversed(DST_CASES)])
    key = group_key(sent, "day", tz=ROME)
    assert list(key.cat.categories) == sorted(set(key))
    assert group_key(sent, "day", tz="UTC").tolist()[-1] == "2026-03-28"


def test_missing_values_are_their_own_group(make_sent: Callable[..., pd.DataFrame]) -> None:
    sent = make_sent(
        [
            {"transactionId": "promo", "insertDate": "2026-11-02T10:00:00+0000"},
            {"transactionId": None, "insertDate": None, "from": None, "status": None},
        ]
    )
    assert group_key(sent, "campaign").tolist() == ["promo", NO_VALUE]
    assert group_key(sent, "day", tz="UTC").tolist() == ["2026-11-02", NO_VALUE]
    assert group_key(sent, "sender").tolist() == ["MyShop", NO_VALUE]
    assert group_key(sent, "status").tolist() == ["DELIVERED", NO_VALUE]


def test_country_key(make_sent: Callable[..., pd.DataFrame]) -> None:
    sent = make_sent([{"to": "393480000000"}, {"to": "41791234567"}, {"to": "39 1"}])
    assert group_key(sent, "country").tolist() == ["IT", "CH", "(unknown)"]


def test_unknown_key_and_zone_are_one_line_errors(make_sent: Callable[..., pd.DataFrame]) -> None:
    with pytest.raises(ConfigError, match="cannot group by 'hour'"):
        group_key(make_sent([{}]), "hour")
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        resolve_zone("Mars/Olympus")


def test_local_zone_follows_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert str(local_zone()) == "America/New_York"
    assert str(resolve_zone(None)) == "America/New_York"
    assert resolve_zone(UTC) is UTC
    assert isinstance(resolve_zone("Europe/Rome"), zoneinfo.ZoneInfo)


def test_by_choices() -> None:
    assert BY_CHOICES == ("day", "week", "month", "sender", "campaign", "country", "status")


def test_groups_of_two_keys_lists_only_combinations_that_occur(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    sent = make_sent(
        [
            {"to": "393480000000", "insertDate": "2026-10-01T10:00:00+0000"},
            {"to": "41791234567", "insertDate": "2026-11-01T10:00:00+0000"},
            {"to": "393480000000", "insertDate": "2026-11-02T10:00:00+0000"},
        ]
    )
    groups = Groups.of(sent, ["month", "country"], tz="UTC")
    frame = groups.frame({"messages": groups.count()})
    assert frame.to_dict("list") == {
        "month": ["2026-10", "2026-11", "2026-11"],
        "country": ["IT", "IT", "CH"],
        "messages": [1, 1, 1],
    }


def test_groups_of_nothing_is_one_group_even_when_empty(
    make_sent: Callable[..., pd.DataFrame],
) -> None:
    groups = Groups.of(make_sent([]), None)
    assert groups.size == 1
    assert groups.count().tolist() == [0]


def test_report_order_time_first_then_largest(make_sent: Callable[..., pd.DataFrame]) -> None:
    sent = make_sent([{"from": "b"}, {"from": "a"}, {"from": "c"}, {"from": "c"}])
    groups = Groups.of(sent, "sender")
    frame = groups.frame({"messages": groups.count()}, size=groups.count())
    assert frame["sender"].tolist() == ["c", "a", "b"]


def test_quantiles_match_pandas() -> None:
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 5, size=1_000)
    values = rng.lognormal(1, 1, size=1_000)
    values[rng.random(1_000) < 0.1] = np.nan
    groups = Groups(codes, pd.DataFrame({"g": range(5)}))
    ours = groups.quantiles(values, (0.5, 0.9, 0.99))
    theirs = (
        pd.DataFrame({"g": codes, "v": values})
        .groupby("g")["v"]
        .quantile([0.5, 0.9, 0.99])
        .unstack()
        .to_numpy()
    )
    np.testing.assert_allclose(ours, theirs)


def test_quantiles_of_an_empty_group_are_nan() -> None:
    groups = Groups(np.array([0, 0]), pd.DataFrame({"g": [0, 1]}))
    out = groups.quantiles(np.array([1.0, 3.0]), (0.5,))
    assert out[0, 0] == 2.0
    assert np.isnan(out[1, 0])


def test_sum_int_is_exact() -> None:
    groups = Groups(np.zeros(3, dtype=np.int64), pd.DataFrame(index=range(1)))
    assert groups.sum_int(np.array([2**60, 1, 1], dtype=np.int64)).tolist() == [2**60 + 2]


def test_naive_datetime_column_is_read_as_utc() -> None:
    frame = pd.DataFrame({"insertDate": [datetime(2026, 3, 28, 23, 30)]})
    assert group_key(frame, "day", tz=ROME).tolist() == ["2026-03-29"]
