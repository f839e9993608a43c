"""Incremental sync against the sandbox while its clock runs: statuses settle, messages arrive,
the network fails in the middle; after every successful sync the store is the sandbox's truth."""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import FetchCancelled, ServerError
from smstools_tui.frames import (
    RECEIVED_SCHEMA,
    SENT_SCHEMA,
    coerce_frame,
    received_frame,
    sent_frame,
)
from smstools_tui.query import FetchResult, Query
from smstools_tui.sandbox import FaultPlan, SandboxAccount, SandboxApi, sandbox_settings
from smstools_tui.store import Store, StoreIdentity, Syncer, SyncPolicy, SyncReport
from smstools_tui.store.coverage import from_epoch, to_epoch
from smstools_tui.store.sync import keep_account
from tests.conftest import NOW, Clock

from .test_store import damage_file

SINCE = "2026-06-01T00:00:00+00:00"
WHO = StoreIdentity("http://localhost/rest/api", "sha256:test", "test")


class Requests:
    """The searches a sandbox answered, told apart: by window, or by id (status re-checks)."""

    def __init__(self, api: SandboxApi) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        api.on_request = lambda path, params: self.seen.append((path, params))

    def clear(self) -> None:
        self.seen.clear()

    def counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for path, params in self.seen:
            if path == "/sms/search":
                counts["recheck" if "id" in params else "sent"] += 1
            elif path == "/sms/received/search":
                counts["received"] += 1
            else:
                counts[path] += 1
        return counts


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "store", WHO)


