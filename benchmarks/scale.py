"""Scale benchmark: 20 accounts, 20 million sent messages in all, in one store root; a
cross-account report through DuckDB, one account's month in pandas, the same report on Spark.

Run: ``python benchmarks/scale.py`` (generating 20M messages takes a while; ``--messages`` for
fewer, ``--store PATH`` to keep the stores and reuse them on the next run; without it they are
written to a temporary folder and deleted at the end). Every figure is measured in this one run.

1. The store: the sandbox's data generator writes each account straight into the one root
   (``kind=sent/account=…/month=…``, each account with its own manifest), in chunks, so no
   frame of all the messages is ever held. Size on disk per message: the sent Parquet files
   over the sent messages.
2. Each measurement runs in its own process, so that process's peak RSS is its own:
   - DuckDB: ``<root>/kind=sent`` read as one Hive-partitioned dataset (its ``account`` column
     is the folder's), and one report over all of it: per account and month, messages,
     delivered, delivery rate and spend (target: peak RSS <= 2 GB).
   - pandas: one account's busiest month read from the store (``Store.read`` with the month's
     window), then the delivery report by day.
   - Spark (local mode, the reference): the same folder as a dataset, the same report in
     Spark's dialect (:func:`smstools_tui.spark.spark_sql`); peak RSS of the Python driver and
     of the JVM.
3. The two reports are compared: the counts must be equal and the spend equal to the
   micro-credit.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from common import peak_rss_mb, print_sections, write_generated  # benchmarks/common.py

from smstools_tui.store import Store, StoreIdentity, dataset_glob, dataset_root

END = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CHUNK = 1_000_000
ZONE = "Europe/Rome"

REPORT = """SELECT account, local_month(insertDate) AS month,
       count(*) AS messages,
       count(*) FILTER (WHERE status = 'DELIVERED') AS delivered,
       delivery_rate(status) AS delivery_rate,
       spend(price) AS spend
FROM sent
GROUP BY account, month
ORDER BY account, month"""
"""The cross-account report, in the project's SQL (DuckDB, with its macros)."""


def account_name(number: int) -> str:
    return f"account{number:02d}"


def build_stores(root: Path, accounts: int, messages: int) -> float:
    """Generate ``messages`` sent messages over ``accounts`` accounts in the store ``root``;
    seconds."""
    started = time.perf_counter()
    per_account = math.ceil(messages / accounts)
    for number in range(accounts):
        name = account_name(number)
        identity = StoreIdentity("http://127.0.0.1/rest/api", f"sha256:{name}", name)
        store = Store.open(root, identity)
        write_generated(store, per_account, seed=1_000 * number, end=END, chunk_rows=CHUNK,
                        received=(200, 0), label=f"{name}: ")  # fmt: skip
    return time.perf_counter() - started


def account_stores(root: Path, accounts: int) -> dict[str, Store]:
    """Each account's store in ``root``, by the account's name (its label)."""
    return {
        account_name(number): Store.open(root, account=account_name(number))
        for number in range(accounts)
    }


def account_names(root: Path, accounts: int) -> dict[str, str]:
    """The account's name of each ``account`` folder (``sha256-…``) of the dataset."""
    names = {}
    for name, store in account_stores(root, accounts).items():
        folder = Path(store.files("sent")[0]).parent.parent.name
        names[folder.removeprefix("account=")] = name
    return names


# -- the measurements, each in a process of its own ---------------------------------------------


def duckdb_child(root: Path) -> dict[str, Any]:
    import duckdb

    from smstools_tui.sql import SqlTables

    started = time.perf_counter()
    connection = duckdb.connect(config={"threads": 2})
    connection.execute(f"SET TimeZone = '{ZONE}'")
    # The project's macros, defined once in smstools_tui.sql: copied from a SqlTables.
    with SqlTables.from_frames(*_empty_frames(), zone=ZONE) as tables:
        macros = tables.query(
            "SELECT function_name, parameters, macro_definition FROM duckdb_functions()"
            " WHERE function_type = 'macro' AND function_name IN"
            " ('delivery_rate', 'spend', 'local_month')"
        )
    for name, parameters, definition in macros.itertuples(index=False):
        connection.execute(f"CREATE MACRO {name}({', '.join(parameters)}) AS {definition}")
    # The whole store as one dataset: the account comes from the folders. Their month is the
    # UTC month a file holds; the report's months are Rome's, so it is left out.
    connection.execute(
        "CREATE VIEW sent AS SELECT * EXCLUDE (kind, month) FROM read_parquet("
        f"'{dataset_glob(root, 'sent')}', hive_partitioning = true)"
    )
    opened = time.perf_counter() - started
    started = time.perf_counter()
    answer = connection.execute(REPORT).df()
    seconds = time.perf_counter() - started
    return {
        "open_s": opened,
        "query_s": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "answer": _plain(answer),
    }


