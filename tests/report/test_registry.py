"""The report registry: one entry per report, one title per column, the same on every surface."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pandas as pd
import pytest

from smstools_tui.analysis import BY_CHOICES
from smstools_tui.cli.report import print_table
from smstools_tui.query import Query
from smstools_tui.report.columns import REPORT_COLUMNS, SENT_FIELDS, STAGE_TITLES
from smstools_tui.report.figures import HEADLINE_FIGURES, bar_query
from smstools_tui.report.html import SECTIONS
from smstools_tui.report.reports import REPORTS, find_report, run_report
from smstools_tui.report.tables import display_frame, html_table
from smstools_tui.sandbox import AccountSpec, generate_account
from smstools_tui.tui.views import (
    DEFAULT_FIGURES,
    RECEIVED_VIEW,
    SENT_VIEW,
    ReportTab,
    default_reports,
    find_tab,
)

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    account = generate_account(AccountSpec(seed=11, sent=1500, received=300, days=40, now=NOW))
    return account.sent_frame(), account.received_frame()


def _groupings(name: str) -> list[str | None]:
    return [None, *REPORTS[name].groupings]


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_column_a_report_computes_is_declared_by_its_entry(
    name: str, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    sent, received = frames
    report = REPORTS[name]
    declared = [column.name for column in report.columns]
    for by in _groupings(name):
        frame = run_report(name, sent, received, by=by, tz="UTC")
        assert set(frame.columns) <= set(declared), (name, by)


def test_report_columns_are_snake_case_and_message_fields_keep_the_api_names() -> None:
    for report in REPORTS.values():
        for column in report.columns:
            if column.name in SENT_FIELDS:
                # A message's own field: the API's vocabulary, as the API spells it.
                assert SENT_FIELDS[column.name] is column
            else:
                assert SNAKE_CASE.match(column.name), column.name


def test_the_titles_the_readme_names() -> None:
    assert REPORTS["latency"].column("my_own_seconds").title == "my own"
    assert REPORT_COLUMNS["price_per_delivered"].title == "price per delivered"
    assert REPORT_COLUMNS["transactionId"].title == "campaign"
    assert REPORT_COLUMNS["insertDate"].title == "inserted"


def test_a_latency_stage_reads_by_its_title_for_people_and_its_name_in_files(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    frame = run_report("latency", frames[0], tz="UTC")
    assert set(frame["stage"]) == set(STAGE_TITLES)
    assert set(display_frame(frame)["stage"]) == set(STAGE_TITLES.values())


def _cli_header(frame: pd.DataFrame, name: str) -> str:
    stream = io.StringIO()
    print_table(frame[[name]], file=stream)
    # The header is the line between the top border and the rule under it.
    return stream.getvalue().splitlines()[1].strip("┃│ ")


def _html_header(frame: pd.DataFrame, name: str) -> str:
    found = re.search(r"<th[^>]*>([^<]*)</th>", html_table(frame[[name]]))
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("tab", [*default_reports(UTC)], ids=lambda tab: tab.id)
def test_the_command_line_the_html_report_and_the_dashboard_show_the_same_titles(
    tab: ReportTab, frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    sent, received = frames
    for shown in (tab, tab.secondary):
        if shown is None:
            continue
        assert shown.report is not None and shown.columns is not None
        frame = shown.report.run(sent, received)
        for spec in shown.columns:
            if spec.name not in frame.columns:
                continue  # a column of another variant (Costs by month, by country …)
            title = shown.report.column(spec.name).title
            assert spec.title == title, (shown.id, spec.name)
            assert _cli_header(frame, spec.name) == title, (shown.id, spec.name)
            assert _html_header(frame, spec.name) == title, (shown.id, spec.name)


def test_a_dashboard_export_names_its_columns_as_the_command_lines_file(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = frames
    for tab in default_reports(UTC):
        for shown in (tab, tab.secondary):
            if shown is None or shown.report is None:
                continue
            assert shown.columns is not None
            names = {spec.name for spec in shown.columns}
            written = set()
            for by in [None, *(v.key for v in shown.variants)]:
                written |= set(run_report(shown.report.name, sent, received, by=by).columns)
            # The opt-outs tab adds its highlight column, a column of the registry too.
            assert names <= written | {"messaged_after"}, shown.id


def test_message_tabs_title_the_api_fields_as_the_compliance_list_does() -> None:
    assert SENT_VIEW.columns is not None and RECEIVED_VIEW.columns is not None
    for spec in SENT_VIEW.columns:
        assert spec.title == SENT_FIELDS[spec.name].title
    assert [spec.title for spec in RECEIVED_VIEW.columns] == [
        "received", "from", "text", "service",
    ]  # fmt: skip


def test_the_html_report_names_its_report_sections_as_the_registry() -> None:
    for key in ("campaigns", "failing-numbers", "opt-outs", "compliance", "latency"):
        assert SECTIONS[key] == REPORTS[key].title


def test_the_dashboards_figures_are_the_report_layers() -> None:
    assert [figure.id for figure in DEFAULT_FIGURES] == [f.key for f in HEADLINE_FIGURES]
    assert all(figure.drill is not None for figure in DEFAULT_FIGURES)


def test_unknown_report_and_grouping_are_one_line_errors() -> None:
    from smstools_tui.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown report 'speed'"):
        find_report("speed")
    with pytest.raises(ConfigError, match="--by applies to"):
        run_report("campaigns", pd.DataFrame(), by="day")


# -- drill-down: the shape of the queries (their figures are checked in test_drill_invariant) --

BASE = Query.build("sent", window="2026-11", campaign="promo", now=NOW, zone="UTC")


def test_a_campaign_row_drills_to_its_messages_and_its_replies_cell_to_received() -> None:
    campaigns = REPORTS["campaigns"]
    sent = campaigns.drill({"campaign": "promo"}, BASE)
    assert sent is not None and sent.kind == "sent" and sent.filters.campaigns == {"promo"}
    replies = campaigns.drill({"campaign": "promo"}, BASE, column="replies")
    assert replies is not None and replies.kind == "received"
    assert replies.relation is not None and replies.relation.replies_to_campaigns == {"promo"}
    # Another campaign than the base's: no message of the base is in it.
    assert campaigns.drill({"campaign": "other"}, BASE) is None
    assert campaigns.drill({"campaign": "(none)"}, BASE) is None


def test_rows_of_the_other_reports_drill_to_their_filters() -> None:
    week = REPORTS["delivery"].drill({"week": "2026-12-07", "messages": 3}, BASE, zone="UTC")
    assert week is None  # a week after the window: nothing of the base is in it
    day = REPORTS["cost"].drill({"day": "2026-11-05", "country": "IT"}, BASE, zone="UTC")
    assert day is not None and day.span is not None
    assert (day.span.start.day, day.span.end.day) == (5, 6) and day.filters.countries == {"IT"}
    failing = REPORTS["failing-numbers"].drill({"number": "393480000001"}, BASE)
    assert failing is not None and failing.filters.numbers == {"393480000001"}
    opt_out = REPORTS["opt-outs"].drill({"number": "393480000001"}, BASE)
    assert opt_out is not None and opt_out.kind == "received"
    assert opt_out.relation is not None and opt_out.relation.opt_outs
    after = REPORTS["opt-outs"].drill({"number": "393480000001"}, BASE, column="sent_after")
    assert after is not None and after.kind == "sent" and after.relation is not None
    message = REPORTS["compliance"].drill({"id": 42, "to": "393480000001"}, BASE)
    assert message is not None and message.filters.ids == {42}
    assert REPORTS["compliance"].drill({"id": None}, BASE) is None


def test_figures_and_bars_drill_to_their_statuses_and_buckets() -> None:
    by_key = {figure.key: figure for figure in HEADLINE_FIGURES}
    wasted = by_key["wasted_spend"].drill(BASE)
    assert wasted is not None and wasted.filters.statuses == {"NOTDELIVERED", "NOSENT"}
    replies = by_key["replies"].drill(BASE)
    assert replies is not None and replies.kind == "received" and replies.relation is not None
    bar = bar_query(BASE, "wasted", "2026-11-03", zone="UTC")
    assert bar is not None and bar.filters.statuses == {"NOTDELIVERED", "NOSENT"}
    assert bar.span is not None and bar.span.duration.days == 1


def test_a_tab_finds_its_entry_and_drills_a_table_record() -> None:
    tab = find_tab("costs", default_reports(UTC))  # its months in the base's zone
    assert tab.report is REPORTS["cost"]
    query = tab.drill({"month": "2026-11", "messages": 4, "spend": 0.4}, BASE)
    assert query is not None and query.span == BASE.span
    with pytest.raises(KeyError):
        find_tab("nope")
    assert REPORTS["delivery"].groupings == BY_CHOICES


def test_the_readmes_drill_down_example_runs_on_the_demo(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    import smstools_tui
    from smstools_tui.demo import demo_client
    from tests.conftest import NOW as FROZEN

    # The demo on the frozen clock, smaller: the example's "last-month" is then always the same.
    monkeypatch.setattr(
        smstools_tui,
        "connect",
        lambda **_: demo_client(sent=4_000, received=600, days=90, now=FROZEN),
    )
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Drill-down: the messages behind a figure", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(example, "README.md", "exec"), {})
    assert "smstools-tui export sent --since" in capsys.readouterr().out


def test_a_dashboard_tables_record_drills_as_the_frames_row(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    from smstools_tui.analysis import select
    from smstools_tui.tui.model import TableModel

    sent, received = frames
    base = Query.build("sent", window="30d", now=NOW, zone="UTC")
    tab = find_tab("failing", default_reports(UTC))
    assert tab.report is not None
    loaded = select(base, sent, received)
    frame = tab.report.run(loaded)
    model = TableModel(frame, list(tab.columns or ()))
    record = model.record(0)
    query = tab.drill(record, base)
    assert query is not None and query == tab.report.drill(frame.iloc[0].to_dict(), base)
    assert len(select(query, sent, received)) == record["messages"]
