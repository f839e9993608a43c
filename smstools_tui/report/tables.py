"""Report tables for people: formatted cells, untrusted text made harmless, HTML tables.

Everything that came from the gateway (SMS texts, numbers, sender names, campaign ids) is data,
never markup. Here it is shown as plain text with its invisible characters made visible:

- control characters (``ESC``, ``BEL``, line breaks …) become escapes such as ``\\x1b`` and
  ``\\n``, so a terminal never runs them and a table row stays one row;
- format characters (bidi overrides such as U+202E, zero-width joiners …) become ``\\u202e``, so
  text cannot pretend to be something else by reordering itself;
- in HTML, ``<``, ``>``, ``&`` and quotes are escaped.

Every column of a report is shown with its title and formatted by its kind (see
:mod:`smstools_tui.report.columns`): phone numbers in E.164 (``+393480000000``; a sender alias,
a short code or an invalid number as written, marked), percentages, durations, credits (2
decimals for a sum, 4 for a price), timestamps in the report's time zone; the latency stages by
their titles. A column of no report is formatted by its dtype and name (``*_rate`` as a
percentage, ``*_seconds`` as a duration).

Tables for people also say what a bare frame cannot: rows of a day, week or month the window covers
only in part (a ``partial`` column, see :func:`~smstools_tui.analysis.time_buckets`) get a note,
and a table may end with a total row (:func:`total_cells`).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

import numpy as np
import pandas as pd

from ..analysis import TIME_BUCKETS
from ..frames import is_missing
from ..msisdn import display_number, display_numbers
from .columns import REPORT_COLUMNS, Column, title_of

__all__ = [
    "INVISIBLE_RANGES",
    "MISSING",
    "TOTAL",
    "column_title",
    "display_frame",
    "format_duration",
    "format_value",
    "html_table",
    "is_numeric_column",
    "partial_note",
    "printable",
    "table_page",
    "total_cells",
]

MISSING = "–"
"""How an empty cell is shown."""

TOTAL = "total"
"""The label of a table's total row."""

