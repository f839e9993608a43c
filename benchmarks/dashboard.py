"""Dashboard benchmark: first paint of the Sent tab and filter/sort latency on large data.

Run: ``python benchmarks/dashboard.py`` (about two minutes; ``--sizes 50000`` for a quick look).
Headless pilot, 120×40 terminal, seeded demo data. For each size the Sent tab is on screen with
a small frame, then:

- *first paint*: a new N-row frame is handed to the Sent view (table model, default sort by
  insert date, table swap) until the screen has been laid out and repainted;
- *filter*: a status filter, a number filter, a free-text search and two sorts, each from the
  call to the repainted screen.

The target is a first paint under 0.5 s and a filter or sort under 0.3 s at 500k rows. As a
baseline, Textual's built-in DataTable is timed once at the smallest size (``add_rows`` of row
tuples, then the first paint); the ratio is measured in the same run.

Then, for each size, the whole pipeline of a load (``--reports-sizes``, default 500k): the app
gets the N sent messages (and N/25 received) from its client and computes the overview's figures
and charts, the reply matching and every report tab in its worker threads. Measured: the time
from the data on screen to the last report in its tab, a status filter on the Sent tab issued
while they compute, and the longest the UI's event loop went without running a 20 ms timer
(how frozen the screen could feel).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from textual.app import App, ComposeResult
from textual.widgets import DataTable as BuiltinDataTable

from smstools_tui.account import Account
from smstools_tui.query import FetchResult, Query
from smstools_tui.sandbox import AccountSpec, generate_account
from smstools_tui.source import MessageSource
from smstools_tui.tui import make_app
from smstools_tui.tui.model import SortOrder
from smstools_tui.tui.views import WindowChoice

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SIZE = (120, 40)
TARGET_PAINT, TARGET_FILTER = 0.5, 0.3


class Served(MessageSource):
    """A client stand-in that returns prepared frames at once (no fetch in the figures)."""

    label = "demo"

    def __init__(self, sent: pd.DataFrame, received: pd.DataFrame) -> None:
        self.sent_frame, self.received_frame = sent, received

    def now(self) -> datetime:
        return NOW

    def close(self) -> None:
        pass

    def account(self) -> Account:
        return Account(business_name="Benchmark", credit=1000.0, italy_sms=10_000)

    def _fetch(self, query: Query, progress: Any, cancel: Any) -> FetchResult:
        frame = self.sent_frame if query.kind == "sent" else self.received_frame
        return FetchResult(frame, query, query.span, fetched_at=NOW, source=self.label)


def frames(rows: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    account = generate_account(
        AccountSpec(seed=3, sent=rows, received=max(rows // 25, 100), days=400, now=NOW)
    )
    return account.sent_frame().iloc[:rows].reset_index(drop=True), account.received_frame()


async def measure_reports(sent: pd.DataFrame, received: pd.DataFrame) -> dict[str, float]:
    """Seconds for the overview and report tabs of one load, and the UI's worst stall."""
    client = Served(sent, received)
    window = WindowChoice.custom(NOW - timedelta(days=400), NOW)
    app = make_app(client, window=window, zone=UTC, compare_previous=False)
    figures: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        # No pilot.press before this: it waits for the app to be idle, reports and all.
        while app.dataset is None:
            await pilot.pause(0.005)
        loaded = time.perf_counter()
        last = [loaded]
        stall = [0.0]

        def tick() -> None:
            now = time.perf_counter()
            stall[0] = max(stall[0], now - last[0])
            last[0] = now

        timer = app.set_interval(0.02, tick)
        app.show_tab("tab-sent")
        view = app.view("sent")
        # pilot.pause() would wait for every report; the next refresh of the screen is what
        # the user waits for.
        painted = asyncio.Event()
        started = time.perf_counter()
        view.set_query(status="NOTDELIVERED")
        app.call_after_refresh(painted.set)
        await painted.wait()
        figures["filter while reports compute"] = time.perf_counter() - started
        while app.analysis_pending:
            await pilot.pause(0.01)
        figures["overview and report tabs"] = time.perf_counter() - loaded
        timer.stop()
        figures["longest UI stall"] = stall[0]
        assert app.view("costs").frame is not None
        assert app.charts is not None
    return figures


