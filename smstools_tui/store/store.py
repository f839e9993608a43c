"""The local store: typed Parquet files per month, committed atomically through a manifest.

Layout of a store folder::

    manifest.json                      what the store holds (see :mod:`.manifest`); the commit
    sent/2026-10.g000012.parquet       the sent messages inserted in October 2026 (UTC)
    sent/2026-11.g000014.parquet
    received/2026-11.g000013.parquet   the received messages of November 2026
    .lock                              held by a process while it commits

Why Parquet (through pyarrow, already a dependency) rather than DuckDB: the frames are columnar
already, Parquet keeps their types (categories, UTC timestamps, nullable integers), any tool reads
the files without this package (pandas, DuckDB, Polars, Spark), and a store made of immutable
files plus one small manifest gets atomic commits from a single rename, with no database engine
to embed, lock or upgrade.

A commit writes new partition files under new names (the ``g`` number is the commit's
generation), flushes them to disk, then replaces ``manifest.json`` the same way: until that
rename the old manifest, naming only old files, is the store; after it, the new one. Files no
manifest names (replaced generations, the leftovers of a commit that was killed) are deleted
after the switch. So a process killed at any moment, ``kill -9`` included, leaves the previous
state or the new one, and readers never need a lock.

Within a partition, rows are newest first, as the API answers (sent: insert date then id;
received: receive date, the API's order kept within a second), so a stored read gives the same
frame as the search it replaces.

Reading the files with another tool: the manifest's ``partitions`` list the current files;
``pd.read_parquet("STORE/sent")`` (or DuckDB's ``read_parquet('STORE/sent/*.parquet')``) reads
the whole folder correctly when no sync is running, since temporary files start with a dot.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import StoreError
from ..frames import PENDING_STATUSES, FrameSchema, coerce_frame, empty_frame
from ..query import Filters
from .coverage import Coverage, Span, from_epoch, to_epoch
from .files import atomic_write, atomic_write_bytes, lock_file
from .locate import StoreIdentity
from .manifest import (
    KINDS,
    MANIFEST_NAME,
    PARTITION_FILE,
    SCHEMAS,
    Kind,
    KindState,
    Manifest,
    Partition,
    time_column,
)

__all__ = ["CommitStats", "Damage", "Store"]

log = logging.getLogger("smstools_tui.store")

_UNDATED = "undated"
_PENDING = pa.array(sorted(PENDING_STATUSES))
_OWN_ENTRIES = frozenset({"sent", "received", ".lock"})
_READ_ATTEMPTS = 5
_T = TypeVar("_T")


class _Gone(Exception):
    """A partition file the manifest names is not there (yet another commit, or damage)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class Damage:
    """A partition file that cannot be used.

    Attributes:
        kind, key: whose partition (``sent``, ``2026-11``).
        file: its path relative to the store folder.
        problem: what is wrong, for people (``is missing``, ``cannot be read (…)``).
    """

    kind: Kind
    key: str
    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file} {self.problem}"


@dataclass
class CommitStats:
    """What a commit changed.

    Attributes:
        new: messages that were not in the store before.
        updated: stored sent messages whose status changed.
        rows: messages in the store after the commit, per kind.
    """

    new: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))


