"""The manifest: the one small file that says what a store holds.

A manifest (``_manifests/account=<ID>.json``, one per account, see :mod:`.layout`) names the
Parquet file of every partition, the covered spans and watermarks, the account's details and
whose store it is. Replacing it (write beside, fsync, rename) is the commit: a Parquet file the
manifest does not name is not part of the store, whatever the folder holds. An example,
shortened::

    {
      "format": "smstools-tui-store",
      "version": 2,
      "generation": 14,
      "written_by": "smstools-tui 0.1.0",
      "written_at": "2026-11-25T10:00:04+00:00",
      "base_url": "https://api.smstools.it/rest/api",
      "account": "sha256:5f8e…",
      "label": "api.smstools.it",
      "dataset_account": "sha256-5f8e0c1d2b3a4f56",
      "synced_at": "2026-11-25T10:00:00+00:00",
      "sent": {
        "columns": ["id", "to", …],
        "covered": [["2026-10-26T10:00:00+00:00", "2026-11-25T10:00:00+00:00"]],
        "partitions": {"2026-11": {
          "file": "kind=sent/account=sha256-5f8e0c1d2b3a4f56/month=2026-11/g000014.parquet",
          "rows": 8123, "pending": 41}}
      },
      "received": {…},
      "account_details": {"username": "mrossi", "credit": 1234.5, …}
    }

``version`` is the format's version. Version 2 is the Hive-partitioned layout; version 1 (a
single ``manifest.json`` at the root naming ``sent/2026-11.g000014.parquet``) is still read, and
migrated by the first writable open (:mod:`.migrate`). A later version is refused with a message
that says so, instead of being misread.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from .._version import __version__
from ..errors import StoreError
from ..frames import RECEIVED_SCHEMA, SENT_SCHEMA, FrameSchema
from .coverage import Coverage
from .locate import StoreIdentity

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "KINDS",
    "Kind",
    "KindState",
    "Manifest",
    "Partition",
    "time_column",
]

FORMAT = "smstools-tui-store"
FORMAT_VERSION = 2
MANIFEST_NAME = "manifest.json"
"""The name of the manifest of a format 1 store (at its root); format 2 keeps one manifest per
account under ``_manifests/`` (see :mod:`.layout`)."""
MANIFESTS = "_manifests"
"""The folder of the manifests (dataset readers skip it: it starts with ``_``)."""

Kind = Literal["sent", "received"]
KINDS: tuple[Kind, ...] = ("sent", "received")
SCHEMAS: dict[Kind, FrameSchema] = {"sent": SENT_SCHEMA, "received": RECEIVED_SCHEMA}
_TIME_COLUMNS: dict[Kind, str] = {"sent": "insertDate", "received": "receiveDate"}

_V = TypeVar("_V", str, int, dict[str, Any], list[Any])

PARTITION_FILE = re.compile(r"(?P<key>\d{4}-\d{2}|undated)\.g(?P<generation>\d{6,})\.parquet")
"""The name of a partition's file in format 1 (``sent/2026-11.g000014.parquet``): the month it
holds (UTC) and the generation that wrote it."""
GENERATION_FILE = re.compile(r"g(?P<generation>\d{6,})(?:-[0-9a-f]{8})?\.parquet")
"""The name of a partition's file in format 2, inside its ``month=`` folder: the generation
(and, on object storage, a random suffix: see :mod:`.remote`)."""
MONTH_FOLDER = re.compile(r"month=(?P<key>\d{4}-\d{2}|undated)")
"""The folder of one month's partition in format 2."""


def time_column(kind: Kind) -> str:
    """The column a kind is windowed and partitioned by."""
    return _TIME_COLUMNS[kind]


@dataclass(frozen=True)
class Partition:
    """One month of one kind of message, in one Parquet file.

    Attributes:
        file: the path relative to the store folder, such as ``sent/2026-11.g000014.parquet``.
        rows: how many messages it holds.
        pending: how many of them (sent ones) were PENDING or SENT when stored.
    """

    file: str
    rows: int
    pending: int = 0


@dataclass(frozen=True)
class KindState:
    """What a store holds of one kind of message."""

    coverage: Coverage = field(default_factory=Coverage)
    partitions: dict[str, Partition] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(partition.rows for partition in self.partitions.values())