def _empty_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    from smstools_tui.frames import RECEIVED_SCHEMA, SENT_SCHEMA, empty_frame

    return empty_frame(SENT_SCHEMA), empty_frame(RECEIVED_SCHEMA)


def pandas_child(root: Path, busiest: str) -> dict[str, Any]:
    """Read the month ``busiest`` (``YYYY-MM``, in the report's zone) of the first account."""
    from smstools_tui.analysis import delivery_report

    store = Store.open(root, account=account_name(0))
    since = pd.Timestamp(f"{busiest}-01", tz=ZONE)
    until = since + pd.offsets.MonthBegin(1)
    started = time.perf_counter()
    month = store.read("sent", since.to_pydatetime(), until.to_pydatetime())
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    report = delivery_report(month, "day", tz=ZONE)
    seconds = time.perf_counter() - started
    return {
        "month": str(busiest),
        "messages": len(month),
        "load_s": loaded,
        "query_s": seconds,
        "days": len(report),
        "peak_rss_mb": peak_rss_mb(),
    }


def spark_child(root: Path) -> dict[str, Any]:
    from pyspark.sql import SparkSession

    from smstools_tui.spark import spark_sql

    started = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("smstools-scale")
        .config("spark.driver.memory", "2g")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        # A month folder is text (2026-11, undated), never a guessed date or number.
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    session_s = time.perf_counter() - started
    started = time.perf_counter()
    # The whole store as one dataset: Spark finds the account and month folders itself.
    sent = spark.read.parquet(str(dataset_root(root, "sent"))).drop("month")
    sent.createOrReplaceTempView("sent")
    opened = time.perf_counter() - started
    started = time.perf_counter()
    result = spark.sql(spark_sql(REPORT, zone=ZONE))
    answer = pd.DataFrame([row.asDict() for row in result.collect()], columns=result.columns)
    seconds = time.perf_counter() - started
    jvm = _children_peak_rss_mb()
    spark.stop()
    return {
        "session_s": session_s,
        "open_s": opened,
        "query_s": seconds,
        "peak_rss_mb": peak_rss_mb(),
        "jvm_peak_rss_mb": jvm,
        "answer": _plain(answer),
    }


def _children_peak_rss_mb() -> float:
    """The peak RSS of this process's children (the JVM Spark started), from /proc."""
    total = 0.0
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == me and "VmHWM" in fields:
            total += int(fields["VmHWM"].split()[0]) / 1024
    return total


def _plain(answer: pd.DataFrame) -> dict[str, list[Any]]:
    return {column: answer[column].astype(object).tolist() for column in answer.columns}


CHILDREN: dict[str, Callable[..., dict[str, Any]]] = {
    "duckdb": duckdb_child,
    "pandas": pandas_child,
    "spark": spark_child,
}


