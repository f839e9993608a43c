"""The Smstools API emulated over a :class:`SandboxAccount`, independent of any transport.

:class:`SandboxApi` turns a request (method, path, query, headers) into a response (status,
headers, body) the way the gateway does: HTTP Basic auth, JSON or XML by ``Accept``, the four
GET endpoints, the documented error codes, a page-size cap, newest messages first. The HTTP server
(:mod:`.server`) and the in-process demo transport (:meth:`SandboxApi.transport`) both serve it.

Faults can be injected at a seeded random rate (:class:`FaultPlan`), to prove that clients
recover: server errors, rate limiting with ``Retry-After``, dropped connections.
"""

from __future__ import annotations

import base64
import functools
import hmac
import random
import re
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import httpx
import numpy as np
import orjson

from ..frames import STATUSES
from .data import SandboxAccount

__all__ = [
    "BOMB_BYTES",
    "SANDBOX_KEY",
    "SANDBOX_SECRET",
    "FaultPlan",
    "SandboxApi",
    "SandboxResponse",
    "XmlStyle",
    "compression_bomb",
    "encode_xml_page",
]

SANDBOX_KEY = "sandbox-key"
SANDBOX_SECRET = "sandbox-secret"  # noqa: S105 - the sandbox's public, documented demo secret
API_PREFIX = "/rest/api"

_API_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


@dataclass(frozen=True)
class FaultPlan:
    """Faults to inject, at random but seeded, or all of them after a number of requests.

    Attributes:
        rate: the share of requests that fail (0 to 1).
        kinds: which faults (see :data:`FAULT_KINDS`): ``500``, ``502`` (a proxy's HTML page),
            ``503``, ``429`` (with ``Retry-After``), ``drop`` (the connection closes in the middle
            of the body), ``timeout`` (no answer in time), ``truncate`` (a 200 whose body is cut
            short), ``html200`` (a proxy's HTML error page with status 200), ``content_type`` (the
            right body under the wrong ``Content-Type``), ``count`` (a page whose ``count`` is
            off by a few), ``empty`` (a page with no items although more match), ``repeat`` (a
            page that holds the previous page's items again), ``offset`` (a page that echoes the
            wrong ``offset``), ``bomb`` (a 200 of a few kilobytes, gzip inside gzip, that inflates
            to :data:`BOMB_BYTES`), ``trickle`` (a good answer sent a byte at a time, ``trickle``
            seconds apart, that no per-read timeout ends; in-process, the body stops part-way with
            the read timeout a deadline gives).
        retry_after: the seconds a 429 asks to wait.
        seed: the seed of the fault sequence.
        after: when set, every request after this many (counted over all endpoints) fails: the
            network going down in the middle of a long job, at a repeatable moment.

    Example:
        >>> FaultPlan(after=10, kinds=("drop",)).after
        10
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = ("500", "503", "429", "drop")
    retry_after: float = 1.0
    seed: int = 0
    after: int | None = None
    stall: float = 2.0
    """How long a ``timeout`` keeps the HTTP server silent before it drops the connection."""
    trickle: float = 0.5
    """Seconds between the bytes of a ``trickle`` over HTTP."""

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {', '.join(sorted(unknown))}")


FAULT_KINDS = (
    "500", "502", "503", "429", "drop", "timeout", "bomb",
    "truncate", "html200", "content_type", "count", "empty", "repeat", "offset", "trickle",
)  # fmt: skip
"""Every fault the sandbox can inject. The first seven replace the answer; the others spoil it."""
_PAGE_SPOILERS = frozenset({"count", "empty", "repeat", "offset"})
_SPOILERS = frozenset({"truncate", "html200", "content_type", "trickle"}) | _PAGE_SPOILERS
BOMB_BYTES = 256 * 1024 * 1024
"""What a ``bomb`` inflates to: four times the client's default body limit."""
_PROXY_PAGE = (
    b"<html><head><title>{status}</title></head><body><h1>{status}</h1>"
    b"<p>The proxy server received an invalid response from an upstream server.</p></body></html>"
)


