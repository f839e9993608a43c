"""The store as a Hive-partitioned dataset: other tools read every account at once, with the
partition columns typed as text and pruned by filters; accounts sharing a root stay apart."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from smstools_tui.errors import StoreError
from smstools_tui.frames import received_frame, sent_frame
from smstools_tui.store import Store, StoreIdentity, dataset_glob, dataset_root

ALICE = StoreIdentity("http://localhost/rest/api", "sha256:alice", "alice")
BOB = StoreIdentity("http://localhost/rest/api", "sha256:bob", "bob")


def messages(first_id: int, months: list[str]) -> pd.DataFrame:
    """Two sent messages on the 2nd of each month, ids from ``first_id``."""
    records = [
        {
            "id": first_id + index,
            "status": "DELIVERED",
            "insertDate": f"{month}-02T10:0{index % 2}:00Z",
        }
        for index, month in enumerate(month for month in months for _ in range(2))
    ]
    return sent_frame(records)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A root shared by two accounts: Alice in September and October, Bob in October."""
    folder = tmp_path / "store"
    Store.open(folder, ALICE).commit(sent=messages(1, ["2026-09", "2026-10"]))
    bob = Store.open(folder, BOB)
    bob.commit(
        sent=messages(100, ["2026-10"]),
        received=received_frame([{"from": "+393450000000", "text": "STOP",
                                  "receiveDate": "2026-10-05T08:00:00Z"}]),
    )  # fmt: skip
    return folder


def test_duckdb_reads_every_account_as_one_dataset_with_pruning(root: Path) -> None:
    files = dataset_glob(root, "sent")
    query = f"from read_parquet('{files}', hive_partitioning=true)"
    counts = duckdb.sql(
        f"select account, month, count(*) as n {query} group by all order by all"
    ).fetchall()
    alice, bob = ALICE.dataset_account, BOB.dataset_account
    assert sorted(counts) == sorted(
        [(alice, "2026-09", 2), (alice, "2026-10", 2), (bob, "2026-10", 2)]
    )
    described = duckdb.sql(f"describe select account, month, kind, id, insertDate {query}")
    assert {row[0]: row[1] for row in described.fetchall()} == {
        "account": "VARCHAR", "month": "VARCHAR", "kind": "VARCHAR", "id": "BIGINT",
        "insertDate": "TIMESTAMP WITH TIME ZONE",
    }  # fmt: skip
    september = duckdb.sql(f"select id {query} where month = '2026-09'").fetchall()
    assert sorted(september) == [(1,), (2,)]


def test_pyarrow_reads_the_folder_of_a_kind_with_hive_partitioning(root: Path) -> None:
    dataset = ds.dataset(dataset_root(root, "sent"), format="parquet", partitioning="hive")
    assert dataset.schema.field("account").type == pa.string()
    assert dataset.schema.field("month").type == pa.string()
    september = ds.field("month") == "2026-09"
    assert len(list(dataset.get_fragments(filter=september))) == 1  # pruned by folder name
    assert sorted(dataset.to_table(filter=september)["id"].to_pylist()) == [1, 2]
    frame = dataset.to_table().to_pandas()
    assert str(frame["insertDate"].dtype) == "datetime64[us, UTC]" and len(frame) == 6
    # The partition columns live in the folder names only, never inside the files.
    for path in Path(root).rglob("*.parquet"):
        names = pq.read_schema(path).names
        assert not {"kind", "account", "month"} & set(names), path


def test_polars_reads_it_too(root: Path) -> None:
    pl = pytest.importorskip("polars")
    frame = pl.scan_parquet(dataset_glob(root, "sent"), hive_partitioning=True)
    got = frame.filter(pl.col("account") == BOB.dataset_account).select("id").collect()
    assert sorted(got["id"].to_list()) == [100, 101]


def test_accounts_commit_apart_and_a_glob_sees_only_current_files_after_a_commit(
    root: Path,
) -> None:
    alice, bob = Store.open(root, ALICE), Store.open(root, BOB)
    bob_files = set(bob.manifest.files())
    changed = messages(1, ["2026-10"]).assign(status="NOTDELIVERED")  # replaces October's file
    alice.commit(sent=changed)
    on_disk = {path.relative_to(root).as_posix() for path in root.rglob("*.parquet")}
    assert on_disk == alice.manifest.files() | bob_files  # garbage collected, Bob untouched
    snapshot = alice.snapshot_files()
    assert {path.relative_to(root).as_posix() for path in snapshot["sent"]} == {
        file for file in alice.manifest.files() if file.startswith("kind=sent/")
    }
    assert sorted(bob.read("sent")["id"]) == [100, 101]
    assert set(alice.read("sent")["status"].astype(str)) == {"NOTDELIVERED", "DELIVERED"}


def test_a_read_only_open_of_a_shared_root_needs_the_account(root: Path) -> None:
    with pytest.raises(StoreError, match="holds 2 accounts"):
        Store.open(root)
    assert len(Store.open(root, account="bob").read("received")) == 1
    assert len(Store.open(root, account=ALICE.dataset_account).read("sent")) == 4
    with pytest.raises(StoreError, match="holds no account 'carol'"):
        Store.open(root, account="carol")


def test_naming_the_account_of_a_one_account_root_checks_it(tmp_path: Path) -> None:
    Store.open(tmp_path, ALICE).commit(sent=messages(1, ["2026-10"]))
    written = len(messages(1, ["2026-10"]))
    assert len(Store.open(tmp_path, account=ALICE.dataset_account).read("sent")) == written
    assert len(Store.open(tmp_path, account="alice").read("sent")) == written
    with pytest.raises(StoreError, match="holds no account 'bob'"):
        Store.open(tmp_path, account="bob")


def test_the_readme_example_runs_on_a_shared_root(root: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### Reading the store with other tools", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, object] = {"STORE": str(root)}
    exec(compile(example, "README.md", "exec"), scope)
    frame = scope["per_month"]
    assert isinstance(frame, pd.DataFrame)
    assert sorted(zip(frame["account"], frame["messages"], strict=True)) == sorted(
        [(ALICE.dataset_account, 2), (BOB.dataset_account, 2)]
    )
