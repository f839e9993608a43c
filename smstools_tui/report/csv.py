"""CSV that opens safely in a spreadsheet.

- Columns in the frame's order; timestamps as ISO-8601 with their offset (UTC, ``+00:00``).
- A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote, so a spreadsheet shows it as text instead of running it as a formula
  (OWASP's CSV-injection advice). Every other character is kept: phone numbers keep their ``+``
  and leading zeros, texts keep their line breaks (quoted, as RFC 4180 says).
- UTF-8 with a byte-order mark, so spreadsheets read accents and emoji correctly; CRLF lines.

The CSV is for people; for a lossless copy use Parquet.
"""

from __future__ import annotations

from typing import IO

import numpy as np
import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_formulas", "safe_csv_frame", "write_safe_csv"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_PATTERN = "^[=+\\-@\t\r]"


def neutralise_formulas(values: pd.Series) -> pd.Series:
    """Text values with a leading quote where a spreadsheet would read a formula.

    Example:
        >>> neutralise_formulas(pd.Series(["=1+1", "+393480000000", "ok", None])).tolist()
        ["'=1+1", "'+393480000000", 'ok', nan]
    """
    text = values.astype("string")
    risky = text.str.contains(_FORMULA_PATTERN, regex=True).fillna(False).to_numpy(dtype=bool)
    if not risky.any():
        return values.astype(object).where(values.notna(), np.nan)
    out = text.astype(object).where(text.notna(), np.nan)
    out[risky] = "'" + text[risky].astype(object)
    return out


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every cell as the text the CSV will hold."""
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
            column
        ):
            out[name] = _iso(column)
        elif pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            out[name] = column
        else:
            out[name] = neutralise_formulas(column)
    return out


def write_safe_csv(frame: pd.DataFrame, target: str | IO[str]) -> None:
    """Write ``frame`` as spreadsheet-safe CSV to a path or an open text stream."""
    safe = safe_csv_frame(frame)
    if isinstance(target, str):
        safe.to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    else:
        safe.to_csv(target, index=False, lineterminator="\r\n")


def _iso(column: pd.Series) -> pd.Series:
    if getattr(column.dt, "tz", None) is None:
        column = column.dt.tz_localize("UTC")
    utc = column.dt.tz_convert("UTC")
    text = utc.dt.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = utc.dt.microsecond.fillna(0).astype(int) != 0
    if fraction.any():
        text = text.where(~fraction, utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f"))
    return (text + "+00:00").astype(object).where(column.notna(), "")