@pytest.fixture
def truth(
    account: SandboxAccount, clock: Clock, make_client: Callable[..., SmstoolsClient]
) -> Callable[..., tuple[pd.DataFrame, pd.DataFrame]]:
    """What a plain search of the sandbox answers now, on a sandbox of its own (so it does not
    count in the synced sandbox's requests)."""

    def answer(since: str | datetime = SINCE, lag: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
        own = SandboxApi(account, clock=clock, page_cap=100, lag=lag)
        client = make_client(own)
        return client.sent(since, clock.now), client.received(since, clock.now)

    return answer


def stored(store: Store, since: str | datetime, until: datetime) -> tuple[pd.DataFrame, ...]:
    window = (pd.Timestamp(since).to_pydatetime(), until.replace(microsecond=0))
    return store.read("sent", *window), store.read("received", *window)


def assert_store_is_truth(
    store: Store, truth: Callable[..., tuple], clock: Clock, **kw: object
) -> None:
    sent, received = truth(**kw)
    since = kw.get("since", SINCE)
    got_sent, got_received = stored(store, since, clock.now)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(got_sent, sent)
    pd.testing.assert_frame_equal(got_received, received)


def test_first_sync_then_resyncs_keep_the_store_equal_to_the_truth(
    store: Store,
    api: SandboxApi,
    clock: Clock,
    client: SmstoolsClient,
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    requests = Requests(api)
    clock.now = NOW - timedelta(minutes=3)  # a campaign is being sent: statuses pending
    first = Syncer(client, store).sync(since=SINCE)
    assert_store_is_truth(store, truth, clock)
    sent, received = truth()
    assert first.new_sent == len(sent) and first.new_received == len(received)
    pending = sent[sent["status"].isin(["PENDING", "SENT"])]
    assert len(pending) > 5
    assert first.requests == len(requests.seen)

    # Immediately again: nothing new, a request per kind, the pending ones re-checked by id.
    requests.clear()
    again = Syncer(client, store).sync()
    counts = requests.counts()
    assert counts["sent"] <= 3 and counts["received"] <= 3
    recent = pending[pending["insertDate"] >= pd.Timestamp(clock.now - timedelta(days=7))]
    assert counts["recheck"] == math.ceil(len(recent) / 250)
    assert (again.new_sent, again.new_received, again.statuses_updated) == (0, 0, 0)

    # A day later: the campaign is delivered, scheduled messages went out, replies came in.
    clock.now = NOW + timedelta(days=1)
    later = Syncer(client, store).sync()
    assert_store_is_truth(store, truth, clock)
    new_sent, new_received = truth()
    assert later.new_sent == len(new_sent) - len(sent) > 0
    assert later.new_received == len(new_received) - len(received)
    settled = new_sent.set_index("id").loc[pending["id"], "status"].astype(str)
    assert (
        later.statuses_updated
        >= (settled != pending.set_index("id")["status"].astype(str)).sum()
        > 0
    )
    stored_sent = store.read("sent")
    assert stored_sent["id"].is_unique  # updated in place, never doubled


def test_the_account_is_committed_only_when_it_changed(
    store: Store, client: SmstoolsClient
) -> None:
    """Every sync wrote the account again: a new manifest generation, flushed to disk, each
    time."""
    account = client.account()
    keep_account(store, account)
    written = store.refresh().generation
    keep_account(store, account)
    assert store.refresh().generation == written
    keep_account(store, dataclasses.replace(account, credit=(account.credit or 0) + 1))
    assert store.refresh().generation == written + 1


def test_new_messages_cost_requests_in_proportion(
    store: Store, api: SandboxApi, clock: Clock, client: SmstoolsClient
) -> None:
    clock.now = NOW - timedelta(days=20)
    Syncer(client, store).sync(since=SINCE)
    requests = Requests(api)
    clock.now = NOW
    report = Syncer(client, store).sync()
    counts = requests.counts()
    # 20 days of messages: a page of 100 per 100 new messages (plus the overlap, and the
    # month boundary the new stretch crosses), not the whole history again.
    assert counts["sent"] <= math.ceil(report.new_sent / 100) + 3
    assert counts["received"] <= math.ceil(report.new_received / 100) + 3
    assert report.new_sent > 100


def test_a_network_failure_mid_sync_keeps_what_was_fetched_and_a_rerun_resumes(
    store: Store,
    api: SandboxApi,
    clock: Clock,
    make_client: Callable[..., SmstoolsClient],
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
    tmp_path: Path,
) -> None:
    policy = SyncPolicy(chunk_messages=300)
    reference = Store.open(tmp_path / "reference", WHO)
    counting = Requests(api)
    Syncer(make_client(), reference, policy).sync(since=SINCE)
    full = counting.counts()
    chunks = {"n": 0}

    def network_down_in_the_third_chunk(path: str, params: dict[str, str]) -> None:
        if path == "/sms/search" and "fromDate" in params:
            chunks["n"] += params.get("offset") == "0"
            if chunks["n"] == 3 and params.get("offset") == "100":
                api.faults = FaultPlan(after=0, kinds=("503",))  # this page is the last one

    api.on_request = network_down_in_the_third_chunk
    with pytest.raises(ServerError):
        Syncer(make_client(max_attempts=2), store, policy).sync(since=SINCE)
    covered = store.coverage("sent")
    assert covered and covered.end is not None
    assert covered.end < reference.coverage("sent").end  # type: ignore[operator]
    in_covered = store.read("sent", from_epoch(covered.start), from_epoch(covered.end))  # type: ignore[arg-type]
    assert len(store.read("sent")) > len(in_covered)  # the failed search's pages are kept too

    api.faults = FaultPlan()  # back online
    requests = Requests(api)
    Syncer(make_client(), store, policy).sync()
    starts = [
        pd.Timestamp(params["fromDate"])
        for path, params in requests.seen
        if path == "/sms/search" and "fromDate" in params
    ]
    assert min(starts) >= pd.Timestamp(from_epoch(covered.end - 120))  # type: ignore[operator]
    assert requests.counts()["sent"] < full["sent"]
    assert_store_is_truth(store, truth, clock)


def test_a_failure_in_the_received_search_leaves_no_double_after_the_rerun(
    store: Store,
    account: SandboxAccount,
    clock: Clock,
    make_client: Callable[..., SmstoolsClient],
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    """Received messages read before a failure are kept, provisionally; the rerun replaces them
    with the complete answer for their span, so none is doubled (they have no id to merge on)."""
    small_pages = SandboxApi(account, clock=clock, page_cap=10)
    month = "2026-10"
    assert (account.received_frame()["receiveDate"].dt.strftime("%Y-%m") == month).sum() > 30

    def fail_after_two_pages(path: str, params: dict[str, str]) -> None:
        in_month = params.get("fromDate", "").startswith(month)
        if path == "/sms/received/search" and in_month and params.get("offset") == "10":
            small_pages.faults = FaultPlan(after=0, kinds=("500",))  # the next page fails

    small_pages.on_request = fail_after_two_pages
    client = make_client(small_pages, max_attempts=1, concurrency=1, page_size=10)
    with pytest.raises(ServerError):
        Syncer(client, store).sync(since="2026-09-01T00:00:00+00:00")
    covered = store.coverage("received")
    kept = store.read("received")
    assert covered and len(kept) > len(
        store.read("received", from_epoch(covered.start), from_epoch(covered.end))  # type: ignore[arg-type]
    )
    small_pages.faults, small_pages.on_request = FaultPlan(), None
    Syncer(make_client(small_pages, page_size=10), store).sync()
    assert_store_is_truth(store, truth, clock, since="2026-09-01T00:00:00+00:00")


def test_a_smaller_partial_answer_never_replaces_a_larger_one(
    store: Store,
    account: SandboxAccount,
    clock: Clock,
    make_client: Callable[..., SmstoolsClient],
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    """Two interrupted syncs, the second cut off sooner: it replaced the first one's
    provisional messages with fewer (received messages have no id to merge on)."""
    small_pages = SandboxApi(account, clock=clock, page_cap=10)
    month = "2026-10"

    def fail_at(offset: str) -> Callable[[str, dict[str, str]], None]:
        def hook(path: str, params: dict[str, str]) -> None:
            in_month = params.get("fromDate", "").startswith(month)
            if path == "/sms/received/search" and in_month and params.get("offset") == offset:
                small_pages.faults = FaultPlan(after=0, kinds=("500",))

        return hook

    client = make_client(small_pages, max_attempts=1, concurrency=1, page_size=10)
    held = []
    for offset in ("30", "10"):
        small_pages.faults, small_pages.on_request = FaultPlan(), fail_at(offset)
        with pytest.raises(ServerError):
            Syncer(client, store).sync(since="2026-09-01T00:00:00+00:00")
        held.append(len(store.read("received")))
    assert held[1] == held[0]
    small_pages.faults, small_pages.on_request = FaultPlan(), None
    Syncer(make_client(small_pages, page_size=10), store).sync()
    assert_store_is_truth(store, truth, clock, since="2026-09-01T00:00:00+00:00")


def test_the_overlap_catches_messages_indexed_after_the_sync(
    account: SandboxAccount,
    clock: Clock,
    make_client: Callable[..., SmstoolsClient],
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
    tmp_path: Path,
) -> None:
    """The search shows a message only a minute after its date. A sync at T misses those dated
    in the minute before T; without an overlap the next sync starts at T and never sees them."""
    lagging = SandboxApi(account, clock=clock, page_cap=100, lag=60)
    client = make_client(lagging)
    with_overlap = Store.open(tmp_path / "overlap", WHO)
    without = Store.open(tmp_path / "none", WHO)
    clock.now = NOW - timedelta(seconds=225)  # in the middle of a campaign's inserts
    Syncer(client, with_overlap).sync(since=SINCE)
    Syncer(client, without, SyncPolicy(overlap=0)).sync(since=SINCE)
    clock.now = NOW + timedelta(hours=1)
    Syncer(client, with_overlap).sync()
    Syncer(client, without, SyncPolicy(overlap=0)).sync()
    assert_store_is_truth(with_overlap, truth, clock, lag=60)
    assert len(without.read("sent")) < len(with_overlap.read("sent"))


def test_cancel_stops_the_sync_and_a_rerun_resumes(
    store: Store,
    api: SandboxApi,
    clock: Clock,
    client: SmstoolsClient,
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    cancel = threading.Event()
    counted = Counter[str]()

    def cancel_after_ten(path: str, params: dict[str, str]) -> None:
        counted[path] += 1
        if sum(counted.values()) == 10:
            cancel.set()

    api.on_request = cancel_after_ten
    with pytest.raises(FetchCancelled):
        Syncer(client, store).sync(since=SINCE, cancel=cancel)
    assert store.coverage("sent")
    api.on_request = None
    Syncer(client, store).sync()
    assert_store_is_truth(store, truth, clock)


def test_statuses_are_rechecked_by_id_in_batches(
    store: Store, api: SandboxApi, clock: Clock, client: SmstoolsClient
) -> None:
    clock.now = NOW - timedelta(minutes=3)
    Syncer(client, store).sync(since=SINCE)
    pending = store.pending_ids(since=clock.now - timedelta(days=7))
    assert len(pending) > 10
    requests = Requests(api)
    clock.now = NOW + timedelta(hours=2)
    report = Syncer(client, store, SyncPolicy(id_batch=10, overlap=0)).sync()
    batches = [params["id"].split(",") for path, params in requests.seen if "id" in params]
    # Pending messages the overlap did not fetch again are asked by id, ten at a time.
    assert 0 < len(batches) == math.ceil(report.rechecked / 10)
    assert all(len(batch) <= 10 for batch in batches)
    assert report.statuses_updated > 0
    still = set(store.pending_ids(since=clock.now - timedelta(days=7)))
    assert len(still) < len(pending)


def test_recheck_all_goes_back_further(
    store: Store, api: SandboxApi, clock: Clock, client: SmstoolsClient
) -> None:
    Syncer(client, store).sync(since="2025-11-01")
    stuck = store.pending_ids()  # messages that never got a delivery report
    recent = store.pending_ids(since=clock.now - timedelta(days=7))
    assert len(stuck) > len(recent)
    everything = Syncer(client, store, SyncPolicy(recheck_days=None)).sync()
    assert everything.rechecked == len(stuck)
    assert Syncer(client, store).sync().rechecked == len(recent)


def test_a_chunk_beyond_the_result_limit_is_split(
    store: Store,
    make_client: Callable[..., SmstoolsClient],
    clock: Clock,
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    report = Syncer(make_client(max_records=120), store).sync(since=SINCE)
    assert report.new_sent > 500
    assert_store_is_truth(store, truth, clock)


def test_an_earlier_since_fetches_only_the_missing_history(
    store: Store,
    api: SandboxApi,
    clock: Clock,
    client: SmstoolsClient,
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    Syncer(client, store).sync(since="2026-10-01T00:00:00+00:00")
    requests = Requests(api)
    report = Syncer(client, store).sync(since=SINCE)
    starts = [params["fromDate"] for _, params in requests.seen if "fromDate" in params]
    assert min(starts).startswith("2026-06-01")
    assert all(
        start < "2026-10-01" or start >= "2026-11-25" for start in starts
    )  # the history, then the overlap: October and November are not fetched again
    assert isinstance(report, SyncReport) and report.new_sent > 0
    assert_store_is_truth(store, truth, clock)


def test_transient_faults_are_retried_and_the_store_is_still_the_truth(
    store: Store,
    account: SandboxAccount,
    clock: Clock,
    make_client: Callable[..., SmstoolsClient],
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    flaky = SandboxApi(account, clock=clock, page_cap=100, faults=FaultPlan(rate=0.3, seed=8))
    client = make_client(flaky)
    clock.now = NOW - timedelta(minutes=3)
    Syncer(client, store).sync(since=SINCE)
    clock.now = NOW + timedelta(hours=6)
    Syncer(client, store).sync()
    assert sum(flaky.faults_injected.values()) > 5
    assert_store_is_truth(store, truth, clock)


def test_ctrl_c_mid_search_keeps_what_was_read(
    store: Store,
    api: SandboxApi,
    clock: Clock,
    client: SmstoolsClient,
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    searches = {"n": 0}

    def ctrl_c_on_a_later_page(path: str, params: dict[str, str]) -> None:
        if path == "/sms/search" and params.get("offset") == "200":
            searches["n"] += 1
            if searches["n"] == 2:
                raise KeyboardInterrupt

    api.on_request = ctrl_c_on_a_later_page
    with pytest.raises(FetchCancelled):
        Syncer(client, store, SyncPolicy(chunk_messages=400)).sync(since=SINCE)
    covered = store.coverage("sent")
    kept = store.read("sent")
    assert covered.end is not None and len(kept) > len(
        store.read("sent", from_epoch(covered.start), from_epoch(covered.end))  # type: ignore[arg-type]
    )
    api.on_request = None
    Syncer(client, store).sync()
    assert_store_is_truth(store, truth, clock)


@pytest.mark.parametrize("how", ["deleted", "truncated", "wrong column type", "other rows"])
@pytest.mark.parametrize("month", ["2026-06", "2026-09"])  # the first month, and one inside
def test_a_sync_mends_a_damaged_partition_by_fetching_its_month_again(
    store: Store,
    client: SmstoolsClient,
    clock: Clock,
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
    caplog: pytest.LogCaptureFixture,
    how: str,
    month: str,
) -> None:
    Syncer(client, store).sync(since=SINCE)
    spoilt = store.manifest.sent.partitions[month].file
    damage_file(store.path / spoilt, how)
    with caplog.at_level(logging.WARNING, logger="smstools_tui.store"):
        report = Syncer(client, store).sync()  # no --since: from where the store started
    assert report.new_sent > 0
    assert f"the store's {spoilt} " in caplog.text and "dropped and fetched again" in caplog.text
    assert store.damage() == []
    assert store.coverage("sent").start == to_epoch(pd.Timestamp(SINCE).to_pydatetime())
    assert_store_is_truth(store, truth, clock)


def chunks_searched(requests: Requests, endpoint: str = "/sms/search") -> list[tuple[int, int]]:
    """The ``[fromDate, toDate]`` (epoch seconds) of each window search, once per chunk."""
    return [
        (int(pd.Timestamp(params["fromDate"]).timestamp()),
         int(pd.Timestamp(params["toDate"]).timestamp()) + 1)
        for path, params in requests.seen
        if path == endpoint and "fromDate" in params and params.get("offset") == "0"
    ]  # fmt: skip


def test_a_resumed_sync_caps_every_chunk_from_the_first(
    store: Store,
    api: SandboxApi,
    clock: Clock,
    client: SmstoolsClient,
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
) -> None:
    """Resumed after its first chunk, a sync sized its next chunk from the stored density with no
    cap: a quiet first week made that the whole rest of the window, committed only at its end,
    so a sync killed every few seconds never got further. Now every chunk is capped."""
    policy = SyncPolicy(chunk_messages=150, chunk_span=20 * 86_400)
    cancel = threading.Event()
    api.on_request = lambda path, params: cancel.set() if params.get("offset") == "0" else None
    with pytest.raises(FetchCancelled):  # stopped after its first chunk
        Syncer(client, store, policy).sync(since="2025-11-01T00:00:00+00:00", cancel=cancel)
    first = store.coverage("sent")
    assert first.end is not None and first.end - first.start == 7 * 86_400  # type: ignore[operator]
    density = store.manifest.sent.rows / (7 * 86_400)  # what the resume judges from
    requests = Requests(api)
    Syncer(client, store, policy).sync()
    chunks = chunks_searched(requests)
    sent = truth("2025-11-01T00:00:00+00:00")[0]
    seconds = (sent["insertDate"].astype("int64") // 10**6).to_numpy()
    held = [int(((seconds >= a) & (seconds < b)).sum()) for a, b in chunks]
    assert chunks[0][0] == first.end - SyncPolicy().overlap
    assert chunks[0][1] - chunks[0][0] == min(int(150 / density), 20 * 86_400)
    assert all(b - a <= 20 * 86_400 for a, b in chunks)
    assert len(chunks) >= (NOW.timestamp() - first.end) / (20 * 86_400)
    assert max(held) < 4 * 150, held  # growth is bounded too, whatever the density ahead
    assert_store_is_truth(store, truth, clock, since="2025-11-01T00:00:00+00:00")


@pytest.mark.parametrize(
    ("span", "rows", "seconds", "expected"),
    [
        (86_400, 100, 1.0, 4 * 86_400),  # quiet and quick: at most fourfold
        (86_400, 500, 1.0, 2 * 86_400),  # half the messages wanted: twice the span
        (86_400, 100, 10.0, 43_200),  # slow: half the time wanted, half the span
        (86_400, 100_000, 1.0, 3_600),  # a storm: never under an hour
        (30 * 86_400, 10, 0.1, 31 * 86_400),  # never over the span cap
        (86_400, 0, 0.0, 4 * 86_400),  # nothing, instantly
    ],
)
def test_the_next_chunk_is_sized_from_the_last_ones_messages_and_time(
    store: Store, client: SmstoolsClient, span: int, rows: int, seconds: float, expected: int
) -> None:
    policy = SyncPolicy(chunk_messages=1_000, chunk_seconds=5.0, chunk_span=31 * 86_400)
    assert Syncer(client, store, policy)._next_length(span, rows, seconds) == expected


class Padded(SmstoolsClient):
    """A client on a server whose window searches also answer messages from elsewhere in time
    (a server that ignores ``fromDate``, or reads it in another zone)."""

    def __init__(
        self,
        *args: Any,
        extra_sent: list[dict[str, object]],
        extra_received: list[dict[str, object]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.extra_sent, self.extra_received = extra_sent, extra_received

    def _fetch(self, query: Query, progress: Any, cancel: Any) -> FetchResult:
        result = super()._fetch(query, progress, cancel)
        if query.filters.ids:
            return result
        extra = self.extra_sent if query.kind == "sent" else self.extra_received
        made = sent_frame(extra) if query.kind == "sent" else received_frame(extra)
        return dataclasses.replace(result, frame=padded(result.frame, made))


def padded(frame: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    schema = SENT_SCHEMA if "id" in frame else RECEIVED_SCHEMA
    return coerce_frame(pd.concat([frame, extra], ignore_index=True), schema)


def test_messages_dated_outside_the_searched_span_are_not_stored(
    store: Store,
    api: SandboxApi,
    clock: Clock,
    sleeps: list[float],
    truth: Callable[..., tuple[pd.DataFrame, pd.DataFrame]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Received messages carry no id: one stored from outside its span was added again by
    every sync. Neither kind is stored from outside the span its search vouches for."""
    client = Padded(
        sandbox_settings(page_size=100), transport=api.transport(), clock=clock, sleep=sleeps,
        extra_received=[{"from": "+393480000009", "text": "from the past",
                         "receiveDate": "2020-01-01T00:00:00+0100"},
                        {"from": "+393480000009", "text": "no date"}],
        extra_sent=[{"id": 999_999_999, "status": "DELIVERED",
                     "insertDate": "2031-05-01T00:00:00+0200"}],
    )  # fmt: skip
    with client, caplog.at_level(logging.WARNING, logger="smstools_tui.store"):
        for hour in range(3):
            clock.now = NOW + timedelta(hours=hour)
            Syncer(client, store).sync(since=SINCE)
    assert_store_is_truth(store, truth, clock)
    assert not store.read("received")["text"].isin(["from the past", "no date"]).any()
    assert 999_999_999 not in set(store.read("sent")["id"])
    assert set(store.manifest.sent.partitions) | set(store.manifest.received.partitions) <= {
        f"2026-{month:02d}" for month in range(6, 12)
    }
    warnings = [record.getMessage() for record in caplog.records]
    chunks = 7  # of the first sync: a week, then a month at most per chunk
    assert warnings == [  # one line per sync, not one per chunk
        f"the API answered {count} sent and {2 * count} received messages from outside the "
        "spans searched (dated 2019-12-31T23:00:00+00:00 to 2031-04-30T22:00:00+00:00; "
        f"{count} without a date): they are not stored"
        for count in (chunks, 1, 1)
    ]
