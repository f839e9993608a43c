"""Dashboard benchmark: first paint, every filter and sort of the Sent tab at millions of rows.

Run: ``python benchmarks/dashboard.py`` (about ten minutes, one of them generating 5M
messages; ``--sizes 100000 --reports-sizes ''`` for a quick look). Headless pilot, 120×40
terminal, seeded sandbox data cut to exactly N sent messages. For each size the Sent tab is on
screen with a small frame, then:

- *first paint*: a new N-row frame is handed to the Sent view (table model, default sort by
  insert date, table swap) until the screen has been laid out and repainted;
- *sort keys ready*: from that paint until the worker thread has prepared the sort and search
  keys of every column, and the longest the event loop went without running a 20 ms timer
  meanwhile (20 ms: it never stalled);
- *sort by text, asked at once*: a new frame, then a sort by text before its key is ready,
  until the sorted rows are on screen (the table orders them in a worker thread), and the
  longest stall of the event loop meanwhile; the rows are checked against a fresh model's;
- every filter (status, number, sender, campaign, free-text search) and every sort (each column,
  then again: reverse), each from the call to the repainted screen, once the keys are ready.

Every timing is the best of ``--repeat`` runs (the machine is shared and noisy: the minimum is
the repeatable figure); a sort's descending order is dropped before each run, so each run derives
it again. Targets: at 1M rows every filter and sort within 250 ms; at 5M rows a first paint
within 0.5 s and every filter and sort within 500 ms; the ratio printed is measured / target.
Memory per row: the frame's own, what the table adds (sort orders, lowered text, the numbers
and masks it made), and the growth of the process's resident memory from handing the frame to
the tab to its keys ready.

As a baseline, Textual's built-in DataTable is timed at the smallest size (``add_rows`` of row
tuples, then the first paint). Then, for each of ``--reports-sizes``, the whole pipeline of a load:
the app gets N sent messages (and N/25 received) and computes the overview and every report tab
in worker threads; measured are the time from the data on screen to the last report, a status
filter issued meanwhile (at once: it first counts the filter's choices), and the longest stall of
the event loop. Last, for each of ``--drill-sizes``, drill-downs once the reports are in: Enter on
the largest campaign, on the Pending figure and on the Replies figure (the messages selected in a
worker, then shown with their chips), and Esc back to the whole Sent tab, each from the call to
the repainted screen with the longest stall of the event loop meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from common import best_of_async  # benchmarks/common.py, beside this script
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable as BuiltinDataTable

from smstools_tui.account import Account
from smstools_tui.query import FetchResult, Query
from smstools_tui.sandbox import AccountSpec, generate_account
from smstools_tui.source import MessageSource
from smstools_tui.tui import DashboardApp, make_app
from smstools_tui.tui.model import SortOrder, TableFilter, TableModel
from smstools_tui.tui.views import SENT_VIEW, WindowChoice
from smstools_tui.tui.widgets.frame_view import FrameView

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SIZE = (120, 40)
TARGET_PAINT = 0.5
TARGET_FILTER = {1_000_000: 0.25, 5_000_000: 0.5}
"""Rows → the budget of every filter and sort; sizes in between take the next one up."""
PAINT_STEPS = (
    "first paint",
    "sort keys ready (background)",
    "longest UI stall while preparing",
    "sort by text, asked at once",
    "longest UI stall meanwhile",
)
PREPARING = "prepare-sorting"
"""The worker group in which a table prepares its sort and search keys."""
INFORMATIONAL = (
    "redraw, nothing to compute (floor)",
    "sort keys ready (background)",
    "sort by text, asked at once",
)


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
    """Exactly ``rows`` sent messages (the generator gives about as many as asked: ask for a
    few more and cut), and a twenty-fifth as many received."""
    asked = rows + rows // 50 + 100
    while True:
        account = generate_account(
            AccountSpec(seed=3, sent=asked, received=max(rows // 25, 100), days=400, now=NOW)
        )
        sent = account.sent_frame()
        if len(sent) >= rows:
            return sent.iloc[:rows].reset_index(drop=True), account.received_frame()
        asked += rows // 20


def resident_mib() -> float:
    """The process's resident memory now, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def filter_budget(rows: int) -> float:
    return next(
        (budget for size, budget in sorted(TARGET_FILTER.items()) if rows <= size),
        max(TARGET_FILTER.values()),
    )


def forget_sorts(model: TableModel) -> None:
    model.forget_descending()


def added_bytes(model: TableModel) -> float:
    return float(model.nbytes())


async def painted(app: App[Any]) -> None:
    """Wait until the screen has been laid out and repainted."""
    done = asyncio.Event()
    app.call_after_refresh(done.set)
    await done.wait()


