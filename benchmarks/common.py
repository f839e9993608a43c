"""What the benchmark scripts share: timing an action (or a coroutine), a process's peak memory,
writing generated messages straight to a store, and printing the figures."""

from __future__ import annotations

import gc
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from smstools_tui.sandbox import AccountSpec, generate_account
from smstools_tui.store import Store

Section = tuple[str, Sequence[tuple[str, str]]]


ID_STRIDE = 1_000_000_000
"""Each chunk's ids are moved by this much: within an account, chunks are merged by id."""


def peak_rss_mb() -> float:
    """This process's peak RSS. ``VmHWM`` starts again at ``exec``, unlike ``ru_maxrss``,
    which a child started from a big parent inherits."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_generated(
    store: Store,
    rows: int,
    *,
    seed: int,
    end: datetime,
    chunk_rows: int,
    received: tuple[int, int],
    label: str = "",
) -> int:
    """Write ``rows`` sent messages of the sandbox's generator straight to ``store``, in chunks
    of ``chunk_rows`` (no frame of them all is ever held), each chunk seeded ``seed + chunk``
    with ``received`` messages (the first chunk's, the others'); the messages written."""
    written, chunk = 0, 0
    while written < rows:
        size = min(chunk_rows, rows - written)
        count = received[0] if chunk == 0 else received[1]
        account = generate_account(AccountSpec(seed=seed + chunk, sent=size, received=count,
                                               now=end))  # fmt: skip
        sent = account.sent_frame()
        sent["id"] = sent["id"] + chunk * ID_STRIDE
        store.commit(sent=sent, received=account.received_frame() if count else None)
        written += len(sent)
        chunk += 1
        print(f"  stored {label}{written:,} sent messages", file=sys.stderr, flush=True)
        del account, sent
    return written


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of ``runs`` timings of ``action``, each after a garbage collection: on a
    shared, noisy machine the minimum is the most repeatable figure."""
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


async def best_of_async(
    runs: int,
    action: Callable[[], Awaitable[object]],
    *,
    before: Callable[[], Awaitable[object]] | None = None,
) -> float:
    """:func:`best_of` for a coroutine; ``before`` runs untimed ahead of each timing (to undo
    what the last one changed)."""
    times = []
    for _ in range(runs):
        if before is not None:
            await before()
        gc.collect()
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return min(times)


def print_sections(sections: Sequence[Section]) -> None:
    """Each section's title, then its ``label  value`` rows aligned, then the versions."""
    width = max(len(label) for _, rows in sections for label, _ in rows) + 2
    for title, rows in sections:
        print(f"\n{title}")
        for label, value in rows:
            print(f"  {label:<{width}}{value}")
    print(f"\n(python {sys.version.split()[0]}, pandas {pd.__version__})")
