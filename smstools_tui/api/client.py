"""The Smstools REST client: HTTP Basic auth, JSON or XML, retries with backoff, concurrent paging.

The surface is synchronous, so it works the same in a script, a notebook (where an event loop is
already running) and a dashboard worker thread; pages are fetched concurrently underneath.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pandas as pd
import tenacity

from .._version import __version__
from ..account import Account, credential_values, without_credentials
from ..config import Settings
from ..errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    DecodeError,
    InvalidQueryError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RefusedAnswerError,
    ResultTooLargeError,
    ServerError,
    SmstoolsError,
    UnsupportedEncodingError,
)
from ..frames import RECEIVED_SCHEMA, SENT_SCHEMA, STATUSES, FrameSchema, records_frame
from ..query import FetchResult, Kind, Query
from ..source import CancelToken, MessageSource, ProgressCallback
from .body import ACCEPT_ENCODING, read_body
from .decode import (
    RECEIVED_FIELDS,
    SENT_FIELDS,
    SERVICE_FIELDS,
    Page,
    decode_error_body,
    decode_items,
    decode_object,
    decode_page,
)
from .paging import PagingPlan, fetch_all
from .transport import DeadlineTransport, environment_proxy, operation_timeouts

__all__ = ["Account", "SmstoolsClient", "without_credentials"]

log = logging.getLogger("smstools_tui.api")
T = TypeVar("T")

SENT_SEARCH = "/sms/search"
RECEIVED_SEARCH = "/sms/received/search"
RECEIVED_SERVICES = "/sms/received/sim/list"
USER = "/user"

_ACCEPT = {"json": "application/json", "xml": "application/xml"}
_MAX_RETRY_AFTER = 120.0


def _raw(body: bytes) -> bytes:
    return body


class SmstoolsClient(MessageSource):
    """A connection to the Smstools REST API (or the local sandbox) that returns typed frames.

    Use it as a context manager, or call :meth:`close`. It is safe to share between threads.
    Its searches are those of every :class:`~smstools_tui.source.MessageSource`: ``fetch`` a
    :class:`~smstools_tui.query.Query`, or call ``sent`` and ``received``.

    Example:
        >>> from smstools_tui.demo import demo_client
        >>> with demo_client() as client:
        ...     sent = client.sent(since="2026-10-01", until="2026-10-31")
        ...     sent.columns[:5].tolist()
        ['id', 'to', 'from', 'text', 'status']
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] | None = None,
        label: str | None = None,
    ) -> None:
        """Connect with ``settings`` (default: :meth:`Settings.from_env`).

        Args:
            settings: where and how to connect; must carry credentials.
            transport: an httpx transport to use instead of the network (tests, the demo).
            clock: the current time as an aware datetime (tests pin it).
            sleep: how to wait between retries (tests make it instant).
            label: what to call the data source in titles (default: the base URL's host).
        """
        self.settings = settings if settings is not None else Settings.from_env()
        credentials = self.settings.credentials
        if credentials is None:
            raise ConfigError(
                "no credentials: set SMSTOOLS_AUTH_KEY and SMSTOOLS_AUTH_SECRET "
                "(or run with --demo for the built-in demo data)"
            )
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sleep = sleep if sleep is not None else (lambda seconds: time.sleep(seconds))
        self.label = label or httpx.URL(self.settings.base_url).host
        self._requests_made = 0
        self._requests_lock = threading.Lock()
        connections = self.settings.concurrency + 2
        if transport is None:
            transport = DeadlineTransport(
                self.settings.timeout,
                max_connections=connections,
                proxy=environment_proxy(self.settings.base_url),
            )
        self._transport = transport
        self._http = httpx.Client(
            base_url=self.settings.base_url + "/",
            auth=httpx.BasicAuth(*credentials.as_tuple()),
            headers={
                "Accept": _ACCEPT[self.settings.wire_format],
                "Accept-Encoding": ACCEPT_ENCODING,
                "User-Agent": f"smstools-tui/{__version__}",
            },
            timeout=operation_timeouts(self.settings.timeout),
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
            transport=transport,
            follow_redirects=False,
        )

    @classmethod
    def from_env(cls, **overrides: Any) -> SmstoolsClient:
        """A client from ``SMSTOOLS_*`` variables or the config file; ``overrides`` win."""
        return cls(Settings.from_env(**overrides))

    def __repr__(self) -> str:
        return f"SmstoolsClient({self.settings.base_url!r}, format={self.settings.wire_format!r})"

    def close(self) -> None:
        self._http.close()

    def now(self) -> datetime:
        """The client's current time (aware, UTC)."""
        return self._clock().astimezone(UTC)

    @property
    def requests_made(self) -> int:
        """HTTP requests sent so far, retries included: what a sync reports it spent."""
        return self._requests_made

    # -- searches ------------------------------------------------------------------------------

    def _fetch(
        self, query: Query, progress: ProgressCallback | None, cancel: CancelToken | None
    ) -> FetchResult:
        """One search: the filters the API takes as its parameters, the span as ``fromDate`` and
        ``toDate``, every page; then every filter again on what came back, so several values of
        a filter are exact, and so is a server that ignores a parameter."""
        started = self.now()
        # The end is fixed before the first page and is before the second the fetch started
        # in, so messages that arrive meanwhile cannot shift the offsets.
        span = query.span.ending_by(started) if query.span is not None else None
        endpoint, fields, schema, dedupe_key = _SEARCHES[query.kind]
        params = _search_params(query)
        if span is not None:
            params["fromDate"], params["toDate"] = span.api_dates()
        plan = PagingPlan(
            page_size=self.settings.page_size,
            concurrency=self.settings.concurrency,
            max_records=self.settings.max_records,
            max_pages=self.settings.max_pages,
            dedupe_key=dedupe_key,
        )

        def fetch_page(offset: int, limit: int) -> Page:
            return self._get(
                endpoint,
                {**params, "offset": str(offset), "limit": str(limit)},
                offset,
                decode=lambda body: decode_page(body, fields, endpoint=endpoint, offset=offset),
            )

        try:
            records = fetch_all(fetch_page, plan, progress=progress, cancel=cancel)
        except SmstoolsError as error:
            partial = getattr(error, "partial_records", None)
            if partial:
                error.partial = query.filters.apply(records_frame(partial, schema), query.kind)
            raise
        frame = query.filters.apply(records_frame(records, schema), query.kind)
        return FetchResult(frame, query, span, fetched_at=started, source=self.label)

    def account(self) -> Account:
        """The account (``GET /user``) without the auth key and secret it echoes.

        Example:
            >>> from smstools_tui.demo import demo_client
            >>> with demo_client() as client:
            ...     client.account().credit > 0
            True
        """
        record = self._get(USER, {}, decode=lambda body: decode_object(body, endpoint=USER))
        return Account.from_record(record, credentials=self.settings.credentials)

    def receiving_services(self) -> pd.DataFrame:
        """The inbound services (``GET /sms/received/sim/list``): ``id``, ``sim``, ``key``,
        ``expirationDate``; an ``id`` is what a received query's ``services`` filter takes."""
        records = self._get(
            RECEIVED_SERVICES,
            {},
            decode=lambda body: decode_items(body, SERVICE_FIELDS, endpoint=RECEIVED_SERVICES),
        )
        return records_frame(records, SERVICES_SCHEMA)

    # -- plumbing ------------------------------------------------------------------------------

    def _get(
        self,
        endpoint: str,
        params: dict[str, str],
        offset: int | None = None,
        *,
        decode: Callable[[bytes], T] = _raw,  # type: ignore[assignment]
    ) -> T:
        """One GET, decoded, retried as a whole: a 200 whose body does not decode (a proxy's
        page, a cut transfer) is as transient as a 503."""
        retrying = tenacity.Retrying(
            stop=tenacity.stop_any(
                tenacity.stop_after_attempt(self.settings.max_attempts), _stop_on_long_pause()
            ),
            wait=_wait_retry_after_or(
                tenacity.wait_random_exponential(multiplier=0.5, max=self.settings.max_backoff)
            ),
            retry=tenacity.retry_if_exception(_is_transient),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )

        def attempt() -> T:
            try:
                return decode(self._get_once(endpoint, params, offset))
            except SmstoolsError as error:
                # Before the retry log or anyone else sees it: a server may echo a credential
                # in its errorMsg or its body.
                _hide_credentials(error, credential_values(self.settings.credentials))
                raise

        return retrying(attempt)

    def _get_once(self, endpoint: str, params: dict[str, str], offset: int | None) -> bytes:
        with self._requests_lock:  # pages are fetched from several threads
            self._requests_made += 1
        started = time.perf_counter()
        with (
            _translate_transport_errors(endpoint, self.label, self.settings.timeout),
            self._http.stream("GET", endpoint.lstrip("/"), params=params) as response,
        ):
            body = read_body(response, self.settings.max_body_bytes, endpoint=endpoint)
        log.debug(
            "GET %s offset=%s -> %d, %d bytes in %.3f s",
            endpoint, offset, response.status_code, len(body), time.perf_counter() - started,
        )  # fmt: skip
        if response.is_success:
            # A proxy's error page can come back as 200: decoding tells, and it is retried.
            return body
        raise _api_error(response, body, endpoint)


