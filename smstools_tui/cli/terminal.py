"""What the command line writes to stderr, made safe for a terminal.

An error line, a log record (the retry log quotes the server's ``errorMsg``) or a ``--debug``
traceback can carry text a server chose: an OSC 52 clipboard write, a screen clear, a window
title. Each of them goes out with the visible escapes the report tables use
(:func:`~smstools_tui.report.tables.printable`), so a terminal shows ``\\x1b]52;…`` instead of
obeying it. A traceback keeps its line breaks; every line of it is rendered on its own.
"""

from __future__ import annotations

import logging
import traceback

from ..report.tables import printable

__all__ = ["VisibleEscapesFormatter", "error_line", "traceback_lines"]


def error_line(prog: str, message: str) -> str:
    """The one line an error ends as: whitespace runs folded, every control character shown.

    Example:
        >>> error_line("smstools-tui", "the API answered 400 \\x1b]0;pwned\\x07\\n  on /user")
        'smstools-tui: error: the API answered 400 \\\\x1b]0;pwned\\\\x07 on /user'
    """
    return f"{prog}: error: {printable(' '.join(message.split()))}"


def traceback_lines(error: BaseException) -> list[str]:
    """The traceback of ``error`` as the interpreter prints it, one rendered line per line."""
    return _rendered_lines("".join(traceback.format_exception(error)))


class VisibleEscapesFormatter(logging.Formatter):
    """A formatter for a terminal: the message is one line with visible escapes, an attached
    traceback keeps its lines.

    Example:
        >>> record = logging.LogRecord("smstools_tui.api", logging.INFO, __file__, 1,
        ...                            "retrying after: %s", ("\\x1b[2J\\n503",), None)
        >>> VisibleEscapesFormatter("%(levelname)s %(message)s").format(record)
        'INFO retrying after: \\\\x1b[2J\\\\n503'
    """

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return printable(super().formatMessage(record))

    def formatException(self, ei: logging._SysExcInfoType) -> str:  # noqa: N802
        return "\n".join(_rendered_lines(super().formatException(ei)))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return "\n".join(_rendered_lines(super().formatStack(stack_info)))


def _rendered_lines(text: str) -> list[str]:
    return [printable(line) for line in text.split("\n") if line]
