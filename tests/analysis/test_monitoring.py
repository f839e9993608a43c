"""Every metric a check watches equals the report that defines it, on the same messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smstools_tui import analysis
from smstools_tui.analysis.monitoring import METRICS, metric_values


@pytest.fixture(scope="module")
def frames(sandbox_frames: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return sandbox_frames


def _by(frame: pd.DataFrame, key: str) -> dict[str, float]:
    return {str(k): float(v) for k, v in zip(frame[key], frame["value"], strict=True)}


@pytest.mark.parametrize("by", [None, "country", "sender", "campaign"])
def test_delivery_rate_is_the_delivery_reports(
    frames: tuple[pd.DataFrame, pd.DataFrame], by: str | None
) -> None:
    sent, _ = frames
    got = metric_values(sent, None, "delivery_rate", by)
    report = analysis.delivery_report(sent, by)
    final = report["delivered"] + report["not_delivered"] + report["not_sent"]
    if by is None:
        assert got["value"].iloc[0] == pytest.approx(report["delivery_rate"].iloc[0])
        assert got["messages"].iloc[0] == final.iloc[0]
    else:
        expected = dict(zip(report[by].astype(str), report["delivery_rate"], strict=True))
        for group, value in _by(got, by).items():
            assert value == pytest.approx(expected[group], nan_ok=True)
        assert dict(zip(got[by].astype(str), got["messages"], strict=True)) == dict(
            zip(report[by].astype(str), final, strict=True)
        )


def test_nosent_rate_and_pending_share(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sent, _ = frames
    report = analysis.delivery_report(sent).iloc[0]
    final = report["delivered"] + report["not_delivered"] + report["not_sent"]
    nosent = metric_values(sent, None, "nosent_rate").iloc[0]
    assert nosent["value"] == pytest.approx(report["not_sent"] / final)
    pending = metric_values(sent, None, "pending_share").iloc[0]
    assert pending["value"] == pytest.approx(report["pending_share"])
    assert pending["messages"] == report["messages"]


def test_p90_latency_is_over_the_delivered_messages(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, _ = frames
    got = metric_values(sent, None, "p90_latency_seconds").iloc[0]
    delivered = sent[sent["status"] == "DELIVERED"]
    seconds = (delivered["deliveryDate"] - delivered["sentDate"]).dt.total_seconds().dropna()
    assert got["value"] == pytest.approx(float(np.quantile(seconds, 0.9)))
    assert got["messages"] == len(seconds)


def test_wasted_spend_is_the_cost_reports(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    sent, _ = frames
    got = metric_values(sent, None, "wasted_spend", "country")
    report = analysis.cost_report(sent, "country")
    expected = dict(zip(report["country"].astype(str), report["wasted_spend"], strict=True))
    for group, value in _by(got, "country").items():
        assert value == pytest.approx(expected[group])


def test_sent_after_opt_out_is_the_compliance_list(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = frames
    got = metric_values(sent, received, "sent_after_opt_out").iloc[0]
    assert got["value"] == len(analysis.compliance_list(sent, received)) > 0


def test_encoding_metrics_are_the_encoding_reports(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, _ = frames
    report = analysis.encoding_report(sent, "sender")
    expected = dict(zip(report["sender"].astype(str), report["ucs2_share"], strict=True))
    for group, value in _by(metric_values(sent, None, "ucs2_share", "sender"), "sender").items():
        assert value == pytest.approx(expected[group])
    total = analysis.encoding_report(sent).iloc[0]
    got = metric_values(sent, None, "segments_per_message").iloc[0]
    assert got["value"] == pytest.approx(total["segments_per_message"])


def test_an_empty_window(make_sent) -> None:  # type: ignore[no-untyped-def]
    empty = make_sent([]).iloc[:0]
    got = metric_values(empty, None, "delivery_rate")
    assert got["messages"].tolist() == [0] and np.isnan(got["value"].iloc[0])


def test_bad_requests() -> None:
    with pytest.raises(ValueError, match="not a metric of the messages"):
        metric_values(pd.DataFrame(), None, "credit_sms")
    with pytest.raises(ValueError, match="not days, weeks or months"):
        metric_values(pd.DataFrame(), None, "delivery_rate", "day")
    assert {metric.worse for metric in METRICS.values()} == {"lower", "higher"}


def test_delivery_rate_by_carrier_is_the_carriers_reports(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, _ = frames
    got = _by(metric_values(sent, None, "delivery_rate", "carrier"), "carrier")
    report = analysis.carrier_report(sent, min_volume=1)
    assert len(report) > 3
    for row in report.itertuples(index=False):
        label = analysis.carrier_label(row.original_carrier, row.country)
        assert got[label] == pytest.approx(row.delivery_rate, nan_ok=True)
    assert len(got) == len(report)


def test_messages_by_carrier_add_up_to_the_carriers_reports(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, _ = frames
    got = metric_values(sent, None, "pending_share", "carrier")
    report = analysis.carrier_report(sent, min_volume=1)
    labels = [
        analysis.carrier_label(carrier, country)
        for carrier, country in zip(report["original_carrier"], report["country"], strict=True)
    ]
    assert dict(zip(got["carrier"].astype(str), got["messages"], strict=True)) == dict(
        zip(labels, report["messages"], strict=True)
    )
