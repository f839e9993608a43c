"""Where a store's files go: a Hive-partitioned dataset, one manifest per account.

Layout of a store root (format 2)::

    _manifests/account=sha256-5f8e0c1d2b3a4f56.json       what the account's store holds: the commit
    _manifests/account=sha256-5f8e0c1d2b3a4f56.lock       held by a process while it commits
    kind=sent/account=sha256-5f8e0c1d2b3a4f56/month=2026-11/g000014.parquet
    kind=sent/account=sha256-5f8e0c1d2b3a4f56/month=undated/g000009.parquet
    kind=received/account=sha256-5f8e0c1d2b3a4f56/month=2026-11/g000013.parquet

``kind``, ``account`` and ``month`` live only in the folder names, never as columns inside the
files, so DuckDB (``hive_partitioning=true``), pyarrow (``partitioning="hive"``), Polars and
Spark read ``<root>/kind=sent`` as one dataset whose ``account`` and ``month`` columns are text,
and skip the folders a filter on them excludes. The account is a short form of the hash of the
key (:func:`~.locate.account_id`, never the key itself) and starts with letters, so no reader
takes it for a number. Folders starting with ``_`` and files starting with ``.`` (a file being
written) are skipped by those readers.

Several accounts may share one root: each has its own manifest and lock, so they commit
independently, and a commit only ever touches its own account's folders.

The previous layout (format 1: ``manifest.json``, ``sent/2026-11.g000014.parquet``) is
migrated on the first writable open, or read as it is when opened read-only (see
:mod:`.migrate`).
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from ..errors import StoreError
from ..files import atomic_write_bytes
from .locate import dataset_account
from .manifest import KINDS, MANIFEST_NAME, MANIFESTS, Kind, Manifest
from .remote import (
    KEEP_MANIFESTS,
    StorePath,
    create_exclusively,
    forget_listings,
    is_remote,
    manifest_versions,
    version_name,
)

__all__ = [
    "LEGACY_MANIFEST",
    "MANIFESTS",
    "PARTITION_COLUMNS",
    "dataset_account",
    "dataset_glob",
    "dataset_root",
    "lock_path",
    "make_private_folders",
    "manifest_accounts",
    "manifest_path",
    "partition_file",
    "prune_manifests",
    "write_manifest",
]

LEGACY_MANIFEST = MANIFEST_NAME
"""The manifest of a store in the format 1 layout, at the root."""
PARTITION_COLUMNS = ("kind", "account", "month")
"""The columns a dataset reader derives from the folder names (never stored in the files)."""

_MANIFEST_FILE = re.compile(r"account=(?P<account>[A-Za-z][A-Za-z0-9-]*)\.json")


def manifest_path(root: StorePath, account: str) -> StorePath:
    """The manifest of ``account`` (a :func:`dataset_account` name) in the store ``root``; on
    object storage, the folder of its versions (see :mod:`.remote`)."""
    if is_remote(root):
        return root / MANIFESTS / f"account={account}"
    return root / MANIFESTS / f"account={account}.json"


def lock_path(root: Path, account: str) -> Path:
    """The lock file writers of ``account`` hold while they commit."""
    return root / MANIFESTS / f"account={account}.lock"


def manifest_accounts(root: StorePath) -> list[str]:
    """The accounts that have a manifest in ``root``, sorted."""
    folder = root / MANIFESTS
    forget_listings(folder)
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    if is_remote(root):
        names = (entry.name for entry in entries if entry.name.startswith("account="))
        return sorted(name.removeprefix("account=") for name in names)
    found = (_MANIFEST_FILE.fullmatch(entry.name) for entry in entries)
    return sorted(match["account"] for match in found if match)


def partition_file(kind: Kind, account: str, key: str, generation: int) -> str:
    """The path, relative to the root, of a partition written by ``generation``.

    Example:
        >>> partition_file("sent", "sha256-0f0f", "2026-11", 14)
        'kind=sent/account=sha256-0f0f/month=2026-11/g000014.parquet'
    """
    return f"kind={kind}/account={account}/month={key}/g{generation:06d}.parquet"


def account_folder(root: StorePath, kind: Kind, account: str) -> StorePath:
    """The folder of one account's partitions of ``kind``."""
    return root / f"kind={kind}" / f"account={account}"


def dataset_root(root: str | Path, kind: Kind) -> Path:
    """The folder that holds every account's messages of ``kind``: one Hive-partitioned dataset.

    Example:
        >>> dataset_root("/data/store", "sent").as_posix()
        '/data/store/kind=sent'

    Read it with ``pyarrow.dataset.dataset(dataset_root(root, "sent"), partitioning="hive")``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return Path(root) / f"kind={kind}"


def dataset_glob(root: str | Path, kind: Kind, account: str | None = None) -> str:
    """A glob of the Parquet files of ``kind`` (of one account, or all), for DuckDB or Spark.

    It matches the files of superseded generations too until the commit that replaced them
    has collected its garbage (right after it switched the manifest); use
    :meth:`.Store.snapshot_files` for exactly the current files.

    Example:
        >>> dataset_glob("/data/store", "sent")
        '/data/store/kind=sent/account=*/month=*/*.parquet'
    """
    folder = dataset_root(root, kind)
    return str(folder / f"account={account or '*'}" / "month=*" / "*.parquet")


def make_private_folders(root: StorePath, folder: StorePath) -> None:
    """Create ``folder`` and the folders between it and ``root``, each private to the owner
    (``mkdir(parents=True)`` would give the ones in between the default permissions). Object
    storage has no folders to create."""
    if not isinstance(root, Path) or not isinstance(folder, Path):
        return
    relative = folder.relative_to(root)
    current = root
    for part in relative.parts:
        current = current / part
        current.mkdir(mode=0o700, exist_ok=True)


class ManifestConflict(StoreError):
    """Another writer committed the same generation first (object storage): build again."""


def write_manifest(root: StorePath, state: Manifest) -> None:
    """Switch the account's manifest in ``root`` to ``state``, atomically: the commit.

    The new manifest is read back first, by the same code that opens a store: a state this
    version could not open again is never written (the store stays as it was). On object
    storage it is a new version, created only if no other writer created it first.

    Raises:
        ManifestConflict: (object storage) another writer committed this generation first.
    """
    target = manifest_path(root, state.account_folder)
    if not isinstance(root, Path):
        target = target / version_name(state.generation)
    document = state.to_json()
    try:
        Manifest.from_json(document, target)
    except StoreError as error:
        raise StoreError(
            f"the store in {root} was left unchanged: the change would not read back ({error})"
        ) from None
    if not isinstance(target, Path):
        if not create_exclusively(target, document):
            raise ManifestConflict(f"the store in {root} changed during the commit")
        return
    make_private_folders(root, target.parent)
    atomic_write_bytes(target, document)


def prune_manifests(root: StorePath, account: str) -> None:
    """Delete the manifest versions of ``account`` older than the last
    :data:`~.remote.KEEP_MANIFESTS` (object storage; a local store has one manifest)."""
    if isinstance(root, Path):
        return
    folder = manifest_path(root, account)
    for _, old in manifest_versions(folder)[KEEP_MANIFESTS:]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
