"""Partitions by month: which ones a window touches, and reading and writing one file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from smstools_tui.errors import StoreError
from smstools_tui.frames import SENT_SCHEMA, coerce_frame
from smstools_tui.store.coverage import to_epoch
from smstools_tui.store.manifest import Partition
from smstools_tui.store.partitions import (
    UNDATED,
    Gone,
    Unreadable,
    by_month,
    month_span,
    newest_first,
    overlaps,
    read_partition,
    write_partition,
)
from smstools_tui.store.schema import to_table

NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_half_open_window_ending_at_a_month_start_leaves_that_month_out() -> None:
    assert overlaps("2026-11", NOVEMBER, DECEMBER)
    assert not overlaps("2026-12", NOVEMBER, DECEMBER)
    assert not overlaps("2026-10", NOVEMBER, DECEMBER)
    assert overlaps("2026-10", None, DECEMBER) and overlaps("2027-01", NOVEMBER, None)
    assert overlaps(UNDATED, None, None) and not overlaps(UNDATED, NOVEMBER, None)
    assert month_span("2026-12") == (to_epoch(DECEMBER), to_epoch(datetime(2027, 1, 1, tzinfo=UTC)))


def test_rows_go_to_their_month_and_undated_ones_to_their_own_partition() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "status": "SENT",
            "insertDate": ["2026-11-30T23:59:59Z", None, "2026-12-01T00:00:00Z"],
        }
    )
    groups = by_month(to_table(coerce_frame(frame, SENT_SCHEMA), "sent"), "sent")
    assert [(key, rows["id"].to_pylist()) for key, rows in groups] == [
        (UNDATED, [2]),
        ("2026-11", [1]),
        ("2026-12", [3]),
    ]
    partitions = {key: Partition(f"sent/{key}.g000001.parquet", 1) for key, _ in groups}
    assert newest_first(partitions) == ["2026-12", "2026-11", UNDATED]


def test_a_written_partition_reads_back_and_a_spoilt_one_says_how(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2], "status": ["SENT", "DELIVERED"], "insertDate": NOVEMBER})
    table = to_table(coerce_frame(frame, SENT_SCHEMA), "sent")
    partition = write_partition(tmp_path, "sent", "2026-11", table, 7, account="sha256-0f")
    assert partition == Partition(
        "kind=sent/account=sha256-0f/month=2026-11/g000007.parquet", rows=2, pending=1
    )
    assert read_partition(tmp_path, partition, "sent")["id"].to_pylist() == [1, 2]
    pq.write_table(pq.read_table(tmp_path / partition.file).slice(0, 1), tmp_path / partition.file)
    with pytest.raises(Unreadable, match="holds 1 messages, not 2"):
        read_partition(tmp_path, partition, "sent")
    (tmp_path / partition.file).unlink()
    with pytest.raises(Gone):
        read_partition(tmp_path, partition, "sent")
    with pytest.raises(StoreError, match="cannot be named as a partition"):
        write_partition(tmp_path, "sent", "10000-01", table, 8, account="sha256-0f")
