"""What the dashboard shows, declared as data: the loaded dataset, the message tables, the report
tabs and the overview figures.

This is the extension point. A report tab is a :class:`ReportTab`: the presentation of an entry of
the report registry (:data:`~smstools_tui.report.reports.REPORTS`, shared with the command line and
the HTML report) or of a function ``(sent, received) -> DataFrame``; the dashboard computes it off
the UI thread whenever new data arrives and shows the result in the same fast table as the messages,
with sort, search, export and highlighted rows. A report may offer :class:`Variant` computations
picked above its table (Costs by month, country or sender) and a ``secondary`` table shown below it
in the same tab (the compliance list under the opt-outs). An overview figure is a :class:`Figure`:
either a key of :func:`~smstools_tui.analysis.headline_figures` (all of them come from one
computation) or a function ``(sent, received) -> number``; it is shown with its change against the
previous window when that window's data is loaded.
Pass your own lists to :func:`smstools_tui.tui.make_app`::

    from smstools_tui.tui import make_app
    from smstools_tui.tui.views import DEFAULT_FIGURES, DEFAULT_REPORTS, Figure, ReportTab

    senders = ReportTab("senders", "Senders", compute=lambda sent, received: ...)
    rate = Figure("delivery_rate", "Delivered", headline="delivery_rate", kind="percent")
    app = make_app(client, reports=[*DEFAULT_REPORTS, senders], figures=[rate])

This module does not import Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any, Literal

import pandas as pd

from ..account import Account
from ..analysis import ComplianceRules, QuietHours
from ..query import DEFAULT_WINDOW as DEFAULT_EXPRESSION
from ..query import Query, Span, WindowExpr, parse_window
from ..report.columns import RECEIVED_FIELDS, SENT_FIELDS, Column
from ..report.figures import HEADLINE_FIGURES, FigureKind, Headline, HeadlineFigure
from ..report.reports import REPORTS, Report, ReportOptions
from .model import ColumnKind, ColumnSpec, FilterSpec, SortOrder

__all__ = [
    "DEFAULT_FIGURES",
    "DEFAULT_REPORTS",
    "DEFAULT_WINDOW",
    "RECEIVED_VIEW",
    "SENT_VIEW",
    "WINDOW_PRESETS",
    "Dataset",
    "Figure",
    "ReportTab",
    "TableSpec",
    "Variant",
    "WindowChoice",
    "campaigns_tab",
    "carriers_tab",
    "compliance_tab",
    "costs_report",
    "default_reports",
    "encoding_tab",
    "failing_tab",
    "find_tab",
    "message_columns",
    "message_views",
    "opt_outs_flagged",
    "opt_outs_tab",
    "quiet_hours_tab",
    "report_columns",
    "send_times_tab",
    "sender_ids_tab",
    "tab_of_report",
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
        compute: ``(sent, received) -> frame``, as :attr:`ReportTab.compute`.
    """

    key: str
    label: str
    compute: Compute


