"""Response bodies (JSON or XML) → plain records, within bounds.

The format is read off the body itself, not the ``Content-Type``: proxies lie about the latter.
JSON and XML give the same records; XML values are all text and are typed later by
:mod:`smstools_tui.frames`, exactly like the JSON values.

The XML envelope is undocumented, so nothing depends on its element names: ``metadata`` and
``smsList`` are found under whatever root element, and the items under ``smsList`` whatever
they are called — wrapped (``<smsList><sms>…</sms></smsList>``) or repeated
(``<smsList>…</smsList><smsList>…</smsList>``), one item or none. A DTD or entity declaration is
refused before anything is expanded.

Every body is held to bounds while it is decoded, so that no answer can make decoding take more
than a small multiple of the body's size in memory; a body beyond one is refused with a
:class:`~smstools_tui.errors.RefusedAnswerError` that names it (and is never retried):

- nesting: at most :data:`MAX_NESTING` levels of lists, objects or elements;
- items: at most :data:`MAX_ITEMS` in one list, object or element;
- values: at most :data:`MAX_VALUES` values (JSON) or elements (XML) in one body;
- value length: at most :data:`MAX_VALUE_LENGTH` characters in one XML text or bytes in one JSON
  string;
- a message field holds one value: a list, an object, child elements or a repeated element there
  is refused, naming the field (fields the schema does not know are kept only when they hold a
  value).

XML is parsed by expat as a stream, into the records and little else, and the bounds are checked
chunk by chunk. The usual page (UTF-8, no attributes, comments or CDATA, up to 2 MiB) is read faster
without a Python callback per element: numpy finds its tags in the raw bytes and checks the bounds
on them before expat, with no callbacks, confirms it is well-formed; it gives the same mappings as
the stream. JSON is parsed whole by orjson, whose own limit keeps nesting under 1,024 levels; before
that, a body big enough to break a bound (over :data:`MAX_VALUE_LENGTH` bytes, or with
:data:`MAX_ITEMS` commas) is pre-scanned with numpy, a chunk at a time: strings (escapes included)
are told apart from structure, and nesting, items per list or object, values and string lengths are
counted from the raw bytes. The usual page needs none of that: a page whose only lists and objects
are the envelope and the messages themselves (``{`` and ``[`` counted in its bytes) cannot hide
structure anywhere, so only other pages are checked value by value.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any
from xml.parsers import expat

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import DecodeError, RefusedAnswerError, UnsafeXmlError

__all__ = [
    "MAX_ITEMS",
    "MAX_NESTING",
    "MAX_VALUES",
    "MAX_VALUE_LENGTH",
    "RECEIVED_FIELDS",
    "SENT_FIELDS",
    "SERVICE_FIELDS",
    "Page",
    "decode_error_body",
    "decode_items",
    "decode_object",
    "decode_page",
]

SENT_FIELDS = frozenset(
    {"id", "to", "text", "from", "status", "insertDate", "sentDate", "deliveryDate",
     "transactionId", "price", "statusDetail", "type"}
)  # fmt: skip
RECEIVED_FIELDS = frozenset({"from", "text", "receiveDate", "simId"})
SERVICE_FIELDS = frozenset({"id", "sim", "key", "expirationDate"})

MAX_NESTING = 32
"""Levels of lists, objects or elements one body may nest; real answers use four."""
MAX_ITEMS = 100_000
"""Items one list, object or element may hold: a page's messages, a message's fields."""
MAX_VALUES = 2_000_000
"""Values (JSON) or elements (XML) one body may hold; a page of 100,000 messages holds 1.3
million."""
MAX_VALUE_LENGTH = 1 << 20
"""Characters of one XML text, bytes of one JSON string as sent (1 MiB)."""

_BOM = b"\xef\xbb\xbf"
_CONTENT = re.compile(rb"[^ \t\n\r\x0b\x0c]")
_XML_CHUNK = 1 << 16
_JSON_CHUNK = 1 << 20
_ENVELOPE_CONTAINERS = 3
"""Lists and objects of a JSON page besides its messages: the root, metadata, smsList."""
_MAX_ITEM_DEPTH = 8
"""How deep items may sit under ``smsList``: real envelopes use two levels."""


@dataclass(frozen=True)
class Page:
    """One page of a search: the metadata and the items, as decoded."""

    count: int
    offset: int
    limit: int
    items: list[dict[str, Any]] = field(repr=False)


class _Refused(Exception):
    """Raised inside the XML parser's callbacks to stop at a DTD."""


class _OutOfBounds(Exception):
    """A body beyond a decoding bound, or structure where a value belongs."""


