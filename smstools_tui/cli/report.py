"""``smstools-tui report``: the analyses as tables (terminal, CSV, Parquet, HTML) and the
one-file HTML report."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo
from typing import Any

import click
import pandas as pd

from ..analysis import DEFAULT_OPT_OUT_KEYWORDS, ComplianceRules, resolve_zone
from ..config import load_compliance, load_display_zone, load_quiet_hours
from ..errors import ConfigError, SmstoolsError
from ..query import FetchResult, Query
from ..report.export import REPORT_SUFFIXES, export_frame
from ..report.reports import REPORTS, Report, report_total, run_report
from ..report.tables import (
    column_title,
    display_frame,
    is_numeric_column,
    partial_note,
    total_cells,
)
from ..source import MessageSource
from .common import (
    ConnectionOptions,
    QueryOptions,
    all_accounts_option,
    apply_number_format,
    check_out,
    connection_options,
    end_accounts,
    fetch_progress,
    query_options,
    refuse_incomplete,
)

__all__ = ["print_table", "report_group"]

_KEYWORDS_HELP = (
    "An opt-out keyword, matched ignoring case and accents as the config file's [compliance] "
    "says (a whole word by default); repeat for several. Default: the config file's opt_out, "
    f"else {', '.join(DEFAULT_OPT_OUT_KEYWORDS)}."
)


@click.group("report")
def report_group() -> None:
    """Answers about the SMS in a window: delivery, latency, cost, campaigns, failing numbers,
    opt-outs; or everything in one HTML file.

    \b
    Examples:
      smstools-tui report delivery --by week --since 2026-09-01
      smstools-tui report delivery --by day --window last-month --country IT
      smstools-tui report cost --by country --out cost.csv
      smstools-tui report all --demo --window this-year --out report.html
    """


def _tz_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--tz",
        metavar="ZONE",
        help="Time zone of days, weeks and months and of the times shown, such as Europe/Rome. "
        "Default: this machine's.",
    )(command)


def _reply_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option(
        "--reply-window",
        type=click.FloatRange(0),
        default=72.0,
        show_default=True,
        metavar="HOURS",
        help="How long after a message a reply still counts for it.",
    )(command)
    return _keyword_option(command)


def _keyword_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--keyword", "keywords", multiple=True, metavar="WORD",
                        help=_KEYWORDS_HELP)(command)  # fmt: skip


def _out_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--out",
        metavar="PATH",
        help="Write to a .csv (spreadsheet-safe), .parquet or .html file; - for CSV on standard "
        "output. Default: a table on standard output.",
    )(command)


def _rules(keywords: tuple[str, ...]) -> ComplianceRules:
    """The config file's compliance rules, with the opt-out keywords given by ``--keyword``."""
    rules = load_compliance()
    return replace(rules, opt_out=keywords) if keywords else rules


def _make_command(spec: Report) -> click.Command:
    def command(**kwargs: Any) -> None:
        out: str | None = kwargs.pop("out")
        zone = resolve_zone(kwargs.pop("tz") or load_display_zone())
        apply_number_format()
        by = kwargs.pop("by", None)
        hours = kwargs.pop("reply_window", 72.0)
        keywords = _rules(kwargs.pop("keywords", ()))
        min_failures = kwargs.pop("min_failures", 2)
        options = ConnectionOptions.from_kwargs(kwargs)
        asked = QueryOptions.from_kwargs(kwargs)
        _check_out(out, REPORT_SUFFIXES)
        sent, received, query, source = _fetch(
            options, asked, spec.name, by, zone, received=spec.needs_received
        )
        frame = run_report(
            spec.name, sent.frame, received.frame if received else None, by=query.group,
            tz=zone, window=pd.Timedelta(hours=hours), keywords=keywords,
            min_failures=min_failures, span=sent.span,
            quiet_hours=load_quiet_hours() if spec.name == "quiet-hours" else None,
            now=sent.fetched_at,
        )  # fmt: skip
        title = f"{spec.title} by {query.group}" if query.group else spec.title
        total = report_total(spec.name, frame)
        _refuse_incomplete(
            out,
            sent,
            received,
            f"{title.lower()} on {_counted(sent, received)}",
            lambda target: export_frame(frame, target, title=title, tz=zone, total=total),
        )
        _write(frame, out, title=title, zone=zone, total=total)
        end_accounts(source)

    command.__doc__ = spec.description
    # Options are listed in the help in the reverse order they are added here.
    command = all_accounts_option(connection_options(command))
    if spec.name in ("campaigns", "opt-outs"):
        command = _reply_options(command)
    elif spec.name == "compliance":
        command = _keyword_option(command)
    if spec.name == "failing-numbers":
        command = click.option(
            "--min-failures",
            type=click.IntRange(1),
            default=2,
            show_default=True,
            help="Failures since the last delivery that put a number on the list.",
        )(command)
    command = _tz_option(_out_option(command))
    if spec.groupable:
        command = click.option(
            "--by",
            type=click.Choice(spec.groupings),
            help="Group by this; default: one row for the whole window.",
        )(command)
    return click.command(spec.name)(query_options(("sent",))(command))


