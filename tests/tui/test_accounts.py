"""The dashboard on several accounts at once (``dashboard --all-accounts``): whose each message
is, and Costs by account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

import pandas as pd
import pytest
from textual.widgets import Select

from smstools_tui import analysis
from smstools_tui.accounts import AccountsSource
from smstools_tui.demo import demo_client
from smstools_tui.tui.views import default_reports

from ..conftest import NOW
from .conftest import SIZE, dashboard, settle


@pytest.fixture
def two_accounts() -> Iterator[AccountsSource]:
    sources = {
        name: demo_client(now=NOW, sent=400, received=40, seed=seed)
        for name, seed in (("acme", 3), ("globex", 4))
    }
    with AccountsSource(sources) as both:
        yield both


async def test_all_accounts_show_whose_and_cost_by_account(two_accounts: AccountsSource) -> None:
    app = dashboard(two_accounts, reports=default_reports(UTC, accounts=True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        data = app.dataset
        assert data is not None
        assert set(data.sent["account"]) == {"acme", "globex"}
        assert isinstance(data.sent["account"].dtype, pd.CategoricalDtype)
        assert app.view("sent").spec.columns[0].name == "account"
        assert app.view("received").spec.columns[0].name == "account"
        await pilot.press("5")
        await pilot.pause()
        costs = app.view("costs")
        costs.query_one("#variant", Select).value = "account"
        await settle(pilot)
        assert costs.variant == "account"
        expected = analysis.cost_report(data.sent, "account")
        pd.testing.assert_frame_equal(costs.frame, expected)
        per_account = {
            name: analysis.cost_report(data.sent[data.sent["account"] == name])
            for name in ("acme", "globex")
        }
        for row in expected.itertuples():
            assert row.spend == pytest.approx(per_account[str(row.account)]["spend"].iloc[0])


def test_one_account_keeps_the_usual_tables() -> None:
    app = dashboard(demo_client(now=NOW, sent=100, received=10))
    assert app.sent_view.columns is not None and app.sent_view.columns[0].name != "account"
    costs = next(report for report in app.reports if report.id == "costs")
    assert "account" not in [variant.key for variant in costs.variants]
