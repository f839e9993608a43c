"""What the dashboard shows, declared as data: the loaded dataset, the message tables, the report
tabs and the overview figures.

This is the extension point. A report tab is a :class:`ReportSpec`: a title and a function
``(sent, received) -> DataFrame``; the dashboard computes it off the UI thread whenever new data
arrives and shows the result in the same fast table as the messages, with sort, search, export
and highlighted rows. A report may offer :class:`Variant` computations picked above its table
(Costs by month, country or sender) and a ``secondary`` table shown below it in the same tab
(the compliance list under the opt-outs). An overview figure is a :class:`Figure`: either a key
of :func:`~smstools_tui.analysis.headline_figures` (all of them come from one computation) or a
function ``(sent, received) -> number``; it is shown with its change against the previous window
when that window's data is loaded. Pass your own lists to :func:`smstools_tui.tui.make_app`::

    from smstools_tui.tui import make_app
    from smstools_tui.tui.views import DEFAULT_FIGURES, DEFAULT_REPORTS, Figure, ReportSpec

    senders = ReportSpec("senders", "Senders", compute=lambda sent, received: ...)
    rate = Figure("delivery_rate", "Delivered", headline="delivery_rate", kind="percent")
    app = make_app(client, reports=[*DEFAULT_REPORTS, senders], figures=[rate])

This module does not import Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Literal

import pandas as pd

from .. import analysis
from ..account import Account
from ..query import DEFAULT_WINDOW as DEFAULT_EXPRESSION
from ..query import Query, Span, WindowExpr, parse_window
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
    "Variant",
    "WindowChoice",
    "costs_report",
    "default_reports",
    "opt_outs_flagged",
]


@dataclass(frozen=True)
class Dataset:
    """Everything one fetch loaded.

    Attributes:
        sent, received: the typed frames (see :mod:`smstools_tui.frames`).
        window: the span they cover.
        query: the query of the sent messages (the received ones are those of the same span),
            what a figure computed from them was asked with.
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
    window: Span
    fetched_at: datetime
    account: Account | None = None
    source: str = "demo"
    complete: bool = True
    problem: str | None = None
    previous: Dataset | None = None
    query: Query | None = None

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
        default_sort: the order before the user picks one (``None``: the frame's own).
        highlight: a boolean column; rows where it is true stand out.
        noun: what a row is, for the status line (``messages``, ``rows``).
        numbers: a column of phone numbers the user may want as a list (``n`` copies its
            distinct values in the rows on screen, one per line).
    """

    id: str
    title: str
    columns: tuple[ColumnSpec, ...] | None = None
    filters: tuple[FilterSpec, ...] = ()
    search_columns: tuple[str, ...] | None = None
    default_sort: SortOrder | None = None
    highlight: str | None = None
    noun: str = "rows"
    numbers: str | None = None


Compute = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]
"""``(sent, received) -> frame``: what a report tab runs on the loaded window."""


@dataclass(frozen=True)
class Variant:
    """One way to compute a report, picked above its table (Costs by month, by country …).

    Attributes:
        key: a short identifier (``month``); also part of the export file name.
        label: what the picker says (``by month``).
        compute: ``(sent, received) -> frame``, as :attr:`ReportSpec.compute`.
    """

    key: str
    label: str
    compute: Compute


@dataclass(frozen=True)
class ReportSpec(TableSpec):
    """A report tab: ``compute(sent, received)`` returns the frame it shows.

    ``compute`` runs in a worker thread, once per loaded dataset, so it may take a while on large
    data; it must not touch the UI. If it raises, the tab shows the error and the rest of the
    dashboard carries on.

    Attributes:
        compute: the report (unused when there are :attr:`variants`).
        description: a line above the table saying what the report is.
        variants: alternative computations, the first shown first; the user switches between
            them with the picker above the table (or ``b``). Every variant is computed with
            the data, so switching is instant. :attr:`columns` may list the columns of all of
            them: a table shows those its frame has.
        secondary: a second table shown below this one in the same tab, computed alongside
            (its own filters, sort, export and detail).
        summary: a line above the table computed from its frame (``3 messages …``), shown
            instead of the description.
        alert: the rows are problems: a summary of a frame with rows is shown as a warning.
        messages: the rows are ``sent`` (or ``received``) messages with their ``id``: Enter
            opens the message's full detail instead of the row's fields.
    """

    compute: Compute = field(default=lambda sent, received: pd.DataFrame())
    description: str = ""
    variants: tuple[Variant, ...] = ()
    secondary: ReportSpec | None = None
    summary: Callable[[pd.DataFrame], str] | None = None
    alert: bool = False
    messages: Literal["sent", "received"] | None = None

    def computations(self) -> list[tuple[str, Compute]]:
        """``(variant key, function)`` for everything this report computes (the key is ``""``
        without variants)."""
        if not self.variants:
            return [("", self.compute)]
        return [(variant.key, variant.compute) for variant in self.variants]


FigureKind = Literal["count", "percent", "money", "duration", "number"]
Headline = Mapping[str, float]
"""The result of :func:`~smstools_tui.analysis.headline_figures` for one window."""


@dataclass(frozen=True)
class Figure:
    """A headline number on the overview.

    Attributes:
        id: a short identifier.
        label: what it is called on screen.
        compute: ``(sent, received) -> number`` (``None`` when it cannot be told, e.g. no data);
            leave it out to read :attr:`headline` instead.
        kind: how to format it: ``count`` (1,234), ``percent`` (0.95 → 95.0%), ``money``,
            ``duration`` (seconds → ``4 m 05 s``) or ``number``.
        better: which way is good (``up``, ``down`` or ``None``), to colour the change.
        headline: a key of :func:`~smstools_tui.analysis.headline_figures`; every such figure
            reads the same single computation of the window.
        note: a short line under the value, from the window's headline figures (``4,812
            delivered``).
        alert: a headline key; when its value is above zero the note is shown as a warning
            (messages sent after an opt-out).
    """

    id: str
    label: str
    compute: Callable[[pd.DataFrame, pd.DataFrame], float | int | None] | None = None
    kind: FigureKind = "count"
    better: Literal["up", "down"] | None = None
    headline: str | None = None
    note: Callable[[Headline], str] | None = None
    alert: str | None = None

    def __post_init__(self) -> None:
        if (self.compute is None) == (self.headline is None):
            raise ValueError(f"figure {self.id!r} needs either compute or headline, not both")


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


# -- the analysis reports -------------------------------------------------------------------------


def _campaigns(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    return analysis.campaign_report(sent, received)


def _costs(by: str, zone: tzinfo | None) -> Compute:
    def compute(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
        # Calendar months in the zone the dashboard shows its times in (None: the machine's).
        return analysis.cost_report(sent, by, tz=zone)

    return compute


def _failing(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    return analysis.failing_numbers(sent)


def opt_outs_flagged(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    """:func:`~smstools_tui.analysis.opt_out_report` with ``messaged_after``: whether the number
    was sent anything after it opted out (the rows the Opt-outs tab highlights).

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> sent = sent_frame([{"id": i, "to": "393480000000", "insertDate": t, "sentDate": t}
        ...     for i, t in enumerate(["2026-11-02T10:00:00+0000", "2026-11-09T10:00:00+0000"])])
        >>> received = received_frame([{"from": "+393480000000", "text": "STOP",
        ...                             "receiveDate": "2026-11-02T11:00:00+0000"}])
        >>> opt_outs_flagged(sent, received)[["sent_after", "messaged_after"]].to_dict("list")
        {'sent_after': [1], 'messaged_after': [True]}
    """
    report = analysis.opt_out_report(sent, received)
    report["messaged_after"] = report["sent_after"].to_numpy() > 0
    return report


def _compliance(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    return analysis.compliance_list(sent, received)


_SPEND = ColumnSpec("spend", "spend", kind="money", digits=2)

CAMPAIGNS_REPORT = ReportSpec(
    id="campaigns",
    title="Campaigns",
    columns=(
        ColumnSpec("campaign", "campaign", width=30),
        ColumnSpec("first_send", "first send"),
        ColumnSpec("messages", "messages", kind="int"),
        ColumnSpec("delivery_rate", "delivered", kind="percent"),
        ColumnSpec("pending", "pending", kind="int"),
        _SPEND,
        ColumnSpec("replies", "replies", kind="int"),
        ColumnSpec("reply_rate", "reply rate", kind="percent"),
        ColumnSpec("opt_outs", "opt-outs", kind="int"),
        ColumnSpec("median_delivery_seconds", "median delivery", kind="duration"),
        ColumnSpec("median_reply_seconds", "median reply", kind="duration"),
        ColumnSpec("recipients", "recipients", kind="int"),
        ColumnSpec("last_send", "last send"),
    ),
    filters=(FilterSpec("campaign", "campaign", "campaign", "contains"),),
    search_columns=("campaign",),
    default_sort=SortOrder("first_send", descending=True),
    noun="campaigns",
    compute=_campaigns,
    description=(
        "One row per campaign (transactionId). Delivered: share of the messages with a final "
        "status; replies: within 72 h."
    ),
)

FAILING_REPORT = ReportSpec(
    id="failing",
    title="Failing numbers",
    columns=(
        ColumnSpec("number", "number"),
        ColumnSpec("country", "country"),
        ColumnSpec("failures", "failures", kind="int"),
        ColumnSpec("last_failure", "last failure"),
        ColumnSpec("last_status", "last status"),
        ColumnSpec("last_status_detail", "reason", width=30),
        ColumnSpec("wasted_spend", "wasted", kind="money"),
        ColumnSpec("messages", "messages", kind="int"),
        ColumnSpec("last_delivered", "last delivered"),
        ColumnSpec("first_failure", "first failure"),
    ),
    filters=(
        FilterSpec("number", "number", "number", "number"),
        FilterSpec("country", "country", "country", "choice"),
    ),
    search_columns=("number", "last_status_detail"),
    default_sort=SortOrder("failures", descending=True),
    noun="numbers",
    numbers="number",
    compute=_failing,
    description=(
        "Numbers with 2 or more failed messages since their last delivered one: candidates to "
        "remove from your lists."
    ),
)

COMPLIANCE_REPORT = ReportSpec(
    id="compliance",
    title="Sent after opt-out",
    columns=(
        ColumnSpec("insertDate", "inserted"),
        ColumnSpec("to", "to"),
        ColumnSpec("transactionId", "campaign", width=24),
        ColumnSpec("status", "status"),
        ColumnSpec("text", "text", width=40),
        ColumnSpec("opted_out_at", "opted out"),
        ColumnSpec("opt_out_text", "opt-out text", width=24),
        ColumnSpec("from", "sender", width=14),
        ColumnSpec("price", "price", kind="money"),
        ColumnSpec("id", "id", kind="id"),
    ),
    filters=(FilterSpec("number", "number", "to", "number"),),
    search_columns=("to", "transactionId", "text", "opt_out_text"),
    default_sort=SortOrder("insertDate", descending=True),
    noun="messages",
    numbers="to",
    compute=_compliance,
    summary=lambda frame: (
        f"⚠ {len(frame):,} messages were sent to numbers after they had opted out "
        "(the compliance list): Enter opens one."
        if len(frame)
        else "✓ No message was sent to a number after it had opted out."
    ),
    alert=True,
    messages="sent",
)

OPT_OUTS_REPORT = ReportSpec(
    id="opt-outs",
    title="Opt-outs",
    columns=(
        ColumnSpec("number", "number"),
        ColumnSpec("opted_out_at", "opted out"),
        ColumnSpec("text", "text", width=36),
        ColumnSpec("campaign", "campaign", width=24),
        ColumnSpec("opt_out_messages", "opt-outs", kind="int"),
        ColumnSpec("sent_after", "sent after", kind="int"),
        ColumnSpec("last_sent_after", "last sent after"),
    ),
    filters=(FilterSpec("number", "number", "number", "number"),),
    search_columns=("number", "text", "campaign"),
    # The numbers that were messaged after opting out first: they are what needs acting on.
    default_sort=SortOrder("sent_after", descending=True),
    highlight="messaged_after",
    noun="numbers",
    numbers="number",
    compute=opt_outs_flagged,
    description=(
        "Numbers that sent an opt-out keyword (STOP, CANCELLA …). Highlighted: messaged again "
        "afterwards (listed below)."
    ),
    secondary=COMPLIANCE_REPORT,
)


def costs_report(zone: tzinfo | None = None) -> ReportSpec:
    """The Costs tab: spend by month, by country or by sender; months are read in ``zone``
    (default: the machine's)."""
    return ReportSpec(
        id="costs",
        title="Costs",
        columns=(
            ColumnSpec("month", "month"),
            ColumnSpec("country", "country"),
            ColumnSpec("sender", "sender", width=20),
            ColumnSpec("messages", "messages", kind="int"),
            ColumnSpec("delivered", "delivered", kind="int"),
            _SPEND,
            ColumnSpec("delivered_spend", "delivered spend", kind="money", digits=2),
            ColumnSpec("wasted_spend", "wasted spend", kind="money", digits=2),
            ColumnSpec("pending_spend", "pending spend", kind="money", digits=2),
            ColumnSpec("avg_price", "avg price", kind="money"),
            ColumnSpec("price_per_delivered", "per delivered", kind="money"),
        ),
        noun="rows",
        variants=(
            Variant("month", "by month", _costs("month", zone)),
            Variant("country", "by country", _costs("country", zone)),
            Variant("sender", "by sender", _costs("sender", zone)),
        ),
        description=(
            "Credit spent; wasted = spent on messages not delivered or not sent; pending = on "
            "messages still on their way."
        ),
    )


def default_reports(zone: tzinfo | None = None) -> tuple[ReportSpec, ...]:
    """The report tabs after Overview, Sent and Received, from :mod:`smstools_tui.analysis`,
    with calendar groups read in ``zone`` (default: the machine's)."""
    return (CAMPAIGNS_REPORT, costs_report(zone), FAILING_REPORT, OPT_OUTS_REPORT)


DEFAULT_REPORTS: Sequence[ReportSpec] = default_reports()
"""The report tabs in the machine's zone (:func:`default_reports` for another zone)."""


# -- the overview's figures -----------------------------------------------------------------------


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "–"


DEFAULT_FIGURES: Sequence[Figure] = (
    Figure(
        "messages",
        "Sent",
        headline="messages",
        note=lambda h: f"{int(h['received']):,} received",
    ),
    Figure(
        "delivery_rate",
        "Delivered",
        headline="delivery_rate",
        kind="percent",
        better="up",
        note=lambda h: f"{int(h['delivered']):,} delivered",
    ),
    Figure(
        "pending",
        "Pending",
        headline="pending",
        note=lambda h: f"{_share(h['pending'], h['messages'])} of sent, not final yet",
    ),
    Figure(
        "spend",
        "Spend",
        headline="spend",
        kind="money",
        note=lambda h: (
            f"credits, {h['spend'] / h['messages']:.4f} per SMS" if h["messages"] else "credits"
        ),
    ),
    Figure(
        "wasted_spend",
        "Wasted spend",
        headline="wasted_spend",
        kind="money",
        better="down",
        note=lambda h: f"{_share(h['wasted_spend'], h['spend'])} of the spend",
    ),
    Figure(
        "median_delivery_seconds",
        "Median delivery time",
        headline="median_delivery_seconds",
        kind="duration",
        better="down",
        note=lambda h: "sent → delivered",
    ),
    Figure(
        "replies",
        "Replies",
        headline="replies",
        better="up",
        note=lambda h: "within 72 h of a message",
    ),
    Figure(
        "opt_outs",
        "Opt-outs",
        headline="opt_outs",
        better="down",
        note=lambda h: f"{int(h['sent_after_opt_out']):,} sent after an opt-out",
        alert="sent_after_opt_out",
    ),
)
"""The overview's eight headline figures, all from one
:func:`~smstools_tui.analysis.headline_figures` per window."""


@dataclass(frozen=True)
class WindowChoice:
    """The window the dashboard shows: a window expression (see
    :class:`~smstools_tui.query.WindowExpr`) and what the picker and the header call it.

    A relative window moves with the clock, so a refresh of ``7d`` reads the newest week. The
    dashboard never resolves it itself: its queries are built on the client's clock.

    Example:
        >>> WindowChoice.of("last-month").label, WindowChoice.of("7d", "last 7 days").label
        ('last-month', 'last 7 days')
    """

    expression: WindowExpr
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.expression.text)

    @classmethod
    def of(cls, text: str, label: str = "") -> WindowChoice:
        """The choice of a window expression's text.

        Raises:
            ConfigError: not a window expression.
        """
        return cls(parse_window(text), label)

    @classmethod
    def custom(
        cls,
        since: WindowExpr | datetime | str | None = None,
        until: WindowExpr | datetime | str | None = None,
    ) -> WindowChoice:
        """Bounds as ``--since``/``--until`` take them (window expressions or datetimes)."""
        expression = WindowExpr.asked(since, until)
        return DEFAULT_WINDOW if expression is None else cls(expression)


WINDOW_PRESETS: tuple[WindowChoice, ...] = (
    WindowChoice.of("24h", "last 24 hours"),
    WindowChoice.of("7d", "last 7 days"),
    WindowChoice.of(DEFAULT_EXPRESSION, "last 30 days"),
    WindowChoice.of("90d", "last 90 days"),
    WindowChoice.of("this-month", "this month"),
    WindowChoice.of("last-month", "last month"),
)
DEFAULT_WINDOW = WINDOW_PRESETS[2]