@dataclass(frozen=True)
class ReportTab(TableSpec):
    """A report tab: the presentation of a report of the registry
    (:data:`~smstools_tui.report.reports.REPORTS`), or of a computation of your own.

    The report itself (its computation, its columns' titles, its drill-down) is the registry's
    entry, shared with the command line and the HTML report; the tab says only how to show it:
    which columns and how wide, the filters offered, the default sort, the highlight, the noun.

    The computation runs in a worker thread, once per loaded dataset, so it may take a while on
    large data; it must not touch the UI. If it raises, the tab shows the error and the rest of
    the dashboard carries on.

    Attributes:
        report: the registry's entry this tab shows (``None``: a tab of your own).
        compute: ``(sent, received) -> frame``: a computation of your own (default: the
            entry's, in :attr:`zone`; unused when there are :attr:`variants`).
        zone: the zone the entry's days, weeks and months are read in (``None``: the
            machine's).
        rules: the opt-out keywords and message classes the entry is computed with (the
            config file's ``[compliance]`` and ``[classes]``; ``None``: the defaults).
        description: a line above the table saying what the report is (default: the entry's).
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
        quiet_hours: the customer's quiet-hours policy the entry is computed with (the config
            file's ``[quiet_hours]``; ``None``: off).
        heatmap: the rows are the cells of a weekday × hour grid (the ``send-times`` report):
            the tab draws them as a heatmap above the table, Enter on a cell opens its messages.
    """

    report: Report | None = None
    compute: Compute | None = None
    zone: tzinfo | None = None
    rules: ComplianceRules | None = None
    description: str = ""
    variants: tuple[Variant, ...] = ()
    secondary: ReportTab | None = None
    summary: Callable[[pd.DataFrame], str] | None = None
    alert: bool = False
    messages: Literal["sent", "received"] | None = None
    quiet_hours: QuietHours | None = None
    heatmap: bool = False

    def __post_init__(self) -> None:
        if self.compute is None and self.report is None and not self.variants:
            raise ValueError(f"report tab {self.id!r} needs a report, compute or variants")
        if not self.description and self.report is not None:
            object.__setattr__(self, "description", self.report.description)

    def computations(self) -> list[tuple[str, Compute]]:
        """``(variant key, function)`` for everything this report computes (the key is ``""``
        without variants)."""
        if self.variants:
            return [(variant.key, variant.compute) for variant in self.variants]
        if self.compute is not None:
            return [("", self.compute)]
        assert self.report is not None  # checked when made
        return [("", _computed(self.report, None, self.zone, self.rules, self.quiet_hours))]

    def drill(
        self, row: Mapping[str, Any], base: Query, *, column: str | None = None
    ) -> Query | None:
        """The messages behind ``row`` (a table model's record: machine names to values), as
        a narrower query of ``base``, the query of the loaded dataset (see
        :meth:`~smstools_tui.report.reports.Report.drill`); ``None`` for a tab of your own or
        a row no query tells apart.

        Example:
            >>> from datetime import UTC, datetime
            >>> base = Query.build("sent", window="2026-11", now=datetime(2026, 12, 1, tzinfo=UTC),
            ...                    zone="UTC")
            >>> tab = find_tab("failing")
            >>> sorted(tab.drill({"number": "393480000000", "failures": 3}, base).filters.numbers)
            ['393480000000']
        """
        if self.report is None:
            return None
        return self.report.drill(row, base, zone=self.zone, column=column)


