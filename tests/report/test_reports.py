from __future__ import annotations

from datetime import time

import pandas as pd
import pytest

from smstools_tui import analysis
from smstools_tui.analysis import QuietHours
from smstools_tui.errors import ConfigError
from smstools_tui.report import REPORTS, run_report


def test_every_report_runs_on_sandbox_data(
    account_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = account_frames
    # Quiet hours are the customer's policy, off unless enabled: here one quiet all day.
    policy = QuietHours(enabled=True, start=time(0, 0), end=time(23, 59), time_zone="UTC")
    for name, spec in REPORTS.items():
        frame = run_report(
            name, sent, received if spec.needs_received else None, tz="UTC", quiet_hours=policy
        )
        assert isinstance(frame, pd.DataFrame), name
        assert not frame.empty, name
    assert run_report("quiet-hours", sent, tz="UTC").empty  # off by default


def test_reports_are_the_analysis_functions(
    account_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = account_frames
    pd.testing.assert_frame_equal(
        run_report("cost", sent, by="month", tz="Europe/Rome"),
        analysis.cost_report(sent, "month", tz="Europe/Rome"),
    )
    pd.testing.assert_frame_equal(
        run_report("failing-numbers", sent, min_failures=3),
        analysis.failing_numbers(sent, min_failures=3),
    )
    pd.testing.assert_frame_equal(
        run_report("opt-outs", sent, received, keywords=["grazie"], window="1h"),
        analysis.opt_out_report(sent, received, keywords=["grazie"], window="1h"),
    )


def test_bad_requests_are_one_line_errors(
    account_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, _ = account_frames
    with pytest.raises(ConfigError, match="unknown report 'speed'"):
        run_report("speed", sent)
    with pytest.raises(
        ConfigError, match="--by applies to the delivery, latency, cost, encoding reports"
    ):
        run_report("campaigns", sent, by="day")
    with pytest.raises(ConfigError, match="unknown time zone"):
        run_report("delivery", sent, tz="Nowhere/Land")


def test_reports_without_received_messages(
    account_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, _ = account_frames
    assert run_report("opt-outs", sent).empty
    assert run_report("compliance", sent).empty
    assert run_report("campaigns", sent)["replies"].sum() == 0
