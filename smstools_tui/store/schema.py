"""The on-disk schema of a partition file, and the way between typed frames and its tables.

Every partition file of a kind has the same Arrow schema (:func:`storage_schema`), whatever the
messages in it, so files of any age concatenate; it carries the typed frame's pandas metadata,
so another tool reading a file with ``pd.read_parquet`` alone gets the frame's dtypes back.
Tables are compacted before they are written (:func:`compact`): one chunk per column, and
dictionaries holding only the values used, in order of first appearance.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import StoreError
from ..frames import FrameSchema, coerce_frame, empty_frame, pandas_type
from .manifest import SCHEMAS, Kind

__all__ = [
    "check_dates",
    "compact",
    "compatible",
    "conform",
    "scalar",
    "storage_schema",
    "to_frame",
    "to_table",
]

_ARROW_TYPES = {
    "int": pa.int64(),
    "float": pa.float64(),
    "string": pa.string(),
    "category": pa.dictionary(pa.int32(), pa.string()),
    "status": pa.dictionary(pa.int32(), pa.string()),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


@functools.cache
def storage_schema(kind: Kind) -> pa.Schema:
    """The Arrow schema of a partition file: fixed types, so files of any age concatenate, plus
    the pandas metadata of the typed frame, so ``pd.read_parquet`` alone restores categories,
    nullable integers and UTC timestamps."""
    schema: FrameSchema = SCHEMAS[kind]
    fields = empty_frame(schema)[schema.names]
    metadata = pa.Table.from_pandas(fields, preserve_index=False).schema.metadata
    return pa.schema(
        [(name, _ARROW_TYPES[column_kind]) for name, column_kind in schema.columns],
        metadata=metadata,
    )


def to_table(frame: pd.DataFrame, kind: Kind) -> pa.Table:
    """``frame`` as a table of the on-disk schema.

    Raises:
        StoreError: a message is dated outside the range the store keeps (see
            :func:`check_dates`).
    """
    schema = SCHEMAS[kind]
    # Derived columns are computed again on reading, never stored.
    stored = coerce_frame(frame, schema)[schema.names]
    table = pa.Table.from_pandas(stored, preserve_index=False).cast(storage_schema(kind))
    if schema.dates is not None:
        check_dates(table, kind, schema.dates)
    return table


def check_dates(table: pa.Table, kind: Kind, dates: tuple[datetime, datetime]) -> None:
    """Refuse messages dated outside ``dates``: the store never writes what it could not read
    back (a month key of year 10000), nor dates the analysis cannot hold."""
    first, end = (scalar(moment) for moment in dates)
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


def conform(table: pa.Table, kind: Kind, names: list[str] | None = None) -> pa.Table:
    """A file's table in the current on-disk schema (only ``names``, when given): a file
    written by an earlier version may lack a column (it reads as missing) or carry one since
    dropped. A column of another type is damage (:class:`pa.ArrowException`)."""
    schema = storage_schema(kind)
    if names is not None:
        schema = pa.schema([schema.field(name) for name in names], metadata=schema.metadata)
    if table.schema.equals(schema, check_metadata=False):
        return table.replace_schema_metadata(schema.metadata)
    columns = []
    for target in schema:
        if target.name not in table.column_names:
            columns.append(pa.nulls(len(table), target.type))
        elif compatible(table.schema.field(target.name).type, target.type):
            columns.append(table[target.name].cast(target.type))
        else:
            raise pa.ArrowTypeError(
                f"column {target.name!r} has type {table.schema.field(target.name).type}"
            )
    return pa.Table.from_arrays(columns, schema=schema)


def compact(table: pa.Table) -> pa.Table:
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


def to_frame(table: pa.Table, kind: Kind) -> pd.DataFrame:
    """A table of the on-disk schema as the typed frame of :mod:`smstools_tui.frames`."""
    # coerce_frame puts the status categories in the documented order, whatever the file's
    # dictionary holds.
    frame = compact(table).to_pandas(types_mapper=pandas_type)
    return coerce_frame(frame, SCHEMAS[kind])


def compatible(found: pa.DataType, wanted: pa.DataType) -> bool:
    """Whether a column of type ``found`` reads as ``wanted`` without loss: the same type, or
    text held either way (plain or dictionary-encoded)."""
    if found.equals(wanted):
        return True
    return _is_text(wanted) and _is_text(found)


def _is_text(arrow_type: pa.DataType) -> bool:
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    return bool(pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type))


def scalar(moment: datetime) -> pa.Scalar:
    """``moment`` as a value of the schema's timestamp type, to compare a date column with."""
    return pa.scalar(moment.astimezone(UTC), pa.timestamp("us", tz="UTC"))
