"""Plotly figures of the analysis frames, for the HTML report and for notebooks.

Each builder takes the frame an analysis function returns and gives a ``plotly`` figure::

    from smstools_tui.analysis import delivery_report
    from smstools_tui.report.charts import delivery_rate_chart

    delivery_rate_chart(delivery_report(sent, by="week", tz="Europe/Rome")).show()

Plotly reads a little HTML in labels (``<b>``, ``<a href>``), so every label that came from the
gateway (campaign ids, sender names, numbers) is escaped before it is handed to a figure.

Charts over time show the days, weeks or months the window covers only in part as hatched,
lighter bars (and open markers), with a line saying so, when the frame carries the ``partial``
column of :meth:`~smstools_tui.analysis.TimeBuckets.mark`. Rates are drawn on an axis from 0.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any

import numpy as np
import pandas as pd
import plotly.colors
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..analysis import TIME_BUCKETS, TimeBuckets, group_key
from .columns import value_title
from .tables import format_duration, printable

__all__ = [
    "carrier_chart",
    "delivery_rate_chart",
    "encoding_cost_chart",
    "latency_chart",
    "opt_outs_chart",
    "ranked_chart",
    "reply_chart",
    "safe_label",
    "send_times_chart",
    "spend_by_country_chart",
    "status_funnel_chart",
    "top_campaigns_chart",
]

_LAYOUT = {
    "template": "plotly_white",
    "height": 400,
    "margin": {"l": 60, "r": 30, "t": 60, "b": 60},
    "legend": {"orientation": "h", "y": -0.2},
}
_COLOURS = {
    "delivered": "#2f9e44",
    "failed": "#e03131",
    "pending": "#f59f00",
    "volume": "#a5d8ff",
    "line": "#1864ab",
}


def safe_label(value: object) -> str:
    """A label plotly shows as plain text: invisible characters made visible, HTML escaped.

    Example:
        >>> safe_label("<b>promo</b>")
        '&lt;b&gt;promo&lt;/b&gt;'
    """
    return html.escape(printable(str(value), limit=60), quote=True)


def _labels(values: pd.Series) -> list[str]:
    return [safe_label(value) for value in values.astype("object").where(values.notna(), "–")]


def _time_column(frame: pd.DataFrame) -> str:
    for name in frame.columns:
        if name in TIME_BUCKETS:
            return str(name)
    raise ValueError(f"the frame has no {'/'.join(TIME_BUCKETS)} column")


PARTIAL_OPACITY = 0.45
"""How strongly a partial bucket's bar is drawn (a whole one: 1)."""
_RATE_AXIS = [0, 1.05]  # from 0, with room for a marker at 100%


def _partial_labels(frame: pd.DataFrame, when: str) -> dict[str, bool]:
    """Per time label, whether any row of it is marked partial (no column: none is)."""
    if "partial" not in frame.columns:
        return {}
    marked = frame.groupby(frame[when].astype("str"), sort=False)["partial"].any()
    return {str(label): bool(cut) for label, cut in marked.items()}


_PER_POINT = ("x", "y", "customdata", "text", "hovertext")
_COLORWAY = plotly.colors.qualitative.Plotly


def _points(trace: Any, keep: Sequence[bool]) -> dict[str, list[Any]]:
    """The per-point values of ``trace`` at the points ``keep`` selects."""
    chosen: dict[str, list[Any]] = {}
    for name in _PER_POINT:
        values = trace[name]
        if values is not None and not isinstance(values, str):
            chosen[name] = [value for value, kept in zip(values, keep, strict=True) if kept]
    return chosen


