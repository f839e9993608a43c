"""``smstools-tui export``: sent or received SMS in a window, to CSV or Parquet."""

from __future__ import annotations

from typing import Any

import click

from ..errors import ConfigError, SmstoolsError
from ..frames import STATUSES
from ..report.export import EXPORT_SUFFIXES, export_frame
from .common import (
    ConnectionOptions,
    check_out,
    connection_options,
    describe,
    fetch_progress,
    is_complete,
    refuse_incomplete,
    save_partial_on_error,
    window_options,
)


@click.command("export")
@click.argument("kind", type=click.Choice(["sent", "received"]))
@window_options
@connection_options
@click.option(
    "--status",
    type=click.Choice(STATUSES, case_sensitive=False),
    help="Sent only: just this status.",
)
@click.option("--msisdn", metavar="N", help="Sent only: just this recipient number.")
@click.option("--campaign", metavar="ID", help="Sent only: just this transactionId.")
@click.option("--sender", metavar="N", help="Received only: just from this number.")
@click.option("--service", metavar="ID", help="Received only: just on this receiving service.")
@click.option(
    "--out",
    required=True,
    metavar="PATH",
    help="Where to write: a .csv (spreadsheet-safe) or .parquet (lossless) file; - for CSV on "
    "standard output.",
)
def export_command(kind: str, out: str, **kwargs: Any) -> None:
    """Export SENT or RECEIVED SMS in a window to CSV or Parquet.

    \b
    Examples:
      smstools-tui export sent --since 2026-11-01 --until 2026-11-30 --out november.csv
      smstools-tui export received --demo --out replies.parquet
    """
    options = ConnectionOptions.from_kwargs(kwargs)
    check_out(out, EXPORT_SUFFIXES)
    sent_only = [name for name in ("status", "msisdn", "campaign") if kwargs.get(name)]
    received_only = [name for name in ("sender", "service") if kwargs.get(name)]
    if kind == "received" and sent_only:
        raise ConfigError(f"--{sent_only[0]} applies to sent messages only")
    if kind == "sent" and received_only:
        raise ConfigError(f"--{received_only[0]} applies to received messages only")
    with options.client() as client, fetch_progress(f"{kind} SMS") as progress:
        try:
            if kind == "sent":
                frame = client.sent(
                    options.since,
                    options.until,
                    status=kwargs.get("status"),
                    msisdn=kwargs.get("msisdn"),
                    campaign=kwargs.get("campaign"),
                    progress=progress,
                )
            else:
                frame = client.received(
                    options.since,
                    options.until,
                    sender=kwargs.get("sender"),
                    service=kwargs.get("service"),
                    progress=progress,
                )
        except SmstoolsError as error:
            save_partial_on_error(error, out)
            raise
    if not is_complete(frame):
        refuse_incomplete(
            out, f"{len(frame):,} {kind} SMS", lambda target: export_frame(frame, target)
        )
    written = export_frame(frame, out)
    if written is not None:
        click.echo(describe(written, len(frame), f"{kind} SMS"), err=True)
