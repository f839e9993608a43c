"""``smstools-tui`` and ``smstools-tui dashboard`` open the dashboard with the CLI's options."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import smstools_tui.tui
from smstools_tui.cli import main

from .conftest import Opened


@pytest.mark.usefixtures("no_credentials")
@pytest.mark.parametrize("argv", [[], ["dashboard"]])
def test_no_command_and_dashboard_open_the_demo_without_credentials(
    opened: Opened, argv: list[str]
) -> None:
    main(argv)
    [call] = opened.calls
    assert call["ran"] and call["client"].is_demo
    assert call["window"] is None and call["view"] is None


@pytest.mark.usefixtures("no_credentials")
def test_dashboard_takes_the_window_and_connection_options(opened: Opened) -> None:
    main(["dashboard", "--since", "2026-11-01T00:00+01:00", "--until", "2026-11-20T00:00Z",
          "--format", "xml"])  # fmt: skip
    [call] = opened.calls
    # The window is read once, on the command line, and handed on as one expression.
    window = call["window"]
    assert window.text == "2026-11-01T00:00+01:00..2026-11-20T00:00Z"
    span = window.resolve(datetime(2026, 11, 25, tzinfo=UTC))
    assert (span.start, span.end) == (
        datetime(2026, 10, 31, 23, tzinfo=UTC),
        datetime(2026, 11, 20, tzinfo=UTC),
    )
    assert call["client"].settings.wire_format == "xml"
    main(["dashboard", "--window", "last-month"])
    assert opened.calls[-1]["window"].text == "last-month"


def test_live_credentials_open_the_live_account(
    opened: Opened, no_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", "key")
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", "secret")
    main(["dashboard"])
    [call] = opened.calls
    assert not call["client"].is_demo


@pytest.mark.usefixtures("no_credentials")
def test_a_bad_date_fails_before_the_dashboard_opens(
    opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["dashboard", "--since", "yesterday-ish"])
    assert exit_info.value.code == 2
    assert "'yesterday-ish' is not a window" in capsys.readouterr().err
    assert opened.calls == []


@pytest.fixture
def terminal_log() -> Iterator[io.StringIO]:
    """The root logger writing to a 'terminal' at debug level, as ``--debug`` sets it up."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


class Logging(Opened):
    """Logs, while it 'runs', what a session logs: requests at debug level with server text in
    them, and a warning; and checks that none of it reaches the terminal meanwhile."""

    def __init__(self, terminal: io.StringIO) -> None:
        super().__init__()
        self.terminal = terminal

    def run(self) -> None:
        super().run()
        before = self.terminal.getvalue()
        api = logging.getLogger("smstools_tui.api")
        api.debug("GET /sms/search answered: %s", "\x1b]0;pwned\x07BAD_DATE")
        api.warning("retrying after a 503")
        warnings.warn("a library's deprecation", DeprecationWarning, stacklevel=1)
        assert self.terminal.getvalue() == before


@pytest.fixture
def logging_app(monkeypatch: pytest.MonkeyPatch, terminal_log: io.StringIO) -> Logging:
    recorder = Logging(terminal_log)
    monkeypatch.setattr(smstools_tui.tui, "make_app", recorder)
    return recorder


@pytest.mark.usefixtures("no_credentials")
def test_debug_logs_to_a_private_file_and_says_where(
    logging_app: Logging,
    terminal_log: io.StringIO,
    capsys: pytest.CaptureFixture[str],
    private_state_dir: Path,
) -> None:
    recorder = logging_app
    main(["--debug", "dashboard"])
    path = private_state_dir / "smstools-tui" / "log" / "dashboard.log"
    [call] = recorder.calls
    assert call["ran"] and call["log_file"] == path
    assert call["remember"].path == private_state_dir / "smstools-tui" / "dashboard.json"
    before, after = capsys.readouterr().err.splitlines()
    assert before == f"smstools-tui: the debug log goes to {path}"
    assert after == f"smstools-tui: the debug log is in {path}"
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text(encoding="utf-8")
    assert "GET /sms/search answered: \\x1b]0;pwned\\x07BAD_DATE" in text
    assert "\x1b" not in text and "\x07" not in text and "retrying after a 503" in text
    # The warnings held during the run reach the terminal once the app has ended.
    assert terminal_log.getvalue().startswith("retrying after a 503\n")
    assert "a library's deprecation" in terminal_log.getvalue() and "deprecation" in text

    main(["dashboard", "--debug"])  # the next session: a fresh log, the last one kept beside
    assert path.with_name("dashboard.log.1").read_text(encoding="utf-8") == text
    assert "GET /sms/search" in path.read_text(encoding="utf-8")


@pytest.mark.usefixtures("no_credentials")
def test_without_debug_no_log_file_and_warnings_wait_for_the_end(
    logging_app: Logging,
    terminal_log: io.StringIO,
    capsys: pytest.CaptureFixture[str],
    private_state_dir: Path,
) -> None:
    main(["dashboard"])
    [call] = logging_app.calls
    assert call["log_file"] is None and capsys.readouterr().err == ""
    assert not (private_state_dir / "smstools-tui" / "log").exists()
    retry, deprecation = terminal_log.getvalue().split("\n", 1)
    assert retry == "retrying after a 503" and "DeprecationWarning: a library's" in deprecation


@pytest.mark.usefixtures("no_credentials")
def test_a_log_folder_that_cannot_be_written_is_one_clear_error(
    opened: Opened, capsys: pytest.CaptureFixture[str], private_state_dir: Path
) -> None:
    (private_state_dir / "smstools-tui").mkdir()
    (private_state_dir / "smstools-tui" / "log").write_text("a file where the folder goes")
    with pytest.raises(SystemExit) as exit_info:
        main(["--debug", "dashboard"])
    assert exit_info.value.code == 2
    # --debug shows the traceback first, as for any error; the last line says it all.
    line = capsys.readouterr().err.splitlines()[-1]
    log = private_state_dir / "smstools-tui" / "log"
    assert line == (
        f"smstools-tui: error: cannot write the debug log {log / 'dashboard.log'}: "
        f"{log} is not a folder"
    )
    assert opened.calls == []
