"""Analysis benchmark: every report on 100k and 1M sandbox sent messages (10k and 100k received).

Run: ``python benchmarks/analysis.py`` (about two minutes, most of it generating the data).
Every figure is measured in this one run; each is the best of ``--runs`` repetitions, because the
machines are shared and noisy. The verdicts: all the reports together on 1M sent messages
against the 10-second target, and the 1M / 100k ratio of each report (10 is linear growth).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
from common import best_of  # benchmarks/common.py, beside this script

from smstools_tui import analysis
from smstools_tui.report.html import build_report_data, render_report
from smstools_tui.report.reports import run_report
from smstools_tui.sandbox import AccountSpec, generate_account

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ZONE = "Europe/Rome"
TARGET_SECONDS = 10.0

Frames = tuple[pd.DataFrame, pd.DataFrame]

# The reports of ``smstools-tui report``, each with a grouping a user would ask for.
REPORTS: dict[str, Callable[[Frames], object]] = {
    "delivery --by day": lambda f: run_report("delivery", f[0], by="day", tz=ZONE),
    "delivery --by country": lambda f: run_report("delivery", f[0], by="country", tz=ZONE),
    "latency --by campaign": lambda f: run_report("latency", f[0], by="campaign", tz=ZONE),
    "cost --by month": lambda f: run_report("cost", f[0], by="month", tz=ZONE),
    "billing": lambda f: run_report("billing", f[0], tz=ZONE),
    "encoding --by campaign": lambda f: run_report("encoding", f[0], by="campaign", tz=ZONE),
    "text-savings": lambda f: run_report("text-savings", f[0]),
    "campaigns": lambda f: run_report("campaigns", *f),
    "failing-numbers": lambda f: run_report("failing-numbers", f[0]),
    "opt-outs": lambda f: run_report("opt-outs", *f),
    "compliance": lambda f: run_report("compliance", *f),
    "carriers": lambda f: run_report("carriers", f[0]),
    "send-times": lambda f: run_report("send-times", *f, tz=ZONE),
    "sender-ids": lambda f: run_report("sender-ids", f[0]),
    "quiet-hours": lambda f: run_report("quiet-hours", *f),
    "headline figures": lambda f: analysis.headline_figures(*f),
}
HTML = "all (HTML report)"


def frames(sent: int, received: int) -> tuple[Frames, float]:
    started = time.perf_counter()
    account = generate_account(AccountSpec(seed=5, sent=sent, received=received, now=NOW))
    data = (account.sent_frame(), account.received_frame())
    return data, time.perf_counter() - started


def render_all(data: Frames) -> str:
    return render_report(build_report_data(*data, tz=ZONE), generated=NOW)


def measure(data: Frames, runs: int) -> dict[str, float]:
    timings = {
        name: best_of(runs, lambda run=run: run(data))  # type: ignore[misc]
        for name, run in REPORTS.items()
    }
    timings[HTML] = best_of(runs, lambda: render_all(data))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=100_000, help="sent messages, small run")
    parser.add_argument("--large", type=int, default=1_000_000, help="sent messages, large run")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the best counts")
    args = parser.parse_args()

    timings: dict[int, dict[str, float]] = {}
    rows: dict[int, int] = {}
    for size in (args.small, args.large):
        data, generated = frames(size, size // 10)
        rows[size] = len(data[0])
        print(
            f"generated {len(data[0]):,} sent and {len(data[1]):,} received in {generated:.1f} s",
            flush=True,
        )
        timings[size] = measure(data, args.runs)

    small, large = timings[args.small], timings[args.large]
    width = max(len(name) for name in [*REPORTS, HTML, "total, all reports"]) + 2
    header = f"{'report':<{width}}{rows[args.small]:>12,}{rows[args.large]:>12,}{'ratio':>8}"
    print()
    print(f"seconds (best of {args.runs}) per report; columns: sent messages")
    print(header)
    print("-" * len(header))
    for name in [*REPORTS, HTML]:
        ratio = large[name] / small[name] if small[name] else float("nan")
        print(f"{name:<{width}}{small[name]:>12.3f}{large[name]:>12.3f}{ratio:>8.1f}")
    total_small = sum(small[name] for name in REPORTS)
    total_large = sum(large[name] for name in REPORTS)
    print("-" * len(header))
    print(
        f"{'total, all reports':<{width}}{total_small:>12.3f}{total_large:>12.3f}"
        f"{total_large / total_small:>8.1f}"
    )
    both_small, both_large = total_small + small[HTML], total_large + large[HTML]
    print(
        f"{'total + HTML report':<{width}}{both_small:>12.3f}{both_large:>12.3f}"
        f"{both_large / both_small:>8.1f}"
    )
    growth = rows[args.large] / rows[args.small]
    verdict = "met" if both_large < TARGET_SECONDS else "MISSED"
    print()
    print(
        f"target: every report, the HTML report included, on {rows[args.large]:,} sent in under "
        f"{TARGET_SECONDS:.0f} s: {verdict} ({both_large:.2f} s)"
    )
    print(
        f"growth: {growth:.1f}x the messages took {both_large / both_small:.1f}x the time "
        "(linear would be the same factor)"
    )


if __name__ == "__main__":
    main()
