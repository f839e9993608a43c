from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go

from smstools_tui import analysis
from smstools_tui.frames import RECEIVED_SCHEMA, SENT_SCHEMA, empty_frame
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
