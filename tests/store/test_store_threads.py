"""One Store shared by threads: commits of both kinds, reads, pending ids and refreshes at once.

Every commit here changes messages in two monthly partitions at once (October and November), so
a read that saw one partition of a commit and not the other would show half a batch; the
readers check every frame they get for that. When the threads are done, the store must equal
the one the same commits make one after the other.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import smstools_tui.store.store as store_module
from smstools_tui.frames import RECEIVED_SCHEMA, SENT_SCHEMA, coerce_frame
from smstools_tui.store import Manifest, Store, StoreIdentity
from smstools_tui.store.coverage import Span, to_epoch

WHO = StoreIdentity("http://localhost/rest/api", "sha256:test", "test")
WRITERS = 4
BATCHES_PER_WRITER = 2
BATCH = 40
# Each batch and span straddles the turn of the month, so each commit writes two partitions.
TURN = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Batch:
    """What one writer commits for one number: sent messages (then their final status), and
    the received messages of one span (then a corrected answer for that span)."""

    number: int

    @property
    def ids(self) -> range:
        return range(self.number * 1000, self.number * 1000 + BATCH)

    @property
    def span(self) -> Span:
        middle = TURN + timedelta(hours=self.number * 3 - 12)
        return to_epoch(middle - timedelta(hours=1)), to_epoch(middle + timedelta(hours=1))

    def sent(self, status: str) -> pd.DataFrame:
        start = TURN - timedelta(hours=1, minutes=self.number)
        dates = [start + timedelta(seconds=150 * i) for i in range(BATCH)]
        return coerce_frame(
            pd.DataFrame(
                {
                    "id": list(self.ids),
                    "to": [f"39348{self.number:03d}{i:04d}" for i in range(BATCH)],
                    "text": f"batch {self.number}",
                    "status": status,
                    "insertDate": dates,
                    "price": 0.05,
                }
            ),
            SENT_SCHEMA,
        )

    def received(self, version: int) -> pd.DataFrame:
        start, end = (datetime.fromtimestamp(moment, UTC) for moment in self.span)
        rows = BATCH - version  # the corrected answer has fewer messages
        step = (end - start) / rows
        dates = [end - step * (i + 1) for i in range(rows)]  # newest first, as the API answers
        return coerce_frame(
            pd.DataFrame(
                {
                    "from": [f"+39347{self.number:03d}{i:04d}" for i in range(rows)],
                    "text": f"span {self.number} version {version}",
                    "receiveDate": dates,
                    "simId": "1002",
                }
            ),
            RECEIVED_SCHEMA,
        )

    def commits(self) -> list[Callable[[Store], None]]:
        """The commits of this batch, in the order its writer makes them."""
        return [
            lambda store: store.commit(sent=self.sent("SENT")),
            lambda store: store.commit(
                received=self.received(0), replacing=[self.span], covered={"received": [self.span]}
            ),
            lambda store: store.commit(sent=self.sent("DELIVERED"), covered={"sent": [self.span]}),
            lambda store: store.commit(received=self.received(1), replacing=[self.span]),
        ]


BATCHES = [Batch(number) for number in range(WRITERS * BATCHES_PER_WRITER)]


def check_sent(frame: pd.DataFrame) -> None:
    """Every batch whole or absent, in one status: never half a commit."""
    assert frame["id"].is_unique
    for text, rows in frame.groupby(frame["text"].astype(str), observed=True):
        assert len(rows) == BATCH, f"{text}: {len(rows)} of {BATCH} messages"
        assert rows["status"].nunique() == 1, f"{text}: statuses of two commits"


def check_received(frame: pd.DataFrame) -> None:
    """Every span holds one whole answer, or none: never two answers, never part of one."""
    words = frame["text"].astype(str).str.split(" ", expand=True)
    for span, rows in words.groupby(1) if len(frame) else ():
        versions = set(rows[3])
        assert len(versions) == 1, f"span {span}: answers {sorted(versions)} at once"
        assert len(rows) == BATCH - int(versions.pop()), f"span {span}: {len(rows)} messages"


def check_pending(ids: list[int]) -> None:
    """Pending ids are whole batches: a batch's status changes in one commit."""
    by_batch = pd.Series(ids, dtype="int64") // 1000
    assert (by_batch.value_counts() == BATCH).all()


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    """Switch threads every 10 µs instead of every 5 ms: many more interleavings per run."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(previous)


@pytest.mark.usefixtures("frequent_thread_switches")
def test_one_store_shared_by_threads_ends_as_the_same_commits_one_after_another(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "shared", WHO)
    problems: list[BaseException] = []
    writers_done = threading.Event()
    start = threading.Barrier(WRITERS + 4)

    def run(work: Callable[[], None]) -> Callable[[], None]:
        def guarded() -> None:
            try:
                start.wait()
                work()
            except BaseException as problem:  # reported by the test's thread
                problems.append(problem)

        return guarded

    def writer(batches: list[Batch]) -> Callable[[], None]:
        def work() -> None:
            for batch in batches:
                for step, commit in enumerate(batch.commits()):
                    before = store.manifest.generation
                    commit(store)
                    # Its own commit is what this thread sees next, at least.
                    assert store.manifest.generation > before
                    if step >= 1:
                        assert store.coverage("received").covers(*batch.span)
                    if step >= 2:
                        assert store.coverage("sent").covers(*batch.span)

        return work

    def reader(read: Callable[[], None]) -> Callable[[], None]:
        def work() -> None:
            reads = 0
            while not writers_done.is_set() or reads == 0:
                read()
                reads += 1

        return work

    def refresher() -> None:
        seen = 0
        while not writers_done.is_set():
            generation = store.refresh().generation
            assert generation >= seen, f"the state went back from {seen} to {generation}"
            seen = max(seen, store.manifest.generation)

    threads = [
        threading.Thread(target=run(writer(BATCHES[index::WRITERS]))) for index in range(WRITERS)
    ] + [
        threading.Thread(target=run(reader(lambda: check_sent(store.read("sent"))))),
        threading.Thread(target=run(reader(lambda: check_received(store.read("received"))))),
        threading.Thread(target=run(reader(lambda: check_pending(store.pending_ids())))),
        threading.Thread(target=run(refresher)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads[:WRITERS]:
        thread.join(timeout=120)
    writers_done.set()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive()
    if problems:
        raise problems[0]

    sequential = Store.open(tmp_path / "sequential", WHO)
    for batch in BATCHES:
        for commit in batch.commits():
            commit(sequential)
    for kind in ("sent", "received"):
        pd.testing.assert_frame_equal(store.read(kind), sequential.read(kind))  # type: ignore[arg-type]
        assert store.coverage(kind) == sequential.coverage(kind)  # type: ignore[arg-type]
    assert store.pending_ids() == sequential.pending_ids() == []
    assert store.manifest.generation == sequential.manifest.generation == 4 * len(BATCHES)
    reopened = Store.open(store.path)
    assert reopened.manifest.generation == store.manifest.generation
    names = {
        entry.relative_to(store.path).as_posix()
        for kind in ("sent", "received")
        for entry in (store.path / f"kind={kind}").rglob("*.parquet")
    }
    assert names == reopened.manifest.files()


def test_a_refresh_never_takes_back_a_commit_made_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh that read the manifest just before this object's own commit replaced it
    returns after the commit: it must not put the older state back."""
    store = Store.open(tmp_path / "store", WHO)
    store.commit(account_details={"round": 0})
    read_the_old_state, committed = threading.Event(), threading.Event()
    real_load = store_module._load_manifest

    def load_then_wait_for_the_commit(folder: Path, account: str | None) -> Manifest | None:
        manifest = real_load(folder, account)
        if threading.current_thread() is refresher:
            read_the_old_state.set()
            committed.wait(timeout=60)
        return manifest

    monkeypatch.setattr(store_module, "_load_manifest", load_then_wait_for_the_commit)
    refresher = threading.Thread(target=store.refresh)
    refresher.start()
    assert read_the_old_state.wait(timeout=60)
    store.commit(account_details={"round": 1})
    committed.set()
    refresher.join(timeout=60)
    assert store.manifest.generation == 2
    assert store.manifest.account_details == {"round": 1}


def test_a_refresh_takes_a_store_that_replaced_this_one_in_its_folder(tmp_path: Path) -> None:
    """Moved away and synced again, a store starts again at generation 1: a refresh that no
    commit raced adopts it, older generation or not."""
    store = Store.open(tmp_path / "store", WHO)
    for number in range(3):
        store.commit(account_details={"round": number})
    (tmp_path / "store").rename(tmp_path / "old")
    Store.open(tmp_path / "store", WHO).commit(account_details={"round": "new"})
    assert store.refresh().generation == 1
    assert store.manifest.account_details == {"round": "new"}
