"""SQL over the messages: the tables, the reports' definitions, the window, and what a query may
not do."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from smstools_tui.analysis import (
    destinations,
)
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import ConfigError, SqlError
from smstools_tui.frames import FINAL_STATUSES, RECEIVED_SCHEMA, SENT_SCHEMA
from smstools_tui.query import Span
from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxAccount
from smstools_tui.sql import EXAMPLES, SnapshotGoneError, SqlTables, check_statement
from smstools_tui.store import StoredClient
from smstools_tui.store.schema import to_table
from tests.conftest import NOW
from tests.mirrored import MIRRORED, ZONE, assert_mirrors


@pytest.fixture(scope="module")
def frames(account: SandboxAccount) -> tuple[pd.DataFrame, pd.DataFrame]:
    return account.sent_frame(), account.received_frame()


@pytest.fixture
def tables(frames: tuple[pd.DataFrame, pd.DataFrame]) -> Iterator[SqlTables]:
    with SqlTables.from_frames(*frames, zone=ZONE) as made:
        yield made


# -- the tables -------------------------------------------------------------------------------


def test_the_tables_have_the_frames_columns_in_order(tables: SqlTables) -> None:
    columns = tables.columns()
    assert columns["sent"] == SENT_SCHEMA.frame_names
    assert columns["received"] == RECEIVED_SCHEMA.names
    assert columns["sent_final"] == SENT_SCHEMA.frame_names
    assert columns["days"] == ["day", "week", "month"]


def test_the_tables_hold_the_frames_values(
    tables: SqlTables, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    sent, received = frames
    queried = tables.query("SELECT * FROM sent ORDER BY id")
    expected = sent.sort_values("id").reset_index(drop=True)
    assert len(queried) == len(expected) > 1_000
    assert queried["id"].tolist() == expected["id"].tolist()
    assert queried["status"].astype(str).tolist() == expected["status"].astype(str).tolist()
    assert (queried["insertDate"] == expected["insertDate"]).all()
    assert str(queried["insertDate"].dtype) == "datetime64[us, UTC]"
    np.testing.assert_array_equal(queried["price"].to_numpy(), expected["price"].to_numpy())
    assert queried["to"].tolist() == expected["to"].astype(str).tolist()
    counted = tables.query("SELECT count(*) AS n, count(receiveDate) AS dated FROM received")
    assert counted.loc[0, "n"] == counted.loc[0, "dated"] == len(received)


def test_status_is_an_enum_in_lifecycle_order(tables: SqlTables) -> None:
    ordered = tables.query("SELECT DISTINCT status FROM sent ORDER BY status")["status"]
    assert ordered.astype(str).tolist() == [
        name
        for name in ("PENDING", "SENT", "NOSENT", "DELIVERED", "NOTDELIVERED")
        if name in set(ordered.astype(str))
    ]


def test_columns_beyond_the_schema_are_kept_after_it(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent = frames[0].head(5).assign(campaign_owner=np.arange(1, 6))
    with SqlTables.from_frames(sent, frames[1].head(0)) as made:
        assert made.columns()["sent"] == [*SENT_SCHEMA.frame_names, "campaign_owner"]
        assert made.query("SELECT sum(campaign_owner) AS s FROM sent").loc[0, "s"] == 15


def test_over_files_the_encoding_and_segments_are_computed_as_the_frames(
    frames: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    sent = frames[0]
    stored = tmp_path / "sent.parquet"
    sent[SENT_SCHEMA.names].to_parquet(stored)  # the store keeps the fields alone
    query = "SELECT id, encoding, segments FROM sent ORDER BY id"
    with SqlTables.from_files([stored], []) as over_files:
        assert over_files.columns()["sent"] == SENT_SCHEMA.frame_names
        computed = over_files.query(query)
    expected = sent.sort_values("id")
    assert computed["encoding"].astype(str).tolist() == expected["encoding"].astype(str).tolist()
    assert computed["segments"].tolist() == expected["segments"].tolist()
    assert set(computed["encoding"]) == {"GSM-7", "UCS-2"}


# -- the reports the queries mirror -----------------------------------------------------------


@pytest.mark.parametrize("title", sorted(MIRRORED))
def test_an_example_query_equals_the_report_it_mirrors(
    title: str, tables: SqlTables, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    assert_mirrors(MIRRORED[title](frames[0]), tables.query(EXAMPLES[title]))


def test_every_example_runs(tables: SqlTables) -> None:
    for title, sql in EXAMPLES.items():
        assert len(tables.query(sql).columns) >= 1, title


def test_sent_final_holds_the_messages_whose_fate_is_known(
    tables: SqlTables, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    final = frames[0][frames[0]["status"].isin(FINAL_STATUSES)]
    queried = tables.query("SELECT id FROM sent_final ORDER BY id")
    assert queried["id"].tolist() == sorted(final["id"].tolist())


def test_country_reads_the_calling_code_and_number_country_the_numbering_plan(
    tables: SqlTables, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    numbers = pd.Series(["393480000000", "+41 79 123 45 67", "0041791234567", "14165550123",
                         "0348000000", "39123"])  # fmt: skip
    listed = ", ".join(f"('{number}')" for number in numbers)
    queried = tables.query(
        f"SELECT country(n) AS fast, number_country(n) AS exact FROM (VALUES {listed}) t(n)"
    )
    assert queried["exact"].tolist() == destinations(numbers)["country"].astype(str).tolist()
    # The documented differences: a shared calling code (1: Canada) and a number too short.
    assert queried["fast"].tolist() == ["IT", "CH", "CH", "US", "(unknown)", "IT"]
    assert queried["exact"].tolist() == ["IT", "CH", "CH", "CA", "(unknown)", "(unknown)"]
    # On the sandbox's numbers the two agree wherever the number is valid.
    agree = tables.query(
        'SELECT count(*) FILTER (WHERE country("to") <> number_country("to")'
        " AND number_country(\"to\") <> '(unknown)') AS differ FROM sent"
    )
    assert agree.loc[0, "differ"] == 0


# -- the window -------------------------------------------------------------------------------


def test_a_window_restricts_both_tables_and_sets_the_calendar(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = frames
    span = Span(datetime(2026, 10, 31, 23, tzinfo=UTC), datetime(2026, 11, 7, 23, tzinfo=UTC))
    with SqlTables.from_frames(sent, received, span=span, zone=ZONE) as made:
        counts = made.query(
            "SELECT (SELECT count(*) FROM sent) AS sent, (SELECT count(*) FROM received) AS received"
        )
        days = made.query("SELECT * FROM days ORDER BY day")
    in_sent = sent["insertDate"].between(span.start, span.end, inclusive="left")
    in_received = received["receiveDate"].between(span.start, span.end, inclusive="left")
    assert counts.loc[0, "sent"] == in_sent.sum() > 0
    assert counts.loc[0, "received"] == in_received.sum()
    # Rome's calendar: the window is November 1st to 7th there.
    assert str(days["day"].iloc[0]) == "2026-11-01"
    assert len(days) == 7 and set(days["month"]) == {"2026-11"}
    assert days["week"].iloc[0] == "2026-10-26"


def test_without_a_window_the_calendar_covers_the_data(tables: SqlTables) -> None:
    days = tables.query("SELECT min(day) AS first, max(day) AS last, count(*) AS n FROM days")
    bounds = tables.query(
        "SELECT CAST(min(insertDate) AS DATE) AS first, CAST(max(insertDate) AS DATE) AS last"
        " FROM sent"
    )
    assert days.loc[0, "first"] <= bounds.loc[0, "first"]
    assert days.loc[0, "last"] >= bounds.loc[0, "last"]
    assert days.loc[0, "n"] == (days.loc[0, "last"] - days.loc[0, "first"]).days + 1


# -- safety -----------------------------------------------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file next to nothing the tables were given."""
    secret = tmp_path / "secret.csv"
    secret.write_text("key,secret\nme,hunter2\n")
    return secret