def _show_partial(figure: go.Figure, partial: Mapping[str, bool], bucket: str) -> None:
    """Draw the points of partial buckets apart: hatched, lighter bars and open markers, and a
    line above the plot that says what they mean.

    Each series keeps its whole buckets, and its partial ones go to a companion series without
    a legend entry (so the legend shows the series as they are, and a click on it hides both).
    """
    if not any(partial.values()):
        return
    grouped = figure.layout.barmode in (None, "group")
    colours = figure.layout.template.layout.colorway or _COLORWAY
    drawn = False
    for index, trace in enumerate(list(figure.data)):
        cut = [partial.get(str(label), False) for label in trace.x]
        if not any(cut) or trace.type not in ("bar", "scatter"):
            continue
        drawn = True
        group = trace.legendgroup or trace.name or f"series {index}"
        if trace.type == "bar":
            # A companion would take the next colour of the cycle: pin the series' own.
            if trace.marker.color is None:
                trace.marker.color = colours[index % len(colours)]
            apart = go.Bar(trace)
            apart.update(
                _points(trace, cut), showlegend=False, legendgroup=group,
                marker={"pattern": {"shape": "/", "solidity": 0.3}, "opacity": PARTIAL_OPACITY},
            )  # fmt: skip
            if grouped:  # the two halves of one series share its slot
                apart.offsetgroup = trace.offsetgroup = group
        else:
            apart = go.Scatter(
                _points(trace, cut), mode="markers", showlegend=False, legendgroup=group,
                xaxis=trace.xaxis, yaxis=trace.yaxis, hoverinfo="skip",
                marker={"color": "white", "size": 8,
                        "line": {"color": trace.line.color, "width": 2}},
            )  # fmt: skip
        if trace.type == "bar":
            trace.update(_points(trace, [not c for c in cut]))
        trace.legendgroup = group
        figure.add_trace(apart)
    if not drawn:
        return
    figure.add_annotation(
        text=f"hatched: partial {bucket} (the window covers only part of it)",
        xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom",
        showarrow=False, font={"size": 11, "color": "#52606d"},
    )  # fmt: skip


def delivery_rate_chart(delivery: pd.DataFrame, *, title: str = "Delivery rate") -> go.Figure:
    """Delivery rate (line, on an axis from 0) and messages (bars) over time.

    Args:
        delivery: :func:`~smstools_tui.analysis.delivery_report` by ``day``, ``week`` or
            ``month``; marked with :meth:`~smstools_tui.analysis.TimeBuckets.mark`, its partial
            buckets are drawn apart.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> from smstools_tui.analysis import delivery_report
        >>> sent = sent_frame([{"id": 1, "status": "DELIVERED",
        ...                     "insertDate": "2026-11-02T10:00:00+0000"}])
        >>> figure = delivery_rate_chart(delivery_report(sent, "day", tz="UTC"))
        >>> [trace.name for trace in figure.data]
        ['messages', 'delivery rate']
    """
    when = _time_column(delivery)
    x = delivery[when].astype("str").tolist()
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Bar(x=x, y=delivery["messages"], name="messages", marker_color=_COLOURS["volume"]),
        secondary_y=True,
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=delivery["delivery_rate"],
            name="delivery rate",
            mode="lines+markers",
            line={"color": _COLOURS["line"]},
            customdata=np.stack([delivery["pending"], delivery["messages"]], axis=-1),
            hovertemplate="%{x}<br>delivery rate %{y:.1%}<br>pending %{customdata[0]:,} of "
            "%{customdata[1]:,}<extra></extra>",
        ),
        secondary_y=False,
    )
    figure.update_layout(title=title, **_LAYOUT)
    figure.update_yaxes(
        title_text="delivery rate", tickformat=".0%", range=_RATE_AXIS, secondary_y=False
    )
    figure.update_yaxes(title_text="messages", secondary_y=True, showgrid=False, rangemode="tozero")
    figure.update_xaxes(title_text=when)
    _show_partial(figure, _partial_labels(delivery, when), when)
    return figure


