"""The table model: filters, search, sorts and formatting, on frames of the real schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from smstools_tui.analysis import status_counts
from smstools_tui.frames import SENT_SCHEMA, coerce_frame
from smstools_tui.tui.model import (
    ColumnSpec,
    FilterSpec,
    Query,
    SortOrder,
    TableModel,
)
from smstools_tui.tui.views import SENT_VIEW

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sent() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": [10, 11, 12, 13, 14],
            "to": ["393480000001", "393480000002", "41790000003", "393480000001", None],
            "from": ["MyShop", "MyShop OTP", "MyShop", "Zeta", "MyShop"],
            "text": ["Promo STOP", "Codice 1234", "Promo STOP", "Ciao", None],
            "status": ["DELIVERED", "PENDING", "NOTDELIVERED", "DELIVERED", None],
            "insertDate": [T0 + timedelta(minutes=m) for m in (3, 1, 4, 2, 0)],
            "deliveryDate": [T0 + timedelta(minutes=5), None, None, T0, None],
            "transactionId": ["black-friday", None, "black-friday", "saldi", None],
            "price": [0.0945, 0.0945, np.nan, 0.075, 0.0],
        }
    )
    return coerce_frame(frame, SENT_SCHEMA)


@pytest.fixture
def model(sent: pd.DataFrame) -> TableModel:
    return TableModel(
        sent,
        SENT_VIEW.columns,
        filters=SENT_VIEW.filters,
        search_columns=SENT_VIEW.search_columns,
        zone=UTC,
    )


def test_no_query_no_sort_is_the_frame_order(model: TableModel) -> None:
    assert model.rows(Query(), None).tolist() == [0, 1, 2, 3, 4]
    assert model.mask(Query(filters={"status": ""}, search="  ")) is None


def test_choice_filters_compare_categories(model: TableModel) -> None:
    assert model.rows(Query({"status": "DELIVERED"}), None).tolist() == [0, 3]
    assert model.rows(Query({"sender": "MyShop"}), None).tolist() == [0, 2, 4]
    assert model.rows(Query({"status": "SENT"}), None).tolist() == []
    assert model.rows(Query({"status": "DELIVERED", "sender": "Zeta"}), None).tolist() == [3]


def test_number_filter_takes_any_spelling(model: TableModel) -> None:
    for typed in ("+39 348 000 0001", "0039348 0000001", "393480000001", "348000000 1"):
        assert model.rows(Query({"number": typed}), None).tolist() == [0, 3], typed


def test_campaign_and_search_are_case_insensitive_substrings(model: TableModel) -> None:
    assert model.rows(Query({"campaign": "FRIDAY"}), None).tolist() == [0, 2]
    assert model.rows(Query(search="stop"), None).tolist() == [0, 2]
    assert model.rows(Query(search="zeta"), None).tolist() == [3]  # the sender column
    assert model.rows(Query(search="[bold]"), None).tolist() == []  # literal, not a regex


def test_sorts_put_missing_last_in_both_directions(model: TableModel) -> None:
    by_price = SortOrder("price")
    assert model.rows(Query(), by_price).tolist() == [4, 3, 0, 1, 2]
    assert model.rows(Query(), by_price.flipped()).tolist() == [0, 1, 3, 4, 2]
    assert model.rows(Query(), SortOrder("deliveryDate")).tolist() == [3, 0, 1, 2, 4]
    # ties keep the frame's order, ascending and descending
    assert model.rows(Query(), SortOrder("to")).tolist() == [0, 3, 1, 2, 4]
    assert model.rows(Query(), SortOrder("to", descending=True)).tolist() == [2, 1, 0, 3, 4]


def test_status_sorts_in_lifecycle_order_and_text_alphabetically(model: TableModel) -> None:
    assert model.rows(Query(), SortOrder("status")).tolist() == [1, 0, 3, 2, 4]
    assert model.rows(Query(), SortOrder("text")).tolist() == [3, 1, 0, 2, 4]


def test_filter_and_sort_combine(model: TableModel) -> None:
    rows = model.rows(Query({"sender": "MyShop"}), SortOrder("insertDate", descending=True))
    assert rows.tolist() == [2, 0, 4]


def test_cells_are_formatted_for_people(model: TableModel) -> None:
    cells = [cell.plain if cell is not None else None for cell in model.display_row(0)]
    by_label = dict(zip(model.labels, cells, strict=True))
    assert by_label["inserted"] == "2026-11-01 12:03:00"
    assert by_label["price"] == "0.0945"
    assert by_label["id"] == "10"
    assert by_label["sent"] is None  # missing, drawn empty
    assert model.display_row(4)[model.labels.index("status")] is None


def test_timestamps_follow_the_zone(sent: pd.DataFrame) -> None:
    rome = timezone(timedelta(hours=1))
    model = TableModel(sent, [ColumnSpec("insertDate")], zone=rome)
    assert model.display_row(0)[0].plain == "2026-11-01 13:03:00"  # type: ignore[union-attr]


def test_widths_are_capped_by_the_spec(model: TableModel) -> None:
    widths = dict(zip(model.labels, model.widths(), strict=True))
    assert widths["inserted"] == len("2026-11-01 12:03:00")
    assert widths["text"] <= 48


def test_take_returns_real_rows_in_screen_order(model: TableModel, sent: pd.DataFrame) -> None:
    rows = model.rows(Query({"status": "DELIVERED"}), SortOrder("insertDate"))
    taken = model.take(rows)
    assert taken["id"].tolist() == [13, 10]
    assert taken.dtypes.equals(sent.dtypes)


def test_report_frames_of_any_dtype(sent: pd.DataFrame) -> None:
    report = status_counts(sent)  # PENDING SENT NOSENT DELIVERED NOTDELIVERED (none)
    report["latency"] = pd.to_timedelta([5, 90, 4000, 100_000, 1, 2], unit="s")
    report["flag"] = [True, False, True, False, True, False]
    model = TableModel(report, highlight="flag")
    assert model.rows(Query(), SortOrder("messages", descending=True)).tolist()[0] == 3
    cells = model.display_row(0)
    assert [cell.plain for cell in cells if cell is not None][-2:] == ["5 s", "✓"]
    assert [model.highlighted(row) for row in range(len(report))] == report["flag"].tolist()
    assert model.rows(Query(search="deliv"), None).tolist() == [3, 4]


def test_float_seconds_are_durations_and_money_has_its_digits() -> None:
    # The reports give latencies as float seconds; they must not be read as nanoseconds.
    frame = pd.DataFrame(
        {"median_delivery_seconds": [6.0, np.nan, 245.0], "spend": [1234.5, 0.1, 2.0]}
    )
    model = TableModel(
        frame,
        [
            ColumnSpec("median_delivery_seconds", kind="duration"),
            ColumnSpec("spend", kind="money", digits=2),
        ],
    )
    assert [model.columns[0].plain(row) for row in range(3)] == ["6 s", "", "4 min 5 s"]
    assert model.columns[1].plain(0) == "1,234.50"
    order = model.rows(Query(), SortOrder("median_delivery_seconds", descending=True))
    assert order.tolist() == [2, 0, 1]  # missing last
    assert frame["spend"].iloc[0] == 1234.5  # display only: the value stays exact


def test_filter_specs_on_missing_columns_are_ignored(sent: pd.DataFrame) -> None:
    model = TableModel(sent, filters=[FilterSpec("x", "x", "nowhere")])
    assert model.filters == []
    assert model.rows(Query({"x": "1"}), None).tolist() == [0, 1, 2, 3, 4]
