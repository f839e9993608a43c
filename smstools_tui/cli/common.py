"""What every command shares: the query options, the connection options, the client, progress,
partial saves.

A command's query is made once, here: the click parameter types read each value where it enters
(:class:`WindowBound`, :class:`WindowExprType`, :class:`FilterValueType`), and
:meth:`QueryOptions.query` makes them (and a saved view, with ``--view``) one
:class:`~smstools_tui.query.Query`, passed unchanged to the source's ``fetch``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar

import click
import pandas as pd
from click.core import ParameterSource

from .. import demo
from ..accounts import AccountsSource, for_each_account
from ..api.client import SmstoolsClient
from ..config import (
    DEFAULT_TIMEOUT,
    Settings,
    config_file_path,
    find_account,
    find_view,
    load_accounts,
    load_number_format,
)
from ..errors import AccountsFailed, ConfigError, SmstoolsError, StoreError
from ..frames import STATUS_DTYPE
from ..msisdn import number_format
from ..query import Filters, Kind, Query, WindowExpr, Zone, parse_window
from ..report.export import export_frame, partial_path
from ..report.tables import printable
from ..source import MessageSource
from ..store import StoredClient
from ..store.locate import StoreIdentity, default_store_path

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:  # generic since click 8.4; subscripted for the type checker only
    _ValueParam = click.ParamType[Any]
    _StringChoice = click.Choice[str]
else:
    _ValueParam = click.ParamType
    _StringChoice = click.Choice


def apply_number_format() -> None:
    """Write phone numbers for people as the config file's ``[display] number_format`` says,
    for the rest of the running command (its terminal tables, HTML report or dashboard)."""
    click.get_current_context().with_resource(number_format(load_number_format()))


class _ReadOnce(_ValueParam):
    """A value read once, where it enters, by :meth:`read`; what it refuses (a
    :class:`~smstools_tui.errors.ConfigError`) is click's one-line usage error, naming the
    option. A value already read (a default, a test's) passes as it is."""

    read_type: type = object

    def read(self, text: str) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if self.read_type is not object and isinstance(value, self.read_type):
            return value
        try:
            return self.read(str(value))
        except ConfigError as error:
            self.fail(error.message, param, ctx)


class WindowBound(_ReadOnce):
    """``--since`` or ``--until``: a window expression; the command takes its start
    (``--since``) or its end (``--until``, so a bare date includes that day).

    Example:
        >>> WindowBound("end").convert("2026-11-30", None, None).text
        '2026-11-30'
    """

    name = "window"
    read_type = WindowExpr

    def __init__(self, edge: Literal["start", "end"]) -> None:
        self.edge = edge

    def read(self, text: str) -> WindowExpr:
        expression = parse_window(text)
        if self.edge == "end":
            WindowExpr.between(None, expression)  # a duration cannot end a window
        return expression


class WindowExprType(_ReadOnce):
    """``--window``: a whole window expression (``7d``, ``last-month``, ``2026-11-01..``).

    Example:
        >>> WindowExprType().convert("last-month", None, None).text
        'last-month'
    """

    name = "window"
    read_type = WindowExpr

    def read(self, text: str) -> WindowExpr:
        return parse_window(text)


class InstantType(_ReadOnce):
    """An instant typed by the user, as a window expression's start: an ISO-8601 datetime (no
    offset: local time), a bare date (its local midnight), or ``2h`` (two hours ago).

    Example:
        >>> InstantType().convert("2026-11-25T10:00:00Z", None, None).isoformat()
        '2026-11-25T10:00:00+00:00'
    """

    name = "datetime"
    read_type = datetime

    def read(self, text: str) -> datetime:
        return parse_window(text).start_at(datetime.now(UTC))


class FilterValueType(_ReadOnce):
    """One value of a filter option, read as :class:`~smstools_tui.query.Filters` reads it
    (a status in any case, a number as the API's digits, a country code, an id).

    Example:
        >>> FilterValueType("numbers").convert("+39 348 000 0000", None, None)
        '393480000000'
    """

    def __init__(self, filter_name: str) -> None:
        self.filter_name = filter_name
        self.name = filter_name

    def read(self, text: str) -> Any:
        return Filters.normalise(self.filter_name, text)


_FILTER_OPTIONS = ("statuses", "numbers", "senders", "campaigns", "services", "countries",
                   "carriers", "ids", "encodings", "hours", "text")  # fmt: skip


@dataclass(frozen=True)
class QueryOptions:
    """What a command asks for, as its options gave it: the window, a saved view, the filters.

    Attributes:
        since, until, window: the window options, read by :class:`WindowBound` and
            :class:`WindowExprType`.
        view: ``--view NAME``: a saved view whose values the other options replace.
        filters: filter keywords and their values (repeated options give several).
    """

    since: WindowExpr | None = None
    until: WindowExpr | None = None
    window: WindowExpr | None = None
    view: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> QueryOptions:
        """Take the query's options out of a command's keyword arguments."""
        return cls(
            since=kwargs.pop("since", None),
            until=kwargs.pop("until", None),
            window=kwargs.pop("window", None),
            view=kwargs.pop("view", None),
            filters={name: kwargs.pop(name) for name in _FILTER_OPTIONS if name in kwargs},
        )

    def query(
        self,
        kind: Kind | None,
        *,
        now: datetime,
        zone: Zone = None,
        report: str | None = None,
        group: str | None = None,
    ) -> Query:
        """The command's query at ``now`` (its source's clock). With ``--view`` the view gives
        the kind, window, filters and grouping the options leave out.

        Raises:
            ConfigError: no kind (and no view to give one), a view of another kind or report,
                or options that make no query.
        """
        given: dict[str, Any] = {
            name: value for name, value in self.filters.items() if value not in (None, ())
        }
        window: dict[str, Any] = {"since": self.since, "until": self.until, "window": self.window}
        if self.view is not None:
            saved = find_view(self.view)
            if saved.report is not None and saved.report != report:
                asked = f"the {report} report" if report else "messages"
                raise ConfigError(
                    f"the view {self.view!r} is of the {saved.report} report, not {asked}: "
                    f"run smstools-tui report {saved.report} --view {self.view}"
                )
            if report is not None:
                kind = "sent"  # reports read sent messages, with the replies they had
            return saved.query(now, zone, kind=kind, report=report, group=group, **window, **given)
        if kind is None:
            raise ConfigError("say which messages: sent or received (or give --view NAME)")
        return Query.build(kind, now=now, zone=zone, report=report, group=group, **window, **given)


def query_options(kinds: tuple[Kind, ...] = ("sent", "received")) -> Callable[[F], F]:
    """The window options, ``--view`` and the filter options that apply to ``kinds`` (none
    for no kinds)."""
    sent_only = "" if kinds == ("sent",) else "Sent only: "
    received_only = "" if kinds == ("received",) else "Received only: "
    statuses = " ".join(STATUS_DTYPE.categories)
    options = [
        click.option(
            "--since", type=WindowBound("start"), metavar="WHEN",
            help="Where the window starts: 7d, 24h, today, this-month, last-month, 2026-11, "
            "YYYY-MM-DD (local midnight) or ISO-8601. Default: 30 days before --until.",
        ),
        click.option(
            "--until", type=WindowBound("end"), metavar="WHEN",
            help="Where the window ends: YYYY-MM-DD (that whole day, local time), a period "
            "(yesterday, last-month: its end) or ISO-8601. Default: now.",
        ),
        click.option(
            "--window", type=WindowExprType(), metavar="WINDOW",
            help="The whole window at once, instead of --since/--until: 7d, last-month, "
            "2026-11, 2026-11-01..2026-11-15. Local time (TZ).",
        ),
        click.option(
            "--view", metavar="NAME",
            help="A saved view ([views.NAME] in the config file); the other options given "
            "replace its values.",
        ),
    ]  # fmt: skip
    if "sent" in kinds:
        options += [
            click.option(
                "--status", "statuses", type=FilterValueType("statuses"), multiple=True,
                metavar="STATUS", help=f"{sent_only}this status ({statuses}); repeat for several.",
            ),
            click.option(
                "--campaign", "campaigns", type=FilterValueType("campaigns"), multiple=True,
                metavar="ID", help=f"{sent_only}this campaign (transactionId); repeatable.",
            ),
            click.option(
                "--id", "ids", type=FilterValueType("ids"), multiple=True, metavar="ID",
                help=f"{sent_only}this message id; repeatable. Without a window option, "
                "the messages are searched by id alone.",
            ),
            click.option(
                "--encoding", "encodings", type=FilterValueType("encodings"), multiple=True,
                metavar="GSM-7|UCS-2", help=f"{sent_only}texts of this encoding; repeatable.",
            ),
        ]  # fmt: skip
    if kinds:  # the dashboard takes no filters: its own widgets set them
        sender_help = (
            "the sender alias (sent) or the number a message came from (received)"
            if len(kinds) == 2
            else "the sender alias"
            if kinds == ("sent",)
            else "the number it came from"
        )
        options += [
            click.option(
                "--number", "--msisdn", "numbers", type=FilterValueType("numbers"),
                multiple=True, metavar="N", help="The other party's number (+39 348…, 0039…, "
                "39348… alike); repeatable.",
            ),
            click.option(
                "--sender", "senders", multiple=True, metavar="S",
                help=f"Only {sender_help}; repeatable.",
            ),
            click.option(
                "--country", "countries", type=FilterValueType("countries"), multiple=True,
                metavar="CC", help="The other party's country (IT, CH …); repeatable.",
            ),
            click.option(
                "--carrier", "carriers", type=FilterValueType("carriers"), multiple=True,
                metavar="NAME", help="The carrier the other party's number was originally "
                "allocated to (TIM, Vodafone …, as `report carriers` names them); repeatable.",
            ),
            click.option(
                "--hour", "hours", type=FilterValueType("hours"), multiple=True,
                metavar="'DAY HH [ZONE]'", help="An hour of the week ('Mon 09', in the machine's "
                "zone unless named: 'Mon 09 Europe/Rome'), as `report send-times` shows them; "
                "repeatable.",
            ),
            click.option(
                "--text", metavar="TEXT",
                help="Only messages whose text contains TEXT (any case).",
            ),
        ]  # fmt: skip
    if "received" in kinds:
        options.append(
            click.option(
                "--service", "services", type=FilterValueType("services"), multiple=True,
                metavar="ID", help=f"{received_only}this receiving service; repeatable.",
            )
        )  # fmt: skip

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@dataclass(frozen=True)
class ConnectionOptions:
    """The options shared by every command that reads SMS."""

    wire_format: str
    base_url: str | None
    concurrency: int
    demo: bool
    store: str | None = None
    offline: bool = False
    no_store: bool = False
    max_pages: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    account: str | None = None
    all_accounts: bool = False
    base_url_from_env: bool = False

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> ConnectionOptions:
        context = click.get_current_context(silent=True)
        from_env = (
            context is not None
            and "base_url" in context.params
            and context.get_parameter_source("base_url") is ParameterSource.ENVIRONMENT
        )
        options = cls(
            wire_format=kwargs.pop("wire_format"),
            base_url=kwargs.pop("base_url"),
            concurrency=kwargs.pop("concurrency"),
            demo=kwargs.pop("demo"),
            store=kwargs.pop("store", None),
            offline=kwargs.pop("offline", False),
            no_store=kwargs.pop("no_store", False),
            max_pages=kwargs.pop("max_pages", None),
            timeout=kwargs.pop("timeout", DEFAULT_TIMEOUT),
            account=kwargs.pop("account", None),
            all_accounts=kwargs.pop("all_accounts", False),
            base_url_from_env=from_env,
        )
        kwargs.pop("debug", None)
        options._check_store_flags()
        options._check_account_flags()
        return options

    def account_names(self) -> list[str]:
        """The named accounts these options take: ``--account NAME``'s, every one of the
        config file's with ``--all-accounts``, none otherwise.

        Raises:
            ConfigError: an account the config file does not name (the message lists those it
                does), or ``--all-accounts`` with none there.
        """
        if self.account is not None:
            return [find_account(self.account).name]
        if not self.all_accounts:
            return []
        names = list(load_accounts())
        if not names:
            raise ConfigError(
                f"--all-accounts: the config file {config_file_path()} names no account: add "
                "[accounts.NAME] tables (see the README, Many accounts)"
            )
        return names

    def client(self, *, demo_without_credentials: bool = False) -> MessageSource:
        """The source these options describe: the live account through its local store (or
        straight from the API with --no-store, or the store alone with --offline); the demo when
        asked (or, for the dashboard, when no credentials are configured). With
        ``--all-accounts``, an :class:`~smstools_tui.accounts.AccountsSource` over every
        named account (one that cannot be opened is one of its failures)."""
        if self.all_accounts:
            names = self.account_names()
            sources, failures = for_each_account(names, self.account_client)
            return AccountsSource(sources, failures=failures)
        if self.account is not None:
            return self.account_client(self.account)
        return self._unnamed_client(demo_without_credentials)

    def _settings(self) -> dict[str, Any]:
        return {
            "wire_format": self.wire_format,
            "concurrency": self.concurrency,
            "max_pages": self.max_pages,
            "timeout": self.timeout,
        }

    def account_client(self, name: str) -> MessageSource:
        """The source of the named account ``name``: its own credentials, base URL and store;
        every frame it answers has the ``account`` column.

        Raises:
            ConfigError: no such account, or its credentials cannot be found.
        """
        # --base-url on the command line wins; SMSTOOLS_BASE_URL only where the account names
        # no base URL of its own.
        given = None if self.base_url_from_env else self.base_url
        configured = Settings.from_env(account=name, base_url=given, **self._settings())
        source: MessageSource
        if self.offline:
            assert configured.credentials is not None  # an account always has them
            identity = StoreIdentity.of(configured.base_url, configured.credentials)
            source = StoredClient.offline(
                self.store or default_store_path(identity),
                base_url=configured.base_url,
                credentials=configured.credentials,
                # A --store root may hold every account: this one's folder in it.
                account=identity.dataset_account if self.store else None,
            )
        else:
            source = self._through_store(SmstoolsClient(configured), live=True)
        source.account_name = name
        return source

    def _unnamed_client(self, demo_without_credentials: bool) -> MessageSource:
        settings = self._settings()
        if self.offline:
            configured = Settings.from_env(base_url=self.base_url)
            return StoredClient.offline(
                self.store, base_url=configured.base_url, credentials=configured.credentials
            )
        if self.demo:
            return self._through_store(demo.demo_client(**settings), live=False)
        live = Settings.from_env(base_url=self.base_url, **settings)
        if live.credentials is None and demo_without_credentials:
            return self._through_store(demo.demo_client(**settings), live=False)
        return self._through_store(SmstoolsClient(live), live=True)

    def _through_store(self, client: SmstoolsClient, *, live: bool) -> MessageSource:
        # The demo has no store of its own (its data is made up on the spot): only --store.
        if self.no_store or (self.store is None and not live):
            return client
        try:
            return StoredClient.open(client, self.store)
        except BaseException:
            client.close()
            raise

    def _check_account_flags(self) -> None:
        if self.account is not None and self.all_accounts:
            raise ConfigError("--account and --all-accounts contradict each other: keep one")
        if (self.account is not None or self.all_accounts) and self.demo:
            flag = "--account" if self.account is not None else "--all-accounts"
            raise ConfigError(f"--demo is one made-up account: it cannot go with {flag}")

    def _check_store_flags(self) -> None:
        if self.offline and self.no_store:
            raise ConfigError("--offline reads the local store: it cannot go with --no-store")
        if self.offline and self.demo:
            raise ConfigError("--demo needs no network already: drop --offline")
        if self.store and self.no_store:
            raise ConfigError("--store and --no-store contradict each other: keep one")


class CommandWithout(click.Command):
    """A command that withholds some of the options its siblings take, and says why when one is
    given (``sync`` and ``--offline``): ``withheld`` maps each option to the reason.

    Example:
        >>> @click.command(cls=CommandWithout, withheld={"--offline": "it needs the network"})
        ... def fetch() -> None: ...
        >>> fetch.withheld
        {'--offline': 'it needs the network'}
    """

    def __init__(self, *args: Any, withheld: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.withheld = dict(withheld or {})


WIRE_FORMATS = ("json", "xml")


class WireFormatType(_StringChoice):
    """``--format``: what the API answers in (its ``Accept`` header), never the file written;
    a file format given there is refused, with where the file's type comes from when the
    command writes one (``out``).

    Example:
        >>> WireFormatType().convert("XML", None, None)
        'xml'
        >>> try:
        ...     WireFormatType().convert("csv", None, None)
        ... except click.BadParameter as error:
        ...     print(error.message)  # doctest: +NORMALIZE_WHITESPACE
        'csv' is not a wire format: --format is what the API answers in (json or xml);
        the file's type comes from --out's suffix (--out FILE.csv)
    """

    def __init__(self, *, out: bool = True) -> None:
        super().__init__(WIRE_FORMATS, case_sensitive=False)
        self.out = out

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            where = "this command writes no file"
            if self.out:
                suffix = str(value).lower().lstrip(".")
                example = f"FILE.{suffix}" if f".{suffix}" in _FILE_SUFFIXES else "FILE.csv"
                where = f"the file's type comes from --out's suffix (--out {example})"
            self.fail(
                f"{value!r} is not a wire format: --format is what the API answers in (json or "
                f"xml); {where}",
                param,
                ctx,
            )


_FILE_SUFFIXES = (".csv", ".parquet", ".html")


def connection_options_for(
    *, offline: bool = True, no_store: bool = True, debug: bool = True, out: bool = True
) -> Callable[[F], F]:
    """The options of a command that reads SMS, those that work for it alone: ``sync`` takes
    neither ``--offline`` nor ``--no-store``; the root command has its own ``--debug``; only a
    command with ``--out`` (``out``) says that the file's type comes from there."""
    not_a_file = (
        "not the file's type, which comes from --out's suffix" if out else "not a file format"
    )
    options = [
        click.option(
            "--format", "wire_format", type=WireFormatType(out=out), default="json",
            show_default=True,
            help=f"The API's wire format, what it answers in (the Accept header); {not_a_file}.",
        ),
        click.option(
            "--base-url", envvar="SMSTOOLS_BASE_URL", metavar="URL",
            help="The API's base URL (https only, except a local sandbox). "
            "Default: https://api.smstools.it/rest/api",
        ),
        click.option(
            "--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
            help="Pages fetched at the same time.",
        ),
        click.option(
            "--max-pages", type=click.IntRange(min=1), metavar="N",
            help="The page budget of one search: a search that would take more pages is "
            "refused after its first. Default: 10,000.",
        ),
        click.option(
            "--timeout", type=click.FloatRange(0, min_open=True), default=DEFAULT_TIMEOUT,
            show_default=True, metavar="SECONDS",
            help="The most one request may take, from connecting to its last byte, however "
            "slowly the server sends; a request that runs out of time is retried.",
        ),
        click.option(
            "--demo", is_flag=True, help="Use the built-in demo data: no credentials, no network.",
        ),
        click.option(
            "--store", metavar="PATH|URL",
            help="The store to read from and sync into: a folder, or s3://bucket/prefix "
            "(gs://, az://, file://; needs the cloud extra). Default: one per account "
            "and base URL in the user data folder (none for --demo).",
        ),
        click.option(
            "--account", metavar="NAME",
            help="A named account of the config file ([accounts.NAME]): its credentials, "
            "base URL and store; frames gain the account column.",
        ),
    ]  # fmt: skip
    if offline:
        options.append(
            click.option(
                "--offline", is_flag=True,
                help="Answer from the local store alone: no network, no credentials needed.",
            )
        )  # fmt: skip
    if no_store:
        options.append(
            click.option(
                "--no-store", "no_store", is_flag=True,
                help="Bypass the local store: fetch the whole window from the API.",
            )
        )  # fmt: skip
    if debug:
        # ``--debug`` after the command's name: main() reads it from the arguments.
        options.append(click.option("--debug", is_flag=True, hidden=True))

    def decorate(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def all_accounts_option(command: F) -> F:
    """``--all-accounts``: every named account of the config file, a few at a time."""
    return click.option(
        "--all-accounts", "all_accounts", is_flag=True,
        help="Every named account of the config file ([accounts.NAME]), a few at a time; one "
        "failing does not stop the others (each is reported; the exit code is non-zero).",
    )(command)  # fmt: skip


def end_accounts(source: MessageSource) -> None:
    """After a command's work on several accounts: one line on stderr for each account that
    failed, then :class:`~smstools_tui.errors.AccountsFailed` (a non-zero exit)."""
    if isinstance(source, AccountsSource) and source.failures:
        try:
            source.raise_failures()
        except AccountsFailed as failed:
            report_failures(failed)
            raise


def report_failures(failed: AccountsFailed) -> None:
    """One line on stderr for each account that failed (once: ``reported`` says it was)."""
    if failed.reported:
        return
    for name, error in failed.failures.items():
        click.echo(printable(f"account {name}: failed: {error.message}"), err=True)
    failed.reported = True


connection_options = connection_options_for()
"""Every connection option: for the commands that read SMS through the store or around it."""


@contextmanager
def progress_bars(unit: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """Progress bars on stderr when it is a terminal, one per label, counted in ``unit``, with
    the time taken and the time left; ``None`` (no bars) otherwise. The updater is
    ``update(label, done, total)``."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    # A bar appears once its first page has answered, and with it the total: the time left
    # is an estimate from then on.
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total, completed=done)
            else:
                progress.update(tasks[label], completed=done, total=total)

        yield update


@contextmanager
def fetch_progress(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A bar of pages read on stderr when it is a terminal; ``None`` (no bar) otherwise."""
    with progress_bars("pages") as bars:
        yield (lambda done, total: bars(label, done, total)) if bars else None


def check_out(out: str, suffixes: tuple[str, ...]) -> None:
    """Refuse an output path that cannot be written, before any request is made: a wrong
    suffix, a missing or read-only folder, a folder in the file's place. ``-`` (standard output)
    is always fine."""
    if out == "-":
        return
    if not out.lower().endswith(suffixes):
        raise ConfigError(f"--out {out!r}: the file name must end in {' or '.join(suffixes)}")
    target = Path(out)
    folder = target.parent
    if not folder.is_dir():
        raise ConfigError(f"--out {out!r}: the folder {folder} does not exist")
    if target.is_dir():
        raise ConfigError(f"--out {out!r} is a folder: name a file")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"--out {out!r}: the folder {folder} is not writable")


def free_name(path: Path) -> Path:
    """``path``, or when a file is there already the first free ``NAME.2.EXT``, ``NAME.3.EXT``…:
    a file written without being named never replaces one.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> (folder / "sent.csv").touch()
        >>> free_name(folder / "sent.csv").name, free_name(folder / "other.csv").name
        ('sent.2.csv', 'other.csv')
    """
    candidate, number = path, 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.stem}.{number}{path.suffix}")
    return candidate


def save_partial_on_error(error: SmstoolsError, out: str | None) -> None:
    """When a fetch failed part-way, keep what it read beside ``out`` and say so in the error."""
    partial = getattr(error, "partial", None)
    if not isinstance(partial, pd.DataFrame) or partial.empty or not out or out == "-":
        return
    kept = _keep_partial(out, lambda target: export_frame(partial, target))
    error.message = (
        f"{error.message}; the {len(partial):,} messages read before that are saved, "
        f"INCOMPLETE, in {kept}"
    )


def refuse_incomplete(
    out: str | None, what: str, write: Callable[[Path], object], problem: str | None
) -> NoReturn:
    """The store did not hold the whole window: a complete file is never written from it. With
    a file to write, ``write`` keeps ``what`` in ``NAME.partial.EXT``; the error (one line, the
    only one) says why and where."""
    reason = problem or "the local store does not hold the whole window"
    if out is None or out == "-":
        raise StoreError(f"{reason}; nothing was written: use --out FILE to keep what it holds")
    kept = _keep_partial(out, write)
    raise StoreError(f"{reason}; what it holds ({what}) is saved, INCOMPLETE, in {kept}")


def _keep_partial(out: str, write: Callable[[Path], object]) -> Path:
    target = partial_path(out)
    write(target)
    return target


def describe(path: Path | None, rows: int, what: str) -> str:
    where = str(path) if path is not None else "standard output"
    return f"wrote {rows:,} {what} to {where}"


MAX_TEXT_INPUT = 1_000_000
"""Bytes of a draft or a query read from a file or standard input: beyond this it is not one."""


def read_text_input(given: str | None, file: Path | None, *, missing: str, both: str) -> str:
    """The text a command works on (a draft, a query): given on its command line, read from
    ``--file``, or from standard input when either is ``-``. A file is UTF-8, at most
    :data:`MAX_TEXT_INPUT` bytes, without the one line break an editor ends it with.

    Args:
        missing: the error when neither is given, saying what to give.
        both: the error when both are given.

    Raises:
        ConfigError: neither or both given, or a file that cannot be read as such text.
    """
    if given is not None and file is not None:
        raise ConfigError(both)
    if file is None and given != "-":
        if given is None or not given.strip():
            raise ConfigError(missing)
        return given
    source = "standard input" if file is None or str(file) == "-" else str(file)
    try:
        if source == "standard input":
            data = sys.stdin.buffer.read(MAX_TEXT_INPUT + 1)
        else:
            assert file is not None
            with file.open("rb") as handle:
                data = handle.read(MAX_TEXT_INPUT + 1)
    except OSError as error:
        raise ConfigError(f"cannot read {source}: {error.strerror or error}") from None
    if len(data) > MAX_TEXT_INPUT:
        raise ConfigError(f"{source} holds more than {MAX_TEXT_INPUT:,} bytes: not one text")
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{source} is not UTF-8 text (byte {error.start})") from None
    return decoded.removesuffix("\n").removesuffix("\r")
