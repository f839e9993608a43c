"""Paging edge cases against a scripted result set, newest first like the sandbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.api.decode import Page
from smstools_tui.api.paging import PagingPlan, fetch_all
from smstools_tui.config import Settings
from smstools_tui.errors import (
    ConfigError,
    FetchCancelled,
    IncompleteFetchError,
    ResultTooLargeError,
    ServerError,
)


class ResultSet:
    """A server's view of a search: records newest first, with a page cap."""

    def __init__(self, size: int, cap: int = 1_000) -> None:
        self.records = [{"id": n} for n in range(size, 0, -1)]
        self.cap = cap
        self.calls: list[tuple[int, int]] = []
        self.before: Callable[[int], None] | None = None
        self._lock = threading.Lock()

    def __call__(self, offset: int, limit: int) -> Page:
        with self._lock:
            self.calls.append((offset, limit))
            if self.before:
                self.before(len(self.calls))
            applied = min(limit, self.cap)
            items = [dict(r) for r in self.records[offset : offset + applied]]
            return Page(count=len(self.records), offset=offset, limit=applied, items=items)


def ids(records: list[dict]) -> list[int]:
    return [r["id"] for r in records]


def plan(**changes: object) -> PagingPlan:
    return PagingPlan(**{"page_size": 10, "concurrency": 3, "dedupe_key": "id", **changes})


def test_zero_results_take_one_request() -> None:
    server = ResultSet(0)
    assert fetch_all(server, plan()) == []
    assert server.calls == [(0, 10)]


