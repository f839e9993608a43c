"""Property-based fuzzing of everything that reads untrusted input: only the project's own
clear errors may escape, never a crash of the parser underneath."""

from __future__ import annotations

import contextlib
import csv
import io
import string
from typing import Any
from unittest import mock

import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smstools_tui.api import decode as decoding
from smstools_tui.api.decode import (
    RECEIVED_FIELDS,
    SENT_FIELDS,
    decode_error_body,
    decode_items,
    decode_object,
    decode_page,
)
from smstools_tui.errors import DecodeError
from smstools_tui.frames import received_frame, sent_frame
from smstools_tui.report.csv import FORMULA_PREFIXES, write_safe_csv

pytestmark = pytest.mark.filterwarnings("ignore::smstools_tui.frames.UnknownStatusWarning")

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
field_names = st.sampled_from([*sorted(SENT_FIELDS | RECEIVED_FIELDS), "extra", "#text", "@attr"])
records = st.lists(st.dictionaries(field_names, json_values, max_size=8), max_size=5)


@FUZZ
@given(body=st.binary(max_size=300))
@example(body=b"\xef\xbb\xbf")
@example(body=b"<")
@example(body=b"[")
@example(body=b'{"metadata":')
@example(
    body=b"<r><metadata><count>1</count></metadata><smsList>"
    + b"<a>" * 5000
    + b"</a>" * 5000
    + b"</smsList></r>"
)
@example(body=b"<u>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</u>")
@example(body=b"[" * 100_000 + b"]" * 100_000)
@example(body=b'{"metadata":{"count":1},"smsList":[{"text":[' + b"1," * 200_000 + b"1]}]}")
@example(body=b'{"metadata":{"count":1},"smsList":[{"text":"' + b'\\"' * 600_000 + b'"}]}')
@example(
    body=b"<r><metadata><count>1</count></metadata><smsList>"
    + b"<a/>" * 150_000
    + b"</smsList></r>"
)
def test_arbitrary_bytes_decode_or_fail_clearly(body: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode_object(body)
    try:
        page = decode_page(body, SENT_FIELDS, endpoint="/sms/search", offset=0)
    except DecodeError as error:
        assert "\n" not in str(error)
        return
    assert page.count >= 0
    assert all(isinstance(item, dict) for item in page.items)


@FUZZ
@given(text=st.text(max_size=200))
def test_arbitrary_text_decodes_or_fails_clearly(text: str) -> None:
    for decode in (
        lambda body: decode_page(body, RECEIVED_FIELDS),
        lambda body: decode_items(body, SENT_FIELDS),
        lambda body: decode_object(body),
    ):
        try:
            decode(text.encode("utf-8"))
        except DecodeError:
            pass
    decode_error_body(text.encode("utf-8"))  # never raises


@FUZZ
@given(document=json_values, items=records)
def test_arbitrary_json_documents(document: object, items: list[dict]) -> None:
    for candidate in (
        document,
        {"metadata": document, "smsList": items},
        {"r": {"metadata": {"count": 1}, "smsList": document}},
    ):
        try:
            page = decode_page(orjson.dumps(candidate, option=orjson.OPT_NON_STR_KEYS), SENT_FIELDS)
        except (DecodeError, orjson.JSONEncodeError):
            continue
        try:
            sent_frame(page.items)
        except DecodeError:
            pass


xml_names = st.text(string.ascii_letters, min_size=1, max_size=6)
xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@st.composite
def xml_documents(draw: st.DrawFn) -> bytes:
    def element(depth: int) -> str:
        name = draw(st.one_of(field_names.filter(lambda n: n[0].isalpha()), xml_names))
        if depth > 2 or draw(st.booleans()):
            value = draw(xml_text).replace("&", "&amp;").replace("<", "&lt;")
            return f"<{name}>{value}</{name}>"
        children = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 3))))
        return f"<{name}>{children}</{name}>"

    root = draw(xml_names)
    inner = "".join(element(1) for _ in range(draw(st.integers(0, 4))))
    return f"<{root}>{inner}</{root}>".encode()


@FUZZ
@given(body=xml_documents())
def test_arbitrary_xml_documents(body: bytes) -> None:
    try:
        page = decode_page(body, SENT_FIELDS)
    except DecodeError:
        return
    try:
        sent_frame(page.items)
        received_frame(page.items)
    except DecodeError:
        pass


@FUZZ
@given(items=records)
def test_frames_from_arbitrary_records(items: list[dict]) -> None:
    for build in (sent_frame, received_frame):
        try:
            frame = build(items)
        except DecodeError as error:
            assert "\n" not in str(error)
            continue
        assert len(frame) == len(items)


