"""Exported reports: spreadsheet-safe CSV, lossless Parquet."""

from .csv import neutralise_formulas, safe_csv_frame, write_safe_csv
from .export import EXPORT_SUFFIXES, export_frame, partial_path

__all__ = [
    "EXPORT_SUFFIXES",
    "export_frame",
    "neutralise_formulas",
    "partial_path",
    "safe_csv_frame",
    "write_safe_csv",
]
