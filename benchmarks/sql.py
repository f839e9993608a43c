"""SQL benchmark: two report queries on a stored account of 10 million sent messages, through
DuckDB on the store's Parquet files and through pandas on the loaded frame.

Run: ``python benchmarks/sql.py`` (generating 10M messages takes a few minutes; ``--rows`` for
fewer, ``--store PATH`` to keep the store and reuse it on the next run). Every figure is
measured in this one run.

1. The store: the sandbox's data generator writes the account straight into a store, in chunks
   (ids made unique across chunks), so no frame of all the messages is ever held.
2. Each query runs in its own process, so that process's peak RSS is the query's: DuckDB
   reading the Parquet files (target: each query <= 1 s, peak RSS <= 1.5 GB), then pandas
   loading the frame and running the same report (the reference).
   - ``GROUP BY status, month``: messages per status and month (Rome's calendar).
   - ``GROUP BY country`` with the delivery rate: ``country()`` (calling code), and
     ``number_country()`` (the reports' own numbering-plan check, per distinct number).
3. The answers are compared: status and month counts must be equal; the country counts are
   compared with the report's and the messages whose country differs are counted.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from common import peak_rss_mb, print_sections, write_generated  # benchmarks/common.py

from smstools_tui.analysis import delivery_report
from smstools_tui.sql import SqlTables
from smstools_tui.store import Store, StoreIdentity

END = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ZONE = "Europe/Rome"
CHUNK = 2_500_000
ID_STRIDE = 1_000_000_000
"""Each chunk's ids are moved by this much: the chunks are separate accounts, merged by id."""

QUERIES = {
    "status_month": (
        "SELECT status, local_month(insertDate) AS month, count(*) AS messages"
        " FROM sent GROUP BY status, month"
    ),
    # The same, the time zone applied per quarter of an hour rather than per message: every
    # zone's offset is a whole number of quarters, so the months are the same.
    "status_month_by_quarter": (
        "WITH quarters AS (SELECT status, epoch_us(insertDate) // 900000000 AS quarter,"
        " count(*) AS messages FROM sent GROUP BY ALL)"
        " SELECT status, local_month(make_timestamptz(quarter * 900000000)) AS month,"
        " sum(messages) AS messages"
        " FROM quarters GROUP BY status, month"
    ),
    "country": (
        'SELECT country("to") AS country, count(*) AS messages,'
        " delivery_rate(status) AS delivery_rate FROM sent GROUP BY country"
    ),
    # The same, the calling code read once per distinct start of a number.
    "country_by_prefix": (
        'WITH prefixes AS (SELECT left("to", 6) AS prefix, count(*) AS messages,'
        " count(*) FILTER (WHERE status = 'DELIVERED') AS delivered,"
        " count(*) FILTER (WHERE is_final(status)) AS final FROM sent GROUP BY prefix)"
        " SELECT country(prefix) AS country, sum(messages) AS messages,"
        " sum(delivered) / nullif(sum(final), 0) AS delivery_rate"
        " FROM prefixes GROUP BY country"
    ),
    "country_exact": (
        'WITH per_number AS (SELECT "to", count(*) AS messages,'
        " count(*) FILTER (WHERE status = 'DELIVERED') AS delivered,"
        ' count(*) FILTER (WHERE is_final(status)) AS final FROM sent GROUP BY "to")'
        ' SELECT number_country("to") AS country, sum(messages) AS messages,'
        " sum(delivered) / nullif(sum(final), 0) AS delivery_rate"
        " FROM per_number GROUP BY country"
    ),
}
PANDAS = {
    "status_month": lambda sent: delivery_report(sent, ["status", "month"], tz=ZONE),
    "country": lambda sent: delivery_report(sent, "country"),
}


def build_store(folder: Path, rows: int) -> tuple[int, float]:
    """Generate ``rows`` sent messages into a new store at ``folder``; (messages, seconds)."""
    who = StoreIdentity("http://127.0.0.1/rest/api", "sha256:benchmark", "benchmark")
    store = Store.open(folder, who)
    started = time.perf_counter()
    written = write_generated(store, rows, seed=100, end=END, chunk_rows=CHUNK,
                              received=(1_000, 10))  # fmt: skip
    return written, time.perf_counter() - started


def child(engine: str, name: str, folder: Path, runs: int) -> None:
    """Run one query ``runs`` times in this process and print its figures as JSON."""
    figures: dict[str, float] = {"baseline_rss_mb": peak_rss_mb()}
    if engine == "duckdb":
        started = time.perf_counter()
        files = Store.open(folder).snapshot_files()
        tables = SqlTables.from_files(files["sent"], files["received"], zone=ZONE)
        figures["open_s"] = time.perf_counter() - started
        times, result = [], None
        for _ in range(runs):
            started = time.perf_counter()
            result = tables.query(QUERIES[name])
            times.append(time.perf_counter() - started)
        assert result is not None
        answer = result
    else:
        started = time.perf_counter()
        sent = Store.open(folder).read("sent")
        figures["open_s"] = time.perf_counter() - started
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            answer = PANDAS[name](sent)
            times.append(time.perf_counter() - started)
    figures["best_s"], figures["worst_s"] = min(times), max(times)
    figures["peak_rss_mb"] = peak_rss_mb()
    answer = answer.astype({column: str for column in ("status", "month", "country")
                            if column in answer.columns})  # fmt: skip
    print(json.dumps({"figures": figures, "answer": answer.to_dict("list")}, default=float))