class Store:
    """A local store of one account's sent and received SMS.

    Open it with :meth:`open`; read with :meth:`read`; :meth:`commit` is how a sync writes.
    Any number of processes may read while one commits.

    Example:
        >>> import tempfile
        >>> from smstools_tui.frames import sent_frame
        >>> who = StoreIdentity("https://api.smstools.it/rest/api", "sha256:0f0f", "example")
        >>> store = Store.open(Path(tempfile.mkdtemp()) / "store", who)
        >>> frame = sent_frame([{"id": 1, "status": "SENT",
        ...                      "insertDate": "2026-11-02T10:00:00+0100"}])
        >>> store.commit(sent=frame, covered={"sent": [(1_762_041_600, 1_762_128_000)]}).new
        {'sent': 1, 'received': 0}
        >>> store.read("sent")["status"].tolist(), store.pending_ids()
        (['SENT'], [1])
    """

    def __init__(self, path: Path, manifest: Manifest, *, writable: bool) -> None:
        self.path = path
        self._manifest = manifest
        self._writable = writable

    @classmethod
    def open(cls, path: str | Path, identity: StoreIdentity | None = None) -> Store:
        """The store in ``path``.

        Args:
            path: its folder. A missing or empty folder is a new, empty store (created on the
                first commit).
            identity: whose store it must be. With it the store can be written, and a store of
                another account or server is refused; without it (working offline) the store
                must exist and is read-only.

        Raises:
            StoreError: not a store, another account's, written by a newer version, or (without
                ``identity``) missing.
        """
        folder = Path(path).expanduser()
        if folder.is_symlink() and not folder.exists():
            raise StoreError(
                f"--store {folder} is a symbolic link to {os.readlink(folder)}, which does not "
                "exist: create that folder, or give another --store"
            )
        manifest = _load_manifest(folder)
        if manifest is None:
            _check_creatable(folder)
            if identity is None:
                raise StoreError(
                    f"there is no store in {folder}: run 'smstools-tui sync' once online first"
                )
            return cls(folder, Manifest(identity), writable=True)
        if identity is not None:
            stored = manifest.identity
            if (stored.base_url, stored.account) != (identity.base_url, identity.account):
                raise StoreError(
                    f"the store in {folder} holds the messages of another account or server "
                    f"({stored.label}); give another --store, or --no-store"
                )
        return cls(folder, manifest, writable=identity is not None)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, generation={self._manifest.generation})"

    # -- state ---------------------------------------------------------------------------------

    @property
    def manifest(self) -> Manifest:
        """The state last read or written by this object (see :meth:`refresh`)."""
        return self._manifest

    @property
    def identity(self) -> StoreIdentity:
        return self._manifest.identity

    @property
    def exists(self) -> bool:
        """Whether anything was ever committed."""
        return self._manifest.generation > 0

    def refresh(self) -> Manifest:
        """Read the manifest again, to see what other processes committed meanwhile."""
        manifest = _load_manifest(self.path)
        if manifest is not None:
            self._manifest = manifest
        return self._manifest

    def coverage(self, kind: Kind) -> Coverage:
        return self._manifest.state(kind).coverage

    def files(self, kind: Kind) -> list[Path]:
        """The Parquet files of ``kind``, newest month first: what other tools should read."""
        partitions = self._manifest.state(kind).partitions
        return [self.path / partitions[key].file for key in _newest_first(partitions)]

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
        condition = _window_filter(kind, since, until)
        extra = filters.arrow_expression(kind) if filters is not None else None
        if extra is not None:
            condition = extra if condition is None else condition & extra
        if condition is not None:
            table = table.filter(condition)
        return _to_frame(table, kind)

    def pending_ids(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[int]:
        """Ids of the stored sent messages that were PENDING or SENT when last seen, inserted in
        ``[since, until)``: those whose status may still change. Only the partitions that hold
        such messages (the manifest counts them) are read, and only three of their columns."""

        def pending(manifest: Manifest) -> list[int]:
            partitions = manifest.sent.partitions
            ids: list[int] = []
            for key in _newest_first(partitions):
                partition = partitions[key]
                if partition.pending == 0 or not _overlaps(key, since, until):
                    continue
                table = self._read_file(partition, "sent", ["id", "status", "insertDate"])
                keep = pc.is_in(table["status"].cast(pa.string()), _PENDING)
                window = _window_filter("sent", since, until)
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
        manifest = self.refresh()
        found = []
        for kind in KINDS:
            partitions = manifest.state(kind).partitions
            for key in _newest_first(partitions):
                problem = _partition_problem(self.path, partitions[key], kind)
                if problem is not None:
                    found.append(Damage(kind, key, partitions[key].file, problem))
        return found

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
        with lock_file(self.path / ".lock"):
            current = _load_manifest(self.path) or self._manifest
            self._manifest = current
            found = self.damage()
            if not found:
                return []
            state = current
            for kind in KINDS:
                dropped = [damage.key for damage in found if damage.kind == kind]
                if not dropped:
                    continue
                kind_state = state.state(kind)
                coverage = kind_state.coverage
                for key in dropped:
                    if key != _UNDATED:
                        coverage = coverage.remove(*_month_span(key))
                partitions = {
                    key: partition
                    for key, partition in kind_state.partitions.items()
                    if key not in dropped
                }
                state = state.with_state(
                    kind, dataclasses.replace(kind_state, coverage=coverage, partitions=partitions)
                )
            self._switch(
                dataclasses.replace(
                    state, generation=current.generation + 1, written_at=datetime.now(UTC)
                )
            )
        return found

    def _reading(self, read: Callable[[Manifest], _T]) -> _T:
        """``read(manifest)`` on the latest committed state. A file the manifest names may
        vanish meanwhile, when another process commits and deletes the files it replaced: then
        the new state is read. A file gone while the manifest stayed the same is damage."""
        for _ in range(_READ_ATTEMPTS):
            manifest = self.refresh()
            try:
                return read(manifest)
            except _Gone as gone:
                if self.refresh().generation == manifest.generation:
                    raise self._damaged(gone.name, "is missing") from None
        raise StoreError(f"the store in {self.path} kept changing while read; try again")

    def _read_table(
        self, manifest: Manifest, kind: Kind, since: datetime | None, until: datetime | None
    ) -> pa.Table:
        partitions = manifest.state(kind).partitions
        keys = [key for key in _newest_first(partitions) if _overlaps(key, since, until)]
        tables = [self._read_file(partitions[key], kind) for key in keys]
        if not tables:
            return _storage_schema(kind).empty_table()
        return pa.concat_tables(tables)

    def _read_file(
        self, partition: Partition, kind: Kind, columns: list[str] | None = None
    ) -> pa.Table:
        """A partition's file in the current on-disk schema (only ``columns``, when given)."""
        name = partition.file
        try:
            table = _conform(pq.read_table(self.path / name, columns=columns), kind, columns)
        except FileNotFoundError:
            raise _Gone(name) from None
        except (OSError, pa.ArrowException) as error:
            raise self._damaged(name, f"cannot be read ({error})") from None
        if len(table) != partition.rows:
            raise self._damaged(name, f"holds {len(table):,} messages, not {partition.rows:,}")
        return table

    def _damaged(self, name: str, problem: str) -> StoreError:
        """The error for a damaged partition file, with the advice that mends it: a sync drops
        what :meth:`damage` finds and fetches it again; other damage needs a new store."""
        found = next((damage for damage in self.damage() if damage.file == name), None)
        if found is not None:
            problem = found.problem
            advice = f"run 'smstools-tui sync' to fetch that month ({found.kind} {found.key}) again"
        else:
            advice = f"move {self.path} away and run 'smstools-tui sync' to build the store again"
        return StoreError(f"the store in {self.path} is damaged: {name} {problem}; {advice}")

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
            kind: _to_table(frame, kind)
            for kind, frame in frames.items()
            if frame is not None and len(frame)
        }
        with lock_file(self.path / ".lock"):
            # Another process may have committed since this one last looked: build on its state.
            current = _load_manifest(self.path) or self._manifest
            self._collect_garbage(current)
            generation = current.generation + 1
            stats = CommitStats()
            state = current
            if "sent" in incoming:
                kind_state, stats.new["sent"], stats.updated = self._merge_sent(
                    current.sent, incoming["sent"], generation
                )
                state = state.with_state("sent", kind_state)
            spans = list(replacing)
            if spans or "received" in incoming:
                kind_state, stats.new["received"] = self._replace_received(
                    current.received, incoming.get("received"), spans, generation
                )
                state = state.with_state("received", kind_state)
            for kind, kind_spans in (covered or {}).items():
                coverage = state.state(kind).coverage
                for start, end in kind_spans:
                    coverage = coverage.add(start, end)
                state = state.with_state(
                    kind, dataclasses.replace(state.state(kind), coverage=coverage)
                )
            state = dataclasses.replace(
                state,
                generation=generation,
                written_at=datetime.now(UTC),
                account_details=account_details or current.account_details,
                synced_at=synced_at or current.synced_at,
            )
            self._switch(state)
        stats.rows = {kind: state.state(kind).rows for kind in KINDS}
        return stats

    def _require_writable(self) -> None:
        if not self._writable:
            raise StoreError(f"the store in {self.path} is open read-only (offline)")
        # Only the owner may read it: phone numbers and texts are personal data. (The files are
        # created 0600 by mkstemp, the folders here 0700; a folder that already existed, made
        # by hand or by an older version, is tightened.)
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in (self.path, *(self.path / kind for kind in KINDS)):
            _make_private(folder)

    def _switch(self, state: Manifest) -> None:
        """Commit ``state``: replace the manifest, then delete the files it no longer names.

        The new manifest is read back first, by the same code that opens a store: a state this
        version could not open again is never written (the store stays as it was)."""
        document = state.to_json()
        try:
            Manifest.from_json(document, self.path / MANIFEST_NAME)
        except StoreError as error:
            raise StoreError(
                f"the store in {self.path} was left unchanged: the change would not read back "
                f"({error})"
            ) from None
        atomic_write_bytes(self.path / MANIFEST_NAME, document)
        self._manifest = state
        self._collect_garbage(state)

    def _merge_sent(
        self, state: KindState, incoming: pa.Table, generation: int
    ) -> tuple[KindState, int, int]:
        partitions = dict(state.partitions)
        new = updated = 0
        for key, rows in _by_month(incoming, "sent"):
            old = self._partition_table(partitions.get(key), "sent")
            merged, added, changed = _merge_by_id(old, rows)
            new, updated = new + added, updated + changed
            partitions[key] = self._write_partition("sent", key, merged, generation)
        return dataclasses.replace(state, partitions=partitions), new, updated

    def _replace_received(
        self,
        state: KindState,
        incoming: pa.Table | None,
        spans: list[Span],
        generation: int,
    ) -> tuple[KindState, int]:
        if incoming is None:
            incoming = _storage_schema("received").empty_table()
        groups = dict(_by_month(incoming, "received"))
        touched = {key for key in state.partitions for span in spans if _overlaps_span(key, span)}
        partitions = dict(state.partitions)
        removed = 0
        for key in sorted(touched | set(groups)):
            old = self._partition_table(partitions.get(key), "received")
            if spans:
                dates = old["receiveDate"]
                inside = (
                    pc.or_(*[_in_span(dates, span) for span in spans])
                    if len(spans) > 1
                    else _in_span(dates, spans[0])
                )
                removed += int(
                    pc.sum(pc.cast(pc.fill_null(inside, False), pa.int64())).as_py() or 0
                )
                old = old.filter(pc.invert(pc.fill_null(inside, False)))
            rows = groups.get(key)
            combined = pa.concat_tables([old, rows]) if rows is not None else old
            if len(combined) == 0:
                partitions.pop(key, None)
                continue
            # A stable sort keeps the API's order within a second: two identical messages in
            # one second stay two, in the order the search gave them.
            order = pc.sort_indices(combined, sort_keys=[("receiveDate", "descending")])
            partitions[key] = self._write_partition(
                "received", key, combined.take(order), generation
            )
        return dataclasses.replace(state, partitions=partitions), len(incoming) - removed

    def _partition_table(self, partition: Partition | None, kind: Kind) -> pa.Table:
        if partition is None:
            return _storage_schema(kind).empty_table()
        try:
            return self._read_file(partition, kind)
        except _Gone as gone:  # under the lock, so no other commit: it is damage
            raise self._damaged(gone.name, "is missing") from None

    def _write_partition(self, kind: Kind, key: str, table: pa.Table, generation: int) -> Partition:
        name = f"{kind}/{key}.g{generation:06d}.parquet"
        if not PARTITION_FILE.fullmatch(name.partition("/")[2]):
            # What the manifest loader would refuse, and the clean-up would never delete.
            raise StoreError(
                f"the store in {self.path} was left unchanged: {kind} messages of the month "
                f"{key!r} cannot be named as a partition"
            )
        target = self.path / name
        target.parent.mkdir(mode=0o700, exist_ok=True)
        table = _compact(table)

        def write(stream: BinaryIO) -> None:
            pq.write_table(table, stream, compression="zstd")

        atomic_write(target, write)
        pending = 0
        if kind == "sent":
            statuses = table["status"].cast(pa.string())
            pending = int(pc.sum(pc.cast(pc.is_in(statuses, _PENDING), pa.int64())).as_py() or 0)
        return Partition(name, len(table), pending)

    def _collect_garbage(self, manifest: Manifest) -> None:
        """Delete the files no manifest names: replaced generations, and what a killed commit
        left behind. Only names this store writes are touched."""
        live = manifest.files()
        for kind in KINDS:
            folder = self.path / kind
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                name = f"{kind}/{entry.name}"
                ours = PARTITION_FILE.fullmatch(entry.name) or _TEMPORARY.fullmatch(entry.name)
                if ours and name not in live:
                    _unlink(entry)
        for entry in self.path.glob(f".{MANIFEST_NAME}.*.tmp"):
            _unlink(entry)


