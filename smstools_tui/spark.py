"""The reports' SQL on Spark: the store's files as Spark tables, the project's macros in Spark SQL.

The SQL of :mod:`smstools_tui.sql` (its :data:`~smstools_tui.sql.EXAMPLES` mirror the built-in
reports) is written for DuckDB, with the project's macros (``delivery_rate``, ``spend``,
``local_month`` …). :func:`spark_sql` renders such a query in Spark's dialect: sqlglot
translates the SQL, and each macro becomes its Spark definition from :data:`SPARK_MACROS`, the
one place where the two dialects differ. :func:`register_store` makes ``sent``, ``received``
and ``sent_final`` views of a store's current files in a Spark session, so the same query runs
on Spark (local, a cluster, Databricks) and gives the report's figures.

Spark needs the ``spark`` extra (``pip install 'smstools-tui[spark]'``) and Java 17 or later;
this module imports pyspark only in :func:`register_store`.

Example:
    >>> print(spark_sql("SELECT local_month(insertDate) AS month, delivery_rate(status) AS rate"
    ...                 " FROM sent GROUP BY month", zone="Europe/Rome"))
    ... # doctest: +NORMALIZE_WHITESPACE
    SELECT DATE_FORMAT(FROM_UTC_TIMESTAMP(CAST(insertDate AS TIMESTAMP), 'Europe/Rome'),
     'yyyy-MM') AS month,
     CAST(COUNT(*) FILTER(WHERE status = 'DELIVERED') AS DOUBLE)
     / NULLIF(COUNT(*) FILTER(WHERE status IN ('DELIVERED', 'NOSENT', 'NOTDELIVERED')), 0) AS rate
     FROM sent GROUP BY month
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from .errors import SqlError
from .frames import FINAL_STATUSES, PENDING_STATUSES
from .query import Kind

__all__ = ["SPARK_MACROS", "UNTRANSLATED", "register_store", "spark_sql"]


def _in(statuses: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in sorted(statuses))


SPARK_MACROS: dict[str, str] = {
    "is_final": f"status IN ({_in(FINAL_STATUSES)})",
    "is_pending": f"status IN ({_in(PENDING_STATUSES)})",
    "delivery_rate": (
        "CAST(count(*) FILTER (WHERE status = 'DELIVERED') AS DOUBLE)"
        f" / nullif(count(*) FILTER (WHERE status IN ({_in(FINAL_STATUSES)})), 0)"
    ),
    # Whole micro-credits, summed exactly, as the cost report (and the DuckDB macro) sums them.
    "spend": (
        "CAST(sum(CAST(round(coalesce(price, 0) * 1000000) AS DECIMAL(38, 0))) AS DOUBLE) / 1000000"
    ),
    "local_day": "date_format(from_utc_timestamp(ts, :zone), 'yyyy-MM-dd')",
    "local_week": ("date_format(date_trunc('WEEK', from_utc_timestamp(ts, :zone)), 'yyyy-MM-dd')"),
    "local_month": "date_format(from_utc_timestamp(ts, :zone), 'yyyy-MM')",
}
"""Each macro of :mod:`smstools_tui.sql` in Spark SQL: its parameter (``status``, ``price`` or
``ts``) stands for the argument, ``:zone`` for the report's time zone. Timestamps are UTC instants
in the files; the session's time zone should be UTC (``spark.sql.session.timeZone``), so that
``from_utc_timestamp`` gives the wall-clock time of the zone."""

UNTRANSLATED: frozenset[str] = frozenset({"country", "number_country"})
"""Macros with no Spark version: the country of a number is a Python function (phonenumbers)."""

_PARAMETERS = ("status", "price", "ts")


def spark_sql(sql: str, *, zone: str = "UTC") -> str:
    """``sql``, a query for :class:`~smstools_tui.sql.SqlTables` (DuckDB), in Spark's dialect,
    with the project's macros expanded for the time zone ``zone``.

    Raises:
        SqlError: the query does not parse, or uses a macro Spark has no version of.

    Example:
        >>> spark_sql('SELECT "to", spend(price) AS spend FROM sent GROUP BY "to"')
        'SELECT `to`, CAST(SUM(CAST(ROUND(COALESCE(price, 0) * 1000000) AS DECIMAL(38, 0))) AS DOUBLE) / 1000000 AS spend FROM sent GROUP BY `to`'
    """  # noqa: E501 - one line, as the function returns it
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise SqlError(f"the query does not parse: {str(error).splitlines()[0]}") from None
    zone_literal = exp.Literal.string(zone)

    def expand(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Anonymous):
            return node
        name = str(node.name).lower()
        if name in UNTRANSLATED:
            raise SqlError(f"{name}() has no Spark version: it is a Python function")
        if name not in SPARK_MACROS:
            return node
        if len(node.expressions) != 1:
            raise SqlError(f"{name}() takes one argument")
        argument = node.expressions[0]
        body = sqlglot.parse_one(SPARK_MACROS[name], read="spark")

        def fill(part: exp.Expr) -> exp.Expr:
            if isinstance(part, exp.Column) and not part.table and part.name in _PARAMETERS:
                copied: exp.Expr = argument.copy()
                return copied
            if isinstance(part, exp.Placeholder) and part.name == "zone":
                return zone_literal.copy()
            return part

        return exp.Paren(this=body.transform(fill))

    # Innermost first: a macro's argument may use another (spend(CASE WHEN is_pending(status)
    # …)). transform visits a node before its children, so expand the children by hand.
    expanded = _expand_bottom_up(tree, expand)
    return expanded.sql(dialect="spark")


def _expand_bottom_up(tree: exp.Expr, expand: Callable[[exp.Expr], exp.Expr]) -> exp.Expr:
    for node in list(tree.walk(bfs=False))[::-1]:
        replacement = expand(node)
        if replacement is not node:
            if node is tree:
                return replacement
            node.replace(replacement)
    return _unnest_parens(tree)


def _unnest_parens(tree: exp.Expr) -> exp.Expr:
    """The parentheses a macro's expansion brings, where nothing needs them (a whole select
    item, a whole argument), dropped: the SQL reads as written by hand."""

    def simplify(node: exp.Expr) -> exp.Expr:
        parent = node.parent
        if isinstance(node, exp.Paren) and isinstance(
            parent, exp.Alias | exp.Select | exp.Filter | exp.Where | exp.If | exp.Sum
        ):
            inner: exp.Expr = node.this
            return inner
        return node

    return tree.transform(simplify)


def register_store(
    spark: Any, files: Mapping[Kind, Iterable[Path | str]], *, prefix: str = ""
) -> None:
    """Make ``sent``, ``received`` (and ``sent_final``) temporary views of a store's files in
    the Spark session ``spark``.

    Args:
        spark: a ``pyspark.sql.SparkSession``.
        files: the Parquet files of each kind, as :meth:`Store.snapshot_files
            <smstools_tui.store.Store.snapshot_files>` lists them (its manifest says which
            files are current: do not list the folder, which may hold replaced ones); paths
            as they are, or URIs as strings (``s3://…``, ``dbfs:/…``).
        prefix: put before each view's name (``"shop_"`` makes ``shop_sent`` …).
    """
    from pyspark.sql import SparkSession  # the spark extra

    if not isinstance(spark, SparkSession):
        raise TypeError(f"a SparkSession is needed, not {type(spark).__name__}")
    for kind in ("sent", "received"):
        # Local paths made absolute: the JVM's working folder need not be this process's.
        paths = [
            str(path.resolve()) if isinstance(path, Path) else path for path in files.get(kind, ())
        ]
        if not paths:
            raise SqlError(f"the store holds no {kind} messages: nothing to read")
        spark.read.parquet(*paths).createOrReplaceTempView(prefix + kind)
    final = _in(FINAL_STATUSES)
    spark.sql(
        f"CREATE OR REPLACE TEMPORARY VIEW {prefix}sent_final AS"  # noqa: S608 - our own names
        f" SELECT * FROM {prefix}sent WHERE status IN ({final})"
    )