@dataclass(frozen=True)
class _Document:
    value: Any
    xml: bool
    structured: frozenset[int] | set[int]
    """XML: ids of the mappings holding more than text (child elements, repeated elements)."""
    body: bytes = field(repr=False)
    begin: int = 0

    def plain_page(self, messages: int) -> bool:
        """JSON: whether the only lists and objects are the envelope's and the messages', going
        by every ``{`` and ``[`` (in strings too): one list, two objects besides the messages."""
        body, begin = self.body, self.begin
        first = body.find(b"[", begin)
        if first >= 0 and body.find(b"[", first + 1) >= 0:  # find is far quicker than count
            return False
        return body.count(b"{", begin) <= messages + _ENVELOPE_CONTAINERS - 1


def parse_body(body: bytes, *, endpoint: str = "", offset: int | None = None) -> Any:
    """Parse a body as JSON or XML, whichever it is; XML comes back as nested mappings
    (child elements by name, a repeated element as a list, text as ``str``, empty as ``None``).

    Example:
        >>> parse_body(b"<r><a>1</a><a>2</a><b/></r>")
        {'r': {'a': ['1', '2'], 'b': None}}
    """
    return _parse(body, endpoint, offset).value


def _parse(body: bytes, endpoint: str, offset: int | None) -> _Document:
    begin = len(_BOM) if body.startswith(_BOM) else 0
    content = _CONTENT.search(body, begin)
    if content is None:
        raise DecodeError("the body is empty", endpoint=endpoint, offset=offset)
    begin = content.start()
    first = body[begin : begin + 1]
    try:
        if first in (b"{", b"["):
            return _Document(_parse_json(body, begin), False, frozenset(), body, begin)
        if first == b"<":
            tree, structured = _parse_xml(body, begin)
            return _Document(tree, True, structured, body, begin)
    except _OutOfBounds as refusal:
        raise RefusedAnswerError(str(refusal), endpoint=endpoint, offset=offset) from None
    except orjson.JSONDecodeError as error:
        raise DecodeError(
            f"invalid JSON ({error.msg} at byte {error.pos})", endpoint=endpoint, offset=offset
        ) from None
    except _Refused:
        raise UnsafeXmlError(
            "the XML declares a DTD or entities, which are refused",
            endpoint=endpoint,
            offset=offset,
        ) from None
    except expat.ExpatError as error:
        raise DecodeError(
            f"invalid XML ({expat.ErrorString(error.code)} at line {error.lineno})",
            endpoint=endpoint,
            offset=offset,
        ) from None
    preview = body[begin : begin + 40].decode("utf-8", "replace").splitlines()[0]
    raise DecodeError(
        f"the body is neither JSON nor XML (it starts {preview!r})",
        endpoint=endpoint,
        offset=offset,
    )


def decode_page(
    body: bytes, fields: frozenset[str], *, endpoint: str = "", offset: int | None = None
) -> Page:
    """Decode one page of ``/sms/search`` or ``/sms/received/search``.

    Example:
        >>> page = decode_page(
        ...     b'<r><metadata><count>1</count><offset>0</offset><limit>20</limit></metadata>'
        ...     b'<smsList><sms><id>7</id><text>hi</text></sms></smsList></r>', SENT_FIELDS)
        >>> page.count, page.items
        (1, [{'id': '7', 'text': 'hi'}])
    """
    document = _parse(body, endpoint, offset)
    found = _find_keys(document.value, ("metadata", "smsList"))
    if "metadata" not in found:
        raise DecodeError("the answer has no metadata", endpoint=endpoint, offset=offset)
    metadata = found["metadata"]
    if not isinstance(metadata, Mapping):
        raise DecodeError("the metadata is not a mapping", endpoint=endpoint, offset=offset)
    try:
        count = _integer(metadata.get("count"), "count")
        page_offset = _integer(metadata.get("offset", offset or 0), "offset")
        limit = _integer(metadata.get("limit", 0), "limit")
        listed = found.get("smsList")
        if document.xml:
            items = _items(listed, fields, document.structured)
        else:
            items = _json_items(document, listed, fields)
    except _OutOfBounds as refusal:
        raise RefusedAnswerError(str(refusal), endpoint=endpoint, offset=offset) from None
    except ValueError as error:
        raise DecodeError(str(error), endpoint=endpoint, offset=offset) from None
    return Page(count=count, offset=page_offset, limit=limit, items=items)


