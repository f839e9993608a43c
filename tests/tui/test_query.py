"""The Query tab: examples, running in a worker, errors inline, cancelling, the result table,
a message from a result row, and the history between sessions."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

from smstools_tui.analysis import delivery_report
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.sql import EXAMPLES
from smstools_tui.tui.querying import QueryHistory
from smstools_tui.tui.remembered import SettingsFile
from smstools_tui.tui.widgets.query import QueryPane

from .conftest import SIZE, dashboard, settle


async def run_query(pilot: object, pane: QueryPane, sql: str) -> None:
    pane.editor.text = sql
    pane.editor.focus()
    await pilot.press("f5")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]


async def test_an_example_runs_and_equals_its_report(demo: SmstoolsClient) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        pane = app.query_one(QueryPane)
        assert app.focused is pane.editor
        assert pane.editor.language == "sql"  # highlighted
        pane.query_one("#query-examples").value = "Delivery by month"  # type: ignore[attr-defined]
        await pilot.pause()
        assert pane.editor.text == EXAMPLES["Delivery by month"]
        await pilot.press("ctrl+j")  # Ctrl+Enter, as most terminals send it
        await settle(pilot)
        result = pane.result.frame
        assert result is not None
        dataset = app.dataset
        assert dataset is not None
        report = delivery_report(dataset.sent, "month", tz=app.zone)
        assert result["month"].tolist() == report["month"].astype(str).tolist()
        assert result["messages"].tolist() == report["messages"].tolist()
        assert "rows in" in str(pane.query_one("#query-status").render())


async def test_errors_show_inline_with_their_place(demo: SmstoolsClient) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        pane = app.query_one(QueryPane)
        await run_query(pilot, pane, "SELECT status,\n  count(*) FROM FROM sent")
        status = str(pane.query_one("#query-status").render())
        assert "syntax error" in status and "(line 2, column 17)" in status
        assert pane.editor.cursor_location == (1, 16)
        await run_query(pilot, pane, "SELECT * FROM read_csv('/etc/passwd')")
        assert "refused" in str(pane.query_one("#query-status").render())
        assert pane.result.frame is None  # nothing shown for a failed query


async def test_esc_cancels_a_running_query_and_the_dashboard_stays_responsive(
    demo: SmstoolsClient,
) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        pane = app.query_one(QueryPane)
        pane.editor.text = "SELECT sum(a * b) FROM range(200000) t(a), range(100000) u(b)"
        await pilot.press("f5")
        for _ in range(200):
            if pane.running:
                break
            await pilot.pause(0.01)
        assert pane.running
        # The interface keeps its rhythm while the query runs: a timer ticks on time.
        ticks: list[float] = []
        timer = app.set_interval(0.01, lambda: ticks.append(time.perf_counter()))
        await asyncio.sleep(0.6)
        timer.stop()
        assert pane.running and len(ticks) > 10
        stalls = [later - earlier for earlier, later in itertools.pairwise(ticks)]
        # 150 ms is the aim; the bound leaves room for a machine busy with other work.
        assert max(stalls) < 0.4
        await pilot.press("escape")
        await settle(pilot)
        assert not pane.running
        assert "the query was cancelled" in str(pane.query_one("#query-status").render())


async def test_enter_on_a_row_with_an_id_opens_the_message(demo: SmstoolsClient) -> None:
    app = dashboard(demo, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        pane = app.query_one(QueryPane)
        await run_query(pilot, pane, "SELECT id, status FROM sent ORDER BY id LIMIT 3")
        result = pane.result.frame
        assert result is not None and len(result) == 3
        pane.result.table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("TabbedContent").active == "tab-sent"  # type: ignore[attr-defined]
        shown = app.view("sent").frame
        assert shown is not None and shown["id"].tolist() == [result["id"].iloc[0]]


async def test_tab_completes_names_and_the_history_survives_a_restart(
    demo: SmstoolsClient, tmp_path: Path
) -> None:
    settings = SettingsFile(tmp_path / "state" / "dashboard.json")
    app = dashboard(demo, compare_previous=False, remember=settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("0")
        pane = app.query_one(QueryPane)
        await run_query(pilot, pane, "SELECT count(*) AS n FROM sent")
        pane.editor.text = "SELECT deliv"
        pane.editor.cursor_location = (0, len("SELECT deliv"))
        await pilot.press("tab")
        assert pane.editor.text == "SELECT delivery"  # delivery_rate, deliveryDate
        pane.editor.text = "SELECT count(*) FROM sent_f"
        pane.editor.cursor_location = (0, len(pane.editor.text))
        await pilot.press("tab")
        assert pane.editor.text == "SELECT count(*) FROM sent_final"
        await pilot.press("tab")  # nothing to complete: Tab indents
        assert pane.editor.text.startswith("SELECT count(*) FROM sent_final") and (
            pane.editor.text != "SELECT count(*) FROM sent_final"
        )
    history = QueryHistory(tmp_path / "state" / "sql_history.json")
    assert history.load() == ["SELECT count(*) AS n FROM sent"]
    again = dashboard(demo, compare_previous=False, remember=settings)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = again.query_one(QueryPane)
        assert pane.editor.text == "SELECT count(*) AS n FROM sent"