def _computed(
    report: Report,
    by: str | None,
    zone: tzinfo | None,
    rules: ComplianceRules | None = None,
    quiet_hours: QuietHours | None = None,
) -> Compute:
    options = ReportOptions(
        by=by, tz=zone, keywords=ComplianceRules.of(rules), quiet_hours=quiet_hours
    )

    def compute(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
        # Calendar groups in the zone the dashboard shows its times in (None: the machine's).
        return report.run(sent, received, options)

    return compute


_KINDS: dict[str, ColumnKind] = {
    "count": "int", "percent": "percent", "money": "money", "duration": "duration", "id": "id",
    "phone": "phone",
}  # fmt: skip


def report_columns(
    report: Report, *names: str, widths: Mapping[str, int] | None = None
) -> tuple[ColumnSpec, ...]:
    """The columns ``names`` of ``report`` as a tab shows them: the registry's title and kind
    (the same title as the command line's and the HTML report's tables), ``widths`` for some.

    Example:
        >>> from smstools_tui.report.reports import REPORTS
        >>> [spec.title for spec in report_columns(REPORTS["cost"], "price_per_delivered")]
        ['price per delivered']
    """
    widths = widths or {}
    specs = []
    for name in names:
        column = report.column(name)
        specs.append(
            ColumnSpec(
                name,
                column.title,
                kind=_KINDS.get(column.kind),
                width=widths.get(name),
                digits=column.digits,
            )
        )
    return tuple(specs)


def message_columns(
    fields: Mapping[str, Column], *names: str, widths: Mapping[str, int] | None = None
) -> tuple[ColumnSpec, ...]:
    """The message fields ``names`` as a tab shows them, with the titles of ``fields``
    (:data:`~smstools_tui.report.columns.SENT_FIELDS` or ``RECEIVED_FIELDS``).

    Example:
        >>> from smstools_tui.report.columns import SENT_FIELDS
        >>> [spec.title for spec in message_columns(SENT_FIELDS, "transactionId", "from")]
        ['campaign', 'sender']
    """
    widths = widths or {}
    return tuple(
        ColumnSpec(
            name,
            fields[name].title,
            kind=_KINDS.get(fields[name].kind),
            width=widths.get(name),
            digits=fields[name].digits if fields[name].kind != "money" else None,
        )
        for name in names
    )


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
        drill: ``drill(base) -> query``: the messages the figure counts, of the window and
            filters of ``base`` (``None``: a figure of your own that cannot say).
    """

    id: str
    label: str
    compute: Callable[[pd.DataFrame, pd.DataFrame], float | int | None] | None = None
    kind: FigureKind = "count"
    better: Literal["up", "down"] | None = None
    headline: str | None = None
    note: Callable[[Headline], str] | None = None
    alert: str | None = None
    drill: Callable[[Query], Query | None] | None = None

    def __post_init__(self) -> None:
        if (self.compute is None) == (self.headline is None):
            raise ValueError(f"figure {self.id!r} needs either compute or headline, not both")

    @classmethod
    def of(cls, figure: HeadlineFigure) -> Figure:
        """The tile of a headline figure of the report layer, with its drill-down.

        Example:
            >>> from smstools_tui.report.figures import HEADLINE_FIGURES
            >>> tile = Figure.of(HEADLINE_FIGURES[0])
            >>> tile.id, tile.label, tile.headline
            ('messages', 'Sent', 'messages')
        """
        return cls(
            figure.key,
            figure.label,
            kind=figure.kind,
            better=figure.better,
            headline=figure.key,
            note=figure.note,
            alert=figure.alert,
            drill=figure.drill,
        )


SENT_VIEW = TableSpec(
    id="sent",
    title="Sent",
    columns=message_columns(
        SENT_FIELDS,
        "insertDate",
        "to",
        "from",
        "status",
        "text",
        "transactionId",
        "price",
        "sentDate",
        "deliveryDate",
        "statusDetail",
        "id",
        widths={"to": 16, "from": 18, "text": 48, "transactionId": 20, "statusDetail": 20},
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
    columns=message_columns(
        RECEIVED_FIELDS, "receiveDate", "from", "text", "simId", widths={"text": 60}
    ),
    filters=(
        FilterSpec("number", "number", "from", "number"),
        FilterSpec("service", "service", "simId", "choice"),
    ),
    search_columns=("text", "from"),
    default_sort=SortOrder("receiveDate", descending=True),
    noun="messages",
)

ACCOUNT_SPEC = ColumnSpec("account", "account", width=16)
"""The account a message belongs to, first in the Sent and Received tables of several accounts."""


def message_views(accounts: bool = False) -> tuple[TableSpec, TableSpec]:
    """The Sent and Received tables; with ``accounts`` (several accounts loaded together,
    ``dashboard --all-accounts``) each starts with the ``account`` column.

    Example:
        >>> [spec.columns[0].name for spec in message_views(accounts=True)]
        ['account', 'account']
    """
    if not accounts:
        return SENT_VIEW, RECEIVED_VIEW
    return tuple(  # type: ignore[return-value]
        replace(view, columns=(ACCOUNT_SPEC, *(view.columns or ())))
        for view in (SENT_VIEW, RECEIVED_VIEW)
    )


# -- the analysis reports -------------------------------------------------------------------------


def opt_outs_flagged(sent: pd.DataFrame, received: pd.DataFrame) -> pd.DataFrame:
    """:func:`~smstools_tui.analysis.opt_out_report` with ``messaged_after``: whether the number
    was sent anything after it opted out (the rows the Opt-outs tab highlights).

    Example:
        >>> from smstools_tui.frames import sent_frame, received_frame
        >>> sent = sent_frame([{"id": i, "to": "393480000000", "insertDate": t, "sentDate": t,
        ...     "transactionId": "promo"}
        ...     for i, t in enumerate(["2026-11-02T10:00:00+0000", "2026-11-09T10:00:00+0000"])])
        >>> received = received_frame([{"from": "+393480000000", "text": "STOP",
        ...                             "receiveDate": "2026-11-02T11:00:00+0000"}])
        >>> opt_outs_flagged(sent, received)[["sent_after", "messaged_after"]].to_dict("list")
        {'sent_after': [1], 'messaged_after': [True]}
    """
    report = REPORTS["opt-outs"].run(sent, received)
    report["messaged_after"] = report["sent_after"].to_numpy() > 0
    return report


def _tab(
    name: str,
    tab_id: str,
    columns: str,
    zone: tzinfo | None,
    *,
    rules: ComplianceRules | None = None,
    widths: Mapping[str, int] | None = None,
    **presentation: Any,
) -> ReportTab:
    """The tab ``tab_id`` of the registry's report ``name``: ``columns`` (machine names, space
    separated, in the order shown) with the registry's titles, and its presentation."""
    report = REPORTS[name]
    presentation.setdefault("title", report.title)
    return ReportTab(
        id=tab_id,
        report=report,
        zone=zone,
        rules=rules,
        columns=report_columns(report, *columns.split(), widths=widths),
        **presentation,
    )


