"""Exported reports: spreadsheet-safe CSV, lossless Parquet, HTML tables and the HTML report.

The chart builders (:mod:`.charts`) and the full report (:mod:`.html`) import plotly; import them
from their modules.
"""

from .csv import neutralise_formulas, safe_csv_frame, write_safe_csv
from .export import EXPORT_SUFFIXES, REPORT_SUFFIXES, export_frame, partial_path
from .reports import REPORTS, Report, ReportOptions, find_report, report_total, run_report
from .tables import display_frame, html_table, printable, table_page

__all__ = [
    "EXPORT_SUFFIXES",
    "REPORTS",
    "REPORT_SUFFIXES",
    "Report",
    "ReportOptions",
    "display_frame",
    "export_frame",
    "find_report",
    "html_table",
    "neutralise_formulas",
    "partial_path",
    "printable",
    "report_total",
    "run_report",
    "safe_csv_frame",
    "table_page",
    "write_safe_csv",
]
