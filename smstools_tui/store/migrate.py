"""Moving a store from the format 1 layout to the Hive-partitioned one, atomically.

Format 1 kept one account per folder: ``manifest.json`` at the root naming
``sent/2026-11.g000014.parquet`` and the like. The first writable open of such a store moves it
to the layout of :mod:`.layout`, under both locks (the account's and the format 1 ``.lock``, so
an older version cannot commit meanwhile):

1. every partition file gets its new name as a hard link (a copy where links are not possible),
   under the next generation's name; the format 1 manifest still names only the old files, so
   until step 2 the store is the format 1 one, and the new files are leftovers the next attempt
   (or the next commit) deletes;
2. the account's new manifest is written (write beside, flush, rename): the switch. From here
   on a manifest in ``_manifests/`` exists, and every open prefers it;
3. the format 1 manifest is deleted, then the old files, then their folders.

A process killed at any point leaves a store that opens: before the switch the format 1 one
(migrated again by the next writable open), after it the new one (whose next writable open
finishes step 3). Neither ever names a message twice, since each state is one manifest. A store
opened read-only (offline) is read as it is, whichever state it is in.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
from pathlib import Path

from ..errors import StoreError
from ..files import fsync_dir
from .layout import (
    LEGACY_MANIFEST,
    lock_path,
    make_private_folders,
    manifest_path,
    partition_file,
    write_manifest,
)
from .locate import StoreIdentity
from .lock import lock_file
from .manifest import FORMAT_VERSION, KINDS, PARTITION_FILE, Manifest, Partition
from .partitions import TEMPORARY

__all__ = ["migrate"]

log = logging.getLogger("smstools_tui.store")


def migrate(root: Path, identity: StoreIdentity) -> Manifest | None:
    """The current manifest of ``identity``'s account in ``root``, once the root holds it in
    the Hive-partitioned layout: a format 1 store of that account is migrated first, and the
    remains of a migration that was killed are cleared. ``None`` when there is no store of that
    account yet.

    Example:
        >>> import tempfile
        >>> who = StoreIdentity("https://api.smstools.it/rest/api", "sha256:0f0f", "example")
        >>> migrate(Path(tempfile.mkdtemp()), who) is None
        True

    Raises:
        StoreError: a file could not be moved (the store stays as it was).
    """
    account = identity.dataset_account
    if not _has_legacy(root):
        return _read(manifest_path(root, account), root)
    try:
        return _migrate_locked(root, identity, account)
    except OSError as error:  # a read-only disk, a full one, no permission
        raise StoreError(
            f"the store in {root} is in the layout of an earlier version and could not be "
            f"moved to the current one ({error.strerror or error}); it is unchanged: read it "
            "with --offline, or make its folder writable"
        ) from None


def _migrate_locked(root: Path, identity: StoreIdentity, account: str) -> Manifest | None:
    with lock_file(lock_path(root, account)), lock_file(root / ".lock"):
        current = _read(manifest_path(root, account), root)
        legacy = _read(root / LEGACY_MANIFEST, root)
        if legacy is not None and legacy.account_folder != account:
            return current  # another account's format 1 store shares the root: not ours
        if current is not None:
            _remove_legacy(root, legacy)  # a migration killed after its switch
            return current
        if legacy is None:
            _remove_legacy(root, None)
            return None
        if (legacy.identity.base_url, legacy.identity.account) != (
            identity.base_url,
            identity.account,
        ):
            return legacy  # another server's: Store.open refuses it, with the message
        migrated = _carry_all(root, legacy)
        write_manifest(root, migrated)
        log.info("%s: moved to the partitioned layout (generation %d)", root, migrated.generation)
        _remove_legacy(root, legacy)
        return migrated


def _has_legacy(root: Path) -> bool:
    return any((root / name).exists() for name in (LEGACY_MANIFEST, *KINDS))


def _read(path: Path, root: Path) -> Manifest | None:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
    return Manifest.from_json(data, path)


def _carry_all(root: Path, legacy: Manifest) -> Manifest:
    """Give every partition of ``legacy`` its name in the new layout; the manifest naming them."""
    generation = legacy.generation + 1
    state = dataclasses.replace(legacy, generation=generation, version=FORMAT_VERSION)
    carried: list[Path] = []
    try:
        for kind in KINDS:
            kind_state = legacy.state(kind)
            partitions = {}
            for key, partition in sorted(kind_state.partitions.items()):
                name = partition_file(kind, legacy.account_folder, key, generation)
                _carry(root / partition.file, root / name, root)
                carried.append(root / name)
                partitions[key] = Partition(name, partition.rows, partition.pending)
            state = state.with_state(kind, dataclasses.replace(kind_state, partitions=partitions))
    except BaseException:
        # Not left for a tool globbing the dataset to read beside the old files' next copy.
        for path in carried:
            _unlink(path)
        raise
    for folder in {path.parent for path in carried}:
        fsync_dir(folder)
    return state


def _carry(source: Path, target: Path, root: Path) -> None:
    """Make ``target`` hold what ``source`` holds: a hard link, else a durable copy."""
    make_private_folders(root, target.parent)
    target.unlink(missing_ok=True)  # left by a migration that was killed
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise StoreError(
            f"the store in {root} is damaged: {source.relative_to(root)} is missing; move "
            f"{root} away and run 'smstools-tui sync' to build the store again"
        ) from None
    except OSError:  # no hard links here (another file system, a share): copy
        shutil.copyfile(source, target)
        with open(target, "rb+") as stream:
            os.fsync(stream.fileno())


def _remove_legacy(root: Path, legacy: Manifest | None) -> None:
    """Delete the format 1 manifest (first: it must never name a file that is gone), then its
    files and folders. Only names format 1 wrote are touched."""
    if legacy is not None:
        _unlink(root / LEGACY_MANIFEST)
        fsync_dir(root)
    for kind in KINDS:
        folder = root / kind
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            if PARTITION_FILE.fullmatch(entry.name) or TEMPORARY.fullmatch(entry.name):
                _unlink(entry)
        try:
            folder.rmdir()
        except OSError as error:  # something else is in there: left alone
            log.debug("kept %s: %s", folder, error)
    for entry in root.glob(f".{LEGACY_MANIFEST}.*.tmp"):
        _unlink(entry)


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)
