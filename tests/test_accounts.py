"""Several accounts as one source: concurrent, bounded, one failing stops none of the others."""

from __future__ import annotations

import threading
from datetime import datetime

import pandas as pd
import pytest

from smstools_tui.account import Account
from smstools_tui.accounts import AccountsSource, for_each_account
from smstools_tui.demo import demo_client
from smstools_tui.errors import AccountsFailed, AuthenticationError, SmstoolsError
from smstools_tui.frames import SENT_SCHEMA, concat_accounts, with_account
from smstools_tui.query import FetchResult, Query
from smstools_tui.source import CancelToken, MessageSource, ProgressCallback

from .conftest import NOW


class Refused(MessageSource):
    """An account whose key the gateway refuses."""

    label = "refused"

    def now(self) -> datetime:
        return NOW

    def account(self) -> Account:
        raise AuthenticationError(401, "BAD_CREDENTIALS")

    def close(self) -> None:
        pass

    def _fetch(
        self, query: Query, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> FetchResult:
        raise AuthenticationError(401, "BAD_CREDENTIALS")


@pytest.fixture
def three() -> AccountsSource:
    return AccountsSource(
        {
            "acme": demo_client(now=NOW, sent=400, received=40, seed=5),
            "broken": Refused(),
            "globex": demo_client(now=NOW, sent=300, received=30, seed=6),
        }
    )


def test_a_refused_account_is_left_out_and_kept_as_a_failure(three: AccountsSource) -> None:
    with three:
        both = three.sent(window="90d")
        alone = {name: three.sources[name].sent(window="90d") for name in ("acme", "globex")}
    assert list(three.failures) == ["broken"]
    assert isinstance(three.failures["broken"], AuthenticationError)
    assert both["account"].value_counts().to_dict() == {
        name: len(frame) for name, frame in alone.items()
    }
    for name, frame in alone.items():
        mine = both[both["account"] == name].drop(columns="account").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, frame, check_categorical=False)
    for column, dtype in SENT_SCHEMA.dtypes().items():  # categories stay categories
        assert both[column].dtype == dtype, column
    with pytest.raises(AccountsFailed, match="1 of 3 accounts failed: broken") as raised:
        three.raise_failures()
    assert list(raised.value.failures) == ["broken"]


def test_sql_over_accounts_has_the_account_column(three: AccountsSource) -> None:
    with three:
        counts = three.sql(
            "SELECT account, count(*) AS messages FROM sent GROUP BY account ORDER BY account",
            window="90d",
        )
        sent = three.sent(window="90d")
    expected = sent["account"].value_counts().sort_index()
    assert counts["account"].tolist() == expected.index.tolist() == ["acme", "globex"]
    assert counts["messages"].tolist() == expected.tolist()


def test_every_account_failing_is_an_error() -> None:
    with AccountsSource({"a": Refused(), "b": Refused()}) as both, pytest.raises(AccountsFailed):
        both.sent(window="7d")


def test_at_most_so_many_accounts_at_once() -> None:
    running, most = 0, 0
    lock = threading.Lock()
    gate = threading.Barrier(2, timeout=5)

    def work(name: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        gate.wait()  # two at a time must meet, a third never joins them
        with lock:
            running -= 1
        return name

    done, failed = for_each_account([str(n) for n in range(6)], work, at_once=2)
    assert list(done) == [str(n) for n in range(6)] and not failed
    assert most == 2


def test_concatenated_categories_stay_categories() -> None:
    one = with_account(pd.DataFrame({"to": pd.Categorical(["39", "41"])}), "a")
    two = with_account(pd.DataFrame({"to": pd.Categorical(["33"])}), "b")
    both = concat_accounts([one, two])
    assert both["to"].tolist() == ["39", "41", "33"]
    assert isinstance(both["to"].dtype, pd.CategoricalDtype)
    assert list(both["account"].cat.categories) == ["a", "b"]
    with pytest.raises(ValueError, match="no frames"):
        concat_accounts([])


def test_a_failure_is_any_smstools_error() -> None:
    def work(name: str) -> int:
        if name == "x":
            raise SmstoolsError("no")
        return 1

    assert for_each_account(["x", "y"], work)[0] == {"y": 1}