@FUZZ
@given(texts=st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_csv_keeps_every_text_and_neutralises_formulas(texts: list[str]) -> None:
    frame = pd.DataFrame({"text": pd.array(texts, dtype="string"), "n": range(len(texts))})
    buffer = io.StringIO()
    write_safe_csv(frame, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert rows[0] == ["text", "n"]
    for original, row in zip(texts, rows[1:], strict=True):
        written = row[0]
        if original.startswith(FORMULA_PREFIXES):
            assert written == "'" + original
        else:
            assert written == original


# -- the JSON pre-scan sees what orjson builds; XML read in any chunks reads the same ----------

LOOSE = {"MAX_NESTING": 99, "MAX_ITEMS": 99, "MAX_VALUES": 9_999, "MAX_VALUE_LENGTH": 999}
SMALL_BOUNDS = {"MAX_NESTING": 3, "MAX_ITEMS": 5, "MAX_VALUES": 30, "MAX_VALUE_LENGTH": 12}
tricky_text = st.text(alphabet=st.sampled_from(list('ab"\\[]{},:è\n\x00')), max_size=12)
small_json = st.recursive(
    st.none() | st.booleans() | st.integers(-99, 99) | tricky_text,
    lambda inner: st.lists(inner, max_size=7) | st.dictionaries(tricky_text, inner, max_size=7),
    max_leaves=30,
)


def shape(value: Any) -> tuple[int, int, int, int]:
    """Nesting, most items in one list or object, longest string as sent, values."""
    if isinstance(value, str):
        return 0, 0, len(orjson.dumps(value)) - 2, 0
    if not isinstance(value, list | dict):
        return 0, 0, 0, 0
    children = list(value.values()) if isinstance(value, dict) else value
    keys = [shape(key)[2] for key in value] if isinstance(value, dict) else []
    inner = [shape(child) for child in children]
    return (
        1 + max((depth for depth, *_ in inner), default=0),
        max([len(children), *(items for _, items, *_ in inner)]),
        max([*keys, *(length for _, _, length, _ in inner)], default=0),
        1 + max(len(children) - 1, 0) + sum(values for *_, values in inner),
    )


@pytest.mark.parametrize("bound", ["all", *SMALL_BOUNDS])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=small_json, chunk=st.integers(1, 16), indent=st.booleans())
def test_the_json_pre_scan_sees_what_orjson_builds(
    bound: str, value: Any, chunk: int, indent: bool
) -> None:
    bounds = SMALL_BOUNDS if bound == "all" else {**LOOSE, bound: SMALL_BOUNDS[bound]}
    body = orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0)
    depth, items, length, values = shape(value)
    beyond = (
        depth > bounds["MAX_NESTING"]
        or items > bounds["MAX_ITEMS"]
        or length > bounds["MAX_VALUE_LENGTH"]
        or values > bounds["MAX_VALUES"]
    )
    with mock.patch.multiple(decoding, **bounds, _JSON_CHUNK=chunk):
        try:
            decoding._scan_json(body, 0, count_items=True)
            refused = False
        except decoding._OutOfBounds:
            refused = True
    assert refused == beyond, (body, depth, items, length, values)


@FUZZ
@given(body=st.binary(max_size=200), chunk=st.integers(1, 16))
def test_the_json_pre_scan_survives_any_bytes(body: bytes, chunk: int) -> None:
    with (
        mock.patch.multiple(decoding, **SMALL_BOUNDS, _JSON_CHUNK=chunk),
        contextlib.suppress(decoding._OutOfBounds),
    ):
        decoding._scan_json(body, 0, count_items=True)


@FUZZ
@given(body=xml_documents(), chunk=st.integers(1, 9))
def test_xml_read_in_any_chunks_reads_the_same(body: bytes, chunk: int) -> None:
    def stream() -> Any:
        try:
            return as_read(decoding._stream_xml(body, 0))
        except Exception as error:  # the reader's own errors, compared by kind
            return type(error)

    whole = stream()
    with mock.patch.object(decoding, "_XML_CHUNK", chunk):
        assert stream() == whole


def as_read(parsed: tuple[dict[str, Any], set[int]]) -> tuple[Any, list[tuple[Any, bool]]]:
    """The document, and which of its mappings are marked as holding more than text."""
    document, structured = parsed
    marks: list[tuple[Any, bool]] = []

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        if isinstance(value, dict):
            marks.append((path, id(value) in structured))
            for key, child in value.items():
                walk(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, (*path, index))

    walk(document, ())
    return document, marks


entity_text = st.lists(
    st.sampled_from(
        ["a", "è", " ", "\n", "&amp;", "&lt;", "&#13;", "&#x1F600;", ">", "'", "=", "1"]
    ),
    max_size=6,
).map("".join)


@st.composite
def plain_xml_documents(draw: st.DrawFn) -> bytes:
    """Documents the vectorised path may take: no attributes, comments or the like."""

    def element(depth: int) -> str:
        name = draw(st.sampled_from(["sms", "id", "text", "a", "smsList", "è"]))
        if depth > 3 or draw(st.booleans()):
            if draw(st.booleans()):
                return f"<{name}/>"
            return f"<{name}>{draw(entity_text)}</{name}>"
        inner = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 4))))
        return f"<{name}>{draw(st.sampled_from(['', ' ', chr(10)]))}{inner}</{name}>"

    declaration = draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>']))
    return (declaration + element(1)).encode()


@FUZZ
@given(body=plain_xml_documents() | xml_documents())
def test_the_vectorised_xml_path_reads_as_the_streaming_one(body: bytes) -> None:
    plain = decoding._parse_plain_xml(body, 0)
    if plain is not None:
        assert as_read(plain) == as_read(decoding._stream_xml(body, 0))
