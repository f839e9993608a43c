"""The manifest: a readable JSON commit record, refused clearly when this version cannot read it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstools_tui.errors import StoreError
from smstools_tui.store.coverage import Coverage
from smstools_tui.store.locate import StoreIdentity
from smstools_tui.store.manifest import FORMAT_VERSION, KindState, Manifest, Partition

WHO = StoreIdentity("https://api.smstools.it/rest/api", "sha256:abc", "api.smstools.it")
WHERE = Path("/store/manifest.json")


def example() -> Manifest:
    sent = KindState(
        Coverage().add(1_700_000_000, 1_700_086_400),
        {"2023-11": Partition("sent/2023-11.g000003.parquet", 10, 2)},
    )
    return Manifest(
        WHO,
        generation=3,
        sent=sent,
        account_details={"username": "mrossi", "credit": 12.5},
        synced_at=datetime(2023, 11, 15, tzinfo=UTC),
    )


def test_round_trip() -> None:
    manifest = example()
    again = Manifest.from_json(manifest.to_json(), WHERE)
    assert again.sent == manifest.sent and again.received == manifest.received
    assert (again.identity, again.generation, again.synced_at) == (WHO, 3, manifest.synced_at)
    assert again.account_details == manifest.account_details
    assert again.files() == {"sent/2023-11.g000003.parquet"}


def test_it_is_readable_by_people_and_other_tools() -> None:
    document = json.loads(example().to_json())
    assert document["format"] == "smstools-tui-store"
    assert document["version"] == FORMAT_VERSION
    assert document["sent"]["covered"] == [
        ["2023-11-14T22:13:20+00:00", "2023-11-15T22:13:20+00:00"]
    ]
    assert document["sent"]["columns"][:2] == ["id", "to"]
    assert document["received"]["partitions"] == {}


def edited(**changes: object) -> bytes:
    document = json.loads(example().to_json())
    document.update(changes)
    return json.dumps(document).encode()


def test_a_newer_format_is_refused_with_what_to_do() -> None:
    with pytest.raises(StoreError, match=r"newer smstools-tui \(store format 2;.*upgrade"):
        Manifest.from_json(edited(version=FORMAT_VERSION + 1), WHERE)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "damaged"),
        (b"[]", "not the manifest"),
        (edited(format="something-else"), "not the manifest"),
        (edited(version="1"), "no valid format version"),
        (edited(generation=None), "damaged"),
    ],
)
def test_damage_is_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Manifest.from_json(data, WHERE)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "received/2023-11.g000003.parquet", "sent/x.parquet"]
)
def test_only_own_partition_files_are_accepted(name: str) -> None:
    document = json.loads(example().to_json())
    document["sent"]["partitions"]["2023-11"]["file"] = name
    with pytest.raises(StoreError, match="unexpected partition file"):
        Manifest.from_json(json.dumps(document).encode(), WHERE)
