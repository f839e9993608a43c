from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest

from smstools_tui import analysis
from smstools_tui.frames import (
    RECEIVED_SCHEMA,
    SENT_SCHEMA,
    empty_frame,
    received_frame,
    sent_frame,
)
from smstools_tui.query import Span
from smstools_tui.report import charts


def _frames(hostile_frames: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    sent, received = hostile_frames
    return {
        "delivery": analysis.delivery_report(sent, "day", tz="UTC"),
        "spend": analysis.cost_report(sent, ["month", "country"], tz="UTC"),
        "histogram": analysis.latency_histogram(sent),
        "funnel": analysis.status_funnel(sent),
        "campaigns": analysis.campaign_report(sent, received),
        "opt_outs": analysis.opt_out_report(sent, received),
    }


def _figures(frames: dict[str, pd.DataFrame]) -> dict[str, go.Figure]:
    return {
        "delivery": charts.delivery_rate_chart(frames["delivery"]),
        "spend": charts.spend_by_country_chart(frames["spend"]),
        "latency": charts.latency_chart(frames["histogram"]),
        "funnel": charts.status_funnel_chart(frames["funnel"]),
        "campaigns": charts.top_campaigns_chart(frames["campaigns"]),
        "replies": charts.reply_chart(frames["campaigns"]),
        "opt_outs": charts.opt_outs_chart(frames["opt_outs"], tz="UTC"),
    }


def test_every_chart_builds_with_a_title(
    hostile_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    for name, figure in _figures(_frames(hostile_frames)).items():
        assert isinstance(figure, go.Figure), name
        assert figure.data, name
        assert figure.layout.title.text, name


def test_untrusted_labels_are_escaped(hostile_frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    for name, figure in _figures(_frames(hostile_frames)).items():
        payload = json.dumps(figure.to_plotly_json(), default=str, ensure_ascii=False)
        for raw in ("<script", "<img", "<b>", "\x1b", "\u202e"):
            assert raw not in payload, (name, raw)
    campaigns = charts.top_campaigns_chart(_frames(hostile_frames)["campaigns"])
    labels = set(campaigns.data[0].y)
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels


def test_chart_values(hostile_frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    frames = _frames(hostile_frames)
    delivery = charts.delivery_rate_chart(frames["delivery"])
    assert list(delivery.data[1].y) == frames["delivery"]["delivery_rate"].tolist()
    funnel = charts.status_funnel_chart(frames["funnel"])
    assert list(funnel.data[0].x) == frames["funnel"]["messages"].tolist()
    spend = charts.spend_by_country_chart(frames["spend"])
    assert sum(sum(trace.y) for trace in spend.data) == frames["spend"]["spend"].sum()


def test_spend_chart_lumps_small_countries() -> None:
    cost = pd.DataFrame(
        {"month": ["2026-11"] * 4, "country": ["IT", "CH", "FR", "DE"], "spend": [4.0, 3, 2, 1]}
    )
    figure = charts.spend_by_country_chart(cost, top=2)
    assert [trace.name for trace in figure.data] == ["IT", "CH", "other"]
    assert list(figure.data[2].y) == [3.0]


def test_empty_inputs_still_make_figures() -> None:
    empty = analysis.opt_out_report(empty_frame(SENT_SCHEMA), empty_frame(RECEIVED_SCHEMA))
    assert isinstance(charts.opt_outs_chart(empty, tz="UTC"), go.Figure)


def test_safe_label() -> None:
    assert charts.safe_label("a\x1b<b>") == "a\\x1b&lt;b&gt;"


WEEKS = Span(datetime(2026, 11, 4, tzinfo=UTC), datetime(2026, 11, 25, 10, tzinfo=UTC))
"""Wednesday to Wednesday: by week, the first and last of its four weeks are partial."""


@pytest.fixture
def weekly() -> tuple[pd.DataFrame, pd.DataFrame]:
    stamps = pd.date_range("2026-11-04T08:00Z", "2026-11-25T09:00Z", freq="7h")
    sent = sent_frame(
        [{"id": i, "to": "393480000000" if i % 3 else "41791234567", "price": 0.1,
          "status": "DELIVERED" if i % 5 else "NOTDELIVERED",
          "insertDate": stamp.strftime("%Y-%m-%dT%H:%M:%S+0000")}
         for i, stamp in enumerate(stamps)]
    )  # fmt: skip
    received = received_frame(
        [{"from": "+393480000001", "text": "STOP", "receiveDate": "2026-11-05T10:00:00+0000"},
         {"from": "+393480000002", "text": "STOP", "receiveDate": "2026-11-12T10:00:00+0000"}]
    )  # fmt: skip
    return sent, received


def test_partial_buckets_are_hatched_lighter_and_explained(
    weekly: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = weekly
    buckets = analysis.time_buckets(WEEKS, "week", tz="UTC")
    assert buckets.partial == (True, False, False, True)
    delivery = buckets.mark(analysis.delivery_report(sent, "week", tz="UTC"))
    figure = charts.delivery_rate_chart(delivery)
    bars, line, partial_bars, open_markers = figure.data
    # The series keep their whole weeks; the partial ones are drawn apart, outside the legend.
    assert list(bars.x) == ["2026-11-09", "2026-11-16"] and bars.showlegend is not False
    assert list(partial_bars.x) == ["2026-11-02", "2026-11-23"]
    assert list(partial_bars.y) == [delivery["messages"].iloc[0], delivery["messages"].iloc[-1]]
    assert partial_bars.marker.pattern.shape == "/"
    assert partial_bars.marker.opacity == charts.PARTIAL_OPACITY
    assert partial_bars.showlegend is False and partial_bars.legendgroup == bars.legendgroup
    assert partial_bars.offsetgroup == bars.offsetgroup  # one slot per week, not two
    assert list(line.x) == delivery["week"].tolist()  # the rate's line goes through every week
    assert list(open_markers.x) == ["2026-11-02", "2026-11-23"]
    assert open_markers.marker.color == "white" and open_markers.yaxis == line.yaxis
    (note,) = figure.layout.annotations
    assert note.text.startswith("hatched: partial week")

    spend = buckets.mark(analysis.cost_report(sent, ["week", "country"], tz="UTC"))
    figure = charts.spend_by_country_chart(spend)
    whole = [trace for trace in figure.data if trace.showlegend is not False]
    apart = [trace for trace in figure.data if trace.showlegend is False]
    assert [trace.name for trace in whole] == [trace.name for trace in apart]
    for trace in whole:
        assert list(trace.x) == ["2026-11-09", "2026-11-16"], trace.name
    for trace, twin in zip(whole, apart, strict=True):
        assert list(twin.x) == ["2026-11-02", "2026-11-23"] and twin.offsetgroup is None
        assert twin.marker.color == trace.marker.color is not None  # one colour per country
    assert list(figure.layout.xaxis.categoryarray) == list(buckets.labels)  # in time order
    assert sum(sum(trace.y) for trace in figure.data) == pytest.approx(spend["spend"].sum())

    opt_outs = analysis.opt_out_report(sent, received)
    figure = charts.opt_outs_chart(opt_outs, by=buckets)
    assert [list(trace.x) for trace in figure.data if trace.showlegend is False] == [
        ["2026-11-02"],
        ["2026-11-02"],
    ]
    assert list(figure.layout.xaxis.categoryarray) == ["2026-11-02", "2026-11-09"]
    # A chart with no point in a partial bucket has nothing to explain.
    later = opt_outs[opt_outs["opted_out_at"] >= "2026-11-09"]
    assert not charts.opt_outs_chart(later, by=buckets).layout.annotations


def test_without_partial_marks_nothing_is_hatched(
    weekly: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, _ = weekly
    figure = charts.delivery_rate_chart(analysis.delivery_report(sent, "week", tz="UTC"))
    assert len(figure.data) == 2 and figure.data[0].marker.pattern.shape is None
    assert not figure.layout.annotations


def test_delivery_rate_axis_starts_at_zero(weekly: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sent, _ = weekly
    figure = charts.delivery_rate_chart(analysis.delivery_report(sent, "week", tz="UTC"))
    assert figure.layout.yaxis.range == (0, 1.05)
    assert figure.layout.yaxis.tickformat == ".0%"
    assert figure.layout.yaxis2.rangemode == "tozero"  # the messages' bars
