"""A store's partitions: one Parquet file per kind of message and month (UTC).

A partition's key is its month (``2026-11``), or ``undated`` for messages without a date; its
file lives in the month's folder and is named after the generation of the commit that wrote it
(``kind=sent/account=…/month=2026-11/g000014.parquet``, see :mod:`.layout`), so a commit never
writes over a file a reader may be reading. Here: month keys and which partitions a window
overlaps, grouping a table by month, reading and writing one partition's file, judging a file
from its footer (:class:`Damage`), and deleting the files no manifest names.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import StoreError
from ..files import atomic_write
from ..frames import PENDING_STATUSES
from .coverage import Span, from_epoch, to_epoch
from .layout import account_folder, make_private_folders, manifest_path, partition_file
from .manifest import (
    GENERATION_FILE,
    KINDS,
    MONTH_FOLDER,
    Kind,
    Manifest,
    Partition,
    time_column,
)
from .remote import StorePath, forget_listings, is_remote, parquet_source, unique_suffix
from .schema import compact, compatible, conform, scalar, storage_schema

__all__ = [
    "PENDING",
    "TEMPORARY",
    "UNDATED",
    "Damage",
    "Gone",
    "Unreadable",
    "by_month",
    "collect_garbage",
    "damaged_error",
    "find_damage",
    "month_key",
    "month_span",
    "newest_first",
    "overlaps",
    "overlaps_span",
    "partition_problem",
    "read_partition",
    "window_filter",
    "write_partition",
]

log = logging.getLogger("smstools_tui.store")

UNDATED = "undated"
"""The key of the partition of messages without a date."""
PENDING = pa.array(sorted(PENDING_STATUSES))
"""The statuses of sent messages that may still change."""
TEMPORARY = re.compile(r"\..+\.tmp")
"""The name of a file being written (see :func:`smstools_tui.files.atomic_write`)."""


def month_key(moment: datetime) -> str:
    """The key of the partition that holds ``moment``: its month in UTC, ``2026-11``."""
    return moment.astimezone(UTC).strftime("%Y-%m")


def newest_first(partitions: dict[str, Partition]) -> list[str]:
    """The keys of ``partitions``, newest month first and the undated partition last."""
    dated = sorted((key for key in partitions if key != UNDATED), reverse=True)
    return dated + ([UNDATED] if UNDATED in partitions else [])


def overlaps(key: str, since: datetime | None, until: datetime | None) -> bool:
    """Whether the partition ``key`` may hold messages dated in ``[since, until)`` (no bound:
    unbounded on that side; the undated partition only without a window)."""
    if key == UNDATED:
        return since is None and until is None
    if since is not None and key < month_key(since):
        return False
    last = until - pd.Timedelta(microseconds=1) if until is not None else None
    return not (last is not None and key > month_key(last))


def month_span(key: str) -> Span:
    """The epoch seconds of the month ``key`` (``2026-11``), half-open."""
    year, month = (int(part) for part in key.split("-"))
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    return to_epoch(start), to_epoch(end)


def overlaps_span(key: str, span: Span) -> bool:
    """:func:`overlaps` for a span of epoch seconds."""
    return overlaps(key, from_epoch(span[0]), from_epoch(span[1]))


def by_month(table: pa.Table, kind: Kind) -> list[tuple[str, pa.Table]]:
    """``table``'s rows grouped by the partition they belong in, as ``(key, rows)``."""
    if len(table) == 0:
        return []
    dates = table[time_column(kind)]
    codes = pc.fill_null(pc.add(pc.multiply(pc.year(dates), 100), pc.month(dates)), -1).to_numpy(
        zero_copy_only=False
    )
    groups = []
    for code in np.unique(codes):
        key = UNDATED if code < 0 else f"{code // 100:04d}-{code % 100:02d}"
        groups.append((key, table.take(pa.array(np.flatnonzero(codes == code)))))
    return groups


def window_filter(
    kind: Kind, since: datetime | None, until: datetime | None
) -> pc.Expression | None:
    """The rows of ``kind`` dated in ``[since, until)``, as a filter; ``None`` without one."""
    column = pc.field(time_column(kind))
    terms = []
    if since is not None:
        terms.append(column >= scalar(since))
    if until is not None:
        terms.append(column < scalar(until))
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else terms[0] & terms[1]


class Gone(Exception):
    """A partition file the manifest names is not there (yet another commit, or damage)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class Unreadable(Exception):
    """A partition file the manifest names is there but cannot be used."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name} {problem}")
        self.name = name
        self.problem = problem


def read_partition(
    folder: StorePath, partition: Partition, kind: Kind, columns: list[str] | None = None
) -> pa.Table:
    """A partition's file in the current on-disk schema (only ``columns``, when given).

    Raises:
        Gone: the file is not there.
        Unreadable: it cannot be read, or holds another number of rows than the manifest says.
    """
    name = partition.file
    try:
        source, filesystem = parquet_source(folder / name)
        table = conform(
            pq.read_table(source, columns=columns, filesystem=filesystem), kind, columns
        )
    except FileNotFoundError:
        raise Gone(name) from None
    except (OSError, pa.ArrowException) as error:
        raise Unreadable(name, f"cannot be read ({error})") from None
    if len(table) != partition.rows:
        raise Unreadable(name, f"holds {len(table):,} messages, not {partition.rows:,}")
    return table


