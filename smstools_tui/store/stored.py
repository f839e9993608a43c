"""A client that answers from the local store and syncs only what the store lacks.

:class:`StoredClient` has the surface of :class:`~smstools_tui.SmstoolsClient` (``sent``,
``received``, ``account``, ``window``, ``now``, ``label``, ``is_demo``, ``close``), so the
dashboard, the reports and notebooks use either without knowing which: both are a
:class:`MessageSource`. Online, a read first syncs the part of its window the store does not
cover (usually the minutes since the last sync, a request or two) and re-checks the statuses
still pending there; offline it answers from the store alone, as of the last sync.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Protocol, Self

import pandas as pd

from ..api.client import Account, SmstoolsClient
from ..api.paging import CancelToken, ProgressCallback
from ..config import Credentials, Settings
from ..dates import DateWindow, TimeInput
from ..errors import ConfigError, SmstoolsError, StoreError
from ..frames import SENT_SCHEMA, check_status, empty_frame
from ..msisdn import to_msisdn
from .coverage import Span, from_epoch, to_epoch
from .locate import StoreIdentity, default_store_path, find_offline_store, remember_store
from .manifest import Kind
from .store import Filters, Store
from .sync import Syncer, SyncPolicy, SyncProgress, SyncReport, account_from_json, account_to_json

__all__ = ["MessageSource", "StoredClient"]

log = logging.getLogger("smstools_tui.store")

_ENDPOINTS = {"sent": "/sms/search", "received": "/sms/received/search"}


class MessageSource(Protocol):
    """What the dashboard, the reports and notebooks need of a source of SMS: the surface
    :class:`~smstools_tui.SmstoolsClient` and :class:`StoredClient` share."""

    label: str

    @property
    def is_demo(self) -> bool: ...

    def sent(
        self,
        since: TimeInput = None,
        until: TimeInput = None,
        *,
        status: str | None = None,
        msisdn: str | None = None,
        campaign: str | None = None,
        ids: Iterable[int] | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame: ...

    def received(
        self,
        since: TimeInput = None,
        until: TimeInput = None,
        *,
        sender: str | Iterable[str] | None = None,
        service: str | int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame: ...

    def account(self) -> Account: ...

    def window(
        self, since: TimeInput = None, until: TimeInput = None, *, now: datetime | None = None
    ) -> DateWindow: ...

    def now(self) -> datetime: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *_: object) -> None: ...


class StoredClient:
    """Sent and received SMS from the local store, synced incrementally through ``client``.

    Build it with :meth:`open` (online) or :meth:`offline`. Frames are the same typed frames,
    in the same order, as the client's; ``frame.attrs["smstools"]`` says where they came from,
    and ``complete`` is ``False`` when (offline) the store does not cover the whole window.

    Example:
        >>> import tempfile
        >>> from datetime import datetime, UTC
        >>> live = SmstoolsClient.demo(sent=2_000, received=100,
        ...                            now=datetime(2026, 11, 25, tzinfo=UTC))
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
        self._lock = threading.RLock()
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
        folder = Path(path).expanduser() if path is not None else default_store_path(identity)
        return cls(Store.open(folder, identity), client, policy=policy)

    @classmethod
    def offline(
        cls,
        path: str | Path | None = None,
        *,
        base_url: str | None = None,
        credentials: Credentials | None = None,
    ) -> StoredClient:
        """Read a store with no network and no credentials: ``path``, else the store last used
        online for ``base_url`` (default: the configured one), else the default store of
        ``credentials`` when given.

        Raises:
            ConfigError: no store was found.
            StoreError: what was found cannot be read.
        """
        if path is None and base_url is None:
            base_url = Settings.from_env().base_url
        folder = find_offline_store(base_url or "", path=path, credentials=credentials)
        return cls(Store.open(folder))

    @property
    def online(self) -> bool:
        return self.client is not None

    @property
    def is_demo(self) -> bool:
        return self.label == "demo"

    def __repr__(self) -> str:
        mode = "online" if self.online else "offline"
        return f"StoredClient({str(self.store.path)!r}, {mode})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

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

    def window(
        self, since: TimeInput = None, until: TimeInput = None, *, now: datetime | None = None
    ) -> DateWindow:
        """The window a read with these bounds answers (see :meth:`DateWindow.resolve`)."""
        return DateWindow.resolve(since, until, now=now or self.now())

    # -- reads ---------------------------------------------------------------------------------

    def sent(
        self,
        since: TimeInput = None,
        until: TimeInput = None,
        *,
        status: str | None = None,
        msisdn: str | None = None,
        campaign: str | None = None,
        ids: Iterable[int] | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame:
        """Sent SMS, as :meth:`SmstoolsClient.sent <smstools_tui.SmstoolsClient.sent>`
        returns them, from the store (synced first when online)."""
        status = check_status(status) if status is not None else None
        id_list = [int(value) for value in ids] if ids is not None else None
        filters = Filters(
            status=status,
            msisdn=to_msisdn(msisdn) if msisdn else None,
            campaign=campaign or None,
            ids=tuple(id_list) if id_list is not None else None,
        )
        if id_list is not None:
            if not id_list:
                return empty_frame(SENT_SCHEMA)
            if self.client is not None:
                # Asked by id: the freshest answer is the API's, and it refreshes the store.
                frame = self.client.sent(
                    since, until, status=status, msisdn=msisdn, campaign=campaign, ids=id_list,
                    progress=progress, cancel=cancel,
                )  # fmt: skip
                if len(frame):
                    self.store.commit(sent=frame)
                return frame
            if since is None and until is None:
                return self._answer("sent", None, filters, complete=True)
        return self._read("sent", since, until, filters, progress, cancel)

    def received(
        self,
        since: TimeInput = None,
        until: TimeInput = None,
        *,
        sender: str | Iterable[str] | None = None,
        service: str | int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame:
        """Received SMS, as :meth:`SmstoolsClient.received
        <smstools_tui.SmstoolsClient.received>` returns them, from the store (synced first when
        online). Never de-duplicated."""
        senders = None
        if sender:
            numbers = [sender] if isinstance(sender, str) else list(sender)
            senders = tuple(to_msisdn(number) for number in numbers)
        filters = Filters(senders=senders, service=str(service) if service is not None else None)
        return self._read("received", since, until, filters, progress, cancel)

    def account(self) -> Account:
        """The account: from the API when online (and kept for offline use), else as of the
        last sync."""
        if self.client is not None:
            account = self.client.account()
            details = account_to_json(account)
            if details != self.store.manifest.account_details:
                self.store.commit(account_details=details)
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
        since: TimeInput = None,
        *,
        progress: SyncProgress | None = None,
        cancel: CancelToken | None = None,
    ) -> SyncReport:
        """Bring the whole store up to date (see :class:`~smstools_tui.store.sync.Syncer`).

        Example:
            >>> import tempfile
            >>> from datetime import datetime, UTC
            >>> live = SmstoolsClient.demo(sent=2_000, received=100,
            ...                            now=datetime(2026, 11, 25, tzinfo=UTC))
            >>> with StoredClient.open(live, Path(tempfile.mkdtemp()) / "s") as client:
            ...     report = client.sync(since="2026-10-01")
            ...     report.new_sent > 0, client.sync().new_sent
            (True, 0)
        """
        client = self._require_client("sync")
        with self._lock:
            report = Syncer(client, self.store, self.policy).sync(
                since, progress=progress, cancel=cancel
            )
            self._remember()
        return report

    # -- plumbing ------------------------------------------------------------------------------

    def _require_client(self, what: str) -> SmstoolsClient:
        if self.client is None:
            raise ConfigError(f"{what} needs the network: drop --offline")
        return self.client

    def _span(self, since: TimeInput, until: TimeInput) -> Span:
        """The whole-second window a search with these bounds covers, by the client's rule:
        ``[ceil(since), ceil(until))``, never past the second the read started in."""
        now = self.now()
        requested = self.window(since, until, now=now)
        start = to_epoch(requested.since)
        end = min(to_epoch(requested.until), to_epoch(now, up=False))
        return start, max(end, start + 1)

    def _read(
        self,
        kind: Kind,
        since: TimeInput,
        until: TimeInput,
        filters: Filters,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
    ) -> pd.DataFrame:
        with self._lock:
            span = self._span(since, until)
            if self.client is not None:
                self._ensure(kind, span, filters, progress, cancel)
                complete = True
            else:
                complete = self.store.refresh().state(kind).coverage.covers(*span)
                if not complete:
                    log.warning(
                        "the store does not hold all of %s to %s (%s); this answer is what "
                        "it holds, as of its last sync",
                        from_epoch(span[0]).isoformat(),
                        from_epoch(span[1]).isoformat(),
                        kind,
                    )
            return self._answer(kind, span, filters, complete=complete)

    def _ensure(
        self,
        kind: Kind,
        span: Span,
        filters: Filters,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
    ) -> None:
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
            syncer.fill(kind, span, report, fetched, sink, cancel)
            if kind == "sent":
                syncer.recheck(span, client.now(), report, fetched, sink, cancel)
        except SmstoolsError as error:
            # Nothing fetched is lost: the error carries all the store now holds of the window,
            # the chunks committed before the failure included.
            error.partial = self._answer(kind, span, filters, complete=False)
            report.warn_left_out(failed=True)
            raise
        report.warn_left_out()
        self._remember()

    def _answer(
        self, kind: Kind, span: Span | None, filters: Filters, *, complete: bool
    ) -> pd.DataFrame:
        since, until = (from_epoch(span[0]), from_epoch(span[1])) if span else (None, None)
        frame = self.store.read(kind, since, until, filters=filters)
        frame.attrs["smstools"] = {
            "endpoint": _ENDPOINTS[kind],
            "source": self.label,
            "fetched_at": self.now().isoformat(),
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "complete": complete,
            "store": str(self.store.path),
            "offline": not self.online,
        }
        return frame

    def _remember(self) -> None:
        if not self._remembered and self.store.exists:
            remember_store(self.store.identity.base_url, self.store.path)
            self._remembered = True