_SEARCHES: dict[Kind, tuple[str, frozenset[str], FrameSchema, str | None]] = {
    "sent": (SENT_SEARCH, SENT_FIELDS, SENT_SCHEMA, "id"),
    "received": (RECEIVED_SEARCH, RECEIVED_FIELDS, RECEIVED_SCHEMA, None),
}
"""Per kind: the endpoint, the fields of an item, the frame, the key a page is de-duplicated
by (received messages carry no id: two identical ones are two messages)."""


def _search_params(query: Query) -> dict[str, str]:
    """The query's filters the API can search by itself: one status, one recipient, one
    campaign, the ids; received: the senders (as the API writes them, with ``+``), one
    service. The rest is applied to what comes back."""
    chosen = query.filters
    params: dict[str, str] = {}
    if query.kind == "sent":
        if len(chosen.statuses) == 1 and chosen.statuses <= set(STATUSES):
            (params["status"],) = chosen.statuses
        if len(chosen.numbers) == 1:
            (params["msisdn"],) = chosen.numbers
        if len(chosen.campaigns) == 1:
            (params["transactionId"],) = chosen.campaigns
        if chosen.ids:
            params["id"] = ",".join(str(value) for value in sorted(chosen.ids))
    else:
        if chosen.numbers:
            params["from"] = ",".join(f"+{number}" for number in sorted(chosen.numbers))
        if len(chosen.services) == 1:
            (params["simIdRef"],) = chosen.services
    return params


