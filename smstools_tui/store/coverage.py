"""Which stretches of time a store holds completely: disjoint half-open spans of whole seconds.

A span ``[start, end)`` is *covered* for a kind of message when one complete, consistent search
of that span was stored. Messages the store holds outside its covered spans (what a failed
search had read before it failed) are kept, but a later search of that stretch replaces them.

Whole seconds because the API's dates are whole seconds; every window is read as
:meth:`smstools_tui.query.Span.covering` makes it, ``[ceil(since), ceil(until))``, so the spans
here meet the ones searched exactly (:attr:`~smstools_tui.query.Span.epoch`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["Coverage", "Span", "from_epoch", "to_epoch"]

Span = tuple[int, int]
"""``(start, end)`` in epoch seconds, half-open."""


def to_epoch(moment: datetime, *, up: bool = True) -> int:
    """An aware instant as whole epoch seconds, rounded up (the client's rule) or down."""
    seconds = moment.timestamp()
    return math.ceil(seconds) if up else math.floor(seconds)


def from_epoch(seconds: int) -> datetime:
    """Whole epoch seconds as an aware UTC instant."""
    return datetime.fromtimestamp(seconds, UTC)


@dataclass(frozen=True)
class Coverage:
    """Sorted, disjoint, non-adjacent spans.

    Example:
        >>> coverage = Coverage().add(0, 10).add(20, 30).add(10, 15)
        >>> coverage.spans, coverage.missing(5, 25), coverage.end
        (((0, 15), (20, 30)), [(15, 20)], 30)
    """

    spans: tuple[Span, ...] = ()

    def __iter__(self) -> Iterator[Span]:
        return iter(self.spans)

    def __bool__(self) -> bool:
        return bool(self.spans)

    @property
    def start(self) -> int | None:
        """Where the earliest span starts, or ``None`` when nothing is covered."""
        return self.spans[0][0] if self.spans else None

    @property
    def end(self) -> int | None:
        """The watermark: where the latest span ends, or ``None`` when nothing is covered."""
        return self.spans[-1][1] if self.spans else None

    def add(self, start: int, end: int) -> Coverage:
        """This coverage and ``[start, end)``, merged with the spans it touches."""
        if end <= start:
            return self
        merged: list[Span] = []
        for span_start, span_end in self.spans:
            if span_end < start or span_start > end:
                merged.append((span_start, span_end))
            else:
                start, end = min(start, span_start), max(end, span_end)
        merged.append((start, end))
        return Coverage(tuple(sorted(merged)))

    def remove(self, start: int, end: int) -> Coverage:
        """This coverage without ``[start, end)``.

        Example:
            >>> Coverage().add(0, 30).remove(10, 20).spans
            ((0, 10), (20, 30))
        """
        if end <= start:
            return self
        kept: list[Span] = []
        for span_start, span_end in self.spans:
            if span_start < start:
                kept.append((span_start, min(span_end, start)))
            if span_end > end:
                kept.append((max(span_start, end), span_end))
        return Coverage(tuple(kept))

    def missing(self, start: int, end: int) -> list[Span]:
        """The parts of ``[start, end)`` not covered, in order."""
        gaps: list[Span] = []
        cursor = start
        for span_start, span_end in self.spans:
            if span_end <= cursor:
                continue
            if span_start >= end:
                break
            if span_start > cursor:
                gaps.append((cursor, span_start))
            cursor = max(cursor, span_end)
        if cursor < end:
            gaps.append((cursor, end))
        return gaps

    def covers(self, start: int, end: int) -> bool:
        return not self.missing(start, end)

    def to_json(self) -> list[list[str]]:
        """ISO-8601 pairs, for the manifest (readable by a person and by other tools)."""
        return [[from_epoch(a).isoformat(), from_epoch(b).isoformat()] for a, b in self.spans]

    @classmethod
    def from_json(cls, spans: Iterable[Iterable[str]]) -> Coverage:
        """What :meth:`to_json` wrote.

        Raises:
            ValueError: not a list of ``[start, end]`` pairs of ISO-8601 dates with an offset.
            TypeError: a value that is not text.
        """
        coverage = cls()
        for pair in spans:
            moments = [datetime.fromisoformat(text) for text in pair]
            if len(moments) != 2 or any(moment.tzinfo is None for moment in moments):
                raise ValueError(f"{pair!r} is not a [start, end] pair of aware dates")
            start, end = (to_epoch(moment) for moment in moments)
            coverage = coverage.add(start, end)
        return coverage