def measure(engine: str, name: str, folder: Path, runs: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", engine, name, "--store", str(folder),
         "--runs", str(runs)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, object] = json.loads(done.stdout)
    return result


def answer_frame(result: dict[str, object]) -> pd.DataFrame:
    answer = result["answer"]
    assert isinstance(answer, dict)
    return pd.DataFrame(answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="sent messages")
    parser.add_argument("--store", type=Path, help="keep the store here (reused when present)")
    parser.add_argument("--runs", type=int, default=3, help="timings per query (best is shown)")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "QUERY"), help=argparse.SUPPRESS)
    parser.add_argument("--skip-pandas", action="store_true", help="DuckDB figures only")
    arguments = parser.parse_args()
    if arguments.child:
        child(*arguments.child, arguments.store, arguments.runs)
        return
    folder = arguments.store or Path(tempfile.mkdtemp(prefix="sql-bench-")) / "store"
    if (folder / "manifest.json").exists():
        rows, build_s = Store.open(folder).manifest.sent.rows, float("nan")
    else:
        rows, build_s = build_store(folder, arguments.rows)
    store = Store.open(folder)
    size = sum(path.stat().st_size for path in store.files("sent"))
    sections = [
        (
            "The store",
            [
                ("stored sent messages / files", f"{rows:,} / {len(store.files('sent'))}"),
                (
                    "generated and written in",
                    "reused" if math.isnan(build_s) else f"{build_s:.0f} s",
                ),
                ("Parquet size", f"{size / 2**20:,.0f} MiB"),
            ],
        )
    ]
    results: dict[tuple[str, str], dict[str, object]] = {}
    for name in QUERIES:
        engines = ["duckdb"] + ([] if arguments.skip_pandas or name not in PANDAS else ["pandas"])
        for engine in engines:
            print(f"  running {name} on {engine}", file=sys.stderr, flush=True)
            results[engine, name] = measure(engine, name, folder, arguments.runs)
    for name in QUERIES:
        rows_out = []
        for engine in ("duckdb", "pandas"):
            if (engine, name) not in results:
                continue
            figures = results[engine, name]["figures"]
            assert isinstance(figures, dict)
            opened = "open the snapshot" if engine == "duckdb" else "load the frame"
            target = " (target <= 1 s)" if engine == "duckdb" else ""
            rss_target = " (target <= 1.5 GB)" if engine == "duckdb" else ""
            peak, baseline = figures["peak_rss_mb"], figures["baseline_rss_mb"]
            rows_out += [
                (f"{engine}: {opened}", f"{figures['open_s']:.2f} s"),
                (
                    f"{engine}: query, best of {arguments.runs}{target}",
                    f"{figures['best_s']:.3f} s",
                ),
                (f"{engine}: query, worst", f"{figures['worst_s']:.3f} s"),
                (
                    f"{engine}: peak RSS of its process{rss_target}",
                    f"{peak:,.0f} MB (after imports {baseline:,.0f} MB)",
                ),
            ]
        if ("pandas", name) in results:
            duck = results["duckdb", name]["figures"]
            panda = results["pandas", name]["figures"]
            assert isinstance(duck, dict)
            assert isinstance(panda, dict)
            query_ratio = panda["best_s"] / duck["best_s"]
            whole_ratio = (panda["open_s"] + panda["best_s"]) / (duck["open_s"] + duck["best_s"])
            rows_out.append(("pandas / duckdb, query time", f"{query_ratio:.1f}x"))
            rows_out.append(
                ("pandas (load + query) / duckdb (open + query)", f"{whole_ratio:.1f}x")
            )
        sections.append((f"{name}: {QUERIES[name]}", rows_out))
    sections.append(("Do the answers agree?", agreement(results)))
    print_sections(sections)
    import duckdb

    print(f"(duckdb {duckdb.__version__}; store in {folder})")


def agreement(results: dict[tuple[str, str], dict[str, object]]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if ("pandas", "status_month") in results:
        panda = answer_frame(results["pandas", "status_month"])
        panda = panda[panda["messages"] > 0]
        key = ["status", "month"]
        for name in ("status_month", "status_month_by_quarter"):
            duck = answer_frame(results["duckdb", name])
            merged = duck.merge(panda[[*key, "messages"]], on=key, how="outer", suffixes=("", "_p"))
            same = bool((merged["messages"] == merged["messages_p"]).all())
            rows.append((f"{name}: counts equal the report's", f"{same} ({len(merged)} groups)"))
    if ("pandas", "country") in results:
        panda = answer_frame(results["pandas", "country"]).set_index("country")["messages"]
        for name in ("country", "country_by_prefix", "country_exact"):
            if ("duckdb", name) not in results:
                continue
            duck = answer_frame(results["duckdb", name]).set_index("country")["messages"]
            both = pd.concat([duck.rename("sql"), panda.rename("pandas")], axis=1).fillna(0)
            moved = int((both["sql"] - both["pandas"]).abs().sum() // 2)
            rows.append((f"{name}: messages in another country than the report's", f"{moved:,}"))
    return rows


if __name__ == "__main__":
    main()
