"""The store on disk: merges, replacements, typed reads, refusals, and atomic commits under kill -9."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import StoreError
from smstools_tui.frames import SENT_SCHEMA, coerce_frame
from smstools_tui.query import Filters
from smstools_tui.sandbox import SandboxAccount
from smstools_tui.store import Store, StoreIdentity
from smstools_tui.store.coverage import to_epoch
from smstools_tui.store.layout import manifest_path
from tests.conftest import NOW

WHO = StoreIdentity("http://localhost/rest/api", "sha256:test", "test")
SINCE, UNTIL = pd.Timestamp("2026-08-01T00:00:00Z"), pd.Timestamp("2026-11-01T00:00:00Z")
SPAN = (to_epoch(SINCE.to_pydatetime()), to_epoch(UNTIL.to_pydatetime()))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "store", WHO)


def newest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """What the API answers for these messages: newest first, categories in order of
    appearance (the sandbox's whole-account frames carry every category)."""
    ordered = frame.sort_values(["insertDate", "id"], ascending=False, kind="stable")
    ordered = ordered.reset_index(drop=True)
    for name, kind in SENT_SCHEMA.columns:
        if kind == "category":
            values = ordered[name].astype(object)
            ordered[name] = pd.Categorical(values, categories=pd.unique(values.dropna()))
    return coerce_frame(ordered, SENT_SCHEMA)


def sent_files(path: Path) -> set[str]:
    """The files in the store's folders of WHO's sent messages, relative to the root."""
    folder = path / "kind=sent" / f"account={WHO.dataset_account}"
    return {entry.relative_to(path).as_posix() for entry in folder.rglob("*") if entry.is_file()}


def inside(frame: pd.DataFrame, column: str = "insertDate") -> pd.DataFrame:
    return frame[(frame[column] >= SINCE) & (frame[column] < UNTIL)].reset_index(drop=True)


def test_a_stored_read_is_the_frame_the_search_gave(store: Store, client: SmstoolsClient) -> None:
    """Same rows, order, dtypes and category order: code that worked on fetched frames works
    on stored ones unchanged."""
    sent = client.sent(SINCE, UNTIL)
    received = client.received(SINCE, UNTIL)
    assert received.duplicated(keep=False).any()  # twins, kept as two messages
    store.commit(sent=sent, received=received, replacing=[SPAN])
    pd.testing.assert_frame_equal(store.read("sent", SINCE, UNTIL), sent)
    pd.testing.assert_frame_equal(store.read("received", SINCE, UNTIL), received)
    assert len(sent_files(store.path)) == 3  # August, September, October


def test_sent_messages_merge_by_id_and_the_later_copy_wins(
    store: Store, account: SandboxAccount
) -> None:
    early = account.sent_frame(NOW - timedelta(minutes=3))  # a campaign is being sent
    first = store.commit(sent=early)
    assert first.new["sent"] == len(early) and first.updated == 0
    later = account.sent_frame(NOW + timedelta(days=1))  # settled, and scheduled ones sent
    stats = store.commit(sent=later)
    stored = store.read("sent")
    assert stored["id"].is_unique
    pd.testing.assert_frame_equal(stored, newest_first(later))
    assert stats.new["sent"] == len(later) - len(early) > 0
    was = early.set_index("id")["status"].astype(str)
    now = later.set_index("id")["status"].astype(str)
    assert stats.updated == (was != now[was.index]).sum() > 0


def test_received_spans_are_replaced_never_doubled(store: Store, client: SmstoolsClient) -> None:
    received = client.received(SINCE, UNTIL)
    for _ in range(2):
        stats = store.commit(received=received, replacing=[SPAN], covered={"received": [SPAN]})
    assert stats.new["received"] == 0
    pd.testing.assert_frame_equal(store.read("received", SINCE, UNTIL), received)
    # A partial answer for a part of the span replaces only that part.
    september = (to_epoch(pd.Timestamp("2026-09-01T00:00Z")), SPAN[1])
    dates = received["receiveDate"]
    partial = received[dates >= pd.Timestamp("2026-10-01T00:00Z")]
    store.commit(received=partial, replacing=[september])
    kept = store.read("received", SINCE, UNTIL)
    assert len(kept) == len(received[dates < pd.Timestamp("2026-09-01T00:00Z")]) + len(partial)


def test_filters_have_the_search_semantics(store: Store, client: SmstoolsClient) -> None:
    sent, received = client.sent(SINCE, UNTIL), client.received(SINCE, UNTIL)
    store.commit(sent=sent, received=received, replacing=[SPAN])

    def read(kind: str, **filters: object) -> pd.DataFrame:
        return store.read(kind, SINCE, UNTIL, filters=Filters(**filters))  # type: ignore[arg-type]

    assert len(read("sent", statuses="NOTDELIVERED")) == (sent["status"] == "NOTDELIVERED").sum()
    number = sent["to"].value_counts().index[0]
    assert len(read("sent", numbers=number)) == (sent["to"] == number).sum() > 1
    campaign = sent["transactionId"].dropna().iloc[0]
    assert len(read("sent", campaigns=campaign)) == (sent["transactionId"] == campaign).sum()
    some = tuple(int(value) for value in sent["id"].iloc[:5])
    assert sorted(read("sent", ids=some)["id"]) == sorted(some)
    sender = received["from"].value_counts().index[0]
    by_sender = read("received", numbers=(sender,))
    assert len(by_sender) == (received["from"] == sender).sum() > 0
    assert len(read("received", services="1002")) == (received["simId"] == "1002").sum()


def test_pending_ids_are_those_not_final(store: Store, account: SandboxAccount) -> None:
    frame = account.sent_frame(NOW - timedelta(minutes=3))
    store.commit(sent=frame)
    pending = frame[frame["status"].isin(["PENDING", "SENT"])]
    assert sorted(store.pending_ids()) == sorted(pending["id"])
    recent = pending[pending["insertDate"] >= pd.Timestamp(NOW - timedelta(days=7))]
    assert sorted(store.pending_ids(since=NOW - timedelta(days=7))) == sorted(recent["id"])
    assert store.manifest.sent.partitions["2026-11"].pending > 0


def test_other_tools_read_the_files_directly(store: Store, client: SmstoolsClient) -> None:
    sent = client.sent(SINCE, UNTIL)
    store.commit(sent=sent)
    # pandas alone (the files keep the frame's pandas metadata), and pyarrow datasets (as
    # DuckDB, Polars and Spark read Parquet folders).
    whole = pd.read_parquet(store.path / "kind=sent")
    assert str(whole["status"].dtype) == "category" and str(whole["id"].dtype) == "Int64"
    assert str(whole["insertDate"].dtype) == "datetime64[us, UTC]"
    assert sorted(whole["id"]) == sorted(sent["id"])
    table = ds.dataset(store.path / "kind=sent", format="parquet", partitioning="hive").to_table()
    assert table.num_rows == len(sent)
    assert set(table["month"].to_pylist()) == {"2026-08", "2026-09", "2026-10"}
    assert next(path.parent.name for path in store.files("sent")) == "month=2026-10"


def test_a_snapshot_lists_the_current_files_of_a_window(
    store: Store, client: SmstoolsClient
) -> None:
    store.commit(sent=client.sent(SINCE, UNTIL), received=client.received(SINCE, UNTIL))
    every = store.snapshot_files()
    assert every["sent"] == store.files("sent") and every["received"] == store.files("received")
    october = store.snapshot_files(
        pd.Timestamp("2026-10-01", tz="UTC").to_pydatetime(),
        pd.Timestamp("2026-11-01", tz="UTC").to_pydatetime(),
    )
    assert [path.parent.name for path in october["sent"]] == ["month=2026-10"]
    assert all(path.exists() for path in october["sent"] + october["received"])


def test_a_file_from_an_earlier_version_with_fewer_columns_is_read(
    store: Store, client: SmstoolsClient
) -> None:
    store.commit(sent=client.sent(SINCE, UNTIL))
    path = store.files("sent")[0]
    pq.write_table(pq.read_table(path).drop_columns(["type", "statusDetail"]), path)
    frame = store.read("sent")
    assert list(frame.columns) == SENT_SCHEMA.frame_names
    assert frame["type"].isna().any() and not frame["type"].isna().all()


def test_opening_refuses_what_is_not_ours(tmp_path: Path, store: Store) -> None:
    with pytest.raises(StoreError, match="there is no store"):
        Store.open(tmp_path / "nothing")  # offline: nothing to read
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"")
    with pytest.raises(StoreError, match="not a smstools-tui store and is not empty"):
        Store.open(tmp_path / "photos", WHO)
    (tmp_path / "file").write_text("")
    with pytest.raises(StoreError, match="is a file"):
        Store.open(tmp_path / "file", WHO)
    store.commit(account_details={"username": "x"})
    elsewhere = StoreIdentity("http://example.com/rest/api", WHO.account, "x")
    assert Store.open(store.path, elsewhere).read("sent").empty  # another server's: beside it
    original = store.manifest_file.read_bytes()
    store.manifest_file.write_bytes(original.replace(b"localhost", b"example.org"))
    with pytest.raises(StoreError, match="another account or server"):
        Store.open(store.path, WHO)
    store.manifest_file.write_bytes(original)
    offline = Store.open(store.path)
    with pytest.raises(StoreError, match="read-only"):
        offline.commit(account_details={})


