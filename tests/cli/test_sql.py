"""``smstools-tui sql`` end to end: tables on the terminal, files, the window, offline, errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.analysis import delivery_report
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.sandbox import SandboxServer, sandbox_settings
from tests.conftest import Clock, Result

BY_MONTH = (
    "SELECT local_month(insertDate) AS month, count(*) AS messages,"
    " delivery_rate(status) AS delivery_rate FROM sent GROUP BY month ORDER BY month"
)
WINDOW = ("--since", "2026-08-01T00:00:00+00:00", "--until", "2026-11-01T00:00:00+00:00")


def test_a_table_on_the_terminal(run: Callable[..., Result]) -> None:
    result = run("sql", BY_MONTH, "--demo", "--tz", "UTC", *WINDOW)
    assert result.code == 0, result.err
    assert "delivery rate" in result.out
    assert [month in result.out for month in ("2026-08", "2026-09", "2026-10")] == [True] * 3
    assert "2026-11" not in result.out and "2026-07" not in result.out


def test_csv_on_standard_output_equals_the_delivery_report(
    run: Callable[..., Result], live: SandboxServer, clock: Clock
) -> None:
    result = run("sql", BY_MONTH, "--no-store", "--tz", "UTC", *WINDOW, "--out", "-")
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out.lstrip("\ufeff"))))
    with SmstoolsClient(sandbox_settings(live.base_url), clock=clock) as client:
        report = delivery_report(client.sent(*WINDOW[1::2]), "month", tz="UTC")
    assert [row["month"] for row in rows] == report["month"].astype(str).tolist()
    assert [int(row["messages"]) for row in rows] == report["messages"].tolist()
    assert [float(row["delivery_rate"]) for row in rows] == pytest.approx(
        report["delivery_rate"].tolist()
    )


def test_parquet_by_suffix_and_a_query_from_a_file(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    query = tmp_path / "by_status.sql"
    query.write_text(
        "-- per status\nSELECT status, count(*) AS messages\nFROM sent\nGROUP BY ALL\n"
    )
    target = tmp_path / "by_status.parquet"
    result = run("sql", "--file", str(query), "--demo", *WINDOW, "--out", str(target))
    assert result.code == 0, result.err
    assert result.err.startswith("wrote ") and str(target) in result.err
    frame = pd.read_parquet(target)
    assert frame.columns.tolist() == ["status", "messages"]
    assert frame["messages"].sum() > 100


def test_texts_are_shown_literally_and_written_spreadsheet_safe(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    query = "SELECT DISTINCT text FROM sent WHERE text LIKE '%evil.example%' OR text LIKE '%ALERT%'"
    shown = run("sql", query, "--demo")
    assert shown.code == 0, shown.err
    assert "\x1b" not in shown.out and "\x07" not in shown.out
    assert "\\x1b]8;;http://evil.example\\x07link" in shown.out
    crafted = run("sql", "SELECT '[bold red]GRATIS[/bold red]' || chr(27) || '[2J' AS t", "--demo")
    assert crafted.code == 0, crafted.err
    assert "[bold red]GRATIS[/bold red]\\x1b[2J" in crafted.out and "\x1b" not in crafted.out
    target = tmp_path / "texts.csv"
    assert run("sql", "SELECT '=1+1' AS formula", "--demo", "--out", str(target)).code == 0
    assert target.read_text(encoding="utf-8-sig").splitlines()[1] == "'=1+1"


def test_offline_needs_neither_credentials_nor_network(
    run: Callable[..., Result],
    live: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("sync", WINDOW[0], WINDOW[1]).code == 0
    online = run("sql", "SELECT count(*) AS n FROM sent", *WINDOW, "--out", "-")
    assert online.code == 0, online.err
    for name in ("SMSTOOLS_AUTH_KEY", "SMSTOOLS_AUTH_SECRET"):
        monkeypatch.delenv(name)
    live.stop()  # no network either
    offline = run("sql", "SELECT count(*) AS n FROM sent", *WINDOW, "--offline", "--out", "-")
    assert offline.code == 0, offline.err
    assert offline.out == online.out and int(offline.out.splitlines()[1]) > 100
    everything = run("sql", "SELECT count(*) AS n FROM received", "--offline", "--out", "-")
    assert everything.code == 0 and int(everything.out.splitlines()[1]) > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("COPY sent TO 'out.csv'",), "only a SELECT query can run here, not COPY"),
        (("SELECT * FROM read_csv('/etc/passwd')",), "refused: a query reads only"),
        (("INSTALL httpfs",), "only a SELECT query can run here"),
        (("SELECT status,\n  count(*) FROM FROM sent",), "(line 2, column 17)"),
        (("SELECT nothing FROM sent",), 'column "nothing" not found'),
        (("SELECT 1", "--file", "x.sql"), "the query or --file, not both"),
        ((), "say what to ask"),
        (("SELECT 1", "--out", "x.html"), "must end in .csv or .parquet"),
    ],
    ids=["copy", "read-file", "install", "syntax", "binder", "both", "none", "suffix"],
)
def test_errors_are_one_line_and_exit_2(
    run: Callable[..., Result], args: tuple[str, ...], message: str
) -> None:
    result = run("sql", *args, "--demo")
    assert result.code == 2
    assert result.err.count("\n") == 1 and message in result.err
    assert "Traceback" not in result.err and result.out == ""