@dataclass(frozen=True)
class Manifest:
    """The committed state of a store (see the module's docstring for the file)."""

    identity: StoreIdentity
    generation: int = 0
    sent: KindState = field(default_factory=KindState)
    received: KindState = field(default_factory=KindState)
    account_details: dict[str, Any] | None = None
    synced_at: datetime | None = None
    written_at: datetime | None = None
    version: int = FORMAT_VERSION
    """The format it was read in: 1 for a store not migrated yet (read-only, see
    :mod:`.migrate`); a manifest is always written in :data:`FORMAT_VERSION`."""

    @property
    def account_folder(self) -> str:
        """The ``account=`` name of its partitions' folders (see :mod:`.layout`)."""
        return self.identity.dataset_account

    def state(self, kind: Kind) -> KindState:
        return self.sent if kind == "sent" else self.received

    def with_state(self, kind: Kind, state: KindState) -> Manifest:
        if kind == "sent":
            return replace(self, sent=state)
        return replace(self, received=state)

    def files(self) -> set[str]:
        """Every file the store is made of, relative to its folder."""
        return {
            partition.file for kind in KINDS for partition in self.state(kind).partitions.values()
        }

    # -- JSON ----------------------------------------------------------------------------------

    def to_json(self) -> bytes:
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "generation": self.generation,
            "written_by": f"smstools-tui {__version__}",
            "written_at": _iso(self.written_at),
            "base_url": self.identity.base_url,
            "account": self.identity.account,
            "label": self.identity.label,
            "dataset_account": self.account_folder,
            "synced_at": _iso(self.synced_at),
        }
        for kind in KINDS:
            state = self.state(kind)
            document[kind] = {
                "columns": SCHEMAS[kind].names,
                "covered": state.coverage.to_json(),
                "partitions": {
                    key: {"file": part.file, "rows": part.rows, "pending": part.pending}
                    for key, part in sorted(state.partitions.items())
                },
            }
        document["account_details"] = self.account_details
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, data: bytes, where: Any) -> Manifest:
        """Parse a manifest, refusing what this version cannot read with a clear message.

        Every field is checked for its type, so a damaged or hand-edited file is a
        :class:`~smstools_tui.errors.StoreError` that says which field, never a crash later on.
        """
        # where: the manifest file, local or (a version) on object storage, or format 1's.
        root = where.parent
        if root.name == MANIFESTS:
            root = root.parent
        elif root.parent.name == MANIFESTS:
            root = root.parent.parent
        rebuild = f"move {root} away and run 'smstools-tui sync' to build the store again"
        try:
            document = json.loads(data)
        except ValueError:
            raise StoreError(f"{where} is damaged (not JSON); {rebuild}") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise StoreError(f"{where} is not the manifest of a smstools-tui store")
        version = document.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise StoreError(f"{where} has no valid format version; {rebuild}")
        if version > FORMAT_VERSION:
            raise StoreError(
                f"the store in {root} was written by a newer smstools-tui (store format "
                f"{version}; this version reads format {FORMAT_VERSION}): upgrade smstools-tui, "
                "or use another --store, or --no-store"
            )
        try:
            identity = StoreIdentity(
                _field(document, "base_url", str),
                _field(document, "account", str),
                _field(document, "label", str),
            )
            account = identity.dataset_account
            states = {kind: _state(document, kind, version, account) for kind in KINDS}
            details = _field(document, "account_details", dict, optional=True)
            return cls(
                identity=identity,
                generation=_count(document, "generation"),
                sent=states["sent"],
                received=states["received"],
                account_details=details or None,
                synced_at=_datetime(document, "synced_at"),
                written_at=_datetime(document, "written_at"),
                version=version,
            )
        except _Damaged as damage:
            raise StoreError(f"{where} is damaged ({damage}); {rebuild}") from None


class _Damaged(ValueError):
    """A manifest field that is missing or of the wrong type."""


_JSON_NAMES = {str: "text", int: "a whole number", dict: "an object", list: "a list"}


def _field(
    document: dict[str, Any], name: str, kind: type[_V], *, optional: bool = False, at: str = ""
) -> _V:
    value = document.get(name)
    if value is None and optional:
        return kind()
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        found = "missing" if value is None else f"{type(value).__name__} {value!r:.40}"
        raise _Damaged(f"{at}{name} should be {_JSON_NAMES[kind]}, not {found}")
    return value


def _count(document: dict[str, Any], name: str, *, at: str = "", optional: bool = False) -> int:
    value = _field(document, name, int, at=at, optional=optional)
    if value < 0:
        raise _Damaged(f"{at}{name} is negative ({value})")
    return value


def _state(document: dict[str, Any], kind: Kind, version: int, account: str) -> KindState:
    section = _field(document, kind, dict, optional=True)
    partitions = {}
    for key, entry in _field(section, "partitions", dict, optional=True, at=f"{kind}.").items():
        at = f"{kind}.partitions.{key}."
        if not isinstance(entry, dict):
            raise _Damaged(f"{at[:-1]} should be an object")
        name = _field(entry, "file", str, at=at)
        # Only plain partition files inside the kind's (and account's) folder: a hand-edited
        # manifest must not make the store read, or clean up, anything else on the disk.
        if not _is_partition_file(name, kind, key, version, account):
            raise _Damaged(f"unexpected partition file {name!r}")
        partitions[key] = Partition(
            name, _count(entry, "rows", at=at), _count(entry, "pending", at=at, optional=True)
        )
    spans = _field(section, "covered", list, optional=True, at=f"{kind}.")
    try:
        coverage = Coverage.from_json(spans)
    except (TypeError, ValueError, OverflowError):
        raise _Damaged(f"{kind}.covered is not a list of [start, end] dates") from None
    return KindState(coverage, partitions)


def _is_partition_file(name: str, kind: Kind, key: str, version: int, account: str) -> bool:
    if version == 1:
        folder, _, base = name.partition("/")
        match = PARTITION_FILE.fullmatch(base)
        return folder == kind and match is not None and match["key"] == key
    parts = name.split("/")
    return (
        len(parts) == 4
        and parts[:3] == [f"kind={kind}", f"account={account}", f"month={key}"]
        and MONTH_FOLDER.fullmatch(parts[2]) is not None
        and GENERATION_FILE.fullmatch(parts[3]) is not None
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment is not None else None


def _datetime(document: dict[str, Any], name: str) -> datetime | None:
    text = _field(document, name, str, optional=True)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Damaged(f"{name} is not a date ({text!r:.40})") from None
    if moment.tzinfo is None:
        raise _Damaged(f"{name} has no UTC offset ({text!r:.40})")
    return moment.astimezone(UTC)
