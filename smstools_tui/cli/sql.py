"""``smstools-tui sql``: one SQL query over the sent and received messages.

The tables, helper views, macros and what a query may not do are :mod:`smstools_tui.sql`'s.
The result is a table on the terminal (texts shown literally), or with ``--out`` a CSV
(spreadsheet-safe) or Parquet file by its suffix; ``--out -`` is CSV on standard output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..analysis import resolve_zone
from ..report.export import EXPORT_SUFFIXES, export_frame
from .common import (
    ConnectionOptions,
    QueryOptions,
    all_accounts_option,
    apply_number_format,
    check_out,
    connection_options,
    describe,
    end_accounts,
    query_options,
    read_text_input,
)
from .report import print_table


@click.command("sql")
@click.argument("query", required=False)
@click.option(
    "--file",
    "query_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Read the query from FILE (- for standard input) instead of the command line.",
)
@query_options(kinds=())
@connection_options
@all_accounts_option
@click.option(
    "--tz",
    metavar="ZONE",
    help="Time zone of local_day, local_week, local_month and the days view, and of the "
    "times shown, such as Europe/Rome. Default: this machine's.",
)
@click.option(
    "--out",
    metavar="PATH",
    help="Write to a .csv (spreadsheet-safe) or .parquet file; - for CSV on standard output. "
    "Default: a table on standard output.",
)
def sql_command(
    query: str | None, query_file: Path | None, tz: str | None, out: str | None, **kwargs: Any
) -> None:
    """Run one SQL SELECT over the tables SENT and RECEIVED.

    The tables hold every stored message, or those of the window given (--since, --until,
    --window, --view). Helper views: sent_final (messages whose fate is known) and days (the
    window's calendar). Macros: delivery_rate(status), spend(price), is_final(status),
    is_pending(status), local_day/local_week/local_month(ts), country(number),
    number_country(number). A query may only read these tables: no files, no extensions,
    no settings.

    \b
    Examples:
      smstools-tui sql "SELECT status, count(*) FROM sent GROUP BY ALL" --offline
      smstools-tui sql "SELECT local_month(insertDate) AS month, delivery_rate(status)
        AS delivery_rate FROM sent GROUP BY month ORDER BY month" --window 2026
      smstools-tui sql --file by_country.sql --demo --out by_country.csv
    """
    text = read_text_input(
        query, query_file,
        missing='say what to ask: smstools-tui sql "SELECT …" or --file query.sql',
        both="give the query or --file, not both",
    )  # fmt: skip
    options = ConnectionOptions.from_kwargs(kwargs)
    asked = QueryOptions.from_kwargs(kwargs)
    zone = resolve_zone(tz)
    apply_number_format()
    if out is not None:
        check_out(out, EXPORT_SUFFIXES)
    windowed = any(value is not None for value in (asked.since, asked.until, asked.window))
    with options.client() as client:
        span = None
        if windowed or asked.view is not None:
            span = asked.query("sent", now=client.now(), zone=zone).span
        frame = client.sql(text, window=span, zone=zone)
    if out is None:
        print_table(frame, tz=zone)
    else:
        written = export_frame(frame, out)
        if written is not None:
            click.echo(describe(written.absolute(), len(frame), "rows"), err=True)
    end_accounts(client)
