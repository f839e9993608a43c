"""Untrusted text made safe to show: every SMS text, number, sender and campaign id is data.

Rich markup is never parsed (cells and panels get :class:`rich.text.Text` or Textual ``Content``,
never a markup string), and characters that a terminal would act on instead of showing are
replaced by visible stand-ins:

- C0 controls and DEL become the Unicode *control pictures* (``\\x1b`` → ``␛``, ``\\x07`` → ``␇``),
  so an ANSI or OSC 8 sequence shows as inert text such as ``␛[31m``;
- every other control or format character (C1 controls, bidirectional overrides and isolates,
  zero-width characters, line/paragraph separators, tag characters: the set
  :data:`~smstools_tui.report.tables.INVISIBLE_RANGES` defines for every output) becomes a
  ``⟨U+202E⟩``-style tag, so a reversed or hidden run cannot disguise what follows it.

Line breaks are kept only where the caller asks (the detail view); a table cell shows one line.
"""

from __future__ import annotations

from rich.text import Text

from ..frames import is_missing
from ..report.tables import INVISIBLE_RANGES

__all__ = ["MAX_CELL_CHARS", "cell_text", "safe_text", "visible"]

MAX_CELL_CHARS = 300
"""A table cell never holds more than this many characters: a 10,000-character SMS would only be
clipped by the column anyway, and rendering all of it on every repaint costs time."""


def _table(keep_newlines: bool) -> dict[int, str]:
    # The same characters the CLI tables and the HTML report make visible, drawn here as
    # control pictures (C0, DEL) or ⟨U+XXXX⟩ tags (the rest).
    table: dict[int, str] = {}
    for low, high in INVISIBLE_RANGES:
        for code in range(low, high + 1):
            table[code] = f"⟨U+{code:04X}⟩"
    table.update({code: chr(0x2400 + code) for code in range(0x20)})
    table[0x7F] = "\u2421"  # ␡
    if keep_newlines:
        del table[0x0A]
    return table


_ONE_LINE = _table(keep_newlines=False)
_MULTI_LINE = _table(keep_newlines=True)


def visible(value: object, *, keep_newlines: bool = False, limit: int | None = None) -> str:
    """``value`` as plain text with every control and direction-changing character made visible.

    Args:
        value: anything; ``None`` and NA become ``""``.
        keep_newlines: keep ``\\n`` (a ``\\r\\n`` pair counts as one) for multi-line views;
            otherwise a line break shows as ``␊``.
        limit: at most this many characters, the last one an ellipsis.

    Example:
        >>> visible("\\x1b[31mred\\u202e")
        '␛[31mred⟨U+202E⟩'
    """
    if is_missing(value):
        return ""
    text = value if isinstance(value, str) else str(value)
    if keep_newlines:
        text = text.replace("\r\n", "\n")
        text = text.translate(_MULTI_LINE)
    else:
        text = text.translate(_ONE_LINE)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


def safe_text(
    value: object, *, style: str = "", keep_newlines: bool = False, justify: str | None = None
) -> Text:
    """A :class:`rich.text.Text` that shows ``value`` literally (see :func:`visible`)."""
    return Text(
        visible(value, keep_newlines=keep_newlines),
        style=style,
        justify=justify,  # type: ignore[arg-type]
        no_wrap=not keep_newlines,
    )


def cell_text(value: object, *, style: str = "", justify: str | None = None) -> Text:
    """One table cell: one line, at most :data:`MAX_CELL_CHARS` characters, shown literally."""
    return Text(
        visible(value, limit=MAX_CELL_CHARS),
        style=style,
        justify=justify,  # type: ignore[arg-type]
        no_wrap=True,
        overflow="ellipsis",
        end="",
    )