REFUSED = {
    "copy": "COPY (SELECT * FROM sent) TO '{tmp}/out.csv'",
    "copy-table": "COPY sent TO '{tmp}/out.parquet' (FORMAT parquet)",
    "read-csv": "SELECT * FROM read_csv('{secret}')",
    "read-passwd": "SELECT * FROM read_csv('/etc/passwd')",
    "read-text": "SELECT * FROM read_text('{secret}')",
    "read-parquet": "SELECT * FROM read_parquet('{tmp}/*.parquet')",
    "glob": "SELECT * FROM glob('{tmp}/*')",
    "attach": "ATTACH '{tmp}/other.duckdb' AS other",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "network": "SELECT * FROM read_csv('https://example.com/data.csv')",
    "set": "SET enable_external_access = true",
    "set-lock": "SET lock_configuration = false",
    "reset": "RESET enable_external_access",
    "pragma": "PRAGMA enable_profiling",
    "create": "CREATE TABLE copied AS SELECT * FROM sent",
    "several": "SELECT 1; SELECT 2",
    "getenv": "SELECT getenv('HOME')",
    "nested-copy": "SELECT * FROM query('COPY sent TO ''{tmp}/x.csv''')",
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_query_cannot_reach_beyond_its_tables(
    name: str, tables: SqlTables, tmp_path: Path, outside: Path
) -> None:
    sql = REFUSED[name].format(tmp=tmp_path, secret=outside)
    with pytest.raises(SqlError) as refused:
        tables.query(sql)
    assert "\n" not in str(refused.value)
    assert "hunter2" not in str(refused.value)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret.csv"]
    # Nothing changed: the settings are those the tables were made with.
    settings = tables.query(
        "SELECT name, value FROM duckdb_settings() WHERE name IN"
        " ('enable_external_access', 'lock_configuration', 'autoload_known_extensions',"
        " 'autoinstall_known_extensions') ORDER BY name"
    )
    assert dict(zip(settings["name"], settings["value"], strict=True)) == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "enable_external_access": "false",
        "lock_configuration": "true",
    }


