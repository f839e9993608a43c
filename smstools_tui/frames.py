"""The typed frames every part of smstools_tui works on, and records → frame conversion.

``sent`` (``/sms/search``), in this column order:

==============  =====================================  ==========================================
column          dtype                                  notes
==============  =====================================  ==========================================
id              ``Int64``                              the gateway's message id
to              ``category`` of strings                recipient, international, no ``+``
from            ``category`` of strings                sender alias or number
text            ``category`` of strings                campaign texts repeat, so stored once
status          ``category`` over :data:`STATUS_DTYPE`  see *Statuses* below
insertDate      ``datetime64[us, UTC]``                accepted by the gateway
sentDate        ``datetime64[us, UTC]``                handed to the operator
deliveryDate    ``datetime64[us, UTC]``                delivered to the handset
transactionId   ``category`` of strings                the sender's id for one send call
price           ``float64``                            credit charged for this SMS
statusDetail    ``category`` of strings                why a message failed, when given
type            ``category`` of strings                ``SMS`` or ``PUSH``, when given
encoding        ``category``: ``GSM-7``, ``UCS-2``     derived from ``text``
segments        ``Int16``                              derived: the parts the gateway bills
==============  =====================================  ==========================================

``encoding`` and ``segments`` are not fields of the API: they are computed from ``text`` (see
:mod:`smstools_tui.segments`) once per distinct text, wherever a sent frame is made (from records,
from the store, by :func:`coerce_frame`), and never stored. ``price / segments`` is the price of
one part: the gateway bills per part.

``received`` (``/sms/received/search``): ``from`` and ``text`` (``string[pyarrow]``),
``receiveDate`` (``datetime64[us, UTC]``), ``simId`` (``category`` of strings).

Frames of a named account (``--account NAME``, ``--all-accounts``, a source given an
``account_name``) end with ``account`` (``category``): the account's name in the config file,
``default`` for the one unnamed account. Frames of several accounts are concatenated with
:func:`concat_accounts`, which keeps every categorical column a category.

Missing values are NA; an empty string is NA too, because XML cannot tell the two apart.

Statuses: a status is read whatever its case and surrounding whitespace (`` delivered`` is
``DELIVERED``). One outside the five documented ones is ``UNKNOWN``, the last category of
:data:`STATUS_DTYPE`, with a :class:`UnknownStatusWarning`; the text the API sent is kept in
``statusDetail`` (``EXPIRED``, or ``EXPIRED: <the detail>`` when the API gave a detail too). An
UNKNOWN message is neither final nor pending: the delivery rate leaves it out, like a pending one.

Dates: every date of a message must fall in :data:`ACCEPTED_DATES` (1990-01-01 to 2099-12-31,
UTC); one outside is a :class:`~smstools_tui.errors.DecodeError` naming the field, the value and
the range. The first SMS was sent in December 1992, so an earlier date is no message's; a later
one is no schedule anyone keeps. Both bounds keep every date inside the nanosecond range of
pandas (1677 to 2262), which charts and some arithmetic convert to, and inside the four-digit
years of the store's month partitions.
The ``category`` columns hold strings: ``frame["text"].str.contains(...)`` works as on strings.
They are categories because the values repeat (a campaign's text, a customer's number, a
sender, a campaign id): each distinct string is stored once, which keeps a sent frame under
100 bytes a message.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .dates import parse_api_datetime
from .errors import ConfigError, DecodeError
from .segments import ENCODING_DTYPE, SEGMENTS_DTYPE, text_encodings

__all__ = [
    "ACCEPTED_DATES",
    "ACCOUNT_COLUMN",
    "DEFAULT_ACCOUNT",
    "FINAL_STATUSES",
    "PENDING_STATUSES",
    "RECEIVED_SCHEMA",
    "SENT_SCHEMA",
    "STATUSES",
    "STATUS_DTYPE",
    "UNKNOWN_STATUS",
    "FrameSchema",
    "UnknownStatusWarning",
    "check_status",
    "coerce_frame",
    "concat_accounts",
    "empty_frame",
    "is_missing",
    "pandas_type",
    "received_frame",
    "row_values",
    "sent_frame",
    "with_account",
]

STATUSES: tuple[str, ...] = ("PENDING", "SENT", "NOSENT", "DELIVERED", "NOTDELIVERED")
"""The five documented statuses of a sent SMS, in the order a message moves through them: what a
search may ask for."""
FINAL_STATUSES: frozenset[str] = frozenset({"DELIVERED", "NOTDELIVERED", "NOSENT"})
PENDING_STATUSES: frozenset[str] = frozenset({"PENDING", "SENT"})
UNKNOWN_STATUS = "UNKNOWN"
"""The status column's value for a status the API does not document (neither final nor
pending); the text the API sent is kept in ``statusDetail``."""
STATUS_DTYPE = pd.CategoricalDtype([*STATUSES, UNKNOWN_STATUS])
"""The status column's dtype: the documented statuses in lifecycle order, then ``UNKNOWN``."""

