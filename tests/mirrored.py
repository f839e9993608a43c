"""The built-in reports the example SQL queries mirror, and how a query's answer is held to its
report: shared by the DuckDB tests and the Spark ones."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from smstools_tui.analysis import cost_report, delivery_report, status_counts

ZONE = "Europe/Rome"
"""The zone of the reports' and the queries' months."""

MIRRORED: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "Messages by status": lambda sent: status_counts(sent).query("messages > 0"),
    "Delivery by month": lambda sent: delivery_report(sent, "month", tz=ZONE),
    "Delivery by country": lambda sent: delivery_report(sent, "country"),
    "Delivery by campaign": lambda sent: delivery_report(sent, "campaign"),
    "Cost by month": lambda sent: cost_report(sent, "month", tz=ZONE),
}
"""Each example query (:data:`smstools_tui.sql.EXAMPLES`) that mirrors a built-in report, and
the report."""

_COUNTS = ("messages", "delivered", "not_delivered", "not_sent", "pending")


def assert_mirrors(report: pd.DataFrame, queried: pd.DataFrame) -> None:
    """``queried`` has the rows and columns of ``report``: counts and spend equal (whole
    micro-credits summed on both sides), rates and latencies to the last digits."""
    key = report.columns[0]
    report = report.assign(**{key: report[key].astype(str)}).set_index(key)
    queried = queried.assign(**{key: queried[key].astype(str)}).set_index(key)
    assert sorted(queried.index) == sorted(report.index) and len(report) > 1
    assert list(queried.columns) == list(report.columns)
    queried = queried.loc[report.index]
    for column in report.columns:
        expected, got = report[column].to_numpy(float), queried[column].to_numpy(float)
        if column in _COUNTS:
            assert got.tolist() == expected.tolist(), column
        elif column.endswith("spend"):
            assert np.nan_to_num(got).tolist() == expected.tolist(), column
        else:
            np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=column)
