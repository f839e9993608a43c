"""What a commit writes: the partitions it changes, and the manifest that names them.

:func:`next_state` and :func:`without_damage` write new partition files (under the next
generation's names, so no file a reader may hold is touched) and return the manifest that
would make them the store. Nothing is committed until :class:`~.store.Store` writes that
manifest: it holds the locks, builds on the latest committed state and makes the switch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from .coverage import Span
from .manifest import KINDS, Kind, KindState, Manifest, Partition
from .merge import merge_by_id, replace_spans
from .partitions import (
    UNDATED,
    Damage,
    Gone,
    Unreadable,
    by_month,
    damaged_error,
    month_span,
    overlaps_span,
    read_partition,
    write_partition,
)
from .schema import storage_schema

__all__ = ["CommitStats", "next_state", "without_damage"]


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


def next_state(
    folder: Path,
    current: Manifest,
    *,
    incoming: dict[Kind, pa.Table],
    replacing: Sequence[Span],
    covered: dict[Kind, Sequence[Span]],
    account_details: dict[str, Any] | None,
    synced_at: datetime | None,
) -> tuple[Manifest, CommitStats]:
    """The state after merging ``incoming`` into ``current`` (see :meth:`.Store.commit` for
    what each argument means), with the partition files it names written; and what changed.

    Raises:
        StoreError: a partition the change must read is damaged, or cannot be written.
    """
    generation = current.generation + 1
    stats = CommitStats()
    state = current
    if "sent" in incoming:
        kind_state, stats.new["sent"], stats.updated = _merge_sent(
            folder, current, incoming["sent"], generation
        )
        state = state.with_state("sent", kind_state)
    spans = list(replacing)
    if spans or "received" in incoming:
        kind_state, stats.new["received"] = _replace_received(
            folder, current, incoming.get("received"), spans, generation
        )
        state = state.with_state("received", kind_state)
    for kind, kind_spans in covered.items():
        coverage = state.state(kind).coverage
        for start, end in kind_spans:
            coverage = coverage.add(start, end)
        state = state.with_state(kind, dataclasses.replace(state.state(kind), coverage=coverage))
    state = dataclasses.replace(
        state,
        generation=generation,
        written_at=datetime.now(UTC),
        account_details=account_details or current.account_details,
        synced_at=synced_at or current.synced_at,
    )
    stats.rows = {kind: state.state(kind).rows for kind in KINDS}
    return state, stats


def without_damage(current: Manifest, found: Sequence[Damage]) -> Manifest:
    """``current`` without the damaged partitions ``found``, and without their months in what
    each kind covers, so that the next sync fetches them again."""
    state = current
    for kind in KINDS:
        dropped = {damage.key for damage in found if damage.kind == kind}
        if not dropped:
            continue
        kind_state = state.state(kind)
        coverage = kind_state.coverage
        for key in sorted(dropped - {UNDATED}):
            coverage = coverage.remove(*month_span(key))
        partitions = {
            key: partition for key, partition in kind_state.partitions.items() if key not in dropped
        }
        state = state.with_state(
            kind, dataclasses.replace(kind_state, coverage=coverage, partitions=partitions)
        )
    return dataclasses.replace(
        state, generation=current.generation + 1, written_at=datetime.now(UTC)
    )


def _merge_sent(
    folder: Path, current: Manifest, incoming: pa.Table, generation: int
) -> tuple[KindState, int, int]:
    partitions = dict(current.sent.partitions)
    new = updated = 0
    for key, rows in by_month(incoming, "sent"):
        old = _partition_table(folder, current, partitions.get(key), "sent")
        merged, added, changed = merge_by_id(old, rows)
        new, updated = new + added, updated + changed
        partitions[key] = write_partition(
            folder, "sent", key, merged, generation, account=current.account_folder
        )
    return dataclasses.replace(current.sent, partitions=partitions), new, updated


def _replace_received(
    folder: Path,
    current: Manifest,
    incoming: pa.Table | None,
    spans: list[Span],
    generation: int,
) -> tuple[KindState, int]:
    if incoming is None:
        incoming = storage_schema("received").empty_table()
    groups = dict(by_month(incoming, "received"))
    state = current.received
    touched = {key for key in state.partitions for span in spans if overlaps_span(key, span)}
    partitions = dict(state.partitions)
    removed = 0
    for key in sorted(touched | set(groups)):
        old = _partition_table(folder, current, partitions.get(key), "received")
        combined, dropped = replace_spans(old, spans, groups.get(key))
        removed += dropped
        if len(combined) == 0:
            partitions.pop(key, None)
            continue
        partitions[key] = write_partition(
            folder, "received", key, combined, generation, account=current.account_folder
        )
    # A complete answer may hold fewer messages than the provisional ones it replaces: none new.
    return dataclasses.replace(state, partitions=partitions), max(len(incoming) - removed, 0)


def _partition_table(
    folder: Path, current: Manifest, partition: Partition | None, kind: Kind
) -> pa.Table:
    if partition is None:
        return storage_schema(kind).empty_table()
    try:
        return read_partition(folder, partition, kind)
    except Gone as gone:  # under the lock, so no other commit: it is damage
        raise damaged_error(folder, current, gone.name, "is missing") from None
    except Unreadable as bad:
        raise damaged_error(folder, current, bad.name, bad.problem) from None
