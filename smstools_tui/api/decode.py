"""Response bodies (JSON or XML) → plain records.

The format is read off the body itself, not the ``Content-Type``: proxies lie about the latter.
JSON and XML give the same records; XML values are all text and are typed later by
:mod:`smstools_tui.frames`, exactly like the JSON values.

The XML envelope is undocumented, so nothing depends on its element names: ``metadata`` and
``smsList`` are found under whatever root element, and the items under ``smsList`` whatever
they are called — wrapped (``<smsList><sms>…</sms></smsList>``) or repeated
(``<smsList>…</smsList><smsList>…</smsList>``), one item or none. A DTD or entity declaration is
refused before anything is expanded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

import orjson
import xmltodict

from ..errors import DecodeError, UnsafeXmlError

__all__ = [
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
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Page:
    """One page of a search: the metadata and the items, as decoded."""

    count: int
    offset: int
    limit: int
    items: list[dict[str, Any]] = field(repr=False)


class _Refused(Exception):
    """Raised inside the XML parser's callbacks to stop at a DTD."""


class _GuardedExpat:
    """The ``expat`` module as xmltodict sees it, with DTDs refused at their first byte."""

    ExpatError = expat.ExpatError

    @staticmethod
    def ParserCreate(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - expat's own name
        parser = expat.ParserCreate(*args, **kwargs)

        def refuse(*_: Any) -> None:
            raise _Refused

        parser.StartDoctypeDeclHandler = refuse
        return parser


def parse_body(body: bytes, *, endpoint: str = "", offset: int | None = None) -> Any:
    """Parse a body as JSON or XML, whichever it is; XML comes back as xmltodict's mapping."""
    return _parse(body, endpoint, offset)[0]


def _parse(body: bytes, endpoint: str, offset: int | None) -> tuple[Any, bool]:
    """The parsed document, and whether it was XML."""
    start = body[len(_BOM) :] if body.startswith(_BOM) else body
    start = start.lstrip()
    if not start:
        raise DecodeError("the body is empty", endpoint=endpoint, offset=offset)
    first = start[:1]
    if first in (b"{", b"["):
        try:
            return orjson.loads(start), False
        except orjson.JSONDecodeError as error:
            raise DecodeError(
                f"invalid JSON ({error.msg} at byte {error.pos})", endpoint=endpoint, offset=offset
            ) from None
    if first == b"<":
        try:
            document = xmltodict.parse(
                start, expat=_GuardedExpat, strip_whitespace=False, disable_entities=True
            )
            return document, True
        except (_Refused, ValueError):
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
    preview = start[:40].decode("utf-8", "replace").splitlines()[0]
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
    document, is_xml = _parse(body, endpoint, offset)
    found = _find_keys(document, ("metadata", "smsList"))
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
        items = _items(listed, fields) if is_xml else _json_items(listed, fields)
    except ValueError as error:
        raise DecodeError(str(error), endpoint=endpoint, offset=offset) from None
    return Page(count=count, offset=page_offset, limit=limit, items=items)


def decode_items(
    body: bytes, fields: frozenset[str], *, endpoint: str = ""
) -> list[dict[str, Any]]:
    """Decode a bare list (``/sms/received/sim/list``) into records."""
    document = parse_body(body, endpoint=endpoint)
    try:
        return _items(document, fields)
    except ValueError as error:
        raise DecodeError(str(error), endpoint=endpoint) from None


def decode_object(body: bytes, *, endpoint: str = "") -> dict[str, Any]:
    """Decode a single object (``/user``), unwrapping an XML root element."""
    document = parse_body(body, endpoint=endpoint)
    for _ in range(_MAX_DEPTH):
        if not isinstance(document, Mapping):
            break
        children = _children(document)
        if len(children) == 1 and isinstance(children[0][1], Mapping):
            document = children[0][1]
            continue
        return {key: _plain(value) for key, value in children}
    raise DecodeError("the answer is not an object", endpoint=endpoint)


def _plain(value: Any, depth: int = 0) -> Any:
    """Scalars stay, an element with attributes becomes its text, lists are kept as lists;
    anything nested deeper than any real answer is dropped."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, list):
        return [_plain(element, depth + 1) for element in value]
    if isinstance(value, Mapping) and "#text" in value:
        return value["#text"]
    if isinstance(value, Mapping):
        return {key: _plain(child, depth + 1) for key, child in _children(value)}
    return value


def decode_error_body(body: bytes) -> tuple[int | None, str | None]:
    """``(errorCode, errorMsg)`` from an error body, or ``(None, None)`` when it has none."""
    try:
        found = _find_keys(parse_body(body), ("errorCode", "errorMsg"))
    except DecodeError:
        return None, None
    code, message = found.get("errorCode"), found.get("errorMsg")
    try:
        number = int(str(_scalar(code)).strip()) if code is not None else None
    except ValueError:
        number = None
    text = _scalar(message)
    return number, (str(text).strip()[:80] or None) if text is not None else None


def _children(node: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Child elements of an xmltodict mapping, without attributes, text or comments."""
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


_MAX_DEPTH = 8
"""How deep items may sit under ``smsList``: real envelopes use two levels; a hostile body could
nest thousands."""


def _items(node: Any, fields: frozenset[str], depth: int = 0) -> list[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        raise ValueError("the list is nested too deeply")
    if node is None or (isinstance(node, str) and not node.strip()):
        return []
    if isinstance(node, list):
        items: list[dict[str, Any]] = []
        for element in node:
            items.extend(_items(element, fields, depth + 1))
        return items
    if isinstance(node, Mapping):
        if not fields.isdisjoint(node.keys()):
            return [_record(node)]
        children = _children(node)
        if not children:
            return []
        if len(children) == 1:
            return _items(children[0][1], fields, depth + 1)
        names = ", ".join(sorted(key for key, _ in children)[:5])
        raise ValueError(f"cannot find the list items among {names}")
    raise ValueError(f"expected a list of items, found {type(node).__name__}")


def _json_items(node: Any, fields: frozenset[str]) -> list[dict[str, Any]]:
    """JSON items as they are: the hot path, with no per-item work beyond a type check (the
    frame builder turns any unexpected value into text)."""
    if isinstance(node, list) and all(type(item) is dict for item in node):
        return node
    return _items(node, fields)


def _record(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _scalar(value) for key, value in _children(item)}


def _scalar(value: Any) -> Any:
    """An element's value: its text when it carries attributes; a repeated element is refused."""
    if isinstance(value, Mapping):
        return value.get("#text")
    if isinstance(value, list):
        raise ValueError("a field is repeated inside one item")
    return value


def _integer(value: Any, name: str) -> int:
    try:
        number = int(str(_scalar(value)).strip())
    except (TypeError, ValueError):
        raise ValueError(f"metadata {name} is {value!r}, not a whole number") from None
    if number < 0:
        raise ValueError(f"metadata {name} is negative ({number})")
    return number
