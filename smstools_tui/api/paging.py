"""Reading a whole paginated search: concurrently, completely, and never twice the same message.

The first page tells how many messages match (``count``) and the page size the server applied
(``limit``, which may be smaller than asked). A search that would take more than
``max_pages`` pages (or match more than ``max_records`` messages) is refused there, before any
other page is asked for. The other pages then go out concurrently, at most ``concurrency`` at a
time, and are submitted a few at a time (a window of twice the concurrency), so a huge ``count``
costs no memory before its pages arrive.

A *pass* over the pages is accepted only when it is consistent:

- every page reported the same ``count``;
- every page that echoes its ``offset`` echoes the one asked for;
- no page repeats another (see below);
- the pass holds exactly ``count`` messages (distinct ids, for sent messages).

When the result set changed under the reader (a message arrived or vanished inside the window),
offsets shift and a page may repeat or skip messages; a server may also answer the wrong page.
Either way the whole pass is read again, up to ``max_passes`` times, and then the fetch fails
(:class:`~smstools_tui.errors.IncompleteFetchError`) rather than return a set it cannot vouch for.

Repeated pages: sent messages carry an id, so a repeated page leaves fewer distinct messages
than ``count``. Received messages carry none, and two identical messages (same sender, text and
second) are two messages, so a page is taken for a repetition only when it holds the very same
sequence of messages as a page at another offset *and* holds at least two different messages.
A page of identical messages (and so every page of one message) proves nothing: a run of
identical messages looks exactly like it, and is accepted.

Whatever ends a fetch early (a failed page, a cancel, Ctrl-C in the fetching thread) raises an
error that carries the pages answered so far in ``partial_records``.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from ..errors import FetchCancelled, IncompleteFetchError, ResultTooLargeError, SmstoolsError
from ..source import CancelToken, ProgressCallback
from .decode import Page

__all__ = ["CancelToken", "PagingPlan", "ProgressCallback", "fetch_all"]

log = logging.getLogger("smstools_tui.api")


@dataclass(frozen=True)
class PagingPlan:
    """How to read one search.

    Example:
        >>> plan = PagingPlan(page_size=100, concurrency=4, max_pages=50)
        >>> plan.window, plan.max_pages * plan.page_size
        (8, 5000)
    """

    page_size: int = 500
    concurrency: int = 4
    max_passes: int = 3
    max_records: int = 5_000_000
    max_pages: int = 10_000
    """The page budget: a search that needs more pages is refused after its first page."""
    dedupe_key: str | None = None
    """Field that identifies a record (``id`` for sent messages); ``None`` keeps every record."""

    @property
    def window(self) -> int:
        """Pages submitted but not yet answered, at most."""
        return 2 * self.concurrency


FetchPage = Callable[[int, int], Page]


def fetch_all(
    fetch_page: FetchPage,
    plan: PagingPlan,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[dict[str, Any]]:
    """Every record of a search, in the server's order.

    Args:
        fetch_page: ``fetch_page(offset, limit)`` returns one decoded page (retries included).
        plan: page size, concurrency, passes, budgets, de-duplication.
        progress: called with pages done and pages in total.
        cancel: checked between pages; when set, :class:`FetchCancelled` is raised.

    Raises:
        IncompleteFetchError: no consistent pass in ``plan.max_passes``.
        ResultTooLargeError: the search needs more pages or matches more records than the plan
            allows.
        FetchCancelled: ``cancel`` was set, or the fetching thread was interrupted (Ctrl-C).
        SmstoolsError: whatever a page raised once its retries were spent.

    Every error raised here carries the records read so far in ``partial_records``.

    Example:
        >>> def fetch_page(offset, limit):
        ...     items = [{"id": n} for n in range(offset, min(offset + limit, 5))]
        ...     return Page(count=5, offset=offset, limit=limit, items=items)
        >>> [record["id"] for record in fetch_all(fetch_page, PagingPlan(page_size=2))]
        [0, 1, 2, 3, 4]
    """
    observed: list[int] = []
    records: list[dict[str, Any]] = []
    problem = ""
    for attempt in range(1, plan.max_passes + 1):
        outcome = _one_pass(fetch_page, plan, progress, cancel)
        records = outcome.records
        observed.extend(outcome.counts)
        if outcome.problem is None:
            return records
        problem = outcome.problem
        log.info(
            "the pages did not add up (%s); reading them again (pass %d)", problem, attempt + 1
        )
    if len(set(observed)) > 1:
        error = IncompleteFetchError(
            f"the matching messages kept changing while they were read ({plan.max_passes} "
            f"passes, counts between {min(observed)} and {max(observed)}); try again, or a "
            "narrower window"
        )
    else:
        error = IncompleteFetchError(
            f"the server's pages did not add up in {plan.max_passes} passes ({problem}); try "
            "again, or a narrower window"
        )
    _attach(error, records)
    raise error


@dataclass(frozen=True)
class _Pass:
    records: list[dict[str, Any]]
    counts: list[int]
    problem: str | None
    """Why the pass cannot be vouched for, or ``None`` when it adds up."""


def _one_pass(
    fetch_page: FetchPage,
    plan: PagingPlan,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> _Pass:
    pages: dict[int, Page] = {}
    try:
        _check(cancel)
        first = fetch_page(0, plan.page_size)
        pages[0] = first
        step = _page_step(first, plan.page_size)
        _check_budget(first, step, plan)
        offsets = range(step, first.count, step) if step else range(0)
        total = 1 + len(offsets)
        if progress:
            progress(1, total)
        if offsets:
            _fetch_concurrently(fetch_page, offsets, step, plan, pages, progress, total, cancel)
    except SmstoolsError as error:
        _attach(error, _assemble(pages, plan.dedupe_key))
        raise
    except KeyboardInterrupt:
        cancelled = FetchCancelled("the fetch was interrupted")
        _attach(cancelled, _assemble(pages, plan.dedupe_key))
        raise cancelled from None
    counts = [page.count for page in pages.values()]
    problem, suspect = _suspect_pages(pages)
    # A page answered for another offset, or repeating another, is no part of what a failed
    # fetch keeps: it may hold nothing true.
    trusted = {offset: page for offset, page in pages.items() if offset not in suspect}
    records = _assemble(trusted, plan.dedupe_key)
    if problem is None and len(records) != first.count:
        problem = f"the pages held {len(records):,} messages, the server counted {first.count:,}"
    return _Pass(records, counts, problem)


def _page_step(first: Page, asked: int) -> int:
    """The page size to walk the offsets with.

    When more messages match than the first page holds, that page was full, so its length is
    the page size the server really applies, whatever it asked or claims; 0 means an empty
    first page although messages match, and such a pass is incomplete.
    """
    if first.limit and first.limit != len(first.items) and first.count > len(first.items):
        log.info("asked for %d per page, the server applies %d", asked, len(first.items))
    return len(first.items)


def _check_budget(first: Page, step: int, plan: PagingPlan) -> None:
    if first.count > plan.max_records:
        raise ResultTooLargeError(
            f"the search matches {first.count:,} messages, more than the limit of "
            f"{plan.max_records:,}; narrow the window"
        )
    needed = -(-first.count // step) if step else 1
    if needed > plan.max_pages:
        raise ResultTooLargeError(
            f"the search would take {needed:,} pages ({first.count:,} messages, {step:,} a "
            f"page), more than the budget of {plan.max_pages:,} pages a search; narrow the "
            "window, or raise the budget (--max-pages)"
        )


def _fetch_concurrently(
    fetch_page: FetchPage,
    offsets: range,
    step: int,
    plan: PagingPlan,
    pages: dict[int, Page],
    progress: ProgressCallback | None,
    total: int,
    cancel: CancelToken | None,
) -> None:
    executor = ThreadPoolExecutor(max_workers=plan.concurrency, thread_name_prefix="smstools-page")
    pending: dict[Future[Page], int] = {}
    upcoming: Iterator[int] = iter(offsets)

    def submit() -> None:
        for offset in itertools.islice(upcoming, plan.window - len(pending)):
            pending[executor.submit(fetch_page, offset, step)] = offset

    try:
        submit()
        while pending:
            done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            # Keep every page that arrived before raising the first failure among them.
            failures = [future for future in done if future.exception() is not None]
            for future in done:
                offset = pending.pop(future)
                if future.exception() is None:
                    pages[offset] = future.result()
                    if progress:
                        progress(len(pages), total)
            if failures:
                failures[0].result()
            submit()
            if pending:
                _check(cancel)
    finally:
        # On an error or a cancel, the few queued pages are dropped; pages in flight finish in
        # the background (bounded by the request timeout) and are discarded.
        executor.shutdown(wait=False, cancel_futures=True)


def _suspect_pages(pages: dict[int, Page]) -> tuple[str | None, set[int]]:
    """What makes a pass untrustworthy, if anything, and the offsets of the pages at fault."""
    problem: str | None = None
    if len({page.count for page in pages.values()}) > 1:
        problem = "the count changed between pages"
    suspect: set[int] = set()
    for offset, page in sorted(pages.items()):
        if page.offset != offset:
            suspect.add(offset)
            problem = problem or (
                f"asked for offset {offset:,}, the server answered offset {page.offset:,}"
            )
    for original, repeat in _repeated_pages(pages):
        suspect.add(repeat)
        problem = problem or f"the page at offset {repeat:,} repeats the one at offset {original:,}"
    return problem, suspect


def _repeated_pages(pages: dict[int, Page]) -> Iterator[tuple[int, int]]:
    """Pairs of offsets whose pages hold the same sequence of at least two different messages
    (the earlier offset first)."""
    seen: dict[tuple[int, str, str], list[int]] = {}
    for offset, page in sorted(pages.items()):
        items = page.items
        if len(items) < 2 or all(item == items[0] for item in items):
            continue
        earlier = seen.setdefault((len(items), repr(items[0]), repr(items[-1])), [])
        original = next((other for other in earlier if pages[other].items == items), None)
        if original is not None:
            yield original, offset
        else:
            earlier.append(offset)


def _assemble(pages: dict[int, Page], dedupe_key: str | None) -> list[dict[str, Any]]:
    records = [item for offset in sorted(pages) for item in pages[offset].items]
    if dedupe_key is None:
        return records
    # Keep the copy read last: when a message moved between pages it is the fresher one.
    latest: dict[Any, dict[str, Any]] = {}
    for record in records:
        key = record.get(dedupe_key)
        if key is None:
            key = object()  # a record without an id cannot be matched to another: keep it
        latest.pop(key, None)
        latest[key] = record
    return list(latest.values())


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.is_set():
        raise FetchCancelled("the fetch was cancelled")


def _attach(error: SmstoolsError, records: list[dict[str, Any]]) -> None:
    error.partial_records = records  # type: ignore[attr-defined]