def ranked_chart(
    frame: pd.DataFrame,
    label: str,
    value: str,
    *,
    top: int = 15,
    percent: bool = False,
    title: str | None = None,
) -> go.Figure:
    """Horizontal bars of one figure per group, largest first: delivery rate per country,
    spend per campaign, failing numbers per country…

    Args:
        frame: one row per group, such as a report grouped by ``country`` or ``campaign``.
        label: the column naming the group.
        value: the column to rank and draw.
        top: how many groups to show.
        percent: format the values as percentages (for rates).

    Example:
        >>> rates = pd.DataFrame({"country": ["IT", "CH"], "delivery_rate": [0.94, 0.91]})
        >>> figure = ranked_chart(rates, "country", "delivery_rate", percent=True)
        >>> list(figure.data[0].y), figure.layout.xaxis.tickformat
        (['CH', 'IT'], '.0%')
    """
    ranked = frame.dropna(subset=[value]).nlargest(top, value, keep="first").iloc[::-1]
    names = _labels(ranked[label])
    number_format = ".1%" if percent else ",.2f"
    figure = go.Figure(
        go.Bar(
            y=names,
            x=ranked[value].tolist(),
            orientation="h",
            marker_color=_COLOURS["line"],
            hovertemplate=f"%{{y}}: %{{x:{number_format}}}<extra></extra>",
        )
    )
    figure.update_layout(
        title=title or f"{value.replace('_', ' ')} by {label}",
        **{**_LAYOUT, "height": max(320, 28 * len(ranked) + 140)},
    )
    figure.update_xaxes(title_text=value.replace("_", " "), tickformat=".0%" if percent else None)
    figure.update_yaxes(type="category", automargin=True)
    return figure


