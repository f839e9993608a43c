"""What the dashboard's copy keys put on the clipboard: a cell (``y``), a row (``Y``) or a table's
numbers (``n``), as plain text.

Copied text is the data as the tables show it, never the terminal's business: the app sends it
to the terminal inside an OSC 52 sequence as base64, so no byte of it can act as an escape on the
way; and the text itself shows control and direction-changing characters the way the tables do
(:func:`~smstools_tui.tui.safe_text.visible`), so a pasted SMS cannot carry hidden escapes either.
Text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@`` …) gets the leading
quote the CSV export gives it (:data:`~smstools_tui.report.csv.FORMULA_PREFIXES`). Numbers,
times and statuses are copied as the cell shows them.

This module does not import Textual.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from ..report.csv import spreadsheet_safe
from .safe_text import visible

__all__ = ["TEXT_KINDS", "clip_numbers", "clip_row", "clip_value", "spreadsheet_safe"]

TEXT_KINDS = frozenset({"text", "category", "object"})
"""Column kinds whose value is copied itself (whole, not cut to the column); the others are
copied as the cell shows them (a time in the dashboard's zone, a rounded price)."""


def clip_value(value: object, shown: str, *, text: bool, one_line: bool = False) -> str:
    """What copying one cell gives.

    Args:
        value: the cell's value in the frame.
        shown: the cell as the table draws it.
        text: whether the column holds text (see :data:`TEXT_KINDS`): then the value is copied
            whole, with its line breaks unless ``one_line``; otherwise ``shown`` is.
        one_line: for a row, where a line break would start the next row.

    Example:
        >>> clip_value("Ciao\\nSTOP \\x1b[2J", "Ciao␊STOP ␛[2J", text=True)
        'Ciao\\nSTOP ␛[2J'
        >>> clip_value(-0.5, "-0.5000", text=False)
        '-0.5000'
    """
    if not text:
        return shown
    return spreadsheet_safe(visible(value, keep_newlines=not one_line))


def clip_row(cells: Sequence[str]) -> str:
    """One row as tab-separated text, quoted as spreadsheets quote it when a cell needs it.

    Example:
        >>> clip_row(["2026-11-25 10:00:00", "393480000000", 'a "b" c'])
        '2026-11-25 10:00:00\\t393480000000\\t"a ""b"" c"'
    """
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="").writerow(cells)
    return buffer.getvalue()


def clip_numbers(values: Iterable[object]) -> tuple[str, int]:
    """The distinct values, in their order, one per line, and how many there are.

    Example:
        >>> clip_numbers(["393480000001", "393480000002", "393480000001", None])
        ('393480000001\\n393480000002', 2)
    """
    distinct: dict[str, None] = {}
    for value in values:
        shown = spreadsheet_safe(visible(value))
        if shown:
            distinct.setdefault(shown)
    return "\n".join(distinct), len(distinct)
