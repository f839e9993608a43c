"""Incremental sync: fetch only what the store lacks, in committed chunks, and re-check statuses.

For each kind of message, a sync searches the parts of its window the store does not cover
(:meth:`Coverage.missing`): the whole window the first time, afterwards only what is new since the
watermark. That newest gap starts ``overlap`` seconds before the watermark, because a message can
become searchable a little after the date it carries (a replicated index, a clock a second
apart): the overlap catches it, and nothing is doubled, since sent messages are merged by id and
the received messages of a searched span are replaced by the new, complete answer for that span.

Gaps are searched in chunks, oldest first, each committed as soon as it is complete. Every chunk
is capped three ways: about ``chunk_messages`` messages (judged from the density of what the
store holds, else of a first week, then of each chunk just read), at most ``chunk_span`` seconds
of time, and about ``chunk_seconds`` of work (judged from how fast the last chunk came); and it
grows at most fourfold from one chunk to the next, since a quiet stretch says little about a
busy one ahead. So a sync commits its progress every few seconds, a resumed one too, and an
interrupted sync (Ctrl-C, the network gone, the process killed) resumes after the last committed
chunk; what the interrupted search had read is committed too (sent messages by id; received
ones provisionally, until their span is searched completely).

Only what a search vouches for is stored: messages dated outside the span searched (a server
that ignores ``fromDate``, or gets its zone wrong) are left out with a warning, and so are
received messages without a date. Sent messages carry an id and would merge, but received ones
do not: stored, every later sync would add them again.

Before anything else a sync checks the store's files (:meth:`Store.repair`): a partition file
that is missing, cut short, or has a column of the wrong type is dropped with its month, which
the sync then fetches again.

Then the sent messages stored as PENDING or SENT, not just fetched, and inserted in the last
``recheck_days``, are searched by id (``id=1,2,3…``, ``id_batch`` at a time), and the answers
replace the stored copies: a message that got delivered is updated in place.
"""

from __future__ import annotations

import collections
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..account import Account
from ..api.client import SmstoolsClient
from ..errors import (
    BodyTooLargeError,
    FetchCancelled,
    ResultTooLargeError,
    SmstoolsError,
    StoreError,
)
from ..query import DEFAULT_WINDOW, Filters, Query, Span, WindowExpr, parse_window
from ..source import CancelToken, ProgressCallback
from .coverage import Span as EpochSpan
from .coverage import from_epoch
from .manifest import Kind, time_column
from .store import CommitStats, Store

__all__ = [
    "LeftOut",
    "SyncPolicy",
    "SyncProgress",
    "SyncReport",
    "Syncer",
    "account_from_json",
]

log = logging.getLogger("smstools_tui.store")

_FIRST_CHUNK = 7 * 86_400
_SMALLEST_CHUNK = 3_600
_GROWTH = 4.0

