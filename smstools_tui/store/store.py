"""The store: typed Parquet files per account and month, committed atomically through a manifest.

Layout of a store root (see :mod:`.layout`; several accounts may share one)::

    _manifests/account=sha256-5f8e0c1d2b3a4f56.json     what the account's store holds (see
                                                          :mod:`.manifest`); the commit
    _manifests/account=sha256-5f8e0c1d2b3a4f56.lock     held by a process while it commits
    kind=sent/account=sha256-5f8e0c1d2b3a4f56/month=2026-10/g000012.parquet
    kind=sent/account=sha256-5f8e0c1d2b3a4f56/month=2026-11/g000014.parquet
    kind=received/account=sha256-5f8e0c1d2b3a4f56/month=2026-11/g000013.parquet

Why Parquet (through pyarrow, already a dependency) rather than DuckDB: the frames are columnar
already, Parquet keeps their types (categories, UTC timestamps, nullable integers), any tool reads
the files without this package (pandas, DuckDB, Polars, Spark), and a store made of immutable
files plus one small manifest gets atomic commits from a single rename, with no database engine
to embed, lock or upgrade.

A commit writes new partition files under new names (the ``g`` number is the commit's
generation), flushes them to disk, then replaces the manifest the same way: until that
rename the old manifest, naming only old files, is the store; after it, the new one. Files no
manifest names (replaced generations, the leftovers of a commit that was killed) are deleted
after the switch. So a process killed at any moment, ``kill -9`` included, leaves the previous
state or the new one, and readers never need a lock.

Within a partition, rows are newest first, as the API answers (sent: insert date then id;
received: receive date, the API's order kept within a second), so a stored read gives the same
frame as the search it replaces.

Reading the files with another tool: :meth:`Store.snapshot_files` (or the manifest's
``partitions``) lists exactly the current files. ``<root>/kind=sent`` is also one Hive-partitioned
dataset of every account (:func:`.layout.dataset_root`, :func:`.layout.dataset_glob`): DuckDB's
``read_parquet('STORE/kind=sent/*/*/*.parquet', hive_partitioning=true)`` reads it whole, with
``account`` and ``month`` columns. A reader that globs the folders sees the files a commit
replaced only between that commit's switch and its garbage collection, which follows at once;
temporary files start with a dot, which those readers skip.

A store may also live on object storage (``s3://bucket/prefix``…): the same layout, with
versioned manifests and a conditional put in place of the rename and the lock (see
:mod:`.remote`).

The parts, by concern: :mod:`.schema` (the files' Arrow schema, frame to table and back),
:mod:`.partitions` (month keys, reading, writing and judging one file), :mod:`.merge` (sent
messages merged by id, received spans replaced), :mod:`.commit` (the partitions and manifest a
change writes), :mod:`.manifest` (the manifest's format), :mod:`.lock` (the lock between
processes). :class:`Store`, here, opens a store, reads it and makes the switch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import StoreError
from ..query import Filters
from .commit import CommitStats, next_state, without_damage
from .coverage import Coverage, Span
from .layout import (
    LEGACY_MANIFEST,
    MANIFESTS,
    ManifestConflict,
    lock_path,
    make_private_folders,
    manifest_accounts,
    manifest_path,
    prune_manifests,
    write_manifest,
)
from .locate import StoreIdentity, local_folder
from .lock import lock_file
from .manifest import KINDS, Kind, Manifest, Partition
from .migrate import migrate
from .partitions import (
    PENDING,
    TEMPORARY,
    Damage,
    Gone,
    Unreadable,
    collect_garbage,
    damaged_error,
    find_damage,
    newest_first,
    overlaps,
    read_partition,
    window_filter,
)
from .remote import StorePath, is_remote, is_url, manifest_versions, open_url
from .schema import storage_schema, to_frame, to_table

__all__ = ["CommitStats", "Damage", "Store"]

log = logging.getLogger("smstools_tui.store")

_OWN_ENTRIES = frozenset(
    {MANIFESTS, *(f"kind={kind}" for kind in KINDS), *KINDS, ".lock", LEGACY_MANIFEST}
)
_READ_ATTEMPTS = 5
_COMMIT_ATTEMPTS = 5
_T = TypeVar("_T")


class Store:
    """A local store of one account's sent and received SMS.

    Open it with :meth:`open`; read with :meth:`read`; :meth:`commit` is how a sync writes.
    Any number of processes may read while one commits.

    One ``Store`` may be shared by threads:

    - Commits (:meth:`commit`, :meth:`repair`) run one at a time: within the process behind a
      lock, between processes behind the account's lock file (``_manifests/account=….lock``).
      Each builds on the latest committed state, so no commit is lost, whichever thread or
      process made the one before.
    - Reads (:meth:`read`, :meth:`pending_ids`, :meth:`damage`, :meth:`coverage`,
      :meth:`files`, :attr:`manifest`) take no lock and run beside each other and beside a
      commit. Each works on one manifest, whose files are never changed, only deleted once a
      later commit has replaced them: a read that finds one gone reads the newer state. So a
      read sees one committed state, never a mix of two.
    - :meth:`refresh` may run at any time. The state this object holds only moves forward:
      once a commit has returned, every thread sees it or a later one. (A refresh adopts an
      older generation only when the store in the folder was replaced by another one.)

    Example:
        >>> import tempfile
        >>> from smstools_tui.frames import sent_frame
        >>> who = StoreIdentity("https://api.smstools.it/rest/api", "sha256:0f0f", "example")
        >>> store = Store.open(Path(tempfile.mkdtemp()) / "store", who)
        >>> frame = sent_frame([{"id": 1, "status": "SENT",
        ...                      "insertDate": "2026-11-02T10:00:00+0100"}])
        >>> store.commit(sent=frame, covered={"sent": [(1_793_577_600, 1_793_664_000)]}).new
        {'sent': 1, 'received': 0}
        >>> store.read("sent")["status"].tolist(), store.pending_ids()
        (['SENT'], [1])
    """

    def __init__(self, path: StorePath, manifest: Manifest, *, writable: bool) -> None:
        self.path = path
        self.account = manifest.account_folder
        """The account's folder name in the dataset (``sha256-…``, see :mod:`.layout`)."""
        self._manifest = manifest
        self._writable = writable
        self._commit_lock = threading.Lock()
        # Guards the swap of _manifest, and counts the swaps, so that a refresh that read the
        # manifest before a commit here replaced it never puts the older state back.
        self._state_lock = threading.Lock()
        self._adopted = 0

    @classmethod
    def open(
        cls,
        path: str | StorePath,
        identity: StoreIdentity | None = None,
        *,
        account: str | None = None,
    ) -> Store:
        """The store of one account in the root ``path``.

        A store in the format 1 layout is migrated to the Hive-partitioned one first when it is
        opened writable (see :mod:`.migrate`), and read as it is when opened read-only.

        Args:
            path: its root folder. A missing or empty folder is a new, empty store (created on
                the first commit). Several accounts may share one root.
            identity: whose store it must be. With it the store can be written, and a store of
                another server is refused; without it (working offline) the store must exist
                and is read-only.
            account: without ``identity``, which account's store to read when the root holds
                several: its folder name (``sha256-…``) or its label.

        Raises:
            StoreError: not a store, another account's, written by a newer version, or (without
                ``identity``) missing, or several accounts and no ``account``.
        """
        if is_url(path):
            return cls._open_remote(open_url(str(path)), identity, account)
        folder = local_folder(path)
        if folder.is_symlink() and not folder.exists():
            raise StoreError(
                f"--store {folder} is a symbolic link to {os.readlink(folder)}, which does not "
                "exist: create that folder, or give another --store"
            )
        if identity is not None:
            manifest = migrate(folder, identity)
        else:
            manifest = _load_manifest(folder, _choose_account(folder, account))
            if manifest is not None and account not in (None, *_names(manifest)):
                raise StoreError(f"the store in {folder} holds no account {account!r}")
        if manifest is None:
            _check_creatable(folder)
            if identity is None:
                raise StoreError(
                    f"there is no store in {folder}: run 'smstools-tui sync' once online first"
                )
            return cls(folder, Manifest(identity), writable=True)
        _check_identity(folder, manifest, identity)
        return cls(folder, manifest, writable=identity is not None)

    @classmethod
    def _open_remote(
        cls, root: StorePath, identity: StoreIdentity | None, account: str | None
    ) -> Store:
        """:meth:`open` on object storage: no format 1 stores there, no folders to check."""
        chosen = identity.dataset_account if identity is not None else None
        if chosen is None:
            chosen = _choose_account(root, account)
        manifest = _load_manifest(root, chosen) if chosen is not None else None
        if manifest is None:
            if identity is None:
                raise StoreError(
                    f"there is no store in {root}: run 'smstools-tui sync' once online first"
                )
            return cls(root, Manifest(identity), writable=True)
        _check_identity(root, manifest, identity)
        return cls(root, manifest, writable=identity is not None)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, generation={self._manifest.generation})"

    # -- state ---------------------------------------------------------------------------------

    @property
    def manifest(self) -> Manifest:
        """The state last read or written by this object (see :meth:`refresh`)."""
        return self._manifest

    @property
    def manifest_file(self) -> StorePath:
        """The file of this account's manifest (format 1: ``manifest.json`` at the root, until
        the store is migrated)."""
        if self._manifest.version == 1:
            return self.path / LEGACY_MANIFEST
        if is_remote(self.path):
            versions = manifest_versions(manifest_path(self.path, self.account))
            return versions[0][1] if versions else manifest_path(self.path, self.account)
        return manifest_path(self.path, self.account)

    @property
    def identity(self) -> StoreIdentity:
        return self._manifest.identity

    @property
    def exists(self) -> bool:
        """Whether anything was ever committed."""
        return self._manifest.generation > 0

    def refresh(self) -> Manifest:
        """Read the manifest again, to see what other processes committed meanwhile."""
        seen = self._adopted
        manifest = _load_manifest(self.path, self.account)
        if manifest is None:
            return self._manifest
        return self._adopt(manifest, unless_changed_since=seen)

    def _adopt(self, manifest: Manifest, *, unless_changed_since: int | None = None) -> Manifest:
        """Make ``manifest`` the state this object holds, and return the state it holds.

        A commit's own state, or the one read under the lock (``unless_changed_since`` None),
        is the latest there is. A state a refresh read is taken when it is newer, or when this
        object took no other since the refresh began (a store replaced by another in the same
        folder starts again at a lower generation)."""
        with self._state_lock:
            current = self._manifest
            if (
                unless_changed_since is None
                or manifest.generation > current.generation
                or self._adopted == unless_changed_since
            ):
                self._manifest = manifest
                self._adopted += 1
            return self._manifest

    def coverage(self, kind: Kind) -> Coverage:
        return self._manifest.state(kind).coverage

    def files(self, kind: Kind) -> list[Path]:
        """The Parquet files of ``kind``, newest month first: what other tools should read."""
        partitions = self._manifest.state(kind).partitions
        return [self.path / partitions[key].file for key in newest_first(partitions)]

    def snapshot_files(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> dict[Kind, list[Path]]:
        """The current files of each kind that may hold messages dated in ``[since, until)``
        (all without a window), from one reading of the manifest: a consistent snapshot to
        hand another reader (DuckDB). A later commit deletes the files it replaces, so read
        them soon."""
        manifest = self.refresh()
        files: dict[Kind, list[Path]] = {}
        for kind in KINDS:
            partitions = manifest.state(kind).partitions
            files[kind] = [
                self.path / partitions[key].file
                for key in newest_first(partitions)
                if overlaps(key, since, until)
            ]
        return files

    # -- reading -------------------------------------------------------------------------------

    def read(
        self,
        kind: Kind,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        filters: Filters | None = None,
    ) -> pd.DataFrame:
        """The stored messages of ``kind`` dated in ``[since, until)`` that pass ``filters``
        (see :class:`~smstools_tui.query.Filters`), newest first, as the typed frame of
        :mod:`smstools_tui.frames`. Without a window: all of them.

        It reads the latest committed state (the manifest is read again first).
        """
        table = self._reading(lambda manifest: self._read_table(manifest, kind, since, until))
        condition = window_filter(kind, since, until)
        extra = filters.arrow_expression(kind) if filters is not None else None
        if extra is not None:
            condition = extra if condition is None else condition & extra
        if condition is not None:
            table = table.filter(condition)
        return to_frame(table, kind)

    def pending_ids(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[int]:
        """Ids of the stored sent messages that were PENDING or SENT when last seen, inserted in
        ``[since, until)``: those whose status may still change. Only the partitions that hold
        such messages (the manifest counts them) are read, and only three of their columns."""

        def pending(manifest: Manifest) -> list[int]:
            partitions = manifest.sent.partitions
            ids: list[int] = []
            for key in newest_first(partitions):
                partition = partitions[key]
                if partition.pending == 0 or not overlaps(key, since, until):
                    continue
                table = self._read_file(partition, "sent", ["id", "status", "insertDate"])
                keep = pc.is_in(table["status"].cast(pa.string()), PENDING)
                window = window_filter("sent", since, until)
                table = table.filter(keep)
                if window is not None:
                    table = table.filter(window)
                ids.extend(table["id"].drop_null().to_pylist())
            return ids

        return self._reading(pending)

    def damage(self) -> list[Damage]:
        """What is wrong with the partition files the manifest names: missing, unreadable, the
        wrong number of rows, a column of the wrong type. Only the files' footers are read, so
        this takes milliseconds; :meth:`repair` mends what it finds."""
        return find_damage(self.path, self.refresh())

    def repair(self) -> list[Damage]:
        """Drop the damaged partitions (see :meth:`damage`) from the manifest, and their months
        from what the store covers, so the next sync fetches those months again. Everything
        else stays as it is. Returns what was dropped.

        Raises:
            StoreError: the store is open read-only.
        """
        if not self.damage():
            return []
        self._require_writable()
        with self._commit_lock, self._writers_lock():
            for _ in range(_COMMIT_ATTEMPTS):
                current = self._adopt(_load_manifest(self.path, self.account) or self._manifest)
                found = find_damage(self.path, current)
                if not found:
                    return []
                try:
                    self._switch(without_damage(current, found))
                except ManifestConflict:
                    continue
                return found
        raise self._kept_changing()

    def _reading(self, read: Callable[[Manifest], _T]) -> _T:
        """``read(manifest)`` on the latest committed state. A file the manifest names may
        vanish meanwhile, when another process commits and deletes the files it replaced: then
        the new state is read. A file gone while the manifest stayed the same is damage."""
        for _ in range(_READ_ATTEMPTS):
            manifest = self.refresh()
            try:
                return read(manifest)
            except Gone as gone:
                if self.refresh().generation == manifest.generation:
                    raise self._damaged(gone.name, "is missing") from None
        raise StoreError(f"the store in {self.path} kept changing while read; try again")

    def _read_table(
        self, manifest: Manifest, kind: Kind, since: datetime | None, until: datetime | None
    ) -> pa.Table:
        partitions = manifest.state(kind).partitions
        keys = [key for key in newest_first(partitions) if overlaps(key, since, until)]
        tables = [self._read_file(partitions[key], kind) for key in keys]
        if not tables:
            return storage_schema(kind).empty_table()
        return pa.concat_tables(tables)

    def _read_file(
        self, partition: Partition, kind: Kind, columns: list[str] | None = None
    ) -> pa.Table:
        """A partition's file in the current on-disk schema (only ``columns``, when given); a
        file that is gone raises :class:`Gone` (see :meth:`_reading`)."""
        try:
            return read_partition(self.path, partition, kind, columns)
        except Unreadable as bad:
            raise self._damaged(bad.name, bad.problem) from None

    def _damaged(self, name: str, problem: str) -> StoreError:
        """The error for a damaged partition file, with the advice that mends it: a sync drops
        what :meth:`damage` finds and fetches it again; other damage needs a new store."""
        return damaged_error(self.path, self.refresh(), name, problem)

    # -- writing -------------------------------------------------------------------------------

    def commit(
        self,
        *,
        sent: pd.DataFrame | None = None,
        received: pd.DataFrame | None = None,
        replacing: Iterable[Span] = (),
        covered: dict[Kind, Sequence[Span]] | None = None,
        account_details: dict[str, Any] | None = None,
        synced_at: datetime | None = None,
    ) -> CommitStats:
        """Write one consistent change, atomically.

        Args:
            sent: sent messages to merge in by ``id``; a message already stored is replaced by
                this copy (fresher status), never doubled.
            received: received messages to add. They carry no id, so they are never matched
                against each other: instead the stored received messages dated in the
                ``replacing`` spans are dropped first, and ``received`` holds the new, complete
                (or, outside ``covered``, provisional) answer for those spans.
            replacing: spans (epoch seconds) whose stored received messages ``received`` replaces.
            covered: spans each kind now holds completely.
            account_details: the account, to answer offline.
            synced_at: when the latest sync that completed started.

        Returns:
            What changed.
        """
        self._require_writable()
        frames: dict[Kind, pd.DataFrame | None] = {"sent": sent, "received": received}
        incoming = {
            kind: to_table(frame, kind)
            for kind, frame in frames.items()
            if frame is not None and len(frame)
        }
        with self._commit_lock, self._writers_lock():
            for _ in range(_COMMIT_ATTEMPTS):
                # Another process may have committed since this one last looked: build on its
                # state. (On object storage it may even commit meanwhile: then build again.)
                current = _load_manifest(self.path, self.account) or self._manifest
                collect_garbage(self.path, current)
                state, stats = next_state(
                    self.path,
                    current,
                    incoming=incoming,
                    replacing=list(replacing),
                    covered=covered or {},
                    account_details=account_details,
                    synced_at=synced_at,
                )
                try:
                    self._switch(state)
                except ManifestConflict:
                    log.info("%s: another writer committed first; building on its state", self)
                    continue
                return stats
        raise self._kept_changing()

    def _writers_lock(self) -> contextlib.AbstractContextManager[object]:
        """The lock between processes that write this account: a lock file on a local disk;
        none on object storage, where the conditional manifest put refuses a second writer."""
        if is_remote(self.path):
            return contextlib.nullcontext()
        return lock_file(lock_path(self.path, self.account))

    def _kept_changing(self) -> StoreError:
        return StoreError(
            f"the store in {self.path} kept changing while this commit was built; try again"
        )

    def _require_writable(self) -> None:
        if not self._writable:
            raise StoreError(f"the store in {self.path} is open read-only (offline)")
        if is_remote(self.path):
            return  # access is the bucket's policy; there are no folders to create
        # Only the owner may read it: phone numbers and texts are personal data. (The files are
        # created 0600 by mkstemp, the folders here 0700; a folder that already existed, made
        # by hand or by an older version, is tightened.)
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        make_private_folders(self.path, self.path / MANIFESTS)
        for folder in (self.path, self.path / MANIFESTS, *(self.path / f"kind={k}" for k in KINDS)):
            _make_private(folder)

    def _switch(self, state: Manifest) -> None:
        """Commit ``state``: replace the manifest, then delete the files it no longer names.

        The new manifest is read back first, by the same code that opens a store: a state this
        version could not open again is never written (the store stays as it was)."""
        write_manifest(self.path, state)
        self._adopt(state)
        collect_garbage(self.path, state)
        prune_manifests(self.path, self.account)


def _check_identity(root: StorePath, manifest: Manifest, identity: StoreIdentity | None) -> None:
    if identity is None:
        return
    stored = manifest.identity
    if (stored.base_url, stored.account) != (identity.base_url, identity.account):
        raise StoreError(
            f"the store in {root} holds the messages of another account or server "
            f"({stored.label}); give another --store, or --no-store"
        )


def _load_manifest(folder: StorePath, account: str | None) -> Manifest | None:
    """The manifest of ``account`` in ``folder``: its own, else (not migrated yet) the format 1
    one at the root when it is that account's; ``None`` when there is neither. Without an
    account: the format 1 manifest. On object storage: the newest version that reads back."""
    if is_remote(folder):
        return _newest_manifest(folder, account) if account is not None else None
    if account is not None:
        manifest = _read_manifest(manifest_path(folder, account), folder)
        if manifest is not None:
            return manifest
    legacy = _read_manifest(folder / LEGACY_MANIFEST, folder)
    if legacy is not None and account is not None and legacy.account_folder != account:
        return None
    return legacy


def _newest_manifest(root: StorePath, account: str) -> Manifest | None:
    """The newest manifest version of ``account`` on object storage that reads back: a
    damaged newest version (never written by a commit, which reads each back first) is
    skipped with a warning."""
    for _, version in manifest_versions(manifest_path(root, account)):
        try:
            return _read_manifest(version, root)
        except StoreError as error:
            if "newer smstools-tui" in str(error):
                raise
            log.warning("skipping a manifest version that does not read back: %s", error)
    return None


def _names(manifest: Manifest) -> tuple[str, str]:
    """What a read-only open may call the account of ``manifest``: its folder name, its label."""
    identity = manifest.identity
    return identity.dataset_account, identity.label


def _choose_account(folder: StorePath, wanted: str | None) -> str | None:
    """Which account's manifest a read-only open reads: ``wanted`` (folder name or label),
    else the only one there is; ``None`` for a root with no format 2 manifest."""
    accounts = manifest_accounts(folder)
    if not accounts:
        return None  # empty, or a format 1 store: its own manifest says whose it is
    if wanted is None:
        if len(accounts) > 1:
            raise StoreError(
                f"the store in {folder} holds {len(accounts)} accounts "
                f"({', '.join(accounts)}): say which one"
            )
        return accounts[0] if accounts else None
    if wanted in accounts:
        return wanted
    for candidate in accounts:
        manifest = _load_manifest(folder, candidate)
        if manifest is not None and wanted in _names(manifest):
            return candidate
    raise StoreError(f"the store in {folder} holds no account {wanted!r}")


def _read_manifest(path: StorePath, root: StorePath) -> Manifest | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise StoreError(f"--store {root} is a file, not a folder") from None
    except OSError as error:
        raise StoreError(f"cannot read {path}: {error.strerror or error}") from None
    return Manifest.from_json(data, path)


def _check_creatable(folder: Path) -> None:
    """Refuse to turn a folder with someone else's files into a store (a commit deletes the
    files it does not know in its own subfolders, so those must be its own)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise StoreError(f"--store {folder} is a file, not a folder")
    foreign = [
        entry.name
        for entry in folder.iterdir()
        if entry.name not in _OWN_ENTRIES and not TEMPORARY.fullmatch(entry.name)
    ]
    if foreign:
        raise StoreError(
            f"{folder} is not a smstools-tui store and is not empty (it holds {foreign[0]!r}); "
            "give a new or empty folder"
        )


def _make_private(folder: Path) -> None:
    """Take away the group's and others' access to ``folder``, when it has any."""
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077:
            folder.chmod(mode & 0o700)
            log.info("%s was readable by others: it is now private (%o)", folder, mode & 0o700)
    except FileNotFoundError:
        pass
    except OSError as error:  # not the owner: say so, the data is still written
        log.warning("%s is readable by others and cannot be made private: %s", folder, error)
