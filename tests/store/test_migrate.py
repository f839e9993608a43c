"""A store in the format 1 layout is moved to the partitioned one on a writable open, atomically
(killed at any point, it opens holding every message once), and read as it is read-only."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import StoreError
from smstools_tui.frames import received_frame, sent_frame
from smstools_tui.store import FORMAT_VERSION, Store, StoredClient, StoreIdentity

WHO = StoreIdentity("http://localhost/rest/api", "sha256:test", "test")
MONTHS = ["2026-08", "2026-09", "2026-10"]


def make_legacy_store(folder: Path) -> None:
    """A store as format 1 wrote it: ``manifest.json`` at the root naming
    ``sent/2026-08.g000001.parquet``… (the files' contents did not change between formats)."""
    store = Store.open(folder, WHO)
    records = [
        {"id": index, "status": "DELIVERED", "insertDate": f"{month}-0{day}T10:00:00Z"}
        for index, (month, day) in enumerate((m, d) for m in MONTHS for d in (1, 2, 3))
    ]
    received = received_frame([{"from": "+393450000000", "text": "STOP",
                                "receiveDate": "2026-10-05T08:00:00Z"}])  # fmt: skip
    store.commit(sent=sent_frame(records), received=received)
    to_format_1(store)


def to_format_1(store: Store) -> None:
    """Rewrite a store's layout as format 1 did."""
    folder = store.path
    document = json.loads(store.manifest_file.read_bytes())
    document["version"] = 1
    del document["dataset_account"]
    for kind in ("sent", "received"):
        (folder / kind).mkdir(mode=0o700)
        for key, partition in document[kind]["partitions"].items():
            old = f"{kind}/{key}.g{document['generation']:06d}.parquet"
            (folder / partition["file"]).rename(folder / old)
            partition["file"] = old
        shutil.rmtree(folder / f"kind={kind}")
    shutil.rmtree(folder / "_manifests")
    (folder / "manifest.json").write_text(json.dumps(document))
    (folder / ".lock").touch()


def test_a_sync_through_a_format_1_store_moves_it_and_fetches_nothing_twice(
    make_client: Callable[..., SmstoolsClient], tmp_path: Path
) -> None:
    folder = tmp_path / "store"
    with StoredClient.open(make_client(), folder) as first:
        first.sync(since="2026-10-01T00:00:00+00:00")
        before = first.store.read("sent")
        assert len(before) > 0
        to_format_1(first.store)
    with StoredClient.open(make_client(), folder) as again:
        assert again.store.manifest.version == FORMAT_VERSION
        report = again.sync()
        assert (report.new_sent, report.new_received) == (0, 0)
        pd.testing.assert_frame_equal(again.store.read("sent"), before)
    assert not (folder / "manifest.json").exists()


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("legacy") / "store"
    make_legacy_store(folder)
    return folder


def copy_of(legacy: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    shutil.copytree(legacy, folder)
    return folder


def listing(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def assert_every_message_once(store: Store) -> None:
    sent = store.read("sent")
    assert sorted(sent["id"]) == list(range(len(MONTHS) * 3))
    assert store.read("received")["text"].tolist() == ["STOP"]


def test_read_only_a_format_1_store_is_read_as_it_is(legacy: Path, tmp_path: Path) -> None:
    folder = copy_of(legacy, tmp_path)
    before = listing(folder)
    store = Store.open(folder)
    assert store.manifest.version == 1
    assert_every_message_once(store)
    assert store.damage() == []
    assert listing(folder) == before  # nothing moved, nothing written


def test_a_writable_open_moves_it_to_the_partitioned_layout(legacy: Path, tmp_path: Path) -> None:
    folder = copy_of(legacy, tmp_path)
    old = Store.open(folder).read("sent")
    store = Store.open(folder, WHO)
    assert store.manifest.version == FORMAT_VERSION == 2
    assert store.manifest.generation == 2  # the migration is a commit of its own
    pd.testing.assert_frame_equal(store.read("sent"), old)
    assert_every_message_once(store)
    on_disk = listing(folder)
    assert {name for name in on_disk if name.endswith(".parquet")} == store.manifest.files()
    assert not (folder / "manifest.json").exists()
    assert not (folder / "sent").exists() and not (folder / "received").exists()
    document = json.loads(store.manifest_file.read_bytes())
    assert document["version"] == 2 and document["dataset_account"] == WHO.dataset_account
    store.commit(sent=sent_frame([{"id": 99, "status": "SENT", "insertDate": "2026-10-09T00:00Z"}]))
    assert len(Store.open(folder).read("sent")) == len(old) + 1


KILLER = """
import os, signal, sys
import smstools_tui.store.migrate as migrate
from smstools_tui.store import Store, StoreIdentity

folder, where, after = sys.argv[1], sys.argv[2], int(sys.argv[3])
calls = 0

def dying(real):
    def wrapper(*args, **kwargs):
        global calls
        if where != "write_manifest" and calls == after:
            os.kill(os.getpid(), signal.SIGKILL)
        calls += 1
        result = real(*args, **kwargs)
        if where == "write_manifest":
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return wrapper

setattr(migrate, where, dying(getattr(migrate, where)))
Store.open(folder, StoreIdentity("http://localhost/rest/api", "sha256:test", "test"))
print("migrated without being killed")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL on this platform")
@pytest.mark.parametrize(
    ("where", "after"),
    [
        ("_carry", 2),  # half way through giving the files their new names
        ("write_manifest", 0),  # right after the switch, the old manifest still there
        ("_unlink", 1),  # the old manifest deleted, its files not yet
        ("_unlink", 3),  # some old files deleted
    ],
)
def test_a_migration_killed_at_any_point_leaves_a_store_that_opens_with_every_message_once(
    legacy: Path, tmp_path: Path, where: str, after: int
) -> None:
    folder = copy_of(legacy, tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(folder), where, str(after)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    switched = where != "_carry"
    read_only = Store.open(folder)
    assert read_only.manifest.version == (2 if switched else 1)
    assert_every_message_once(read_only)
    store = Store.open(folder, WHO)  # finishes (or redoes) the migration
    assert store.manifest.version == 2
    assert_every_message_once(store)
    assert_every_message_once(Store.open(folder))
    parquet = {name for name in listing(folder) if name.endswith(".parquet")}
    assert parquet == store.manifest.files()  # no leftovers of either layout
    assert not (folder / "manifest.json").exists() and not (folder / "sent").exists()


def test_a_store_that_cannot_be_moved_says_so_and_stays_readable(
    legacy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy_of(legacy, tmp_path)
    before = listing(folder)

    def read_only_disk(*args: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("smstools_tui.store.migrate._carry", read_only_disk)
    with pytest.raises(StoreError, match=r"could not be moved .*\(Read-only file system\)"):
        Store.open(folder, WHO)
    assert listing(folder) - before <= {".lock", f"_manifests/account={WHO.dataset_account}.lock"}
    assert_every_message_once(Store.open(folder))
