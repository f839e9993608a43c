"""``smstools-tui export``: sent or received SMS in a window, to CSV or Parquet.

Without ``--out`` the messages go, on a terminal, to a file named after the kind and the window's
local dates in the working directory (``sent_2026-10-31_2026-11-30.csv``; an existing file is
never replaced: the next free name, ``sent_2026-10-31_2026-11-30.2.csv``, is taken), said on
stderr; into a pipe, as CSV on standard output (``smstools-tui export sent | head``), as
``--out -`` always does. A command line from :meth:`~smstools_tui.query.Query.to_cli` thus runs
as written either way.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import pandas as pd

from ..errors import SmstoolsError
from ..query import Kind, Query
from ..report.export import EXPORT_SUFFIXES, export_frame
from ..report.tables import printable
from .common import (
    ConnectionOptions,
    QueryOptions,
    all_accounts_option,
    check_out,
    connection_options,
    describe,
    end_accounts,
    fetch_progress,
    free_name,
    query_options,
    refuse_incomplete,
    save_partial_on_error,
)


@click.command("export")
@click.argument(
    "kind", type=click.Choice(["sent", "received"], case_sensitive=False), required=False
)
@query_options()
@connection_options
@all_accounts_option
@click.option(
    "--out",
    metavar="PATH",
    help="Where to write: a .csv (spreadsheet-safe) or .parquet (lossless) file; - for CSV on "
    "standard output. Default: on a terminal, KIND_FIRST-DAY_LAST-DAY.csv in the working "
    "directory (never replacing a file: the next free name); into a pipe, standard output.",
)
def export_command(kind: Kind | None, out: str | None, **kwargs: Any) -> None:
    """Export SENT or RECEIVED SMS in a window to CSV or Parquet.

    KIND may be left out with --view, whose kind it then is.

    \b
    Examples:
      smstools-tui export sent --since 2026-11-01 --until 2026-11-30 --out november.csv
      smstools-tui export sent --window last-month --status NOTDELIVERED --status NOSENT
      smstools-tui export received --demo --window 7d --out replies.parquet
      smstools-tui export --view failed-last-month --out failed.csv
    """
    options = ConnectionOptions.from_kwargs(kwargs)
    asked = QueryOptions.from_kwargs(kwargs)
    given_out = out is not None
    if out is not None:
        check_out(out, EXPORT_SUFFIXES)
    with options.client() as client:
        query = asked.query(kind, now=client.now())
        if out is None:
            out = "-" if not _stdout_is_terminal() else str(free_name(Path(query.file_name())))
        with fetch_progress(f"{query.kind} SMS") as progress:
            try:
                result = client.fetch(query, progress=progress)
            except SmstoolsError as error:
                save_partial_on_error(error, out)
                raise
    frame = result.frame
    what = f"{query.kind} SMS"
    if not result.complete:
        refuse_incomplete(
            out,
            f"{len(frame):,} {what}",
            lambda target: export_frame(frame, target),
            result.problem,
        )
    if frame.empty:
        _say_nothing_matched(query, frame, out, named=given_out)
    else:
        written = export_frame(frame, out)
        if written is not None:
            click.echo(describe(written.absolute(), len(frame), what), err=True)
    end_accounts(client)


def _say_nothing_matched(query: Query, frame: pd.DataFrame, out: str, *, named: bool) -> None:
    """One line on stderr for an export that matched nothing. A file named with --out, or
    standard output, gets the column headers alone, for a script that reads it next; the
    default file is not made."""
    line = f"no {query.kind} SMS match {query.describe()}"
    if named or out == "-":
        written = export_frame(frame, out)
        if written is not None:
            line += f": {written} holds the column headers alone"
    else:
        line += ": no file written"
    click.echo(printable(line), err=True)


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
