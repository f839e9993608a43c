"""A client that answers from the local store and syncs only what the store lacks.

:class:`StoredClient` is a :class:`~smstools_tui.source.MessageSource`, as
:class:`~smstools_tui.SmstoolsClient` is, so the dashboard, the reports and notebooks use either
without knowing which. Online, a fetch first syncs the part of its span the store does not cover
(usually the minutes since the last sync, a request or two) and re-checks the statuses still
pending there; offline it answers from the store alone, as of the last sync, and its
:class:`~smstools_tui.query.FetchResult` says whether the store covers the whole span.

No lock is held while the network is used: the store keeps each commit consistent on its own,
so the dashboard's sent and received reads (and a sync) can run side by side.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..account import Account
from ..api.client import SmstoolsClient
from ..config import Credentials, Settings
from ..errors import ConfigError, SmstoolsError, StoreError
from ..query import FetchResult, Query, Span, WindowExpr, Zone
from ..source import CancelToken, MessageSource, ProgressCallback, WindowBound
from ..sql import SnapshotGoneError, SqlTables
from .coverage import from_epoch
from .locate import (
    StoreIdentity,
    default_store_path,
    find_offline_store,
    local_folder,
    remember_store,
)
from .remote import is_remote, is_url
from .store import Store
from .sync import (
    Syncer,
    SyncPolicy,
    SyncProgress,
    SyncReport,
    account_from_json,
    keep_account,
)

__all__ = ["StoredClient"]

log = logging.getLogger("smstools_tui.store")

_SQL_ATTEMPTS = 3


class StoredClient(MessageSource):
    """Sent and received SMS from the local store, synced incrementally through ``client``.

    Build it with :meth:`open` (online) or :meth:`offline`. Frames are the same typed frames,
    in the same order, as the client's; offline, a :class:`~smstools_tui.query.FetchResult` is
    ``complete`` only when the store covers the whole span.

    Example:
        >>> import tempfile
        >>> from datetime import datetime, UTC
        >>> from smstools_tui.demo import demo_client
        >>> live = demo_client(sent=2_000, received=100, now=datetime(2026, 11, 25, tzinfo=UTC))
        >>> folder = Path(tempfile.mkdtemp()) / "store"
        >>> with StoredClient.open(live, folder) as client:
        ...     first = client.sent("2026-11-01", "2026-11-20")
        ...     requests = live.requests_made
        ...     again = client.sent("2026-11-01", "2026-11-20")   # covered: no request
        ...     first.equals(again), live.requests_made == requests
        (True, True)
        >>> with StoredClient.offline(folder) as offline:
        ...     len(offline.sent("2026-11-01", "2026-11-20")) == len(first)
        True
    """

    def __init__(
        self,
        store: Store,
        client: SmstoolsClient | None = None,
        *,
        policy: SyncPolicy | None = None,
    ) -> None:
        """Serve ``store``; through ``client`` when online, from the store alone when ``None``.

        The store must be writable (opened with an identity) when a client is given.
        """
        self.store = store
        self.client = client
        self.policy = policy or SyncPolicy()
        self.label = client.label if client is not None else store.identity.label
        self._remembering = threading.Lock()
        self._remembered = False

    @classmethod
    def open(
        cls,
        client: SmstoolsClient,
        path: str | Path | None = None,
        *,
        policy: SyncPolicy | None = None,
    ) -> StoredClient:
        """The store of ``client``'s account (``path``, else the default place for its base URL
        and auth key), synced through ``client``.

        Raises:
            StoreError: ``path`` is another account's store, or not a store.
        """
        credentials = client.settings.credentials
        if credentials is None:  # a client always has them; this keeps the types honest
            raise ConfigError("the store needs credentials to know whose it is")
        identity = StoreIdentity.of(client.settings.base_url, credentials, client.label)
        folder: str | Path = default_store_path(identity)
        if path is not None:
            folder = path if is_url(path) else local_folder(path)
        return cls(Store.open(folder, identity), client, policy=policy)

    @classmethod
    def offline(
        cls,
        path: str | Path | None = None,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
        account: str | None = None,
    ) -> StoredClient:
        """Read a store with no network and no credentials: ``path``, else the store last used
        online for ``base_url`` (default: the configured one), else the default store of
        ``credentials`` when given. ``account`` (its ``sha256-…`` folder name or its label)
        picks one where the root holds several.

        Raises:
            ConfigError: no store was found.
            StoreError: what was found cannot be read.
        """
        if path is None and base_url is None:
            base_url = Settings.from_env().base_url
        folder = find_offline_store(base_url or "", path=path, credentials=credentials)
        return cls(Store.open(folder, account=account))

    @property
    def online(self) -> bool:
        return self.client is not None

    def __repr__(self) -> str:
        mode = "online" if self.online else "offline"
        return f"StoredClient({str(self.store.path)!r}, {mode})"

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    def now(self) -> datetime:
        """The current time online; offline, the moment the store is complete up to (its last
        sync), so default windows end where the data does."""
        if self.client is not None:
            return self.client.now()
        ends = [self.store.coverage(kind).end for kind in ("sent", "received")]
        known = [end for end in ends if end is not None]
        if not known:
            raise StoreError(f"the store in {self.store.path} holds nothing yet: sync it online")
        return from_epoch(min(known))

    def account(self) -> Account:
        """The account: from the API when online (and kept for offline use), else as of the
        last sync."""
        if self.client is not None:
            account = self.client.account()
            keep_account(self.store, account)
            return account
        stored = self.store.refresh().account_details
        if not stored:
            raise StoreError(
                f"the store in {self.store.path} has no account details yet: sync it online"
            )
        return account_from_json(stored)

    def receiving_services(self) -> pd.DataFrame:
        """The inbound services (online only: they are not stored)."""
        if self.client is None:
            raise StoreError("the receiving services are not stored: they need the network")
        return self.client.receiving_services()

    # -- sync ----------------------------------------------------------------------------------

    def sync(
        self,
        since: WindowExpr | datetime | str | None = None,
        *,
        progress: SyncProgress | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncReport:
        """Bring the whole store up to date (see :class:`~smstools_tui.store.sync.Syncer`).

        Example:
            >>> import tempfile
            >>> from datetime import datetime, UTC
            >>> from smstools_tui.demo import demo_client
            >>> live = demo_client(sent=2_000, received=100,
            ...                    now=datetime(2026, 11, 25, tzinfo=UTC))
            >>> with StoredClient.open(live, Path(tempfile.mkdtemp()) / "s") as client:
            ...     report = client.sync(since="2026-10-01")
            ...     report.new_sent > 0, client.sync().new_sent
            (True, 0)
        """
        client = self._require_client("sync")
        report = Syncer(client, self.store, self.policy).sync(
            since, progress=progress, cancel=cancel
        )
        self._remember()
        return report

    # -- reads ---------------------------------------------------------------------------------

    def _fetch(
        self, query: Query, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> FetchResult:
        if query.filters.ids and self.client is not None:
            # Asked by id: the freshest answer is the API's, and it refreshes the store.
            result = self.client.fetch(query, progress=progress, cancel=cancel)
            if len(result.frame):
                self.store.commit(sent=result.frame)
            return result
        now = self.now()
        if query.span is None:  # by ids alone, offline: every stored copy of them
            frame = self.store.read(query.kind, filters=query.filters)
            return self._result(query, None, frame, now)
        span = query.span.ending_by(now)
        if self.client is not None:
            self._ensure(query, span, progress, cancel)
            return self._result(query, span, self._read(query, span), now)
        missing = self.store.refresh().state(query.kind).coverage.missing(*span.epoch)
        problem = None
        if missing:
            gap = Span.from_epoch(*missing[0])
            problem = (
                f"the local store does not hold all {query.kind} messages of the window "
                f"(it lacks {gap.start.isoformat()} to {gap.end.isoformat()}"
                f"{f' and {len(missing) - 1} more gaps' if len(missing) > 1 else ''}): "
                "sync it, online, to fill it"
            )
        frame = self._read(query, span)
        return self._result(query, span, frame, now, problem=problem)

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
        """As :meth:`MessageSource.sql <smstools_tui.source.MessageSource.sql>`, over the
        store's current files; run again on a new snapshot when a sync replaced a file of the
        one taken before the query could read it."""
        for _ in range(_SQL_ATTEMPTS - 1):
            try:
                return super().sql(query, since, until, window=window, view=view, zone=zone)
            except SnapshotGoneError:
                log.info("a sync replaced a file of the SQL snapshot: taking a new one")
        return super().sql(query, since, until, window=window, view=view, zone=zone)

    def _sql_tables(self, span: Span | None, zone: Zone) -> SqlTables:
        """Tables over the store's current files, as one manifest lists them: a sync that
        commits meanwhile changes nothing the tables show. Online, what the store lacks of
        ``span`` is synced first, as a fetch of it would; without a window the store is read
        as the last sync left it."""
        if span is not None and self.client is not None:
            ending = span.ending_by(self.now())
            for kind in ("sent", "received"):
                self._ensure(self.query(kind, window=span), ending, None, None)
        if is_remote(self.store.path):  # DuckDB reads local files: the frames, read from it
            return super()._sql_tables(span, zone)
        bounds = (span.start, span.end) if span is not None else (None, None)
        files = self.store.snapshot_files(*bounds)
        return SqlTables.from_files(
            files["sent"], files["received"], span=span, zone=zone, account=self.account_name
        )

    def _read(self, query: Query, span: Span) -> pd.DataFrame:
        return self.store.read(query.kind, span.start, span.end, filters=query.filters)

    def _result(
        self,
        query: Query,
        span: Span | None,
        frame: pd.DataFrame,
        now: datetime,
        *,
        problem: str | None = None,
    ) -> FetchResult:
        return FetchResult(
            frame, query, span, fetched_at=now, source=self.label, complete=problem is None,
            problem=problem, offline=not self.online,
        )  # fmt: skip

    def _ensure(
        self,
        query: Query,
        span: Span,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
    ) -> None:
        """Sync what the store lacks of ``span`` (and re-check the statuses pending there)."""
        client = self._require_client("reading")
        syncer = Syncer(client, self.store, self.policy)
        report = SyncReport()
        fetched: set[int] = set()

        stages: dict[str, tuple[int, int]] = {}

        def pages(stage: str, done: int, total: int) -> None:
            # One running count over the searches and the re-checks, as a single fetch gives.
            stages[stage] = (done, total)
            if progress is not None:
                progress(sum(d for d, _ in stages.values()), sum(t for _, t in stages.values()))

        sink = pages if progress is not None else None
        try:
            syncer.fill(query.kind, span, report, fetched, sink, cancel)
            if query.kind == "sent":
                syncer.recheck(span, client.now(), report, fetched, sink, cancel)
        except SmstoolsError as error:
            # Nothing fetched is lost: the error carries all the store now holds of the window,
            # the chunks committed before the failure included.
            error.partial = self._read(query, span)
            report.warn_left_out(failed=True)
            raise
        report.warn_left_out()
        self._remember()

    # -- plumbing ------------------------------------------------------------------------------

    def _require_client(self, what: str) -> SmstoolsClient:
        if self.client is None:
            raise ConfigError(f"{what} needs the network: drop --offline")
        return self.client

    def _remember(self) -> None:
        with self._remembering:
            if not self._remembered and self.store.exists:
                if not is_remote(self.store.path):
                    remember_store(self.store.identity.base_url, self.store.path)
                self._remembered = True
