"""The HTTP transport: every request has a deadline, from connecting to its last byte.

httpx's timeouts bound each network operation, not the request: a server that trickles its
headers or its body a byte at a time, each byte just inside the read timeout, holds a request
forever (httpx issue 1450). :class:`DeadlineTransport` is httpx's transport rebuilt on the public
httpcore API with a network backend whose every connect, TLS handshake, read and write is given
``min(its own timeout, time left until the request's deadline)``, so a request ends by its
deadline however the server paces its bytes, the header phase included.

Each request runs synchronously in one thread (the client's pages run in a thread pool), so the
deadline of the request a thread is serving is kept per thread and looked up at every network
operation; a pooled connection opened for one request serves the next under the next one's
deadline.
"""

from __future__ import annotations

import os
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from ..errors import ConfigError

__all__ = [
    "CONNECT_TIMEOUT",
    "KEEPALIVE_EXPIRY",
    "READ_TIMEOUT",
    "DeadlineTransport",
    "environment_proxy",
    "operation_timeouts",
]

CONNECT_TIMEOUT = 10.0
"""Seconds to open a connection (TCP and TLS), at most: a host that does not answer fails fast."""
READ_TIMEOUT = 30.0
"""Seconds one read or write may wait for the network, at most: a silent connection fails before
the request's deadline when that is longer."""
KEEPALIVE_EXPIRY = 5.0
"""Seconds an idle connection is kept for the next request, as httpx keeps them: servers close
idle connections, and reusing one they closed costs a retry."""


def operation_timeouts(total: float) -> httpx.Timeout:
    """The per-operation timeouts under a request deadline of ``total`` seconds.

    Example:
        >>> operation_timeouts(60.0)
        Timeout(connect=10.0, read=30.0, write=30.0, pool=60.0)
        >>> operation_timeouts(3.0)
        Timeout(timeout=3.0)
    """
    return httpx.Timeout(
        connect=min(CONNECT_TIMEOUT, total),
        read=min(READ_TIMEOUT, total),
        write=min(READ_TIMEOUT, total),
        pool=total,
    )


# httpcore's exceptions and httpx's public equivalents, most specific first.
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


_CORE_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProxyError,
    httpcore.UnsupportedProtocol,
    httpcore.ProtocolError,
)


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """httpcore's exceptions raised as httpx's, which is what the callers of a transport expect."""
    try:
        yield
    except _CORE_ERRORS as error:
        public = next(public for core, public in _HTTPX_ERRORS if isinstance(error, core))
        raise public(str(error), request=request) from error


class _Deadlines:
    """The deadline of the request each thread is serving, on a monotonic clock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._local = threading.local()

    @contextmanager
    def until(self, deadline: float) -> Iterator[None]:
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = deadline
        try:
            yield
        finally:
            self._local.deadline = previous

    def bound(
        self, timeout: float | None, expired: type[httpcore.TimeoutException]
    ) -> float | None:
        """``timeout`` cut to the time left; ``expired`` when none is left."""
        deadline: float | None = getattr(self._local, "deadline", None)
        if deadline is None:  # outside a request: the pool closing a connection
            return timeout
        left = deadline - self.clock()
        if left <= 0:
            raise expired("the request ran out of time")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadlines: _Deadlines) -> None:
        self._stream = stream
        self._deadlines = deadlines

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._deadlines.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._deadlines.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        secured = self._stream.start_tls(
            ssl_context, server_hostname, self._deadlines.bound(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(secured, self._deadlines)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend, deadlines: _Deadlines) -> None:
        self._backend = backend
        self._deadlines = deadlines

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            self._deadlines.bound(timeout, httpcore.ConnectTimeout),
            local_address,
            socket_options,
        )
        return _DeadlineStream(stream, self._deadlines)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, self._deadlines.bound(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _DeadlineStream(stream, self._deadlines)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _BodyByDeadline(httpx.SyncByteStream):
    """A response body whose every read runs under its request's deadline."""

    def __init__(
        self,
        stream: Iterable[bytes],
        deadline: float,
        deadlines: _Deadlines,
        request: httpx.Request,
    ) -> None:
        self._stream = stream
        self._deadline = deadline
        self._deadlines = deadlines
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        pieces = iter(self._stream)
        while True:
            # The deadline is set around each step, not across the yield: the thread may serve
            # something else while the caller holds a piece.
            with self._deadlines.until(self._deadline), _as_httpx_errors(self._request):
                piece = next(pieces, None)
            if piece is None:
                return
            yield piece

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            with _as_httpx_errors(self._request):
                close()


