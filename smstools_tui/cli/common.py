"""What every command shares: connection and window options, the client, progress, partial saves."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd

from ..api.client import SmstoolsClient
from ..config import DEFAULT_TIMEOUT, Settings
from ..dates import parse_user_datetime
from ..errors import ConfigError, SmstoolsError
from ..report.export import export_frame, partial_path
from ..store import MessageSource, StoredClient

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ConnectionOptions:
    """The options shared by every command that reads SMS."""

    since: str | None
    until: str | None
    wire_format: str
    base_url: str | None
    concurrency: int
    demo: bool
    store: str | None = None
    offline: bool = False
    no_store: bool = False
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
            timeout=kwargs.pop("timeout", DEFAULT_TIMEOUT),
        )
        kwargs.pop("debug", None)
        options._check_store_flags()
        # Parse the window now, so a typo fails before any request is made.
        if options.since:
            parse_user_datetime(options.since)
        if options.until:
            parse_user_datetime(options.until, end_of_day=True)
        return options

    def client(self, *, demo_without_credentials: bool = False) -> MessageSource:
        """The source these options describe: the live account through its local store (or
        straight from the API with --no-store, or the store alone with --offline); the demo when
        asked (or, for the dashboard, when no credentials are configured)."""
        settings: dict[str, Any] = {
            "wire_format": self.wire_format,
            "concurrency": self.concurrency,
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
                metavar="DT",
                help="Start of the window: YYYY-MM-DD (local midnight) or ISO-8601 with offset. "
                "Default: 30 days before --until.",
            ),
            click.option(
                "--until",
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


def save_partial_on_error(error: SmstoolsError, out: str | None) -> None:
    """When a fetch failed part-way, keep what it read beside ``out`` and say so in the error."""
    partial = getattr(error, "partial", None)
    if not isinstance(partial, pd.DataFrame) or partial.empty or not out or out == "-":
        return
    target = partial_path(out)
    export_frame(partial, target)
    error.message = (
        f"{error.message}; the {len(partial):,} messages read before that are saved, "
        f"INCOMPLETE, in {target}"
    )


def describe(path: Path | None, rows: int, what: str) -> str:
    where = str(path) if path is not None else "standard output"
    return f"wrote {rows:,} {what} to {where}"
