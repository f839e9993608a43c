"""What the benchmark scripts share: timing an action the same way everywhere."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


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