def decode_items(
    body: bytes, fields: frozenset[str], *, endpoint: str = ""
) -> list[dict[str, Any]]:
    """Decode a bare list (``/sms/received/sim/list``) into records.

    Example:
        >>> decode_items(b'[{"id": "1001", "sim": "393399999999"}]', SERVICE_FIELDS)
        [{'id': '1001', 'sim': '393399999999'}]
    """
    document = _parse(body, endpoint, None)
    try:
        if not document.xml:
            _check_nesting(document.value)
        return _items(document.value, fields, document.structured if document.xml else None)
    except _OutOfBounds as refusal:
        raise RefusedAnswerError(str(refusal), endpoint=endpoint) from None
    except ValueError as error:
        raise DecodeError(str(error), endpoint=endpoint) from None


def decode_object(body: bytes, *, endpoint: str = "") -> dict[str, Any]:
    """Decode a single object (``/user``), unwrapping an XML root element.

    Example:
        >>> decode_object(b"<user><name>Maria</name><credit>12.5</credit></user>")
        {'name': 'Maria', 'credit': '12.5'}
    """
    document = _parse(body, endpoint, None)
    value = document.value
    if not document.xml:
        try:
            _check_nesting(value)
        except _OutOfBounds as refusal:
            raise RefusedAnswerError(str(refusal), endpoint=endpoint) from None
    for _ in range(_MAX_ITEM_DEPTH):
        if not isinstance(value, Mapping):
            break
        children = _children(value)
        if len(children) == 1 and isinstance(children[0][1], Mapping):
            value = children[0][1]
            continue
        return {key: _plain(child) for key, child in children}
    raise DecodeError("the answer is not an object", endpoint=endpoint)


def _plain(value: Any, depth: int = 0) -> Any:
    """Scalars stay, an element with attributes becomes its text, lists are kept as lists;
    anything nested deeper than any real answer is dropped."""
    if depth > _MAX_ITEM_DEPTH:
        return None
    if isinstance(value, list):
        return [_plain(element, depth + 1) for element in value]
    if isinstance(value, Mapping) and "#text" in value:
        return value["#text"]
    if isinstance(value, Mapping):
        return {key: _plain(child, depth + 1) for key, child in _children(value)}
    return value


def decode_error_body(body: bytes) -> tuple[int | None, str | None]:
    """``(errorCode, errorMsg)`` from an error body, or ``(None, None)`` when it has none.

    Example:
        >>> decode_error_body(b'{"errorMsg":"BAD_DATE","errorCode":400}')
        (400, 'BAD_DATE')
    """
    try:
        found = _find_keys(parse_body(body), ("errorCode", "errorMsg"))
    except DecodeError:
        return None, None
    code, message = _lone(found.get("errorCode")), _lone(found.get("errorMsg"))
    try:
        number = int(str(code).strip()) if code is not None else None
    except ValueError:
        number = None
    return number, (str(message).strip()[:80] or None) if message is not None else None


def _lone(value: Any) -> Any:
    """A scalar as it is; anything else (a list, an object) as no value."""
    return None if isinstance(value, Mapping | list) else value