SyncProgress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; ``stage`` is ``sent``, ``received`` or
``statuses``; ``done`` and ``total`` count requests (pages), and ``total`` grows as the sync
learns how many pages each chunk has."""


@dataclass(frozen=True)
class SyncPolicy:
    """How a sync trades requests for freshness.

    Attributes:
        overlap: seconds before the watermark searched again, for late-indexed messages.
        recheck_days: re-check the status of non-final messages inserted this many days back;
            ``None`` re-checks every non-final message stored. Operators stop trying to deliver
            after at most a few days, so an older SENT message is not going to change.
        id_batch: message ids per status re-check request.
        chunk_messages: about how many messages one committed chunk holds, at most.
        chunk_span: the longest stretch of time, in seconds, one chunk searches.
        chunk_seconds: about how long fetching and committing one chunk may take.
    """

    overlap: int = 120
    recheck_days: float | None = 7.0
    id_batch: int = 250
    chunk_messages: int = 10_000
    chunk_span: int = 31 * 86_400
    chunk_seconds: float = 5.0


@dataclass
class LeftOut:
    """Messages searches answered from outside the span they searched: counted, not stored.

    Example:
        >>> left_out = LeftOut()
        >>> left_out.add("received", pd.Series(pd.to_datetime(["2020-01-01", None], utc=True)))
        >>> left_out.summary()  # doctest: +NORMALIZE_WHITESPACE
        'the API answered 2 received messages from outside the spans searched (dated
         2020-01-01T00:00:00+00:00; 1 without a date): they are not stored'
    """

    messages: dict[str, int] = field(default_factory=lambda: {"sent": 0, "received": 0})
    earliest: pd.Timestamp | None = None
    latest: pd.Timestamp | None = None
    undated: int = 0

    def __bool__(self) -> bool:
        return any(self.messages.values())

    def add(self, kind: Kind, dates: pd.Series) -> None:
        """Count the messages of ``kind`` dated ``dates`` (NaT: without a date)."""
        self.messages[kind] += len(dates)
        dated = dates.dropna()
        self.undated += len(dates) - len(dated)
        if len(dated):
            first, last = dated.min(), dated.max()
            self.earliest = first if self.earliest is None else min(self.earliest, first)
            self.latest = last if self.latest is None else max(self.latest, last)

    def summary(self) -> str:
        """One line for people."""
        counts = " and ".join(f"{count:,} {kind}" for kind, count in self.messages.items() if count)
        where = []
        if self.earliest is not None and self.latest is not None:
            span = self.earliest.isoformat()
            if self.latest != self.earliest:
                span += f" to {self.latest.isoformat()}"
            where.append(f"dated {span}")
        if self.undated:
            where.append(f"{self.undated:,} without a date")
        return (
            f"the API answered {counts} messages from outside the spans searched "
            f"({'; '.join(where)}): they are not stored"
        )


@dataclass
class SyncReport:
    """What a sync did.

    Attributes:
        new_sent, new_received: messages the store did not hold before.
        statuses_updated: stored sent messages whose status changed.
        rechecked: non-final messages whose status was asked by id.
        requests: HTTP requests made, retries included.
        fetched: messages received from the API, per kind (the overlap counted again).
        since, until: the window synced.
        seconds: how long it took.
        left_out: messages the searches answered from outside their spans (not stored).
    """

    new_sent: int = 0
    new_received: int = 0
    statuses_updated: int = 0
    rechecked: int = 0
    requests: int = 0
    fetched: dict[str, int] = field(default_factory=lambda: {"sent": 0, "received": 0})
    since: datetime | None = None
    until: datetime | None = None
    seconds: float = 0.0
    store: Path | None = None
    left_out: LeftOut = field(default_factory=LeftOut)

    def add(self, stats: CommitStats) -> None:
        self.new_sent += stats.new["sent"]
        self.new_received += stats.new["received"]
        self.statuses_updated += stats.updated

    def warn_left_out(self, *, failed: bool = False) -> None:
        """Log, once, the messages left out for their dates: a warning, unless the sync
        failed, when the error is what to say (one line) and this is detail (``--debug``)."""
        if self.left_out:
            log.log(logging.INFO if failed else logging.WARNING, "%s", self.left_out.summary())

    def summary(self) -> str:
        """One line for people.

        Example:
            >>> SyncReport(new_sent=1200, new_received=3, statuses_updated=41, requests=9).summary()
            'synced: 1,200 new sent, 3 new received, 41 statuses updated; 9 requests'
        """
        return (
            f"synced: {self.new_sent:,} new sent, {self.new_received:,} new received, "
            f"{self.statuses_updated:,} statuses updated; {self.requests:,} requests"
        )


class _Pages:
    """One stage's page count over many searches, with its total as soon as the stage's first
    page has answered: the pages read, the current search's own count (its first page tells),
    and, for the ``work`` still ahead (seconds of the window, ids to re-check), as many pages as
    the same work took in the latest searches (an account grows: its recent past tells the
    rest best). The estimate sharpens with every search; at the end it is exact.

    Example:
        >>> seen = []
        >>> pages = _Pages("sent", lambda stage, done, total: seen.append((done, total)), 300)
        >>> first = pages.callback(100)  # a search of a third of the work: 4 pages
        >>> first(1, 4), first(4, 4)
        (None, None)
        >>> last = pages.callback(200)
        >>> last(1, 9), last(9, 9)
        (None, None)
        >>> seen
        [(1, 12), (4, 12), (5, 13), (13, 13)]
    """

    LATEST = 3
    """The finished searches whose pages per unit of work predict the rest, with the current."""

    def __init__(self, stage: str, sink: SyncProgress | None, work: float) -> None:
        self.stage, self.sink = stage, sink
        self.ahead = float(work)  # the work no search has started on yet
        self.read = 0  # pages of the searches finished (or given up)
        self.latest: collections.deque[tuple[int, float]] = collections.deque(maxlen=self.LATEST)
        self.current = (0, 0)
        self.current_work = 0.0

    def callback(self, work: float) -> ProgressCallback | None:
        """The progress callback of the next search, which covers ``work`` of the stage."""
        if self.sink is None:
            return None
        self.read += self.current[0]
        if self.current_work:
            self.latest.append((self.current[0], self.current_work))
        self.current, self.current_work = (0, 0), float(work)
        self.ahead = max(self.ahead - work, 0.0)
        sink, stage = self.sink, self.stage

        def update(done: int, total: int) -> None:
            self.current = (done, total)
            pages = total + sum(count for count, _ in self.latest)
            work = self.current_work + sum(done_work for _, done_work in self.latest)
            ahead = round(self.ahead * pages / (work or 1.0))
            sink(stage, self.read + done, self.read + total + ahead)

        return update

    def give_back(self, work: float) -> None:
        """The current search was given up, its ``work`` split among the searches to come."""
        self.ahead += work
        self.current_work = 0.0


class Syncer:
    """Brings a :class:`Store` up to date from a :class:`SmstoolsClient`.

    Example:
        >>> import tempfile
        >>> from datetime import datetime, UTC
        >>> from smstools_tui.demo import demo_client
        >>> from smstools_tui.store import Store, StoreIdentity
        >>> client = demo_client(sent=2_000, received=100, now=datetime(2026, 11, 25, tzinfo=UTC))
        >>> who = StoreIdentity.of(client.settings.base_url, client.settings.credentials, "demo")
        >>> store = Store.open(Path(tempfile.mkdtemp()) / "store", who)
        >>> first = Syncer(client, store).sync(since="2026-11-01")
        >>> again = Syncer(client, store).sync()
        >>> first.new_sent > 100, again.new_sent, again.requests <= 3
        (True, 0, True)
    """

    def __init__(
        self, client: SmstoolsClient, store: Store, policy: SyncPolicy | None = None
    ) -> None:
        self.client = client
        self.store = store
        self.policy = policy or SyncPolicy()

    # -- entry points --------------------------------------------------------------------------

    def sync(
        self,
        since: WindowExpr | datetime | str | None = None,
        *,
        progress: SyncProgress | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncReport:
        """Sync the account, both kinds of message from ``since`` to now, and the statuses.

        ``since`` (a window expression, its text or a datetime: where it starts) defaults to
        where the store starts, or 30 days back for an empty store; an earlier ``since`` than
        the store's start fetches the missing history too.
        """
        started = time.perf_counter()
        requests_before = self.client.requests_made
        now = self.client.now()
        # Where the store starts is read before a repair may drop its first month: the window
        # then takes that month in, and fetches it again.
        window = Span.covering(self._start(since, now), now).ending_by(now)
        report = SyncReport(since=window.start, until=window.end, store=self.store.path)
        try:
            for damage in self.store.repair():
                log.warning("the store's %s; it is dropped and fetched again", damage)
            keep_account(self.store, self.client.account())
            fetched_ids: set[int] = set()
            for kind in ("sent", "received"):
                self.fill(kind, window, report, fetched_ids, progress, cancel)
            self.recheck(None, now, report, fetched_ids, progress, cancel)
            self.store.commit(synced_at=window.end)
        except BaseException:
            report.warn_left_out(failed=True)
            raise
        else:
            report.warn_left_out()
        finally:
            report.requests = self.client.requests_made - requests_before
            report.seconds = time.perf_counter() - started
        return report

    def _start(self, since: WindowExpr | datetime | str | None, now: datetime) -> datetime:
        if since is not None:
            span = Query.build("sent", since=since, now=now).span
            assert span is not None  # a query without ids has a span
            return span.start
        starts = [self.store.coverage(kind).start for kind in ("sent", "received")]
        known = [start for start in starts if start is not None]
        if known:
            return from_epoch(min(known))
        return parse_window(DEFAULT_WINDOW).resolve(now).start

    def fill(
        self,
        kind: Kind,
        window: Span,
        report: SyncReport,
        fetched_ids: set[int],
        progress: SyncProgress | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        """Search the parts of ``window`` the store lacks, chunk by chunk, committing each."""
        state = self.store.refresh().state(kind)
        coverage = state.coverage
        watermark = coverage.end
        # What the store holds tells how dense the account is, so a resumed or extended sync
        # sizes its chunks right away instead of probing again.
        covered = sum(end - start for start, end in coverage)
        length = _FIRST_CHUNK
        if state.rows and covered:
            length = int(self.policy.chunk_messages * covered / state.rows)
        length = self._capped(length)
        gaps = [
            (max(start - self.policy.overlap, 0) if start == watermark else start, end)
            for start, end in coverage.missing(*window.epoch)
        ]
        pages = _Pages(kind, progress, sum(end - start for start, end in gaps))
        for gap_start, gap_end in gaps:
            self._fill_gap(kind, gap_start, gap_end, length, report, fetched_ids, pages, cancel)

    def recheck(
        self,
        window: Span | None,
        now: datetime,
        report: SyncReport,
        fetched_ids: set[int],
        progress: SyncProgress | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        """Ask again, by id, for the stored messages not final yet (inside ``window`` if given),
        except those just fetched, and store the answers."""
        floor = None
        if self.policy.recheck_days is not None:
            floor = now - timedelta(days=self.policy.recheck_days)
        if window is not None:
            floor = max(floor, window.start) if floor else window.start
        until = window.end if window is not None else None
        ids = [
            value
            for value in self.store.pending_ids(since=floor, until=until)
            if value not in fetched_ids
        ]
        if not ids:
            return
        pages = _Pages("statuses", progress, len(ids))
        size = self.policy.id_batch
        answers: list[pd.DataFrame] = []
        try:
            for offset in range(0, len(ids), size):
                _check(cancel)
                batch = ids[offset : offset + size]
                by_ids = Query("sent", None, Filters(ids=frozenset(batch)))
                answers.append(
                    self.client.fetch(
                        by_ids, progress=pages.callback(len(batch)), cancel=cancel
                    ).frame
                )
                report.rechecked += len(batch)
        except SmstoolsError as error:
            if error.partial is not None:
                answers.append(error.partial)
            raise
        finally:
            # Whatever was answered is kept, even when a later batch failed.
            answers = [answer for answer in answers if len(answer)]
            if answers:
                report.add(self.store.commit(sent=pd.concat(answers, ignore_index=True)))

    # -- chunks ---------------------------------------------------------------------------------

    def _fill_gap(
        self,
        kind: Kind,
        start: int,
        end: int,
        length: int,
        report: SyncReport,
        fetched_ids: set[int],
        pages: _Pages,
        cancel: CancelToken | None,
    ) -> None:
        # Each chunk after the first (``length`` seconds) is sized from the one just read: its
        # density of messages and how long it took.
        cursor = start
        while cursor < end:
            _check(cancel)
            stop = min(cursor + length, end)
            began = time.perf_counter()
            rows = self._fetch_chunk(kind, cursor, stop, report, fetched_ids, pages, cancel)
            length = self._next_length(stop - cursor, rows, time.perf_counter() - began)
            cursor = stop

    def _next_length(self, span: int, rows: int, seconds: float) -> int:
        """The span of the chunk after one of ``span`` seconds that held ``rows`` messages and
        took ``seconds`` to fetch and commit."""
        growth = _GROWTH
        if rows:
            growth = min(growth, self.policy.chunk_messages / rows)
        if seconds > 0:
            growth = min(growth, self.policy.chunk_seconds / seconds)
        return self._capped(int(span * growth))

    def _capped(self, length: int) -> int:
        return max(min(length, self.policy.chunk_span), _SMALLEST_CHUNK)

    def _fetch_chunk(
        self,
        kind: Kind,
        start: int,
        end: int,
        report: SyncReport,
        fetched_ids: set[int],
        pages: _Pages,
        cancel: CancelToken | None,
    ) -> int:
        chunk = Query(kind, Span.from_epoch(start, end))
        try:
            result = self.client.fetch(chunk, progress=pages.callback(end - start), cancel=cancel)
        except ResultTooLargeError as error:
            if end - start < 2 or isinstance(error, BodyTooLargeError):
                # A narrower window does not make an oversized body smaller.
                self._keep_partial(kind, start, end, error.partial, report, fetched_ids)
                raise
            middle = start + (end - start) // 2
            pages.give_back(end - start)
            log.info("more messages than one search may return: splitting the chunk in two")
            return self._fetch_chunk(
                kind, start, middle, report, fetched_ids, pages, cancel
            ) + self._fetch_chunk(kind, middle, end, report, fetched_ids, pages, cancel)
        except SmstoolsError as error:
            self._keep_partial(kind, start, end, error.partial, report, fetched_ids)
            raise
        assert result.span is not None  # a search of a span
        searched = result.span.epoch
        frame = result.frame
        report.fetched[kind] += len(frame)
        frame = _vouched_for(frame, kind, searched, report.left_out)
        if kind == "sent":
            fetched_ids.update(int(value) for value in frame["id"].dropna())
            stats = self.store.commit(sent=frame, covered={"sent": [searched]})
        else:
            stats = self.store.commit(
                received=frame, replacing=[searched], covered={"received": [searched]}
            )
        report.add(stats)
        return len(frame)

    def _keep_partial(
        self,
        kind: Kind,
        start: int,
        end: int,
        partial: pd.DataFrame | None,
        report: SyncReport,
        fetched_ids: set[int],
    ) -> None:
        """Commit what a failed search had read, without claiming its span is covered."""
        if partial is None or partial.empty:
            return
        report.fetched[kind] += len(partial)
        partial = _vouched_for(partial, kind, (start, end), report.left_out)
        if kind == "sent":
            fetched_ids.update(int(value) for value in partial["id"].dropna())
            report.add(self.store.commit(sent=partial))
            return
        # Received: only the uncovered part of the span is provisional; what is covered there
        # already is a complete answer, which a partial one must not replace.
        spans = self.store.coverage("received").missing(start, end)
        if not spans:
            return
        inside = _dated_in(partial[time_column("received")], spans)
        held = self.store.read("received", from_epoch(start), from_epoch(end))
        if inside.sum() < _dated_in(held[time_column("received")], spans).sum():
            # An earlier interrupted sync stored more of these spans: a smaller partial answer
            # would throw messages away (received messages have no id to merge on).
            return
        report.add(self.store.commit(received=partial[inside], replacing=spans))


def _vouched_for(
    frame: pd.DataFrame, kind: Kind, span: EpochSpan, left_out: LeftOut
) -> pd.DataFrame:
    """The messages of a search of ``span`` that the search vouches for: those dated inside it
    (and sent ones without a date, which merge by id). The others are counted in
    ``left_out``."""
    dates = frame[time_column(kind)]
    keep = _dated_in(dates, [span])
    if kind == "sent":
        keep |= dates.isna().to_numpy()
    if keep.all():
        return frame
    left_out.add(kind, dates[~keep])
    return frame[keep].reset_index(drop=True)


def _dated_in(dates: pd.Series, spans: Iterable[EpochSpan]) -> np.ndarray:
    """Where ``dates`` fall in one of ``spans`` (a missing date falls in none)."""
    inside = np.zeros(len(dates), dtype=bool)
    for start, end in spans:
        span = Span.from_epoch(start, end)
        within = (dates >= pd.Timestamp(span.start)) & (dates < pd.Timestamp(span.end))
        inside |= within.fillna(False).to_numpy(dtype=bool)
    return inside


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.is_set():
        raise FetchCancelled("the sync was cancelled; what it had fetched is stored")


# -- the account, for working offline ---------------------------------------------------------


def keep_account(store: Store, account: Account) -> None:
    """Keep ``account`` in ``store`` for offline use: a commit only when it changed (every sync
    and every online account call asks)."""
    details = account.to_json()
    if details != store.refresh().account_details:
        store.commit(account_details=details)


def account_from_json(data: dict[str, Any]) -> Account:
    """The :class:`Account` the store kept (:meth:`Account.to_json`).

    Raises:
        StoreError: the stored details are damaged (a sync writes them afresh).
    """
    try:
        return Account.from_json(data)
    except (TypeError, ValueError, AttributeError):
        raise StoreError(
            "the account details in the store are damaged; run 'smstools-tui sync' to fetch "
            "them again"
        ) from None