_TEMPORARY = re.compile(r"\..+\.tmp")


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as error:  # a reader holds it open (Windows): the next commit retries
        log.debug("could not delete %s yet: %s", path, error)


def _load_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise StoreError(f"--store {folder} is a file, not a folder") from None
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
        if entry.name not in _OWN_ENTRIES and not _TEMPORARY.fullmatch(entry.name)
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


def _partition_problem(folder: Path, partition: Partition, kind: Kind) -> str | None:
    """What is wrong with a partition's file, judged from its footer alone, or ``None``."""
    try:
        parquet = pq.ParquetFile(folder / partition.file)
    except FileNotFoundError:
        return "is missing"
    except (OSError, pa.ArrowException) as error:
        return f"cannot be read ({error})"
    with parquet:
        rows = parquet.metadata.num_rows
        if rows != partition.rows:
            return f"holds {rows:,} messages where the manifest counts {partition.rows:,}"
        present = parquet.schema_arrow
    for target in _storage_schema(kind):
        index = present.get_field_index(target.name)
        if index >= 0 and not _compatible(present.field(index).type, target.type):
            return (
                f"has a column {target.name!r} of type {present.field(index).type} "
                f"instead of {target.type}"
            )
    return None


def _compatible(found: pa.DataType, wanted: pa.DataType) -> bool:
    """Whether a column of type ``found`` reads as ``wanted`` without loss: the same type, or
    text held either way (plain or dictionary-encoded)."""
    if found.equals(wanted):
        return True
    return _is_text(wanted) and _is_text(found)


