"""The dlt source, loaded into dlt's DuckDB destination from the sandbox served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import dlt
import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.dlt import smstools_source
from smstools_tui.frames import PENDING_STATUSES
from smstools_tui.query import Query
from smstools_tui.sandbox import (
    AccountSpec,
    SandboxAccount,
    SandboxApi,
    SandboxServer,
    generate_account,
    sandbox_settings,
)

from .conftest import NOW, Clock, Sleeps

SINCE = "30d"
OVERLAP = 120


@pytest.fixture(autouse=True)
def no_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    """dlt reports usage over the network unless told not to."""
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")


@pytest.fixture
def pipeline(tmp_path: Path) -> dlt.Pipeline:
    return dlt.pipeline(
        "smstools_test",
        destination=dlt.destinations.duckdb(str(tmp_path / "warehouse.duckdb")),
        dataset_name="messages",
        pipelines_dir=str(tmp_path / "pipelines"),
    )


@pytest.fixture
def connect(clock: Clock, sleeps: Sleeps) -> Iterator[Callable[[SandboxServer], SmstoolsClient]]:
    """``connect(server)``: a client on a sandbox served over HTTP, on the test's clock."""
    clients: list[SmstoolsClient] = []

    def make(server: SandboxServer) -> SmstoolsClient:
        client = SmstoolsClient(
            sandbox_settings(server.base_url, page_size=100), clock=clock, sleep=sleeps
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def rows(pipeline: dlt.Pipeline, sql: str) -> pd.DataFrame:
    with pipeline.sql_client() as client, client.execute_query(sql) as cursor:
        return cursor.df()


def expected(account: SandboxAccount, clock: Clock, kind: str) -> pd.DataFrame:
    """What the sandbox holds of ``kind`` from the first load's start until the clock's now."""
    span = Query.build("sent", since=SINCE, now=NOW).span
    assert span is not None
    frame = account.sent_frame(clock.now) if kind == "sent" else account.received_frame(clock.now)
    dates = frame["insertDate" if kind == "sent" else "receiveDate"]
    return frame[(dates >= span.start) & (dates < clock.now)]


def test_a_rerun_loads_nothing_twice(
    pipeline: dlt.Pipeline,
    server: SandboxServer,
    connect: Callable[[SandboxServer], SmstoolsClient],
    account: SandboxAccount,
    clock: Clock,
) -> None:
    client = connect(server)
    pipeline.run(smstools_source(client, since=SINCE, overlap=OVERLAP))
    first = rows(pipeline, "SELECT id, status, account FROM sent")
    received = rows(pipeline, "SELECT count(*) AS n FROM received").loc[0, "n"]

    pipeline.run(smstools_source(client, since=SINCE, overlap=OVERLAP))
    again = rows(pipeline, "SELECT id, status, account FROM sent")

    sent = expected(account, clock, "sent")
    assert len(first) == len(sent) > 100
    assert sorted(again["id"]) == sorted(sent["id"])
    assert set(again["account"]) == {"default"}
    assert rows(pipeline, "SELECT count(*) AS n FROM received").loc[0, "n"] == received
    assert received == len(expected(account, clock, "received")) > 5


def test_a_status_that_settled_in_the_sandbox_is_updated_in_the_destination(
    pipeline: dlt.Pipeline,
    server: SandboxServer,
    connect: Callable[[SandboxServer], SmstoolsClient],
    account: SandboxAccount,
    clock: Clock,
) -> None:
    client = connect(server)
    pipeline.run(smstools_source(client, since=SINCE, overlap=OVERLAP))
    before = rows(pipeline, "SELECT id, status, insert_date FROM sent").set_index("id")
    open_ = before[before["status"].isin(sorted(PENDING_STATUSES))]

    clock.now = NOW + timedelta(hours=1)
    pipeline.run(smstools_source(client, since=SINCE, overlap=OVERLAP))
    after = rows(pipeline, "SELECT id, status FROM sent").set_index("id")["status"]

    truth = expected(account, clock, "sent").set_index("id")["status"].astype(str)
    settled = [key for key in open_.index if truth[key] not in PENDING_STATUSES]
    assert len(settled) >= 10
    # Inserted before the overlap the date search reads again: asked by id, as the sync does.
    assert (open_.loc[settled, "insert_date"] < NOW - timedelta(seconds=OVERLAP)).all()
    assert after.sort_index().to_dict() == truth.sort_index().to_dict()
    assert after.index.is_unique


def test_two_accounts_load_as_one_table_with_an_account_column(
    pipeline: dlt.Pipeline,
    connect: Callable[[SandboxServer], SmstoolsClient],
    clock: Clock,
) -> None:
    accounts = {
        name: generate_account(AccountSpec(seed=seed, sent=600, received=80, now=NOW))
        for name, seed in (("shop", 21), ("clinic", 22))
    }
    with (
        SandboxServer(SandboxApi(accounts["shop"], clock=clock, page_cap=100)) as shop,
        SandboxServer(SandboxApi(accounts["clinic"], clock=clock, page_cap=100)) as clinic,
    ):
        servers = {"shop": shop, "clinic": clinic}
        for _ in range(2):  # the second round loads nothing new for either
            for name, server in servers.items():
                pipeline.run(smstools_source(connect(server), account=name, since=SINCE))

    for kind in ("sent", "received"):
        counts = rows(pipeline, f"SELECT account, count(*) AS n FROM {kind} GROUP BY account")
        found: dict[str, Any] = dict(zip(counts["account"], counts["n"], strict=True))
        assert found == {
            name: len(expected(generated, clock, kind)) for name, generated in accounts.items()
        }
    shop_ids = rows(pipeline, "SELECT id FROM sent WHERE account = 'shop'")["id"]
    assert sorted(shop_ids) == sorted(expected(accounts["shop"], clock, "sent")["id"])


def test_the_readme_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Warehouses: a dlt source", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)  # the DuckDB file
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt"))  # the pipelines' folder
    exec(compile(example, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "('shop', 'DELIVERED', " in printed
    assert (tmp_path / "smstools.duckdb").exists() and (tmp_path / "dlt").is_dir()


def test_without_a_client_or_credentials_the_load_fails_saying_what_to_set(
    pipeline: dlt.Pipeline, no_credentials: None
) -> None:
    from dlt.pipeline.exceptions import PipelineStepFailed

    from smstools_tui.errors import ConfigError

    with pytest.raises(PipelineStepFailed) as failed:
        pipeline.run(smstools_source(since=SINCE))
    cause = failed.value.__cause__
    while cause is not None and not isinstance(cause, ConfigError):
        cause = cause.__cause__
    assert isinstance(cause, ConfigError)
    assert "SMSTOOLS_AUTH_KEY" in str(cause) and "\n" not in str(cause)


def test_messages_that_become_searchable_late_are_loaded_once_by_the_overlap(
    pipeline: dlt.Pipeline,
    connect: Callable[[SandboxServer], SmstoolsClient],
    account: SandboxAccount,
    clock: Clock,
) -> None:
    """A server that shows a message a minute after its date: the first run misses the last
    minute's; the next one reads the overlap (a week here, so it holds received messages loaded
    already) again and loads them, and nothing twice."""
    overlap = 7 * 86_400
    received_at = account.received_frame()["receiveDate"]
    clock.now = received_at[received_at < NOW - timedelta(days=3)].max() + timedelta(seconds=30)
    first_now = clock.now
    with SandboxServer(SandboxApi(account, clock=clock, page_cap=100, lag=60)) as server:
        client = connect(server)
        pipeline.run(smstools_source(client, since=SINCE, overlap=overlap))
        missed = rows(pipeline, "SELECT count(*) AS n FROM received").loc[0, "n"]
        clock.now = first_now + timedelta(hours=1)
        pipeline.run(smstools_source(client, since=SINCE, overlap=overlap))

    start = Query.build("sent", since=SINCE, now=first_now).span.start  # type: ignore[union-attr]
    frames = {"received": account.received_frame(clock.now), "sent": account.sent_frame(clock.now)}
    for kind, column in (("received", "receiveDate"), ("sent", "insertDate")):
        dates = frames[kind][column]
        # What the server shows at the second run: dated a minute or more before it.
        shown = ((dates >= start) & (dates < clock.now - timedelta(seconds=60))).sum()
        loaded = rows(pipeline, f"SELECT count(*) AS n FROM {kind}").loc[0, "n"]
        assert loaded == shown, kind
    assert missed == len(received_at[(received_at >= start) & (received_at < first_now)]) - 1
    read_again = (received_at >= first_now - timedelta(seconds=overlap)) & (received_at < first_now)
    assert read_again.sum() >= 3
