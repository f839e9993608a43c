"""SQL over the sent and received messages, on DuckDB: the tables, views and macros a query sees.

A :class:`SqlTables` is an in-process DuckDB database that holds two tables, ``sent`` and
``received``, with the frames' columns (see :mod:`smstools_tui.frames`), over either frames in
memory (the demo, a fetch without the store) or a store's Parquet files as one manifest lists
them (a consistent snapshot: the list is taken once, so a sync that commits meanwhile changes
nothing a query sees). A window restricts both tables to it; without one they hold everything.

What a query sees:

- ``sent``: ``id`` BIGINT, ``to``, ``from``, ``text``, ``transactionId``, ``statusDetail``,
  ``type`` VARCHAR, ``status`` an ENUM in lifecycle order (``PENDING``, ``SENT``, ``NOSENT``,
  ``DELIVERED``, ``NOTDELIVERED``, ``UNKNOWN``), ``insertDate``, ``sentDate``, ``deliveryDate``
  TIMESTAMPTZ, ``price`` DOUBLE, then any column the data carries beyond those.
- ``received``: ``from``, ``text``, ``simId`` VARCHAR, ``receiveDate`` TIMESTAMPTZ.
- Both end with ``account`` VARCHAR (the account's name in the config file) when they hold a
  named account's messages or several accounts' (``--account``, ``--all-accounts``).
- ``sent_final``: the sent messages whose fate is known (DELIVERED, NOTDELIVERED, NOSENT).
- ``days``: one row per calendar day of the window (``day`` DATE, ``week`` the Monday,
  ``month`` ``YYYY-MM``), in the session's time zone; without a window, from the first
  message's day to the last one's.
- Macros: ``delivery_rate(status)`` (an aggregate: DELIVERED over the final ones, NULL when
  nothing is final, as :func:`~smstools_tui.analysis.delivery_report` computes it),
  ``is_final(status)``, ``is_pending(status)``, ``spend(price)`` (an aggregate summing whole
  micro-credits, as :func:`~smstools_tui.analysis.cost_report` does), ``local_day(ts)``,
  ``local_week(ts)``, ``local_month(ts)`` (the report labels, in the session's zone),
  ``country(number)`` (the country of a number by its calling code, fast) and
  ``number_country(number)`` (exactly the reports' country, slower).

``country`` reads the calling code alone; the reports (and ``number_country``) also check the
number against the country's numbering plan. They differ on numbers the plan rejects (the
reports say ``(unknown)``, ``country`` the calling code's country) and on calling codes shared
by several countries (``1``: ``country`` says ``US`` for a Canadian number; ``7``, ``44``,
``47``, ``61``, ``262``, ``590``, ``599`` the same way).

Safety: a query reads only the data it was given. The database cannot reach the file system or
the network (``enable_external_access`` off, except for the snapshot's own files), loads and
installs no extension, and its configuration is locked, so no statement turns any of that back
on; only one ``SELECT`` (or ``EXPLAIN``) is run at a time. A refusal is a :class:`SqlError`.

Example:
    >>> from smstools_tui.frames import sent_frame, received_frame
    >>> sent = sent_frame([{"id": 1, "to": "393480000000", "status": "DELIVERED"},
    ...                    {"id": 2, "to": "41790000000", "status": "NOTDELIVERED"}])
    >>> with SqlTables.from_frames(sent, received_frame([]), zone="UTC") as tables:
    ...     tables.query("SELECT delivery_rate(status) AS rate FROM sent").loc[0, "rate"]
    np.float64(0.5)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb
import pandas as pd
import phonenumbers
import pyarrow as pa

from .dates import resolve_zone, zone_name
from .errors import SqlError
from .frames import (
    ACCOUNT_COLUMN,
    FINAL_STATUSES,
    PENDING_STATUSES,
    RECEIVED_SCHEMA,
    SENT_SCHEMA,
    STATUS_DTYPE,
    FrameSchema,
    coerce_frame,
    pandas_type,
)
from .msisdn import UNKNOWN_COUNTRY, number_countries
from .query import Span
from .segments import arrow_segments, text_encoding_names

__all__ = [
    "EXAMPLES",
    "HELPER_VIEWS",
    "MACROS",
    "TABLES",
    "SnapshotGoneError",
    "SqlTables",
    "check_statement",
]

TABLES: tuple[str, ...] = ("sent", "received")
"""The tables a query reads."""
HELPER_VIEWS: tuple[str, ...] = ("sent_final", "days")
"""Views over the tables for common needs."""
MACROS: tuple[str, ...] = (
    "delivery_rate",
    "is_final",
    "is_pending",
    "spend",
    "local_day",
    "local_week",
    "local_month",
    "country",
    "number_country",
)
"""The project's definitions, as SQL macros and functions."""