def test_a_commit_that_dies_part_way_leaves_the_previous_state(
    store: Store, account: SandboxAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whichever file write a crash interrupts (a partition, the manifest), the store reads as
    before; the next commit cleans up and succeeds."""
    before = inside(account.sent_frame(NOW - timedelta(days=30)))
    store.commit(sent=before)
    after = inside(account.sent_frame(NOW))
    import smstools_tui.store.layout as module

    real = module.atomic_write_bytes
    writes = {"n": 0}

    def crash_on_manifest(target: Path, data: bytes) -> None:
        writes["n"] += 1
        raise KeyboardInterrupt  # killed right before the switch

    monkeypatch.setattr(module, "atomic_write_bytes", crash_on_manifest)
    with pytest.raises(KeyboardInterrupt):
        store.commit(sent=after)
    assert writes["n"] == 1
    reopened = Store.open(store.path, WHO)
    pd.testing.assert_frame_equal(reopened.read("sent"), newest_first(before))
    orphans = sent_files(store.path) - reopened.manifest.files()
    assert orphans  # the new partitions were written, but no manifest names them
    monkeypatch.setattr(module, "atomic_write_bytes", real)
    reopened.commit(sent=after)
    assert sent_files(store.path) == reopened.manifest.files()
    pd.testing.assert_frame_equal(reopened.read("sent"), newest_first(after))


WRITER = """
import sys
import numpy as np
import pandas as pd
from smstools_tui.frames import SENT_SCHEMA, coerce_frame
from smstools_tui.store import Store, StoreIdentity

path, rows, state = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = Store.open(path, StoreIdentity("http://localhost/rest/api", "sha256:test", "test"))
rng = np.random.default_rng(state)
start = pd.Timestamp("2026-08-01T00:00:00Z").value // 1000
frame = coerce_frame(pd.DataFrame({
    "id": np.arange(rows),
    "to": rng.integers(393_300_000_000, 393_400_000_000, rows).astype(str),
    "status": "DELIVERED",
    "insertDate": pd.to_datetime(start + np.arange(rows) * 40_000_000, unit="us", utc=True),
    "price": 0.0,
}), SENT_SCHEMA)
while True:
    frame["text"] = pd.Categorical([f"state {state}"] * rows)
    frame["price"] = float(state)
    store.commit(sent=frame)
    print(state, flush=True)
    state += 1
"""


def test_kill_9_in_the_middle_of_writing_leaves_the_old_or_the_new_state(
    tmp_path: Path,
) -> None:
    """A real process rewriting a big store (three months of 80,000 messages) is killed with
    SIGKILL at random moments; every time, the store opens and holds exactly one complete
    state: the last one committed, or the one being written."""
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL on this platform")
    path, rows = tmp_path / "store", 80_000
    chooser = random.Random(6)
    state = 0
    for _ in range(4):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(rows), str(state)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert writer.stdout is not None
        committed = int(writer.stdout.readline())  # at least one commit in this round
        with contextlib.suppress(subprocess.TimeoutExpired):
            writer.wait(timeout=chooser.uniform(0.02, 0.4))
        writer.send_signal(signal.SIGKILL)
        rest = writer.communicate(timeout=30)[0].split()
        committed = int(rest[-1]) if rest else committed
        writer.wait(timeout=30)
        store = Store.open(path)
        frame = store.read("sent")
        states = set(frame["text"].astype(str))
        assert len(frame) == rows and frame["id"].is_unique
        assert len(states) == 1, states
        (seen,) = states
        found = int(seen.split()[1])
        assert found in (committed, committed + 1)
        assert set(frame["price"]) == {float(found)}
        state = found + 1
    # A commit after the last kill cleans up whatever the killed writers left.
    Store.open(path, WHO).commit(account_details={"username": "x"})
    assert sent_files(path) == Store.open(path).manifest.files()
    assert not [entry for entry in path.rglob("*") if entry.name.endswith(".tmp")]
    assert (path / "_manifests" / f"account={WHO.dataset_account}.json").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_only_the_owner_can_read_the_store(store: Store, client: SmstoolsClient) -> None:
    store.commit(sent=client.sent(SINCE, UNTIL))
    for path in [store.path, store.path / "kind=sent", *store.path.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_folder_others_could_read_is_made_private(tmp_path: Path, client: SmstoolsClient) -> None:
    """A store folder made by hand (or by an older version) with the umask's 0755 is tightened
    on the first commit, and its subfolders too."""
    folder = tmp_path / "store"
    (folder / "kind=sent").mkdir(parents=True)
    for path in (folder, folder / "kind=sent"):
        path.chmod(0o755)
    store = Store.open(folder, WHO)
    store.commit(sent=client.sent(SINCE, UNTIL))
    for path in [folder, folder / "kind=sent", *folder.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path
    folder.chmod(0o750)  # loosened again later: the next commit tightens it again
    store.commit(account_details={"username": "x"})
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_store_path_on_a_dangling_symbolic_link_says_so(
    tmp_path: Path, client: SmstoolsClient
) -> None:
    link = tmp_path / "store"
    link.symlink_to(tmp_path / "gone" / "store")
    for identity in (WHO, None):
        with pytest.raises(StoreError) as raised:
            Store.open(link, identity)
        assert str(raised.value) == (
            f"--store {link} is a symbolic link to {tmp_path / 'gone' / 'store'}, which does "
            "not exist: create that folder, or give another --store"
        )
    (tmp_path / "gone" / "store").mkdir(parents=True)  # the advice
    Store.open(link, WHO).commit(sent=client.sent(SINCE, UNTIL))
    assert len(Store.open(link).read("sent")) > 0


def test_a_read_racing_a_commit_in_another_process_reads_the_new_state(
    store: Store, account: SandboxAccount, tmp_path: Path
) -> None:
    """A reader that read the manifest just before another process committed (and deleted the
    files it replaced) finds a file gone: it reads the manifest again and the new files."""
    store.commit(sent=account.sent_frame(NOW - timedelta(days=30)))
    reader = Store.open(store.path)
    reader.refresh()
    stale = reader.manifest
    writer = Store.open(store.path, WHO)
    writer.commit(sent=account.sent_frame(NOW))
    assert not (store.path / next(iter(stale.files()))).exists()
    reader._manifest = stale  # as if it had read the manifest a moment before the commit
    real_refresh = reader.refresh
    calls = {"n": 0}

    def refresh_late() -> object:
        calls["n"] += 1
        return stale if calls["n"] == 1 else real_refresh()

    reader.refresh = refresh_late  # type: ignore[method-assign]
    pd.testing.assert_frame_equal(reader.read("sent"), newest_first(account.sent_frame(NOW)))
    assert calls["n"] == 3  # the stale state, the look that sees a commit, the new state


def test_ids_beyond_float_precision_merge_exactly(store: Store) -> None:
    """Ids are compared as integers, not floats: two ids a unit apart above 2**53 stay two."""
    big = 2**60
    frame = coerce_frame(
        pd.DataFrame(
            {
                "id": pd.array([big, big + 1, None], dtype="Int64"),
                "status": ["SENT", "SENT", "SENT"],
                "insertDate": pd.Timestamp("2026-11-01T00:00:00Z"),
            }
        ),
        SENT_SCHEMA,
    )
    assert store.commit(sent=frame).new["sent"] == 3
    frame["status"] = pd.Categorical(["DELIVERED", "SENT", "SENT"])
    stats = store.commit(sent=frame)
    stored = store.read("sent")
    assert stats.updated == 1 and stats.new["sent"] == 1  # the row without an id is new again
    assert sorted(stored["id"].dropna()) == [big, big + 1] and stored["id"].isna().sum() == 2


# -- damage: every way a partition file can be spoilt is one clear error ----------------------


def damage_file(path: Path, how: str) -> None:
    """Spoil a partition file as a disk, a person or another tool might."""
    if how == "deleted":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif how == "wrong column type":
        table = pq.read_table(path)
        index = table.schema.get_field_index("id")
        pq.write_table(table.set_column(index, "id", table["id"].cast("string")), path)
    elif how == "other rows":
        pq.write_table(pq.read_table(path).slice(0, 3), path)
    elif how == "garbled inside":
        data = bytearray(path.read_bytes())
        data[4 : len(data) // 2] = bytes(len(data) // 2 - 4)  # the footer is intact
        path.write_bytes(bytes(data))
    else:
        raise AssertionError(how)


@pytest.mark.parametrize(
    ("how", "problem"),
    [
        ("deleted", "is missing"),
        ("truncated", "cannot be read"),
        ("wrong column type", "has a column 'id' of type string instead of int64"),
        ("other rows", "holds 3 messages where the manifest counts"),
    ],
)
def test_a_damaged_partition_is_one_clear_error_that_says_a_sync_mends_it(
    store: Store, client: SmstoolsClient, how: str, problem: str
) -> None:
    store.commit(sent=client.sent(SINCE, UNTIL))
    september = store.manifest.sent.partitions["2026-09"]
    damage_file(store.path / september.file, how)
    offline = Store.open(store.path)
    with pytest.raises(StoreError) as raised:
        offline.read("sent")
    message = str(raised.value)
    assert message.startswith(f"the store in {store.path} is damaged: {september.file}")
    assert problem in message and "\n" not in message
    if how != "other rows":  # three rows of the right type still read
        assert message.endswith("run 'smstools-tui sync' to fetch that month (sent 2026-09) again")
    # The months that are whole still read, and damage() names the spoilt one alone.
    assert len(offline.read("sent", UNTIL - pd.Timedelta(days=31), UNTIL)) > 0
    assert [(d.kind, d.key) for d in offline.damage()] == [("sent", "2026-09")]
    assert problem in str(offline.damage()[0])


def test_repair_drops_the_damaged_month_and_its_coverage_only(
    store: Store, client: SmstoolsClient
) -> None:
    sent, received = client.sent(SINCE, UNTIL), client.received(SINCE, UNTIL)
    store.commit(sent=sent, received=received, replacing=[SPAN],
                 covered={"sent": [SPAN], "received": [SPAN]})  # fmt: skip
    damage_file(store.path / store.manifest.sent.partitions["2026-09"].file, "truncated")
    with pytest.raises(StoreError, match="open read-only"):
        Store.open(store.path).repair()
    dropped = store.repair()
    assert [(d.kind, d.key) for d in dropped] == [("sent", "2026-09")]
    september = (to_epoch(pd.Timestamp("2026-09-01T00:00Z")), to_epoch(pd.Timestamp("2026-10-01T00:00Z")))  # fmt: skip
    assert store.coverage("sent").spans == ((SPAN[0], september[0]), (september[1], SPAN[1]))
    assert store.coverage("received").spans == (SPAN,)
    kept = store.read("sent")
    assert set(kept["insertDate"].dt.strftime("%Y-%m")) == {"2026-08", "2026-10"}
    assert store.damage() == [] and store.repair() == []
    assert not any("month=2026-09" in name for name in sent_files(store.path))


def test_damage_the_footer_does_not_show_needs_a_new_store(
    store: Store, client: SmstoolsClient
) -> None:
    store.commit(sent=client.sent(SINCE, UNTIL))
    damage_file(store.path / store.manifest.sent.partitions["2026-09"].file, "garbled inside")
    assert store.damage() == []  # a sync would not see it, so it must not be the advice
    with pytest.raises(StoreError) as raised:
        Store.open(store.path).read("sent")
    assert str(raised.value).endswith(
        f"move {store.path} away and run 'smstools-tui sync' to build the store again"
    )


def test_pending_ids_read_damage_as_clearly(store: Store, account: SandboxAccount) -> None:
    store.commit(sent=account.sent_frame(NOW - timedelta(minutes=3)))
    damage_file(store.path / store.manifest.sent.partitions["2026-11"].file, "truncated")
    with pytest.raises(
        StoreError,
        match=rf"is damaged: kind=sent/account={WHO.dataset_account}/month=2026-11/g\d+\.parquet",
    ):
        store.pending_ids()


# -- nothing committed can make the store unreadable -------------------------------------------


def far_future(rows: int = 2) -> pd.DataFrame:
    """Sent messages dated 9999-12-31T23:59:59-0100, year 10000 in UTC: a frame built by hand,
    past the frames' own date check."""
    moment = pd.Timestamp("2026-11-02T10:00:00Z")
    frame = coerce_frame(
        pd.DataFrame({"id": range(rows), "status": "SENT", "insertDate": [moment] * rows}),
        SENT_SCHEMA,
    )
    far = np.array(["10000-01-01T00:59:59"] * rows, dtype="datetime64[us]")
    frame["insertDate"] = pd.Series(far).dt.tz_localize("UTC")
    return frame


def test_messages_dated_outside_the_accepted_range_are_refused_before_anything_is_written(
    store: Store, client: SmstoolsClient
) -> None:
    sent = client.sent(SINCE, UNTIL)
    store.commit(sent=sent)
    before = sent_files(store.path)
    with pytest.raises(StoreError) as raised:
        store.commit(sent=far_future())
    assert str(raised.value) == (
        "sent messages with insertDate 10000-01-01 00:59:59Z cannot be stored: the store "
        "keeps dates from 1990-01-01 to before 2100-01-01 (UTC)"
    )
    assert sent_files(store.path) == before
    pd.testing.assert_frame_equal(Store.open(store.path).read("sent"), sent)


def test_a_partition_the_store_could_not_open_again_is_never_written(
    store: Store, client: SmstoolsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: were a date past the check, the month key ``10000-01`` would name a
    partition the manifest loader refuses: no such file is written."""
    sent = client.sent(SINCE, UNTIL)
    store.commit(sent=sent)
    before = sent_files(store.path)
    monkeypatch.setattr("smstools_tui.store.schema.check_dates", lambda *args: None)
    with pytest.raises(StoreError) as raised:
        store.commit(sent=far_future())
    assert str(raised.value) == (
        f"the store in {store.path} was left unchanged: sent messages of the month '10000-01' "
        "cannot be named as a partition"
    )
    assert sent_files(store.path) == before
    pd.testing.assert_frame_equal(Store.open(store.path, WHO).read("sent"), sent)


def test_a_manifest_the_store_could_not_open_again_is_never_written(
    store: Store, client: SmstoolsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every commit reads its new manifest back with the loader before the switch."""
    sent = client.sent(SINCE, UNTIL)
    store.commit(sent=sent)
    manifest = manifest_path(store.path, WHO.dataset_account).read_bytes()
    monkeypatch.setattr(
        "smstools_tui.store.manifest._iso", lambda moment: "soon" if moment else None
    )
    with pytest.raises(StoreError) as raised:
        store.commit(account_details={"username": "x"})
    message = str(raised.value)
    assert message.startswith(f"the store in {store.path} was left unchanged: the change would")
    assert "synced_at is not a date ('soon')" in message or "written_at is not a date" in message
    assert manifest_path(store.path, WHO.dataset_account).read_bytes() == manifest
    monkeypatch.undo()
    pd.testing.assert_frame_equal(Store.open(store.path).read("sent"), sent)


def test_derived_columns_are_computed_on_reading_never_stored(
    store: Store, client: SmstoolsClient
) -> None:
    sent = client.sent(SINCE, UNTIL)
    store.commit(sent=sent)
    stored = pq.read_table(store.files("sent")[0])
    assert "encoding" not in stored.column_names and "segments" not in stored.column_names
    frame = store.read("sent")
    expected = sent.sort_values("id").reset_index(drop=True)
    got = frame.sort_values("id").reset_index(drop=True)
    assert got["encoding"].tolist() == expected["encoding"].tolist()
    assert got["segments"].tolist() == expected["segments"].tolist()