class Stalls:
    """The longest the event loop went without running a 20 ms timer."""

    def __init__(self, app: App[Any]) -> None:
        self.longest = 0.0
        self._last = time.perf_counter()
        self._timer = app.set_interval(0.02, self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now

    def stop(self) -> float:
        self._timer.stop()
        self._tick()
        return self.longest


async def until_prepared(app: App[Any]) -> None:
    """Wait until no table is preparing sort keys (a frame under the view's threshold has
    none to prepare: it sorts on demand)."""
    while any(not worker.is_finished for worker in app.workers if worker.group == PREPARING):
        await asyncio.sleep(0.005)


async def measure(sent: pd.DataFrame, small: pd.DataFrame, repeat: int) -> dict[str, float]:
    """Seconds (and bytes) for each step, in one headless app."""
    client = Served(small, small.iloc[:0])
    window = WindowChoice.custom(NOW - timedelta(days=400), NOW)
    app: DashboardApp = make_app(client, window=window, zone=UTC, compare_previous=False)  # type: ignore[arg-type]
    # The order of the printed table; memory goes last.
    figures = dict.fromkeys(("redraw, nothing to compute (floor)", *PAINT_STEPS), 0.0)
    memory: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await app.workers.wait_for_complete()
            await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        view = app.view("sent")

        async def timed(
            name: str,
            action: Callable[[], object],
            before: Callable[[], Awaitable[object]] | None = None,
            runs: int = repeat,
        ) -> None:
            async def run() -> None:
                action()
                await painted(app)

            figures[name] = await best_of_async(runs, run, before=before)

        # First paint, each run from a small frame with no worker left running.
        async def small_frame() -> None:
            view.set_frame(small)
            await app.workers.wait_for_complete()
            await painted(app)

        paints, ready, stalls = [], [], []
        for attempt in range(max(2, repeat // 2)):
            await small_frame()
            gc.collect()
            resident = resident_mib()
            started = time.perf_counter()
            view.set_frame(sent)
            await painted(app)
            paints.append(time.perf_counter() - started)
            watch = Stalls(app)
            await until_prepared(app)
            ready.append(time.perf_counter() - started - paints[-1])
            stalls.append(watch.stop())
            if attempt == 0:
                assert view.model is not None
                rows = len(sent)
                grown = (resident_mib() - resident) * 2**20
                memory["memory: the frame (bytes/row)"] = sent.memory_usage(deep=True).sum() / rows
                memory["memory: the table's own (bytes/row)"] = added_bytes(view.model) / rows
                memory["memory: process growth (bytes/row)"] = grown / rows
        # What every filter and sort pays besides its own work: a new view of the same rows,
        # every visible cell formatted and drawn again.
        await timed("redraw, nothing to compute (floor)", view.apply)
        figures["first paint"] = min(paints)
        figures["sort keys ready (background)"] = min(ready)
        figures["longest UI stall while preparing"] = min(stalls)
        assert view.table.row_count == len(sent)
        first = sent.iloc[int(view.rows[0])]
        assert str(first["to"]) in app.export_screenshot()  # the paint shows the data

        # A sort before its key is ready: right, only later, and the screen stays live.
        await small_frame()
        view.set_frame(sent)
        await painted(app)
        watch = Stalls(app)
        started = time.perf_counter()
        view.set_sort(SortOrder("text"))
        await painted(app)
        while view.sorting:
            await asyncio.sleep(0.005)
        await painted(app)
        figures["sort by text, asked at once"] = time.perf_counter() - started
        figures["longest UI stall meanwhile"] = watch.stop()
        reference = TableModel(sent, SENT_VIEW.columns).rows(TableFilter(), SortOrder("text"))
        assert (view.rows == reference).all(), "a sort asked before its key is ready differs"
        await until_prepared(app)

        default = SENT_VIEW.default_sort
        number = str(sent["to"].iloc[len(sent) // 2])[:6]

        async def unfiltered() -> None:
            view.action_clear_filters()
            view.set_sort(default)
            await painted(app)

        async def unsorted() -> None:
            await unfiltered()
            assert view.model is not None
            forget_sorts(view.model)

        filters: dict[str, dict[str, str]] = {
            "status filter": {"status": "NOTDELIVERED"},
            "number filter": {"number": number},
            "sender filter": {"sender": "MyShop OTP"},
            "campaign filter": {"campaign": "black-friday"},
            "search": {"search": "stop"},
            "status filter and search": {"status": "DELIVERED", "search": "codice"},
        }
        for name, query in filters.items():
            await timed(name, lambda query=query: view.set_filter(**query), unfiltered)  # type: ignore[misc]
        await timed("clear filters", view.action_clear_filters, lambda: _filtered(view, app))
        for spec in SENT_VIEW.columns:
            for descending in (False, True):
                sort = SortOrder(spec.name, descending)
                label = f"sort by {spec.title} {'▼' if descending else '▲'}"
                await timed(label, lambda sort=sort: view.set_sort(sort), unsorted)  # type: ignore[misc]
    return figures | memory


async def _filtered(view: FrameView, app: App[Any]) -> None:
    view.set_filter(status="DELIVERED", search="stop")
    await painted(app)


class Builtin(App[None]):
    def __init__(self, sent: pd.DataFrame) -> None:
        super().__init__()
        self.sent = sent

    def compose(self) -> ComposeResult:
        yield BuiltinDataTable()


async def builtin_paint(sent: pd.DataFrame) -> float:
    """Textual's own DataTable: row tuples in (each cell a Text), then the first screen."""
    app = Builtin(sent)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(BuiltinDataTable)
        started = time.perf_counter()
        table.add_columns(*[str(name) for name in sent.columns])
        # Text cells: the built-in table parses plain strings as markup, which SMS texts are not.
        rows = sent.itertuples(index=False, name=None)
        table.add_rows([Text(str(value)) for value in row] for row in rows)
        await pilot.pause()
        return time.perf_counter() - started


async def measure_reports(sent: pd.DataFrame, received: pd.DataFrame) -> dict[str, float]:
    """Seconds for the overview and report tabs of one load, and the UI's worst stall."""
    client = Served(sent, received)
    window = WindowChoice.custom(NOW - timedelta(days=400), NOW)
    app = make_app(client, window=window, zone=UTC, compare_previous=False)  # type: ignore[arg-type]
    figures: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        # No pilot.press before this: it waits for the app to be idle, reports and all.
        while app.dataset is None:
            await pilot.pause(0.005)
        loaded = time.perf_counter()
        watch = Stalls(app)
        app.show_tab("tab-sent")
        view = app.view("sent")
        started = time.perf_counter()
        view.set_filter(status="NOTDELIVERED")
        await painted(app)
        figures["filter while reports compute"] = time.perf_counter() - started
        while app.analysis_pending:
            await pilot.pause(0.01)
        figures["overview and report tabs"] = time.perf_counter() - loaded
        figures["longest UI stall"] = watch.stop()
        assert app.view("costs").frame is not None
        assert app.charts is not None
    return figures


async def _drilled(app: DashboardApp, kind: str) -> None:
    """Wait until the drill-down's messages are on the tab of ``kind`` and painted."""
    view = app.view(kind)
    while (
        view.drill is None
        or view.sorting
        or any(not worker.is_finished for worker in app.workers if worker.group == f"select-{kind}")
    ):
        await asyncio.sleep(0.002)
    await painted(app)


async def measure_drill(sent: pd.DataFrame, received: pd.DataFrame) -> dict[str, float]:
    """Seconds from asking for a drill-down to its messages on screen, and back, with the
    event loop's longest stall meanwhile."""
    client = Served(sent, received)
    window = WindowChoice.custom(NOW - timedelta(days=400), NOW)
    app = make_app(client, window=window, zone=UTC, compare_previous=False)  # type: ignore[arg-type]
    figures: dict[str, float] = {}
    async with app.run_test(size=SIZE) as pilot:
        while app.dataset is None or app.analysis_pending:
            await pilot.pause(0.01)
        campaigns = app.view("campaigns")
        frame = campaigns.frame
        assert frame is not None
        largest = int(frame["messages"].to_numpy().argmax())

        async def timed(name: str, ask: Callable[[], object], kind: str) -> None:
            watch = Stalls(app)
            started = time.perf_counter()
            ask()
            await _drilled(app, kind)
            figures[name] = time.perf_counter() - started
            figures[f"longest UI stall: {name}"] = watch.stop()

        async def back(name: str) -> None:
            watch = Stalls(app)
            started = time.perf_counter()
            app.go_back()
            await painted(app)
            figures[name] = time.perf_counter() - started
            figures[f"longest UI stall: {name}"] = watch.stop()

        app.show_tab("tab-campaigns")
        await timed("Enter on the largest campaign", lambda: app.drill_row(campaigns, largest),
                    "sent")  # fmt: skip
        assert len(app.view("sent").rows) == frame["messages"].iat[largest]
        await back("Esc back to the campaigns")
        await timed("Enter on Pending", lambda: app.drill_figure("pending"), "sent")
        await back("Esc back to the overview")
        await timed("Enter on Replies", lambda: app.drill_figure("replies"), "received")
        await back("Esc back again")
    return figures


def cell(name: str, value: float, budget: float | None) -> str:
    if name.startswith("memory"):
        return f"{value:>14.0f}  "
    shown = f"{value * 1000:>9.0f} ms"
    return shown + (f" {value / budget:4.2f}" if budget is not None else "     ")


def budget_of(name: str, rows: int) -> float | None:
    if name == "first paint":
        return TARGET_PAINT
    if name in INFORMATIONAL or name.startswith(("memory", "longest")):
        return None
    return filter_budget(rows)


def print_table(results: dict[int, dict[str, float]], generation: dict[int, float]) -> None:
    steps = list(next(iter(results.values())))
    width = max(len(step) for step in steps) + 2
    print(f"{'rows':>{width}}" + "".join(f"{rows:>19,}" for rows in results))
    print(
        f"{'(ms, then measured/target)':>{width}}"
        + "".join(
            f"{'budget ' + format(filter_budget(rows) * 1000, '.0f') + ' ms':>19}"
            for rows in results
        )
    )
    for step in steps:
        cells = "".join(cell(step, results[rows][step], budget_of(step, rows)) for rows in results)
        print(f"{step:>{width}}{cells}")
    print()
    for rows, figures in results.items():
        timed = {
            name: value for name, value in figures.items() if budget_of(name, rows) is not None
        }
        slowest = max(
            (name for name in timed if name != "first paint"), key=lambda name: timed[name]
        )
        paint, budget = figures["first paint"], filter_budget(rows)
        verdict = "ok" if paint <= TARGET_PAINT and timed[slowest] <= budget else "OVER TARGET"
        print(
            f"{rows:>10,} rows (generated in {generation[rows]:.1f} s): first paint "
            f"{paint * 1000:.0f} ms ({paint / TARGET_PAINT:.2f} of 0.5 s); slowest filter or sort "
            f"{slowest!r} {timed[slowest] * 1000:.0f} ms ({timed[slowest] / budget:.2f} of "
            f"{budget * 1000:.0f} ms): {verdict}"
        )


def measure_steps(
    title: str,
    sizes: list[int],
    measure: Callable[[pd.DataFrame, pd.DataFrame], Coroutine[Any, Any, dict[str, float]]],
) -> None:
    """Time ``measure``'s steps at each size, one frame in memory at a time, and print them as
    a table: a row per step, a column per size."""
    timings: dict[int, dict[str, float]] = {}
    for rows in sizes:
        sent, received = frames(rows)
        timings[rows] = asyncio.run(measure(sent, received))
        del sent, received
        gc.collect()
    if not timings:
        return
    print()
    steps = list(next(iter(timings.values())))
    width = max(len(title), *(len(step) for step in steps)) + 2
    print(f"{title:>{width}}" + "".join(f"{rows:>12,}" for rows in timings))
    for step in steps:
        cells = "".join(f"{timings[rows][step] * 1000:>10.0f}ms" for rows in timings)
        print(f"{step:>{width}}{cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="50000,1000000,5000000")
    parser.add_argument("--repeat", type=int, default=5, help="timings per figure (the best)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--reports-sizes", default="500000")
    parser.add_argument("--drill-sizes", default="1000000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    report_sizes = [int(size) for size in args.reports_sizes.split(",") if size]
    drill_sizes = [int(size) for size in args.drill_sizes.split(",") if size]

    started_load = os.getloadavg()[0]  # others' work on a shared machine slows every figure
    small, _ = frames(2_000)
    results: dict[int, dict[str, float]] = {}
    generation: dict[int, float] = {}
    for rows in sizes:
        started = time.perf_counter()
        sent, _ = frames(rows)
        generation[rows] = time.perf_counter() - started
        results[rows] = asyncio.run(measure(sent, small, args.repeat))
        del sent
        gc.collect()
    print(f"Best of {args.repeat} runs each (first paint: of {max(2, args.repeat // 2)}).\n")
    print_table(results, generation)

    if not args.no_baseline:
        rows = min(results)
        sent, _ = frames(rows)
        builtin = asyncio.run(builtin_paint(sent))
        ours = results[rows]["first paint"]
        print(
            f"\nTextual's DataTable at {rows:,} rows: first paint {builtin:.2f} s, "
            f"{builtin / ours:.0f}× the fast table's {ours * 1000:.0f} ms"
        )

    measure_steps("rows (sent)", report_sizes, measure_reports)
    measure_steps("drill-down, rows (sent)", drill_sizes, measure_drill)
    print(
        f"\n(python {sys.version.split()[0]}, pandas {pd.__version__}, load average "
        f"{started_load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end, on "
        f"{os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
