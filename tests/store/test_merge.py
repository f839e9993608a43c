"""The merge rules, table by table: sent messages by id, received messages by span."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from smstools_tui.frames import RECEIVED_SCHEMA, SENT_SCHEMA, coerce_frame
from smstools_tui.store.coverage import to_epoch
from smstools_tui.store.merge import merge_by_id, replace_spans
from smstools_tui.store.schema import to_frame, to_table


def sent(rows: list[tuple[int | None, str, str]]) -> pa.Table:
    frame = pd.DataFrame(rows, columns=["id", "status", "insertDate"])
    frame["id"] = frame["id"].astype("Int64")
    return to_table(coerce_frame(frame, SENT_SCHEMA), "sent")


def received(rows: list[tuple[str, str]]) -> pa.Table:
    frame = pd.DataFrame(rows, columns=["text", "receiveDate"])
    return to_table(coerce_frame(frame, RECEIVED_SCHEMA), "received")


def test_the_incoming_copy_of_an_id_wins_and_the_counts_say_what_changed() -> None:
    old = sent([(1, "SENT", "2026-11-01T10:00Z"), (2, "SENT", "2026-11-01T11:00Z")])
    new = sent(
        [
            (2, "DELIVERED", "2026-11-01T11:00Z"),  # a status that moved on
            (1, "SENT", "2026-11-01T10:00Z"),  # the same again
            (3, "PENDING", "2026-11-01T12:00Z"),  # new
            (None, "SENT", "2026-11-01T09:00Z"),  # no id: cannot be matched, so new
        ]
    )
    merged, added, changed = merge_by_id(old, new)
    frame = to_frame(merged, "sent")
    assert (added, changed) == (2, 1)
    assert frame["id"].tolist() == [3, 2, 1, pd.NA]  # newest first
    assert frame["status"].astype(str).tolist() == ["PENDING", "DELIVERED", "SENT", "SENT"]


def test_a_span_is_replaced_whole_and_twins_keep_the_order_the_search_gave() -> None:
    old = received(
        [
            ("after", "2026-11-02T00:00:00Z"),
            ("inside, replaced", "2026-11-01T12:00:00Z"),
            ("before", "2026-10-31T23:59:59Z"),
        ]
    )
    twins = received([("twin", "2026-11-01T13:00:00Z"), ("twin", "2026-11-01T13:00:00Z")])
    span = (
        to_epoch(pd.Timestamp("2026-11-01T00:00Z")),
        to_epoch(pd.Timestamp("2026-11-02T00:00Z")),
    )
    combined, dropped = replace_spans(old, [span], twins)
    assert dropped == 1
    assert to_frame(combined, "received")["text"].tolist() == ["after", "twin", "twin", "before"]
    unchanged, none_dropped = replace_spans(old, [], None)
    assert none_dropped == 0 and unchanged.equals(old)