def campaigns_tab(zone: tzinfo | None = None, rules: ComplianceRules | None = None) -> ReportTab:
    """The Campaigns tab."""
    return _tab(
        "campaigns",
        "campaigns",
        "campaign first_send messages delivery_rate expected_rate expected_low expected_high "
        "pending spend replies reply_rate opt_outs median_delivery_seconds median_reply_seconds "
        "recipients last_send",
        zone,
        rules=rules,
        widths={"campaign": 30},
        filters=(FilterSpec("campaign", "campaign", "campaign", "contains"),),
        search_columns=("campaign",),
        default_sort=SortOrder("first_send", descending=True),
        noun="campaigns",
        description=(
            "One row per campaign (transactionId). Delivery rate: share of the messages with a "
            "final status; expected: the rate a campaign still settling will end with, from the "
            "account's history (95% interval); replies: within 72 h."
        ),
    )


def failing_tab(zone: tzinfo | None = None) -> ReportTab:
    """The Failing numbers tab."""
    return _tab(
        "failing-numbers",
        "failing",
        "number country failures last_failure last_status last_status_detail wasted_spend "
        "messages last_delivered first_failure",
        zone,
        widths={"last_status_detail": 30},
        filters=(
            FilterSpec("number", "number", "number", "number"),
            FilterSpec("country", "country", "country", "choice"),
        ),
        search_columns=("number", "last_status_detail"),
        default_sort=SortOrder("failures", descending=True),
        noun="numbers",
        numbers="number",
        description=(
            "Numbers with 2 or more failed messages since their last delivered one: candidates "
            "to remove from your lists."
        ),
    )


def compliance_tab(zone: tzinfo | None = None, rules: ComplianceRules | None = None) -> ReportTab:
    """The compliance list, under the Opt-outs tab."""
    return _tab(
        "compliance",
        "compliance",
        "insertDate to transactionId message_class status text opted_out_at opt_out_text from "
        "price id",
        zone,
        rules=rules,
        widths={"transactionId": 24, "text": 40, "opt_out_text": 24, "from": 18, "to": 16},
        filters=(FilterSpec("number", "number", "to", "number"),),
        search_columns=("to", "transactionId", "text", "opt_out_text"),
        default_sort=SortOrder("insertDate", descending=True),
        noun="messages",
        numbers="to",
        summary=lambda frame: (
            f"⚠ {len(frame):,} messages were sent to numbers after they had opted out "
            "(the compliance list): Enter opens one."
            if len(frame)
            else "✓ No message was sent to a number after it had opted out."
        ),
        alert=True,
        messages="sent",
    )


