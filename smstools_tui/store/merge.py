"""How a commit combines what a partition holds with what a sync brought, table by table.

Sent messages carry an id: a stored copy is replaced by the incoming one (its status may have
changed), never doubled (:func:`merge_by_id`). Received messages carry none, so two identical
messages in one second are two messages and nothing can be matched: instead a sync answers for
whole spans of time, and the stored messages dated in those spans give way to the answer
(:func:`replace_spans`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .coverage import Span, from_epoch
from .schema import scalar

__all__ = ["merge_by_id", "replace_spans"]


def merge_by_id(old: pa.Table, new: pa.Table) -> tuple[pa.Table, int, int]:
    """``old`` with ``new`` merged in by id, the copy from ``new`` winning, newest first;
    returns the table, how many ids are new and how many stored messages changed status."""
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


def replace_spans(old: pa.Table, spans: list[Span], new: pa.Table | None) -> tuple[pa.Table, int]:
    """The received messages ``old`` holds outside ``spans``, plus ``new``, newest first;
    returns the table and how many of ``old`` were dropped."""
    removed = 0
    if spans:
        dates = old["receiveDate"]
        inside = (
            pc.or_(*[_in_span(dates, span) for span in spans])
            if len(spans) > 1
            else (_in_span(dates, spans[0]))
        )
        inside = pc.fill_null(inside, False)
        removed = int(pc.sum(pc.cast(inside, pa.int64())).as_py() or 0)
        old = old.filter(pc.invert(inside))
    combined = pa.concat_tables([old, new]) if new is not None else old
    # A stable sort keeps the API's order within a second: two identical messages in one
    # second stay two, in the order the search gave them.
    order = pc.sort_indices(combined, sort_keys=[("receiveDate", "descending")])
    return combined.take(order), removed


def _in_span(dates: pa.ChunkedArray, span: Span) -> pa.ChunkedArray:
    return pc.and_(
        pc.greater_equal(dates, scalar(from_epoch(span[0]))),
        pc.less(dates, scalar(from_epoch(span[1]))),
    )


def _ids(table: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The id column as exact int64 values, and where it is not missing."""
    column = table["id"]
    valid = pc.is_valid(column).to_numpy(zero_copy_only=False)
    return pc.fill_null(column, 0).to_numpy(zero_copy_only=False), valid


def _statuses(table: pa.Table) -> np.ndarray:
    statuses = pc.fill_null(table["status"].cast(pa.string()), "")
    return np.asarray(statuses.to_numpy(zero_copy_only=False), dtype=object)
