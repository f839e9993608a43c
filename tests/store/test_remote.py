"""A store on object storage: the sandbox synced into s3:// (a local S3 emulator, moto's server
mode on 127.0.0.1), read back, synced again without doubles, read offline; two writers racing
for one generation both land, through the conditional manifest put."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest
from pyarrow.fs import FSSpecHandler, PyFileSystem

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.frames import sent_frame
from smstools_tui.store import Store, StoredClient, StoreIdentity
from smstools_tui.store.remote import create_exclusively, open_url

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("s3fs")
pytest.importorskip("upath")

WHO = StoreIdentity("http://localhost/rest/api", "sha256:test", "test")
SINCE, UNTIL = "2026-10-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new bucket on the emulator; the store's URL in it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": s3_endpoint,
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    name = f"stores-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return f"s3://{name}/sms"


def test_a_sync_into_s3_reads_back_adds_nothing_twice_and_reads_offline(
    bucket: str, make_client: Callable[..., SmstoolsClient], client: SmstoolsClient
) -> None:
    with StoredClient.open(make_client(), bucket) as stored:
        first = stored.sync(since=SINCE)
        assert first.new_sent > 0
        pd.testing.assert_frame_equal(stored.sent(SINCE, UNTIL), client.sent(SINCE, UNTIL))
        again = stored.sync()
        assert (again.new_sent, again.new_received) == (0, 0)
        files = stored.store.manifest.files()
    with StoredClient.offline(bucket) as offline:
        assert not offline.online
        pd.testing.assert_frame_equal(offline.sent(SINCE, UNTIL), client.sent(SINCE, UNTIL))
        pd.testing.assert_frame_equal(offline.received(SINCE, UNTIL), client.received(SINCE, UNTIL))
    # The bucket holds the current files only (garbage collected), as one Hive dataset.
    root = open_url(bucket)
    on_s3 = {path.path.removeprefix(root.path + "/") for path in root.rglob("*.parquet")}
    assert on_s3 == files
    root.fs.invalidate_cache()
    filesystem = PyFileSystem(FSSpecHandler(root.fs))
    dataset = ds.dataset(
        f"{root.path}/kind=sent", filesystem=filesystem, format="parquet", partitioning="hive"
    )
    assert dataset.count_rows() == len(client.sent(since=SINCE))


def test_two_writers_racing_for_one_generation_both_land(bucket: str) -> None:
    import smstools_tui.store.store as store_module

    first, second = Store.open(bucket, WHO), Store.open(bucket, WHO)
    first.commit(account_details={"username": "x"})
    real = store_module.write_manifest
    raced = []

    def the_other_writer_commits_first(root: object, state: object) -> None:
        if not raced:
            raced.append(True)
            second.commit(sent=sent_frame([{"id": 2, "status": "SENT",
                                            "insertDate": "2026-10-02T10:00:00Z"}]))  # fmt: skip
        real(root, state)  # type: ignore[arg-type]

    store_module.write_manifest = the_other_writer_commits_first  # type: ignore[assignment]
    try:
        first.commit(sent=sent_frame([{"id": 1, "status": "SENT",
                                       "insertDate": "2026-10-01T10:00:00Z"}]))  # fmt: skip
    finally:
        store_module.write_manifest = real
    final = Store.open(bucket)
    assert sorted(final.read("sent")["id"]) == [1, 2]  # neither commit lost
    assert final.manifest.generation == 3  # details, the other writer's, then this one again
    root = open_url(bucket)
    on_s3 = {path.path.removeprefix(root.path + "/") for path in root.rglob("*.parquet")}
    assert on_s3 == final.manifest.files()  # the loser's first files were collected


def test_a_manifest_version_is_created_once(bucket: str) -> None:
    version = open_url(bucket) / "_manifests" / "account=x" / "v0000000001.json"
    assert create_exclusively(version, b"{}") is True
    assert create_exclusively(version, b"[]") is False
    assert version.read_bytes() == b"{}"


def test_a_file_url_is_a_store_with_the_object_storage_protocol(tmp_path: Path) -> None:
    url = (tmp_path / "root").as_uri()
    store = Store.open(url, WHO)
    store.commit(sent=sent_frame([{"id": 7, "status": "SENT", "insertDate": "2026-10-01T10:00Z"}]))
    store.commit(
        sent=sent_frame([{"id": 7, "status": "DELIVERED", "insertDate": "2026-10-01T10:00Z"}])
    )
    versions = sorted(path.name for path in (tmp_path / "root" / "_manifests").rglob("*.json"))
    assert versions == ["v0000000001.json", "v0000000002.json"]
    assert Store.open(url).read("sent")["status"].astype(str).tolist() == ["DELIVERED"]
    (name,) = [p.name for p in (tmp_path / "root").rglob("*.parquet")]
    assert re.fullmatch(r"g000002-[0-9a-f]{8}\.parquet", name)  # the first one collected


def test_sql_answers_from_a_store_on_s3_as_from_a_local_one(
    bucket: str, make_client: Callable[..., SmstoolsClient], tmp_path: Path
) -> None:
    query = "select status, count(*) as n from sent group by all order by all"
    answers = []
    for where in (bucket, str(tmp_path / "local")):
        with StoredClient.open(make_client(), where) as stored:
            stored.sync(since=SINCE)
        with StoredClient.offline(where) as offline:
            answers.append(offline.sql(query, window="2026-10", zone="UTC"))
    assert answers[0]["n"].sum() > 0
    pd.testing.assert_frame_equal(answers[0], answers[1])
