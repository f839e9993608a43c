"""The table model: filters, search, sorts and formatting, on frames of the real schema."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Select

from smstools_tui.analysis import status_counts
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.frames import SENT_SCHEMA, STATUS_DTYPE, coerce_frame
from smstools_tui.sandbox import SandboxAccount
from smstools_tui.tui.model import (
    ColumnSpec,
    FilterSpec,
    SortOrder,
    TableFilter,
    TableModel,
    _Column,
    _reverse_runs,
    _stable_argsort_ranks,
)
from smstools_tui.tui.views import SENT_VIEW
from smstools_tui.tui.widgets.frame_view import FrameView

from .conftest import SIZE, dashboard, settle

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
    assert model.rows(TableFilter(), None).tolist() == [0, 1, 2, 3, 4]
    assert model.mask(TableFilter(filters={"status": ""}, search="  ")) is None


def test_choice_filters_compare_categories(model: TableModel) -> None:
    assert model.rows(TableFilter({"status": "DELIVERED"}), None).tolist() == [0, 3]
    assert model.rows(TableFilter({"sender": "MyShop"}), None).tolist() == [0, 2, 4]
    assert model.rows(TableFilter({"status": "SENT"}), None).tolist() == []
    assert model.rows(TableFilter({"status": "DELIVERED", "sender": "Zeta"}), None).tolist() == [3]


def test_number_filter_takes_any_spelling(model: TableModel) -> None:
    for typed in ("+39 348 000 0001", "0039348 0000001", "393480000001", "348000000 1"):
        assert model.rows(TableFilter({"number": typed}), None).tolist() == [0, 3], typed


def test_campaign_and_search_are_case_insensitive_substrings(model: TableModel) -> None:
    assert model.rows(TableFilter({"campaign": "FRIDAY"}), None).tolist() == [0, 2]
    assert model.rows(TableFilter(search="stop"), None).tolist() == [0, 2]
    assert model.rows(TableFilter(search="zeta"), None).tolist() == [3]  # the sender column
    assert model.rows(TableFilter(search="[bold]"), None).tolist() == []  # literal, not a regex
    for pattern in (".*", "(", "\\", "P.omo"):
        assert model.rows(TableFilter(search=pattern), None).tolist() == [], pattern
    assert model.rows(TableFilter(search="pROMO s"), None).tolist() == [0, 2]
    assert model.rows(TableFilter({"campaign": "saldi"}, search="stop"), None).tolist() == []


def test_sorts_put_missing_last_in_both_directions(model: TableModel) -> None:
    by_price = SortOrder("price")
    assert model.rows(TableFilter(), by_price).tolist() == [4, 3, 0, 1, 2]
    assert model.rows(TableFilter(), by_price.flipped()).tolist() == [0, 1, 3, 4, 2]
    assert model.rows(TableFilter(), SortOrder("deliveryDate")).tolist() == [3, 0, 1, 2, 4]
    # ties keep the frame's order, ascending and descending
    assert model.rows(TableFilter(), SortOrder("to")).tolist() == [0, 3, 1, 2, 4]
    assert model.rows(TableFilter(), SortOrder("to", descending=True)).tolist() == [2, 1, 0, 3, 4]


def test_status_sorts_in_lifecycle_order_and_text_alphabetically(model: TableModel) -> None:
    assert model.rows(TableFilter(), SortOrder("status")).tolist() == [1, 0, 3, 2, 4]
    assert model.rows(TableFilter(), SortOrder("text")).tolist() == [3, 1, 0, 2, 4]


def test_filter_and_sort_combine(model: TableModel) -> None:
    rows = model.rows(TableFilter({"sender": "MyShop"}), SortOrder("insertDate", descending=True))
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
    rows = model.rows(TableFilter({"status": "DELIVERED"}), SortOrder("insertDate"))
    taken = model.take(rows)
    assert taken["id"].tolist() == [13, 10]
    assert taken.dtypes.equals(sent.dtypes)


def test_report_frames_of_any_dtype(sent: pd.DataFrame) -> None:
    report = status_counts(sent)  # PENDING SENT NOSENT DELIVERED NOTDELIVERED (none)
    report["latency"] = pd.to_timedelta([5, 90, 4000, 100_000, 1, 2], unit="s")
    report["flag"] = [True, False, True, False, True, False]
    model = TableModel(report, highlight="flag")
    assert model.rows(TableFilter(), SortOrder("messages", descending=True)).tolist()[0] == 3
    cells = model.display_row(0)
    assert [cell.plain for cell in cells if cell is not None][-2:] == ["5 s", "✓"]
    assert [model.highlighted(row) for row in range(len(report))] == report["flag"].tolist()
    assert model.rows(TableFilter(search="deliv"), None).tolist() == [3, 4]


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
    order = model.rows(TableFilter(), SortOrder("median_delivery_seconds", descending=True))
    assert order.tolist() == [2, 0, 1]  # missing last
    assert frame["spend"].iloc[0] == 1234.5  # display only: the value stays exact


def test_filter_specs_on_missing_columns_are_ignored(sent: pd.DataFrame) -> None:
    model = TableModel(sent, filters=[FilterSpec("x", "x", "nowhere")])
    assert model.filters == []
    assert model.rows(TableFilter({"x": "1"}), None).tolist() == [0, 1, 2, 3, 4]


# -- sorting at scale: prepared keys, radix sorts, derived descending orders ------------------


def reference_rows(frame: pd.DataFrame, column: str, descending: bool) -> list[int]:
    """What a sort must give, by pandas: stable (ties in the frame's order in both directions),
    missing last; statuses in their lifecycle order, other text by its characters."""
    series = frame[column]
    if isinstance(series.dtype, pd.CategoricalDtype) and series.dtype != STATUS_DTYPE:
        series = series.astype("string")
    ordered = series.sort_values(ascending=not descending, kind="stable", na_position="last")
    return ordered.index.tolist()


@pytest.fixture
def messages(account: SandboxAccount) -> pd.DataFrame:
    """A real sent frame: campaigns share texts and seconds (ties), many fields are missing."""
    return account.sent_frame()


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_every_column_sorts_as_pandas_does(messages: pd.DataFrame, descending: bool) -> None:
    model = TableModel(messages, SENT_VIEW.columns, zone=UTC)
    assert messages["deliveryDate"].isna().any() and messages["transactionId"].isna().any()
    for spec in SENT_VIEW.columns:
        expected = reference_rows(messages, spec.name, descending)
        got = model.rows(TableFilter(), SortOrder(spec.name, descending)).tolist()
        assert got == expected, spec.name


def test_prepared_sorts_equal_the_ones_computed_when_asked(messages: pd.DataFrame) -> None:
    sorts = [SortOrder(spec.name, flag) for spec in SENT_VIEW.columns for flag in (False, True)]
    query = TableFilter({"status": "DELIVERED"}, search="myshop")
    asked = TableModel(messages, SENT_VIEW.columns, filters=SENT_VIEW.filters, zone=UTC)
    on_demand = [asked.rows(query, sort).tolist() for sort in sorts]
    prepared = TableModel(messages, SENT_VIEW.columns, filters=SENT_VIEW.filters, zone=UTC)
    assert not prepared.prepared
    assert prepared.prepare() and prepared.prepared
    assert [prepared.rows(query, sort).tolist() for sort in sorts] == on_demand
    prepared.forget_descending()
    assert [prepared.rows(query, sort).tolist() for sort in sorts] == on_demand


def test_arrow_string_columns_sort_and_search_with_missing_values() -> None:
    frame = pd.DataFrame(
        {"text": pd.array(["b", None, "Stop", "a", "b", "STOP now", None], dtype="string")}
    )
    model = TableModel(frame)
    assert model.columns[0].kind == "text"
    assert model.rows(TableFilter(), SortOrder("text")).tolist() == [5, 2, 3, 0, 4, 1, 6]
    assert model.rows(TableFilter(), SortOrder("text", descending=True)).tolist() == [
        0,
        4,
        3,
        2,
        5,
        1,
        6,
    ]
    assert model.rows(TableFilter(search="stop"), None).tolist() == [2, 5]


def test_values_of_no_one_type_sort_by_their_text() -> None:
    frame = pd.DataFrame({"mixed": pd.Series([3, "b", None, 1.5, "b"], dtype=object)})
    model = TableModel(frame)
    assert model.rows(TableFilter(), SortOrder("mixed")).tolist() == [3, 0, 1, 4, 2]
    assert model.rows(TableFilter(), SortOrder("mixed", descending=True)).tolist() == [
        1,
        4,
        0,
        3,
        2,
    ]
    assert model.rows(TableFilter(search="b"), None).tolist() == [1, 4]


@settings(max_examples=60, deadline=None)
@given(
    distinct=st.sampled_from([1, 2, 7, 300, 70_000, 5_000_000]),
    size=st.integers(0, 400),
    seed=st.integers(0, 2**32 - 1),
)
def test_radix_sort_of_ranks_is_numpys_stable_sort(distinct: int, size: int, seed: int) -> None:
    keys = np.random.default_rng(seed).integers(0, distinct, size=size)
    ordered = _stable_argsort_ranks(keys, distinct)
    assert ordered.tolist() == np.argsort(keys, kind="stable").tolist()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=60))
def test_reversed_runs_are_a_stable_descending_sort(values: list[int]) -> None:
    keys = np.array(values, dtype=np.int64)
    ascending = np.argsort(keys, kind="stable").astype(np.int32)
    changes = np.flatnonzero(np.diff(keys[ascending]) != 0) + 1
    expected = pd.Series(keys).sort_values(ascending=False, kind="stable").index.tolist()
    assert _reverse_runs(ascending, changes).tolist() == expected


def test_row_positions_take_four_bytes(messages: pd.DataFrame) -> None:
    model = TableModel(messages, SENT_VIEW.columns, filters=SENT_VIEW.filters)
    for sort in (None, SortOrder("text"), SortOrder("price", descending=True)):
        assert model.rows(TableFilter({"status": "DELIVERED"}), sort).dtype == np.int32


# -- a sort asked for while the keys are being prepared ----------------------------------------


class Gate:
    """Holds the computation of one column's order until released; counts the computations."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, model: TableModel, name: str) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.calls = 0
        self.fail_first = False
        column = model.column(name)
        compute = column.ascending

        def gated() -> tuple[np.ndarray, int]:
            self.calls += 1
            if self.calls == 1:
                self.entered.set()
                assert self.release.wait(10), "the test never released the gate"
                if self.fail_first:
                    raise MemoryError("no room for the sort key")
            return compute()

        monkeypatch.setattr(column, "ascending", gated)


def test_a_sort_asked_while_its_key_is_computed_waits_for_it(
    messages: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = reference_rows(messages, "text", descending=True)
    model = TableModel(messages, SENT_VIEW.columns, zone=UTC)
    gate = Gate(monkeypatch, model, "text")
    with ThreadPoolExecutor(2) as pool:
        preparing = pool.submit(model.prepare)
        assert gate.entered.wait(10)
        asked = pool.submit(model.rows, TableFilter(), SortOrder("text", descending=True))
        assert not asked.done()  # waiting for the preparation, not computing its own
        gate.release.set()
        assert asked.result(10).tolist() == expected
        assert preparing.result(10) is True
    assert gate.calls == 1  # computed once, by the preparation


def test_a_sort_whose_preparation_failed_computes_its_own_key(
    messages: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = TableModel(messages, SENT_VIEW.columns, zone=UTC)
    gate = Gate(monkeypatch, model, "to")
    gate.fail_first = True
    with ThreadPoolExecutor(2) as pool:
        preparing = pool.submit(model.prepare)
        assert gate.entered.wait(10)
        asked = pool.submit(model.rows, TableFilter(), SortOrder("to"))
        gate.release.set()
        with pytest.raises(MemoryError):
            preparing.result(10)
        assert asked.result(10).tolist() == reference_rows(messages, "to", descending=False)
    assert gate.calls == 2


def test_a_closed_model_prepares_nothing_more_but_still_sorts(messages: pd.DataFrame) -> None:
    model = TableModel(messages, SENT_VIEW.columns, zone=UTC)
    model.close()
    assert model.prepare() is False and not model.prepared
    assert model.nbytes() < messages.memory_usage(deep=True).sum() / 4
    assert model.rows(TableFilter(), SortOrder("price")).tolist() == reference_rows(
        messages, "price", descending=False
    )


def test_the_model_reads_the_frames_own_buffers(messages: pd.DataFrame) -> None:
    """The first screen and the filters copy no column of the frame: codes, timestamps and
    Arrow strings are views of the frame's memory, numbers are read one cell at a time."""
    model = TableModel(messages, SENT_VIEW.columns, filters=SENT_VIEW.filters, zone=UTC)
    model.widths()
    cells = [model.display_row(position) for position in range(40)]
    assert model.nbytes() == 0  # the first screen made nothing the size of a column
    model.rows(TableFilter({"number": "39"}, search="stop"), None)
    distinct_text = sum(
        pa.array(messages[name].cat.categories.array).nbytes for name in SENT_VIEW.search_columns
    )
    searched = model.nbytes()
    assert 0 < searched <= distinct_text  # the lowered distinct values, nothing per row
    assert cells[0][model.labels.index("id")].plain == str(messages["id"].iloc[0])  # type: ignore[union-attr]
    text = model.column("text")
    assert text.codes is not None and np.shares_memory(text.codes, messages["text"].array.codes)
    frame_strings = pa.array(messages["text"].cat.categories.array)
    assert text.strings().buffers()[2].address == frame_strings.buffers()[2].address
    stamps = model.column("insertDate").stamps
    assert stamps is not None and np.shares_memory(stamps, messages["insertDate"].array.asi8)
    model.rows(TableFilter(), SortOrder("insertDate", descending=True))
    assert model.nbytes() - searched == len(messages) * (4 + 4 + 1)  # two orders and a mask
    model.rows(TableFilter(), SortOrder("price"))
    prices, _ = model.column("price").numbers()
    assert np.shares_memory(prices, messages["price"].to_numpy())


# -- the dashboard prepares them off the event loop ---------------------------------------------


async def test_the_dashboard_prepares_sort_keys_in_a_worker_and_drops_stale_ones(
    demo: SmstoolsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FrameView, "PREPARE_IN_BACKGROUND", 300)
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.view("sent")
        first = view.model
        assert first is not None and len(first) >= 300 and first.prepared
        received = app.view("received").model
        assert received is not None and len(received) < 300
        assert not received.prepared  # small: sorted on demand, in milliseconds

        view.set_frame(first.frame.iloc[::-1].reset_index(drop=True))
        assert first._closed  # the replaced model stops preparing
        await settle(pilot)
        assert view.model is not first and view.model is not None and view.model.prepared
        view.set_sort(SortOrder("text", descending=True))
        await pilot.pause()
        assert view.rows.tolist() == reference_rows(view.model.frame, "text", descending=True)


async def test_a_sort_asked_before_its_key_is_ready_keeps_the_screen_live(
    demo: SmstoolsClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FrameView, "PREPARE_IN_BACKGROUND", 300)
    monkeypatch.setattr(TableModel, "prepare", lambda self, should_stop=None: False)
    release = threading.Event()
    ascending = _Column.ascending

    def slow_for_text(column: _Column) -> tuple[np.ndarray, int]:
        if column.spec.name == "text":
            assert release.wait(10), "the test never released the sort"
        return ascending(column)

    monkeypatch.setattr(_Column, "ascending", slow_for_text)
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        view = app.view("sent")
        assert view.model is not None and len(view.model) >= 300
        shown = view.rows.copy()
        view.table.focus()

        assert view.set_sort(SortOrder("text")) == 0.0
        await pilot.pause()
        assert view.sorting and "sorting by text ▲" in status_text(view)
        assert view.rows.tolist() == shown.tolist()  # the rows on screen stay until sorted
        await pilot.press("down")  # the screen answers meanwhile
        assert view.table.cursor_coordinate.row == 1

        release.set()
        await settle(pilot)
        assert view.rows.tolist() == reference_rows(view.model.frame, "text", descending=False)
        assert not view.sorting and "sorted by text ▲" in status_text(view)


def status_text(view: FrameView) -> str:
    return str(view.query_one(".status-line").render())


async def test_a_choice_filter_set_as_new_data_arrives_is_offered_and_applied(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.view("sent")
        assert view.frame is not None
        frame = view.frame
        view.set_frame(frame[frame["status"] == "DELIVERED"].reset_index(drop=True))
        await settle(pilot)  # the status filter offers DELIVERED alone
        view.set_frame(frame)  # its choices are counted after the next screen...
        view.set_filter(status="NOTDELIVERED")  # ...or now, when a filter needs them
        select = view.query_one("#filter-status", Select)
        assert select.value == "NOTDELIVERED"
        assert set(frame["status"].iloc[view.rows]) == {"NOTDELIVERED"}
        await settle(pilot)
        assert select.value == "NOTDELIVERED"