@click.command("all")
@query_options(("sent",))
@click.option("--out", required=True, metavar="PATH", help="The .html file to write.")
@_tz_option
@_reply_options
@connection_options
@all_accounts_option
def all_command(out: str, **kwargs: Any) -> None:
    """Everything in one self-contained HTML file that opens offline."""
    from ..report.html import build_report_data, render_report, write_report

    zone = resolve_zone(kwargs.pop("tz") or load_display_zone())
    apply_number_format()
    hours = kwargs.pop("reply_window")
    keywords = _rules(kwargs.pop("keywords"))
    options = ConnectionOptions.from_kwargs(kwargs)
    asked = QueryOptions.from_kwargs(kwargs)
    _check_out(out, (".html",))
    sent, received, _, source = _fetch(
        options, asked, "all", None, zone, received=True, source=True
    )
    assert received is not None  # asked for
    data = build_report_data(
        sent.frame, received.frame, tz=zone, window=pd.Timedelta(hours=hours),
        keywords=keywords, span=sent.span,
    )  # fmt: skip
    page = render_report(data, source=sent.source)
    _refuse_incomplete(
        out,
        sent,
        received,
        f"the report on {_counted(sent, received)}",
        lambda target: write_report(target, page),
    )
    written = write_report(out, page)
    click.echo(f"wrote the report on {_counted(sent, received)} to {written}", err=True)
    end_accounts(source)


def _counted(sent: FetchResult, received: FetchResult | None) -> str:
    if received is None:
        return f"{len(sent.frame):,} sent SMS"
    return f"{len(sent.frame):,} sent and {len(received.frame):,} received SMS"


def _refuse_incomplete(
    out: str | None,
    sent: FetchResult,
    received: FetchResult | None,
    what: str,
    write: Callable[[Any], object],
) -> None:
    """A report of messages the store holds only in part is never written as complete."""
    for result in (sent, received):
        if result is not None and not result.complete:
            refuse_incomplete(out, what, write, result.problem)


for _spec in REPORTS.values():
    report_group.add_command(_make_command(_spec))
report_group.add_command(all_command)


def _check_out(out: str | None, suffixes: tuple[str, ...]) -> None:
    if (out is None or out == "-") and suffixes == (".html",):
        raise ConfigError("--out must name an .html file")
    if out is not None:
        check_out(out, suffixes)


def _fetch(
    options: ConnectionOptions,
    asked: QueryOptions,
    report: str,
    by: str | None,
    zone: Any,
    *,
    received: bool,
    source: bool = False,
) -> tuple[FetchResult, FetchResult | None, Query, MessageSource]:
    """The report's sent messages (its query: window, filters, grouping) and, when it needs
    them, the messages received in the same span: the replies they had. The span is resolved
    once, on the client's clock, so the report's partial days, weeks and months are the ones
    it cuts. With ``source``, the first result's source is the account's name. The source
    asked comes last (closed): what failed of several accounts is told from it."""
    with options.client() as client:
        query = asked.query("sent", now=client.now(), zone=zone, report=report, group=by)
        if query.span is None:  # --id alone searches by id, without a window to report on
            raise ConfigError(
                "a report needs a window: give --window or --since with --id "
                "(--id alone searches by id; export takes it that way)"
            )
        with fetch_progress("sent SMS") as progress:
            sent = client.fetch(query, progress=progress)
        replies = None
        if received:
            assert sent.span is not None  # the query's span, refused above when missing
            with fetch_progress("received SMS") as progress:
                replies = client.fetch(Query("received", sent.span), progress=progress)
        if source:
            try:
                name = client.account().display_name
            except SmstoolsError:
                name = client.label
            sent = replace(sent, source=name)
    return sent, replies, query, client


def _write(
    frame: pd.DataFrame,
    out: str | None,
    *,
    title: str,
    zone: tzinfo,
    total: pd.DataFrame | None = None,
) -> None:
    if out is None:
        print_table(frame, title=title, tz=zone, total=total)
        return
    written = export_frame(frame, out, title=title, tz=zone, total=total)
    if written is not None:
        click.echo(f"wrote {len(frame):,} rows ({title.lower()}) to {written}", err=True)


def print_table(
    frame: pd.DataFrame,
    *,
    title: str = "",
    tz: tzinfo | None = None,
    file: Any = None,
    total: pd.DataFrame | None = None,
) -> None:
    """Print a report frame as a table; texts are shown literally, never as markup or escape
    sequences. Rows of partial days, weeks or months are dimmed and explained under the table;
    ``total`` (one row of figures) ends the table as its total row.

    Example:
        >>> import io
        >>> stream = io.StringIO()
        >>> print_table(pd.DataFrame({"text": ["[bold]x[/bold]\\x1b[31m"]}), file=stream)
        >>> "[bold]x[/bold]\\\\x1b[31m" in stream.getvalue()
        True
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    stream = file or sys.stdout
    interactive = hasattr(stream, "isatty") and stream.isatty()
    console = Console(file=stream, width=None if interactive else 200, highlight=False)
    table = Table(title=Text(title) if title else None, header_style="bold")
    for name in frame.columns:
        # An SMS text, and a campaign's id, keep room to be read when a wide table squeezes
        # its columns (the campaigns report has its expected rates beside the raw one).
        texts = str(name) in ("text", "campaign") or str(name).endswith("_text")
        table.add_column(
            Text(column_title(str(name))),
            justify="right" if is_numeric_column(frame, str(name)) else "left",
            overflow="fold",
            min_width=24 if texts else None,
        )
    partial = frame["partial"].tolist() if "partial" in frame.columns else [False] * len(frame)
    cells = display_frame(frame, tz=tz, text_limit=60).itertuples(index=False, name=None)
    for row, cut in zip(cells, partial, strict=True):
        table.add_row(*(Text(str(value)) for value in row), style="dim" if cut else None)
    footer = total_cells(frame, total, tz=tz) if total is not None else None
    if footer is not None:
        table.add_section()
        table.add_row(*(Text(value) for value in footer), style="bold")
    console.print(table)
    if frame.empty:
        console.print(Text("No rows."))
    note = partial_note(frame)
    if note:
        console.print(Text(note))