def _delivery_by(key: str, order: str, *, group: str = "month") -> str:
    """The SQL of the delivery report grouped by ``key`` (an expression ``AS group``)."""
    return f"""SELECT {key},
       count(*) AS messages,
       count(*) FILTER (WHERE status = 'DELIVERED') AS delivered,
       count(*) FILTER (WHERE status = 'NOTDELIVERED') AS not_delivered,
       count(*) FILTER (WHERE status = 'NOSENT') AS not_sent,
       count(*) FILTER (WHERE is_pending(status)) AS pending,
       delivery_rate(status) AS delivery_rate,
       count(*) FILTER (WHERE is_pending(status)) / count(*) AS pending_share
FROM sent
GROUP BY {group}
ORDER BY {order}"""  # noqa: S608 (the module's own fixed pieces, never a user's)


EXAMPLES: dict[str, str] = {
    "Messages by status": """SELECT status, count(*) AS messages,
       count(*) / sum(count(*)) OVER () AS share
FROM sent
GROUP BY status
ORDER BY status""",
    "Delivery by month": _delivery_by("local_month(insertDate) AS month", "month"),
    "Delivery by country": _delivery_by(
        'number_country("to") AS country', "messages DESC, country", group="country"
    ),
    "Delivery by campaign": _delivery_by(
        "coalesce(transactionId, '(none)') AS campaign",
        "messages DESC, campaign",
        group="campaign",
    ),
    "Cost by month": """SELECT local_month(insertDate) AS month,
       count(*) AS messages,
       count(*) FILTER (WHERE status = 'DELIVERED') AS delivered,
       spend(price) AS spend,
       spend(CASE WHEN status = 'DELIVERED' THEN price END) AS delivered_spend,
       spend(CASE WHEN status IN ('NOTDELIVERED', 'NOSENT') THEN price END) AS wasted_spend,
       spend(CASE WHEN is_pending(status) THEN price END) AS pending_spend,
       spend(price) / count(*) AS avg_price,
       spend(price) / nullif(count(*) FILTER (WHERE status = 'DELIVERED'), 0)
           AS price_per_delivered
FROM sent
GROUP BY month
ORDER BY month""",
    "Replies by day": """SELECT d.day, count(r.receiveDate) AS received
FROM days AS d
LEFT JOIN received AS r ON local_day(r.receiveDate) = strftime(d.day, '%Y-%m-%d')
GROUP BY d.day
ORDER BY d.day""",
    "Long messages to Vodafone Italy on Saturdays": """SELECT count(*) AS messages,
       delivery_rate(status) AS delivery_rate
FROM sent
WHERE length(text) > 160
  AND "to" LIKE '3934%'  -- Vodafone Italy's mobile prefixes start 34x
  AND dayname(insertDate) = 'Saturday'""",
}
"""Queries to start from, by title: each built-in report the SQL mirrors (their figures equal
the report's on the same messages), and a question no report answers."""

_TIME_COLUMN = {"sent": "insertDate", "received": "receiveDate"}
_SCHEMAS = {"sent": SENT_SCHEMA, "received": RECEIVED_SCHEMA}
_SQL_TYPES = {
    "int": "BIGINT",
    "float": "DOUBLE",
    "string": "VARCHAR",
    "category": "VARCHAR",
    "status": "status",
    "timestamp": "TIMESTAMPTZ",
}
_ALLOWED = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
_LINE = re.compile(r"^LINE (\d+): ?(.*)$")


