"""The Smstools REST client: HTTP Basic auth, JSON or XML, retries with backoff, concurrent paging.

The surface is synchronous, so it works the same in a script, a notebook (where an event loop is
already running) and a dashboard worker thread; pages are fetched concurrently underneath.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import pandas as pd
import tenacity

from .._version import __version__
from ..config import Credentials, Settings
from ..dates import DateWindow, TimeInput, format_api_datetime, parse_api_datetime
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
from ..frames import RECEIVED_SCHEMA, SENT_SCHEMA, FrameSchema, check_status, records_frame
from ..msisdn import to_msisdn
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
from .paging import CancelToken, PagingPlan, ProgressCallback, fetch_all
from .transport import DeadlineTransport, environment_proxy, operation_timeouts

__all__ = ["Account", "SmstoolsClient", "TimeInput", "without_credentials"]

log = logging.getLogger("smstools_tui.api")
T = TypeVar("T")

SENT_SEARCH = "/sms/search"
RECEIVED_SEARCH = "/sms/received/search"
RECEIVED_SERVICES = "/sms/received/sim/list"
USER = "/user"

_ACCEPT = {"json": "application/json", "xml": "application/xml"}
_CREDENTIAL_NAMES = frozenset(
    {"authkey", "authsecret", "apikey", "apisecret", "secret", "password", "passwd", "token",
     "accesstoken", "authtoken", "authorization"}
)  # fmt: skip
"""Field names, lower case without separators, that hold a credential whatever their value."""
_SHORTEST_CONTAINED = 8
"""Credentials at least this long are also found inside longer strings."""
_MAX_RETRY_AFTER = 120.0


def _raw(body: bytes) -> bytes:
    return body


@dataclass(frozen=True)
class Account:
    """The account behind the credentials (``GET /user``), without the echoed secrets.

    Attributes:
        name, lastname, username, email, business_name: who the account belongs to.
        default_sender: the sender used when none is given; ``sender_aliases`` lists the others.
        credit: remaining credit; ``italy_sms``: SMS to Italy that the credit still buys.
        registered, expires: account dates, when the API gives them.
        details: every other field the API returned, as text.
    """

    name: str | None = None
    lastname: str | None = None
    username: str | None = None
    email: str | None = None
    business_name: str | None = None
    default_sender: str | None = None
    sender_aliases: tuple[str, ...] = ()
    credit: float | None = None
    italy_sms: int | None = None
    registered: datetime | None = None
    expires: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def display_name(self) -> str:
        """The business name, else the person's name, else the username."""
        person = " ".join(part for part in (self.name, self.lastname) if part)
        return self.business_name or person or self.username or "account"

    @classmethod
    def from_record(
        cls, record: Mapping[str, Any], *, credentials: Credentials | None = None
    ) -> Account:
        """The account in a decoded ``/user`` answer, without any echoed credential.

        Every field named like a credential (``authKey``, ``auth_key``, ``AUTH-SECRET`` …) is
        dropped at any depth, and so is every value that is, or holds, the key, the secret or
        their Basic-auth token when ``credentials`` are given: nothing built from the account
        (its ``details``, the store's manifest) can carry them.

        Example:
            >>> echoed = {"username": "mrossi", "user": {"auth_key": "k-1", "note": "s-1"}}
            >>> Account.from_record(echoed, credentials=Credentials("k-1", "s-1")).details
            {'user': {}}
        """
        clean = without_credentials(record, credentials)
        aliases = clean.pop("senderAlias", None)
        if isinstance(aliases, dict):  # XML: <senderAlias><alias>…</alias></senderAlias>
            aliases = next(iter(aliases.values()), None)
        if isinstance(aliases, str | int):
            aliases = [aliases]
        known = {
            "name": _text(clean.pop("name", None)),
            "lastname": _text(clean.pop("lastname", None)),
            "username": _text(clean.pop("username", None)),
            "email": _text(clean.pop("email", None)),
            "business_name": _text(clean.pop("businessname", None)),
            "default_sender": _text(clean.pop("sender", None)),
            "sender_aliases": tuple(str(alias) for alias in aliases or () if alias is not None),
            "credit": _number(clean.pop("credit", None), float),
            "italy_sms": _number(clean.pop("italysms", None), int),
            "registered": _date(clean.pop("registrationDate", None)),
            "expires": _date(clean.pop("expirationDate", None)),
        }
        return cls(**known, details={k: v for k, v in clean.items() if v is not None})


