"""The dashboard, full screen in a pseudo-terminal of 80×24, against a hostile server.

The child runs ``python -m smstools_tui --debug dashboard`` with its standard input, output and
error on a pseudo-terminal, as a person runs it (Textual draws on stderr). The test waits for the
fetch to end (the debug log says so), presses ``q``, and then checks what the terminal received,
the log file, and the child's peak memory and time. Server text reaches neither the terminal nor
the log as escapes; the run ends with exit 0, the line saying where the log goes before the full
screen opens and the line saying where it is after it closes.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET

from .hostile import (
    RSS_BOUND_MB,
    WINDOW,
    HostileServer,
    Override,
    Reply,
    Request,
    _drain,
    cli_env,
    endless,
)

OSC52 = "\x1b]52;c;cHduZWQ="
TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"


ALTERNATE_SCREEN_ON, ALTERNATE_SCREEN_OFF = "\x1b[?1049h", "\x1b[?1049l"
PANEL_TITLE = "⚠ Fetch failed: ".encode()
CSI = re.compile(r"\x1b\[[0-9;?<>=]*[A-Za-z]")


@dataclass(frozen=True)
class DashboardRun:
    code: int
    terminal: str
    """Everything the terminal received, from stdout and stderr."""
    log: str
    log_mode: int
    peak_rss_mb: float
    seconds: float
    killed: bool

    @property
    def before(self) -> str:
        """What was written before the full screen opened."""
        return self.terminal.split(ALTERNATE_SCREEN_ON, 1)[0]

    @property
    def after(self) -> str:
        """What was written after it closed, without the modes the app switches back."""
        return CSI.sub("", self.terminal.rsplit(ALTERNATE_SCREEN_OFF, 1)[-1])


def run_dashboard(
    env: dict[str, str], state: Path, *options: str, done_when: str, limit: float = 60.0
) -> DashboardRun:
    """Run the dashboard with ``--debug`` and ``options`` in an 80×24 pseudo-terminal; press
    ``q`` once its log holds ``done_when`` and the screen has drawn the error panel's title;
    kill it after ``limit`` seconds."""
    log_path = state / "smstools-tui" / "log" / "dashboard.log"
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    terminal = io.BytesIO()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "smstools_tui", "--debug", "dashboard", *WINDOW, *options],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**env, "XDG_STATE_HOME": str(state), "TERM": "xterm-256color"},
        start_new_session=True,
    )
    os.close(follower)
    pressed = killed = False
    while True:
        select.select([leader], [], [], 0.02)  # wait a little for output, then take it all
        _drain(leader, terminal)
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        drawn = PANEL_TITLE in terminal.getvalue()
        if not pressed and drawn and done_when in log_path.read_text("utf-8"):
            os.write(leader, b"q")
            pressed = True
        if time.monotonic() - started > limit and not killed:
            process.kill()
            killed = True
    os.close(leader)
    return DashboardRun(
        code=os.waitstatus_to_exitcode(status),
        terminal=terminal.getvalue().decode("utf-8", "replace"),
        log=log_path.read_text("utf-8") if log_path.exists() else "",
        log_mode=log_path.stat().st_mode & 0o777 if log_path.exists() else 0,
        peak_rss_mb=usage.ru_maxrss / 1024,
        seconds=time.monotonic() - started,
        killed=killed,
    )


def escapes_in_every_answer(request: Request) -> Reply | None:
    """The account's name and every search's error carry terminal escapes."""
    if request.endpoint == "/user":
        body = {"businessname": f"{TITLE}Shop{CLEAR}", "credit": 12.5, "italysms": 100}
        return Reply(200, [("Content-Type", "application/json")], json.dumps(body).encode())
    if request.endpoint.startswith("/sms/"):
        error = {"errorMsg": f"BAD_DATE{OSC52}\x07{CLEAR}", "errorCode": 400}
        return Reply(400, [("Content-Type", "application/json")], json.dumps(error).encode())
    return None


def test_server_escapes_reach_neither_the_screen_nor_the_debug_log(
    hostile: Callable[[Override | None], HostileServer], tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(escapes_in_every_answer)
    done = run_dashboard(
        cli_env(server.base_url, tmp_path), tmp_path / "state", done_when="fetch failed"
    )
    assert not done.killed, f"still running after {done.seconds:.0f} s: {done.terminal[-500:]!r}"
    assert done.code == 0, done.terminal[-2000:]
    assert server.count("/user") >= 1 and server.count("/sms/search") >= 1
    # Before the full screen and after it: where the log goes, and nothing else.
    log = tmp_path / "state" / "smstools-tui" / "log" / "dashboard.log"
    assert done.before.split() == f"smstools-tui: the debug log goes to {log}".split()
    assert done.after.split() == f"smstools-tui: the debug log is in {log}".split()
    # The full screen: the dashboard drew (with its own sequences), never the server's.
    assert "smstools" in done.terminal and "BAD_DATE" in done.terminal
    for sequence in (OSC52, TITLE, CLEAR, "\x1b]52;", "\x1b]0;"):
        assert sequence not in done.terminal, repr(sequence)
    assert "Traceback" not in done.terminal
    # The log: what failed, with visible escapes, private, no credentials.
    assert "fetch failed" in done.log and "BAD_DATE\\x1b]52;c;cHduZWQ=\\x07" in done.log
    assert "\x1b" not in done.log and "\x07" not in done.log
    assert SANDBOX_KEY not in done.log and SANDBOX_SECRET not in done.log
    assert done.log_mode == 0o600
    assert done.peak_rss_mb - idle_rss_mb <= RSS_BOUND_MB, (done.peak_rss_mb, idle_rss_mb)
    assert done.seconds <= 30, done.seconds


def test_a_body_that_never_ends_is_cut_off_and_the_dashboard_stays_up(
    hostile: Callable[[Override | None], HostileServer], tmp_path: Path, idle_rss_mb: float
) -> None:
    def endless_search(request: Request) -> Reply | None:
        if request.endpoint == "/sms/search":
            return Reply(200, [("Content-Type", "application/json")], chunks=endless(b" " * 65536))
        return None

    server = hostile(endless_search)
    # Straight from the API, as the command line's attack tests read: what the dashboard itself
    # does with the failure, not what the local store's sync does with such a body.
    done = run_dashboard(
        cli_env(server.base_url, tmp_path), tmp_path / "state", "--no-store",
        done_when="fetch failed",
    )  # fmt: skip
    assert not done.killed, f"still running after {done.seconds:.0f} s: {done.terminal[-500:]!r}"
    assert done.code == 0, done.terminal[-2000:]
    log = tmp_path / "state" / "smstools-tui" / "log" / "dashboard.log"
    assert done.after.split() == f"smstools-tui: the debug log is in {log}".split()
    # The failure is told once, in the panel and the log; the app answered q after it.
    [failure] = [line for line in done.log.splitlines() if "fetch failed" in line]
    assert "/sms/search" in failure
    assert "Traceback" not in done.terminal
    assert done.peak_rss_mb - idle_rss_mb <= RSS_BOUND_MB, (done.peak_rss_mb, idle_rss_mb)
    assert done.seconds <= 30, done.seconds
