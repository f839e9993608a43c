"""A hostile server on loopback, and the command line in a subprocess with its peak memory and wall
time measured.

:class:`HostileServer` speaks raw HTTP/1.1 over a socket, so a test can send what no well-behaved
server library would: stacked content encodings, headers trickled a byte at a time, bodies that
never end. Whatever a test does not override is answered by a :class:`SandboxApi`, so one hostile
endpoint sits inside an otherwise normal account.

:func:`run_cli` runs ``python -m smstools_tui`` as a child process and reads the child's own peak
resident memory from ``wait4`` (not the test process's), with a hard wall-clock limit.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, urlsplit

from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxApi
from smstools_tui.sandbox.emulator import API_PREFIX as API_PREFIX_PATH

__all__ = [
    "RSS_BOUND_MB",
    "WINDOW",
    "CliRun",
    "HostileServer",
    "Reply",
    "Request",
    "assert_clear_failure",
    "cli_env",
    "endless",
    "run_cli",
]

RSS_BOUND_MB = 300.0
"""Peak memory a hostile answer may add to an ordinary run (the body limit is 64 MiB)."""
WINDOW = ("--since", "2026-11-01", "--until", "2026-11-20")


@dataclass(frozen=True)
class Request:
    """What the client asked: ``endpoint`` without the API prefix (``/sms/search``)."""

    method: str
    endpoint: str
    params: dict[str, str]
    headers: dict[str, str]
    query: str
    """The raw query string, as sent."""
    number: int
    """1 for the first request the server saw, counted over every endpoint."""


@dataclass
class Reply:
    """A raw answer.

    Attributes:
        status: the HTTP status.
        headers: sent as given, in order; ``Content-Length`` is added for a ``bytes`` body unless
            a header of that name is given, or ``chunks`` is used.
        body: the body, sent at once.
        chunks: the body as pieces (a generator may be endless), sent with ``chunk_delay`` between
            them and no ``Content-Length``: the connection closes at the end.
        chunk_delay: seconds between pieces of ``chunks``.
        head_delay: seconds between the bytes of the status line and headers (a trickle).
    """

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    chunks: Iterable[bytes] | None = None
    chunk_delay: float = 0.0
    head_delay: float = 0.0


Override = Callable[[Request], Reply | None]


class HostileServer:
    """A raw HTTP server on 127.0.0.1 whose answers a test scripts.

    Args:
        api: answers every request ``override`` leaves alone (returns ``None`` for).
        override: called for each request; a :class:`Reply` replaces the sandbox's answer.

    Each connection serves one request and closes (``Connection: close``).
    """

    def __init__(self, api: SandboxApi, override: Override | None = None) -> None:
        self.api = api
        self.override = override
        self.requests: list[Request] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="hostile", daemon=True)

    @property
    def base_url(self) -> str:
        port = self._listener.getsockname()[1]
        return f"http://127.0.0.1:{port}{API_PREFIX_PATH}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def count(self, endpoint: str) -> int:
        """How many requests ``endpoint`` received."""
        with self._lock:
            return sum(1 for request in self.requests if request.endpoint == endpoint)

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                request = self._read_request(connection)
                if request is None:
                    return
                reply = self.override(request) if self.override is not None else None
                if reply is None:
                    reply = self._sandbox_reply(request)
                self._send(connection, reply)
            except OSError:
                return  # the client gave up: that is what many of these tests want

    def _read_request(self, connection: socket.socket) -> Request | None:
        connection.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return None
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        line, *header_lines = head.split("\r\n")
        method, target, _ = line.split(" ", 2)
        headers = {}
        for header in header_lines:
            name, _, value = header.partition(":")
            headers[name.strip()] = value.strip()
        parts = urlsplit(target)
        path = parts.path
        endpoint = path[len(API_PREFIX_PATH) :] if path.startswith(API_PREFIX_PATH) else path
        params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        with self._lock:
            request = Request(
                method, endpoint, params, headers, parts.query, len(self.requests) + 1
            )
            self.requests.append(request)
        return request

    def _sandbox_reply(self, request: Request) -> Reply:
        answer = self.api.handle(
            request.method, API_PREFIX_PATH + request.endpoint, request.query, request.headers
        )
        return Reply(
            answer.status,
            [("Content-Type", answer.content_type), *answer.headers.items()],
            answer.body,
        )

    def _send(self, connection: socket.socket, reply: Reply) -> None:
        lines = [f"HTTP/1.1 {reply.status} X"]
        names = {name.lower() for name, _ in reply.headers}
        lines += [f"{name}: {value}" for name, value in reply.headers]
        if reply.chunks is None and "content-length" not in names:
            lines.append(f"Content-Length: {len(reply.body)}")
        lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if reply.head_delay:
            for index in range(len(head)):
                if self._stopped.wait(reply.head_delay):
                    return
                connection.sendall(head[index : index + 1])
        else:
            connection.sendall(head)
        if reply.chunks is None:
            connection.sendall(reply.body)
            return
        for piece in reply.chunks:
            if self._stopped.is_set():
                return
            connection.sendall(piece)
            if reply.chunk_delay and self._stopped.wait(reply.chunk_delay):
                return


@dataclass(frozen=True)
class CliRun:
    """How a command line run ended."""

    code: int
    out: str
    err: str
    peak_rss_mb: float
    """The child's peak resident memory (``ru_maxrss``), in MiB."""
    seconds: float
    killed: bool
    """Whether the run outlived its limit and was killed."""

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def cli_env(base_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a user whose credentials point at ``base_url``: the sandbox's
    credentials, a private data folder, no config file, UTC."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SMSTOOLS_") and key not in ("TZ", "XDG_CONFIG_HOME")
    }
    env.update(
        SMSTOOLS_BASE_URL=base_url,
        SMSTOOLS_AUTH_KEY=SANDBOX_KEY,
        SMSTOOLS_AUTH_SECRET=SANDBOX_SECRET,
        SMSTOOLS_DATA_DIR=str(data_dir),
        XDG_CONFIG_HOME=str(data_dir / "config"),
        TZ="UTC",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_cli(
    *args: str,
    env: dict[str, str],
    limit: float = 120.0,
    cwd: Path | None = None,
    interrupt_after: float | None = None,
    terminal: bool = False,
) -> CliRun:
    """Run ``python -m smstools_tui ARGS`` and measure it.

    Args:
        env: the child's whole environment (see :func:`cli_env`).
        limit: seconds after which the child is killed (and ``killed`` is true).
        interrupt_after: send SIGINT (Ctrl-C) after this many seconds.
        terminal: standard output is a pseudo-terminal, as when a person runs the command
            (what the terminal received is ``out``).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        leader, follower = pty.openpty() if terminal else (None, None)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "smstools_tui", *args],
            stdout=out if follower is None else follower,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
        )
        if follower is not None:
            os.close(follower)
        killed = interrupted = False
        while True:
            _drain(leader, out)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                _drain(leader, out)
                break
            elapsed = time.monotonic() - started
            if interrupt_after is not None and not interrupted and elapsed > interrupt_after:
                process.send_signal(signal.SIGINT)
                interrupted = True
            if elapsed > limit and not killed:
                process.kill()
                killed = True
            time.sleep(0.02)
        if leader is not None:
            os.close(leader)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return CliRun(
            code=process.returncode,
            out=out.read().decode("utf-8", "replace"),
            err=err.read().decode("utf-8", "replace"),
            peak_rss_mb=usage.ru_maxrss / 1024,
            seconds=seconds,
            killed=killed,
        )


def _drain(leader: int | None, into: IO[bytes]) -> None:
    """Copy what a pseudo-terminal holds into ``into``, so the child never blocks writing."""
    while leader is not None and select.select([leader], [], [], 0)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child's side is closed
            return
        if not chunk:
            return
        into.write(chunk)


def endless(piece: bytes) -> Iterator[bytes]:
    """``piece`` forever: a body that never ends."""
    while True:
        yield piece


def assert_clear_failure(done: CliRun, code: int, idle_rss_mb: float, *, seconds: float) -> None:
    """Exit ``code``, one line on stderr without a traceback, bounded memory and time."""
    assert not done.killed, f"still running after {done.seconds:.0f} s: {done.err[-500:]}"
    assert done.code == code, done.err
    assert len(done.error_lines) == 1, done.err
    assert "Traceback" not in done.err
    assert done.peak_rss_mb - idle_rss_mb <= RSS_BOUND_MB, (done.peak_rss_mb, idle_rss_mb)
    assert done.seconds <= seconds, done.seconds