class SnapshotGoneError(SqlError):
    """A file of the tables' snapshot is gone: a sync committed since and deleted the file it
    replaced. Tables made again see the new state."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _calling_codes() -> str:
    """A SQL MAP from calling code to the country phonenumbers names first for it."""
    pairs = [
        f"{_literal(str(code))}: {_literal(regions[0])}"
        for code, regions in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items())
        if regions
    ]
    return "MAP {" + ", ".join(pairs) + "}"


def _exact_countries(numbers: pa.Array) -> pa.Array:
    """``number_country``: the reports' own country of each number."""
    countries = number_countries(numbers)
    return countries.fill_null(UNKNOWN_COUNTRY) if countries.null_count else countries


class SqlTables:
    """A read-only DuckDB database over sent and received messages.

    Make one with :meth:`from_frames` or :meth:`from_files`; run queries with :meth:`query`
    (a frame) or :meth:`arrow` (an Arrow table); :meth:`interrupt` stops a running query from
    another thread. Close it when done (or use it as a context manager).

    Attributes:
        span: the window both tables are restricted to, or ``None`` for everything given.
        zone: the time zone of the calendar (``local_month`` and friends, ``days``).
    """

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        span: Span | None,
        zone: tzinfo,
        files: Sequence[str] = (),
    ) -> None:
        self._connection = connection
        self._files = tuple(files)
        self.span = span
        self.zone = zone
        self._lock = threading.Lock()

    # -- making one ----------------------------------------------------------------------------

    @classmethod
    def from_frames(
        cls,
        sent: pd.DataFrame,
        received: pd.DataFrame,
        *,
        span: Span | None = None,
        zone: str | tzinfo | None = None,
        threads: int | None = None,
    ) -> SqlTables:
        """Tables over frames in memory (registered as Arrow tables, not copied again).

        Args:
            sent, received: the typed frames (others are coerced to their schemas; columns
                beyond the schema are kept).
            span: restrict both tables to this window.
            zone: the calendar's zone (default: the local one).
            threads: the most threads a query uses (default: one per core); fewer leave a
                core to a user interface.
        """
        sources = {
            "sent": _arrow_of(sent, SENT_SCHEMA),
            "received": _arrow_of(received, RECEIVED_SCHEMA),
        }

        def register(connection: duckdb.DuckDBPyConnection, kind: str) -> tuple[str, list[str]]:
            name = f"_{kind}_data"
            connection.register(name, sources[kind])
            return name, sources[kind].column_names

        return cls._build(register, [], span, resolve_zone(zone), threads)

    @classmethod
    def from_files(
        cls,
        sent: Sequence[Path],
        received: Sequence[Path],
        *,
        span: Span | None = None,
        zone: str | tzinfo | None = None,
        threads: int | None = None,
        account: str | None = None,
    ) -> SqlTables:
        """Tables over Parquet files (a store's current partitions), read in place: only these
        files are readable by a query.

        Args:
            sent, received: the files of each kind; none gives an empty table.
            span: restrict both tables to this window.
            zone: the calendar's zone (default: the local one).
            threads: as for :meth:`from_frames`.
            account: the account the files hold, for both tables' ``account`` column (a
                ``VARCHAR`` with this name on every row); ``None``: no such column.
        """
        files = {"sent": [str(path) for path in sent], "received": [str(path) for path in received]}

        def register(connection: duckdb.DuckDBPyConnection, kind: str) -> tuple[str, list[str]]:
            name = f"_{kind}_data"
            if not files[kind]:
                empty = _arrow_of(pd.DataFrame(), _SCHEMAS[kind])
                connection.register(name, empty)
                return name, empty.column_names
            listed = "[" + ", ".join(_literal(path) for path in files[kind]) + "]"
            # The store's folders (kind=sent/account=…/month=…) are where a file lies, not columns
            # of its messages: the account column is the account's name, added below.
            connection.execute(
                f"CREATE VIEW {name} AS SELECT * FROM read_parquet({listed}, "  # noqa: S608 (quoted paths)
                "union_by_name = true, hive_partitioning = false)"
            )
            columns = [row[0] for row in connection.execute(f"DESCRIBE {name}").fetchall()]
            return name, columns

        allowed = files["sent"] + files["received"]
        return cls._build(register, allowed, span, resolve_zone(zone), threads, account)

    @classmethod
    def _build(
        cls,
        register: Any,
        allowed: list[str],
        span: Span | None,
        zone: tzinfo,
        threads: int | None = None,
        account: str | None = None,
    ) -> SqlTables:
        connection = duckdb.connect(
            ":memory:",
            config={"autoload_known_extensions": False, "autoinstall_known_extensions": False},
        )
        try:
            connection.execute(f"SET TimeZone = {_literal(zone_name(zone))}")
            if threads is not None:
                connection.execute(f"SET threads = {max(1, int(threads))}")
            statuses = ", ".join(_literal(str(name)) for name in STATUS_DTYPE.categories)
            connection.execute(f"CREATE TYPE status AS ENUM ({statuses})")
            _create_derivations(connection)
            for kind in TABLES:
                source, columns = register(connection, kind)
                connection.execute(_table_view(kind, source, columns, span, account))
            _create_helpers(connection, span)
            if allowed:
                listed = "[" + ", ".join(_literal(path) for path in allowed) + "]"
                connection.execute(f"SET allowed_paths = {listed}")
            # After the views exist, and for good: nothing a query runs can turn these back on.
            connection.execute("SET enable_external_access = false")
            connection.execute("SET lock_configuration = true")
        except BaseException:
            connection.close()
            raise
        return cls(connection, span, zone, allowed)

    # -- querying ------------------------------------------------------------------------------

    def arrow(self, sql: str) -> pa.Table:
        """The result of one ``SELECT`` (or ``EXPLAIN``) as an Arrow table, timestamps in UTC.

        Raises:
            SqlError: the query is refused (another kind of statement, several statements) or
                fails (a syntax error, an unknown column, a file it may not read).
        """
        check_statement(sql)
        with self._lock:
            try:
                table = self._connection.sql(sql).to_arrow_table()
            except duckdb.Error as error:
                if any(not Path(path).exists() for path in self._files):
                    raise SnapshotGoneError(
                        "the store changed since the tables were made (a sync replaced a "
                        "file): run the query again"
                    ) from None
                raise _sql_error(error) from None
        return _utc_timestamps(table)

    def query(self, sql: str) -> pd.DataFrame:
        """The result of one ``SELECT`` as a frame: text as ``string[pyarrow]``, integers as
        nullable ``Int64``, timestamps as UTC ``datetime64``.

        Raises:
            SqlError: as :meth:`arrow`.

        Example:
            >>> from smstools_tui.frames import sent_frame, received_frame
            >>> sent = sent_frame([{"id": 7, "status": "SENT"}])
            >>> with SqlTables.from_frames(sent, received_frame([]), zone="UTC") as tables:
            ...     result = tables.query("SELECT id, status FROM sent")
            >>> result.dtypes.astype(str).tolist()
            ['Int64', 'category']
        """
        return self.arrow(sql).to_pandas(types_mapper=pandas_type)

    def columns(self) -> dict[str, list[str]]:
        """The columns of each table and helper view, for completion and help.

        Example:
            >>> from smstools_tui.frames import sent_frame, received_frame
            >>> with SqlTables.from_frames(sent_frame([]), received_frame([])) as tables:
            ...     tables.columns()["received"]
            ['from', 'text', 'receiveDate', 'simId']
        """
        with self._lock:
            return {
                name: [
                    str(row[0]) for row in self._connection.execute(f"DESCRIBE {name}").fetchall()
                ]
                for name in (*TABLES, *HELPER_VIEWS)
            }

    def interrupt(self) -> None:
        """Stop the query running now (from another thread); it fails with a :class:`SqlError`
        saying so."""
        self._connection.interrupt()

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def check_statement(sql: str) -> None:
    """Refuse anything but one ``SELECT`` (``WITH`` … ``SELECT`` included) or ``EXPLAIN``.

    Raises:
        SqlError: another kind of statement, several, none, or a syntax error.

    Example:
        >>> check_statement("WITH t AS (SELECT 1) SELECT * FROM t")
        >>> try:
        ...     check_statement("COPY sent TO 'out.csv'")
        ... except SqlError as error:
        ...     print(error)
        only a SELECT query can run here, not COPY
    """
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise _sql_error(error) from None
    if not statements:
        raise SqlError("the query is empty: write a SELECT")
    if len(statements) > 1:
        raise SqlError(f"one query at a time: this text holds {len(statements)} statements")
    kind = statements[0].type
    if kind not in _ALLOWED:
        raise SqlError(f"only a SELECT query can run here, not {kind.name}")