@pytest.mark.parametrize("size", [1, 9, 10, 11, 30, 31])
def test_every_record_once_in_order(size: int) -> None:
    server = ResultSet(size)
    assert ids(fetch_all(server, plan())) == list(range(size, 0, -1))
    assert len(server.calls) == max(1, -(-size // 10))


def test_exact_multiple_of_the_page_size_asks_no_empty_page() -> None:
    server = ResultSet(40)
    fetch_all(server, plan())
    assert sorted(offset for offset, _ in server.calls) == [0, 10, 20, 30]


def test_a_capped_limit_is_walked_with_the_applied_page_size() -> None:
    server = ResultSet(95, cap=20)
    records = fetch_all(server, plan(page_size=500))
    assert ids(records) == list(range(95, 0, -1))
    assert server.calls[0] == (0, 500)
    assert sorted(server.calls[1:]) == [(20, 20), (40, 20), (60, 20), (80, 20)]


def test_records_inserted_at_the_top_mid_fetch_are_read_again_consistently() -> None:
    server = ResultSet(50)

    def arrive(call: int) -> None:
        if call == 3:  # after two pages, two newer messages push everything down
            server.records[:0] = [{"id": 1001}, {"id": 1000}]

    server.before = arrive
    records = fetch_all(server, plan(concurrency=1))
    assert ids(records) == [1001, 1000, *range(50, 0, -1)]
    assert len(server.calls) == 5 + 6  # a first pass of 5 pages, then a clean one of 6


def test_a_count_that_grows_mid_fetch_loses_nothing_for_received_messages() -> None:
    server = ResultSet(30)
    server.records = [{"id": 1, "text": "same"} for _ in range(30)]  # no id to tell them apart

    def arrive(call: int) -> None:
        if call == 2:
            server.records.insert(0, {"id": 1, "text": "same"})

    server.before = arrive
    records = fetch_all(server, plan(concurrency=1, dedupe_key=None))
    assert len(records) == 31


def test_deleted_records_mid_fetch_are_noticed() -> None:
    server = ResultSet(30)

    def vanish(call: int) -> None:
        if call == 2:
            del server.records[0]

    server.before = vanish
    records = fetch_all(server, plan(concurrency=1))
    assert ids(records) == list(range(29, 0, -1))


def test_a_set_that_never_settles_fails_with_what_was_read() -> None:
    server = ResultSet(30)
    counter = iter(range(10_000, 20_000))
    server.before = lambda call: server.records.insert(0, {"id": next(counter)})
    with pytest.raises(IncompleteFetchError, match="kept changing") as caught:
        fetch_all(server, plan(concurrency=1, max_passes=3))
    assert caught.value.partial_records  # type: ignore[attr-defined]


def test_an_empty_page_before_the_end_is_not_accepted() -> None:
    server = ResultSet(30)
    original = server.__call__
    broken = {"once": True}

    def flaky(offset: int, limit: int) -> Page:
        page = original(offset, limit)
        if offset == 10 and broken.pop("once", False):
            return Page(page.count, offset, page.limit, [])
        return page

    records = fetch_all(flaky, plan(concurrency=1))
    assert ids(records) == list(range(30, 0, -1))


def test_sent_duplicates_are_dropped_received_duplicates_kept() -> None:
    server = ResultSet(20)
    server.records[5] = dict(server.records[4])  # the same id twice in one stable pass
    with pytest.raises(IncompleteFetchError):
        fetch_all(server, plan(max_passes=1))
    assert len(fetch_all(server, plan(dedupe_key=None))) == 20


def test_concurrency_is_bounded() -> None:
    in_flight, peak = 0, 0
    lock = threading.Lock()
    server = ResultSet(200)

    def slow(offset: int, limit: int) -> Page:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.005)
        with lock:
            in_flight -= 1
        return server(offset, limit)

    assert len(fetch_all(slow, plan(concurrency=3))) == 200
    assert peak == 3


def test_progress_reports_pages() -> None:
    seen: list[tuple[int, int]] = []
    fetch_all(ResultSet(35), plan(), progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (1, 4) and seen[-1] == (4, 4)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_cancel_stops_and_keeps_what_was_read() -> None:
    cancel = threading.Event()
    server = ResultSet(100)

    def slow_then_cancel(call: int) -> None:
        time.sleep(0.02)
        if call == 3:
            cancel.set()

    server.before = slow_then_cancel
    with pytest.raises(FetchCancelled) as caught:
        fetch_all(server, plan(concurrency=1), cancel=cancel)
    assert 0 < len(caught.value.partial_records) < 100  # type: ignore[attr-defined]


def test_a_failing_page_raises_with_the_pages_read_so_far() -> None:
    server = ResultSet(50)

    def failing(offset: int, limit: int) -> Page:
        if offset == 30:
            raise ServerError(500, "GENERIC_ERROR", endpoint="/sms/search")
        return server(offset, limit)

    with pytest.raises(ServerError) as caught:
        fetch_all(failing, plan(concurrency=1))
    partial = set(ids(caught.value.partial_records))  # type: ignore[attr-defined]
    assert set(range(50, 20, -1)) <= partial  # every page read before the failure is kept
    assert not partial & set(range(20, 10, -1))  # and the failed page is not invented


def test_a_search_beyond_the_record_limit_is_refused() -> None:
    server = ResultSet(1_000)
    with pytest.raises(ResultTooLargeError, match="1,000 messages, more than the limit of 999"):
        fetch_all(server, plan(max_records=999))
    assert len(server.calls) == 1


# -- the page budget, the window of pages in flight, interrupts ---------------------------------


def test_a_search_beyond_the_page_budget_is_refused_after_its_first_page() -> None:
    server = ResultSet(1_001, cap=10)
    with pytest.raises(ResultTooLargeError, match="would take 101 pages") as caught:
        fetch_all(server, plan(max_pages=100))
    assert "budget of 100 pages" in str(caught.value) and "--max-pages" in str(caught.value)
    assert server.calls == [(0, 10)]
    assert ids(caught.value.partial_records) == list(range(1_001, 991, -1))  # type: ignore[attr-defined]
    assert len(fetch_all(server, plan(max_pages=101))) == 1_001


class Endless:
    """A server whose ``count`` is five million, one message a page, answered at once."""

    def __init__(self) -> None:
        self.calls = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, offset: int, limit: int) -> Page:
        with self._lock:
            self.calls += 1
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(0.001)
        with self._lock:
            self.in_flight -= 1
        return Page(count=5_000_000, offset=offset, limit=1, items=[{"id": 5_000_000 - offset}])


def test_pages_are_submitted_a_window_at_a_time() -> None:
    server = Endless()
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(total)
        if done >= 50:
            cancel.set()

    started = time.perf_counter()
    with pytest.raises(FetchCancelled) as caught:
        fetch_all(
            server, plan(concurrency=4, max_pages=5_000_000), progress=progress, cancel=cancel
        )
    assert time.perf_counter() - started < 5  # submitting five million pages took 40 s and 4 GB
    assert seen[0] == 5_000_000
    assert server.calls <= 50 + 2 * 4  # the pages answered, and at most a window more
    assert server.most_in_flight <= 4
    assert len(caught.value.partial_records) >= 50  # type: ignore[attr-defined]


def test_an_interrupt_in_the_fetching_thread_keeps_every_page_answered() -> None:
    server = ResultSet(1_000)

    def interrupt(done: int, total: int) -> None:
        if done == 30:
            raise KeyboardInterrupt

    with pytest.raises(FetchCancelled, match="interrupted") as caught:
        fetch_all(server, plan(concurrency=3), progress=interrupt)
    kept = ids(caught.value.partial_records)  # type: ignore[attr-defined]
    assert len(kept) == 300 and len(set(kept)) == 300
    assert set(kept) <= set(range(1_000, 0, -1))


# -- pages that do not add up: a wrong echoed offset, a repeated page --------------------------


def echoing(server: ResultSet, wrong: Callable[[int, int], bool]) -> Callable[[int, int], Page]:
    """``server``, but echoing offset 0 for the calls ``wrong(call, offset)`` picks."""

    def fetch(offset: int, limit: int) -> Page:
        page = server(offset, limit)
        if wrong(len(server.calls), offset):
            return Page(page.count, 0, page.limit, page.items)
        return page

    return fetch


def test_a_page_that_echoes_another_offset_has_the_pass_read_again() -> None:
    server = ResultSet(30)
    records = fetch_all(echoing(server, lambda call, offset: call == 2), plan(concurrency=1))
    assert ids(records) == list(range(30, 0, -1))
    assert len(server.calls) == 3 + 3


def test_pages_that_always_echo_another_offset_fail_without_them() -> None:
    server = ResultSet(30)
    with pytest.raises(IncompleteFetchError) as caught:
        fetch_all(echoing(server, lambda call, offset: offset == 20), plan(concurrency=1))
    assert str(caught.value) == (
        "the server's pages did not add up in 3 passes (asked for offset 20, the server answered "
        "offset 0); try again, or a narrower window"
    )
    assert len(server.calls) == 3 * 3
    kept = ids(caught.value.partial_records)  # type: ignore[attr-defined]
    assert kept == list(range(30, 10, -1))  # the page answered for another offset is not kept


def received(texts: list[str]) -> list[dict[str, object]]:
    return [
        {"from": "+39348", "text": text, "receiveDate": "2026-11-20T10:00:00+0100"}
        for text in texts
    ]


class Repeating(ResultSet):
    """Received messages (no id), with the first page's messages answered for every offset."""

    def __init__(self, texts: list[str], cap: int) -> None:
        super().__init__(0, cap)
        self.records = received(texts)

    def __call__(self, offset: int, limit: int) -> Page:
        page = super().__call__(0, limit)
        return Page(page.count, offset, page.limit, page.items)


def test_repeated_received_pages_are_not_accepted() -> None:
    # Six messages counted, three pages of two, every page the same two messages.
    server = Repeating(["a", "b", "c", "d", "e", "f"], cap=2)
    with pytest.raises(
        IncompleteFetchError, match=r"the page at offset 2 repeats the one at offset 0"
    ) as caught:
        fetch_all(server, plan(concurrency=1, dedupe_key=None))
    assert len(server.calls) == 3 * 3
    assert caught.value.partial_records == received(["a", "b"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("cap", [1, 2, 3])
def test_identical_messages_are_not_taken_for_repeated_pages(cap: int) -> None:
    # A run of identical messages (same sender, text and second) looks like a repeated page of
    # identical messages, and is accepted: nothing can tell the two apart.
    server = ResultSet(0, cap=cap)
    server.records = received(["x", "STOP", "STOP", "STOP", "STOP", "STOP", "STOP", "y"])
    records = fetch_all(server, plan(page_size=cap, concurrency=1, dedupe_key=None))
    assert records == server.records
    assert len(server.calls) == -(-8 // cap)


def test_pages_alike_at_both_ends_are_not_repeats() -> None:
    server = ResultSet(0, cap=3)
    server.records = received(["a", "b", "z", "a", "c", "z", "a", "d", "z"])
    assert fetch_all(server, plan(page_size=3, dedupe_key=None)) == server.records
    server.records = received(["a", "b", "z", "q", "a", "b", "z"])  # alike, but not aligned
    assert fetch_all(server, plan(page_size=3, dedupe_key=None)) == server.records


def test_a_repeated_page_of_sent_messages_is_read_again() -> None:
    server = ResultSet(30)
    original = server.__call__
    spoiled = {"once": True}

    def repeat_once(offset: int, limit: int) -> Page:
        if offset == 20 and spoiled.pop("once", False):
            page = original(10, limit)
            return Page(page.count, 20, page.limit, page.items)
        return original(offset, limit)

    assert ids(fetch_all(repeat_once, plan(concurrency=1))) == list(range(30, 0, -1))
    assert len(server.calls) == 3 + 3


def test_the_client_passes_its_page_budget(make_client: Callable[..., SmstoolsClient]) -> None:
    client = make_client(page_size=10, max_pages=3)
    with pytest.raises(ResultTooLargeError, match="budget of 3 pages"):
        client.sent("2026-10-01", "2026-10-31")
    assert client.requests_made == 1
    with pytest.raises(ConfigError, match="page budget must be at least 1"):
        Settings(max_pages=0)
