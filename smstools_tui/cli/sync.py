"""``smstools-tui sync``: bring the local store up to date."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..accounts import for_each_account
from ..errors import AccountsFailed, ConfigError, SmstoolsError
from ..query import WindowExpr
from ..report.tables import printable
from ..store import Store, StoredClient, SyncPolicy, SyncProgress
from .common import (
    CommandWithout,
    ConnectionOptions,
    WindowBound,
    all_accounts_option,
    connection_options_for,
    progress_bars,
)

_STAGES = {"sent": "sent SMS", "received": "received SMS", "statuses": "statuses"}


@click.command(
    "sync",
    cls=CommandWithout,
    withheld={
        "--offline": "sync needs the network (export and report take --offline)",
        "--no-store": "sync writes the local store (export and report take --no-store)",
    },
)
@click.option(
    "--since",
    type=WindowBound("start"),
    metavar="WHEN",
    help="Sync from here: YYYY-MM-DD (local midnight), 90d, this-year, or ISO-8601. Default: "
    "where the store starts, or 30 days back for a new store. An earlier start fetches the "
    "history the store lacks.",
)
@connection_options_for(offline=False, no_store=False, out=False)
@all_accounts_option
@click.option(
    "--recheck-days",
    type=click.FloatRange(0),
    default=SyncPolicy().recheck_days,
    show_default=True,
    metavar="DAYS",
    help="Re-check the status of the PENDING/SENT messages sent in the last DAYS days.",
)
@click.option(
    "--recheck-all",
    is_flag=True,
    help="Re-check every PENDING/SENT message in the store, however old.",
)
def sync_command(
    since: WindowExpr | None, recheck_days: float, recheck_all: bool, **kwargs: Any
) -> None:
    """Fetch what is new since the last sync into the local store, and update the statuses of
    messages not final yet. The first sync fetches the whole window.

    An interrupted sync keeps what it fetched; running it again resumes.

    \b
    Examples:
      smstools-tui sync --since this-year      # first time: this year's history
      smstools-tui sync                        # then: only what is new
      smstools-tui export sent --offline --out sent.csv
      smstools-tui sync --all-accounts         # every [accounts.NAME], 4 at a time
    """
    options = ConnectionOptions.from_kwargs(kwargs)
    if options.demo and not options.store:
        raise ConfigError("--demo has no store of its own: add --store PATH to sync it into one")
    policy = SyncPolicy(recheck_days=None if recheck_all else recheck_days)
    if options.all_accounts:
        _sync_accounts(options, since, policy)
        return
    source = options.client()
    if not isinstance(source, StoredClient):  # pragma: no cover - ruled out just above
        raise ConfigError("sync needs a store")
    source.policy = policy
    with source, sync_progress() as progress:
        held = _messages_held(source.store)
        try:
            report = source.sync(since, progress=progress)
        except SmstoolsError as error:
            # A refused key or an unreachable host stores nothing: say "resume" only when
            # the store really changed.
            if _stored_since(source.store, held):
                error.message = (
                    f"{error.message}; what was fetched before that is stored in "
                    f"{source.store.path}: run sync again to resume"
                )
            raise
    click.echo(f"{report.summary()} in {report.seconds:.1f} s ({source.store.path})")


def _sync_accounts(
    options: ConnectionOptions, since: WindowExpr | None, policy: SyncPolicy
) -> None:
    """Sync every named account into its own store, a few at a time, one line each as it
    ends; one failing stops none of the others. Ends non-zero when any failed."""
    names = options.account_names()
    echo = threading.Lock()

    def sync_one(name: str) -> str:
        source = options.account_client(name)
        if not isinstance(source, StoredClient):  # pragma: no cover - sync takes no --no-store
            raise ConfigError("sync needs a store")
        source.policy = policy
        with source:
            report = source.sync(since)
        return f"{report.summary()} in {report.seconds:.1f} s ({source.store.path})"

    def done(name: str, line: str | None, error: SmstoolsError | None) -> None:
        with echo:
            if error is None:
                click.echo(printable(f"account {name}: {line}"))
            else:
                click.echo(printable(f"account {name}: failed: {error.message}"), err=True)

    _, failures = for_each_account(names, sync_one, done=done)
    if failures:
        failed = AccountsFailed(failures, len(names))
        failed.reported = True  # each on its line already, as it ended
        raise failed


def _messages_held(store: Store) -> object:
    """What the store holds of each kind (its files and the spans they cover), as committed."""
    manifest = store.refresh()
    return manifest.sent, manifest.received


def _stored_since(store: Store, held: object) -> bool:
    try:
        return _messages_held(store) != held
    except SmstoolsError:  # the error being reported matters more than this one
        return False


@contextmanager
def sync_progress() -> Iterator[SyncProgress | None]:
    """A progress bar on stderr when it is a terminal, one stage after the other; ``None``
    (no bar) otherwise."""
    with progress_bars("requests") as bars:
        if bars is None:
            yield None
            return

        def update(stage: str, done: int, total: int) -> None:
            bars(_STAGES.get(stage, stage), done, total)

        yield update
