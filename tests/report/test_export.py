from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.errors import ConfigError
from smstools_tui.report import REPORT_SUFFIXES, export_frame

from .conftest import HOSTILE


@pytest.fixture
def report_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "campaign": list(HOSTILE.values()),
            "delivery_rate": [0.5] * len(HOSTILE),
            "first_send": pd.Timestamp("2026-11-02T10:00:00Z"),
        }
    )


def test_html_table_file(tmp_path: Path, report_frame: pd.DataFrame) -> None:
    target = export_frame(report_frame, tmp_path / "campaigns.html", title="Campaigns")
    assert target == tmp_path / "campaigns.html"
    page = target.read_text(encoding="utf-8")
    assert "<h1>Campaigns</h1>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "50.0%" in page


def test_csv_is_spreadsheet_safe(tmp_path: Path, report_frame: pd.DataFrame) -> None:
    target = export_frame(report_frame, tmp_path / "campaigns.csv")
    assert target is not None
    text = target.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "2026-11-02T10:00:00+00:00" in text


def test_parquet_round_trip(tmp_path: Path, report_frame: pd.DataFrame) -> None:
    target = export_frame(report_frame, tmp_path / "campaigns.parquet")
    assert target is not None
    pd.testing.assert_frame_equal(pd.read_parquet(target), report_frame, check_dtype=False)


def test_unknown_suffix(tmp_path: Path, report_frame: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match=r"must end in \.csv, \.parquet or \.html"):
        export_frame(report_frame, tmp_path / "campaigns.xlsx")
    assert REPORT_SUFFIXES == (".csv", ".parquet", ".html")