# -- building the tables ----------------------------------------------------------------------


def _arrow_of(frame: pd.DataFrame, schema: FrameSchema) -> pa.Table:
    """``frame`` in ``schema`` (plus its own extra columns) as Arrow."""
    typed = coerce_frame(frame, schema)
    extra = [name for name in frame.columns if name not in schema.names]
    for name in extra:
        typed[name] = frame[name].reset_index(drop=True)
    return pa.Table.from_pandas(typed, preserve_index=False)


def _table_view(
    kind: str, source: str, columns: list[str], span: Span | None, account: str | None = None
) -> str:
    """``CREATE VIEW kind``: the schema's columns in its types and order, then the others (and
    ``account``, the files' one account, when the source lacks the column)."""
    schema = _SCHEMAS[kind]
    selected = []
    for name, column_kind in schema.columns:
        if name in columns:
            selected.append(f"CAST({_quote(name)} AS {_SQL_TYPES[column_kind]}) AS {_quote(name)}")
        else:
            selected.append(f"CAST(NULL AS {_SQL_TYPES[column_kind]}) AS {_quote(name)}")
    # Derived columns (the sent text's encoding and segments): the frame's own, or computed
    # from the text where the source has only the fields (a store's files).
    derived = [name for name, _ in schema.derived]
    for name in derived:
        selected.append(_quote(name) if name in columns else f"_{name}(text) AS {_quote(name)}")
    selected += [_quote(name) for name in columns if name not in schema.names + derived]
    if account is not None and ACCOUNT_COLUMN not in columns:
        selected.append(f"{_literal(account)} AS {_quote(ACCOUNT_COLUMN)}")
    where = ""
    if span is not None:
        time = _quote(_TIME_COLUMN[kind])
        where = (
            f" WHERE {time} >= TIMESTAMPTZ {_literal(span.start.isoformat())}"
            f" AND {time} < TIMESTAMPTZ {_literal(span.end.isoformat())}"
        )
    # Names and literals are the schema's and the span's, quoted: no user text.
    return f"CREATE VIEW {kind} AS SELECT {', '.join(selected)} FROM {source}{where}"  # noqa: S608


