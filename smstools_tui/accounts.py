"""Several accounts as one source: their frames side by side, each row naming its account.

An agency or a reseller runs many Smstools accounts (``[accounts.NAME]`` in the config file).
:class:`AccountsSource` answers the usual calls (``fetch``, ``sent``, ``received``, ``sql``)
for all of them at once: each account's own source (its client and its own store) is asked in
a thread of its own, a few at a time (:data:`ACCOUNTS_AT_ONCE`), and the frames are
concatenated with the ``account`` column. One account failing never stops the others: its
error is kept in :attr:`AccountsSource.failures`, the others' messages are answered, and
:meth:`AccountsSource.raise_failures` ends the work with :class:`AccountsFailed`.

Example:
    >>> from datetime import datetime, UTC
    >>> from smstools_tui.demo import demo_client
    >>> now = datetime(2026, 11, 25, tzinfo=UTC)
    >>> sources = {name: demo_client(sent=200, received=10, now=now, seed=seed)
    ...            for name, seed in (("acme", 1), ("globex", 2))}
    >>> with AccountsSource(sources) as both:
    ...     frame = both.sent(window="30d")
    >>> sorted(frame["account"].unique()), str(frame["account"].dtype)
    (['acme', 'globex'], 'category')
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from .account import Account
from .errors import AccountsFailed, SmstoolsError
from .frames import concat_accounts, with_account
from .query import FetchResult, Query, Span, Zone
from .source import CancelToken, MessageSource, ProgressCallback

if TYPE_CHECKING:
    import pandas as pd

    from .sql import SqlTables

__all__ = ["ACCOUNTS_AT_ONCE", "AccountsSource", "for_each_account"]

log = logging.getLogger(__name__)

ACCOUNTS_AT_ONCE = 4
"""How many accounts are fetched or synced at the same time: each fetches its own pages
concurrently already, so a few accounts at once keep the machine and the gateway busy without
flooding either."""

T = TypeVar("T")


def for_each_account(
    names: list[str],
    work: Callable[[str], T],
    *,
    at_once: int = ACCOUNTS_AT_ONCE,
    done: Callable[[str, T | None, SmstoolsError | None], None] | None = None,
) -> tuple[dict[str, T], dict[str, SmstoolsError]]:
    """Run ``work(name)`` for every account, ``at_once`` at a time; one that raises a
    :class:`~smstools_tui.errors.SmstoolsError` does not stop the others.

    Args:
        names: the accounts, in the order the answers are returned.
        work: what to do for one account.
        at_once: the most accounts worked on at the same time.
        done: called as ``done(name, result, error)`` as each account finishes (in the
            thread that finished it), to report progress.

    Returns:
        The results of the accounts that succeeded and the errors of those that failed, each
        by name in the order of ``names``.

    Example:
        >>> def work(name: str) -> int:
        ...     if name == "b":
        ...         raise SmstoolsError("refused")
        ...     return len(name)
        >>> for_each_account(["a", "b", "ccc"], work)
        ({'a': 1, 'ccc': 3}, {'b': SmstoolsError('refused')})
    """

    def one(name: str) -> tuple[T | None, SmstoolsError | None]:
        try:
            result: T | None = work(name)
            error: SmstoolsError | None = None
        except SmstoolsError as failure:
            result, error = None, failure
        if done is not None:
            done(name, result, error)
        return result, error

    with ThreadPoolExecutor(max_workers=max(1, at_once), thread_name_prefix="account") as pool:
        answers = dict(zip(names, pool.map(one, names), strict=True))
    results = {name: answer for name, (answer, error) in answers.items() if error is None}
    failures = {name: error for name, (_, error) in answers.items() if error is not None}
    return results, failures  # type: ignore[return-value]


class AccountsSource(MessageSource):
    """The sources of several accounts, answering as one: frames with the ``account`` column.

    Args:
        sources: each account's source (its client, or its store), by the account's name.
        failures: accounts that could not even be opened, by name: reported with those that
            fail later.
        at_once: the most accounts fetched at the same time.

    A fetch asks every account for the same query; an account that fails is left out of the
    answer and its error kept in :attr:`failures` (:meth:`raise_failures` reports them).
    """

    def __init__(
        self,
        sources: Mapping[str, MessageSource],
        *,
        failures: Mapping[str, SmstoolsError] | None = None,
        at_once: int = ACCOUNTS_AT_ONCE,
    ) -> None:
        self.sources = dict(sources)
        self.failures: dict[str, SmstoolsError] = dict(failures or {})
        self.at_once = at_once
        self.names = [*self.sources, *(name for name in self.failures if name not in self.sources)]
        total = len(self.names)
        self.label = f"{total} accounts" if total != 1 else self.names[0]
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The clock of the first account's source (they share one: the machine's)."""
        first = next(iter(self.sources.values()), None)
        if first is None:
            raise AccountsFailed(self.failures, len(self.names))
        return first.now()

    def account(self) -> Account:
        """The accounts together, named by how many they are."""
        return Account(business_name=self.label)

    def close(self) -> None:
        for source in self.sources.values():
            source.close()

    def _fetch(
        self, query: Query, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> FetchResult:
        names = [name for name in self.sources if name not in self.failures]

        def fetch(name: str) -> FetchResult:
            return self.sources[name].fetch(query, cancel=cancel)

        results, failures = for_each_account(names, fetch, at_once=self.at_once)
        with self._lock:
            self.failures.update(failures)
        for name, error in failures.items():
            log.warning("account %s failed: %s", name, error.message)
        if not results:
            raise AccountsFailed(self.failures, len(self.names))
        frames = [with_account(result.frame, name) for name, result in results.items()]
        answered = list(results.values())
        incomplete = [name for name, result in results.items() if not result.complete]
        problem = None
        if incomplete:
            problem = "; ".join(
                f"{name}: {results[name].problem or 'the answer may lack messages'}"
                for name in incomplete
            )
        return FetchResult(
            concat_accounts(frames),
            query,
            answered[0].span,
            fetched_at=min(result.fetched_at for result in answered),
            source=self.label,
            complete=not incomplete,
            problem=problem,
            offline=all(result.offline for result in answered),
        )

    def _sql_tables(self, span: Span | None, zone: Zone) -> SqlTables:
        """Tables over every account's messages: each account's own tables (its store's
        snapshot, or its frames) read whole, then side by side in one database."""
        from .sql import SqlTables

        def read(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
            with self.sources[name].sql_tables(window=span, zone=zone) as tables:
                return tables.query("SELECT * FROM sent"), tables.query("SELECT * FROM received")

        names = [name for name in self.sources if name not in self.failures]
        results, failures = for_each_account(names, read, at_once=self.at_once)
        with self._lock:
            self.failures.update(failures)
        if not results:
            raise AccountsFailed(self.failures, len(self.names))
        sent = [with_account(frames[0], name) for name, frames in results.items()]
        received = [with_account(frames[1], name) for name, frames in results.items()]
        return SqlTables.from_frames(
            concat_accounts(sent), concat_accounts(received), span=span, zone=zone
        )

    def raise_failures(self) -> None:
        """Raise :class:`~smstools_tui.errors.AccountsFailed` when any account failed."""
        if self.failures:
            ordered = {name: self.failures[name] for name in self.names if name in self.failures}
            raise AccountsFailed(ordered, len(self.names))
