from __future__ import annotations

import warnings

import pandas as pd
import pytest

from smstools_tui.errors import DecodeError
from smstools_tui.frames import (
    ACCEPTED_DATES,
    RECEIVED_SCHEMA,
    SENT_SCHEMA,
    STATUS_DTYPE,
    STATUSES,
    UNKNOWN_STATUS,
    UnknownStatusWarning,
    coerce_frame,
    empty_frame,
    is_missing,
    received_frame,
    row_values,
    sent_frame,
)

DOCUMENTED_ITEM = {
    "id": 389395385,
    "to": "393480000000",
    "text": "Test Sms",
    "from": "mrossi",
    "status": "DELIVERED",
    "insertDate": "2014-01-13T15:01:35+0100",
    "sentDate": "2014-01-13T15:01:37+0100",
    "deliveryDate": "2014-01-13T15:01:40+0100",
    "transactionId": "72810108d4114097b9edb42b255b273c",
    "price": 0.0945,
}


def kinds(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(dtype) for name, dtype in frame.dtypes.items()}


def test_sent_columns_and_dtypes_in_order() -> None:
    frame = sent_frame([DOCUMENTED_ITEM])
    assert list(frame.columns) == SENT_SCHEMA.frame_names == [
        "id", "to", "from", "text", "status", "insertDate", "sentDate", "deliveryDate",
        "transactionId", "price", "statusDetail", "type", "encoding", "segments",
    ]  # fmt: skip
    assert kinds(frame) == {
        "id": "Int64",
        "to": "category",
        "from": "category",
        "text": "category",
        "status": "category",
        "insertDate": "datetime64[us, UTC]",
        "sentDate": "datetime64[us, UTC]",
        "deliveryDate": "datetime64[us, UTC]",
        "transactionId": "category",
        "price": "float64",
        "statusDetail": "category",
        "type": "category",
        "encoding": "category",
        "segments": "Int16",
    }
    assert list(frame["status"].cat.categories) == [*STATUSES, "UNKNOWN"]
    assert list(frame["encoding"].cat.categories) == ["GSM-7", "UCS-2"]
    assert (frame.loc[0, "encoding"], frame.loc[0, "segments"]) == ("GSM-7", 1)
    for name in ("to", "from", "text", "transactionId", "statusDetail", "type"):
        assert frame[name].cat.categories.dtype == "str"


def test_documented_item_values() -> None:
    row = sent_frame([DOCUMENTED_ITEM]).iloc[0]
    assert row["id"] == 389395385
    assert row["to"] == "393480000000"
    assert row["status"] == "DELIVERED"
    assert row["insertDate"] == pd.Timestamp("2014-01-13T14:01:35Z")
    assert row["deliveryDate"] == pd.Timestamp("2014-01-13T14:01:40Z")
    assert row["price"] == 0.0945
    assert pd.isna(row["statusDetail"]) and pd.isna(row["type"])


def test_mixed_offsets_are_the_right_instants() -> None:
    frame = received_frame(
        [
            {"from": "+393450000000", "text": "a", "receiveDate": "2011-04-21T13:23:13+0200"},
            {"from": "+393480000000", "text": "b", "receiveDate": "2011-01-18T11:42:51+0100"},
        ]
    )
    assert frame["receiveDate"].tolist() == [
        pd.Timestamp("2011-04-21T11:23:13Z"),
        pd.Timestamp("2011-01-18T10:42:51Z"),
    ]


def test_dst_change_night_keeps_order() -> None:
    # 2026-10-25 in Rome: 02:30+0200 happens before 02:10+0100.
    frame = received_frame(
        [
            {"receiveDate": "2026-10-25T02:30:00+0200"},
            {"receiveDate": "2026-10-25T02:10:00+0100"},
        ]
    )
    first, second = frame["receiveDate"]
    assert first < second
    assert (second - first) == pd.Timedelta(minutes=40)


def test_json_and_xml_values_give_identical_frames() -> None:
    as_text = {key: str(value) for key, value in DOCUMENTED_ITEM.items()}
    pd.testing.assert_frame_equal(sent_frame([DOCUMENTED_ITEM]), sent_frame([as_text]))


