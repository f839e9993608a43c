"""What the command line writes to stderr shows a server's control characters, never obeys them."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Callable

import pandas as pd
import pytest

from smstools_tui.cli.terminal import VisibleEscapesFormatter, error_line, traceback_lines
from smstools_tui.errors import InvalidQueryError
from smstools_tui.report.export import export_frame
from smstools_tui.report.tables import INVISIBLE_RANGES
from tests.conftest import Result

HOSTILE = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b]0;pwned\x07\x9b31m\u202egnp.exe"
SHOWN = "\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202egnp.exe"
EVERY_INVISIBLE = "".join(
    chr(code) for low, high in INVISIBLE_RANGES for code in range(low, high + 1)
)


def hidden(text: str) -> list[str]:
    """The characters of ``text`` a terminal would act on or hide, but the line breaks."""
    return [
        repr(ch)
        for ch in text
        if ch != "\n" and any(low <= ord(ch) <= high for low, high in INVISIBLE_RANGES)
    ]


def test_the_error_line_is_one_line_with_every_character_shown() -> None:
    line = error_line("smstools-tui", f"the API answered 400 {HOSTILE}")
    assert line == f"smstools-tui: error: the API answered 400 {SHOWN}"
    assert hidden(error_line("smstools-tui", EVERY_INVISIBLE)) == []
    assert "\n" not in error_line("smstools-tui", EVERY_INVISIBLE)


def test_log_records_show_escapes_and_a_traceback_keeps_its_lines() -> None:
    formatter = VisibleEscapesFormatter("%(levelname)s %(name)s: %(message)s")
    try:
        raise InvalidQueryError(400, HOSTILE, endpoint="/sms/search")
    except InvalidQueryError:
        record = logging.LogRecord(
            "smstools_tui.api.client", logging.INFO, __file__, 1,
            "retrying after: %s\nFAKE a forged log line", (HOSTILE,), sys.exc_info(),
        )  # fmt: skip
    text = formatter.format(record)
    lines = text.split("\n")
    assert (
        lines[0]
        == f"INFO smstools_tui.api.client: retrying after: {SHOWN}\\nFAKE a forged log line"
    )
    assert lines[1] == "Traceback (most recent call last):"
    assert (
        lines[-1]
        == f"smstools_tui.errors.InvalidQueryError: the API answered 400 {SHOWN} on /sms/search"
    )
    assert hidden(text) == []


def test_a_traceback_is_rendered_line_by_line() -> None:
    lines = traceback_lines(RuntimeError(f"boom {HOSTILE}\nsecond line"))
    assert lines == [f"RuntimeError: boom {SHOWN}", "second line"]


def test_debug_renders_the_traceback_of_a_server_error(
    run: Callable[..., Result], no_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise InvalidQueryError(400, HOSTILE, endpoint="/sms/search")

    monkeypatch.setattr("smstools_tui.api.client.SmstoolsClient._fetch", refuse)
    result = run("--debug", "export", "sent", "--demo", "--out", "x.csv")
    assert result.code == 1
    assert hidden(result.err) == []
    assert "Traceback (most recent call last):" in result.err
    assert result.err.splitlines()[-1] == (
        f"smstools-tui: error: the API answered 400 {SHOWN} on /sms/search"
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream", [io.StringIO, Terminal], ids=["pipe", "terminal"])
def test_csv_on_standard_output_is_exact_into_a_pipe_and_visible_on_a_terminal(
    stream: type[io.StringIO], monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame({"id": [1, 2], "text": [HOSTILE, "two\r\nlines"]})
    out = stream()
    monkeypatch.setattr(sys, "stdout", out)
    assert export_frame(frame, "-") is None
    rows = out.getvalue().split("\r\n")
    if stream is Terminal:
        assert rows == ["id,text", f"1,{SHOWN}", "2,two\\r\\nlines", ""]
    else:
        assert rows == ["id,text", f"1,{HOSTILE}", '2,"two', 'lines"', ""]
