"""``smstools-tui export``: sent or received SMS in a window, to CSV or Parquet."""

from __future__ import annotations

from typing import Any

import click

from ..errors import SmstoolsError
from ..query import Kind
from ..report.export import EXPORT_SUFFIXES, export_frame
from .common import (
    ConnectionOptions,
    QueryOptions,
    check_out,
    connection_options,
    describe,
    fetch_progress,
    query_options,
    refuse_incomplete,
    save_partial_on_error,
)


@click.command("export")
@click.argument("kind", type=click.Choice(["sent", "received"]), required=False)
@query_options()
@connection_options
@click.option(
    "--out",
    default="-",
    show_default=True,
    metavar="PATH",
    help="Where to write: a .csv (spreadsheet-safe) or .parquet (lossless) file; - for CSV on "
    "standard output.",
)
def export_command(kind: Kind | None, out: str, **kwargs: Any) -> None:
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
    check_out(out, EXPORT_SUFFIXES)
    with options.client() as client:
        query = asked.query(kind, now=client.now())
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
    written = export_frame(frame, out)
    if written is not None:
        click.echo(describe(written, len(frame), what), err=True)