def _create_derivations(connection: duckdb.DuckDBPyConnection) -> None:
    """``_encoding(text)`` and ``_segments(text)``: the sent frame's derived columns, by the
    same calculator (:mod:`smstools_tui.segments`), for tables over files that lack them."""
    # Arrow batches in, Arrow out (the calculator works per distinct text); a null text has
    # none of either, which the functions say themselves.
    for name, function, result in (
        ("_encoding", text_encoding_names, "varchar"),
        ("_segments", arrow_segments, "smallint"),
    ):
        connection.create_function(  # type: ignore[call-overload]  # the stubs want enums
            name, function, ["varchar"], result, type="arrow", null_handling="special"
        )


def _create_helpers(connection: duckdb.DuckDBPyConnection, span: Span | None) -> None:
    final = ", ".join(_literal(name) for name in sorted(FINAL_STATUSES))
    pending = ", ".join(_literal(name) for name in sorted(PENDING_STATUSES))
    # The status is compared as it is (an ENUM: the literals become its values once), never
    # cast to text row by row.
    statements = [
        f"CREATE MACRO is_final(status) AS status IN ({final})",
        f"CREATE MACRO is_pending(status) AS status IN ({pending})",
        "CREATE MACRO delivery_rate(status) AS"
        " CAST(count(*) FILTER (WHERE status = 'DELIVERED') AS DOUBLE)"
        f" / nullif(count(*) FILTER (WHERE status IN ({final})), 0)",
        # Whole micro-credits, summed exactly, as the cost report sums them.
        "CREATE MACRO spend(price) AS"
        " CAST(sum(CAST(round(coalesce(price, 0) * 1000000) AS HUGEINT)) AS DOUBLE) / 1000000",
        "CREATE MACRO local_day(ts) AS strftime(ts, '%Y-%m-%d')",
        "CREATE MACRO local_week(ts) AS strftime(date_trunc('week', ts), '%Y-%m-%d')",
        "CREATE MACRO local_month(ts) AS strftime(ts, '%Y-%m')",
        "CREATE MACRO _digits(number) AS regexp_replace("
        "regexp_replace(number, '[^0-9+]', '', 'g'), '^(\\+|00)', '')",
        f"CREATE MACRO _country_of(digits, codes) AS CASE"
        f" WHEN digits IS NULL OR digits = '' OR digits[1] = '0' THEN {_literal(UNKNOWN_COUNTRY)}"
        " ELSE coalesce(map_extract_value(codes, digits[1:1]),"
        " map_extract_value(codes, digits[1:2]), map_extract_value(codes, digits[1:3]),"
        f" {_literal(UNKNOWN_COUNTRY)}) END",
        f"CREATE MACRO country(number) AS _country_of(_digits(number), {_calling_codes()})",
        "CREATE VIEW sent_final AS SELECT * FROM sent WHERE is_final(status)",
        _days_view(span),
    ]
    for statement in statements:
        connection.execute(statement)
    # The enums of these arguments moved between DuckDB releases; the strings work in all.
    create_function: Any = connection.create_function
    create_function(
        "number_country",
        _exact_countries,
        ["VARCHAR"],
        "VARCHAR",
        type="arrow",
        null_handling="special",
        side_effects=False,
    )


