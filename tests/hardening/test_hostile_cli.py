"""The command line's edges against a hostile server: what reaches the terminal, exit codes,
messages, and what is written when a run cannot complete.

Every case runs the real ``python -m smstools_tui`` in a subprocess against a scripted server on
loopback and asserts the exit code, the one line on stderr, the child's peak memory and wall time,
and the files left behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.frames import sent_frame
from smstools_tui.report.csv import write_safe_csv

from .hostile import (
    WINDOW,
    HostileServer,
    Override,
    Reply,
    Request,
    assert_clear_failure,
    cli_env,
    endless,
    run_cli,
)

Hostile = Callable[[Override | None], HostileServer]

ESCAPES = (
    "\x1b]52;c;cHduZWQ=\x07"  # OSC 52: write "pwned" to the clipboard
    "\x1b[2J"  # clear the screen
    "\x1b]0;pwned\x07\x1b]2;pwned\x1b\\"  # set the window title (BEL and ST terminated)
    "\x9b31m"  # a C1 CSI: red
)
JSON = [("Content-Type", "application/json")]


def error_reply(status: int, *, retry_after: str | None = None) -> Reply:
    headers = [*JSON, *([("Retry-After", retry_after)] if retry_after is not None else [])]
    body = json.dumps({"errorMsg": ESCAPES, "errorCode": status}).encode()
    return Reply(status, headers, body)


def raw_controls(text: str) -> list[str]:
    """Every control character in ``text`` but the line breaks between lines of output."""
    return sorted(
        {repr(ch) for ch in text if (ord(ch) < 0x20 and ch not in "\n\r") or 0x7F <= ord(ch) < 0xA0}
    )


def assert_shown_not_obeyed(text: str) -> None:
    assert raw_controls(text) == [], text
    assert "\\x1b]52;c;cHduZWQ=\\x07" in text and "\\x1b[2J" in text and "\\x9b31m" in text


def sent_records() -> list[dict[str, object]]:
    """Two sent SMS whose texts try to drive a terminal."""
    common = {"from": "MyShop", "status": "DELIVERED", "transactionId": "t-1", "price": 0.05}
    return [
        {**common, "id": 1, "to": "393480000001", "text": f"copied{ESCAPES}",
         "insertDate": "2026-11-10T10:00:00+0100", "sentDate": "2026-11-10T10:00:02+0100",
         "deliveryDate": "2026-11-10T10:00:09+0100"},
        {**common, "id": 2, "to": "393480000002", "text": "line one\r\nline two\x07",
         "insertDate": "2026-11-11T10:00:00+0100", "sentDate": "2026-11-11T10:00:02+0100",
         "deliveryDate": "2026-11-11T10:00:09+0100"},
    ]  # fmt: skip


def two_hostile_texts(request: Request) -> Reply | None:
    if request.endpoint != "/sms/search":
        return None
    page = {"metadata": {"count": 2, "offset": 0, "limit": 50}, "smsList": sent_records()}
    return Reply(200, JSON, json.dumps(page).encode())


# -- what reaches the terminal -------------------------------------------------------------------


def test_escapes_in_an_error_message_are_shown_not_obeyed(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(
        lambda request: error_reply(400) if request.endpoint == "/sms/search" else None
    )
    done = run_cli(
        "export", "sent", *WINDOW, "--no-store", "--out", str(tmp_path / "sent.csv"),
        env=cli_env(server.base_url, tmp_path),
    )  # fmt: skip
    assert_clear_failure(done, 1, idle_rss_mb, seconds=30)
    assert done.err.startswith("smstools-tui: error: the API answered 400 ")
    assert_shown_not_obeyed(done.err)


def test_escapes_in_a_retried_server_error_and_in_the_retry_log(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(
        lambda request: (
            error_reply(503, retry_after="0") if request.endpoint == "/sms/search" else None
        )
    )
    done = run_cli(
        "--debug", "export", "sent", *WINDOW, "--no-store", "--out", str(tmp_path / "sent.csv"),
        env=cli_env(server.base_url, tmp_path),
    )  # fmt: skip
    assert done.code == 1, done.err
    assert_shown_not_obeyed(done.err)
    retries = [line for line in done.error_lines if "retrying in 0.0 s" in line]
    assert len(retries) == 5 == server.count("/sms/search") - 1  # six attempts in all
    assert all("\\x1b]52;c;cHduZWQ=\\x07" in line for line in retries)
    assert "Traceback (most recent call last):" in done.err  # --debug shows it, rendered too
    last = done.error_lines[-1]
    assert last.startswith("smstools-tui: error: the API answered 503 ")
    assert "the gateway failed" in last
    assert done.peak_rss_mb - idle_rss_mb <= 300 and done.seconds <= 30


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
def test_csv_is_byte_exact_into_a_pipe_and_shows_escapes_on_a_terminal(
    hostile: Hostile, tmp_path: Path, terminal: bool
) -> None:
    server = hostile(two_hostile_texts)
    done = run_cli(
        "export", "sent", *WINDOW, "--no-store", "--out", "-",
        env=cli_env(server.base_url, tmp_path), terminal=terminal,
    )  # fmt: skip
    assert done.code == 0, done.err
    if not terminal:
        expected = io.StringIO()
        write_safe_csv(sent_frame(sent_records()), expected)
        assert done.out == expected.getvalue()
        assert ESCAPES in done.out  # every character kept, as a file keeps it
        assert [row[0] for row in csv.reader(io.StringIO(done.out, newline=""))] == ["id", "1", "2"]
        return
    assert_shown_not_obeyed(done.out)
    rows = [line for line in done.out.splitlines() if line]
    assert rows[0].startswith("id,to,from,text,status")
    # One record per line: the line break inside the second text is shown, not obeyed.
    assert len(rows) == 3 and "line one\\r\\nline two\\x07" in rows[2]


# -- exit codes and messages -----------------------------------------------------------------


def test_ctrl_c_during_a_slow_fetch_exits_130_keeping_what_was_read(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    def trickles_after_two_pages(request: Request) -> Reply | None:
        if request.endpoint == "/sms/search" and request.params.get("offset") not in ("0", "50"):
            return Reply(200, JSON, chunks=endless(b" "), chunk_delay=0.5)
        return None

    server = hostile(trickles_after_two_pages)
    target = tmp_path / "sent.csv"
    done = run_cli(
        "export", "sent", *WINDOW, "--no-store", "--concurrency", "2", "--out", str(target),
        env=cli_env(server.base_url, tmp_path), interrupt_after=3.0, limit=60,
    )  # fmt: skip
    assert_clear_failure(done, 130, idle_rss_mb, seconds=20)
    partial = tmp_path / "sent.partial.csv"
    assert "interrupted" in done.err and f"INCOMPLETE, in {partial}" in done.err
    assert not target.exists()
    kept = pd.read_csv(partial, encoding="utf-8-sig")
    assert len(kept) == 100 and kept["id"].is_unique  # the two pages that were answered


def test_a_server_error_exits_1_saying_the_gateway_failed(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(
        lambda request: (
            Reply(500, [*JSON, ("Retry-After", "0")], b'{"errorMsg":"GENERIC_ERROR"}')
            if request.endpoint == "/sms/search"
            else None
        )
    )
    done = run_cli(
        "export", "sent", *WINDOW, "--no-store", "--out", str(tmp_path / "sent.csv"),
        env=cli_env(server.base_url, tmp_path),
    )  # fmt: skip
    assert_clear_failure(done, 1, idle_rss_mb, seconds=30)
    assert "the API answered 500 GENERIC_ERROR on /sms/search" in done.err
    assert "the gateway failed" in done.err and "could not be reached" not in done.err


def test_a_refused_key_on_sync_claims_nothing_was_stored(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    refused = b'{"errorMsg":"BAD_CREDENTIALS","errorCode":401}'
    server = hostile(lambda request: Reply(401, JSON, refused))
    done = run_cli("sync", "--since", WINDOW[1], env=cli_env(server.base_url, tmp_path))
    assert_clear_failure(done, 3, idle_rss_mb, seconds=30)
    assert "401 BAD_CREDENTIALS" in done.err
    assert "stored" not in done.err and "resume" not in done.err
    assert not list(tmp_path.glob("stores/*/_manifests/account=*.json"))


def test_an_unreachable_host_on_sync_claims_nothing_was_stored(
    tmp_path: Path, idle_rss_mb: float
) -> None:
    with socket.socket() as probe:  # a port nothing listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}/rest/api"
    done = run_cli("sync", "--since", WINDOW[1], env=cli_env(base_url, tmp_path))
    # Connection errors are retried with backoff (six attempts, about 8 s in all).
    assert_clear_failure(done, 4, idle_rss_mb, seconds=45)
    assert "cannot connect to 127.0.0.1" in done.err
    assert "stored" not in done.err and "resume" not in done.err


@pytest.mark.parametrize(
    "command",
    [("export", "sent"), ("report", "delivery"), ("report", "all")],
    ids=["export", "report", "report-all"],
)
def test_out_into_a_missing_folder_fails_before_any_request(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float, command: tuple[str, ...]
) -> None:
    server = hostile(None)
    target = tmp_path / "missing" / ("report.html" if command[-1] == "all" else "out.csv")
    done = run_cli(*command, *WINDOW, "--out", str(target), env=cli_env(server.base_url, tmp_path))
    assert_clear_failure(done, 2, idle_rss_mb, seconds=30)
    assert f"the folder {target.parent} does not exist" in done.err
    assert server.requests == []


@pytest.mark.parametrize(
    ("command", "name"),
    [(("export", "sent"), "sent.csv"), (("report", "delivery"), "delivery.csv")],
    ids=["export", "report"],
)
def test_offline_with_partial_coverage_writes_only_a_partial_file(
    hostile: Hostile, tmp_path: Path, command: tuple[str, ...], name: str
) -> None:
    server = hostile(None)
    env = cli_env(server.base_url, tmp_path)
    synced = run_cli("sync", "--since", "2026-11-10", env=env)
    assert synced.code == 0, synced.err
    target = tmp_path / name
    done = run_cli(*command, *WINDOW, "--offline", "--out", str(target), env=env)
    assert done.code == 1 and not done.killed, done.err
    assert "Traceback" not in done.err
    # One line says it all: what the store lacks, and where what it holds is kept.
    [line] = done.error_lines
    assert line.startswith(
        "smstools-tui: error: the local store does not hold all sent messages of the window "
        "(it lacks 2026-11-01T00:00:00+00:00 to 2026-11-10T00:00:00+00:00): sync it, online, "
        "to fill it; "
    )
    partial = target.with_name(target.stem + ".partial.csv")
    assert line.endswith(f"INCOMPLETE, in {partial}")
    assert partial.exists() and not target.exists()


def test_re_export_over_a_private_file_keeps_it_private(hostile: Hostile, tmp_path: Path) -> None:
    server = hostile(None)
    env = cli_env(server.base_url, tmp_path)
    private = tmp_path / "private.csv"
    private.write_text("old")
    private.chmod(0o600)
    fresh = tmp_path / "fresh.csv"
    for target in (private, fresh):
        done = run_cli("export", "sent", *WINDOW, "--no-store", "--out", str(target), env=env)
        assert done.code == 0, done.err
    assert private.read_bytes() == fresh.read_bytes() != b"old"
    assert private.stat().st_mode & 0o777 == 0o600
    umask = os.umask(0o022)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # a new file: what the umask gives


def test_a_date_out_of_range_is_one_line_and_exit_2(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(None)
    done = run_cli(
        "export", "sent", "--until", "0001-01-05", "--out", str(tmp_path / "sent.csv"),
        env=cli_env(server.base_url, tmp_path),
    )  # fmt: skip
    assert_clear_failure(done, 2, idle_rss_mb, seconds=30)
    assert "'0001-01-05' is out of range: give a date between 1900-01-01 and 2200-01-01" in done.err
    assert server.requests == []