ACCEPTED_DATES: tuple[datetime, datetime] = (
    datetime(1990, 1, 1, tzinfo=UTC),
    datetime(2100, 1, 1, tzinfo=UTC),
)
"""``[first, end)``: the dates a message may carry (see the module's docstring for why)."""

Kind = Literal["int", "float", "string", "category", "status", "timestamp"]

_TIMESTAMP_DTYPE = pd.DatetimeTZDtype(unit="us", tz="UTC")
_STRING_DTYPE = pd.StringDtype("pyarrow")
_API_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def check_status(status: str) -> str:
    """A status as the API spells it, from any case; an unknown one is a clear error.

    Example:
        >>> check_status("delivered")
        'DELIVERED'
    """
    upper = status.strip().upper()
    if upper not in STATUSES:
        raise ConfigError(f"unknown status {status!r}: use one of {', '.join(STATUSES)}")
    return upper


class UnknownStatusWarning(UserWarning):
    """A status outside the five documented ones was read; it is UNKNOWN in the frame, and the
    text the API sent is in ``statusDetail``."""


@dataclass(frozen=True)
class FrameSchema:
    """Column names and kinds of one frame, in order.

    Attributes:
        columns: the fields of the API (and of the store), in order.
        dates: ``[first, end)`` every timestamp column must fall in, or ``None`` for no bound.
        derived: the columns computed from the fields (after them in a frame), with their
            dtypes: the sent frame's ``encoding`` and ``segments``.
    """

    name: str
    columns: tuple[tuple[str, Kind], ...]
    dates: tuple[datetime, datetime] | None = None
    derived: tuple[tuple[str, Any], ...] = ()

    @property
    def names(self) -> list[str]:
        """The fields, as the API sends them and the store keeps them."""
        return [name for name, _ in self.columns]

    @property
    def frame_names(self) -> list[str]:
        """Every column of a frame of this schema: the fields, then the derived columns."""
        return [*self.names, *(name for name, _ in self.derived)]

    def dtypes(self) -> dict[str, Any]:
        """The dtype of every column of a frame, derived columns included."""
        return {
            **{name: _pandas_dtype(kind) for name, kind in self.columns},
            **dict(self.derived),
        }


SENT_SCHEMA = FrameSchema(
    "sent",
    (
        ("id", "int"),
        ("to", "category"),
        ("from", "category"),
        ("text", "category"),
        ("status", "status"),
        ("insertDate", "timestamp"),
        ("sentDate", "timestamp"),
        ("deliveryDate", "timestamp"),
        ("transactionId", "category"),
        ("price", "float"),
        ("statusDetail", "category"),
        ("type", "category"),
    ),
    dates=ACCEPTED_DATES,
    derived=(("encoding", ENCODING_DTYPE), ("segments", SEGMENTS_DTYPE)),
)

RECEIVED_SCHEMA = FrameSchema(
    "received",
    (
        ("from", "string"),
        ("text", "string"),
        ("receiveDate", "timestamp"),
        ("simId", "category"),
    ),
    dates=ACCEPTED_DATES,
)


def _pandas_dtype(kind: Kind) -> Any:
    return {
        "int": pd.Int64Dtype(),
        "float": "float64",
        "string": _STRING_DTYPE,
        "category": "category",
        "status": STATUS_DTYPE,
        "timestamp": _TIMESTAMP_DTYPE,
    }[kind]


def sent_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Turn decoded ``/sms/search`` items (JSON or XML values alike) into the typed sent frame.

    Example:
        >>> frame = sent_frame([{"id": "7", "to": "393480000000", "status": "DELIVERED",
        ...                      "insertDate": "2014-01-13T15:01:35+0100", "price": "0.0945"}])
        >>> frame.loc[0, "insertDate"].isoformat(), frame.loc[0, "price"], frame.loc[0, "text"]
        ('2014-01-13T14:01:35+00:00', np.float64(0.0945), nan)
    """
    return records_frame(records, SENT_SCHEMA)


def received_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Turn decoded ``/sms/received/search`` items into the typed received frame.

    Example:
        >>> frame = received_frame([{"from": "+393450000000", "text": "STOP",
        ...                          "receiveDate": "2011-04-21T13:23:13+0200"}])
        >>> str(frame.loc[0, "receiveDate"])
        '2011-04-21 11:23:13+00:00'
    """
    return records_frame(records, RECEIVED_SCHEMA)


