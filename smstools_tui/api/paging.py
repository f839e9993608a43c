"""Reading a whole paginated search: concurrently, completely, and never twice the same message.

The first page tells how many messages match (``count``) and the page size the server applied
(``limit``, which may be smaller than asked). The other pages then go out concurrently, at most
``concurrency`` at a time.

A *pass* over the pages is accepted only when it is consistent: every page reported the same
``count``, and the pass holds exactly ``count`` messages (distinct ids, for sent messages). When the
result set changed under the reader (a message arrived or vanished inside the window), offsets
shift and a page may repeat or skip messages, so the whole pass is read again, up to
``max_passes`` times, and then the fetch fails rather than return a set it cannot vouch for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import FetchCancelled, IncompleteFetchError, ResultTooLargeError, SmstoolsError
from .decode import Page

__all__ = ["CancelToken", "PagingPlan", "ProgressCallback", "fetch_all"]

log = logging.getLogger("smstools_tui.api")

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(pages_done, pages_total)`` from the thread that runs the fetch."""


class CancelToken(Protocol):
    """Anything with ``is_set()``, such as :class:`threading.Event`."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class PagingPlan:
    """How to read one search."""

    page_size: int = 500
    concurrency: int = 4
    max_passes: int = 3
    max_records: int = 5_000_000
    dedupe_key: str | None = None
    """Field that identifies a record (``id`` for sent messages); ``None`` keeps every record."""


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
        plan: page size, concurrency, passes, de-duplication.
        progress: called with pages done and pages in total.
        cancel: checked between pages; when set, :class:`FetchCancelled` is raised.

    Raises:
        IncompleteFetchError: no consistent pass in ``plan.max_passes``.
        FetchCancelled: ``cancel`` was set.
        SmstoolsError: whatever a page raised once its retries were spent.

    Every error raised here carries the records read so far in ``partial_records``.
    """
    observed: list[int] = []
    records: list[dict[str, Any]] = []
    for attempt in range(1, plan.max_passes + 1):
        records, counts, complete = _one_pass(fetch_page, plan, progress, cancel)
        observed.extend(counts)
        if complete:
            return records
        log.info(
            "the result set changed while it was read (counts %s); reading it again (pass %d)",
            sorted(set(counts)),
            attempt + 1,
        )
    error = IncompleteFetchError(
        f"the matching messages kept changing while they were read ({plan.max_passes} passes, "
        f"counts between {min(observed)} and {max(observed)}); try again, or a narrower window"
    )
    _attach(error, records)
    raise error


def _one_pass(
    fetch_page: FetchPage,
    plan: PagingPlan,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> tuple[list[dict[str, Any]], list[int], bool]:
    pages: dict[int, Page] = {}
    try:
        _check(cancel)
        first = fetch_page(0, plan.page_size)
        pages[0] = first
        if first.count > plan.max_records:
            raise ResultTooLargeError(
                f"the search matches {first.count:,} messages, more than the limit of "
                f"{plan.max_records:,}; narrow the window"
            )
        step = _page_step(first, plan.page_size)
        offsets = list(range(step, first.count, step)) if step and first.count > step else []
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
    records = _assemble(pages, plan.dedupe_key)
    counts = [page.count for page in pages.values()]
    complete = len(set(counts)) == 1 and len(records) == first.count
    return records, counts, complete


def _page_step(first: Page, asked: int) -> int:
    """The page size to walk the offsets with.

    When more messages match than the first page holds, that page was full, so its length is
    the page size the server really applies, whatever it asked or claims; 0 means an empty
    first page although messages match, and such a pass is incomplete.
    """
    if first.limit and first.limit != len(first.items) and first.count > len(first.items):
        log.info("asked for %d per page, the server applies %d", asked, len(first.items))
    return len(first.items)


def _fetch_concurrently(
    fetch_page: FetchPage,
    offsets: list[int],
    step: int,
    plan: PagingPlan,
    pages: dict[int, Page],
    progress: ProgressCallback | None,
    total: int,
    cancel: CancelToken | None,
) -> None:
    executor = ThreadPoolExecutor(max_workers=plan.concurrency, thread_name_prefix="smstools-page")
    pending: dict[Future[Page], int] = {}
    try:
        for offset in offsets:
            pending[executor.submit(fetch_page, offset, step)] = offset
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
            if pending:
                _check(cancel)
    finally:
        # On an error or a cancel, queued pages are dropped; pages in flight finish in the
        # background (bounded by the request timeout) and are discarded.
        executor.shutdown(wait=False, cancel_futures=True)


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
