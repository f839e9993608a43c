"""Reading a response body with its size bounded as it streams, through every content encoding.

httpx inflates a compressed body a network chunk at a time with no bound on what one chunk
becomes, and counts nothing: ``Content-Encoding: gzip, gzip`` turns 1.8 KB on the wire into a
gibibyte in one step. Here the body is read raw and inflated layer by layer, each step producing
at most :data:`STEP` bytes, and the bytes out of every layer (the raw ones too) are counted
against the limit while they stream, so memory stays about one limit's worth whatever the body
holds.

Only the encodings this module reads are offered in ``Accept-Encoding``
(:data:`ACCEPT_ENCODING`); any other is refused with a clear message, not retried.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from typing import Protocol

import httpx

from ..errors import BodyTooLargeError, DecodeError, UnsupportedEncodingError

__all__ = ["ACCEPT_ENCODING", "MAX_LAYERS", "STEP", "read_body"]

STEP = 64 * 1024
"""The most bytes one inflating step may produce."""
MAX_LAYERS = 3
"""The most content encodings one body may stack (real servers use one; a proxy may add one)."""
_GZIP = zlib.MAX_WBITS | 16
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS
_CODINGS = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}
ACCEPT_ENCODING = "gzip, deflate"
"""What the client offers: exactly what :func:`read_body` inflates."""


class _Inflater(Protocol):
    """What this module uses of a ``zlib`` decompression object."""

    @property
    def eof(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    @property
    def unconsumed_tail(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


def read_body(response: httpx.Response, limit: int, *, endpoint: str) -> bytes:
    """The body of ``response``, decoded from its ``Content-Encoding``, read as it streams.

    Raises:
        BodyTooLargeError: the body, raw or after any layer of decoding, exceeds ``limit``
            bytes (a declared ``Content-Length`` beyond it is refused before reading).
        UnsupportedEncodingError: an encoding other than identity, gzip (x-gzip) and deflate,
            or more than :data:`MAX_LAYERS` of them.
        DecodeError: compressed data that is corrupt or cut short (retried like a cut body).

    Example:
        >>> import gzip, httpx
        >>> twice = gzip.compress(gzip.compress(b"hello"))
        >>> stacked = {"Content-Encoding": "gzip, gzip"}
        >>> response = httpx.Response(200, headers=stacked, stream=httpx.ByteStream(twice))
        >>> read_body(response, 1000, endpoint="/user")
        b'hello'
    """
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(
            f"the answer from {endpoint} is {int(declared):,} bytes, larger than the limit of "
            f"{limit:,} bytes"
        )
    if response.is_stream_consumed:
        # Built whole in-process (an httpx.MockTransport answer given content=): httpx has
        # decoded it already, and it is in memory; only its size is left to check.
        return b"".join(_bounded([response.content], limit, endpoint, "decoded "))
    codings = _codings(response, endpoint)
    raw = response.iter_raw()
    pieces: Iterator[bytes] = _bounded(raw, limit, endpoint, "")
    for coding in reversed(codings):  # the last encoding applied is the first to undo
        pieces = _bounded(_inflate(pieces, coding, endpoint), limit, endpoint, "decoded ")
    try:
        return b"".join(list(pieces))
    finally:
        # A body cut off here leaves the stream's generators suspended, held by the error's
        # traceback: closed now, while the request is still going on, not whenever that is
        # collected (the transport logs their close, possibly after the dashboard has handed
        # the terminal back). httpx types it as an iterator; it is a generator.
        close = getattr(raw, "close", None)
        if close is not None:
            close()


def _codings(response: httpx.Response, endpoint: str) -> list[str]:
    named = [
        value.strip().lower()
        for value in response.headers.get_list("Content-Encoding", split_commas=True)
    ]
    named = [name for name in named if name not in ("", "identity")]
    unknown = [name for name in named if name not in _CODINGS]
    if unknown:
        raise UnsupportedEncodingError(
            f"the answer is in the content encoding {_shown(unknown[0])}, which this client "
            f"does not read (it asks for {ACCEPT_ENCODING})",
            endpoint=endpoint,
        )
    if len(named) > MAX_LAYERS:
        raise UnsupportedEncodingError(
            f"the answer stacks {len(named)} content encodings; at most {MAX_LAYERS} are read",
            endpoint=endpoint,
        )
    return [_CODINGS[name] for name in named]


def _shown(name: str) -> str:
    """A header value from the server, quoted with every unusual character escaped: data, never
    a terminal sequence."""
    return ascii(name[:40])


def _bounded(pieces: Iterable[bytes], limit: int, endpoint: str, what: str) -> Iterator[bytes]:
    size = 0
    for piece in pieces:
        size += len(piece)
        if size > limit:
            raise BodyTooLargeError(
                f"the {what}answer from {endpoint} is larger than the limit of {limit:,} bytes"
            )
        yield piece


def _inflate(pieces: Iterable[bytes], coding: str, endpoint: str) -> Iterator[bytes]:
    """Undo one layer of ``coding``, at most :data:`STEP` bytes a step. gzip members that follow
    one another are read as one body (RFC 1952); deflate is zlib-wrapped, or raw as some servers
    send it."""
    inflater: _Inflater | None = None
    pending = b""
    try:
        for piece in pieces:
            data = pending + piece
            pending = b""
            while data:
                if inflater is None:
                    if coding == "deflate" and len(data) < 2:
                        pending = data  # the zlib header is two bytes
                        break
                    inflater = zlib.decompressobj(_wbits(coding, data))
                elif inflater.eof:
                    if coding != "gzip":
                        raise _corrupt("data follows the end of the compressed body", endpoint)
                    inflater = zlib.decompressobj(_GZIP)
                out = inflater.decompress(data, STEP)
                data = inflater.unconsumed_tail or (inflater.unused_data if inflater.eof else b"")
                if out:
                    yield out
                # A full step may leave output inside the inflater with no input left to feed.
                while not data and len(out) == STEP and not inflater.eof:
                    out = inflater.decompress(b"", STEP)
                    if out:
                        yield out
        if inflater is None and pending:
            raise _corrupt("the compressed body ends early", endpoint)
        if inflater is not None and not inflater.eof:
            raise _corrupt("the compressed body ends early", endpoint)
    except zlib.error:
        raise _corrupt(f"the {coding} data is corrupt", endpoint) from None


def _wbits(coding: str, start: bytes) -> int:
    if coding == "gzip":
        return _GZIP
    header = (start[0] << 8) | start[1]
    is_zlib = start[0] & 0x0F == zlib.DEFLATED and start[0] >> 4 <= 7 and header % 31 == 0
    return _ZLIB if is_zlib else _RAW_DEFLATE


def _corrupt(reason: str, endpoint: str) -> DecodeError:
    return DecodeError(reason, endpoint=endpoint)