def _children(node: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Child entries of a mapping, without xmltodict-style attributes and text (``@``, ``#``)."""
    return [(key, value) for key, value in node.items() if not key.startswith(("@", "#"))]


def _find_keys(document: Any, keys: Iterable[str]) -> dict[str, Any]:
    """The shallowest values of ``keys`` anywhere among nested mappings (breadth first)."""
    wanted = set(keys)
    found: dict[str, Any] = {}
    level = [document]
    for _ in range(6):
        next_level = []
        for node in level:
            if not isinstance(node, Mapping):
                continue
            for key, value in node.items():
                if key in wanted and key not in found:
                    found[key] = value
                elif isinstance(value, Mapping):
                    next_level.append(value)
        if found.keys() >= wanted or not next_level:
            break
        level = next_level
    return found


def _items(
    node: Any, fields: frozenset[str], structured: frozenset[int] | set[int] | None, depth: int = 0
) -> list[dict[str, Any]]:
    """The records under ``node``. ``structured`` holds the ids of the XML mappings that hold
    more than text; ``None`` (JSON) has every record checked."""
    if depth > _MAX_ITEM_DEPTH:
        raise ValueError("the list is nested too deeply")
    if node is None or (isinstance(node, str) and not node.strip()):
        return []
    if isinstance(node, list):
        items: list[dict[str, Any]] = []
        for element in node:
            if (
                structured is not None
                and type(element) is dict
                and id(element) not in structured
                and not fields.isdisjoint(element)
            ):
                items.append(element)  # an XML message of plain text values: nothing to check
            else:
                items.extend(_items(element, fields, structured, depth + 1))
        return items
    if isinstance(node, Mapping):
        if not fields.isdisjoint(node.keys()):
            if structured is not None and type(node) is dict and id(node) not in structured:
                return [node]
            return [_record(node, fields, xml=structured is not None)]
        children = _children(node)
        if not children:
            return []
        if len(children) == 1:
            return _items(children[0][1], fields, structured, depth + 1)
        names = ", ".join(sorted(key for key, _ in children)[:5])
        raise ValueError(f"cannot find the list items among {names}")
    raise ValueError(f"expected a list of items, found {type(node).__name__}")


_CONTAINER_TYPES = frozenset({dict, list})


def _json_items(document: _Document, node: Any, fields: frozenset[str]) -> list[dict[str, Any]]:
    """JSON items as they are: the hot path. Only a page with more lists and objects than its
    envelope and messages is looked into, value by value."""
    if not (isinstance(node, list) and all(type(item) is dict for item in node)):
        _check_nesting(document.value)
        return _items(node, fields, None)
    if document.plain_page(len(node)):
        return node
    _check_nesting(document.value, skip=node)
    return [
        item
        if _CONTAINER_TYPES.isdisjoint(map(type, item.values()))
        else _record(item, fields, xml=False)
        for item in node
    ]


def _record(item: Mapping[str, Any], fields: frozenset[str], *, xml: bool) -> dict[str, Any]:
    """A message's fields, each one value: structure in a known field is refused, in another
    field dropped."""
    record: dict[str, Any] = {}
    for key, value in _children(item):
        if isinstance(value, Mapping | list):
            if key in fields:
                raise _OutOfBounds(_structure_in_field(key, value, xml=xml))
            value = None
        record[key] = value
    return record


def _structure_in_field(name: str, value: Any, *, xml: bool) -> str:
    if xml and isinstance(value, list):
        return f"field {name!r} appears more than once in one message"
    held = "elements" if xml else "a list" if isinstance(value, list) else "an object"
    return f"field {name!r} holds {held} where a single value belongs"


def _integer(value: Any, name: str) -> int:
    if isinstance(value, Mapping | list):
        raise ValueError(f"metadata {name} is not a single value")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"metadata {name} is {value!r}, not a whole number") from None
    if number < 0:
        raise ValueError(f"metadata {name} is negative ({number})")
    return number


def _check_nesting(value: Any, *, skip: Any = None) -> None:
    """Refuse a parsed JSON value nested deeper than :data:`MAX_NESTING` (``skip``: a list whose
    items are checked elsewhere, counted as one level)."""
    level = [value]
    for _ in range(MAX_NESTING):
        deeper: list[Any] = []
        for node in level:
            if node is skip:
                continue
            if isinstance(node, dict):
                deeper.extend(child for child in node.values() if type(child) in _CONTAINER_TYPES)
            elif isinstance(node, list):
                deeper.extend(child for child in node if type(child) in _CONTAINER_TYPES)
        if not deeper:
            return
        level = deeper
    raise _OutOfBounds(_too_deep())


def _too_deep() -> str:
    return f"the answer is nested deeper than {MAX_NESTING} levels"


# -- XML: a streaming parse into nested mappings, bounded as it goes ---------------------------


def _refuse_doctype(*_: Any) -> None:
    raise _Refused


def _parse_xml(body: bytes, begin: int) -> tuple[dict[str, Any], set[int]]:
    """The document as nested dicts, and the ids of the dicts that hold more than text."""
    plain = _parse_plain_xml(body, begin)
    return plain if plain is not None else _stream_xml(body, begin)


def _stream_xml(body: bytes, begin: int) -> tuple[dict[str, Any], set[int]]:
    """:func:`_parse_xml` for any body: expat's callbacks build the dicts.

    expat calls back for every element, so the callbacks do as little as they can: nothing per
    element counts depth or items. The stack of open elements is a deque of at most
    :data:`MAX_NESTING` entries: deeper, it drops the outermost one, which the next check or the
    way back up notices. Items are counted when a list of repeated elements grows or an element
    ends, and in the open elements after each chunk of :data:`_XML_CHUNK` bytes; elements are
    counted in each chunk before it is parsed.
    """
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = _XML_CHUNK
    parser.ordered_attributes = True  # attributes are ignored: a list is cheaper than a dict
    parser.StartDoctypeDeclHandler = _refuse_doctype
    stack: deque[dict[str, Any]] = deque(maxlen=MAX_NESTING)
    push, pop = stack.append, stack.pop
    structured: set[int] = set()
    mark = structured.add
    document: dict[str, Any] = {}
    children: dict[str, Any] | None = document
    text: str | None = None

    def start(name: str, attributes: list[str]) -> None:
        nonlocal children, text
        if children is None:
            children = {}
        push(children)
        children = text = None

    def end(name: str) -> None:
        nonlocal children
        value: Any
        try:
            if children is None:
                value = text
                children = pop()
            else:
                if len(children) > MAX_ITEMS:
                    raise _OutOfBounds(_too_many_elements(None))
                value = children
                children = pop()
                mark(id(children))
        except IndexError:  # the stack dropped an element on the way down
            raise _OutOfBounds(_too_deep()) from None
        existing = children.setdefault(name, value)
        if existing is value:
            # New, or a repetition of the very same object (an empty element, a one-character
            # text): either way the mapping reads the same.
            return
        if type(existing) is list:
            if len(existing) >= MAX_ITEMS:
                raise _OutOfBounds(_too_many_elements(name))
            existing.append(value)
        else:
            mark(id(children))
            children[name] = [existing, value]

    def data(content: str) -> None:
        nonlocal text
        if text is None:
            text = content  # at most a chunk long: expat hands text over chunk by chunk
        else:
            text += content
            if len(text) > MAX_VALUE_LENGTH:
                raise _OutOfBounds(_too_long())

    def check() -> None:
        if len(stack) == MAX_NESTING and stack[0] is not document:
            raise _OutOfBounds(_too_deep())
        for held in (*stack, children or {}):
            if len(held) > MAX_ITEMS:
                raise _OutOfBounds(_too_many_elements(None))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    view = memoryview(body)
    tags = 0
    for at in range(begin, len(body), _XML_CHUNK):
        # Every element starts with a "<" that no "/" follows (so do comments and the like).
        tags += body.count(b"<", at, at + _XML_CHUNK) - body.count(b"</", at, at + _XML_CHUNK)
        if tags > MAX_VALUES:
            raise _OutOfBounds(f"the answer holds more than {MAX_VALUES:,} elements")
        parser.Parse(view[at : at + _XML_CHUNK], False)
        check()
    parser.Parse(b"", True)
    check()
    return document, structured


_PLAIN_XML_BYTES = 2 << 20
"""Bodies up to this size (pages of about 5,000 messages) may take the vectorised path: its arrays
take about 30 times the body, which this keeps to tens of MiB."""
_XML_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_LT, _GT, _SLASH, _AMP, _EQUALS = ord("<"), ord(">"), ord("/"), ord("&"), ord("=")
_BANG, _QUESTION, _SPACE = ord("!"), ord("?"), ord(" ")
_REFERENCE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _parse_plain_xml(body: bytes, begin: int) -> tuple[dict[str, Any], set[int]] | None:
    """:func:`_parse_xml` for the usual page, without a Python callback per element; ``None``
    for anything else (the streaming parse then reads it, to the same result).

    The usual page is UTF-8 without attributes, comments, CDATA, processing instructions or
    carriage returns, and within every bound. Then every ``<`` opens a tag that the next ``>``
    closes, so numpy finds the elements, their depths and parents in the raw bytes; expat, with
    no callbacks, only confirms that the body is well-formed; Arrow cuts the names and texts out
    of the body; and an element whose children are all text, a message, becomes one
    ``dict(zip(...))``.
    """
    start = begin
    if body.startswith(b"<?xml", begin):
        close = body.find(b"?>", begin)
        if close < 0:
            return None
        encoding = _XML_ENCODING.search(body, begin, close)
        if encoding is not None and encoding[1].lower() not in (b"utf-8", b"utf8"):
            return None
        start = close + 2
    if len(body) - start > _PLAIN_XML_BYTES or body.find(b"\r", start) >= 0:
        return None
    data = np.frombuffer(body, dtype=np.uint8)
    lt = np.flatnonzero(data[start:] == _LT) + start
    gt = np.flatnonzero(data[start:] == _GT) + start
    following = np.searchsorted(gt, lt)
    if not lt.size or following[-1] == gt.size:
        return None
    ends = gt[following]  # where each tag ends: no attribute, so no ">" inside one
    # Every attribute has an "=": none may stand inside a tag.
    equals = np.flatnonzero(data[start:] == _EQUALS) + start
    marks = data[lt + 1]
    if (
        (ends[:-1] > lt[1:]).any()
        or (np.searchsorted(equals, lt) != np.searchsorted(equals, ends)).any()
        or ((marks == _BANG) | (marks == _QUESTION)).any()
    ):
        return None
    closing = marks == _SLASH
    empty = data[ends - 1] == _SLASH
    before = data[ends - 1 - empty]
    if (closing & empty).any() or (before <= _SPACE).any():
        return None
    level = np.cumsum(np.where(closing, -1, np.where(empty, 0, 1)), dtype=np.int64)
    tags = np.flatnonzero(~closing)  # the tags that open an element, in document order
    if level.min() < 0 or tags.size > MAX_VALUES:
        return None
    depth = level[tags] + empty[tags]
    is_leaf = empty[tags] | np.append(closing[1:], False)[tags]
    leaves = np.flatnonzero(is_leaf)
    text_from = ends[tags[leaves]] + 1
    text_to = np.where(
        empty[tags[leaves]], text_from, lt[np.minimum(tags[leaves] + 1, lt.size - 1)]
    )
    if depth.max() > MAX_NESTING or (text_to - text_from).max(initial=0) > MAX_VALUE_LENGTH:
        return None
    parent = np.full(tags.size, -1, dtype=np.int64)
    for nested in range(2, int(depth.max()) + 1):
        here = np.flatnonzero(depth == nested)
        holders = np.flatnonzero((depth == nested - 1) & ~is_leaf)
        parent[here] = holders[np.searchsorted(holders, here) - 1]
    children = np.bincount(parent[parent >= 0], minlength=tags.size)
    if children.max(initial=0) > MAX_ITEMS:
        return None
    try:
        expat.ParserCreate().Parse(memoryview(body)[begin:], True)
    except expat.ExpatError:
        return None
    names = _cut(body, lt[tags] + 1, ends[tags] - empty[tags]).dictionary_encode()
    name_ids = names.indices.to_numpy()
    keys = np.array(names.dictionary.to_pylist(), dtype=object)[name_ids]
    cut = _cut(body, text_from, text_to)
    texts: list[Any] = pc.if_else(pc.equal(cut, ""), None, cut).to_pylist()
    amps = np.flatnonzero(data[start:] == _AMP) + start
    if amps.size:
        holder = np.searchsorted(text_from, amps, side="right") - 1
        inside = (holder >= 0) & (amps < text_to[np.maximum(holder, 0)])
        for leaf in np.unique(holder[inside]).tolist():
            texts[leaf] = _REFERENCE.sub(_referenced, texts[leaf])
    return _assemble_xml(keys, texts, name_ids, parent, children, is_leaf)


def _cut(body: bytes, starts: np.ndarray, stops: np.ndarray) -> pa.Array:
    """The texts ``body[starts[i]:stops[i]]`` (in order, apart), as one Arrow array."""
    offsets = np.empty(2 * starts.size, dtype=np.int32)
    offsets[0::2], offsets[1::2] = starts, stops
    spans = pa.StringArray.from_buffers(
        max(offsets.size - 1, 0), pa.py_buffer(offsets), pa.py_buffer(body)
    )
    return spans[::2]


def _referenced(reference: re.Match[str]) -> str:
    hexadecimal, decimal, name = reference.groups()
    if name:
        return _NAMED[name]
    return chr(int(hexadecimal, 16) if hexadecimal else int(decimal))


def _assemble_xml(
    keys: np.ndarray,
    texts: list[Any],
    name_ids: np.ndarray,
    parent: np.ndarray,
    children: np.ndarray,
    is_leaf: np.ndarray,
) -> tuple[dict[str, Any], set[int]]:
    """The nested dicts from the elements' names, parents and texts (those of the leaves), in
    document order, as the streaming parse builds them: an element whose children are all text,
    under different names, in one ``dict(zip(...))``; a list of elements of one name at once;
    any other element child by child, the deepest first."""
    count = keys.size
    has_parent = parent >= 0
    text_children = np.bincount(parent[has_parent & is_leaf], minlength=count)
    flat = ~is_leaf & (children == text_children)
    width = int(name_ids.max(initial=0)) + 1
    named = np.sort(parent[is_leaf & has_parent] * width + name_ids[is_leaf & has_parent])
    flat[named[1:][named[1:] == named[:-1]] // width] = False  # a name twice: child by child
    leaf_at = np.cumsum(is_leaf) - 1  # the leaf number of each leaf
    leaf_keys = keys[is_leaf].tolist()
    # The children of a flat element are the leaves right after it.
    elements = np.flatnonzero(flat)
    firsts = leaf_at[elements + 1]
    spans = list(map(slice, firsts.tolist(), (firsts + children[elements]).tolist()))
    built: dict[int, Any] = dict(
        zip(
            elements.tolist(),
            map(dict, map(zip, map(leaf_keys.__getitem__, spans), map(texts.__getitem__, spans))),
            strict=True,
        )
    )
    others = np.flatnonzero(~is_leaf & ~flat)
    order = np.argsort(parent, kind="stable")
    groups = np.searchsorted(parent[order], others)
    alike = np.zeros(others.size, dtype=bool)
    if others.size:
        # Each one's children: the same name, and each an element of its own (not text)?
        kinds = np.append(name_ids[order] * 2 + is_leaf[order], 0)
        bounds = np.empty(2 * others.size, dtype=np.int64)
        bounds[0::2], bounds[1::2] = groups, groups + children[others]
        lowest = np.minimum.reduceat(kinds, bounds)[0::2]
        highest = np.maximum.reduceat(kinds, bounds)[0::2]
        alike = (lowest == highest) & (lowest % 2 == 0)
    all_keys, leaf_number = keys.tolist(), leaf_at.tolist()
    structured: set[int] = set()
    for element, at, same in zip(
        others[::-1].tolist(), groups[::-1].tolist(), alike[::-1].tolist(), strict=True
    ):
        held: dict[str, Any] = {}
        kids = order[at : at + int(children[element])].tolist()
        if same and len(kids) > 1:  # elements of one name, the messages under smsList
            held[all_keys[kids[0]]] = list(itemgetter(*kids)(built))
            structured.add(id(held))
        else:
            for child in kids:
                container = child in built
                value = built[child] if container else texts[leaf_number[child]]
                if container:
                    structured.add(id(held))
                existing = held.setdefault(all_keys[child], value)
                if existing is value:
                    continue
                structured.add(id(held))
                if type(existing) is list:
                    existing.append(value)
                else:
                    held[all_keys[child]] = [existing, value]
        built[element] = held
    root = built[0] if 0 in built else texts[0]
    document = {all_keys[0]: root}
    if 0 in built:
        structured.add(id(document))
    return document, structured


def _too_many_elements(name: str | None) -> str:
    what = f"elements named {name[:40]!r}" if name is not None else "different elements"
    return f"one element holds more than {MAX_ITEMS:,} {what}"


def _too_long() -> str:
    return f"a value is longer than {MAX_VALUE_LENGTH:,} characters"


# -- JSON: orjson, after a pre-scan of the bodies big enough to break a bound --------------------

_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_OPEN, _CLOSE, _COMMA = 1, -1, 2
_TOKENS = np.zeros(256, dtype=np.int8)
_TOKENS[[ord("["), ord("{")]] = _OPEN
_TOKENS[[ord("]"), ord("}")]] = _CLOSE
_TOKENS[ord(",")] = _COMMA
_KEY_BEFORE = re.compile(rb'"((?:[^"\\]|\\.){1,64})"\s*:\s*\Z')


def _parse_json(body: bytes, begin: int) -> Any:
    size = len(body) - begin
    # A list of MAX_ITEMS items needs MAX_ITEMS - 1 commas; a longer string, a longer body.
    commas = body.count(b",", begin) if size >= 2 * MAX_ITEMS - 1 else 0
    if size > MAX_VALUE_LENGTH or commas >= MAX_ITEMS - 1:
        _scan_json(body, begin, count_items=commas >= MAX_ITEMS - 1)
    return orjson.loads(memoryview(body)[begin:])


@dataclass
class _JsonState:
    """What the scan of one chunk hands the next."""

    in_string: bool = False
    string_start: int = 0
    escape_first: bool = False
    depth: int = 0
    values: int = 0
    commas: np.ndarray = field(default_factory=lambda: np.zeros(MAX_NESTING + 2, np.int64))
    """Per nesting level, the commas so far in the list or object open at that level."""
    opened_at: np.ndarray = field(default_factory=lambda: np.zeros(MAX_NESTING + 2, np.int64))


def _scan_json(body: bytes, begin: int, *, count_items: bool) -> None:
    """Refuse a JSON body beyond a bound, reading its raw bytes a chunk at a time.

    The scan follows JSON's own lexing (a ``\\`` escapes the next byte inside a string), so up
    to the first byte that is not JSON it sees exactly the structure orjson will build; past that
    byte orjson stops anyway.
    """
    data = np.frombuffer(body, dtype=np.uint8)
    state = _JsonState()
    for start in range(begin, len(body), _JSON_CHUNK):
        chunk = data[start : start + _JSON_CHUNK]
        quotes = np.flatnonzero(chunk == _QUOTE)
        if state.escape_first or body.find(b"\\", start, start + chunk.size) >= 0:
            quotes = _unescaped(chunk, quotes, state)
        was_in_string = state.in_string
        _check_strings(quotes + start, start + chunk.size, state)
        where = np.flatnonzero(_TOKENS[chunk])
        outside = ((np.searchsorted(quotes, where) + was_in_string) & 1) == 0
        where = where[outside]
        kinds = _TOKENS[chunk[where]]
        levels = state.depth + np.cumsum(np.where(kinds == _COMMA, 0, kinds), dtype=np.int64)
        if not levels.size:
            continue
        if levels.min() < 0:
            return  # a closer with nothing open: not JSON from here on
        if levels.max() > MAX_NESTING:
            raise _OutOfBounds(_too_deep())
        state.values += int(np.count_nonzero(kinds == _OPEN) + np.count_nonzero(kinds == _COMMA))
        if state.values > MAX_VALUES:
            raise _OutOfBounds(f"the answer holds more than {MAX_VALUES:,} values")
        if count_items:
            _count_items(body, start + where, kinds, levels, state)
        state.depth = int(levels[-1])


def _unescaped(chunk: np.ndarray, quotes: np.ndarray, state: _JsonState) -> np.ndarray:
    """The quotes no backslash escapes: those after a run of an odd number of backslashes are
    escaped (a run may go on from the chunk before)."""
    slashes = np.flatnonzero(chunk == _BACKSLASH)
    escaped = [np.zeros(1, np.int64)] if state.escape_first else []
    if state.escape_first and slashes.size and slashes[0] == 0:
        slashes = slashes[1:]  # escaped itself by the run that ended the chunk before
    if slashes.size:
        breaks = np.flatnonzero(np.diff(slashes) != 1) + 1
        firsts = slashes[np.concatenate(([0], breaks))]
        lasts = slashes[np.concatenate((breaks - 1, [slashes.size - 1]))]
        escaped.append(lasts[(lasts - firsts) % 2 == 0] + 1)
    targets = np.concatenate(escaped) if escaped else np.zeros(0, np.int64)
    state.escape_first = bool(targets.size and targets[-1] == chunk.size)
    return quotes[~np.isin(quotes, targets)]


def _check_strings(quotes: np.ndarray, end: int, state: _JsonState) -> None:
    """Pair the quotes into strings and refuse one longer than :data:`MAX_VALUE_LENGTH`."""
    if state.in_string:
        quotes = np.concatenate(([state.string_start], quotes))
    opens, closes = quotes[0::2], quotes[1::2]
    if closes.size and int((closes - opens[: closes.size]).max()) > MAX_VALUE_LENGTH + 1:
        raise _OutOfBounds(_too_long_string())
    state.in_string = bool(quotes.size % 2)
    if state.in_string:
        state.string_start = int(quotes[-1])
        if end - state.string_start > MAX_VALUE_LENGTH + 1:
            raise _OutOfBounds(_too_long_string())


def _too_long_string() -> str:
    return f"a value is longer than {MAX_VALUE_LENGTH:,} bytes"


def _count_items(
    body: bytes, where: np.ndarray, kinds: np.ndarray, levels: np.ndarray, state: _JsonState
) -> None:
    """Count the commas of every list and object (at most :data:`MAX_NESTING` levels, a pass
    each), carrying the ones still open to the next chunk."""
    final = int(levels[-1])
    is_comma = kinds == _COMMA
    comma_levels, comma_at = levels[is_comma], np.flatnonzero(is_comma)
    is_open = kinds == _OPEN
    open_levels, open_at = levels[is_open], np.flatnonzero(is_open)
    for level in np.union1d(comma_levels, np.arange(1, final + 1)):
        opens = open_at[open_levels == level]
        group = np.searchsorted(opens, comma_at[comma_levels == level])
        counts = np.bincount(group, minlength=opens.size + 1)
        counts[0] += state.commas[level]  # those of the list or object open before this chunk
        worst = int(counts.argmax())
        if counts[worst] + 1 > MAX_ITEMS:
            opener = state.opened_at[level] if worst == 0 else where[opens[worst - 1]]
            raise _OutOfBounds(_too_many_items(body, int(opener)))
        if level <= final:
            state.commas[level] = counts[-1]
            if opens.size:
                state.opened_at[level] = where[opens[-1]]
    state.commas[final + 1 :] = 0


def _too_many_items(body: bytes, opener: int) -> str:
    key = _KEY_BEFORE.search(body, max(0, opener - 200), opener)
    if key is None:
        return f"a list or object holds more than {MAX_ITEMS:,} items"
    name = key.group(1).decode("utf-8", "replace")
    return f"field {name!r} holds more than {MAX_ITEMS:,} items"
