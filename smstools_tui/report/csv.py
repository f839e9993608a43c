"""CSV that opens safely in a spreadsheet.

- Columns in the frame's order; timestamps as ISO-8601 with their offset (UTC, ``+00:00``).
- A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote, so a spreadsheet shows it as text instead of running it as a formula
  (OWASP's CSV-injection advice). Every other character is kept: phone numbers keep their ``+``
  and leading zeros, texts keep their line breaks (quoted, as RFC 4180 says).
- Phone numbers (the columns of kind ``phone`` in :mod:`.columns`: ``to``, ``from``,
  ``number``, ``sender``) are written as people read them, in E.164 (``+393480000000``; a
  sender alias, a short code or an invalid number as written, with its mark, see
  :func:`smstools_tui.msisdn.display_numbers`). As E.164 starts with ``+``, the cell is
  ``'+393480000000``: a spreadsheet keeps it as text with every digit and the ``+`` (written
  bare, it would read the number 393480000000 and show ``3.9348E+11``), and a CSV reader that
  guesses types (pandas) reads it as text too. Parquet keeps the API's own value.
- UTF-8 with a byte-order mark, so spreadsheets read accents and emoji correctly; CRLF lines.

The CSV is for people; for a lossless copy use Parquet. Written to a terminal rather than a
file, it can be asked for with visible escapes (``visible_escapes``): control and format
characters in text cells are then shown as the tables show them (``\x1b``), never sent raw.
"""

from __future__ import annotations

import re
from typing import IO

import numpy as np
import pandas as pd

from ..msisdn import display_numbers
from .columns import REPORT_COLUMNS
from .tables import printable

__all__ = [
    "FORMULA_PREFIXES",
    "neutralise_formulas",
    "safe_csv_frame",
    "spreadsheet_safe",
    "write_safe_csv",
]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula."""
_FORMULA_PATTERN = "^[" + re.escape("".join(FORMULA_PREFIXES)) + "]"


def spreadsheet_safe(text: str) -> str:
    """``text`` with a leading quote where a spreadsheet would read a formula (one value; see
    :func:`neutralise_formulas` for a column).

    Example:
        >>> spreadsheet_safe("=HYPERLINK(\\"http://x\\")"), spreadsheet_safe("Grazie!")
        ('\\'=HYPERLINK("http://x")', 'Grazie!')
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


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


def safe_csv_frame(frame: pd.DataFrame, *, visible_escapes: bool = False) -> pd.DataFrame:
    """A copy of ``frame`` with every cell as the text the CSV will hold; with
    ``visible_escapes``, text cells show control characters as escapes (for a terminal).

    Example:
        >>> frame = pd.DataFrame({"text": ["=1", "\\x1b]52;c;aGk=\\x07"]})
        >>> safe_csv_frame(frame, visible_escapes=True)["text"].tolist()
        ["'=1", '\\\\x1b]52;c;aGk=\\\\x07']
    """
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
            column
        ):
            out[name] = _iso(column)
        elif pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            out[name] = column
        elif _is_phone(str(name)):
            text = neutralise_formulas(display_numbers(column, "e164"))
            out[name] = text.map(printable, na_action="ignore") if visible_escapes else text
        else:
            text = neutralise_formulas(column)
            out[name] = text.map(printable, na_action="ignore") if visible_escapes else text
    return out


def write_safe_csv(
    frame: pd.DataFrame, target: str | IO[str], *, visible_escapes: bool = False
) -> None:
    """Write ``frame`` as spreadsheet-safe CSV to a path or an open text stream (with
    ``visible_escapes`` for a terminal, see :func:`safe_csv_frame`)."""
    safe = safe_csv_frame(frame, visible_escapes=visible_escapes)
    if isinstance(target, str):
        safe.to_csv(target, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    else:
        safe.to_csv(target, index=False, lineterminator="\r\n")


def _is_phone(name: str) -> bool:
    column = REPORT_COLUMNS.get(name)
    return column is not None and column.kind == "phone"


def _iso(column: pd.Series) -> pd.Series:
    if getattr(column.dt, "tz", None) is None:
        column = column.dt.tz_localize("UTC")
    utc = column.dt.tz_convert("UTC")
    text = utc.dt.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = utc.dt.microsecond.fillna(0).astype(int) != 0
    if fraction.any():
        text = text.where(~fraction, utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f"))
    return (text + "+00:00").astype(object).where(column.notna(), "")