def _days_view(span: Span | None) -> str:
    if span is not None:
        first = f"CAST(TIMESTAMPTZ {_literal(span.start.isoformat())} AS DATE)"
        last = f"CAST(TIMESTAMPTZ {_literal(span.end.isoformat())} - INTERVAL 1 SECOND AS DATE)"
        bounds = f"SELECT {first} AS first, {last} AS last"
    else:
        bounds = (
            "SELECT CAST(min(moment) AS DATE) AS first, CAST(max(moment) AS DATE) AS last FROM"
            " (SELECT insertDate AS moment FROM sent UNION ALL"
            " SELECT receiveDate FROM received)"
        )
    return (
        "CREATE VIEW days AS SELECT CAST(day AS DATE) AS day,"  # noqa: S608 (span literals)
        " strftime(date_trunc('week', CAST(day AS DATE)), '%Y-%m-%d') AS week,"
        " strftime(CAST(day AS DATE), '%Y-%m') AS month"
        f" FROM ({bounds}) AS bounds,"
        " LATERAL unnest(generate_series(CAST(bounds.first AS TIMESTAMP),"
        " CAST(bounds.last AS TIMESTAMP), INTERVAL 1 DAY)) AS calendar(day)"
        " WHERE bounds.first IS NOT NULL"
    )


# -- results and errors -----------------------------------------------------------------------


def _utc_timestamps(table: pa.Table) -> pa.Table:
    """Timestamps come back in the session's zone: the frames hold them in UTC."""
    fields = [
        field.with_type(pa.timestamp(field.type.unit, tz="UTC"))
        if pa.types.is_timestamp(field.type) and field.type.tz is not None
        else field
        for field in table.schema
    ]
    schema = pa.schema(fields, metadata=table.schema.metadata)
    return table if schema.equals(table.schema) else table.cast(schema)


def _sql_error(error: duckdb.Error) -> SqlError:
    """One line: DuckDB's message without its picture of the query, and where the error is."""
    lines = str(error).splitlines()
    message = lines[0] if lines else type(error).__name__
    position: tuple[int, int] | None = None
    for index, line in enumerate(lines):
        found = _LINE.match(line)
        if found and index + 1 < len(lines) and "^" in lines[index + 1]:
            prefix = len(line) - len(found.group(2))
            column = lines[index + 1].index("^") - prefix + 1
            position = (int(found.group(1)), max(column, 1))
            break
    if isinstance(error, duckdb.InterruptException):
        message = "the query was cancelled"
    elif isinstance(error, duckdb.PermissionException):
        reason = message.split(": ", 1)[-1]
        message = f"refused: a query reads only the sent and received tables ({reason})"
    if position is not None:
        message += f" (line {position[0]}, column {position[1]})"
    return SqlError(message, position)