INVISIBLE_RANGES = (
    (0x0, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD),
    (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F),
    (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xD800, 0xDFFF), (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip
"""Unicode categories Cc, Cf, Zl, Zp and Cs (controls, format characters, line and paragraph
separators, surrogates) as inclusive code point ranges: the characters a terminal, a browser or
a reader could act on or hide instead of showing. The CLI tables, the HTML report and the
dashboard all make exactly these visible."""
_INVISIBLE = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in INVISIBLE_RANGES) + "]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, *, limit: int | None = None) -> str:
    """``text`` with control and format characters shown as escapes, optionally shortened.

    Example:
        >>> printable("\\x1b[31mALERT\\x1b[0m\\n\\u202egnp.exe")
        '\\\\x1b[31mALERT\\\\x1b[0m\\\\n\\\\u202egnp.exe'
        >>> printable("a very long text", limit=8)
        'a very …'
    """
    shown = _INVISIBLE.sub(_escape, text)
    if limit is not None and len(shown) > limit:
        shown = shown[: max(limit - 1, 0)] + "…"
    return shown


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def format_duration(seconds: float) -> str:
    """A duration for people: ``6 s``, ``3 min 17 s``, ``2 h 5 min``, ``3 d 4 h``.

    Example:
        >>> [format_duration(s) for s in (0.4, 6, 197, 7500, 273600)]
        ['0.4 s', '6 s', '3 min 17 s', '2 h 5 min', '3 d 4 h']
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return MISSING
    sign = "-" if seconds < 0 else ""
    value = abs(float(seconds))
    if value < 10 and not value.is_integer():
        return f"{sign}{value:.1f} s"
    whole = round(value)
    for size, unit, small_size, small_unit in (
        (86400, "d", 3600, "h"),
        (3600, "h", 60, "min"),
        (60, "min", 1, "s"),
    ):
        if whole >= size:
            big, rest = divmod(whole, size)
            small = rest // small_size
            return f"{sign}{big} {unit}" + (f" {small} {small_unit}" if small else "")
    return f"{sign}{whole} s"


def _kind(name: str, column: pd.Series) -> tuple[str, Column | None]:
    """How a column is formatted: its report column's kind (see
    :data:`~smstools_tui.report.columns.REPORT_COLUMNS`) where the values fit it, else one read
    from the dtype and the name (a frame of your own)."""
    known = REPORT_COLUMNS.get(name)
    dtype = column.dtype
    is_time = isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype)
    is_flag = pd.api.types.is_bool_dtype(dtype)
    is_number = (
        pd.api.types.is_numeric_dtype(dtype)
        and not is_flag
        and not isinstance(dtype, pd.CategoricalDtype)
    )
    if known is not None:
        is_text = not (is_time or is_flag or is_number)
        fits = {"time": is_time, "flag": is_flag, "text": is_text, "phone": is_text}
        if fits.get(known.kind, is_number):
            return known.kind, known
    if is_time:
        return "time", None
    if is_flag:
        return "flag", None
    if not is_number:
        return "text", None
    if name.endswith(("_rate", "_share", "_ratio")):
        return "percent", None
    if name.endswith("_seconds"):
        return "duration", None
    if name == "id" or name.endswith(("_id", "Id")):
        return "id", None
    if pd.api.types.is_integer_dtype(dtype):
        return "count", None
    return "number", None


def is_numeric_column(frame: pd.DataFrame, name: str) -> bool:
    """Whether a column is shown as a number (right-aligned).

    Example:
        >>> frame = pd.DataFrame({"campaign": ["a"], "spend": [1.5]})
        >>> is_numeric_column(frame, "campaign"), is_numeric_column(frame, "spend")
        (False, True)
    """
    return _kind(name, frame[name])[0] not in ("text", "time", "flag", "phone")


def column_title(name: str) -> str:
    """A column's title for people (see :mod:`smstools_tui.report.columns`): the same in the
    command line's tables, the HTML report and the dashboard.

    Example:
        >>> column_title("price_per_delivered"), column_title("transactionId")
        ('price per delivered', 'campaign')
        >>> column_title("p50_seconds"), column_title("a_column_of_yours")
        ('p50', 'a column of yours')
    """
    return title_of(name)


def _formatter(
    kind: str, known: Column | None, zone: tzinfo | None, text_limit: int | None
) -> Callable[[Any], str]:
    if kind == "percent":
        return lambda value: f"{value:.1%}"
    if kind == "duration":
        return format_duration
    if kind == "money":
        digits = known.digits if known is not None and known.digits is not None else 2
        return lambda value: f"{value:,.{digits}f}"
    if kind == "id":
        return lambda value: str(int(value))
    if kind == "count":
        return lambda value: f"{int(value):,}"
    if kind == "number":
        return lambda value: f"{value:,.4g}"
    if kind == "flag":
        return lambda value: "yes" if value else "no"
    if kind == "time":

        def stamp(value: Any) -> str:
            moment = pd.Timestamp(value)
            if moment.tzinfo is None:
                moment = moment.tz_localize("UTC")
            if zone is not None:
                moment = moment.tz_convert(zone)
            return str(moment.strftime("%Y-%m-%d %H:%M:%S"))

        return stamp
    if kind == "phone":
        return lambda value: printable(display_number(str(value)), limit=text_limit)
    if known is not None and known.values:
        return lambda value: printable(known.value_title(str(value)), limit=text_limit)
    return lambda value: printable(str(value), limit=text_limit)


def format_value(value: Any, kind: str) -> str:
    """One value of a column kind (``percent``, ``money``, ``duration``, ``count`` …) as a
    table cell writes it; :data:`MISSING` when it cannot be told.

    Example:
        >>> format_value(0.9531, "percent"), format_value(12345, "count")
        ('95.3%', '12,345')
        >>> format_value(float("nan"), "duration")
        '–'
    """
    return MISSING if is_missing(value) else _formatter(kind, None, None, None)(value)


def display_frame(
    frame: pd.DataFrame, *, tz: tzinfo | None = None, text_limit: int | None = 80
) -> pd.DataFrame:
    """Every cell of ``frame`` as the text a person sees (object columns of ``str``).

    Args:
        frame: a report frame.
        tz: the zone timestamps are shown in (default: UTC).
        text_limit: longer texts are cut with ``…`` (``None``: never).

    Example:
        >>> frame = pd.DataFrame({"campaign": ["[bold]x[/bold]\\x07"], "delivery_rate": [0.9382],
        ...                       "spend": [1234.5], "p50_seconds": [197.0], "messages": [3]})
        >>> display_frame(frame).iloc[0].tolist()
        ['[bold]x[/bold]\\\\x07', '93.8%', '1,234.50', '3 min 17 s', '3']
    """
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = frame[name]
        kind, known = _kind(str(name), column)
        if kind == "phone":
            # E.164 once per distinct number, not once per row.
            column = display_numbers(column)
            kind = "text"
        fmt = _formatter(kind, known, tz, text_limit)
        present = column.notna().to_numpy(dtype=bool)
        values = np.full(len(column), MISSING, dtype=object)
        if present.any():
            if isinstance(column.dtype, pd.CategoricalDtype):
                # Format each category once, not each row.
                categories = [fmt(value) for value in column.cat.categories]
                codes = column.cat.codes.to_numpy()[present]
                values[present] = np.asarray(categories, dtype=object)[codes]
            else:
                values[present] = [fmt(value) for value in column.to_numpy(dtype=object)[present]]
        out[name] = values
    return out


def total_cells(
    frame: pd.DataFrame, total: pd.DataFrame, *, tz: tzinfo | None = None
) -> list[str] | None:
    """The cells of a total row under ``frame``: :data:`TOTAL` in the first group column, the
    other group columns blank, ``total``'s figures formatted as ``frame`` formats its columns.

    ``None`` when there is nothing to total: no group column (the report is one row already)
    or no row.

    Example:
        >>> cost = pd.DataFrame({"country": ["IT", "CH"], "partial": [False, True],
        ...                      "spend": [1234.5, 0.25]})
        >>> total_cells(cost, pd.DataFrame({"spend": [1234.75]}))
        ['total', '', '1,234.75']
    """
    groups = [name for name in frame.columns if name not in total.columns]
    if not groups or frame.empty:
        return None
    cells: list[str] = []
    for name in frame.columns:
        if name not in total.columns:
            cells.append(TOTAL if name == groups[0] else "")
            continue
        value = total[name].iloc[0]
        fmt = _formatter(*_kind(str(name), frame[name]), tz, None)
        cells.append(MISSING if is_missing(value) else fmt(value))
    return cells


def partial_note(frame: pd.DataFrame) -> str:
    """What a reader must know about the table's partial rows (see
    :meth:`~smstools_tui.analysis.TimeBuckets.mark`); ``""`` when there are none.

    Example:
        >>> weeks = pd.DataFrame({"week": ["2026-08-31", "2026-09-07", "2026-09-14"],
        ...                       "partial": [True, False, True]})
        >>> print(partial_note(weeks))  # doctest: +NORMALIZE_WHITESPACE
        Partial weeks (2026-08-31, 2026-09-14): the window covers only part of them, so their
        figures are not comparable with a whole week's.
    """
    if "partial" not in frame.columns or not frame["partial"].any():
        return ""
    bucket = next((str(name) for name in frame.columns if name in TIME_BUCKETS), "bucket")
    labels = dict.fromkeys(str(label) for label in frame.loc[frame["partial"], bucket])
    return (
        f"Partial {bucket}s ({', '.join(labels)}): the window covers only part of them, so "
        f"their figures are not comparable with a whole {bucket}'s."
    )


def html_table(
    frame: pd.DataFrame,
    *,
    tz: tzinfo | None = None,
    max_rows: int | None = None,
    text_limit: int | None = 160,
    caption: str | None = None,
    total: pd.DataFrame | None = None,
) -> str:
    """``frame`` as an HTML ``<table>``, every cell escaped; partial rows are shown lighter,
    with a note under the table.

    Args:
        frame: a report frame.
        tz: the zone timestamps are shown in.
        max_rows: show only the first rows, with a note saying how many there are.
        text_limit: longer texts are cut with ``…``.
        caption: a caption (escaped too).
        total: the figures of a total row (see :func:`total_cells`), of every row even when
            only the first ``max_rows`` are shown.

    Example:
        >>> print(html_table(pd.DataFrame({"text": ["<script>alert(1)</script>"]})))
        <table class="data"><thead><tr><th>text</th></tr></thead><tbody>
        <tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td></tr>
        </tbody></table>
    """
    shown = frame if max_rows is None else frame.head(max_rows)
    cells = display_frame(shown, tz=tz, text_limit=text_limit)
    numeric = [is_numeric_column(frame, str(name)) for name in frame.columns]
    head = "".join(
        f'<th class="num">{_e(column_title(str(name)))}</th>'
        if is_num
        else f"<th>{_e(column_title(str(name)))}</th>"
        for name, is_num in zip(frame.columns, numeric, strict=True)
    )
    partial = (
        shown["partial"].to_numpy(dtype=bool)
        if "partial" in shown.columns
        else np.zeros(len(shown), dtype=bool)
    )

    def row(values: Any, attributes: str = "") -> str:
        cells_html = "".join(
            f'<td class="num">{_e(value)}</td>' if is_num else f"<td>{_e(value)}</td>"
            for value, is_num in zip(values, numeric, strict=True)
        )
        return f"<tr{attributes}>{cells_html}</tr>"

    rows = [
        row(record, ' class="partial"' if cut else "")
        for record, cut in zip(cells.itertuples(index=False, name=None), partial, strict=True)
    ]
    parts = ['<table class="data">']
    if caption:
        parts.append(f"<caption>{_e(caption)}</caption>")
    parts.append(f"<thead><tr>{head}</tr></thead><tbody>\n")
    parts.append("\n".join(rows) + ("\n" if rows else ""))
    parts.append("</tbody>")
    footer = total_cells(frame, total, tz=tz) if total is not None else None
    if footer is not None:
        parts.append("<tfoot>" + row(footer, ' class="total"') + "</tfoot>")
    parts.append("</table>")
    table = "".join(parts)
    if frame.empty:
        table += '\n<p class="note">None.</p>'
    elif max_rows is not None and len(frame) > max_rows:
        table += f'\n<p class="note">The first {max_rows:,} of {len(frame):,} rows.</p>'
    note = partial_note(frame)
    if note:
        table += f'\n<p class="note">{_e(note)}</p>'
    return table


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


PAGE_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1200px;padding:1.5rem;color:#1f2933;background:#fff}
h1{margin-bottom:.2rem}h2{margin-top:2.5rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}
.meta,.note{color:#52606d;font-size:.9rem}
table.data{border-collapse:collapse;font-size:.85rem;margin:.5rem 0;width:100%}
table.data th,table.data td{border-bottom:1px solid #e4e7eb;padding:.3rem .5rem;text-align:left;
vertical-align:top;overflow-wrap:anywhere}
table.data th{background:#f5f7fa;position:sticky;top:0}
table.data .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.data tr.partial td{color:#7b8794;font-style:italic}
table.data tfoot td{font-weight:600;border-top:2px solid #9aa5b1;border-bottom:none}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.8rem}
.card{border:1px solid #d9e2ec;border-radius:.5rem;padding:.7rem .9rem}
.card .label{color:#52606d;font-size:.8rem}.card .value{font-size:1.5rem;font-weight:600}
.card .change{font-size:.8rem;color:#52606d}
nav ul{columns:3;list-style:none;padding:0}
"""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)
"""The pages load nothing from anywhere: everything they need is inline."""


def table_page(
    frame: pd.DataFrame,
    title: str,
    *,
    tz: tzinfo | None = None,
    subtitle: str = "",
    total: pd.DataFrame | None = None,
) -> str:
    """A complete, self-contained HTML page holding one report table (and its total row).

    Example:
        >>> page = table_page(pd.DataFrame({"n": [1]}), "Delivery <by day>")
        >>> "<title>Delivery &lt;by day&gt;</title>" in page
        True
    """
    meta = f'<p class="meta">{_e(subtitle)}</p>' if subtitle else ""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{PAGE_STYLE}</style></head>\n<body>\n"
        f"<h1>{_e(title)}</h1>{meta}\n{html_table(frame, tz=tz, text_limit=None, total=total)}\n"
        "</body></html>\n"
    )