async def measure(sent: pd.DataFrame, small: pd.DataFrame) -> dict[str, float]:
    """Seconds for each step, in one headless app."""
    client = Served(small, small.iloc[:0])
    window = WindowChoice.custom(NOW - timedelta(days=400), NOW)
    app = make_app(client, window=window, zone=UTC, compare_previous=False)
    figures: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        view = app.view("sent")

        async def timed(name: str, action: Callable[[], object]) -> None:
            gc.collect()
            started = time.perf_counter()
            action()
            # Layout, then the compositor repaints the screen to the (headless) driver: the
            # table formats and draws its visible rows here.
            await pilot.pause()
            figures[name] = time.perf_counter() - started

        await timed("repaint only (floor)", view.table.refresh)
        await timed("first paint", lambda: view.set_frame(sent))
        assert view.table.row_count == len(sent)
        assert view.frame is not None
        first = view.frame.iloc[view.rows[0]]
        assert str(first["to"]) in app.export_screenshot()  # the paint shows the data
        number = str(sent["to"].iloc[len(sent) // 2])[:6]
        await timed("status filter", lambda: view.set_query(status="NOTDELIVERED"))
        await timed("number filter", lambda: view.set_query(status="", number=number))
        await timed("search", lambda: view.set_query(number="", search="stop"))
        await timed("sort by number", lambda: view.set_sort(SortOrder("to")))
        await timed("sort by text", lambda: view.set_sort(SortOrder("text", descending=True)))
        await timed("clear", view.action_clear_filters)
    return figures


class Builtin(App[None]):
    def __init__(self, sent: pd.DataFrame) -> None:
        super().__init__()
        self.sent = sent

    def compose(self) -> ComposeResult:
        yield BuiltinDataTable()


async def builtin_paint(sent: pd.DataFrame) -> float:
    """Textual's own DataTable: row tuples in, then the first screen."""
    app = Builtin(sent)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(BuiltinDataTable)
        started = time.perf_counter()
        table.add_columns(*[str(name) for name in sent.columns])
        table.add_rows(sent.astype(str).itertuples(index=False, name=None))
        await pilot.pause()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,500000,1000000")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--reports-sizes", default="500000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    report_sizes = [int(size) for size in args.reports_sizes.split(",") if size]

    small, _ = frames(2_000)
    results: dict[int, dict[str, float]] = {}
    for rows in sizes:
        sent, _ = frames(rows)
        results[len(sent)] = asyncio.run(measure(sent, small))
        del sent
        gc.collect()

    steps = list(next(iter(results.values())))
    width = max(len(step) for step in steps) + 2
    print(f"{'rows':>{width}}" + "".join(f"{rows:>12,}" for rows in results))
    for step in steps:
        cells = "".join(f"{results[rows][step] * 1000:>10.0f}ms" for rows in results)
        print(f"{step:>{width}}{cells}")

    print()
    for rows, figures in results.items():
        paint = figures["first paint"]
        worst = max(
            value
            for name, value in figures.items()
            if name not in ("first paint", "repaint only (floor)")
        )
        verdict = "ok" if paint < TARGET_PAINT and worst < TARGET_FILTER else "OVER TARGET"
        print(
            f"{rows:>9,} rows: first paint {paint / TARGET_PAINT:.2f}× of its 0.5 s budget, "
            f"slowest filter/sort {worst / TARGET_FILTER:.2f}× of its 0.3 s budget: {verdict}"
        )

    reports: dict[int, dict[str, float]] = {}
    for rows in report_sizes:
        sent, received = frames(rows)
        reports[len(sent)] = asyncio.run(measure_reports(sent, received))
        del sent, received
        gc.collect()
    if reports:
        print()
        steps = list(next(iter(reports.values())))
        width = max(len(step) for step in steps) + 2
        print(f"{'rows (sent)':>{width}}" + "".join(f"{rows:>12,}" for rows in reports))
        for step in steps:
            cells = "".join(f"{reports[rows][step] * 1000:>10.0f}ms" for rows in reports)
            print(f"{step:>{width}}{cells}")

    if not args.no_baseline:
        rows = min(results)
        sent, _ = frames(rows)
        builtin = asyncio.run(builtin_paint(sent))
        ours = results[rows]["first paint"]
        print(
            f"\nTextual's DataTable at {rows:,} rows: first paint {builtin:.2f} s, "
            f"{builtin / ours:.0f}× the fast table's {ours * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
