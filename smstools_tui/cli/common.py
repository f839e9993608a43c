"""What every command shares: connection and window options, the client, progress, partial saves."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
import pandas as pd

from ..api.client import SmstoolsClient
from ..config import DEFAULT_TIMEOUT, Settings
from ..dates import parse_user_datetime
from ..errors import ConfigError, SmstoolsError, StoreError
from ..report.export import export_frame, partial_path
from ..store import MessageSource, StoredClient

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:  # generic since click 8.4; subscripted for the type checker only
    _InstantParam = click.ParamType[datetime]
else:
    _InstantParam = click.ParamType


class UserDateTime(_InstantParam):
    """A date or datetime typed by the user, read once, where it enters, into an aware UTC
    instant (see :func:`~smstools_tui.dates.parse_user_datetime`); ``end_of_day`` reads a bare
    date as the end of that day, as a window's end.

    Example:
        >>> UserDateTime(end_of_day=True).convert("2026-11-30T00:00Z", None, None).isoformat()
        '2026-11-30T00:00:00+00:00'
    """

    name = "datetime"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_user_datetime(str(value), end_of_day=self.end_of_day)
        except ConfigError as error:
            self.fail(error.message, param, ctx)


@dataclass(frozen=True)
class ConnectionOptions:
    """The options shared by every command that reads SMS."""

    since: datetime | None
    until: datetime | None
    wire_format: str
    base_url: str | None
    concurrency: int
    demo: bool
    store: str | None = None
    offline: bool = False
    no_store: bool = False
    max_pages: int | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_kwargs(cls, kwargs: dict[str, Any]) -> ConnectionOptions:
        options = cls(
            since=kwargs.pop("since"),
            until=kwargs.pop("until"),
            wire_format=kwargs.pop("wire_format"),
            base_url=kwargs.pop("base_url"),
            concurrency=kwargs.pop("concurrency"),
            demo=kwargs.pop("demo"),
            store=kwargs.pop("store", None),
            offline=kwargs.pop("offline", False),
            no_store=kwargs.pop("no_store", False),
            max_pages=kwargs.pop("max_pages", None),
            timeout=kwargs.pop("timeout", DEFAULT_TIMEOUT),
        )
        kwargs.pop("debug", None)
        options._check_store_flags()
        return options

    def client(self, *, demo_without_credentials: bool = False) -> MessageSource:
        """The source these options describe: the live account through its local store (or
        straight from the API with --no-store, or the store alone with --offline); the demo when
        asked (or, for the dashboard, when no credentials are configured)."""
        settings: dict[str, Any] = {
            "wire_format": self.wire_format,
            "concurrency": self.concurrency,
            "max_pages": self.max_pages,
            "timeout": self.timeout,
        }
        if self.offline:
            configured = Settings.from_env(base_url=self.base_url)
            return StoredClient.offline(
                self.store, base_url=configured.base_url, credentials=configured.credentials
            )
        if self.demo:
            return self._through_store(SmstoolsClient.demo(**settings), live=False)
        live = Settings.from_env(base_url=self.base_url, **settings)
        if live.credentials is None and demo_without_credentials:
            return self._through_store(SmstoolsClient.demo(**settings), live=False)
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

    def _check_store_flags(self) -> None:
        if self.offline and self.no_store:
            raise ConfigError("--offline reads the local store: it cannot go with --no-store")
        if self.offline and self.demo:
            raise ConfigError("--demo needs no network already: drop --offline")
        if self.store and self.no_store:
            raise ConfigError("--store and --no-store contradict each other: keep one")


def window_options(command: F) -> F:
    for option in reversed(
        [
            click.option(
                "--since",
                type=UserDateTime(),
                metavar="DT",
                help="Start of the window: YYYY-MM-DD (local midnight) or ISO-8601 with offset. "
                "Default: 30 days before --until.",
            ),
            click.option(
                "--until",
                type=UserDateTime(end_of_day=True),
                metavar="DT",
                help="End of the window: YYYY-MM-DD (that whole day, local time) or ISO-8601. "
                "Default: now.",
            ),
        ]
    ):
        command = option(command)
    return command


def connection_options(command: F) -> F:
    for option in reversed(
        [
            click.option(
                "--format",
                "wire_format",
                type=click.Choice(["json", "xml"]),
                default="json",
                show_default=True,
                help="What the API answers in (the Accept header).",
            ),
            click.option(
                "--base-url",
                envvar="SMSTOOLS_BASE_URL",
                metavar="URL",
                help="The API's base URL (https only, except a local sandbox). "
                "Default: https://api.smstools.it/rest/api",
            ),
            click.option(
                "--concurrency",
                type=click.IntRange(1, 64),
                default=4,
                show_default=True,
                help="Pages fetched at the same time.",
            ),
            click.option(
                "--max-pages",
                type=click.IntRange(min=1),
                metavar="N",
                help="The page budget of one search: a search that would take more pages is "
                "refused after its first. Default: 10,000.",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(0, min_open=True),
                default=DEFAULT_TIMEOUT,
                show_default=True,
                metavar="SECONDS",
                help="The most one request may take, from connecting to its last byte, however "
                "slowly the server sends; a request that runs out of time is retried.",
            ),
            click.option(
                "--demo",
                is_flag=True,
                help="Use the built-in demo data: no credentials, no network.",
            ),
            click.option(
                "--store",
                metavar="PATH",
                help="The local store to read from and sync into. Default: one per account "
                "and base URL in the user data folder (none for --demo).",
            ),
            click.option(
                "--offline",
                is_flag=True,
                help="Answer from the local store alone: no network, no credentials needed.",
            ),
            click.option(
                "--no-store",
                "no_store",
                is_flag=True,
                help="Bypass the local store: fetch the whole window from the API.",
            ),
            click.option("--debug", is_flag=True, hidden=True),
        ]
    ):
        command = option(command)
    return command


@contextmanager
def progress_bars(unit: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """Progress bars on stderr when it is a terminal, one per label, counted in ``unit``;
    ``None`` (no bars) otherwise. The updater is ``update(label, done, total)``."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=None)
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


def is_complete(*frames: pd.DataFrame | None) -> bool:
    """Whether every frame read answers its whole window (offline, the store may hold only
    part of it); ``None`` stands for a frame the command did not need."""
    return all(
        frame.attrs.get("smstools", {}).get("complete", True)
        for frame in frames
        if frame is not None
    )


def refuse_incomplete(out: str | None, what: str, write: Callable[[Path], object]) -> NoReturn:
    """The store did not hold the whole window: a complete file is never written from it. With
    a file to write, ``write`` keeps ``what`` in ``NAME.partial.EXT``; the error says so."""
    reason = "the local store does not hold the whole window (sync it, online, to fill it)"
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
