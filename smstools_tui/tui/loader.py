"""Loading a window's data through the public client: what the dashboard's worker thread runs.

No Textual here: the worker passes the queries, a progress callback and a cancel event, and gets
back a :class:`~smstools_tui.tui.views.Dataset` or a :class:`LoadFailed` that carries what
arrived. The sent and the received messages are fetched side by side: neither source holds a
lock while it uses the network.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

import pandas as pd

from ..account import Account
from ..errors import AuthenticationError, FetchCancelled, SmstoolsError
from ..frames import RECEIVED_SCHEMA, SENT_SCHEMA, empty_frame
from ..query import FetchResult, Query, Span
from ..source import CancelToken, MessageSource
from .views import Dataset

__all__ = ["LoadFailed", "Progress", "load_dataset"]

log = logging.getLogger("smstools_tui.tui")

STAGES = {"sent": "sent SMS", "received": "received SMS"}


class Progress(Protocol):
    """``progress(stage, pages_done, pages_total)``; ``stage`` is ``sent`` or ``received``."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


class LoadFailed(Exception):
    """A load that did not complete.

    Attributes:
        error: the package's error that stopped it.
        partial: what arrived before it (never complete: ``partial.complete`` is ``False``),
            or ``None`` when nothing did.
        cancelled: the user cancelled it.
    """

    def __init__(self, error: SmstoolsError, partial: Dataset | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.partial = partial
        self.cancelled = isinstance(error, FetchCancelled)


class _Either:
    """Set when the caller cancels, or when the other fetch of the pair failed."""

    def __init__(self, caller: CancelToken | None) -> None:
        self.caller = caller
        self.failed = threading.Event()

    def is_set(self) -> bool:
        return self.failed.is_set() or (self.caller is not None and self.caller.is_set())


def load_dataset(
    client: MessageSource,
    sent: Query,
    received: Query,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    with_account: bool = True,
) -> Dataset:
    """The account, and the answers to the ``sent`` and ``received`` queries, fetched side by
    side. A source's incomplete answer (offline, a store that lacks part of the window) gives
    an incomplete dataset, its problem said.

    Raises:
        LoadFailed: a fetch failed or was cancelled; it carries the messages already read,
            labelled incomplete.
    """
    fetched_at = client.now()
    account: Account | None = None
    if with_account:
        try:
            account = client.account()
        except AuthenticationError as error:
            raise LoadFailed(error, None) from error
        except SmstoolsError as error:
            # The account only feeds the header; the messages may still load.
            log.warning("could not read the account: %s", error)

    stop = _Either(cancel)

    def fetch(query: Query) -> FetchResult:
        stage_progress: Callable[[int, int], None] | None = None
        if progress is not None:
            stage_progress = lambda done, total: progress(query.kind, done, total)  # noqa: E731
        try:
            return client.fetch(query, progress=stage_progress, cancel=stop)
        except SmstoolsError:
            stop.failed.set()  # the other fetch stops too: this load cannot complete
            raise

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="smstools-load") as pool:
        futures = {query.kind: pool.submit(fetch, query) for query in (sent, received)}
    results: dict[str, FetchResult] = {}
    errors: dict[str, SmstoolsError] = {}
    for kind, future in futures.items():
        raised = future.exception()
        if raised is None:
            results[kind] = future.result()
        elif isinstance(raised, SmstoolsError):
            errors[kind] = raised
        else:
            raise raised
    if errors:
        failure = _failure(client, sent, results, errors, fetched_at, account)
        raise failure from failure.error
    problems = [result.problem for result in results.values() if not result.complete]
    return Dataset(
        sent=results["sent"].frame,
        received=results["received"].frame,
        window=_span(sent),
        fetched_at=fetched_at,
        account=account,
        source=client.label,
        complete=not problems,
        problem=next((problem for problem in problems if problem), None),
        query=sent,
    )


def _failure(
    client: MessageSource,
    sent: Query,
    results: dict[str, FetchResult],
    errors: dict[str, SmstoolsError],
    fetched_at: datetime,
    account: Account | None,
) -> LoadFailed:
    """What a failed load reports: the first error (one that is not just the other fetch
    stopping because of it), and every message that arrived."""
    kind, error = next(
        ((kind, error) for kind, error in errors.items() if not isinstance(error, FetchCancelled)),
        next(iter(errors.items())),
    )
    frames: dict[str, pd.DataFrame] = {}
    for name, schema in (("sent", SENT_SCHEMA), ("received", RECEIVED_SCHEMA)):
        if name in results:
            frames[name] = results[name].frame
        else:
            partial = errors[name].partial
            frames[name] = partial if partial is not None else empty_frame(schema)
    arrived = sum(len(frame) for frame in frames.values())
    verb = "cancelled" if isinstance(error, FetchCancelled) else "failed"
    partial = Dataset(
        sent=frames["sent"],
        received=frames["received"],
        window=_span(sent),
        fetched_at=fetched_at,
        account=account,
        source=client.label,
        complete=False,
        problem=f"{verb} while reading {STAGES[kind]}; {arrived:,} messages arrived",
        query=sent,
    )
    return LoadFailed(error, partial)


def _span(query: Query) -> Span:
    if query.span is None:
        raise ValueError("the dashboard loads windows, not searches by id")
    return query.span