def write_partition(
    folder: StorePath, kind: Kind, key: str, table: pa.Table, generation: int, *, account: str
) -> Partition:
    """Write ``table`` as the partition of the month ``key`` of ``account`` (its folder name,
    see :mod:`.layout`) in a new file named after ``generation``, durably; no manifest names it
    yet.

    Raises:
        StoreError: ``key`` cannot name a partition file.
    """
    name = partition_file(kind, account, key, generation)
    if is_remote(folder):  # two writers of one generation must not share a name there
        name = name.removesuffix(".parquet") + f"-{unique_suffix()}.parquet"
    if not MONTH_FOLDER.fullmatch(f"month={key}"):
        # What the manifest loader would refuse, and the clean-up would never delete.
        raise StoreError(
            f"the store in {folder} was left unchanged: {kind} messages of the month "
            f"{key!r} cannot be named as a partition"
        )
    target = folder / name
    table = compact(table)
    if isinstance(target, Path):
        make_private_folders(folder, target.parent)
        atomic_write(target, lambda temporary: pq.write_table(table, temporary, compression="zstd"))
    else:  # an object appears whole when its upload completes, or not at all
        target.parent.mkdir(parents=True, exist_ok=True)  # file:// needs the folders
        with target.open("wb") as stream:
            pq.write_table(table, stream, compression="zstd")
    pending = 0
    if kind == "sent":
        statuses = table["status"].cast(pa.string())
        pending = int(pc.sum(pc.cast(pc.is_in(statuses, PENDING), pa.int64())).as_py() or 0)
    return Partition(name, len(table), pending)


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


def find_damage(folder: StorePath, manifest: Manifest) -> list[Damage]:
    """What is wrong with the partition files ``manifest`` names, judged from their footers."""
    found = []
    for kind in KINDS:
        partitions = manifest.state(kind).partitions
        for key in newest_first(partitions):
            problem = partition_problem(folder, partitions[key], kind)
            if problem is not None:
                found.append(Damage(kind, key, partitions[key].file, problem))
    return found


def damaged_error(folder: StorePath, manifest: Manifest, name: str, problem: str) -> StoreError:
    """The error for a damaged partition file, with the advice that mends it: a sync drops
    what :func:`find_damage` finds and fetches it again; other damage needs a new store."""
    found = next((damage for damage in find_damage(folder, manifest) if damage.file == name), None)
    if found is not None:
        problem = found.problem
        advice = f"run 'smstools-tui sync' to fetch that month ({found.kind} {found.key}) again"
    else:
        advice = f"move {folder} away and run 'smstools-tui sync' to build the store again"
    return StoreError(f"the store in {folder} is damaged: {name} {problem}; {advice}")


def partition_problem(folder: StorePath, partition: Partition, kind: Kind) -> str | None:
    """What is wrong with a partition's file, judged from its footer alone, or ``None``."""
    try:
        source, filesystem = parquet_source(folder / partition.file)
        parquet = pq.ParquetFile(source, filesystem=filesystem)
    except FileNotFoundError:
        return "is missing"
    except (OSError, pa.ArrowException) as error:
        return f"cannot be read ({error})"
    with parquet:
        rows = parquet.metadata.num_rows
        if rows != partition.rows:
            return f"holds {rows:,} messages where the manifest counts {partition.rows:,}"
        present = parquet.schema_arrow
    for target in storage_schema(kind):
        index = present.get_field_index(target.name)
        if index >= 0 and not compatible(present.field(index).type, target.type):
            return (
                f"has a column {target.name!r} of type {present.field(index).type} "
                f"instead of {target.type}"
            )
    return None


def collect_garbage(folder: StorePath, manifest: Manifest) -> None:
    """Delete the files of ``manifest``'s account that it does not name: replaced generations,
    and what a killed commit left behind; then the month folders left empty. Only names a store
    writes, in that account's folders, are touched: other accounts sharing the root are not.

    On object storage, where no lock keeps other writers out, only files of generations up to
    ``manifest``'s are deleted: a writer still at work writes a later one (see :mod:`.remote`).
    """
    live = manifest.files()
    account = manifest.account_folder
    remote = is_remote(folder)
    for kind in KINDS:
        subfolder = account_folder(folder, kind, account)
        forget_listings(subfolder)
        try:
            months = list(subfolder.iterdir())
        except (FileNotFoundError, NotADirectoryError):
            continue
        for month in months:
            if not MONTH_FOLDER.fullmatch(month.name):
                continue
            try:
                entries = list(month.iterdir())
            except (FileNotFoundError, NotADirectoryError):
                continue
            for entry in entries:
                name = f"kind={kind}/account={account}/{month.name}/{entry.name}"
                match = GENERATION_FILE.fullmatch(entry.name)
                if remote and (match is None or int(match["generation"]) > manifest.generation):
                    continue
                if (match or TEMPORARY.fullmatch(entry.name)) and name not in live:
                    _unlink(entry)
            if not remote:
                _remove_if_empty(month)
    target = manifest_path(folder, account)
    if isinstance(target, Path):
        for entry in target.parent.glob(f".{target.name}.*.tmp"):
            _unlink(entry)


def _remove_if_empty(folder: Path) -> None:
    # Not empty (the current generation), or a reader holds it (Windows): kept.
    with contextlib.suppress(OSError):
        folder.rmdir()


def _unlink(path: StorePath) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as error:  # a reader holds it open (Windows): the next commit retries
        log.debug("could not delete %s yet: %s", path, error)