def empty_frame(schema: FrameSchema) -> pd.DataFrame:
    """A frame with no rows and the schema's columns and dtypes."""
    return records_frame([], schema)


def records_frame(records: Iterable[Mapping[str, Any]], schema: FrameSchema) -> pd.DataFrame:
    """Records (dicts keyed by the API's field names) → a frame of ``schema``."""
    rows = records if isinstance(records, Sequence) else list(records)
    columns: dict[str, Any]
    try:
        # Fast path: JSON records whose values already have the wire types convert to Arrow
        # in one call, without a Python loop per column.
        struct = pa.array(rows, type=_wire_struct(schema))
        columns = {name: struct.field(name) for name in schema.names}
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        try:
            # XML records, all text: one call too, the numbers parsed from the text below.
            struct = pa.array(rows, type=_text_struct(schema))
            columns = {name: struct.field(name) for name in schema.names}
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            # Unexpected types: column by column, with precise errors.
            columns = {name: [row.get(name) for row in rows] for name in schema.names}
    arrays = {
        name: _arrow_column(columns[name], name, kind, schema.dates)
        for name, kind in schema.columns
    }
    table = pa.table(arrays)
    frame = table.to_pandas(types_mapper=pandas_type, split_blocks=True, self_destruct=True)
    unknown: pd.Series | None = None
    for name, kind in schema.columns:
        if kind == "status":
            frame[name], unknown = _status_column(frame[name])
        elif kind == "category":
            frame[name] = _category_column(frame[name])
    _keep_unknown_statuses(frame, unknown)
    return _with_derived(frame, schema)


def _with_derived(frame: pd.DataFrame, schema: FrameSchema) -> pd.DataFrame:
    """``frame`` with the schema's derived columns, computed from its fields."""
    if schema.derived:
        frame["encoding"], frame["segments"] = text_encodings(frame["text"])
    return frame


