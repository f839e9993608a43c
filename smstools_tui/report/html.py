"""The one-file HTML report: every analysis with its charts, readable offline.

The page embeds plotly.js once, inline, and loads nothing from the network (a Content
Security Policy in the page says so to the browser too). Every text that came from the gateway
is escaped; see :mod:`smstools_tui.report.tables`.

Charts over time use the buckets :func:`~smstools_tui.analysis.time_buckets` picks for the
window (the dashboard's rule), and draw the days, weeks or months the window cuts apart.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from .. import analysis
from .._version import __version__
from ..analysis import DEFAULT_OPT_OUT_KEYWORDS, DEFAULT_REPLY_WINDOW, ComplianceRules, TimeBuckets
from ..analysis.replies import as_window
from ..query import Span
from . import charts
from .export import write_file
from .figures import HEADLINE_FIGURES, REPLY_WINDOW_HOURS, format_figure
from .reports import REPORTS, ReportOptions
from .tables import CONTENT_SECURITY_POLICY, PAGE_STYLE, html_table, partial_note

__all__ = ["SECTIONS", "ReportData", "build_report_data", "render_report", "write_report"]

SECTIONS: dict[str, str] = {
    "headline": "Headline figures",
    "delivery-rate": "Delivery rate over time",
    "spend": "Spend over time by country",
    "encoding": REPORTS["encoding"].title,
    "latency": REPORTS["latency"].title,
    "funnel": "Status funnel",
    "campaigns": REPORTS["campaigns"].title,
    "replies": "Replies",
    "carriers": REPORTS["carriers"].title,
    "send-times": REPORTS["send-times"].title,
    "failing-numbers": REPORTS["failing-numbers"].title,
    "opt-outs": REPORTS["opt-outs"].title,
    "compliance": REPORTS["compliance"].title,
}
"""The report's sections: their HTML ids and titles, in order (a section showing a report of
the registry, :data:`~smstools_tui.report.reports.REPORTS`, has its name and title)."""


@dataclass
class ReportData:
    """Everything the report shows, computed once (useful on its own in a notebook).

    ``delivery`` and ``spend`` (by country) and ``spend_total`` (one row per bucket) are grouped
    by the chart bucket of ``buckets``, and marked partial where the window cuts a bucket;
    ``spend_sum`` is their total row.
    """

    headline: dict[str, float]
    buckets: TimeBuckets
    delivery: pd.DataFrame
    spend: pd.DataFrame
    spend_total: pd.DataFrame
    spend_sum: pd.DataFrame
    latency: pd.DataFrame
    histogram: pd.DataFrame
    status: pd.DataFrame
    funnel: pd.DataFrame
    campaigns: pd.DataFrame
    encoding: pd.DataFrame
    encoding_by_campaign: pd.DataFrame
    savings: pd.DataFrame
    failing: pd.DataFrame
    opt_outs: pd.DataFrame
    compliance: pd.DataFrame
    zone: tzinfo
    carriers: pd.DataFrame = field(default_factory=pd.DataFrame)
    send_times: pd.DataFrame = field(default_factory=pd.DataFrame)
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    previous: dict[str, float] | None = None
    span: Span | None = None
    reply_window: pd.Timedelta = field(default_factory=lambda: as_window(DEFAULT_REPLY_WINDOW))
    """How long after a message a reply counted."""

    @property
    def time_bucket(self) -> str:
        """``day``, ``week`` or ``month``: the bars of the charts over time."""
        return self.buckets.by


def _buckets(
    span: Span | None, first: pd.Timestamp | None, last: pd.Timestamp | None, zone: tzinfo
) -> TimeBuckets:
    """The window's buckets; without a window, those of the messages' first and last moments,
    none marked partial: whether a window cut them cannot be told."""
    if span is not None:
        return analysis.time_buckets(span, tz=zone)
    if first is None or last is None:
        return TimeBuckets("day", (), (), zone)
    around = Span.covering(first.to_pydatetime(), last.to_pydatetime() + timedelta(seconds=1))
    buckets = analysis.time_buckets(around, tz=zone)
    return replace(buckets, partial=(False,) * len(buckets.labels))


def build_report_data(
    sent: pd.DataFrame,
    received: pd.DataFrame | None = None,
    *,
    tz: str | tzinfo | None = None,
    window: Any = DEFAULT_REPLY_WINDOW,
    keywords: Iterable[str] | ComplianceRules = DEFAULT_OPT_OUT_KEYWORDS,
    previous: Mapping[str, float] | None = None,
    span: Span | None = None,
) -> ReportData:
    """Run every analysis the report needs.

    Args:
        sent, received: the frames of the report's window.
        tz: the zone of calendar groups and of the times shown (default: local).
        window: how long after a message a reply counts (default 72 hours).
        keywords: the opt-out keywords.
        previous: :func:`~smstools_tui.analysis.headline_figures` of the window before, to
            show the change.
        span: the window the messages were read for: it picks the charts' day, week or month
            and which of them are partial (default: the messages' own first and last times,
            and none is marked partial).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> data = build_report_data(sent_frame([{"id": 1, "status": "DELIVERED"}]), tz="UTC")
        >>> data.headline["messages"], data.time_bucket
        (1, 'day')
    """
    zone = analysis.resolve_zone(tz)
    if received is None:
        from ..frames import RECEIVED_SCHEMA, empty_frame

        received = empty_frame(RECEIVED_SCHEMA)
    inserted = sent["insertDate"].dropna()
    first = inserted.min() if len(inserted) else None
    last = inserted.max() if len(inserted) else None
    buckets = _buckets(span, first, last, zone)
    by = buckets.by
    keywords = ComplianceRules.of(keywords)
    options = ReportOptions(tz=zone, window=window, keywords=keywords)

    def run(name: str) -> pd.DataFrame:
        return REPORTS[name].run(sent, received, options)

    spend_total = buckets.mark(analysis.cost_report(sent, by, tz=zone))
    return ReportData(
        headline=analysis.headline_figures(sent, received, window=window, keywords=keywords),
        buckets=buckets,
        delivery=buckets.mark(analysis.delivery_report(sent, by, tz=zone)),
        spend=buckets.mark(analysis.cost_report(sent, [by, "country"], tz=zone)),
        spend_total=spend_total,
        spend_sum=analysis.cost_total(spend_total),
        latency=run("latency"),
        histogram=analysis.latency_histogram(sent),
        status=analysis.status_counts(sent),
        funnel=analysis.status_funnel(sent),
        campaigns=run("campaigns"),
        encoding=buckets.mark(analysis.encoding_report(sent, by, tz=zone)),
        encoding_by_campaign=analysis.encoding_report(sent, "campaign", tz=zone),
        savings=run("text-savings"),
        failing=run("failing-numbers"),
        opt_outs=run("opt-outs"),
        compliance=run("compliance"),
        zone=zone,
        carriers=run("carriers"),
        send_times=run("send-times"),
        reply_window=as_window(window),
        first=first,
        last=last,
        previous=dict(previous) if previous is not None else None,
        span=span,
    )


def render_report(
    data: ReportData,
    *,
    title: str = "SMS report",
    source: str = "",
    generated: datetime | None = None,
    max_rows: int = 200,
) -> str:
    """The complete HTML page for ``data``.

    Args:
        data: from :func:`build_report_data`.
        title: the page title (escaped).
        source: who the data belongs to, for the subtitle (escaped).
        generated: when the report was made (default: now).
        max_rows: the longest tables show this many rows, and say how many there are.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> page = render_report(build_report_data(sent_frame([{"id": 1}]), tz="UTC"))
        >>> page.startswith("<!doctype html>"), '<section id="compliance">' in page
        (True, True)
    """
    from plotly.offline import get_plotlyjs

    zone = data.zone
    generated = generated or datetime.now(UTC)
    period = ""
    if data.first is not None and data.last is not None:
        period = (
            f"messages from {data.first.tz_convert(zone):%Y-%m-%d %H:%M} to "
            f"{data.last.tz_convert(zone):%Y-%m-%d %H:%M}"
        )
    searched = ""
    if data.span is not None:
        searched = (
            f"window {data.span.start.astimezone(zone):%Y-%m-%d %H:%M} to "
            f"{data.span.end.astimezone(zone):%Y-%m-%d %H:%M}"
        )
    meta = " · ".join(
        part
        for part in (
            source,
            searched,
            period,
            f"times in {zone}",
            f"generated {generated.astimezone(zone):%Y-%m-%d %H:%M} by smstools-tui {__version__}",
        )
        if part
    )
    sections = [
        _section("headline", _cards(data.headline, data.previous, data.reply_window)),
        _section(
            "delivery-rate",
            _figure(
                charts.delivery_rate_chart(
                    data.delivery, title=f"Delivery rate per {data.time_bucket}"
                )
            )
            + _note(
                "Delivery rate = delivered ÷ (delivered + not delivered + not sent). "
                "Messages still pending are not counted as failed."
            )
            + _note(partial_note(data.delivery)),
        ),
        _section(
            "spend",
            _figure(
                charts.spend_by_country_chart(
                    data.spend, title=f"Spend per {data.time_bucket} by country"
                )
            )
            + html_table(data.spend_total, tz=zone, total=data.spend_sum),
        ),
        _section(
            "encoding",
            _figure(
                charts.encoding_cost_chart(
                    data.encoding, title=f"What encoding and length cost per {data.time_bucket}"
                )
            )
            + _note(
                "The gateway bills per part: 160 GSM-7 characters in one SMS (153 per part of a "
                "longer one), but only 70 (67) once a single character is outside the GSM-7 "
                "alphabet. Characters outside GSM-7: the spend minus the spend had the texts "
                "been written as suggested below; length: the rest above one part each."
            )
            + html_table(data.encoding_by_campaign, tz=zone, max_rows=max_rows)
            + f"<h3>{_e(REPORTS['text-savings'].title)}</h3>"
            + _note(REPORTS["text-savings"].description)
            + html_table(data.savings, tz=zone, max_rows=max_rows),
        ),
        _section(
            "latency",
            _figure(charts.latency_chart(data.histogram)) + html_table(data.latency, tz=zone),
        ),
        _section(
            "funnel",
            _figure(charts.status_funnel_chart(data.funnel)) + html_table(data.status, tz=zone),
        ),
        _section(
            "campaigns",
            (_figure(charts.top_campaigns_chart(data.campaigns)) if len(data.campaigns) else "")
            + html_table(
                data.campaigns.sort_values("first_send", ascending=False, kind="stable"),
                tz=zone,
                max_rows=max_rows,
            ),
        ),
        _section(
            "replies",
            (_figure(charts.reply_chart(data.campaigns)) if len(data.campaigns) else "")
            + _note(
                "A reply answers the latest message sent to the same number before it arrived, "
                "when it arrives within the reply window."
            ),
        ),
        _section(
            "carriers",
            (_figure(charts.carrier_chart(data.carriers)) if len(data.carriers) else "")
            + _note(REPORTS["carriers"].description)
            + html_table(data.carriers, tz=zone, max_rows=max_rows),
        ),
        _section(
            "send-times",
            (_figure(charts.send_times_chart(data.send_times)) if len(data.send_times) else "")
            + _note(f"{REPORTS['send-times'].description} Times in {zone}."),
        ),
        _section(
            "failing-numbers",
            _note(REPORTS["failing-numbers"].description)
            + html_table(data.failing, tz=zone, max_rows=max_rows),
        ),
        _section(
            "opt-outs",
            (
                _figure(charts.opt_outs_chart(data.opt_outs, by=data.buckets))
                if len(data.opt_outs)
                else ""
            )
            + html_table(data.opt_outs, tz=zone, max_rows=max_rows),
        ),
        _section(
            "compliance",
            _note(REPORTS["compliance"].description)
            + html_table(data.compliance, tz=zone, max_rows=max_rows),
        ),
    ]
    toc = "".join(f'<li><a href="#{key}">{_e(name)}</a></li>' for key, name in SECTIONS.items())
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{PAGE_STYLE}</style>\n"
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
        "</head>\n<body>\n"
        f'<header><h1>{_e(title)}</h1><p class="meta">{_e(meta)}</p></header>\n'
        f"<nav><ul>{toc}</ul></nav>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def write_report(path: str | Path, page: str) -> Path:
    """Write the page atomically (a reader never sees half a report).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "report.html"
        >>> write_report(target, "<!doctype html>").read_text()
        '<!doctype html>'
    """
    target = Path(path)
    write_file(target, lambda temporary: temporary.write_text(page, encoding="utf-8"))
    return target


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _section(key: str, body: str) -> str:
    return f'<section id="{key}">\n<h2>{_e(SECTIONS[key])}</h2>\n{body}\n</section>'


def _note(text: str) -> str:
    return f'<p class="note">{_e(text)}</p>' if text else ""


def _figure(figure: Any) -> str:
    return str(
        figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            config={"displaylogo": False, "responsive": True},
        )
    )


def _cards(
    figures: Mapping[str, float],
    previous: Mapping[str, float] | None,
    reply_window: pd.Timedelta,
) -> str:
    """The headline figures as cards: the dashboard's tiles (see
    :data:`~smstools_tui.report.figures.HEADLINE_FIGURES`), their notes and changes."""
    changes = (
        analysis.compare_headlines(figures, previous).set_index("figure")
        if previous is not None
        else None
    )
    # The notes read the figures, and how long a reply counted (the report's own rule).
    noted = {**figures, REPLY_WINDOW_HOURS: reply_window / pd.Timedelta(hours=1)}
    cards = []
    for figure in HEADLINE_FIGURES:
        if figure.key not in figures:
            continue
        change = ""
        if changes is not None and figure.key in changes.index:
            row = changes.loc[figure.key]
            if not math.isnan(row["change_ratio"]):
                change = (
                    f'<div class="change">{row["change_ratio"]:+.1%} on the window before</div>'
                )
        note = figure.note(noted) if figure.note is not None else ""
        cards.append(
            f'<div class="card" data-figure="{_e(figure.key)}">'
            f'<div class="label">{_e(figure.label)}</div>'
            f'<div class="value">{_e(format_figure(figures[figure.key], figure.kind))}</div>'
            f'<div class="note">{_e(note)}</div>{change}</div>'
        )
    return f'<div class="cards">{"".join(cards)}</div>'