@dataclass(frozen=True)
class XmlStyle:
    """Element names of the XML envelope, which the API does not document.

    ``item=None`` writes the items as repeated ``<smsList>`` elements, without a wrapper.
    """

    root: str = "response"
    item: str | None = "sms"


@dataclass
class SandboxResponse:
    """A response before it meets a transport. ``fault="drop"`` asks the transport to break
    the connection in the middle of the body."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    fault: str | None = None


class _BadRequest(Exception):
    def __init__(self, status: int, code: str) -> None:
        self.status, self.code = status, code


class SandboxApi:
    """The emulated API over ``account``.

    Args:
        account: the data to serve.
        page_cap: the largest page the server applies, whatever ``limit`` asks.
        clock: the server's current time; messages inserted later are not visible yet and
            statuses are as of this time. Default: the real clock.
        faults: faults to inject.
        credentials: the (key, secret) pair accepted.
        xml_style: the XML element names.
        on_request: called with ``(path, params)`` before each request is answered (tests use it
            to change the data in the middle of a fetch).
        lag: seconds a message takes to become searchable after its insert (or receive) date,
            as behind a replicated database: a message dated just before a search may appear
            only in a later one.

    Example:
        >>> from smstools_tui.sandbox import AccountSpec, generate_account
        >>> api = SandboxApi(generate_account(AccountSpec(sent=500, received=50)))
        >>> api.handle("GET", "/rest/api/sms/search", "", {}).status
        401
    """

    def __init__(
        self,
        account: SandboxAccount,
        *,
        page_cap: int = 250,
        clock: Callable[[], datetime] | None = None,
        faults: FaultPlan | None = None,
        credentials: tuple[str, str] = (SANDBOX_KEY, SANDBOX_SECRET),
        xml_style: XmlStyle | None = None,
        zone: str = "Europe/Rome",
        on_request: Callable[[str, dict[str, str]], None] | None = None,
        lag: int = 0,
    ) -> None:
        self.account = account
        self.lag = lag
        self.page_cap = page_cap
        self.clock = clock or (lambda: datetime.now(UTC))
        self.faults = faults or FaultPlan()
        self.xml_style = xml_style or XmlStyle()
        self.zone = ZoneInfo(zone)
        self.on_request = on_request
        self.requests: Counter[str] = Counter()
        self.faults_injected: Counter[str] = Counter()
        self._expected_auth = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
        self._fault_random = random.Random(self.faults.seed)
        self._lock = threading.Lock()

    # -- entry points ----------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: str, headers: Mapping[str, str]
    ) -> SandboxResponse:
        """Answer one request. ``path`` includes the ``/rest/api`` prefix; ``query`` is the raw
        query string; header names are matched case-insensitively."""
        lower = {name.lower(): value for name, value in headers.items()}
        xml = _wants_xml(lower.get("accept", ""))
        endpoint = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else path
        endpoint = endpoint.rstrip("/") or "/"
        with self._lock:
            self.requests[endpoint] += 1
            fault = self._pick_fault(sum(self.requests.values()))
        if fault and fault not in _SPOILERS:
            return self._fault(fault, xml)
        response = self._answer(method, endpoint, lower, query, xml, fault)
        if fault in _SPOILERS - _PAGE_SPOILERS and response.status == 200:
            return self._spoil(fault, response, xml)
        return response

    def _answer(
        self,
        method: str,
        endpoint: str,
        lower: dict[str, str],
        query: str,
        xml: bool,
        fault: str | None,
    ) -> SandboxResponse:
        if method.upper() != "GET":
            return self._error(405, "METHOD_NOT_ALLOWED", xml)
        if not hmac.compare_digest(lower.get("authorization", ""), self._expected_auth):
            return self._error(401, "BAD_CREDENTIALS", xml)
        params = {
            key: values[-1] for key, values in parse_qs(query, keep_blank_values=True).items()
        }
        if self.on_request is not None:
            self.on_request(endpoint, params)
        try:
            page_fault = fault if fault in _PAGE_SPOILERS else None
            if endpoint == "/sms/search":
                return self._sent_search(params, xml, page_fault)
            if endpoint == "/sms/received/search":
                return self._received_search(params, xml, page_fault)
            if endpoint == "/sms/received/sim/list":
                return self._encode_list(self.account.services, "simList", "item", xml)
            if endpoint == "/user":
                user = {**self.account.user, "authKey": SANDBOX_KEY, "authSecret": SANDBOX_SECRET}
                return self._encode_object(user, "user", xml)
        except _BadRequest as error:
            return self._error(error.status, error.code, xml)
        return self._error(404, "NOT_FOUND", xml)

    def transport(self, latency: float = 0.0) -> httpx.MockTransport:
        """An httpx transport that answers in-process (the ``--demo`` mode)."""

        def answer(request: httpx.Request) -> httpx.Response:
            if latency:
                time.sleep(latency)
            response = self.handle(
                request.method, request.url.path, request.url.query.decode(), request.headers
            )
            if response.fault == "drop":
                raise httpx.RemoteProtocolError("peer closed connection", request=request)
            if response.fault == "timeout":
                raise httpx.ReadTimeout("timed out", request=request)
            stream: httpx.SyncByteStream = httpx.ByteStream(response.body)
            if response.fault == "trickle":
                stream = _Trickled(response.body, request)
            # A stream, not content=: httpx would read and decode a content= body on the spot,
            # unbounded, before the client's own bounded reader sees it.
            return httpx.Response(
                response.status,
                headers={
                    "Content-Type": response.content_type,
                    "Content-Length": str(len(response.body)),
                    **response.headers,
                },
                stream=stream,
            )

        return httpx.MockTransport(answer)

    def now(self) -> int:
        return int(self.clock().timestamp())

    # -- searches --------------------------------------------------------------------------------

    def _sent_search(
        self, params: dict[str, str], xml: bool, fault: str | None = None
    ) -> SandboxResponse:
        if not any(
            params.get(name) for name in ("id", "transactionId", "msisdn", "fromDate", "status")
        ):
            raise _BadRequest(400, "NO_PARAMS")
        table, now = self.account.sent, self.now()
        lo, hi = _window(table.insert, params, now - self.lag)
        rows = np.arange(lo, hi)
        if params.get("id"):
            try:
                ids = [int(value) for value in params["id"].split(",")]
            except ValueError:
                raise _BadRequest(400, "BAD_ID") from None
            rows = rows[np.isin(table.id[rows], ids)]
        if params.get("msisdn"):
            if not params["msisdn"].isdigit():
                raise _BadRequest(400, "BAD_MSISDN")
            rows = rows[table.to[rows] == params["msisdn"]]
        if params.get("transactionId"):
            try:
                code = table.transactions.index(params["transactionId"])
            except ValueError:
                code = -2  # matches nothing
            rows = rows[table.transaction[rows] == code]
        if params.get("status"):
            if params["status"] not in STATUSES:
                raise _BadRequest(400, "BAD_STATUS")
            rows = rows[table.status_at(now, rows) == STATUSES.index(params["status"])]
        page, metadata = self._page(rows[::-1], params, fault)
        records = table.records(page, now, self.zone)
        return self._encode_page(metadata, records, xml)

    def _received_search(
        self, params: dict[str, str], xml: bool, fault: str | None = None
    ) -> SandboxResponse:
        if not any(params.get(name) for name in ("from", "simIdRef", "fromDate", "toDate")):
            raise _BadRequest(400, "NO_PARAMS")
        table, now = self.account.received, self.now()
        lo, hi = _window(table.receive, params, now - self.lag)
        rows = np.arange(lo, hi)
        if params.get("from"):
            senders = [_plus(number) for number in params["from"].split(",")]
            if not all(sender[1:].isdigit() for sender in senders):
                raise _BadRequest(400, "BAD_MSISDN")
            rows = rows[np.isin(table.sender[rows], senders)]
        if params.get("simIdRef"):
            services = table.services
            code = services.index(params["simIdRef"]) if params["simIdRef"] in services else -2
            rows = rows[table.service[rows] == code]
        page, metadata = self._page(rows[::-1], params, fault)
        records = [table.record(int(row), self.zone) for row in page]
        return self._encode_page(metadata, records, xml)

    def _page(
        self, rows: np.ndarray, params: dict[str, str], fault: str | None = None
    ) -> tuple[np.ndarray, dict[str, int]]:
        try:
            offset = int(params.get("offset") or 0)
            asked = int(params.get("limit") or 20)
        except ValueError:
            raise _BadRequest(400, "BAD_PARAMS") from None
        if offset < 0 or asked < 1:
            raise _BadRequest(400, "BAD_PARAMS")
        limit = min(asked, self.page_cap)
        page, count, echoed = rows[offset : offset + limit], len(rows), offset
        if fault == "count":
            with self._lock:
                count = max(0, count + self._fault_random.choice((-3, -2, -1, 1, 2, 3)))
        elif fault == "empty":
            page = page[:0]
        elif fault == "repeat":
            page = rows[max(0, offset - limit) : max(0, offset - limit) + limit]
        elif fault == "offset":
            echoed = offset + limit
        return page, {"count": count, "offset": echoed, "limit": limit}

    # -- faults ----------------------------------------------------------------------------------

    def _pick_fault(self, request_number: int) -> str | None:
        plan = self.faults
        down = plan.after is not None and request_number > plan.after
        if not down and (plan.rate <= 0 or self._fault_random.random() >= plan.rate):
            return None
        kind = self._fault_random.choice(plan.kinds)
        self.faults_injected[kind] += 1
        return kind

    def _fault(self, kind: str, xml: bool) -> SandboxResponse:
        if kind == "429":
            response = self._error(429, "TOO_MANY_REQUESTS", xml)
            response.headers["Retry-After"] = f"{self.faults.retry_after:g}"
            return response
        if kind in ("drop", "timeout"):
            response = self._error(500, "GENERIC_ERROR", xml)
            response.fault = kind
            return response
        if kind == "bomb":
            return SandboxResponse(
                200,
                compression_bomb(),
                "application/xml" if xml else "application/json",
                {"Content-Encoding": "gzip, gzip"},
            )
        if kind == "502":
            return SandboxResponse(
                502, _PROXY_PAGE.replace(b"{status}", b"502 Bad Gateway"), "text/html"
            )
        return self._error(int(kind), "GENERIC_ERROR", xml)

    def _spoil(self, kind: str, response: SandboxResponse, xml: bool) -> SandboxResponse:
        """A proxy or a flaky link spoiling a good answer."""
        if kind == "truncate":
            with self._lock:
                cut = self._fault_random.randrange(0, max(len(response.body) - 1, 1))
            response.body = response.body[:cut]
        elif kind == "html200":
            response.body = _PROXY_PAGE.replace(b"{status}", b"Service temporarily unavailable")
            response.content_type = "text/html"
        elif kind == "content_type":
            response.content_type = "application/json" if xml else "text/xml"
        elif kind == "trickle":
            response.fault = "trickle"
        return response

    # -- encoding --------------------------------------------------------------------------------

    def _error(self, status: int, code: str, xml: bool) -> SandboxResponse:
        return self._encode_object({"errorCode": status, "errorMsg": code}, "error", xml, status)

    def _encode_page(
        self, metadata: dict[str, int], records: list[dict[str, Any]], xml: bool
    ) -> SandboxResponse:
        if xml:
            body = encode_xml_page(metadata, records, self.xml_style)
            return SandboxResponse(200, body, "application/xml")
        return SandboxResponse(200, orjson.dumps({"metadata": metadata, "smsList": records}))

    def _encode_list(
        self, items: Sequence[Mapping[str, Any]], root: str, item: str, xml: bool
    ) -> SandboxResponse:
        if xml:
            inner = "".join(f"<{item}>{_xml_fields(entry)}</{item}>" for entry in items)
            return SandboxResponse(
                200, _xml_document(f"<{root}>{inner}</{root}>"), "application/xml"
            )
        return SandboxResponse(200, orjson.dumps(list(items)))

    def _encode_object(
        self, values: Mapping[str, Any], root: str, xml: bool, status: int = 200
    ) -> SandboxResponse:
        if xml:
            body = _xml_document(f"<{root}>{_xml_fields(values)}</{root}>")
            return SandboxResponse(status, body, "application/xml")
        return SandboxResponse(status, orjson.dumps(dict(values)))


@functools.cache
def compression_bomb() -> bytes:
    """:data:`BOMB_BYTES` of spaces, gzipped, gzipped again: about 1 KB that a client which
    inflates without counting turns into a quarter of a gibibyte."""
    inner = zlib.compressobj(9, zlib.DEFLATED, _GZIP_WBITS)
    piece = b" " * (1 << 20)
    layer = b"".join(
        [inner.compress(piece) for _ in range(BOMB_BYTES // len(piece))] + [inner.flush()]
    )
    outer = zlib.compressobj(9, zlib.DEFLATED, _GZIP_WBITS)
    return outer.compress(layer) + outer.flush()


_GZIP_WBITS = zlib.MAX_WBITS | 16


class _Trickled(httpx.SyncByteStream):
    """A body arriving a byte at a time until the deadline of a client's request ends it: the
    in-process stand-in for a trickle, which has no socket to be slow on."""

    def __init__(self, body: bytes, request: httpx.Request) -> None:
        self.body = body
        self.request = request

    def __iter__(self) -> Iterator[bytes]:
        for index in range(len(self.body) // 3):
            yield self.body[index : index + 1]
        raise httpx.ReadTimeout("the answer trickled past its deadline", request=self.request)


def encode_xml_page(
    metadata: Mapping[str, int], records: Sequence[Mapping[str, Any]], style: XmlStyle | None = None
) -> bytes:
    """One search page as XML in the given envelope style (absent values are left out)."""
    style = style or XmlStyle()
    head = f"<metadata>{_xml_fields(metadata)}</metadata>"
    if style.item is None:
        items = "".join(f"<smsList>{_xml_fields(record)}</smsList>" for record in records)
    else:
        inner = "".join(f"<{style.item}>{_xml_fields(record)}</{style.item}>" for record in records)
        items = f"<smsList>{inner}</smsList>"
    return _xml_document(f"<{style.root}>{head}{items}</{style.root}>")


def _xml_document(inner: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + inner).encode("utf-8")


def _xml_fields(values: Mapping[str, Any]) -> str:
    parts = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, list):
            inner = "".join(f"<item>{_xml_text(element)}</item>" for element in value)
            parts.append(f"<{name}>{inner}</{name}>")
        else:
            parts.append(f"<{name}>{_xml_text(value)}</{name}>")
    return "".join(parts)


def _xml_text(value: Any) -> str:
    text = repr(value) if isinstance(value, float) else str(value)
    # XML 1.0 cannot carry most control characters, even as references: they become U+FFFD.
    return _XML_ILLEGAL.sub("\ufffd", text).translate(_XML_ESCAPES)


def _wants_xml(accept: str) -> bool:
    return "xml" in accept.lower() and "json" not in accept.lower().split("xml")[0]


def _plus(number: str) -> str:
    number = number.strip()
    return number if number.startswith("+") else "+" + number


def _window(times: np.ndarray, params: dict[str, str], now: int) -> tuple[int, int]:
    start = _api_epoch(params.get("fromDate"))
    end = _api_epoch(params.get("toDate"))
    lo = 0 if start is None else int(np.searchsorted(times, start, side="left"))
    upper = now if end is None else min(end, now)
    hi = int(np.searchsorted(times, upper, side="right"))
    return lo, max(lo, hi)


def _api_epoch(text: str | None) -> int | None:
    if not text:
        return None
    if not _API_DATE.fullmatch(text):
        raise _BadRequest(400, "BAD_DATE")
    try:
        return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z").timestamp())
    except ValueError:
        raise _BadRequest(400, "BAD_DATE") from None