def test_missing_and_empty_values_are_na() -> None:
    frame = sent_frame([{"id": 1, "text": ""}, {"id": "2", "price": None, "sentDate": ""}])
    assert frame["text"].isna().all()
    assert frame["price"].isna().all()
    assert frame["sentDate"].isna().all()
    assert frame["id"].tolist() == [1, 2]


@pytest.mark.parametrize("spelled", ["delivered", "Delivered", " DELIVERED ", "\tdelivered\n"])
def test_a_status_is_read_in_any_case_and_spacing(spelled: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a documented status in another case is no surprise
        frame = sent_frame([{"id": 1, "status": spelled}])
    assert frame.loc[0, "status"] == "DELIVERED"
    assert frame["status"].dtype == STATUS_DTYPE
    assert pd.isna(frame.loc[0, "statusDetail"])


def test_an_undocumented_status_is_unknown_and_its_text_is_kept() -> None:
    records = [
        {"id": 1, "status": "EXPIRED"},
        {"id": 2, "status": "sent"},
        {"id": 3, "status": " rejected ", "statusDetail": "BLOCKED_BY_OPERATOR"},
        {"id": 4, "status": "   "},
        {"id": 5},
    ]
    with pytest.warns(UnknownStatusWarning, match=r"2 message\(s\).*EXPIRED, rejected"):
        frame = sent_frame(records)
    assert frame["status"].astype(object).where(frame["status"].notna(), None).tolist() == [
        UNKNOWN_STATUS, "SENT", UNKNOWN_STATUS, None, None,
    ]  # fmt: skip
    assert frame.loc[0, "statusDetail"] == "EXPIRED"
    assert frame.loc[2, "statusDetail"] == "rejected: BLOCKED_BY_OPERATOR"
    assert frame["statusDetail"].iloc[[1, 3, 4]].isna().all()
    assert list(frame["status"].cat.categories)[-1] == UNKNOWN_STATUS


def test_coerce_frame_normalises_statuses_too() -> None:
    frame = pd.DataFrame({"id": [1, 2, 3], "status": ["pending", "NOSENT ", "LOST"]})
    with pytest.warns(UnknownStatusWarning, match="LOST"):
        typed = coerce_frame(frame, SENT_SCHEMA)
    assert typed["status"].astype(str).tolist() == ["PENDING", "NOSENT", UNKNOWN_STATUS]
    assert typed.loc[2, "statusDetail"] == "LOST"
    # A status column in another category order is put in the documented order.
    shuffled = typed["status"].cat.reorder_categories(list(reversed(STATUS_DTYPE.categories)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # UNKNOWN is no surprise the second time
        again = coerce_frame(typed.assign(status=shuffled), SENT_SCHEMA)
    assert list(again["status"].cat.categories) == list(STATUS_DTYPE.categories)
    assert again["status"].astype(str).tolist() == ["PENDING", "NOSENT", UNKNOWN_STATUS]
    assert again.loc[2, "statusDetail"] == "LOST"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "abc"}, "field 'id' has 'abc'"),
        ({"price": "cheap"}, "field 'price' has 'cheap'"),
        ({"insertDate": "yesterday"}, "field 'insertDate' has 'yesterday'"),
        ({"insertDate": "2014-01-13T15:01:35"}, "not a date"),
    ],
)
def test_bad_values_are_clear_errors(record: dict[str, str], message: str) -> None:
    with pytest.raises(DecodeError, match=message):
        sent_frame([record])


def test_other_iso_spellings_of_dates_are_read() -> None:
    frame = sent_frame(
        [{"insertDate": "2014-01-13T15:01:35+01:00"}, {"insertDate": "2014-01-13T14:01:35Z"}]
    )
    assert frame["insertDate"].nunique() == 1


def test_empty_frames_have_the_schema() -> None:
    for schema in (SENT_SCHEMA, RECEIVED_SCHEMA):
        empty = empty_frame(schema)
        assert empty.empty
        assert list(empty.columns) == schema.frame_names
    assert kinds(empty_frame(SENT_SCHEMA)) == kinds(sent_frame([DOCUMENTED_ITEM]))