SERVICES_SCHEMA = FrameSchema(
    "receiving_services",
    (("id", "string"), ("sim", "string"), ("key", "string"), ("expirationDate", "timestamp")),
)


_STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: InvalidQueryError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    429: RateLimitedError,
}


def _api_error(response: httpx.Response, body: bytes, endpoint: str) -> ApiError:
    status = response.status_code
    error_code, error_msg = decode_error_body(body)
    cls = _STATUS_ERRORS.get(status, ServerError if status >= 500 else ApiError)
    return cls(
        status,
        error_msg,
        error_code=error_code,
        endpoint=endpoint,
        retry_after=_retry_after(response.headers.get("Retry-After")),
    )


def _retry_after(header: str | None) -> float | None:
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        moment = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


@contextmanager
def _translate_transport_errors(endpoint: str, host: str, timeout: float) -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException:
        raise NetworkError(
            f"{host} did not answer {endpoint} in full within {timeout:g} s, the time allowed "
            "per request (--timeout)"
        ) from None
    except httpx.ConnectError as error:
        if "CERTIFICATE_VERIFY_FAILED" in str(error):
            raise _NotRetried(
                f"the TLS certificate of {host} could not be verified; the connection was refused"
            ) from None
        raise NetworkError(f"cannot connect to {host} ({endpoint})") from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
        raise NetworkError(
            f"the connection to {host} broke during {endpoint} ({type(error).__name__})"
        ) from None
    except httpx.TransportError as error:
        raise _NotRetried(f"cannot talk to {host}: {type(error).__name__}") from None


def _hide_credentials(error: SmstoolsError, needles: tuple[str, ...]) -> None:
    """Replace every credential in the error's texts, which may quote the server."""
    for name in ("message", "error_msg", "reason"):
        text = getattr(error, name, None)
        if isinstance(text, str):
            for needle in needles:
                text = text.replace(needle, "<hidden>")
            setattr(error, name, text)
    error.args = (error.message,)


class _NotRetried(NetworkError):
    """A network failure that retrying cannot mend (TLS verification, a bad URL scheme)."""


def _is_transient(error: BaseException) -> bool:
    if isinstance(
        error, _NotRetried | RefusedAnswerError | UnsupportedEncodingError | ResultTooLargeError
    ):
        return False
    return isinstance(error, ServerError | RateLimitedError | NetworkError | DecodeError)


class _stop_on_long_pause(tenacity.stop.stop_base):  # noqa: N801 - tenacity's naming style
    """Give up at once when the server asks for a pause longer than anyone would wait."""

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        error = state.outcome.exception() if state.outcome else None
        pause = getattr(error, "retry_after", None)
        return pause is not None and pause > _MAX_RETRY_AFTER


class _wait_retry_after_or(tenacity.wait.wait_base):  # noqa: N801 - tenacity's naming style
    """The server's ``Retry-After`` when it gave one, else the fallback backoff."""

    def __init__(self, fallback: tenacity.wait.wait_base) -> None:
        self.fallback = fallback

    def __call__(self, state: tenacity.RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        pause = getattr(error, "retry_after", None)
        if pause is not None:
            return float(pause)
        return float(self.fallback(state))


def _log_retry(state: tenacity.RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    pause = state.next_action.sleep if state.next_action else 0.0
    log.info("retrying in %.1f s (attempt %d) after: %s", pause, state.attempt_number, error)
