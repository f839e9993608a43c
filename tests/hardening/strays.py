"""Stray records: a server whose window searches also answer records they should not (dated
outside the span searched, or outside any sane range), the rest of each answer being the
sandbox's. For :class:`~tests.hardening.hostile.HostileServer` (an override) and for the
in-process sandbox transport alike."""

from __future__ import annotations

import json
from typing import Any

import httpx

from smstools_tui.sandbox import SandboxApi
from smstools_tui.sandbox.emulator import API_PREFIX

from .hostile import Reply, Request

__all__ = ["StrayRecords"]


class StrayRecords:
    """Adds ``records`` to every JSON window search of ``endpoint``, as the last records of the
    result set: the ``count`` of every page grows to match, and the page that reaches past the
    true end carries them. Emptying ``records`` mends the server.

    Example:
        >>> strays = StrayRecords("/sms/received/search", {"text": "stray"})
        >>> page = b'{"metadata": {"count": 1, "offset": 0, "limit": 50}, "smsList": [{}]}'
        >>> json.loads(strays.page("/sms/received/search", {"fromDate": "x"}, page))
        {'metadata': {'count': 2, 'offset': 0, 'limit': 50}, 'smsList': [{}, {'text': 'stray'}]}
    """

    def __init__(self, endpoint: str, *records: dict[str, Any]) -> None:
        self.endpoint, self.records = endpoint, list(records)
        self.api: SandboxApi | None = None
        """The sandbox that answers first (set it for :meth:`__call__`)."""

    def page(self, endpoint: str, params: dict[str, str], body: bytes) -> bytes:
        """``body`` with the strays added, when it is a page of a window search of
        ``endpoint`` in JSON; else ``body`` unchanged."""
        if endpoint != self.endpoint or "fromDate" not in params or not self.records:
            return body
        try:
            page = json.loads(body)
            metadata, items = page["metadata"], page["smsList"]
            total, start, limit = metadata["count"], metadata["offset"], metadata["limit"]
        except (ValueError, KeyError, TypeError):
            return body  # an error, a spoilt body: not a page to add to
        metadata["count"] = total + len(self.records)
        for index, record in enumerate(self.records, start=total):
            if start <= index < start + limit:
                items.append(record)
        return json.dumps(page).encode()

    def __call__(self, request: Request) -> Reply | None:
        """The :class:`HostileServer` override."""
        if self.api is None or request.endpoint != self.endpoint:
            return None
        answer = self.api.handle(
            request.method, API_PREFIX + request.endpoint, request.query, request.headers
        )
        body = self.page(request.endpoint, request.params, answer.body)
        return Reply(answer.status, [("Content-Type", answer.content_type)], body)

    def transport(self, api: SandboxApi) -> httpx.MockTransport:
        """``api``'s in-process transport, faults included, with the strays added."""
        inner = api.transport()

        def answer(request: httpx.Request) -> httpx.Response:
            response = inner.handle_request(request)
            endpoint = request.url.path.removeprefix(API_PREFIX)
            params = dict(request.url.params)
            body = self.page(endpoint, params, response.read())
            headers = [(k, v) for k, v in response.headers.items() if k != "content-length"]
            return httpx.Response(response.status_code, headers=headers, content=body)

        return httpx.MockTransport(answer)
