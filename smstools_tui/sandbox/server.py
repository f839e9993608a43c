"""The sandbox as a real HTTP server on 127.0.0.1.

One thread per connection (HTTP/1.1 keep-alive), an optional per-request latency, and dropped
connections that really break the socket in the middle of a body.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from .emulator import API_PREFIX, SandboxApi, SandboxResponse

__all__ = ["SandboxServer"]


class SandboxServer:
    """Serve a :class:`SandboxApi` on ``127.0.0.1``.

    Use it as a context manager (it serves from a background thread) or call
    :meth:`serve_forever`.

    Example:
        >>> from smstools_tui.sandbox import AccountSpec, SandboxApi, generate_account
        >>> api = SandboxApi(generate_account(AccountSpec(sent=500, received=50)))
        >>> with SandboxServer(api) as server:
        ...     server.base_url.startswith("http://127.0.0.1:")
        True
    """

    def __init__(
        self, api: SandboxApi, *, port: int = 0, latency: float = 0.0, host: str = "127.0.0.1"
    ) -> None:
        self.api = api
        self.latency = latency
        handler = _handler_for(api, latency)
        self._server = _Server((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._serving = False

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The base URL to give the client (``--base-url``)."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    def serve_forever(self) -> None:
        self._serving = True
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._serving = False

    def start(self) -> SandboxServer:
        self._serving = True  # before the thread runs, so an early stop() still waits for it
        self._thread = threading.Thread(target=self.serve_forever, name="sandbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        # shutdown() waits for the serving loop to end: it would wait forever for one that
        # never started or already ended.
        if self._serving:
            self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    """A client that hangs up in the middle of an answer (its deadline passed, its fetch was
    cancelled) is the client's business: no traceback on the sandbox's stderr."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(api: SandboxApi, latency: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "smstools-sandbox"
        # Headers and body leave in separate writes: with Nagle's algorithm on, the body would
        # wait for the client's delayed ACK, about 40 ms a request.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def do_DELETE(self) -> None:
            self._answer()

        def _answer(self) -> None:
            if latency:
                time.sleep(latency)
            parts = urlsplit(self.path)
            response = api.handle(self.command, parts.path, parts.query, dict(self.headers))
            if response.fault == "timeout":
                # Silence longer than the client waits, then the connection dies.
                time.sleep(api.faults.stall)
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if response.fault == "trickle":
                self._trickle(response)
                return
            self.send_response(response.status)
            self.send_header("Content-Type", f"{response.content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if response.fault == "drop":
                # Half the body, then the connection dies: the client sees a broken transfer.
                self.wfile.write(response.body[: len(response.body) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.wfile.write(response.body)

        def _trickle(self, response: SandboxResponse) -> None:
            """The head and the body a byte at a time, each byte well inside any read timeout."""
            head = [
                f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}",
                f"Content-Type: {response.content_type}; charset=utf-8",
                f"Content-Length: {len(response.body)}",
                *(f"{name}: {value}" for name, value in response.headers.items()),
                "Connection: close",
            ]
            answer = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + response.body
            self.close_connection = True
            # An Event, not time.sleep: tests that make retries instant patch time.sleep.
            pause = threading.Event()
            for index in range(len(answer)):  # until the client gives up, as it should
                self.wfile.write(answer[index : index + 1])
                pause.wait(api.faults.trickle)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # quiet: the sandbox runs under tests and benchmarks

    return Handler
