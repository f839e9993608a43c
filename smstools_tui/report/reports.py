"""The report registry: every named report once, for the command line, the dashboard and the
HTML report alike.

A :class:`Report` is one entry: its name (as typed after ``smstools-tui report``), its title and
description for people, the groupings it takes, whether it reads received messages, the function
that computes it, its columns (machine names, titles, kinds; see :mod:`.columns`) and its
:meth:`~Report.drill`: the query of the messages behind one of its rows. The surfaces add only
presentation: the command line its options, the dashboard its tabs (``tui.views.ReportTab``),
the HTML report its charts.

A report grouped by day, week or month and given the window it was read for (``span``) says which
of its rows the window covers only in part: a boolean ``partial`` column after the time column.
A total is never a row of the report (a CSV or Parquet file holds only the groups, each once):
:func:`report_total` computes it for the tables people read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Any

import pandas as pd

from .. import analysis
from ..analysis import (
    BY_CHOICES,
    DEFAULT_OPT_OUT_KEYWORDS,
    DEFAULT_REPLY_WINDOW,
    TIME_BUCKETS,
    ComplianceRules,
    QuietHours,
)
from ..errors import ConfigError
from ..frames import is_missing
from ..query import Query, Relation, Span, week_hour
from . import drill
from .columns import REPORT_COLUMNS, Column, columns, title_of

__all__ = [
    "REPORTS",
    "Report",
    "ReportOptions",
    "find_report",
    "report_total",
    "run_report",
]


@dataclass(frozen=True)
class ReportOptions:
    """What a report is computed with besides its messages.

    Attributes:
        by: the grouping (``None``: one row for the whole window).
        tz: the zone of days, weeks and months.
        window: how long after a message a reply still counts for it.
        keywords: the opt-out keywords, or all the compliance rules (opt-in keywords,
            strict or lenient matching, message classes: see
            :class:`~smstools_tui.analysis.ComplianceRules`).
        min_failures: failures since the last delivery that put a number on the failing list.
        quiet_hours: the customer's quiet-hours policy (``None``: off).
        now: when the messages were read, for the campaigns' expected rates (``None``: the
            newest time among the messages).
    """

    by: str | None = None
    tz: tzinfo | str | None = None
    window: Any = DEFAULT_REPLY_WINDOW
    keywords: tuple[str, ...] | ComplianceRules = DEFAULT_OPT_OUT_KEYWORDS
    min_failures: int = 2
    quiet_hours: QuietHours | None = None
    now: datetime | None = None


Compute = Callable[[pd.DataFrame, pd.DataFrame, ReportOptions], pd.DataFrame]
"""``(sent, received, options) -> frame``: one report's computation."""

Drill = Callable[[Mapping[str, Any], Query, "tzinfo | str | None", "str | None"], "Query | None"]
"""``(row, base, zone, column) -> query``: the messages behind a row (or one of its cells)."""


