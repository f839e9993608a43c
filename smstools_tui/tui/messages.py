"""What the dashboard's worker threads report back: frames and the package's own errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from textual.message import Message

from .loader import LoadFailed
from .views import Dataset

__all__ = [
    "DataLoaded",
    "ExportFinished",
    "FetchFailed",
    "FetchProgress",
    "FiguresComputed",
    "PreviousLoaded",
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
    """Overview figures: ``values[id] = (current, previous, error)``."""

    def __init__(
        self, generation: int, values: dict[str, tuple[float | int | None, float | int | None, str]]
    ) -> None:
        super().__init__(generation)
        self.values = values


class ReportComputed(_Generational):
    """A report tab's frame, or the error its function raised."""

    def __init__(
        self,
        generation: int,
        report_id: str,
        frame: pd.DataFrame | None,
        error: str | None = None,
    ) -> None:
        super().__init__(generation)
        self.report_id = report_id
        self.frame = frame
        self.error = error


class ExportFinished(Message):
    """An export was written (``error`` is ``None``) or failed."""

    def __init__(self, path: Path, rows: int, error: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.rows = rows
        self.error = error