def opt_outs_tab(zone: tzinfo | None = None, rules: ComplianceRules | None = None) -> ReportTab:
    """The Opt-outs tab, the compliance list below it."""
    return _tab(
        "opt-outs",
        "opt-outs",
        "number opted_out_at text campaign opt_out_messages sent_after last_sent_after",
        zone,
        rules=rules,
        widths={"text": 36, "campaign": 24},
        filters=(FilterSpec("number", "number", "number", "number"),),
        search_columns=("number", "text", "campaign"),
        # The numbers that were messaged after opting out first: they are what needs acting on.
        default_sort=SortOrder("sent_after", descending=True),
        highlight="messaged_after",
        noun="numbers",
        numbers="number",
        compute=opt_outs_flagged,
        description=(
            "Numbers that sent an opt-out keyword (STOP, CANCELLA …). Highlighted: messaged "
            "again afterwards (listed below)."
        ),
        secondary=compliance_tab(zone, rules),
    )


_COST_GROUPS = ("month", "country", "sender", "encoding")
_ENCODING_GROUPS = ("campaign", "sender", "month")


def encoding_tab(zone: tzinfo | None = None) -> ReportTab:
    """What encoding and length cost, by campaign, sender or month: under the Costs tab."""
    report = REPORTS["encoding"]
    return _tab(
        "encoding",
        "encoding",
        " ".join(
            (
                *_ENCODING_GROUPS,
                "messages segments segments_per_message ucs2_share spend "
                "encoding_cost length_cost spend_as_suggested ucs2_messages",
            )
        ),
        zone,
        widths={"campaign": 24, "sender": 16},
        noun="rows",
        description=(
            "Parts billed. Cost of encoding: spend above the texts rewritten as GSM-7 (a "
            "message's detail shows how); of length: above one part each."
        ),
        variants=tuple(
            Variant(by, f"by {by}", _computed(report, by, zone)) for by in _ENCODING_GROUPS
        ),
    )


def costs_report(zone: tzinfo | None = None, *, accounts: bool = False) -> ReportTab:
    """The Costs tab: spend by month, by country, by sender or by encoding (and by account,
    with ``accounts``: several accounts loaded together); months are read in ``zone``
    (default: the machine's); what encoding and length cost below it."""
    report = REPORTS["cost"]
    groups = (*_COST_GROUPS, "account") if accounts else _COST_GROUPS
    return _tab(
        "cost",
        "costs",
        " ".join((*groups, *report.figure_names)),
        zone,
        widths={"sender": 20},
        title="Costs",
        noun="rows",
        variants=tuple(Variant(by, f"by {by}", _computed(report, by, zone)) for by in groups),
        secondary=encoding_tab(zone),
    )


def sender_ids_tab(zone: tzinfo | None = None) -> ReportTab:
    """Every alphanumeric sender used: under the Carriers tab."""
    return _tab(
        "sender-ids",
        "sender-ids",
        "sender messages delivery_rate first_send last_send",
        zone,
        widths={"sender": 20},
        filters=(FilterSpec("sender", "sender", "sender", "contains"),),
        search_columns=("sender",),
        default_sort=SortOrder("messages", descending=True),
        noun="senders",
    )


def carriers_tab(zone: tzinfo | None = None) -> ReportTab:
    """The Carriers tab: delivery, latency and cost by country and original carrier; the
    sender IDs below it."""
    return _tab(
        "carriers",
        "carriers",
        "country original_carrier messages delivery_rate median_delivery_seconds spend avg_price",
        zone,
        widths={"original_carrier": 28},
        filters=(FilterSpec("country", "country", "country", "choice"),),
        search_columns=("country", "original_carrier"),
        default_sort=SortOrder("messages", descending=True),
        noun="carriers",
        description=(
            "By the carrier each number was originally allocated to (numbers move between "
            "carriers). Under 20 messages: the count only."
        ),
        secondary=sender_ids_tab(zone),
    )