@dataclass(frozen=True)
class Report:
    """One entry of the registry.

    Attributes:
        name: as typed on the command line (``failing-numbers``).
        title: for people (page titles, tab titles).
        description: one line saying what the report is.
        compute: ``(sent, received, options) -> frame``.
        columns: every column its frame can have, in order (the group columns of every
            grouping among them): machine names, titles and kinds.
        groupings: the ``by`` it takes (empty: none).
        needs_received: whether it reads received messages too.
        total: ``total(frame) -> one row`` of the figures of all the groups together, for
            reports whose groups add up (``None``: no total row).
        drill_row: see :meth:`drill`.

    Example:
        >>> report = REPORTS["cost"]
        >>> report.title, report.groupable, report.column("price_per_delivered").title
        ('Cost', True, 'price per delivered')
    """

    name: str
    title: str
    description: str
    compute: Compute
    columns: tuple[Column, ...]
    drill_row: Drill
    groupings: tuple[str, ...] = ()
    needs_received: bool = False
    total: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    @property
    def groupable(self) -> bool:
        """Whether ``by`` applies."""
        return bool(self.groupings)

    @property
    def figure_names(self) -> tuple[str, ...]:
        """The machine names of its columns other than the groups (and ``partial``), in order.

        Example:
            >>> REPORTS["latency"].figure_names
            ('stage', 'messages', 'p50_seconds', 'p90_seconds', 'p99_seconds')
        """
        return tuple(column.name for column in self.columns if column.name not in _GROUPS)

    def column(self, name: str) -> Column:
        """The column ``name`` of this report (a column of another report, or of none, gets
        the registry's title).

        Example:
            >>> REPORTS["latency"].column("p90_seconds").title
            'p90'
        """
        for column in self.columns:
            if column.name == name:
                return column
        return REPORT_COLUMNS.get(name) or Column(name, title_of(name))

    def run(
        self,
        sent: pd.DataFrame,
        received: pd.DataFrame | None = None,
        options: ReportOptions | None = None,
        *,
        span: Span | None = None,
    ) -> pd.DataFrame:
        """This report of ``sent`` (and ``received``), rows the window ``span`` cuts marked
        partial (see :func:`run_report`)."""
        options = options or ReportOptions()
        if options.by is not None and options.by not in self.groupings:
            groupable = ", ".join(key for key, value in REPORTS.items() if value.groupable)
            raise ConfigError(f"--by applies to the {groupable} reports, not to {self.name}")
        zone = analysis.resolve_zone(options.tz)
        if zone is not options.tz:
            options = replace(options, tz=zone)
        frame = self.compute(sent, _received(received), options)
        if span is not None and options.by in TIME_BUCKETS:
            frame = analysis.time_buckets(span, options.by, tz=zone).mark(frame)
        return frame

    def drill(
        self,
        row: Mapping[str, Any],
        base: Query,
        *,
        zone: tzinfo | str | None = None,
        column: str | None = None,
    ) -> Query | None:
        """The messages behind ``row`` of this report's frame, as a narrower query of
        ``base`` (the query the report was computed on), which
        :func:`~smstools_tui.analysis.select` answers on the frames loaded for ``base``.

        ``row`` is a plain mapping of the row's machine names to values (a dashboard table's
        record, a frame's ``to_dict("records")``); ``zone`` is the zone the report's days,
        weeks and months were read in; ``column`` picks one cell where a row's figures count
        different messages (a campaign's ``replies`` are received messages). ``None``: no
        query tells the row's messages apart (see :mod:`.drill`).

        Example:
            >>> from datetime import UTC, datetime
            >>> base = Query.build("sent", window="2026-11", now=datetime(2026, 12, 1, tzinfo=UTC),
            ...                    zone="UTC")
            >>> REPORTS["campaigns"].drill({"campaign": "promo"}, base).describe("UTC")
            'sent messages, 2026-11-01 00:00 to 2026-12-01 00:00 UTC (2026-11); campaign promo'
            >>> [label for *_, label in
            ...  REPORTS["campaigns"].drill({"campaign": "promo"}, base, column="replies").chips()]
            ['replies to promo']
        """
        return self.drill_row(row, base, zone, column)


def _received(received: pd.DataFrame | None) -> pd.DataFrame:
    if received is None:
        from ..frames import RECEIVED_SCHEMA, empty_frame

        return empty_frame(RECEIVED_SCHEMA)
    return received


# -- the drill-downs of each report ---------------------------------------------------------------


def _drill_group(
    row: Mapping[str, Any], base: Query, zone: tzinfo | str | None, column: str | None
) -> Query | None:
    return drill.of_group(base, row, zone=zone)


_CAMPAIGN_REPLIES = ("replies", "repliers", "reply_rate", "median_reply_seconds",
                     "p90_reply_seconds")  # fmt: skip


def _drill_campaign(
    row: Mapping[str, Any], base: Query, zone: tzinfo | str | None, column: str | None
) -> Query | None:
    campaign = row.get("campaign")
    if column not in (*_CAMPAIGN_REPLIES, "opt_outs"):
        return drill.of_group(base, {"campaign": campaign}, zone=zone)
    if is_missing(campaign) or str(campaign) == analysis.NO_VALUE:
        return None
    if drill.within(drill.messages(base), campaigns=[str(campaign)]) is None:
        return None
    return drill.received(base, replies_to=[str(campaign)], opt_outs=column == "opt_outs")


