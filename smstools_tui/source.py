"""One surface for every source of SMS: the live client and the store answer the same calls.

:class:`MessageSource` is the base of :class:`~smstools_tui.SmstoolsClient` (the API) and
:class:`~smstools_tui.StoredClient` (the local store, synced through the API). What they share
exists once, here: how keyword arguments become a :class:`~smstools_tui.query.Query` (on the
source's own clock), the checks a query passes before any request, and the ``sent`` /
``received`` convenience calls. A source answers :meth:`MessageSource.fetch` with a
:class:`~smstools_tui.query.FetchResult`.

Example:
    >>> from datetime import datetime, UTC
    >>> from smstools_tui.demo import demo_client
    >>> with demo_client(sent=1_000, received=50, now=datetime(2026, 11, 25, tzinfo=UTC)) as client:
    ...     query = client.query("sent", window="last-week", status="DELIVERED", zone="UTC")
    ...     result = client.fetch(query)
    >>> result.complete, set(result.frame["status"]), str(result.span)
    (True, {'DELIVERED'}, '2026-11-16T00:00:00+00:00 .. 2026-11-23T00:00:00+00:00')
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, Self

from .config import find_view
from .errors import ConfigError
from .frames import ACCOUNT_COLUMN, with_account
from .query import FetchResult, FilterValue, Kind, Query, Span, WindowExpr, Zone

if TYPE_CHECKING:
    import pandas as pd

    from .account import Account
    from .sql import SqlTables

__all__ = [
    "DEMO_LABEL",
    "CancelToken",
    "IncompleteDataWarning",
    "MessageSource",
    "ProgressCallback",
]

DEMO_LABEL = "demo"
"""The label of the built-in demo data (:mod:`smstools_tui.demo`)."""

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(pages_done, pages_total)`` from the thread that runs the fetch."""


class CancelToken(Protocol):
    """Anything with ``is_set()``, such as :class:`threading.Event`; setting it stops a fetch."""

    def is_set(self) -> bool: ...


class IncompleteDataWarning(UserWarning):
    """``sent()`` or ``received()`` answered with what the local store holds, which is not the
    whole window (offline, a window the store does not cover): the frame may lack messages.
    :meth:`MessageSource.fetch` says so in :attr:`FetchResult.complete` instead."""


WindowBound = WindowExpr | datetime | str | None
"""A window's start or end: a window expression, its text, or an aware datetime."""


