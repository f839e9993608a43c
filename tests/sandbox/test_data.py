"""The generated account is realistic enough to test reports against, and repeatable."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from smstools_tui.frames import STATUSES
from smstools_tui.sandbox import AccountSpec, SandboxAccount, generate_account
from tests.conftest import NOW


def test_same_seed_same_account(account: SandboxAccount) -> None:
    again = generate_account(AccountSpec(seed=11, sent=3_000, received=400, now=NOW))
    pd.testing.assert_frame_equal(again.sent_frame(), account.sent_frame())
    pd.testing.assert_frame_equal(again.received_frame(), account.received_frame())
    other = generate_account(AccountSpec(seed=12, sent=3_000, received=400, now=NOW))
    assert not other.sent_frame()["id"].equals(account.sent_frame()["id"])


def test_statuses_in_plausible_shares(account: SandboxAccount) -> None:
    shares = account.sent_frame()["status"].value_counts(normalize=True)
    assert set(shares[shares > 0].index) == set(STATUSES)  # all documented, none UNKNOWN
    assert 0.85 < shares["DELIVERED"] < 0.97
    assert 0.02 < shares["NOTDELIVERED"] < 0.10
    assert 0 < shares["NOSENT"] < 0.03
    assert 0 < shares["PENDING"] + shares["SENT"] < 0.05


def test_statuses_settle_as_time_passes(account: SandboxAccount) -> None:
    now, later = account.sent_frame(NOW), account.sent_frame(NOW + timedelta(days=2))
    waiting = now[now["status"].isin(["PENDING", "SENT"])]
    assert len(waiting) > 10
    settled = later.set_index("id").loc[waiting["id"], "status"]
    assert settled.isin(["DELIVERED", "NOTDELIVERED", "NOSENT"]).sum() >= 10
    assert (settled == "PENDING").sum() == 0
    assert len(later) > len(now)  # scheduled messages appear


def test_dates_are_consistent(account: SandboxAccount) -> None:
    sent = account.sent_frame()
    assert (sent["insertDate"] <= pd.Timestamp(NOW)).all()
    has_sent = sent["sentDate"].notna()
    assert (sent.loc[has_sent, "sentDate"] >= sent.loc[has_sent, "insertDate"]).all()
    delivered = sent["status"] == "DELIVERED"
    assert sent.loc[delivered, "deliveryDate"].notna().all()
    assert (sent.loc[delivered, "deliveryDate"] >= sent.loc[delivered, "sentDate"]).all()
    assert sent.loc[~delivered, "deliveryDate"].isna().all()
    assert sent.loc[sent["status"] == "PENDING", "sentDate"].isna().all()
    assert (sent.loc[sent["status"] == "NOSENT", "price"] == 0).all()


def test_history_crosses_a_dst_change(account: SandboxAccount) -> None:
    offsets = {account.sent.record(row, int(NOW.timestamp()), _rome())["insertDate"][-5:]
               for row in range(0, len(account.sent), 50)}  # fmt: skip
    assert {"+0100", "+0200"} <= offsets


def _rome():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Rome")


def test_campaigns_senders_countries(account: SandboxAccount) -> None:
    sent = account.sent_frame()
    assert sent["transactionId"].nunique() >= 10
    assert sent["transactionId"].isna().mean() > 0.2  # alerts and OTPs carry none
    assert sent["from"].nunique() >= 3
    prefixes = sent["to"].astype(str).str[:2].value_counts()
    assert prefixes.index[0] == "39"
    assert len(prefixes) >= 6
    assert (
        sent.groupby(sent["to"].astype(str).str[:2], observed=True)["price"].max().nunique()
    ) >= 4


def test_replies_opt_outs_and_duplicates(account: SandboxAccount) -> None:
    received = account.received_frame()
    assert 300 < len(received) < 600
    texts = received["text"].str.upper()
    assert texts.str.contains(r"\bSTOP\b|\bCANCELLA\b|\bANNULLA\b|UNSUBSCRIBE").sum() >= 3
    assert received.duplicated(keep=False).sum() >= 2
    assert set(received["simId"]) == {"1001", "1002"}
    recipients = set("+" + account.sent_frame()["to"].astype(str))
    assert received["from"].isin(recipients).mean() > 0.4  # most are replies to the account's SMS


def test_hostile_texts_are_present() -> None:
    big = generate_account(AccountSpec(seed=5, sent=20_000, received=2_000, now=NOW))
    texts = pd.concat(
        [big.sent_frame()["text"].astype(str), big.received_frame()["text"].astype(str)]
    )
    assert texts.str.startswith(("=", "+", "-", "@")).any()
    assert texts.str.contains("\x1b", regex=False).any()
    assert texts.str.contains("[bold", regex=False).any()
    assert texts.str.len().max() > 1_000


def test_a_million_rows_stay_under_100_bytes_a_message_in_the_frame() -> None:
    frame = generate_account(AccountSpec(seed=2, sent=60_000, received=100, now=NOW)).sent_frame()
    per_row = frame.memory_usage(deep=True).sum() / len(frame)
    assert per_row < 100, per_row
    assert np.issubdtype(frame["to"].cat.codes.dtype, np.integer)


def test_slow_settling_changes_only_when_statuses_settle() -> None:
    from smstools_tui.sandbox.data import SETTLINGS

    fast = generate_account(AccountSpec(seed=4, sent=3_000, received=10, now=NOW, days=30))
    same = generate_account(
        AccountSpec(seed=4, sent=3_000, received=10, now=NOW, days=30, settling="fast")
    )
    pd.testing.assert_frame_equal(fast.sent_frame(), same.sent_frame())
    later = NOW + timedelta(days=10)
    for name in set(SETTLINGS) - {"fast"}:
        slow = generate_account(
            AccountSpec(seed=4, sent=3_000, received=10, now=NOW, days=30, settling=name)
        )
        # The same messages end the same way ...
        pd.testing.assert_series_equal(
            slow.sent_frame(at=later)["status"], fast.sent_frame(at=later)["status"]
        )
        # ... but an hour after a message is handed over, more are still waiting, failures too.
        table, fast_table = slow.sent, fast.sent
        hour = table.sent + 3600
        waiting = (table.final > hour) & (table.final != np.iinfo(np.int64).max)
        fast_waiting = (fast_table.final > hour) & (fast_table.final != np.iinfo(np.int64).max)
        assert waiting.mean() > 0.05 > fast_waiting.mean()
        failed = table.outcome == 4  # NOTDELIVERED
        assert np.median(table.final[failed] - table.sent[failed]) > 1800


def test_an_unknown_settling_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="settling 'slow' is not one of fast"):
        AccountSpec(settling="slow")