def without_credentials(
    record: Mapping[str, Any], credentials: Credentials | None
) -> dict[str, Any]:
    """``record`` with every echoed credential removed, at any depth: entries whose name is a
    credential's in any case or spelling, and strings that are (or, for credentials of at least
    eight characters, contain) the key, the secret or their Basic-auth token.

    Example:
        >>> pair = Credentials("key-0001", "secret-0002")
        >>> echoed = {"AUTH_KEY": "x", "a": ["key-0001", 1], "b": {"c": "secret-0002!"}}
        >>> without_credentials(echoed, pair)
        {'a': [1], 'b': {}}
    """
    cleaned = _without(record, _credential_values(credentials))
    return {str(name): value for name, value in cleaned.items()}


def _credential_values(credentials: Credentials | None) -> tuple[str, ...]:
    if credentials is None:
        return ()
    token = base64.b64encode(":".join(credentials.as_tuple()).encode()).decode()
    values = {credentials.key, credentials.secret, token, token.rstrip("=")}
    return tuple(sorted(values, key=len, reverse=True))  # the longest first, when one holds another


def _named_like_credential(name: Any) -> bool:
    letters = "".join(character for character in str(name).lower() if character.isalnum())
    return letters in _CREDENTIAL_NAMES


def _holds_credential(value: Any, needles: tuple[str, ...]) -> bool:
    return isinstance(value, str) and any(
        value == needle or (len(needle) >= _SHORTEST_CONTAINED and needle in value)
        for needle in needles
    )


