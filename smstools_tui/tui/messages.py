"""What the dashboard's worker threads report back: frames and the package's own errors."""

from __future__ import annotations

import pandas as pd
from textual.message import Message

from .loader import LoadFailed
from .replies import ReplyIndex
from .summary import OverviewCharts, WindowFigures
from .views import Dataset

__all__ = [
    "DataLoaded",
    "FetchFailed",
    "FetchProgress",
    "FiguresComputed",
    "PreviousLoaded",
    "RepliesMatched",
    "ReportComputed",
]


class _Generational(Message):
    """A worker's message, stamped with the fetch it belongs to: stale ones are ignored."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class FetchProgress(_Generational):
    """``done`` of ``total`` pages of ``stage`` (``sent``, ``received``, ``previous``) read."""

    def __init__(self, generation: int, stage: str, done: int, total: int) -> None:
        super().__init__(generation)
        self.stage = stage
        self.done = done
        self.total = total


class DataLoaded(_Generational):
    """A window's data arrived complete."""

    def __init__(self, generation: int, dataset: Dataset) -> None:
        super().__init__(generation)
        self.dataset = dataset


class PreviousLoaded(_Generational):
    """The previous window (for the overview's comparisons) arrived."""

    def __init__(self, generation: int, previous: Dataset) -> None:
        super().__init__(generation)
        self.previous = previous


class FetchFailed(_Generational):
    """A fetch failed or was cancelled; ``failure.partial`` holds what arrived."""

    def __init__(self, generation: int, failure: LoadFailed) -> None:
        super().__init__(generation)
        self.failure = failure


class FiguresComputed(_Generational):
    """The overview's figures of the window (``previous=False``) or of the window before it
    (``previous=True``); the window's also bring its charts."""

    def __init__(
        self,
        generation: int,
        figures: WindowFigures,
        *,
        previous: bool = False,
        charts: OverviewCharts | None = None,
        chart_error: str | None = None,
    ) -> None:
        super().__init__(generation)
        self.figures = figures
        self.previous = previous
        self.charts = charts
        self.chart_error = chart_error


class ReportComputed(_Generational):
    """A report tab's frame (for one of its variants), or the error its function raised."""

    def __init__(
        self,
        generation: int,
        report_id: str,
        frame: pd.DataFrame | None,
        error: str | None = None,
        *,
        variant: str = "",
    ) -> None:
        super().__init__(generation)
        self.report_id = report_id
        self.frame = frame
        self.error = error
        self.variant = variant


class RepliesMatched(_Generational):
    """The window's replies, matched to the messages they answer (for the detail view)."""

    def __init__(self, generation: int, index: ReplyIndex) -> None:
        super().__init__(generation)
        self.index = index