def _drill_failing(
    row: Mapping[str, Any], base: Query, zone: tzinfo | str | None, column: str | None
) -> Query | None:
    return drill.of_number(drill.messages(base), row.get("number"))


def _drill_opt_out(
    row: Mapping[str, Any], base: Query, zone: tzinfo | str | None, column: str | None
) -> Query | None:
    if column in ("sent_after", "last_sent_after"):
        after = replace(drill.messages(base), relation=Relation(opt_outs=True))
        return drill.of_number(after, row.get("number"))
    return drill.of_number(drill.received(base, opt_outs=True), row.get("number"))


def _drill_message(
    row: Mapping[str, Any], base: Query, zone: tzinfo | str | None, column: str | None
) -> Query | None:
    identifier = row.get("id")
    if identifier is None or is_missing(identifier):
        return None
    return drill.messages(base).with_filters(ids=[int(identifier)])


# -- the registry ---------------------------------------------------------------------------------

_MESSAGE = ("id", "to", "from", "transactionId", "insertDate", "status")
"""The first columns of a report whose rows are messages (the compliance list, quiet hours)."""

_GROUPS = ("account", "day", "week", "month", "sender", "campaign", "country", "status",
           "encoding", "partial")  # fmt: skip


def _delivery(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.delivery_report(sent, o.by, tz=o.tz)


def _latency(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.latency_report(sent, o.by, tz=o.tz)


def _cost(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.cost_report(sent, o.by, tz=o.tz)


def _billing(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.billing_report(sent, tz=o.tz)


def _encoding(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.encoding_report(sent, o.by, tz=o.tz)


def _savings(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.text_savings(sent)


def _drill_text(
    row: Mapping[str, Any], base: Query, zone: tzinfo | str | None, column: str | None
) -> Query | None:
    text = row.get("text")
    if text is None or is_missing(text) or not str(text):
        return None
    # Any text containing the row's contains what the base's text filter asks for: narrower.
    narrowed = drill.within(drill.messages(base), encodings=["UCS-2"])
    return None if narrowed is None else narrowed.with_filters(text=str(text))


def _campaigns(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.campaign_report(sent, received, window=o.window, keywords=o.keywords, now=o.now)


def _failing(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.failing_numbers(sent, min_failures=o.min_failures)


def _opt_outs(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.opt_out_report(sent, received, window=o.window, keywords=o.keywords)


def _compliance(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.compliance_list(sent, received, keywords=o.keywords)


def _carriers(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.carrier_report(sent)


def _send_times(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.send_time_heatmap(sent, received, tz=o.tz, window=o.window)


def _sender_ids(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.sender_ids(sent)


def _quiet_hours(sent: pd.DataFrame, received: pd.DataFrame, o: ReportOptions) -> pd.DataFrame:
    return analysis.quiet_hour_messages(sent, o.quiet_hours)


def _drill_carrier(
    row: Mapping[str, Any], base: Query, zone: tzinfo | str | None, column: str | None
) -> Query | None:
    country, carrier = row.get("country"), row.get("original_carrier")
    if is_missing(country) or is_missing(carrier) or row.get("messages") == 0:
        return None
    return drill.within(drill.messages(base), countries=[str(country)], carriers=[str(carrier)])


def _drill_week_hour(
    row: Mapping[str, Any], base: Query, zone: tzinfo | str | None, column: str | None
) -> Query | None:
    weekday, hour = row.get("weekday"), row.get("hour")
    if is_missing(weekday) or is_missing(hour) or row.get("messages") == 0:
        return None
    return drill.within(drill.messages(base), hours=[week_hour(f"{weekday} {hour}", zone)])


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report(
            "delivery",
            "Delivery",
            "Delivered, failed and pending messages and the delivery rate (pending is shown "
            "apart, never counted as failed).",
            _delivery,
            columns(
                *_GROUPS,
                "messages",
                "delivered",
                "not_delivered",
                "not_sent",
                "pending",
                "delivery_rate",
                "pending_share",
            ),
            _drill_group,
            groupings=BY_CHOICES,
        ),
        Report(
            "latency",
            "Latency",
            "Time from acceptance to hand-over and from hand-over to delivery: p50, p90, p99.",
            _latency,
            columns(*_GROUPS, "stage", "messages", "p50_seconds", "p90_seconds", "p99_seconds"),
            _drill_group,
            groupings=BY_CHOICES,
        ),
        Report(
            "cost",
            "Cost",
            "Credit spent; wasted = spent on messages not delivered or not sent; pending = on "
            "messages still on their way.",
            _cost,
            columns(
                *_GROUPS,
                "messages",
                "delivered",
                "spend",
                "delivered_spend",
                "wasted_spend",
                "pending_spend",
                "avg_price",
                "price_per_delivered",
            ),
            _drill_group,
            groupings=BY_CHOICES,
            total=analysis.cost_total,
        ),
        Report(
            "billing",
            "Spend per account",
            "Messages, parts billed and credits per account and month: what to re-bill each "
            "customer (run it with --all-accounts).",
            _billing,
            columns("account", "month", "messages", "segments", "spend"),
            _drill_group,
            total=analysis.billing_total,
        ),
        Report(
            "encoding",
            "Encoding and segments",
            "Parts billed per message, the share of UCS-2 texts, and what encoding and length "
            "cost: spend minus the spend had the texts been written as suggested (GSM-7), and "
            "minus the spend in one part each.",
            _encoding,
            columns(
                *_GROUPS,
                "messages",
                "segments",
                "segments_per_message",
                "ucs2_messages",
                "ucs2_share",
                "spend",
                "spend_as_suggested",
                "encoding_cost",
                "spend_in_one_part",
                "length_cost",
            ),
            _drill_group,
            groupings=BY_CHOICES,
        ),
        Report(
            "text-savings",
            "Cheaper texts",
            "Texts a cheaper spelling would send as GSM-7 or in fewer parts: the edits, the "
            "characters they replace, and the parts and credits they would have saved.",
            _savings,
            columns(
                "text",
                "campaign",
                "messages",
                "encoding",
                "segments",
                "suggested_text",
                "suggested_encoding",
                "suggested_segments",
                "edits",
                "characters",
                "parts_saved",
                "credits_saved",
            ),
            _drill_text,
        ),
        Report(
            "campaigns",
            "Campaigns",
            "One row per campaign (transactionId): volume, delivery, cost, latency, replies and "
            "opt-outs. Delivered: share of the messages with a final status; expected: the rate "
            "a campaign still settling will end with, from the account's history (95% interval).",
            _campaigns,
            columns(
                "campaign",
                "first_send",
                "last_send",
                "messages",
                "delivered",
                "delivery_rate",
                "expected_rate",
                "expected_low",
                "expected_high",
                "pending",
                "spend",
                "median_delivery_seconds",
                "recipients",
                "replies",
                "repliers",
                "reply_rate",
                "median_reply_seconds",
                "p90_reply_seconds",
                "opt_outs",
            ),
            _drill_campaign,
            needs_received=True,
        ),
        Report(
            "carriers",
            "Carriers",
            "Delivery rate, latency and cost by country and original carrier (the carrier the "
            "number range was allocated to: a number may have moved since). Groups of fewer "
            f"than {analysis.DEFAULT_MIN_VOLUME} messages show their count only.",
            _carriers,
            columns(
                "country",
                "original_carrier",
                "messages",
                "delivery_rate",
                "median_delivery_seconds",
                "spend",
                "avg_price",
                "masked",
            ),
            _drill_carrier,
        ),
        Report(
            "send-times",
            "Send times",
            "Messages, delivery rate, median latency and reply rate by weekday and hour of "
            "sending, in the report's time zone: when to send.",
            _send_times,
            columns(
                "weekday",
                "hour",
                "messages",
                "delivery_rate",
                "median_delivery_seconds",
                "reply_rate",
            ),
            _drill_week_hour,
            needs_received=True,
        ),
        Report(
            "sender-ids",
            "Sender IDs",
            "Every alphanumeric sender used, with its volume, delivery rate and first and last "
            "use.",
            _sender_ids,
            columns("sender", "messages", "delivery_rate", "first_send", "last_send"),
            _drill_group,
        ),
        Report(
            "quiet-hours",
            "Sent in quiet hours",
            "Marketing messages sent inside the quiet hours of the customer's own policy (the "
            "config file's [quiet_hours]; off unless enabled): a policy, not a legal rule.",
            _quiet_hours,
            columns(*_MESSAGE, "text", "local_time", "quiet_reason"),
            _drill_message,
        ),
        Report(
            "failing-numbers",
            "Failing numbers",
            "Numbers with two or more failed messages (not delivered or not sent) since their "
            "last delivered one: candidates to remove from your lists.",
            _failing,
            columns(
                "number",
                "country",
                "failures",
                "first_failure",
                "last_failure",
                "last_delivered",
                "messages",
                "wasted_spend",
                "last_status",
                "last_status_detail",
            ),
            _drill_failing,
        ),
        Report(
            "opt-outs",
            "Opt-outs",
            "Numbers that sent an opt-out keyword (STOP, CANCELLA …), when, and how many "
            "messages they got afterwards.",
            _opt_outs,
            columns(
                "number",
                "opted_out_at",
                "text",
                "campaign",
                "opt_out_messages",
                "opted_back_in",
                "sent_after",
                "last_sent_after",
                "messaged_after",
            ),
            _drill_opt_out,
            needs_received=True,
        ),
        Report(
            "compliance",
            "Sent after opt-out",
            "Marketing messages sent to a number while it was opted out (the compliance list).",
            _compliance,
            columns(*_MESSAGE, "price", "text", "message_class", "opted_out_at", "opt_out_text"),
            _drill_message,
            needs_received=True,
        ),
    )
}
"""Every named report, in the order the help lists them."""


def find_report(name: str) -> Report:
    """The report ``name``.

    Raises:
        ConfigError: no report has that name.

    Example:
        >>> find_report("failing-numbers").title
        'Failing numbers'
    """
    report = REPORTS.get(name)
    if report is None:
        raise ConfigError(f"unknown report {name!r}: use one of {', '.join(REPORTS)}")
    return report


def run_report(
    name: str,
    sent: pd.DataFrame,
    received: pd.DataFrame | None = None,
    *,
    by: str | None = None,
    tz: str | tzinfo | None = None,
    window: Any = DEFAULT_REPLY_WINDOW,
    keywords: Iterable[str] | ComplianceRules = DEFAULT_OPT_OUT_KEYWORDS,
    min_failures: int = 2,
    span: Span | None = None,
    quiet_hours: QuietHours | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """Run the report ``name`` (a key of :data:`REPORTS`).

    ``span`` is the window the messages were read for: with it, a report by ``day``, ``week``
    or ``month`` marks the rows the window covers only in part (see
    :func:`~smstools_tui.analysis.time_buckets`). ``now`` is when they were read (the
    campaigns' expected rates count the messages' ages to it).

    Raises :class:`~smstools_tui.errors.ConfigError` for an unknown report, or a ``by`` given
    to a report that is not grouped.

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "status": "DELIVERED",
        ...                     "insertDate": "2026-11-20T10:00:00+0000"}])
        >>> run_report("delivery", sent)["messages"].tolist()
        [1]
        >>> from smstools_tui.query import Span
        >>> november = Span(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
        >>> run_report("delivery", sent, by="month", tz="UTC", span=november)[["month", "partial"]]
             month  partial
        0  2026-11     True
    """
    report = find_report(name)
    zone = analysis.resolve_zone(tz)
    rules = keywords if isinstance(keywords, ComplianceRules) else tuple(keywords)
    options = ReportOptions(by, zone, window, rules, min_failures, quiet_hours, now)
    return report.run(sent, received, options, span=span)


def report_total(name: str, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The total row of the report ``name``'s ``frame`` (see :attr:`Report.total`), or
    ``None`` when its groups do not add up.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "from": s, "price": 0.1} for i, s in enumerate("ABA")])
        >>> report_total("cost", run_report("cost", sent, by="sender"))["spend"].tolist()
        [0.3]
        >>> report_total("delivery", run_report("delivery", sent, by="sender")) is None
        True
    """
    report = find_report(name)
    return report.total(frame) if report.total is not None else None