class DeadlineTransport(httpx.BaseTransport):
    """An httpx transport over HTTP/1.1 whose every request ends within ``total`` seconds.

    Certificates are verified as httpx verifies them (``SSL_CERT_FILE``/``SSL_CERT_DIR`` or
    certifi's bundle). Running out of time raises :class:`httpx.ReadTimeout` (or the connect or
    write variant), like any other timeout.

    Args:
        total: seconds from the start of connecting to the last byte of the body.
        max_connections: connections kept open at most.
        proxy: an ``http://`` or ``https://`` proxy URL (see :func:`environment_proxy`).
        network_backend: the backend to put the deadline on (default: httpcore's sockets).
        clock: a monotonic clock in seconds (tests drive it).

    Example:
        >>> transport = DeadlineTransport(60.0)
        >>> transport.total, transport.ssl_context.verify_mode.name
        (60.0, 'CERT_REQUIRED')
        >>> transport.close()
    """

    def __init__(
        self,
        total: float,
        *,
        max_connections: int = 10,
        proxy: str | None = None,
        network_backend: httpcore.NetworkBackend | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.ssl_context = httpx.create_ssl_context()
        self._deadlines = _Deadlines(clock)
        self._pool = httpcore.ConnectionPool(
            ssl_context=self.ssl_context,
            proxy=_core_proxy(proxy, self.ssl_context) if proxy else None,
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=KEEPALIVE_EXPIRY,
            network_backend=_DeadlineBackend(
                network_backend or httpcore.SyncBackend(), self._deadlines
            ),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = self._deadlines.clock() + self.total
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with self._deadlines.until(deadline), _as_httpx_errors(request):
            response = self._pool.handle_request(core_request)
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_BodyByDeadline(response.stream, deadline, self._deadlines, request),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def _core_proxy(url: str, ssl_context: ssl.SSLContext) -> httpcore.Proxy:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            "the proxy set in the environment is not an http:// or https:// proxy "
            "(SOCKS proxies are not supported)"
        )
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # not a number, or out of range
        raise ConfigError(
            "the proxy set in the environment has no valid port (host:1-65535)"
        ) from None
    auth = None
    if parts.username is not None:
        auth = (
            urllib.parse.unquote(parts.username),
            urllib.parse.unquote(parts.password or ""),
        )
    return httpcore.Proxy(
        url=f"{parts.scheme}://{parts.hostname}{port}", auth=auth, ssl_context=ssl_context
    )


def environment_proxy(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The proxy the environment asks for to reach ``url``, as httpx reads it by default:
    ``HTTPS_PROXY`` or ``HTTP_PROXY`` by scheme, else ``ALL_PROXY``, unless ``NO_PROXY`` names
    the host or a domain above it (lower-case names win over upper-case ones).

    Example:
        >>> environment_proxy("https://api.smstools.it/rest/api", {"HTTPS_PROXY": "http://p:8"})
        'http://p:8'
        >>> environment_proxy("https://api.smstools.it", {"https_proxy": "proxy.corp:3128"})
        'http://proxy.corp:3128'
        >>> environment_proxy(  # nothing: the domain is exempt
        ...     "https://api.smstools.it", {"ALL_PROXY": "http://p", "NO_PROXY": ".it"}
        ... )
    """
    source = os.environ if environ is None else environ
    proxies: dict[str, str] = {}
    for lower_case in (False, True):
        for name, value in source.items():
            if value and name.lower().endswith("_proxy") and (name == name.lower()) == lower_case:
                proxies[name.lower().removesuffix("_proxy")] = value
    parts = urllib.parse.urlsplit(url)
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or not parts.hostname or _bypassed(parts.hostname, proxies.get("no", "")):
        return None
    # As httpx reads it: a proxy given without a scheme (proxy.corp:3128) is an http:// one.
    return proxy if "://" in proxy else f"http://{proxy}"


def _bypassed(host: str, no_proxy: str) -> bool:
    for entry in (item.strip().lower() for item in no_proxy.split(",")):
        if entry == "*":
            return True
        name = entry.lstrip(".").rsplit(":", 1)[0] if entry.count(":") == 1 else entry.lstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False