def test_refusals_say_why_in_one_line(tables: SqlTables, tmp_path: Path) -> None:
    with pytest.raises(SqlError, match=r"^only a SELECT query can run here, not COPY$"):
        tables.query(f"COPY sent TO '{tmp_path}/out.csv'")
    with pytest.raises(SqlError, match=r"^refused: a query reads only the sent and received"):
        tables.query("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(SqlError, match="one query at a time"):
        check_statement("SELECT 1; DROP VIEW sent")
    with pytest.raises(SqlError, match="empty"):
        check_statement("  ;  ")
    # A refusal is a usage error: the command line exits 2 for it.
    assert issubclass(SqlError, ConfigError)


def test_a_syntax_error_says_where(tables: SqlTables) -> None:
    with pytest.raises(SqlError) as failed:
        tables.query("SELECT status,\n  count(*) FROM FROM sent")
    assert failed.value.position == (2, 17)
    assert str(failed.value).endswith("(line 2, column 17)")
    assert "\n" not in str(failed.value)


def test_explain_is_allowed(tables: SqlTables) -> None:
    plan = tables.query("EXPLAIN SELECT count(*) FROM sent")
    assert len(plan) >= 1


def test_files_outside_the_snapshot_cannot_be_read(
    frames: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    given, other = tmp_path / "given.parquet", tmp_path / "other.parquet"
    pq.write_table(to_table(frames[0].head(10), "sent"), given)
    pq.write_table(to_table(frames[0].tail(10), "sent"), other)
    with SqlTables.from_files([given], [], zone=ZONE) as made:
        assert made.query("SELECT count(*) AS n FROM sent").loc[0, "n"] == 10
        assert made.query("SELECT count(*) AS n FROM received").loc[0, "n"] == 0
        with pytest.raises(SqlError, match="refused"):
            made.query(f"SELECT * FROM read_parquet('{other}')")
        with pytest.raises(SqlError, match="refused"):
            made.query(f"SELECT * FROM read_parquet('{tmp_path}/*.parquet')")


def test_a_file_gone_from_the_snapshot_says_to_run_again(
    frames: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    given = tmp_path / "given.parquet"
    pq.write_table(to_table(frames[0].head(10), "sent"), given)
    with SqlTables.from_files([given], [], zone=ZONE) as made:
        given.unlink()
        with pytest.raises(SnapshotGoneError, match="run the query again"):
            made.query("SELECT count(*) FROM sent")


def test_a_running_query_can_be_interrupted(tables: SqlTables) -> None:
    errors: list[BaseException] = []

    def endless() -> None:
        try:
            tables.query("SELECT sum(a * b) FROM range(1000000) t(a), range(1000000) u(b)")
        except BaseException as error:
            errors.append(error)

    worker = threading.Thread(target=endless)
    worker.start()
    while worker.is_alive():
        tables.interrupt()
        worker.join(0.05)
    assert len(errors) == 1 and isinstance(errors[0], SqlError)
    assert str(errors[0]) == "the query was cancelled"
    # The tables still answer.
    assert tables.query("SELECT count(*) AS n FROM sent").loc[0, "n"] > 0


# -- through a source -------------------------------------------------------------------------


def test_a_store_is_queried_as_one_snapshot(
    make_client: Callable[..., SmstoolsClient], tmp_path: Path
) -> None:
    with StoredClient.open(make_client(), tmp_path / "store") as stored:
        stored.sync(since="2026-10-01T00:00:00+00:00")
        first = stored.sql("SELECT count(*) AS n FROM sent").loc[0, "n"]
        assert first == len(stored.store.read("sent")) > 0
        with stored.sql_tables() as snapshot:
            stored.sync(since="2026-06-01T00:00:00+00:00")
            # What the snapshot shows has not moved, or it says to run again: never a mix.
            try:
                seen = snapshot.query("SELECT count(*) AS n FROM sent").loc[0, "n"]
            except SnapshotGoneError:
                seen = first
            assert seen == first
        later = stored.sql("SELECT count(*) AS n FROM sent").loc[0, "n"]
        assert later == len(stored.store.read("sent")) > first
        window = stored.sql("SELECT count(*) AS n FROM sent", window="2026-11", zone=ZONE)
        assert window.loc[0, "n"] == len(stored.sent(window="2026-11", zone=ZONE))


def test_credentials_appear_in_no_table(
    make_client: Callable[..., SmstoolsClient], tmp_path: Path
) -> None:
    with StoredClient.open(make_client(), tmp_path / "store") as stored:
        stored.sync(since="2026-11-01T00:00:00+00:00")
        with stored.sql_tables() as snapshot:
            names = snapshot.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            )["table_name"]
            seen = [snapshot.query(f'SELECT * FROM "{name}"').to_csv() for name in names]
            seen.append(snapshot.query("SELECT * FROM duckdb_settings()").to_csv())
            seen.append(snapshot.query("SELECT * FROM duckdb_variables()").to_csv())
    text = "\n".join(seen)
    assert "sent" in set(names) and "received" in set(names)
    assert SANDBOX_SECRET not in text and SANDBOX_KEY not in text


def test_client_sql_answers_from_the_demo_frames(
    make_client: Callable[..., SmstoolsClient],
) -> None:
    with make_client() as client:
        result = client.sql(
            "SELECT status, count(*) AS messages FROM sent GROUP BY status", window="30d"
        )
        truth = client.sent(window="30d")["status"].value_counts()
    counted = dict(zip(result["status"].astype(str), result["messages"], strict=True))
    assert counted == {str(name): count for name, count in truth.items() if count}
    assert isinstance(result["messages"].dtype, pd.Int64Dtype)
    assert NOW.year == 2026  # the window above is the frozen clock's