def _is_text(arrow_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


# -- the on-disk schema -----------------------------------------------------------------------

_ARROW_TYPES = {
    "int": pa.int64(),
    "float": pa.float64(),
    "string": pa.string(),
    "category": pa.dictionary(pa.int32(), pa.string()),
    "status": pa.dictionary(pa.int32(), pa.string()),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
_SCHEMA_CACHE: dict[str, pa.Schema] = {}


def _storage_schema(kind: Kind) -> pa.Schema:
    """The Arrow schema of a partition file: fixed types, so files of any age concatenate, plus
    the pandas metadata of the typed frame, so ``pd.read_parquet`` alone restores categories,
    nullable integers and UTC timestamps."""
    if kind not in _SCHEMA_CACHE:
        schema: FrameSchema = SCHEMAS[kind]
        metadata = pa.Table.from_pandas(empty_frame(schema), preserve_index=False).schema.metadata
        _SCHEMA_CACHE[kind] = pa.schema(
            [(name, _ARROW_TYPES[column_kind]) for name, column_kind in schema.columns],
            metadata=metadata,
        )
    return _SCHEMA_CACHE[kind]


def _to_table(frame: pd.DataFrame, kind: Kind) -> pa.Table:
    schema = SCHEMAS[kind]
    table = pa.Table.from_pandas(coerce_frame(frame, schema), preserve_index=False).cast(
        _storage_schema(kind)
    )
    if schema.dates is not None:
        _check_dates(table, kind, schema.dates)
    return table


def _check_dates(table: pa.Table, kind: Kind, dates: tuple[datetime, datetime]) -> None:
    """Refuse messages dated outside ``dates``: the store never writes what it could not read
    back (a month key of year 10000), nor dates the analysis cannot hold."""
    first, end = (_scalar(moment) for moment in dates)
    for target in table.schema:
        if not pa.types.is_timestamp(target.type):
            continue
        column = table[target.name]
        outside = pc.or_(pc.less(column, first), pc.greater_equal(column, end))
        if pc.any(outside).as_py():
            # As text by Arrow: a Python datetime cannot hold year 10000.
            value = column.filter(outside).cast(pa.string())[0].as_py().replace(".000000", "")
            raise StoreError(
                f"{kind} messages with {target.name} {value} cannot be stored: the "
                f"store keeps dates from {dates[0]:%Y-%m-%d} to before {dates[1]:%Y-%m-%d} (UTC)"
            )


def _conform(table: pa.Table, kind: Kind, names: list[str] | None = None) -> pa.Table:
    """A file's table in the current on-disk schema (only ``names``, when given): a file
    written by an earlier version may lack a column (it reads as missing) or carry one since
    dropped. A column of another type is damage (:class:`pa.ArrowException`)."""
    schema = _storage_schema(kind)
    if names is not None:
        schema = pa.schema([schema.field(name) for name in names], metadata=schema.metadata)
    if table.schema.equals(schema, check_metadata=False):
        return table.replace_schema_metadata(schema.metadata)
    columns = []
    for target in schema:
        if target.name not in table.column_names:
            columns.append(pa.nulls(len(table), target.type))
        elif _compatible(table.schema.field(target.name).type, target.type):
            columns.append(table[target.name].cast(target.type))
        else:
            raise pa.ArrowTypeError(
                f"column {target.name!r} has type {table.schema.field(target.name).type}"
            )
    return pa.Table.from_arrays(columns, schema=schema)


def _compact(table: pa.Table) -> pa.Table:
    """One chunk per column, and each dictionary holding only the values used, in order of first
    appearance: smaller files, and the category order the API's frame would have."""
    columns = []
    for target, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_dictionary(target.type):
            columns.append(_compact_dictionary(column))
        else:
            columns.append(
                column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
            )
    return pa.Table.from_arrays(columns, schema=table.schema)


def _compact_dictionary(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        if column.num_chunks == 0:
            return pa.array([], column.type)
        column = column.unify_dictionaries().combine_chunks()
    codes = column.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    used = codes >= 0
    first_seen = pd.unique(codes[used])
    # One slot more than the dictionary, holding -1, where the null codes (-1) land.
    remap = np.full(len(column.dictionary) + 1, -1, dtype=np.int32)
    remap[first_seen] = np.arange(len(first_seen), dtype=np.int32)
    indices = pa.array(remap[codes], type=pa.int32(), mask=~used)
    values = column.dictionary.take(pa.array(first_seen, type=pa.int32()))
    return pa.DictionaryArray.from_arrays(indices, values)


def _string_or_none(arrow_type: pa.DataType) -> Any:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    if pa.types.is_int64(arrow_type):
        return pd.Int64Dtype()
    return None


def _to_frame(table: pa.Table, kind: Kind) -> pd.DataFrame:
    # coerce_frame puts the status categories in the documented order, whatever the file's
    # dictionary holds.
    frame = _compact(table).to_pandas(types_mapper=_string_or_none)
    return coerce_frame(frame, SCHEMAS[kind])


# -- partitions by month ---------------------------------------------------------------------


def _month_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m")


def _newest_first(partitions: dict[str, Partition]) -> list[str]:
    dated = sorted((key for key in partitions if key != _UNDATED), reverse=True)
    return dated + ([_UNDATED] if _UNDATED in partitions else [])


def _overlaps(key: str, since: datetime | None, until: datetime | None) -> bool:
    if key == _UNDATED:
        return since is None and until is None
    if since is not None and key < _month_key(since):
        return False
    last = until - pd.Timedelta(microseconds=1) if until is not None else None
    return not (last is not None and key > _month_key(last))


def _month_span(key: str) -> Span:
    """The epoch seconds of the month ``key`` (``2026-11``), half-open."""
    year, month = (int(part) for part in key.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return to_epoch(start), to_epoch(end)


def _overlaps_span(key: str, span: Span) -> bool:
    return _overlaps(key, from_epoch(span[0]), from_epoch(span[1]))


def _by_month(table: pa.Table, kind: Kind) -> list[tuple[str, pa.Table]]:
    if len(table) == 0:
        return []
    dates = table[time_column(kind)]
    codes = pc.fill_null(pc.add(pc.multiply(pc.year(dates), 100), pc.month(dates)), -1).to_numpy(
        zero_copy_only=False
    )
    groups = []
    for code in np.unique(codes):
        key = _UNDATED if code < 0 else f"{code // 100:04d}-{code % 100:02d}"
        groups.append((key, table.take(pa.array(np.flatnonzero(codes == code)))))
    return groups


def _scalar(moment: datetime) -> pa.Scalar:
    return pa.scalar(moment.astimezone(UTC), pa.timestamp("us", tz="UTC"))


def _in_span(dates: pa.ChunkedArray, span: Span) -> pa.ChunkedArray:
    return pc.and_(
        pc.greater_equal(dates, _scalar(from_epoch(span[0]))),
        pc.less(dates, _scalar(from_epoch(span[1]))),
    )


def _window_filter(
    kind: Kind, since: datetime | None, until: datetime | None
) -> pc.Expression | None:
    column = pc.field(time_column(kind))
    terms = []
    if since is not None:
        terms.append(column >= _scalar(since))
    if until is not None:
        terms.append(column < _scalar(until))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else terms[0] & terms[1]


def _merge_by_id(old: pa.Table, new: pa.Table) -> tuple[pa.Table, int, int]:
    """``old`` with ``new`` merged in by id, the copy from ``new`` winning; returns the table,
    how many ids are new and how many stored messages changed status."""
    old_ids, old_valid = _ids(old)
    new_ids, new_valid = _ids(new)
    known = new_valid & np.isin(new_ids, old_ids[old_valid])
    added = int((~known).sum())
    before = pd.Series(_statuses(old)[old_valid], index=old_ids[old_valid])
    after = pd.Series(_statuses(new)[new_valid], index=new_ids[new_valid])
    before = before[~before.index.duplicated(keep="last")]
    after = after[~after.index.duplicated(keep="last")]
    common = before.index.intersection(after.index)
    changed = int((before[common] != after[common]).sum())
    combined = pa.concat_tables([old, new])
    ids, valid = _ids(combined)
    # The last copy of an id wins; a message without an id cannot be matched, so it is kept.
    later_copy = np.zeros(len(ids), dtype=bool)
    later_copy[valid] = pd.Series(ids[valid]).duplicated(keep="last").to_numpy()
    combined = combined.filter(pa.array(~later_copy))
    order = pc.sort_indices(
        combined, sort_keys=[("insertDate", "descending"), ("id", "descending")]
    )
    return combined.take(order), added, changed


def _ids(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The id column as exact int64 values, and where it is not missing."""
    column = table["id"]
    valid = pc.is_valid(column).to_numpy(zero_copy_only=False)
    return pc.fill_null(column, 0).to_numpy(zero_copy_only=False), valid


def _statuses(table: pa.Table) -> np.ndarray:
    statuses = pc.fill_null(table["status"].cast(pa.string()), "")
    return np.asarray(statuses.to_numpy(zero_copy_only=False), dtype=object)