def measure(engine: str, root: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", engine, *extra, "--store", str(root)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"the {engine} measurement failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def agreement(duck: dict[str, Any], spark: dict[str, Any]) -> list[tuple[str, str]]:
    key = ["account", "month"]
    left = pd.DataFrame(duck["answer"]).set_index(key).sort_index()
    right = pd.DataFrame(spark["answer"]).set_index(key).sort_index()
    same_groups = left.index.equals(right.index)
    counts = same_groups and all(
        (left[column] == right[column]).all() for column in ("messages", "delivered")
    )
    spend = same_groups and bool(((left["spend"] - right["spend"]).abs() < 5e-7).all())
    rates = same_groups and bool(
        ((left["delivery_rate"] - right["delivery_rate"]).abs() < 1e-12).all()
    )
    return [
        ("groups (account, month)", f"{len(left):,} / {len(right):,}, same: {same_groups}"),
        ("messages and delivered equal", str(counts)),
        ("spend equal to the micro-credit", str(spend)),
        ("delivery rates equal", str(rates)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--messages", type=int, default=20_000_000, help="sent messages in all")
    parser.add_argument("--store", type=Path, help="keep the store here (reused when present)")
    parser.add_argument("--skip-spark", action="store_true", help="no Spark reference")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        engine, *extra = arguments.child
        print(json.dumps(CHILDREN[engine](arguments.store, *extra), default=str))
        return
    temporary = arguments.store is None
    root = arguments.store or Path(tempfile.mkdtemp(prefix="scale-bench-")) / "store"
    try:
        run(root, arguments)
    finally:
        if temporary:
            shutil.rmtree(root.parent, ignore_errors=True)


def run(root: Path, arguments: argparse.Namespace) -> None:
    if root.exists() and any(root.iterdir()):
        build_s = float("nan")
    else:
        build_s = build_stores(root, arguments.accounts, arguments.messages)
    stores = list(account_stores(root, arguments.accounts).values())
    messages = sum(store.manifest.sent.rows for store in stores)
    sent_bytes = sum(Path(path).stat().st_size for store in stores for path in store.files("sent"))
    all_bytes = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    files = sum(len(store.files("sent")) for store in stores)
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        (
            "The stores",
            [
                (
                    "accounts / sent messages / sent files",
                    f"{len(stores)} / {messages:,} / {files}",
                ),
                (
                    "generated and written in",
                    "reused" if math.isnan(build_s) else f"{build_s:.0f} s",
                ),
                ("sent Parquet on disk", f"{sent_bytes / 2**20:,.0f} MiB"),
                ("per sent message", f"{sent_bytes / messages:.1f} bytes"),
                ("everything on disk (received, manifests)", f"{all_bytes / 2**20:,.0f} MiB"),
            ],
        )
    ]
    print("  running the report on DuckDB", file=sys.stderr, flush=True)
    duck = measure("duckdb", root)
    print("  loading a month into pandas", file=sys.stderr, flush=True)
    # The first account's busiest month, as the report counted it (the stores' own layout
    # is theirs to change).
    answer = pd.DataFrame(duck["answer"])
    names = account_names(root, arguments.accounts)
    first = answer[answer["account"].map(names) == account_name(0)]
    panda = measure("pandas", root, str(first.loc[first["messages"].idxmax(), "month"]))
    groups = len(duck["answer"]["account"])
    rows = [
        ("open the dataset (kind=sent, every account)", f"{duck['open_s']:.2f} s"),
        ("report: account x month", f"{duck['query_s']:.2f} s ({groups:,} rows)"),
        ("peak RSS of its process (target <= 2 GB)", f"{duck['peak_rss_mb']:,.0f} MB"),
    ]
    sections.append(("DuckDB, every account: " + " ".join(REPORT.split()), rows))
    sections.append(
        (
            f"pandas, one account's busiest month ({panda['month']})",
            [
                ("messages", f"{panda['messages']:,}"),
                ("Store.read of the month", f"{panda['load_s']:.2f} s"),
                ("delivery report by day", f"{panda['query_s']:.3f} s"),
                ("peak RSS of its process", f"{panda['peak_rss_mb']:,.0f} MB"),
            ],
        )
    )
    if not arguments.skip_spark:
        print("  running the report on Spark", file=sys.stderr, flush=True)
        spark = measure("spark", root)
        spark_total = spark["open_s"] + spark["query_s"]
        sections.append(
            (
                "Spark local[2], the same report (the reference)",
                [
                    ("start the session", f"{spark['session_s']:.1f} s"),
                    ("open the dataset", f"{spark['open_s']:.2f} s"),
                    ("report: account x month", f"{spark['query_s']:.2f} s"),
                    (
                        "peak RSS: Python driver / JVM",
                        f"{spark['peak_rss_mb']:,.0f} MB / {spark['jvm_peak_rss_mb']:,.0f} MB",
                    ),
                    ("Spark / DuckDB, report time", f"{spark['query_s'] / duck['query_s']:.1f}x"),
                    (
                        "Spark / DuckDB, open + report",
                        f"{spark_total / (duck['open_s'] + duck['query_s']):.1f}x",
                    ),
                ],
            )
        )
        sections.append(("Do DuckDB and Spark agree?", agreement(duck, spark)))
    print_sections(sections)
    import duckdb

    print(f"(duckdb {duckdb.__version__}; the store in {root})")


if __name__ == "__main__":
    main()