def test_coerce_frame_restores_the_schema_after_concat() -> None:
    one = sent_frame([DOCUMENTED_ITEM])
    other = sent_frame([{**DOCUMENTED_ITEM, "id": 2, "text": "Other", "status": "PENDING"}])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        joined = pd.concat([one, other], ignore_index=True)
    restored = coerce_frame(joined, SENT_SCHEMA)
    assert kinds(restored) == kinds(one)
    assert restored["text"].tolist() == ["Test Sms", "Other"]
    assert restored["status"].tolist() == ["DELIVERED", "PENDING"]


def test_coerce_frame_fills_missing_columns_and_drops_extra_ones() -> None:
    frame = coerce_frame(pd.DataFrame({"text": ["hi"], "extra": [1]}), RECEIVED_SCHEMA)
    assert list(frame.columns) == RECEIVED_SCHEMA.names
    assert frame["from"].isna().all()
    sent = coerce_frame(pd.DataFrame({"id": [1]}), SENT_SCHEMA)  # no price: a float column
    assert kinds(sent) == kinds(sent_frame([DOCUMENTED_ITEM]))
    assert sent.drop(columns="id").isna().all().all()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("insertDate", "9999-12-31T23:59:59-0100"),  # year 10000 in UTC
        ("insertDate", "0001-01-01T00:00:00+0000"),
        ("sentDate", "1989-12-31T23:59:59+0000"),
        ("deliveryDate", "2100-01-01T00:00:00+0000"),
        ("deliveryDate", "2099-12-31T23:30:00-0100"),  # 2100 in UTC
    ],
)
@pytest.mark.parametrize("wire", ["json", "xml"])
def test_a_date_outside_the_accepted_range_is_a_clear_error(
    field: str, value: str, wire: str
) -> None:
    good = {"id": 1, "insertDate": "2026-11-02T10:00:00+0100"}
    bad = {"id": 2, field: value}
    records = [good, bad]
    if wire == "xml":
        records = [{key: str(item) for key, item in record.items()} for record in records]
    with pytest.raises(DecodeError) as raised:
        sent_frame(records)
    message = str(raised.value)
    assert f"field {field!r} has {value!r}" in message
    assert "1990-01-01 to 2099-12-31" in message and "\n" not in message


def test_a_received_date_outside_the_range_is_refused_too() -> None:
    with pytest.raises(DecodeError, match="field 'receiveDate' has '2200-01-01T00:00:00Z'"):
        received_frame([{"from": "+39348", "receiveDate": "2200-01-01T00:00:00Z"}])


def test_the_accepted_range_is_inclusive_of_its_first_and_last_second() -> None:
    first, end = ACCEPTED_DATES
    frame = received_frame(
        [
            {"receiveDate": "1990-01-01T00:00:00+0000"},
            {"receiveDate": "2099-12-31T23:59:59+0000"},
            {"receiveDate": "1990-01-01T01:00:00+0100"},
        ]
    )
    assert frame["receiveDate"].min() == pd.Timestamp(first)
    assert frame["receiveDate"].max() == pd.Timestamp(end) - pd.Timedelta(seconds=1)


def test_a_row_becomes_plain_python_values_with_none_for_every_kind_of_missing() -> None:
    """Each dtype of the schemas has its own missing value (NaN, NaT, pd.NA, a missing
    category): all are None; present values are Python's own, never numpy scalars."""
    sent = sent_frame([{"id": 1, "status": "DELIVERED", "price": 0.05}])
    values = row_values(sent.iloc[0])
    assert list(values) == SENT_SCHEMA.frame_names
    assert values["id"] == 1 and type(values["id"]) is int
    assert values["price"] == 0.05 and type(values["price"]) is float
    assert values["status"] == "DELIVERED"
    assert all(values[name] is None for name in ("to", "insertDate", "deliveryDate", "text"))
    received = received_frame([{"from": "+393480000000", "receiveDate": None}])
    assert row_values(received.iloc[0])["receiveDate"] is None
    assert row_values(received.iloc[0])["text"] is None
    assert not is_missing(received["from"].iloc[0]) and is_missing(received["text"].iloc[0])
