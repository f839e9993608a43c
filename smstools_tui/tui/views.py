"""What the dashboard shows, declared as data: the loaded dataset, the message tables, the report
tabs and the overview figures.

This is the extension point. A report tab is a :class:`ReportSpec`: a title and a function
``(sent, received) -> DataFrame``; the dashboard computes it off the UI thread whenever new data
arrives and shows the result in the same fast table as the messages, with sort, search, export
and highlighted rows. An overview figure is a :class:`Figure`: a label and a function
``(sent, received) -> number``, shown with its change against the previous window when that
window's data is loaded. Pass your own lists to :func:`smstools_tui.tui.make_app`::

    from smstools_tui.tui import make_app
    from smstools_tui.tui.views import DEFAULT_REPORTS, Figure, ReportSpec

    campaigns = ReportSpec("campaigns", "Campaigns", compute=lambda sent, received: ...)
    delivered = Figure("delivered", "Delivered", compute=delivery_rate, kind="percent")
    app = make_app(client, reports=[campaigns, *DEFAULT_REPORTS], figures=[delivered])

This module does not import Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import pandas as pd

from ..api.client import Account
from ..dates import DateWindow
from ..frames import STATUSES
from .model import ColumnSpec, FilterSpec, SortOrder

__all__ = [
    "DEFAULT_FIGURES",
    "DEFAULT_REPORTS",
    "DEFAULT_WINDOW",
    "RECEIVED_VIEW",
    "SENT_VIEW",
    "WINDOW_PRESETS",
    "Dataset",
    "Figure",
    "ReportSpec",
    "TableSpec",
    "WindowChoice",
    "replied_message",
    "replies_to",
    "status_summary",
]


@dataclass(frozen=True)
class Dataset:
    """Everything one fetch loaded.

    Attributes:
        sent, received: the typed frames (see :mod:`smstools_tui.frames`).
        window: the window they cover.
        fetched_at: when the fetch started (the data's freshness).
        account: the account, or ``None`` when ``/user`` could not be read.
        source: ``demo`` or the gateway's host.
        complete: ``False`` when the fetch failed or was cancelled part-way: then the frames
            hold only what arrived, and :attr:`problem` says why.
        previous: the window of the same length before this one, when it was loaded (the
            overview compares against it).
    """

    sent: pd.DataFrame
    received: pd.DataFrame
    window: DateWindow
    fetched_at: datetime
    account: Account | None = None
    source: str = "demo"
    complete: bool = True
    problem: str | None = None
    previous: Dataset | None = None

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"


@dataclass(frozen=True)
class TableSpec:
    """How a table presents a frame: columns, filters, search, default sort, highlight.

    Attributes:
        id: a short identifier (tab id, export file name).
        title: the tab's title.
        columns: the columns shown, in order (``None``: every column, formatted by dtype).
        filters: the filters offered above the table.
        search_columns: where the free-text search looks (``None``: every text column).
        default_sort: the order before the user picks one.
        highlight: a boolean column; rows where it is true stand out.
        noun: what a row is, for the status line (``messages``, ``rows``).
    """

    id: str
    title: str
    columns: tuple[ColumnSpec, ...] | None = None
    filters: tuple[FilterSpec, ...] = ()
    search_columns: tuple[str, ...] | None = None
    default_sort: SortOrder | None = None
    highlight: str | None = None
    noun: str = "rows"


@dataclass(frozen=True)
class ReportSpec(TableSpec):
    """A report tab: ``compute(sent, received)`` returns the frame it shows.

    ``compute`` runs in a worker thread, once per loaded dataset, so it may take a while on large
    data; it must not touch the UI. If it raises, the tab shows the error and the rest of the
    dashboard carries on.
    """

    compute: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame] = field(
        default=lambda sent, received: pd.DataFrame()
    )
    description: str = ""


FigureKind = Literal["count", "percent", "money", "duration", "number"]


@dataclass(frozen=True)
class Figure:
    """A headline number on the overview.

    Attributes:
        id: a short identifier.
        label: what it is called on screen.
        compute: ``(sent, received) -> number`` (``None`` when it cannot be told, e.g. no data).
        kind: how to format it: ``count`` (1,234), ``percent`` (0.95 → 95.0%), ``money``,
            ``duration`` (seconds → ``4 m 05 s``) or ``number``.
        better: which way is good (``up``, ``down`` or ``None``), to colour the change.
    """

    id: str
    label: str
    compute: Callable[[pd.DataFrame, pd.DataFrame], float | int | None]
    kind: FigureKind = "count"
    better: Literal["up", "down"] | None = None


SENT_VIEW = TableSpec(
    id="sent",
    title="Sent",
    columns=(
        ColumnSpec("insertDate", "inserted"),
        ColumnSpec("to", "to"),
        ColumnSpec("from", "sender", width=14),
        ColumnSpec("status", "status"),
        ColumnSpec("text", "text", width=48),
        ColumnSpec("transactionId", "campaign", width=20),
        ColumnSpec("price", "price", kind="money"),
        ColumnSpec("sentDate", "sent"),
        ColumnSpec("deliveryDate", "delivered"),
        ColumnSpec("statusDetail", "detail", width=20),
        ColumnSpec("id", "id", kind="id"),
    ),
    filters=(
        FilterSpec("status", "status", "status", "choice"),
        FilterSpec("number", "number", "to", "number"),
        FilterSpec("sender", "sender", "from", "choice"),
        FilterSpec("campaign", "campaign", "transactionId", "contains"),
    ),
    search_columns=("text", "to", "from", "transactionId", "statusDetail"),
    default_sort=SortOrder("insertDate", descending=True),
    noun="messages",
)

RECEIVED_VIEW = TableSpec(
    id="received",
    title="Received",
    columns=(
        ColumnSpec("receiveDate", "received"),
        ColumnSpec("from", "from"),
        ColumnSpec("text", "text", width=60),
        ColumnSpec("simId", "service"),
    ),
    filters=(
        FilterSpec("number", "number", "from", "number"),
        FilterSpec("service", "service", "simId", "choice"),
    ),
    search_columns=("text", "from"),
    default_sort=SortOrder("receiveDate", descending=True),
    noun="messages",
)


def status_summary(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    """Sent messages per status: count, share and credit spent.

    A small report computed straight from the sent frame; it also shows how a report tab plugs
    in (see :data:`DEFAULT_REPORTS`).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> frame = sent_frame([{"id": 1, "status": "DELIVERED", "price": 0.1},
        ...                     {"id": 2, "status": "NOSENT", "price": 0.0},
        ...                     {"id": 3, "status": "DELIVERED", "price": 0.1}])
        >>> status_summary(frame, frame.iloc[:0])[["status", "messages"]].values.tolist()
        [['NOSENT', 1], ['DELIVERED', 2]]
    """
    del received  # the signature every report shares
    status = sent["status"].astype("object").fillna("(unknown)")
    groups = sent.groupby(status, sort=False)["price"]
    summary = pd.DataFrame({"messages": groups.size(), "credit": groups.sum()})
    order = {name: rank for rank, name in enumerate(STATUSES)}
    summary = summary.sort_index(key=lambda index: index.map(lambda s: order.get(s, len(order))))
    summary.insert(1, "share", summary["messages"] / max(len(sent), 1))
    summary = summary.rename_axis("status").reset_index()
    return summary.astype({"status": "str", "messages": "int64", "credit": "float64"})


DEFAULT_REPORTS: Sequence[ReportSpec] = (
    ReportSpec(
        id="statuses",
        title="Statuses",
        columns=(
            ColumnSpec("status", "status"),
            ColumnSpec("messages", "messages", kind="int"),
            ColumnSpec("share", "share", kind="percent"),
            ColumnSpec("credit", "credit", kind="money"),
        ),
        compute=status_summary,
        description="Sent messages per status in the window.",
    ),
)
"""The report tabs the dashboard has today; the analysis reports join this list."""


def _sent_count(sent: pd.DataFrame, received: pd.DataFrame) -> int:
    return len(sent)


def _received_count(sent: pd.DataFrame, received: pd.DataFrame) -> int:
    return len(received)


DEFAULT_FIGURES: Sequence[Figure] = (
    Figure("sent", "Sent", _sent_count),
    Figure("received", "Received", _received_count),
)
"""The overview's figures today: plain counts. The analysis figures (delivered %, pending,
spend, wasted spend, median latency, replies, opt-outs) join this list."""


@dataclass(frozen=True)
class WindowChoice:
    """The window the user picked: the last ``days`` up to now, or fixed bounds.

    A relative choice moves with the clock, so a refresh of "last 7 days" reads the newest week.
    """

    label: str
    days: float | None = None
    since: str | datetime | None = None
    until: str | datetime | None = None

    def resolve(self, now: datetime) -> DateWindow:
        """The window this choice means at ``now``."""
        if self.days is not None:
            return DateWindow.last(days=self.days, now=now)
        return DateWindow.resolve(self.since, self.until, now=now)

    @classmethod
    def custom(
        cls, since: str | datetime | None = None, until: str | datetime | None = None
    ) -> WindowChoice:
        """Fixed bounds (user text or datetimes, as ``--since``/``--until`` take them)."""
        if since is None and until is None:
            return DEFAULT_WINDOW
        return cls("custom", since=since, until=until)


WINDOW_PRESETS: tuple[WindowChoice, ...] = (
    WindowChoice("last 24 hours", days=1),
    WindowChoice("last 7 days", days=7),
    WindowChoice("last 30 days", days=30),
    WindowChoice("last 90 days", days=90),
)
DEFAULT_WINDOW = WINDOW_PRESETS[2]


def replies_to(
    message: dict[str, object], sent: pd.DataFrame, received: pd.DataFrame
) -> pd.DataFrame:
    """Received messages that answer one sent ``message``: from its recipient, after it was
    accepted and before the next message to the same number.

    A plain heuristic for the detail view; the analysis core owns the full reply attribution.
    """
    number, start = message.get("to"), message.get("insertDate")
    if number is None or start is None or received.empty:
        return received.iloc[:0]
    later = sent.loc[(sent["to"] == number) & (sent["insertDate"] > start), "insertDate"]
    end = later.min() if len(later) else None
    senders = received["from"].astype("str").str.removeprefix("+")
    mask = (senders == str(number)) & (received["receiveDate"] >= start)
    if end is not None and end == end:
        mask &= received["receiveDate"] < end
    return received[mask.fillna(False).to_numpy(dtype=bool)].sort_values("receiveDate")


def replied_message(message: dict[str, object], sent: pd.DataFrame) -> dict[str, object] | None:
    """The sent message a received ``message`` most likely answers: the last one to its sender
    accepted before it arrived."""
    sender, at = message.get("from"), message.get("receiveDate")
    if sender is None or at is None or sent.empty:
        return None
    number = str(sender).removeprefix("+")
    earlier = sent[(sent["to"] == number) & (sent["insertDate"] <= at)]
    if earlier.empty:
        return None
    row = earlier.loc[earlier["insertDate"].idxmax()]
    return {str(key): (None if pd.isna(value) else value) for key, value in row.items()}