def quiet_hours_tab(zone: tzinfo | None = None, quiet_hours: QuietHours | None = None) -> ReportTab:
    """The marketing messages sent inside the customer's quiet hours: under Send times."""
    policy = quiet_hours if quiet_hours is not None and quiet_hours.enabled else None
    return _tab(
        "quiet-hours",
        "quiet-hours",
        "insertDate local_time quiet_reason to transactionId from status text id",
        zone,
        quiet_hours=policy,
        widths={"transactionId": 24, "text": 40, "to": 16, "quiet_reason": 18},
        filters=(FilterSpec("number", "number", "to", "number"),),
        search_columns=("to", "transactionId", "text"),
        default_sort=SortOrder("insertDate", descending=True),
        noun="messages",
        numbers="to",
        messages="sent",
        summary=lambda frame: (
            "Quiet hours are off: set [quiet_hours] in the config file to list the marketing "
            "messages sent inside them."
            if policy is None
            else f"⚠ {len(frame):,} marketing messages were sent in your quiet hours "
            f"({policy.describe()}): Enter opens one."
            if len(frame)
            else f"✓ No marketing message was sent in your quiet hours ({policy.describe()})."
        ),
        alert=policy is not None,
    )


def send_times_tab(
    zone: tzinfo | None = None,
    rules: ComplianceRules | None = None,
    quiet_hours: QuietHours | None = None,
) -> ReportTab:
    """The Send times tab: the weekday × hour heatmap and its table; the messages sent in quiet
    hours below it."""
    return _tab(
        "send-times",
        "send-times",
        "weekday hour messages delivery_rate median_delivery_seconds reply_rate",
        zone,
        rules=rules,
        filters=(FilterSpec("weekday", "weekday", "weekday", "choice"),),
        search_columns=("weekday",),
        noun="hours",
        heatmap=True,
        description=(
            "When to send: by weekday and hour of sending in the dashboard's time zone. Enter "
            "on a cell or a row opens its messages."
        ),
        secondary=quiet_hours_tab(zone, quiet_hours),
    )


def default_reports(
    zone: tzinfo | None = None,
    rules: ComplianceRules | None = None,
    quiet_hours: QuietHours | None = None,
    *,
    accounts: bool = False,
) -> tuple[ReportTab, ...]:
    """The report tabs after Overview, Sent and Received, over the report registry, with
    calendar groups read in ``zone`` (default: the machine's), opt-outs and message classes
    by ``rules`` (default: the defaults) and the customer's ``quiet_hours`` (default: off);
    with ``accounts`` (several accounts loaded together) Costs groups by account too."""
    return (
        campaigns_tab(zone, rules),
        costs_report(zone, accounts=accounts),
        failing_tab(zone),
        opt_outs_tab(zone, rules),
        carriers_tab(zone),
        send_times_tab(zone, rules, quiet_hours),
    )


DEFAULT_REPORTS: Sequence[ReportTab] = default_reports()
"""The report tabs in the machine's zone (:func:`default_reports` for another zone)."""


def find_tab(tab_id: str, tabs: Iterable[ReportTab] = DEFAULT_REPORTS) -> ReportTab:
    """The report tab (or the table below one) whose id is ``tab_id``.

    Raises:
        KeyError: no such tab.

    Example:
        >>> find_tab("compliance").report.name
        'compliance'
    """
    for tab in tabs:
        for candidate in (tab, tab.secondary):
            if candidate is not None and candidate.id == tab_id:
                return candidate
    raise KeyError(tab_id)


def tab_of_report(
    name: str, tabs: Iterable[ReportTab] = DEFAULT_REPORTS
) -> tuple[ReportTab, ReportTab] | None:
    """The tab showing the registry's report ``name`` and the table on it that does (the tab
    itself, or the table below it); ``None``: no tab shows it (its figures are the overview's).

    Example:
        >>> [spec.id for spec in tab_of_report("compliance")]
        ['opt-outs', 'compliance']
        >>> tab_of_report("delivery") is None
        True
    """
    for tab in tabs:
        for candidate in (tab, tab.secondary):
            report = candidate.report if candidate is not None else None
            if candidate is not None and report is not None and report.name == name:
                return tab, candidate
    return None


# -- the overview's figures -----------------------------------------------------------------------


DEFAULT_FIGURES: Sequence[Figure] = tuple(Figure.of(figure) for figure in HEADLINE_FIGURES)
"""The overview's eight headline figures (the HTML report's too: see
:data:`~smstools_tui.report.figures.HEADLINE_FIGURES`), all from one
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