def _without(value: Any, needles: tuple[str, ...]) -> Any:
    if isinstance(value, Mapping):
        return {
            name: _without(child, needles)
            for name, child in value.items()
            if not (
                _named_like_credential(name)
                or _holds_credential(name, needles)
                or _holds_credential(child, needles)
            )
        }
    if isinstance(value, list | tuple):
        return [
            _without(child, needles) for child in value if not _holds_credential(child, needles)
        ]
    return value


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _number(value: Any, kind: type[float] | type[int]) -> Any:
    try:
        return None if value in (None, "") else kind(float(value))
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> datetime | None:
    try:
        return parse_api_datetime(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


class SmstoolsClient:
    """A connection to the Smstools REST API (or the local sandbox) that returns typed frames.

    Use it as a context manager, or call :meth:`close`. It is safe to share between threads.

    Example:
        >>> import smstools_tui
        >>> with smstools_tui.SmstoolsClient.demo() as client:
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

    @classmethod
    def demo(cls, **options: Any) -> SmstoolsClient:
        """A client on the built-in demo account: in-process, no credentials, no network.

        ``options`` go to :func:`smstools_tui.sandbox.demo_client` (``seed``, ``sent``,
        ``received``, ``now``, and any :class:`Settings` field).
        """
        from ..sandbox import demo_client

        client: SmstoolsClient = demo_client(**options)
        return client

    @property
    def is_demo(self) -> bool:
        return self.label == "demo"

    def __repr__(self) -> str:
        return f"SmstoolsClient({self.settings.base_url!r}, format={self.settings.wire_format!r})"

    def __enter__(self) -> SmstoolsClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

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

    def sent(
        self,
        since: TimeInput = None,
        until: TimeInput = None,
        *,
        status: str | None = None,
        msisdn: str | None = None,
        campaign: str | None = None,
        ids: Iterable[int] | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame:
        """Sent SMS in a window, as the typed sent frame (see :mod:`smstools_tui.frames`).

        Args:
            since, until: the window ``[since, until)``; default the last 30 days. A bare date is
                local midnight; ``until`` as a bare date includes that whole day.
            status: one of ``PENDING SENT NOSENT DELIVERED NOTDELIVERED``.
            msisdn: only this recipient (``+39 348…``, ``0039348…`` and ``39348…`` all work).
            campaign: only this ``transactionId``.
            ids: only these message ids (then the window applies only if given).
            progress: ``progress(pages_done, pages_total)``.
            cancel: an ``Event``-like object; setting it stops the fetch.

        Example:
            >>> with SmstoolsClient.demo() as client:
            ...     failed = client.sent("2026-10-01", "2026-10-31", status="NOTDELIVERED")
            ...     set(failed["status"])
            {'NOTDELIVERED'}
        """
        params: dict[str, str] = {}
        if status is not None:
            params["status"] = check_status(status)
        if msisdn:
            params["msisdn"] = to_msisdn(msisdn)
        if campaign:
            params["transactionId"] = campaign
        id_list = [int(value) for value in ids] if ids is not None else None
        if id_list is not None:
            if not id_list:
                return records_frame([], SENT_SCHEMA)
            params["id"] = ",".join(str(value) for value in id_list)
        with_window = id_list is None or since is not None or until is not None
        return self._search(
            SENT_SEARCH, params, SENT_FIELDS, SENT_SCHEMA, since, until, with_window,
            dedupe_key="id", progress=progress, cancel=cancel,
        )  # fmt: skip

    def received(
        self,
        since: TimeInput = None,
        until: TimeInput = None,
        *,
        sender: str | Iterable[str] | None = None,
        service: str | int | None = None,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> pd.DataFrame:
        """Received SMS in a window, as the typed received frame. Never de-duplicated: two
        identical messages from one number in one second are two messages.

        Args:
            since, until: the window, as for :meth:`sent`.
            sender: only from this number (or these numbers).
            service: only on this receiving service (an ``id`` of :meth:`receiving_services`).

        Example:
            >>> with SmstoolsClient.demo() as client:
            ...     replies = client.received("2026-10-01", "2026-10-31")
            ...     replies.columns.tolist()
            ['from', 'text', 'receiveDate', 'simId']
        """
        params: dict[str, str] = {}
        if sender:
            senders = [sender] if isinstance(sender, str) else list(sender)
            params["from"] = ",".join(senders)
        if service is not None:
            params["simIdRef"] = str(service)
        return self._search(
            RECEIVED_SEARCH, params, RECEIVED_FIELDS, RECEIVED_SCHEMA, since, until, True,
            dedupe_key=None, progress=progress, cancel=cancel,
        )  # fmt: skip

    def account(self) -> Account:
        """The account (``GET /user``) without the auth key and secret it echoes.

        Example:
            >>> with SmstoolsClient.demo() as client:
            ...     client.account().credit > 0
            True
        """
        record = self._get(USER, {}, decode=lambda body: decode_object(body, endpoint=USER))
        return Account.from_record(record, credentials=self.settings.credentials)

    def receiving_services(self) -> pd.DataFrame:
        """The inbound services (``GET /sms/received/sim/list``): ``id``, ``sim``, ``key``,
        ``expirationDate``; an ``id`` is what :meth:`received` takes as ``service``."""
        records = self._get(
            RECEIVED_SERVICES,
            {},
            decode=lambda body: decode_items(body, SERVICE_FIELDS, endpoint=RECEIVED_SERVICES),
        )
        return records_frame(records, SERVICES_SCHEMA)

    def window(
        self, since: TimeInput = None, until: TimeInput = None, *, now: datetime | None = None
    ) -> DateWindow:
        """The window a search with these bounds reads: default the last 30 days, and never
        ending after ``now`` (default: the client's clock). See :meth:`DateWindow.resolve`."""
        return DateWindow.resolve(since, until, now=now or self.now())

    # -- plumbing ------------------------------------------------------------------------------

    def _search(
        self,
        endpoint: str,
        params: dict[str, str],
        fields: frozenset[str],
        schema: FrameSchema,
        since: TimeInput,
        until: TimeInput,
        with_window: bool,
        *,
        dedupe_key: str | None,
        progress: ProgressCallback | None,
        cancel: CancelToken | None,
    ) -> pd.DataFrame:
        started = self.now()
        window: DateWindow | None = None
        if with_window:
            requested = self.window(since, until, now=started)
            # The end is fixed before the first page and is before the second the fetch started
            # in, so messages that arrive meanwhile cannot shift the offsets. The API works in
            # whole seconds and its toDate is inclusive: [since, until) becomes
            # fromDate=ceil(since), toDate=ceil(until) - 1 s.
            first = math.ceil(requested.since.timestamp())
            last = min(
                math.ceil(requested.until.timestamp()) - 1, math.floor(started.timestamp()) - 1
            )
            last = max(last, first)
            window = DateWindow(
                datetime.fromtimestamp(first, UTC), datetime.fromtimestamp(last + 1, UTC)
            )
            params = {
                **params,
                "fromDate": format_api_datetime(window.since),
                "toDate": format_api_datetime(datetime.fromtimestamp(last, UTC)),
            }
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
            error.partial = records_frame(partial, schema) if partial else None
            raise
        frame = records_frame(records, schema)
        frame.attrs["smstools"] = {
            "endpoint": endpoint,
            "source": self.label,
            "fetched_at": started.isoformat(),
            "since": window.since.isoformat() if window else None,
            "until": window.until.isoformat() if window else None,
            "complete": True,
        }
        return frame

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
                _hide_credentials(error, _credential_values(self.settings.credentials))
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