def coerce_frame(frame: pd.DataFrame, schema: FrameSchema) -> pd.DataFrame:
    """Re-apply ``schema`` to a frame that went through ``concat``, a file or user code.

    Columns come back in the schema's order with its dtypes; extra columns are dropped (but
    ``account``, kept last as a category) and missing ones are filled with NA. Derived columns
    are computed again from the fields.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    unknown: pd.Series | None = None
    for name, kind in schema.columns:
        dtype = _pandas_dtype(kind)
        if name not in frame:
            # None, not pd.NA: NA cannot become a float64 NaN.
            out[name] = pd.Series(None, index=out.index, dtype=object).astype(dtype)
            continue
        column = frame[name].reset_index(drop=True)
        if kind == "status":
            column, unknown = _status_column(column)
        elif kind == "category":
            column = _category_column(column)
        elif kind == "timestamp":
            column = pd.to_datetime(column, utc=True).astype(dtype)
        else:
            column = column.astype(dtype)
        out[name] = column
    _keep_unknown_statuses(out, unknown)
    out = _with_derived(out, schema)
    if ACCOUNT_COLUMN in frame:
        out[ACCOUNT_COLUMN] = frame[ACCOUNT_COLUMN].reset_index(drop=True).astype("category")
    return out


ACCOUNT_COLUMN = "account"
"""The column naming the account a message belongs to (see :func:`with_account`)."""
DEFAULT_ACCOUNT = "default"
"""The ``account`` of the one unnamed account (the environment's, the keyring's or the config
file's top-level credentials)."""


def with_account(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` with the ``account`` column (``category``) set to ``name`` on every row, last.

    Example:
        >>> frame = with_account(pd.DataFrame({"id": [1, 2]}), "acme")
        >>> frame["account"].tolist(), str(frame["account"].dtype)
        (['acme', 'acme'], 'category')
    """
    out = frame.drop(columns=[ACCOUNT_COLUMN], errors="ignore")
    out[ACCOUNT_COLUMN] = pd.Categorical([name] * len(out), categories=[name])
    return out


def concat_accounts(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames of several accounts (each with its ``account`` column) as one, every column of
    ``category`` dtype still one (over the union of the categories) and a fresh index.

    Example:
        >>> one = with_account(pd.DataFrame({"to": pd.Categorical(["39"])}), "a")
        >>> two = with_account(pd.DataFrame({"to": pd.Categorical(["41"])}), "b")
        >>> both = concat_accounts([one, two])
        >>> both["account"].tolist(), str(both["to"].dtype), str(both["account"].dtype)
        (['a', 'b'], 'category', 'category')
    """
    if not frames:
        raise ValueError("no frames to concatenate")
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    from pandas.api.types import union_categoricals

    columns = list(frames[0].columns)
    out: dict[str, Any] = {}
    for name in columns:
        parts = [frame[name] for frame in frames]
        if all(isinstance(part.dtype, pd.CategoricalDtype) for part in parts):
            ordered = parts[0].dtype.ordered
            same = all(part.dtype == parts[0].dtype for part in parts)
            if same:
                out[name] = pd.Series(pd.concat(parts, ignore_index=True), name=name)
            else:
                joined = union_categoricals(
                    [pd.Categorical(part) for part in parts], ignore_order=not ordered
                )
                out[name] = pd.Series(joined, name=name)
        else:
            out[name] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(out)


def is_missing(value: object) -> bool:
    """Whether ``value`` is a missing value, of any kind a frame holds (``None``, ``NaN``,
    ``NaT``, ``pd.NA``). Anything else, a list or an array included, is not missing.

    Example:
        >>> [is_missing(value) for value in (None, float("nan"), pd.NaT, pd.NA)]
        [True, True, True, True]
        >>> [is_missing(value) for value in (0, "", "NA", [None], {"a": None})]
        [False, False, False, False, False]
    """
    # Scalars only: given a container, pd.isna answers element by element.
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def row_values(row: pd.Series) -> dict[str, Any]:
    """A frame's row as a plain mapping: column names as text, missing values as ``None``,
    numpy scalars as the Python values they hold.

    Example:
        >>> frame = sent_frame([{"id": 7, "status": "SENT", "price": 0.05}])
        >>> values = row_values(frame.iloc[0])
        >>> values["id"], type(values["id"]).__name__, values["status"], values["to"]
        (7, 'int', 'SENT', None)
    """
    return {
        str(name): None
        if is_missing(value)
        else value.item()
        if isinstance(value, np.generic)
        else value
        for name, value in row.items()
    }


def pandas_type(arrow_type: pa.DataType) -> Any:
    """The pandas dtype a frame holds an Arrow column of ``arrow_type`` in, where it is not
    pyarrow's own choice (``None``): text as ``string[pyarrow]``, 64-bit integers as nullable
    ``Int64``. For ``Table.to_pandas(types_mapper=pandas_type)``.

    Example:
        >>> [str(pandas_type(arrow)) for arrow in (pa.string(), pa.int64(), pa.float64())]
        ['string', 'Int64', 'None']
    """
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return _STRING_DTYPE
    if pa.types.is_int64(arrow_type):
        return pd.Int64Dtype()
    return None


def _category_column(values: pd.Series) -> pd.Series:
    """A categorical whose categories are always ``str``, however the values arrived."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        if values.cat.categories.dtype == "str":
            return values
        categories = pd.Index(values.cat.categories.astype("str"), dtype="str")
        return pd.Series(
            pd.Categorical.from_codes(values.cat.codes, categories=categories), index=values.index
        )
    return values.astype("str").astype("category")


def _status_column(values: pd.Series) -> tuple[pd.Series, pd.Series | None]:
    """The status column, whatever the case and surrounding whitespace of its values, and the
    text of the undocumented ones (``None`` when there is none)."""
    if values.dtype == STATUS_DTYPE and values.cat.categories.equals(STATUS_DTYPE.categories):
        return values, None
    categorical = (
        values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    )
    # Work on the distinct values only: a million rows carry a handful of spellings.
    spelled = pd.Series(categorical.cat.categories.astype("str"), dtype="str")
    normal = spelled.str.strip().str.upper()
    # UNKNOWN itself is known: a frame that went through here once may come through again.
    known = normal.isin(STATUS_DTYPE.categories).to_numpy()
    blank = (normal == "").to_numpy()
    target = np.where(known, normal.to_numpy(dtype=object), UNKNOWN_STATUS)
    position = {name: index for index, name in enumerate(STATUS_DTYPE.categories)}
    remap = np.array([position[name] for name in target] + [-1], dtype=np.int64)
    remap[np.flatnonzero(blank)] = -1
    codes = categorical.cat.codes.to_numpy(dtype=np.int64)
    column = pd.Series(
        pd.Categorical.from_codes(remap[codes], dtype=STATUS_DTYPE), index=values.index
    )
    undocumented = ~known & ~blank
    if not undocumented.any():
        return column, None
    rows = np.isin(codes, np.flatnonzero(undocumented))
    text = pd.Series(pd.NA, index=values.index, dtype="str")
    text[rows] = spelled.str.strip().to_numpy()[codes[rows]]
    examples = sorted(set(text[rows]))[:3]
    warnings.warn(
        f"{int(rows.sum())} message(s) have an undocumented status ({', '.join(examples)});"
        " they are UNKNOWN in the status column, with the status sent in statusDetail",
        UnknownStatusWarning,
        stacklevel=3,
    )
    return column, text


def _keep_unknown_statuses(frame: pd.DataFrame, text: pd.Series | None) -> None:
    """Keep the text of undocumented statuses in ``statusDetail``, ahead of any detail given."""
    if text is None or "statusDetail" not in frame:
        return
    rows = text.notna().to_numpy()
    detail = frame["statusDetail"].astype("str")
    given = detail.notna().to_numpy()
    merged = detail.copy()
    merged[rows & ~given] = text[rows & ~given]
    both = rows & given
    merged[both] = text[both] + ": " + detail[both]
    frame["statusDetail"] = _category_column(merged)


def _wire_struct(schema: FrameSchema) -> pa.StructType:
    """The Arrow type of a record as JSON carries it: numbers as numbers, the rest as text."""
    wire = {"int": pa.int64(), "float": pa.float64()}
    return pa.struct([(name, wire.get(kind, pa.string())) for name, kind in schema.columns])


def _text_struct(schema: FrameSchema) -> pa.StructType:
    """The Arrow type of a record whose every value is text, as XML carries it."""
    return pa.struct([(name, pa.string()) for name in schema.names])


def _arrow_column(
    values: list[Any] | pa.Array,
    name: str,
    kind: Kind,
    dates: tuple[datetime, datetime] | None = None,
) -> pa.Array:
    """One column in its Arrow type; timestamps outside ``dates`` are a :class:`DecodeError`."""
    if isinstance(values, pa.Array) and kind in ("int", "float") and values.type != pa.string():
        return values
    if kind == "int":
        return _typed(values, pa.int64(), name)
    if kind == "float":
        return _typed(values, pa.float64(), name)
    strings = _strings(values)
    if kind == "timestamp":
        stamps = _timestamps(strings, name)
        if dates is not None:
            _check_dates(stamps, strings, name, dates)
        return stamps
    if kind == "category":
        return strings.dictionary_encode()
    return strings


def _strings(values: list[Any] | pa.Array) -> pa.Array:
    try:
        array = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = pa.array([_as_text(value) for value in values], type=pa.string())
    # XML cannot tell an empty element from an absent one: both are NA, in JSON as in XML.
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def _typed(values: list[Any] | pa.Array, arrow_type: pa.DataType, name: str) -> pa.Array:
    if not isinstance(values, pa.Array):
        try:
            return pa.array(values, type=arrow_type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            pass
    strings = pc.utf8_trim_whitespace(_strings(values))
    try:
        return pc.cast(strings, arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        listed = values.to_pylist() if isinstance(values, pa.Array) else values
        bad = next(value for value in listed if not _castable(value, arrow_type))
        raise DecodeError(f"field {name!r} has {bad!r}, which is not a number") from None


def _castable(value: Any, arrow_type: pa.DataType) -> bool:
    if value is None or value == "":
        return True
    try:
        pc.cast(pa.array([str(value).strip()]), arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return False
    return True


def _timestamps(strings: pa.Array, name: str) -> pa.Array:
    target = pa.timestamp("us", tz="UTC")
    try:
        return pc.strptime(strings, format=_API_DATE_FORMAT, unit="us", error_is_null=False).cast(
            target
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    # Slow path, value by value: other ISO-8601 spellings, and a precise message for a bad value.
    parsed: list[datetime | None] = []
    for value in strings.to_pylist():
        if value is None:
            parsed.append(None)
            continue
        try:
            parsed.append(parse_api_datetime(value))
        except (ValueError, OverflowError):
            raise DecodeError(f"field {name!r} has {value!r}, which is not a date") from None
    return pa.array(parsed, type=target)


def _check_dates(
    stamps: pa.Array, strings: pa.Array, name: str, dates: tuple[datetime, datetime]
) -> None:
    first, end = (pa.scalar(moment, stamps.type) for moment in dates)
    outside = pc.or_(pc.less(stamps, first), pc.greater_equal(stamps, end))
    if not pc.any(outside).as_py():
        return
    value = strings[pc.index(outside, True).as_py()].as_py()
    last = dates[1] - timedelta(days=1)
    raise DecodeError(
        f"field {name!r} has {value!r}, outside the dates accepted "
        f"({dates[0]:%Y-%m-%d} to {last:%Y-%m-%d}, UTC)"
    )
