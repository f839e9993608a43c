"""Dashboard fixtures: a seeded demo client with a frozen clock, clients that fail or stall on
cue, and helpers to let the app's workers finish."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

from smstools_tui.account import Account
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.demo import demo_client
from smstools_tui.errors import FetchCancelled, SmstoolsError
from smstools_tui.frames import RECEIVED_SCHEMA, SENT_SCHEMA, coerce_frame
from smstools_tui.query import FetchResult, Query, Span
from smstools_tui.source import MessageSource
from smstools_tui.tui import DashboardApp, make_app

from ..conftest import NOW

SIZE = (120, 36)
"""The terminal every pilot and snapshot test runs in."""


@pytest.fixture(autouse=True)
def private_config_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """Every dashboard test gets its own config folder: the palette and the window picker list
    the saved views of the config file, which must never be the user's."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    return folder


@pytest.fixture(scope="session")
def demo() -> Iterator[SmstoolsClient]:
    """The built-in demo account, 5,000 sent and 500 received, frozen at :data:`NOW`."""
    client = demo_client(now=NOW, sent=5_000, received=500)
    yield client
    client.close()


def dashboard(client: Any, **options: Any) -> DashboardApp:
    """The app as the CLI builds it, with timestamps in UTC so screens repeat anywhere."""
    options.setdefault("zone", UTC)
    return make_app(client, **options)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker (fetch, figures, reports, export) is done and its messages are
    handled; a finished worker may start the next one, hence the loop."""
    app = pilot.app
    for _ in range(20):
        # A newer exclusive worker (figures for the previous window) cancels an older one;
        # waiting on the cancelled one raises, and then there is simply more to wait for.
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in app.workers):
            await pilot.pause()
            if all(worker.is_finished for worker in app.workers):
                break
    for field in app.query(Input):
        field.cursor_blink = False  # snapshots must not catch the cursor half-way


class FrameClient(MessageSource):
    """A client stand-in that serves given frames through the client's public surface.

    ``fail_account``/``fail_sent``/``fail_received`` raise that error (with ``partial`` set to
    the first ``partial_rows`` rows) on the next call; ``stall`` makes ``sent`` wait, after
    reporting one page, until the caller cancels.
    """

    def __init__(
        self,
        sent: pd.DataFrame,
        received: pd.DataFrame | None = None,
        *,
        now: datetime = NOW,
        label: str = "demo",
    ) -> None:
        self.sent_frame = coerce_frame(sent, SENT_SCHEMA)
        self.received_frame = coerce_frame(
            received if received is not None else pd.DataFrame(), RECEIVED_SCHEMA
        )
        self._now = now
        self.label = label
        self.fail_account: SmstoolsError | None = None
        self.fail_sent: SmstoolsError | None = None
        self.fail_received: SmstoolsError | None = None
        self.partial_rows = 0
        self.stall = False
        self.stall_after: int | None = None
        """Stall the ``sent`` call that comes after this many calls (a later fetch)."""
        self.stalled = threading.Event()
        self.calls: list[tuple[str, Span | None]] = []

    def now(self) -> datetime:
        return self._now

    def close(self) -> None:
        pass

    def account(self) -> Account:
        self.calls.append(("account", None))
        if self.fail_account is not None:
            raise self.fail_account
        return Account(business_name="Test [bold]Shop[/bold]", credit=123.456, italy_sms=1306)

    def _fetch(self, query: Query, progress: Any, cancel: Any) -> FetchResult:
        what = query.kind
        frame = self.sent_frame if what == "sent" else self.received_frame
        column = "insertDate" if what == "sent" else "receiveDate"
        failure = self.fail_sent if what == "sent" else self.fail_received
        window = query.span
        assert window is not None
        self.calls.append((what, window))
        stamps = frame[column]
        chosen = frame[(stamps >= window.start) & (stamps < window.end)].reset_index(drop=True)
        chosen = query.filters.apply(chosen, what)
        if progress is not None:
            progress(1, 2)
        stall = self.stall or (self.stall_after is not None and len(self.calls) > self.stall_after)
        if what == "sent" and stall:
            self.stalled.set()
            while cancel is not None and not cancel.is_set():
                threading.Event().wait(0.01)
            error = FetchCancelled("the fetch was cancelled")
            error.partial = chosen.iloc[: self.partial_rows]
            raise error
        if failure is not None:
            failure.partial = chosen.iloc[: self.partial_rows] if self.partial_rows else None
            raise failure
        if progress is not None:
            progress(2, 2)
        return FetchResult(chosen, query, window, fetched_at=self._now, source=self.label)


@pytest.fixture(scope="session")
def demo_frames(demo: SmstoolsClient) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo account's last 60 days, for :class:`FrameClient`."""
    return demo.sent("2026-09-26T10:00:00Z"), demo.received("2026-09-26T10:00:00Z")


@pytest.fixture
def frame_client(demo_frames: tuple[pd.DataFrame, pd.DataFrame]) -> FrameClient:
    sent, received = demo_frames
    return FrameClient(sent, received)
