"""What the dashboard's worker threads report back: frames, the results of
:mod:`~smstools_tui.tui.state`'s computations and the package's own errors. The app routes each
into its :class:`~smstools_tui.tui.state.DashboardState`."""

from __future__ import annotations

from textual.message import Message

from ..monitor import CheckResult
from .loader import LoadFailed
from .state import OverviewResult, RepliesResult, ReportResult, Selected
from .summary import WindowFigures
from .views import Dataset

__all__ = [
    "DataLoaded",
    "FetchFailed",
    "FetchProgress",
    "MessagesSelected",
    "OverviewComputed",
    "PreviousComputed",
    "PreviousLoaded",
    "RepliesMatched",
    "ReportComputed",
    "RulesChecked",
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


class RulesChecked(_Generational):
    """The watch policy's rules, evaluated on the data on screen."""

    def __init__(self, generation: int, result: CheckResult) -> None:
        super().__init__(generation)
        self.result = result


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


class OverviewComputed(_Generational):
    """The overview's figures and charts of the window on screen."""

    def __init__(self, generation: int, result: OverviewResult) -> None:
        super().__init__(generation)
        self.result = result


class PreviousComputed(_Generational):
    """The overview's figures of the window before it, to compare with."""

    def __init__(self, generation: int, figures: WindowFigures) -> None:
        super().__init__(generation)
        self.figures = figures


class ReportComputed(_Generational):
    """A report tab's frame (for one of its variants), or the error its function raised."""

    def __init__(self, generation: int, result: ReportResult) -> None:
        super().__init__(generation)
        self.result = result


class RepliesMatched(_Generational):
    """The window's replies, matched to the messages they answer (for the detail view), or why
    they could not be."""

    def __init__(self, generation: int, result: RepliesResult) -> None:
        super().__init__(generation)
        self.result = result


class MessagesSelected(Message):
    """The messages a drill-down asked for, selected from the data on screen, or why they could
    not be. Stale when the drill-down is no longer shown (each new dataset shows its drill-downs
    anew), whatever fetch ran since: a refresh that was cancelled leaves the data as it was."""

    def __init__(self, selected: Selected) -> None:
        super().__init__()
        self.selected = selected