class MessageSource(ABC):
    """A source of sent and received SMS: the live API or the local store.

    Subclasses give :meth:`_fetch`, :meth:`now`, :meth:`account`, :meth:`close` and
    :attr:`label`; everything else is shared. Use a source as a context manager.
    """

    label: str
    """Where the data comes from, for titles: ``demo``, the gateway's host, a store's label."""
    account_name: str | None = None
    """The account's name in the config file (``[accounts.NAME]``, or ``default``): when set,
    every frame this source answers ends with the ``account`` column holding it."""

    @property
    def is_demo(self) -> bool:
        """Whether this is the built-in demo data."""
        return self.label == DEMO_LABEL

    @abstractmethod
    def now(self) -> datetime:
        """The source's current time (aware, UTC): what relative windows count back from."""

    @abstractmethod
    def account(self) -> Account:
        """The account the messages belong to."""

    @abstractmethod
    def close(self) -> None:
        """Let go of connections and files."""

    @abstractmethod
    def _fetch(
        self, query: Query, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> FetchResult:
        """Answer a query already checked by :meth:`fetch`."""

    def fetch(
        self,
        query: Query,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> FetchResult:
        """The messages ``query`` asks for.

        Args:
            query: what to fetch; it is not changed, and :attr:`FetchResult.query` is it.
            progress: ``progress(pages_done, pages_total)`` as pages arrive.
            cancel: an ``Event``-like object; setting it stops the fetch.

        Raises:
            ConfigError: the query asks for a relation between messages (only
                ``smstools_tui.analysis.select``, which holds both kinds, answers that).
            SmstoolsError: the fetch failed; ``partial`` holds what arrived before.
        """
        if query.relation is not None:
            raise ConfigError(
                "a source fetches messages, not their relations to others: fetch both kinds "
                "and use smstools_tui.analysis.select"
            )
        result = self._fetch(query, progress, cancel)
        if self.account_name is not None and ACCOUNT_COLUMN not in result.frame:
            result = replace(result, frame=with_account(result.frame, self.account_name))
        return result

    def query(
        self, kind: Kind, *, view: str | None = None, zone: Zone = None, **keywords: Any
    ) -> Query:
        """A query on this source's clock: :meth:`Query.build
        <smstools_tui.query.Query.build>` with ``now`` the source's :meth:`now`; with
        ``view``, the saved view of that name (see :func:`~smstools_tui.config.load_views`),
        the ``keywords`` given replacing its values."""
        if view is not None:
            return find_view(view).query(self.now(), zone, kind=kind, **keywords)
        return Query.build(kind, now=self.now(), zone=zone, **keywords)

    def window(
        self,
        since: WindowBound = None,
        until: WindowBound = None,
        *,
        window: WindowExpr | str | None = None,
        zone: Zone = None,
    ) -> Span:
        """The span a read with these bounds searches, on this source's clock: by default the
        last 30 days; never after :meth:`now`."""
        span = Query.build("sent", since=since, until=until, window=window, now=self.now(),
                           zone=zone).span  # fmt: skip
        assert span is not None  # a query without ids always has one
        return span

    def sent(
        self,
        since: WindowBound = None,
        until: WindowBound = None,
        *,
        window: WindowExpr | Span | str | None = None,
        view: str | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **filters: FilterValue,
    ) -> pd.DataFrame:
        """Sent SMS, as the typed sent frame (see :mod:`smstools_tui.frames`).

        Args:
            since, until: the window ``[since, until)``: window expressions (``7d``,
                ``2026-11-01``, ``last-month`` …; a bare date is local midnight, and as
                ``until`` includes that whole day) or aware datetimes. Default: the last 30 days.
            window: the whole window instead (an expression such as ``last-month``, or a
                :class:`~smstools_tui.query.Span`).
            view: a saved view's name (``[views.NAME]`` in the config file); the window and
                filters given here replace the view's.
            filters: ``statuses``, ``numbers``, ``senders``, ``campaigns``, ``ids``,
                ``countries`` (one value or a list), ``text``; the singular spellings
                (``status="NOTDELIVERED"``, ``campaign=…``, ``msisdn=…``) too.
            progress: ``progress(pages_done, pages_total)``.
            cancel: an ``Event``-like object; setting it stops the fetch.

        When the answer may lack messages of the window (offline, from a store that does not
        cover it) an :class:`IncompleteDataWarning` says so.

        Example:
            >>> from smstools_tui.demo import demo_client
            >>> with demo_client(sent=2_000, received=100) as client:
            ...     failed = client.sent(window="30d", statuses=["NOTDELIVERED", "NOSENT"])
            >>> set(failed["status"]) <= {"NOTDELIVERED", "NOSENT"}
            True
        """
        return self._frame("sent", since, until, window, view, progress, cancel, filters)

    def received(
        self,
        since: WindowBound = None,
        until: WindowBound = None,
        *,
        window: WindowExpr | Span | str | None = None,
        view: str | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        **filters: FilterValue,
    ) -> pd.DataFrame:
        """Received SMS, as the typed received frame; never de-duplicated (two identical
        messages from one number in one second are two messages).

        Arguments as :meth:`sent`; the filters are ``numbers`` (who sent it; also ``sender``,
        ``msisdn``), ``services``, ``countries`` and ``text``.

        Example:
            >>> from smstools_tui.demo import demo_client
            >>> with demo_client(sent=2_000, received=100) as client:
            ...     client.received(window="30d").columns.tolist()
            ['from', 'text', 'receiveDate', 'simId']
        """
        return self._frame("received", since, until, window, view, progress, cancel, filters)

    def _frame(
        self,
        kind: Kind,
        since: WindowBound,
        until: WindowBound,
        window: WindowExpr | Span | str | None,
        view: str | None,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
        filters: dict[str, Any],
    ) -> pd.DataFrame:
        query = self.query(kind, view=view, since=since, until=until, window=window, **filters)
        result = self.fetch(query, progress=progress, cancel=cancel)
        if not result.complete:
            warnings.warn(
                result.problem or "the answer may lack messages", IncompleteDataWarning,
                stacklevel=3,
            )  # fmt: skip
        return result.frame

    def sql(
        self,
        query: str,
        since: WindowBound = None,
        until: WindowBound = None,
        *,
        window: WindowExpr | Span | str | None = None,
        view: str | None = None,
        zone: Zone = None,
    ) -> pd.DataFrame:
        """The result of one SQL ``SELECT`` over the tables ``sent`` and ``received`` (see
        :mod:`smstools_tui.sql` for the tables, helper views, macros and what a query may not
        do): text as ``string[pyarrow]``, integers as nullable ``Int64``.

        Args:
            query: the SQL.
            since, until, window, view: restrict both tables to this window (as for
                :meth:`sent`); without any, they hold every message the source has (a store:
                all it holds; the API: every message it finds).
            zone: the calendar's zone for ``local_month`` and the ``days`` view.

        Raises:
            SqlError: the query failed, or was refused.

        Example:
            >>> from datetime import datetime, UTC
            >>> from smstools_tui.demo import demo_client
            >>> with demo_client(sent=2_000, received=100,
            ...                  now=datetime(2026, 11, 25, tzinfo=UTC)) as client:
            ...     rates = client.sql("SELECT status, count(*) AS messages FROM sent"
            ...                        " GROUP BY status ORDER BY status", window="30d")
            >>> rates["status"].tolist()[:2]
            ['PENDING', 'SENT']
        """
        with self.sql_tables(since, until, window=window, view=view, zone=zone) as tables:
            return tables.query(query)

    def sql_tables(
        self,
        since: WindowBound = None,
        until: WindowBound = None,
        *,
        window: WindowExpr | Span | str | None = None,
        view: str | None = None,
        zone: Zone = None,
    ) -> SqlTables:
        """The SQL tables :meth:`sql` queries, to run several queries on one snapshot (close
        them when done). Arguments as :meth:`sql`."""
        span: Span | None = None
        if any(bound is not None for bound in (since, until, window, view)):
            asked = self.query("sent", view=view, since=since, until=until, window=window,
                               zone=zone)  # fmt: skip
            span = asked.span
        return self._sql_tables(span, zone)

    def _sql_tables(self, span: Span | None, zone: Zone) -> SqlTables:
        """Tables over the frames of ``span`` (everything the source finds when ``None``)."""
        from .frames import ACCEPTED_DATES
        from .sql import SqlTables

        whole = span or Span(*ACCEPTED_DATES)
        sent = self.sent(window=whole)
        received = self.received(window=whole)
        return SqlTables.from_frames(sent, received, span=span, zone=zone)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
