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
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, Self

from .config import find_view
from .errors import ConfigError
from .query import FetchResult, FilterValue, Kind, Query, Span, WindowExpr, Zone

if TYPE_CHECKING:
    import pandas as pd

    from .account import Account

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
        return self._fetch(query, progress, cancel)

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
