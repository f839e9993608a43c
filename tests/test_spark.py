"""Spark in local mode on a store's current Parquet files: the reports' SQL, in Spark's dialect,
gives the pandas reports' figures. Needs Java (the ``spark`` extra is in ``dev``)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from smstools_tui.analysis import delivery_report
from smstools_tui.errors import SqlError
from smstools_tui.sandbox import SandboxAccount
from smstools_tui.spark import register_store, spark_sql
from smstools_tui.sql import EXAMPLES
from smstools_tui.store import Store, StoreIdentity
from tests.mirrored import MIRRORED, ZONE, assert_mirrors

SPARK_MIRRORED = {title: MIRRORED[title] for title in MIRRORED if title != "Delivery by country"}
"""The mirrored reports with a Spark version (the country needs the numbering plans, a Python
function: see ``spark.UNTRANSLATED``)."""


@pytest.fixture(scope="module")
def store(account: SandboxAccount, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store holding the test account, committed in two parts (so in several files)."""
    folder = tmp_path_factory.mktemp("spark") / "sms-store"
    store = Store.open(folder, StoreIdentity("http://127.0.0.1/rest/api", "sha256:t", "test"))
    sent = account.sent_frame()
    half = len(sent) // 2
    store.commit(sent=sent.iloc[:half], received=account.received_frame())
    store.commit(sent=sent.iloc[half:])
    return store


def frame(spark: Any, sql: str) -> pd.DataFrame:
    """A query's answer as a plain frame (pyspark's own conversion warns about pandas 3)."""
    answer = spark.sql(sql)
    return pd.DataFrame([row.asDict() for row in answer.collect()], columns=answer.columns)


@pytest.fixture(scope="module")
def spark(store: Store) -> Iterator[Any]:
    """One local Spark session for the module: one core, little memory, no UI, UTC."""
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("smstools-test")
        .config("spark.driver.memory", "512m")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        # Small data, one short run: compiling query plans and JIT-optimising the JVM would
        # take longer than the queries.
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.sql.warehouse.dir", str(store.path.parent / "warehouse"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    register_store(session, store.snapshot_files())
    yield session
    session.stop()


@pytest.mark.parametrize("title", sorted(SPARK_MIRRORED))
def test_a_report_query_on_spark_equals_the_pandas_report(
    title: str, spark: Any, store: Store
) -> None:
    sent = store.read("sent")
    assert_mirrors(SPARK_MIRRORED[title](sent), frame(spark, spark_sql(EXAMPLES[title], zone=ZONE)))


def test_spark_reads_the_current_files_only(spark: Any, store: Store) -> None:
    """The manifest's files, not the folder: every message once, none of a replaced file."""
    counted = frame(spark, "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM sent")
    assert counted.loc[0, "n"] == counted.loc[0, "ids"] == len(store.read("sent"))
    finals = frame(spark, "SELECT count(*) AS n FROM sent_final").loc[0, "n"]
    assert 0 < finals < counted.loc[0, "n"]


def test_a_macro_spark_has_no_version_of_is_refused_in_one_line() -> None:
    with pytest.raises(SqlError, match=r"number_country\(\) has no Spark version"):
        spark_sql(EXAMPLES["Delivery by country"])
    with pytest.raises(SqlError, match="does not parse"):
        spark_sql("SELECT FROM WHERE (")


def test_register_store_wants_a_session(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    with pytest.raises(TypeError, match="SparkSession"):
        register_store(object(), {"sent": [tmp_path / "x.parquet"]})


def test_the_readme_example_runs(
    spark: Any, store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Spark and Databricks on the store", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(store.path.parent)  # where its sms-store folder is
    exec(compile(example, "README.md", "exec"), {})  # getOrCreate: the module's session
    printed = capsys.readouterr().out
    assert "delivery_rate" in printed
    months = delivery_report(store.read("sent"), "month", tz=ZONE)["month"].astype(str)
    assert all(f"|{month}|" in printed.replace(" ", "") for month in months.tail(5))
