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
ACCOUNT = WHO.dataset_account
WHERE = Path(f"/store/_manifests/account={ACCOUNT}.json")
FILE = f"kind=sent/account={ACCOUNT}/month=2023-11/g000003.parquet"


def example() -> Manifest:
    sent = KindState(
        Coverage().add(1_700_000_000, 1_700_086_400),
        {"2023-11": Partition(FILE, 10, 2)},
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
    assert again.files() == {FILE}


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


def edited_at(path: str, value: object) -> bytes:
    """The example with the value at ``path`` (dotted keys) replaced."""
    document = json.loads(example().to_json())
    *parents, last = path.split(".")
    node = document
    for key in parents:
        node = node[key]
    node[last] = value
    return json.dumps(document).encode()


def test_a_newer_format_is_refused_with_what_to_do() -> None:
    with pytest.raises(StoreError, match=r"newer smstools-tui \(store format 3;.*upgrade"):
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
    ("path", "value", "message"),
    [
        ("generation", "3", "generation should be a whole number, not str '3'"),
        ("generation", 2.5, "generation should be a whole number, not float"),
        ("generation", True, "generation should be a whole number, not bool"),
        ("generation", -1, "generation is negative"),
        ("base_url", 5, "base_url should be text, not int 5"),
        ("account", None, "account should be text, not missing"),
        ("sent", [], "sent should be an object, not list"),
        ("sent.partitions", [], "sent.partitions should be an object, not list"),
        ("sent.partitions.2023-11", "x", "sent.partitions.2023-11 should be an object"),
        ("sent.partitions.2023-11.rows", "10", "sent.partitions.2023-11.rows should be a whole"),
        ("sent.partitions.2023-11.pending", -2, "sent.partitions.2023-11.pending is negative"),
        ("sent.partitions.2023-11.file", 7, "sent.partitions.2023-11.file should be text"),
        ("sent.covered", "all", "sent.covered should be a list"),
        ("sent.covered", [[1, 2]], "sent.covered is not a list of [start, end] dates"),
        ("sent.covered", [["2023-11-14T22:13:20"] * 2], "sent.covered is not a list of"),
        ("sent.covered", [["2023-11-14T22:13:20+00:00"]], "sent.covered is not a list of"),
        ("account_details", ["x"], "account_details should be an object, not list"),
        ("synced_at", 5, "synced_at should be text, not int 5"),
        ("synced_at", "yesterday", "synced_at is not a date ('yesterday')"),
        ("written_at", "2023-11-15T00:00:00", "written_at has no UTC offset"),
    ],
)
def test_a_field_of_the_wrong_type_is_damage_with_what_to_do(
    path: str, value: object, message: str
) -> None:
    with pytest.raises(StoreError) as raised:
        Manifest.from_json(edited_at(path, value), WHERE)
    text = str(raised.value)
    assert text.startswith(f"{WHERE} is damaged (")
    assert message in text
    assert text.endswith("move /store away and run 'smstools-tui sync' to build the store again")


def test_optional_fields_may_be_absent_or_null() -> None:
    document = json.loads(example().to_json())
    for name in ("received", "account_details", "synced_at", "written_at"):
        document[name] = None
    del document["sent"]["covered"]
    del document["sent"]["partitions"]["2023-11"]["pending"]
    manifest = Manifest.from_json(json.dumps(document).encode(), WHERE)
    assert manifest.received == KindState() and not manifest.sent.coverage
    assert manifest.sent.partitions["2023-11"].pending == 0
    assert manifest.account_details is None and manifest.synced_at is None


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "sent/2023-11.g000003.parquet",  # format 1's name, in a format 2 manifest
        f"kind=received/account={ACCOUNT}/month=2023-11/g000003.parquet",
        "kind=sent/account=sha256-0123456789abcdef/month=2023-11/g000003.parquet",
        f"kind=sent/account={ACCOUNT}/month=2023-12/g000003.parquet",
        f"kind=sent/account={ACCOUNT}/month=2023-11/../../../../x/g000003.parquet",
        f"kind=sent/account={ACCOUNT}/month=2023-11/x.parquet",
    ],
)
def test_only_own_partition_files_are_accepted(name: str) -> None:
    document = json.loads(example().to_json())
    document["sent"]["partitions"]["2023-11"]["file"] = name
    with pytest.raises(StoreError, match="unexpected partition file"):
        Manifest.from_json(json.dumps(document).encode(), WHERE)
