"""What the benchmark scripts share: timing an action (or a coroutine), and printing the figures."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

import pandas as pd

Section = tuple[str, Sequence[tuple[str, str]]]


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
