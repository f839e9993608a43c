"""A query renders as the command line and the Python call that ask for exactly it: run the
command line through the real click commands, or the call against a source, and the same query
arrives at ``fetch``."""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smstools_tui.analysis import BY_CHOICES
from smstools_tui.cli import common
from smstools_tui.frames import STATUS_DTYPE
from smstools_tui.query import PERIODS, Filters, Query, Span, parse_window
from smstools_tui.report import REPORTS
from tests.conftest import NOW, RecordingSource, Result

ROUND_TRIP = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# What people and servers put in values: spaces, quotes, dollars, leading dashes, accents,
# brackets, the shell's own characters. (Command lines cannot carry NUL or lone surrogates.)
values = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(" -'\"$`\\;&|*!"),
    min_size=1,
    max_size=12,
).filter(lambda text: text.strip() != "")

spans = st.builds(
    lambda start, seconds: Span.from_epoch(start, start + seconds),
    st.integers(int((NOW - timedelta(days=800)).timestamp()), int(NOW.timestamp()) - 1),
    st.integers(1, 400 * 86_400),
).map(lambda span: span if span.end <= NOW else Span(span.start, NOW))


def _filters(kind: str, *, report: bool = False) -> st.SearchStrategy[Filters]:
    def some(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[frozenset[Any]]:
        return st.frozensets(strategy, max_size=2)

    fields: dict[str, st.SearchStrategy[Any]] = {
        "numbers": some(st.from_regex(r"[1-9][0-9]{5,12}", fullmatch=True)),
        "countries": some(st.sampled_from(["IT", "CH", "GB", "001", "(unknown)"])),
        "text": st.none() | values,
    }
    if kind == "sent":
        fields |= {
            "statuses": some(st.sampled_from(list(STATUS_DTYPE.categories))),
            "senders": some(values),
            "campaigns": some(values),
            "ids": some(st.integers(0, 10**12)),
        }
    elif not report:
        fields["services"] = some(st.from_regex(r"[0-9A-Za-z]{1,6}", fullmatch=True))
    return st.fixed_dictionaries(fields).map(lambda chosen: Filters(**chosen))


@st.composite
def queries(draw: st.DrawFn) -> Query:
    if draw(st.booleans()):
        name = draw(st.sampled_from([name for name in REPORTS if name != "all"]))
        group = draw(st.none() | st.sampled_from(BY_CHOICES)) if REPORTS[name].groupable else None
        return Query("sent", draw(spans), draw(_filters("sent", report=True)), None, group,
                     report=name)  # fmt: skip
    kind = draw(st.sampled_from(["sent", "received"]))
    chosen = draw(_filters(kind))
    span = draw(st.none() | spans) if chosen.ids else draw(spans)
    return Query(kind, span, chosen)  # type: ignore[arg-type]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]) -> Callable[[str], Query]:
    """Run a command line through the real commands, on a source that records its queries."""

    def run_line(line: str) -> Query:
        source = RecordingSource()
        monkeypatch.setattr(common.ConnectionOptions, "client", lambda self, **_: source)
        words = shlex.split(line)
        assert words[0] == "smstools-tui"
        result = run(*words[1:], "--demo")
        assert result.code == 0, result.err
        return source.asked[0]

    return run_line


@ROUND_TRIP
@given(query=queries())
def test_the_command_line_asks_for_exactly_the_query(
    query: Query, asked: Callable[[str], Query]
) -> None:
    assert asked(query.to_cli()) == query


RELATIVE = [*PERIODS, "7d", "24h", "90m", "2w", "2026-10", "2026-11-01..",
            "2026-09-01..2026-10-15", "last-month..yesterday"]  # fmt: skip


@ROUND_TRIP
@given(text=st.sampled_from(RELATIVE), kind=st.sampled_from(["sent", "received"]))
def test_a_relative_command_line_asks_for_the_same_span_at_the_same_moment(
    text: str, kind: Any, asked: Callable[[str], Query]
) -> None:
    query = Query.build(kind, window=text, now=NOW)
    parsed = asked(query.to_cli(relative=True))
    assert parsed == query and parsed.window == parse_window(text)


@ROUND_TRIP
@given(query=queries())
def test_the_python_call_asks_for_exactly_the_query(query: Query) -> None:
    source = RecordingSource()
    eval(query.to_python(), {"client": source})
    messages = dataclasses.replace(query, report=None, group=None)
    assert source.asked == [messages]


def test_an_example_reads_as_the_design_shows() -> None:
    query = Query.build(
        "sent", since="2026-11-01T00:00Z", until="2026-11-20T00:00Z", status="NOTDELIVERED",
        campaign="black-friday", now=NOW,
    )  # fmt: skip
    assert query.to_cli() == (
        "smstools-tui export sent --since 2026-11-01T00:00:00+00:00 "
        "--until 2026-11-20T00:00:00+00:00 --status NOTDELIVERED --campaign black-friday"
    )
    assert query.to_python() == (
        "client.sent(since='2026-11-01T00:00:00+00:00', until='2026-11-20T00:00:00+00:00', "
        "statuses=['NOTDELIVERED'], campaigns=['black-friday'])"
    )
