"""Loading a window's data through the public client: what the dashboard's worker thread runs.

No Textual here: the worker passes a progress callback and a cancel event, and gets back a
:class:`~smstools_tui.tui.views.Dataset` or a :class:`LoadFailed` that carries what arrived.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

import pandas as pd

from ..api.client import Account
from ..api.paging import CancelToken
from ..dates import DateWindow
from ..errors import AuthenticationError, FetchCancelled, SmstoolsError
from ..frames import RECEIVED_SCHEMA, SENT_SCHEMA, empty_frame
from ..store import MessageSource
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


def load_dataset(
    client: MessageSource,
    window: DateWindow,
    *,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    with_account: bool = True,
) -> Dataset:
    """The account, sent and received SMS of ``window``.

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

    def stage_progress(stage: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(stage, done, total)

    def partial(
        sent: pd.DataFrame, received: pd.DataFrame, error: SmstoolsError, stage: str
    ) -> Dataset:
        arrived = len(sent) + len(received)
        verb = "cancelled" if isinstance(error, FetchCancelled) else "failed"
        return Dataset(
            sent=sent,
            received=received,
            window=window,
            fetched_at=fetched_at,
            account=account,
            source=client.label,
            complete=False,
            problem=f"{verb} while reading {STAGES[stage]}; {arrived:,} messages arrived",
        )

    empty_received = empty_frame(RECEIVED_SCHEMA)
    try:
        sent = client.sent(
            window.since, window.until, progress=stage_progress("sent"), cancel=cancel
        )
    except SmstoolsError as error:
        got = error.partial if error.partial is not None else empty_frame(SENT_SCHEMA)
        raise LoadFailed(error, partial(got, empty_received, error, "sent")) from error
    try:
        received = client.received(
            window.since, window.until, progress=stage_progress("received"), cancel=cancel
        )
    except SmstoolsError as error:
        got = error.partial if error.partial is not None else empty_received
        raise LoadFailed(error, partial(sent, got, error, "received")) from error
    return Dataset(
        sent=sent,
        received=received,
        window=window,
        fetched_at=fetched_at,
        account=account,
        source=client.label,
    )
