"""Covered spans: union, gaps, JSON, against a brute-force model of sets of seconds."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from smstools_tui.store.coverage import Coverage, from_epoch, to_epoch

spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda pair: (min(pair), max(pair))),
    max_size=8,
)


def seconds(coverage: Coverage) -> set[int]:
    return {second for start, end in coverage for second in range(start, end)}


@given(spans, st.integers(0, 60), st.integers(0, 60))
def test_behaves_like_a_set_of_seconds(added: list[tuple[int, int]], a: int, b: int) -> None:
    coverage = Coverage()
    model: set[int] = set()
    for start, end in added:
        coverage = coverage.add(start, end)
        model |= set(range(start, end))
    assert seconds(coverage) == model
    # Disjoint, sorted and never touching: two adjacent spans are merged into one.
    for (_, end), (start, _) in zip(coverage.spans, coverage.spans[1:], strict=False):
        assert end < start
    start, end = min(a, b), max(a, b)
    gaps = coverage.missing(start, end)
    assert {s for gap in gaps for s in range(*gap)} == set(range(start, end)) - model
    assert coverage.covers(start, end) == (not gaps)
    assert Coverage.from_json(coverage.to_json()) == coverage


def test_watermark_and_start() -> None:
    coverage = Coverage().add(100, 200).add(300, 400)
    assert (coverage.start, coverage.end) == (100, 400)
    assert Coverage().end is None and not Coverage()


def test_whole_seconds_follow_the_clients_rule() -> None:
    moment = datetime(2026, 11, 25, 10, 0, 0, 200_000, tzinfo=UTC)
    assert to_epoch(moment) - to_epoch(moment, up=False) == 1
    assert from_epoch(to_epoch(moment, up=False)) == moment.replace(microsecond=0)
    assert Coverage().add(0, 1).to_json() == [
        ["1970-01-01T00:00:00+00:00", "1970-01-01T00:00:01+00:00"]
    ]