def spend_by_country_chart(
    cost: pd.DataFrame, *, top: int = 8, title: str = "Spend per month by country"
) -> go.Figure:
    """Stacked spend per month (or day, or week), one colour per country; countries beyond
    ``top`` are summed as ``other``.

    Args:
        cost: :func:`~smstools_tui.analysis.cost_report` by ``["month", "country"]`` (or any
            time bucket with ``country``); marked partial buckets are drawn apart.

    Example:
        >>> cost = pd.DataFrame({"month": ["2026-10", "2026-11"], "country": ["IT", "CH"],
        ...                      "spend": [10.0, 2.5]})
        >>> [trace.name for trace in spend_by_country_chart(cost).data]
        ['IT', 'CH']
    """
    when = _time_column(cost)
    country = cost["country"].astype("object")
    totals = cost.groupby(country, sort=False)["spend"].sum().sort_values(ascending=False)
    kept = list(totals.index[:top])
    lumped = country.where(country.isin(kept), "other")
    table = cost.assign(country=lumped).pivot_table(
        index=cost[when].astype("str"), columns="country", values="spend", aggfunc="sum",
        fill_value=0.0, sort=True,
    )  # fmt: skip
    figure = go.Figure()
    for name in [*kept, *(["other"] if "other" in table.columns else [])]:
        figure.add_trace(
            go.Bar(
                x=table.index.tolist(),
                y=table[name],
                name=safe_label(name),
                hovertemplate="%{x}: %{y:,.2f}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(title=title, barmode="stack", **_LAYOUT)
    figure.update_yaxes(title_text="credits")
    # In time order, whichever series draws a bucket first.
    figure.update_xaxes(
        title_text=when, type="category", categoryorder="array", categoryarray=table.index.tolist()
    )
    _show_partial(figure, _partial_labels(cost, when), when)
    return figure


def encoding_cost_chart(
    encoding: pd.DataFrame, *, title: str = "What encoding and length cost"
) -> go.Figure:
    """Spend per month (or day, or week) split into what the texts needed in one part, what
    their length added, and what characters outside GSM-7 added.

    Args:
        encoding: :func:`~smstools_tui.analysis.encoding_report` by a time bucket; marked
            partial buckets are drawn apart.

    Example:
        >>> encoding = pd.DataFrame({"month": ["2026-11"], "spend": [10.0],
        ...     "spend_as_suggested": [6.0], "spend_in_one_part": [5.0]})
        >>> [(trace.name, trace.y.tolist()) for trace in encoding_cost_chart(encoding).data]
        [('in one part', [5.0]), ('length', [1.0]), ('characters outside GSM-7', [4.0])]
    """
    when = _time_column(encoding)
    labels = encoding[when].astype("str").tolist()
    one_part = encoding["spend_in_one_part"]
    # As suggested is never more than paid, and one part never more than as suggested.
    layers = (
        ("in one part", one_part),
        ("length", (encoding["spend_as_suggested"] - one_part).clip(lower=0)),
        ("characters outside GSM-7", encoding["spend"] - encoding["spend_as_suggested"]),
    )
    figure = go.Figure()
    for name, values in layers:
        figure.add_trace(
            go.Bar(
                x=labels,
                y=values.round(6),
                name=name,
                hovertemplate="%{x}: %{y:,.2f}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(title=title, barmode="stack", **_LAYOUT)
    figure.update_yaxes(title_text="credits")
    figure.update_xaxes(title_text=when, type="category", categoryorder="array",
                        categoryarray=labels)  # fmt: skip
    _show_partial(figure, _partial_labels(encoding, when), when)
    return figure


def latency_chart(histogram: pd.DataFrame, *, title: str = "Latency distribution") -> go.Figure:
    """Messages per latency bin, one bar series per stage.

    Args:
        histogram: :func:`~smstools_tui.analysis.latency_histogram` without grouping.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> from smstools_tui.analysis import latency_histogram
        >>> sent = sent_frame([{"id": 1, "insertDate": "2026-11-02T10:00:00+0000",
        ...                     "sentDate": "2026-11-02T10:00:03+0000"}])
        >>> [trace.name for trace in latency_chart(latency_histogram(sent)).data]
        ['inserted → sent', 'sent → delivered']
    """
    figure = go.Figure()
    for stage, part in histogram.groupby("stage", sort=False, observed=True):
        figure.add_trace(
            go.Bar(
                x=part["bin"].astype("str").tolist(),
                y=part["messages"],
                name=value_title("stage", str(stage)),
            )
        )
    figure.update_layout(title=title, barmode="group", **_LAYOUT)
    figure.update_xaxes(title_text="time taken", type="category")
    figure.update_yaxes(title_text="messages")
    return figure


def status_funnel_chart(funnel: pd.DataFrame, *, title: str = "Status funnel") -> go.Figure:
    """Accepted → handed to operator → delivered.

    Args:
        funnel: :func:`~smstools_tui.analysis.status_funnel`.

    Example:
        >>> funnel = pd.DataFrame({"stage": ["accepted", "delivered"], "messages": [10, 9]})
        >>> status_funnel_chart(funnel).data[0].type
        'funnel'
    """
    figure = go.Figure(
        go.Funnel(
            y=funnel["stage"].astype("str").tolist(),
            x=funnel["messages"],
            textinfo="value+percent initial",
            marker={"color": [_COLOURS["volume"], _COLOURS["line"], _COLOURS["delivered"]]},
        )
    )
    figure.update_layout(title=title, **{**_LAYOUT, "height": 320})
    return figure


def top_campaigns_chart(
    campaigns: pd.DataFrame, *, top: int = 10, title: str = "Top campaigns"
) -> go.Figure:
    """The largest campaigns: delivered, failed and pending messages as stacked bars.

    Args:
        campaigns: :func:`~smstools_tui.analysis.campaign_report`.

    Example:
        >>> campaigns = pd.DataFrame({"campaign": ["promo"], "messages": [10], "delivered": [8],
        ...                           "pending": [1]})
        >>> [trace.name for trace in top_campaigns_chart(campaigns).data]
        ['delivered', 'failed', 'pending']
    """
    largest = campaigns.nlargest(top, "messages", keep="first").iloc[::-1]
    names = _labels(largest["campaign"])
    failed = largest["messages"] - largest["delivered"] - largest["pending"]
    figure = go.Figure()
    for name, values, colour in (
        ("delivered", largest["delivered"], _COLOURS["delivered"]),
        ("failed", failed, _COLOURS["failed"]),
        ("pending", largest["pending"], _COLOURS["pending"]),
    ):
        figure.add_trace(go.Bar(y=names, x=values, name=name, orientation="h", marker_color=colour))
    figure.update_layout(
        title=title, barmode="stack", **{**_LAYOUT, "height": max(320, 40 * len(largest) + 140)}
    )
    figure.update_xaxes(title_text="messages")
    figure.update_yaxes(type="category", automargin=True)
    return figure


def reply_chart(
    replies: pd.DataFrame, *, top: int = 15, title: str = "Replies per campaign"
) -> go.Figure:
    """Reply rate (bars) and median time to reply (markers) of the campaigns with most
    recipients.

    Args:
        replies: :func:`~smstools_tui.analysis.campaign_report` or
            :func:`~smstools_tui.analysis.reply_report` by campaign.

    Example:
        >>> replies = pd.DataFrame({"campaign": ["promo"], "recipients": [100],
        ...     "reply_rate": [0.07], "median_reply_seconds": [1200.0]})
        >>> [trace.name for trace in reply_chart(replies).data]
        ['reply rate', 'median time to reply (min)']
    """
    largest = replies.nlargest(top, "recipients", keep="first")
    names = _labels(largest["campaign"])
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Bar(x=names, y=largest["reply_rate"], name="reply rate",
               marker_color=_COLOURS["line"], hovertemplate="%{x}: %{y:.1%}<extra></extra>"),
        secondary_y=False,
    )  # fmt: skip
    minutes = largest["median_reply_seconds"] / 60
    figure.add_trace(
        go.Scatter(
            x=names,
            y=minutes,
            name="median time to reply (min)",
            mode="markers",
            marker={"color": _COLOURS["pending"], "size": 10},
            text=[format_duration(s) for s in largest["median_reply_seconds"]],
            hovertemplate="%{x}: %{text}<extra></extra>",
        ),
        secondary_y=True,
    )
    figure.update_layout(title=title, **_LAYOUT)
    figure.update_yaxes(title_text="reply rate", tickformat=".1%", secondary_y=False)
    figure.update_yaxes(title_text="minutes", secondary_y=True, showgrid=False)
    figure.update_xaxes(type="category", automargin=True)
    return figure


def opt_outs_chart(
    opt_outs: pd.DataFrame,
    *,
    by: str | TimeBuckets = "week",
    tz: str | tzinfo | None = None,
    title: str = "Opt-outs",
) -> go.Figure:
    """Numbers opting out per day, week or month, and how many of them were still messaged.

    Args:
        opt_outs: :func:`~smstools_tui.analysis.opt_out_report`.
        by: ``day``, ``week`` or ``month``; or the
            :func:`~smstools_tui.analysis.time_buckets` of the window, whose zone then
            applies and whose partial buckets are drawn apart.
        tz: the zone of the calendar (default: local), when ``by`` is a name.

    Example:
        >>> opt_outs = pd.DataFrame({
        ...     "opted_out_at": pd.to_datetime(["2026-11-02T10:00Z", "2026-11-03T10:00Z"]),
        ...     "sent_after": [0, 2]})
        >>> figure = opt_outs_chart(opt_outs, tz="UTC")
        >>> [list(trace.y) for trace in figure.data]
        [[2], [1]]
    """
    partial: dict[str, bool] = {}
    if isinstance(by, TimeBuckets):
        partial = dict(zip(by.labels, by.partial, strict=True))
        bucket, tz = by.by, by.zone
    else:
        bucket = by
    key = group_key(opt_outs, bucket, tz=tz, time_column="opted_out_at")
    counts = key.value_counts(sort=False).sort_index()
    messaged = key[opt_outs["sent_after"].to_numpy() > 0].value_counts(sort=False)
    messaged = messaged.reindex(counts.index, fill_value=0)
    x = counts.index.astype("str").tolist()
    figure = go.Figure()
    figure.add_trace(go.Bar(x=x, y=counts.tolist(), name="opted out",
                            marker_color=_COLOURS["volume"]))  # fmt: skip
    figure.add_trace(
        go.Bar(x=x, y=messaged.tolist(), name="messaged after opting out",
               marker_color=_COLOURS["failed"])
    )  # fmt: skip
    figure.update_layout(title=title, barmode="overlay", **_LAYOUT)
    figure.update_xaxes(title_text=bucket, type="category", categoryorder="array", categoryarray=x)
    figure.update_yaxes(title_text="numbers")
    _show_partial(figure, partial, bucket)
    return figure


_SEND_TIME_MEASURES: dict[str, tuple[str, str]] = {
    "messages": ("messages", "%{z:,}"),
    "delivery_rate": ("delivery rate", "%{z:.1%}"),
    "median_delivery_seconds": ("median latency (s)", "%{z:,.0f} s"),
    "reply_rate": ("reply rate", "%{z:.1%}"),
}


def send_times_chart(heatmap: pd.DataFrame, *, title: str = "When messages were sent") -> go.Figure:
    """A weekday × hour heatmap of :func:`~smstools_tui.analysis.send_time_heatmap`, with
    buttons for its measures (messages, delivery rate, median latency, reply rate); an hour
    with no messages is left blank.

    Example:
        >>> heatmap = pd.DataFrame({"weekday": ["Mon"], "hour": [9], "messages": [4],
        ...     "delivery_rate": [0.75], "median_delivery_seconds": [6.0], "reply_rate": [0.25]})
        >>> figure = send_times_chart(heatmap)
        >>> [trace.name for trace in figure.data], float(figure.data[0].z[0][9])
        (['messages', 'delivery rate', 'median latency (s)', 'reply rate'], 4.0)
    """
    from ..analysis import WEEKDAYS

    hours = list(range(24))
    figure = go.Figure()
    for index, (column, (label, shown)) in enumerate(_SEND_TIME_MEASURES.items()):
        grid = (
            heatmap.assign(weekday=heatmap["weekday"].astype("str"))
            .pivot_table(index="weekday", columns="hour", values=column, aggfunc="first")
            .reindex(index=list(WEEKDAYS), columns=hours)
        )
        figure.add_trace(
            go.Heatmap(
                z=grid.to_numpy(dtype="float64"),
                x=hours,
                y=list(WEEKDAYS),
                name=label,
                visible=index == 0,
                colorscale="Blues",
                hovertemplate=f"%{{y}} %{{x}}h: {shown}<extra>{label}</extra>",
            )
        )
    buttons = [
        {
            "label": label,
            "method": "update",
            "args": [{"visible": [i == j for j in range(len(_SEND_TIME_MEASURES))]}],
        }
        for i, (label, _) in enumerate(_SEND_TIME_MEASURES.values())
    ]
    figure.update_layout(
        title=title,
        updatemenus=[{"buttons": buttons, "direction": "right", "x": 0, "y": 1.15}],
        **{**_LAYOUT, "height": 360},
    )
    figure.update_xaxes(title_text="hour", dtick=1)
    figure.update_yaxes(autorange="reversed")
    return figure


def carrier_chart(
    carriers: pd.DataFrame, *, top: int = 12, title: str = "Delivery rate by original carrier"
) -> go.Figure:
    """Delivery rate of the ``top`` carriers by messages (of :func:`~smstools_tui.analysis.\
carrier_report`), masked groups left out: their rate says nothing.

    Example:
        >>> carriers = pd.DataFrame({"country": ["IT", "IT"], "original_carrier": ["TIM", "x"],
        ...     "messages": [40, 2], "delivery_rate": [0.95, None], "masked": [False, True]})
        >>> list(carrier_chart(carriers).data[0].y)
        ['TIM (IT)']
    """
    shown = carriers[~carriers["masked"].astype(bool)].head(top)
    labels = [
        safe_label(f"{carrier} ({country})")
        for carrier, country in zip(shown["original_carrier"], shown["country"], strict=True)
    ]
    figure = go.Figure(
        go.Bar(
            x=shown["delivery_rate"],
            y=labels,
            orientation="h",
            marker_color=_COLOURS["delivered"],
            customdata=shown["messages"],
            hovertemplate="%{y}: %{x:.1%} of %{customdata:,} messages<extra></extra>",
        )
    )
    figure.update_layout(title=title, **_LAYOUT)
    figure.update_xaxes(title_text="delivery rate", tickformat=".0%", range=[0, 1])
    figure.update_yaxes(autorange="reversed")
    return figure
