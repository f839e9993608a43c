"""Query tab benchmark: how long the dashboard's event loop stalls while a heavy SQL query runs
in its worker, against the 150 ms target.

Run: ``python benchmarks/query_tab.py`` (under a minute). The dashboard runs headless on the demo
data (``App.run_test``); a timer asks to tick every 10 ms while the query runs; the longest gap
between two ticks is the longest the interface could not answer a key. The same timer with no
query running is the reference: the ratio says what the query costs the interface. Every figure
is measured in this one run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import time
from datetime import UTC, datetime

from smstools_tui.demo import demo_client
from smstools_tui.tui import make_app
from smstools_tui.tui.widgets.query import QueryPane

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TARGET_MS = 150.0
HEAVY = "SELECT sum(a * b) FROM range(400000) t(a), range(200000) u(b)"


async def gaps(app: object, seconds: float) -> list[float]:
    """The gaps between the ticks of a 10 ms timer over ``seconds``, in ms."""
    ticks: list[float] = []
    timer = app.set_interval(0.01, lambda: ticks.append(time.perf_counter()))  # type: ignore[attr-defined]
    await asyncio.sleep(seconds)
    timer.stop()
    return [(later - earlier) * 1000 for earlier, later in itertools.pairwise(ticks)]


async def measure(seconds: float) -> tuple[list[float], list[float]]:
    with demo_client(now=NOW, sent=50_000, received=4_000) as client:
        app = make_app(client, zone=UTC, compare_previous=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("8")
            idle = await gaps(app, seconds)
            pane = app.query_one(QueryPane)
            pane.editor.text = HEAVY
            await pilot.press("f5")
            while not pane.running:
                await pilot.pause(0.01)
            busy = await gaps(app, seconds)
            running = pane.running
            await pilot.press("escape")
            while pane.running:
                await pilot.pause(0.01)
    if not running:
        raise SystemExit("the query ended before the measurement did: make it heavier")
    return idle, busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="how long each measurement")
    args = parser.parse_args()
    idle, busy = asyncio.run(measure(args.seconds))
    width = 44
    print(f"{'':<{width}}{'idle':>10}{'query':>10}")
    for label, pick in (("ticks", len), ("median gap (ms)", statistics.median),
                        ("p99 gap (ms)", lambda v: statistics.quantiles(v, n=100)[98]),
                        ("longest gap (ms)", max)):  # fmt: skip
        print(f"{label:<{width}}{pick(idle):>10.1f}{pick(busy):>10.1f}")
    print(f"{'ratio, longest gap: query / idle':<{width}}{max(busy) / max(idle):>20.1f}")
    verdict = "met" if max(busy) <= TARGET_MS else "MISSED"
    print(f"\ntarget: the longest stall while a query runs at most {TARGET_MS:.0f} ms: "
          f"{verdict} ({max(busy):.0f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
