"""Reading a body: every content encoding undone layer by layer, the limit held on the bytes out
of every layer while they stream, unknown encodings and broken data refused clearly."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx
import pytest

from smstools_tui.api.body import ACCEPT_ENCODING, MAX_LAYERS, STEP, _inflate, read_body
from smstools_tui.errors import BodyTooLargeError, DecodeError, UnsupportedEncodingError
from smstools_tui.sandbox import compression_bomb

BODY = b'{"metadata":{"count":2,"offset":0,"limit":20},"smsList":[]}' * 500
MiB = 1024 * 1024


def encode(data: bytes, coding: str) -> bytes:
    if coding in ("gzip", "x-gzip"):
        return gzip.compress(data)
    if coding == "deflate":
        return zlib.compress(data)
    if coding == "raw-deflate":
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return packer.compress(data) + packer.flush()
    raise AssertionError(coding)


def stacked(data: bytes, codings: list[str]) -> bytes:
    """``data`` encoded in the order a server lists the codings (the first applied first)."""
    for coding in codings:
        data = encode(data, coding)
    return data


def response(
    body: bytes | Iterator[bytes], encoding: str | None = None, piece: int = 0
) -> httpx.Response:
    headers = {"Content-Encoding": encoding} if encoding is not None else {}
    if isinstance(body, bytes) and piece:
        body = iter([body[i : i + piece] for i in range(0, len(body), piece)])
    stream = httpx.ByteStream(body) if isinstance(body, bytes) else _Pieces(body)
    return httpx.Response(200, headers=headers, stream=stream)


class _Pieces(httpx.SyncByteStream):
    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces


@pytest.mark.parametrize(
    ("header", "codings"),
    [
        (None, []),
        ("identity", []),
        ("gzip", ["gzip"]),
        ("x-gzip", ["x-gzip"]),
        ("GZip", ["gzip"]),
        ("deflate", ["deflate"]),
        ("deflate", ["raw-deflate"]),
        ("gzip, gzip", ["gzip", "gzip"]),
        ("deflate, gzip", ["deflate", "gzip"]),
        ("gzip,identity, deflate", ["gzip", "deflate"]),
        ("gzip, gzip, gzip", ["gzip", "gzip", "gzip"]),
    ],
)
@pytest.mark.parametrize("piece", [0, 1, 7, 65536])
def test_every_encoding_and_stack_gives_the_exact_body(
    header: str | None, codings: list[str], piece: int
) -> None:
    wire = stacked(BODY, codings)
    if piece == 1 and len(wire) > 5000:
        piece = 3  # a byte at a time through three layers is slow, not more telling
    assert read_body(response(wire, header, piece), 10 * MiB, endpoint="/sms/search") == BODY


def test_two_gzip_members_in_a_row_are_one_body() -> None:
    wire = gzip.compress(b"first half, ") + gzip.compress(b"second half")
    assert read_body(response(wire, "gzip"), MiB, endpoint="/user") == b"first half, second half"


def test_no_step_produces_more_than_a_small_buffer() -> None:
    wire = gzip.compress(bytes(4 * MiB))
    assert read_body(response(wire, "gzip"), 8 * MiB, endpoint="/sms/search") == bytes(4 * MiB)
    pieces = [len(piece) for piece in _inflate(iter([wire]), "gzip", "/sms/search")]
    assert max(pieces) <= STEP and sum(pieces) == 4 * MiB


def test_a_stacked_bomb_stops_at_the_limit_with_memory_to_match() -> None:
    """The sandbox's bomb, gzip of gzip of 256 MiB (under a kilobyte on the wire), under a
    4 MiB limit: refused after about 4 MiB of output, the peak of Python allocations a small
    multiple of that."""
    wire = compression_bomb()
    assert len(wire) < 1024
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLargeError, match="decoded answer from /sms/search is larger"):
            read_body(response(wire, "gzip, gzip"), 4 * MiB, endpoint="/sms/search")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * 4 * MiB, peak


def test_every_layer_is_bounded_not_only_the_last() -> None:
    """A deflate stream of empty stored blocks inflates to nothing, but the gzip around it
    inflates to a mountain of them: the inner layer's input is counted too."""
    empty_block = b"\x00\x00\x00\xff\xff"  # a stored block of length 0, not the last one
    mountain = empty_block * (2 * MiB // len(empty_block)) + b"\x03\x00"  # final empty block
    wire = gzip.compress(mountain)
    with pytest.raises(BodyTooLargeError):
        read_body(response(wire, "deflate, gzip"), MiB, endpoint="/sms/search")
    assert read_body(response(wire, "deflate, gzip"), 4 * MiB, endpoint="/sms/search") == b""


def test_the_raw_bytes_are_bounded_too() -> None:
    endless = (b" " * 65536 for _ in range(10_000))
    with pytest.raises(BodyTooLargeError, match="the answer from /sms/search is larger"):
        read_body(response(endless), MiB, endpoint="/sms/search")


@pytest.mark.parametrize("encoding", [None, "gzip"])
def test_a_body_cut_off_leaves_no_stream_open_behind_its_error(encoding: str | None) -> None:
    """The stream is closed when the read stops, not when the error that stopped it is
    collected: the transport logs that close, and it belongs inside the request."""
    closed: list[bool] = []

    def endless() -> Iterator[bytes]:
        piece = gzip.compress(b" " * MiB) if encoding else b" " * 65536
        try:
            while True:
                yield piece
        finally:
            closed.append(True)

    with pytest.raises(BodyTooLargeError) as caught:
        read_body(response(endless(), encoding), MiB, endpoint="/sms/search")
    assert caught.value.__traceback__ is not None  # the error, and its frames, still alive
    assert closed == [True]


def test_a_declared_length_beyond_the_limit_is_refused_before_reading() -> None:
    def never() -> Iterator[bytes]:
        raise AssertionError("the body was read")
        yield b""  # pragma: no cover

    answer = httpx.Response(200, headers={"Content-Length": str(2 * MiB)}, stream=_Pieces(never()))
    with pytest.raises(BodyTooLargeError, match="2,097,152 bytes, larger than the limit"):
        read_body(answer, MiB, endpoint="/sms/search")


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br", "x-custom"])
def test_an_encoding_not_read_is_refused_by_name(encoding: str) -> None:
    with pytest.raises(UnsupportedEncodingError, match="does not read") as caught:
        read_body(response(b"whatever", encoding), MiB, endpoint="/sms/search")
    named = next(name.strip() for name in encoding.split(",") if name.strip() != "gzip")
    assert repr(named) in str(caught.value)


def test_an_encoding_name_reaches_the_message_escaped() -> None:
    with pytest.raises(UnsupportedEncodingError) as caught:
        read_body(response(b"x", "\x1b]52;c;payload\x07"), MiB, endpoint="/sms/search")
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message
    assert "'\\x1b]52;c;payload\\x07'" in message


def test_more_layers_than_any_server_uses_are_refused() -> None:
    codings = ["gzip"] * (MAX_LAYERS + 1)
    wire = stacked(b"x", codings)
    with pytest.raises(UnsupportedEncodingError, match=f"stacks {MAX_LAYERS + 1} content"):
        read_body(response(wire, ", ".join(codings)), MiB, endpoint="/sms/search")


@pytest.mark.parametrize(
    ("encoding", "wire", "reason"),
    [
        ("gzip", gzip.compress(BODY, mtime=0)[:-20], "ends early"),
        ("gzip", b"\x1f\x8b\x08\x00garbage-garbage-garbage", "gzip data is corrupt"),
        ("deflate", zlib.compress(BODY)[:100], "ends early"),
        ("deflate", zlib.compress(BODY) + b"more", "data follows the end"),
        ("gzip", gzip.compress(BODY, mtime=0) + b"\x00", "ends early"),
        ("deflate", b"x", "ends early"),
    ],
    ids=[
        "gzip-cut",
        "gzip-corrupt",
        "deflate-cut",
        "deflate-trailing",
        "gzip-trailing",
        "deflate-one-byte",
    ],
)
def test_broken_compressed_data_is_a_decode_error(encoding: str, wire: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason) as caught:
        read_body(response(wire, encoding), MiB, endpoint="/sms/search")
    assert not isinstance(caught.value, UnsupportedEncodingError)  # retried, like a cut body


def test_a_response_built_whole_in_process_is_taken_as_httpx_decoded_it() -> None:
    built = httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(b"ok"))
    assert read_body(built, MiB, endpoint="/user") == b"ok"
    with pytest.raises(BodyTooLargeError):
        read_body(httpx.Response(200, content=b"x" * 2000), 1000, endpoint="/user")


def test_the_client_offers_what_it_reads() -> None:
    assert [name.strip() for name in ACCEPT_ENCODING.split(",")] == ["gzip", "deflate"]
