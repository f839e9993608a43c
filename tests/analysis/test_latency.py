from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd
import pytest

from smstools_tui.analysis import HISTOGRAM_EDGES, latencies, latency_histogram, latency_report
from smstools_tui.analysis.latency import bin_labels

from .conftest import at

Make = Callable[..., pd.DataFrame]


def _message(queue_s: float, network_s: float | None, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {"insertDate": at(0), "sentDate": at(queue_s / 60)}
    if network_s is not None:
        row["deliveryDate"] = at((queue_s + network_s) / 60)
    row.update(extra)
    return row


def test_percentiles_exact(make_sent: Make) -> None:
    # Eleven messages: queue 0..10 s (p50 5, p90 9, p99 9.9), delivery 10..110 s.
    sent = make_sent([_message(i, 10 * (i + 1)) for i in range(11)])
    report = latency_report(sent)
    assert report.to_dict("records") == [
        {"stage": "insert_to_sent", "messages": 11, "p50_seconds": 5.0, "p90_seconds": 9.0,
         "p99_seconds": pytest.approx(9.9)},
        {"stage": "sent_to_delivery", "messages": 11, "p50_seconds": 60.0,
         "p90_seconds": 100.0, "p99_seconds": pytest.approx(109.0)},
    ]  # fmt: skip


def test_only_messages_with_both_timestamps_are_measured(make_sent: Make) -> None:
    sent = make_sent(
        [
            _message(2, 5),
            _message(4, None, status="NOTDELIVERED"),
            {"insertDate": at(0), "status": "PENDING"},
        ]
    )
    frame = latencies(sent)
    assert frame["insert_to_sent"].tolist()[:2] == [2.0, 4.0]
    assert math.isnan(frame["insert_to_sent"].iloc[2])
    assert frame["sent_to_delivery"].isna().tolist() == [False, True, True]
    report = latency_report(sent)
    assert report["messages"].tolist() == [2, 1]
    assert report["p50_seconds"].tolist() == [3.0, 5.0]


def test_grouped_rows_come_group_by_group(make_sent: Make) -> None:
    sent = make_sent(
        [_message(1, 1, **{"from": "A"}), _message(3, 3, **{"from": "B"}),
         _message(5, 5, **{"from": "B"})]
    )  # fmt: skip
    report = latency_report(sent, "sender")
    assert report[["sender", "stage", "p50_seconds"]].values.tolist() == [
        ["B", "insert_to_sent", 4.0],
        ["B", "sent_to_delivery", 4.0],
        ["A", "insert_to_sent", 1.0],
        ["A", "sent_to_delivery", 1.0],
    ]


def test_empty_and_all_pending(make_sent: Make) -> None:
    for sent in (make_sent([]), make_sent([{"insertDate": at(0), "status": "PENDING"}])):
        report = latency_report(sent)
        assert report["messages"].tolist() == [0, 0]
        assert report["p50_seconds"].isna().all()
        hist = latency_histogram(sent)
        assert hist["messages"].sum() == 0
        assert len(hist) == 2 * (len(HISTOGRAM_EDGES) - 1)


def test_histogram_bins_and_negative_durations(make_sent: Make) -> None:
    sent = make_sent([_message(s, None) for s in (-3, 0.5, 1, 4.9, 5, 3600)])
    hist = latency_histogram(sent, edges=(0, 1, 5, 60, float("inf")))
    queue = hist[hist["stage"] == "insert_to_sent"]
    assert queue["bin"].tolist() == ["< 1 s", "1–5 s", "5 s–1 min", "≥ 1 min"]
    assert queue["messages"].tolist() == [2, 2, 1, 1]
    assert queue["lower_seconds"].tolist() == [0, 1, 5, 60]


def test_histogram_by_group_lists_every_bin_per_group(make_sent: Make) -> None:
    sent = make_sent([_message(2, 3, transactionId="a"), _message(2, 3, transactionId="b")])
    hist = latency_histogram(sent, "campaign", edges=(0, 10, float("inf")))
    assert len(hist) == 2 * 2 * 2
    assert hist.groupby("campaign", observed=True)["messages"].sum().to_dict() == {"a": 2, "b": 2}


def test_bin_labels() -> None:
    assert bin_labels(HISTOGRAM_EDGES)[:3] == ["< 1 s", "1–2 s", "2–5 s"]
    assert bin_labels(HISTOGRAM_EDGES)[-3:] == ["2–6 h", "6 h–1 d", "≥ 1 d"]
