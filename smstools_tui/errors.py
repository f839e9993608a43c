"""The one exception hierarchy of smstools_tui.

Every error the package raises on purpose is a :class:`SmstoolsError`; its ``str()`` is one line
that says what went wrong and what the user can do, and never contains a credential.

::

    SmstoolsError
    ├── ConfigError                 settings, credentials file, base URL
    │   └── SqlError                a SQL query that fails or is refused (.position)
    ├── ApiError                    the gateway answered an error (.status .error_code .error_msg)
    │   ├── AuthenticationError     401 BAD_CREDENTIALS
    │   ├── InvalidQueryError       400 NO_PARAMS, BAD_DATE, BAD_STATUS, BAD_ID, BAD_MSISDN
    │   ├── NotFoundError           404
    │   ├── RateLimitedError        429 (.retry_after seconds, when the server said)
    │   └── ServerError             5xx GENERIC_ERROR
    ├── NetworkError                no answer: connection refused or dropped, timeout
    ├── DecodeError                 a body that is neither valid JSON nor the expected XML
    │   ├── RefusedAnswerError      beyond the decoding bounds, or structure where a value belongs
    │   │   └── UnsafeXmlError      an XML body that declares entities (never expanded)
    │   └── UnsupportedEncodingError  a content encoding the client does not read
    ├── FetchError                  a paginated fetch that could not be completed
    │   ├── IncompleteFetchError    the result set kept changing while it was read
    │   ├── ResultTooLargeError     a search or a body beyond the safety limits
    │   │   └── BodyTooLargeError   a body beyond the byte limit, raw or decoded
    │   └── FetchCancelled          the caller cancelled the fetch
    ├── StoreError                  the local store cannot be used: another account's, a newer
    │                               format, not a store, busy, empty when working offline
    └── AccountsFailed              some of several accounts failed (.failures), the others done

Errors raised out of a paginated fetch carry what was already fetched in ``partial`` (a typed
DataFrame, or ``None``), so nothing is lost; it is never presented as complete.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AccountsFailed",
    "ApiError",
    "AuthenticationError",
    "BodyTooLargeError",
    "ConfigError",
    "DecodeError",
    "FetchCancelled",
    "FetchError",
    "IncompleteFetchError",
    "InvalidQueryError",
    "NetworkError",
    "NotFoundError",
    "RateLimitedError",
    "RefusedAnswerError",
    "ResultTooLargeError",
    "ServerError",
    "SmstoolsError",
    "SqlError",
    "StoreError",
    "UnsafeXmlError",
    "UnsupportedEncodingError",
]


class SmstoolsError(Exception):
    """Base class of every error smstools_tui raises on purpose.

    Attributes:
        partial: records fetched before the error, as a typed frame, when the error interrupted a
            paginated fetch; ``None`` otherwise.
    """

    partial: pd.DataFrame | None = None

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))
        self.message = str(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ConfigError(SmstoolsError):
    """Settings that cannot be used: missing credentials, an unsafe config file, a bad base URL."""


class SqlError(ConfigError):
    """A SQL query that failed (a syntax error, an unknown column) or was refused (it would
    write or read files, attach a database, load an extension or change a setting).

    Attributes:
        position: where in the query the error is, as ``(line, column)`` counted from 1, when
            the database said.
    """

    def __init__(self, message: str, position: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.position = position


class ApiError(SmstoolsError):
    """The gateway answered with an error status.

    Attributes:
        status: the HTTP status code.
        error_code: the body's ``errorCode`` (the API repeats the HTTP status there), or ``None``.
        error_msg: the body's ``errorMsg``, a code such as ``BAD_DATE``, or ``None``.
        endpoint: the API path that was asked, such as ``/sms/search``.
        retry_after: seconds the server asked to wait (``Retry-After``), when it said.
    """

    hint = ""

    def __init__(
        self,
        status: int,
        error_msg: str | None = None,
        *,
        error_code: int | None = None,
        endpoint: str = "",
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        self.error_code = error_code if error_code is not None else status
        self.error_msg = error_msg
        self.endpoint = endpoint
        where = f" on {endpoint}" if endpoint else ""
        code = f" {error_msg}" if error_msg else ""
        extra = f": {detail}" if detail else ""
        hint = f" ({self.hint})" if self.hint else ""
        super().__init__(f"the API answered {status}{code}{where}{extra}{hint}")


class AuthenticationError(ApiError):
    """401: the auth key or secret was refused."""

    hint = "check SMSTOOLS_AUTH_KEY and SMSTOOLS_AUTH_SECRET or the config file"


class InvalidQueryError(ApiError):
    """400: a search parameter was missing or invalid (``NO_PARAMS``, ``BAD_DATE`` …)."""


class NotFoundError(ApiError):
    """404: no such resource; usually a base URL that does not point at the REST API."""

    hint = "check the base URL"


class RateLimitedError(ApiError):
    """429: too many requests; retried after the server's ``Retry-After`` before this is raised."""


class ServerError(ApiError):
    """5xx: the gateway failed; retried with backoff before this is raised."""

    hint = "the gateway failed; try again later"


class NetworkError(SmstoolsError):
    """The gateway could not be reached or the connection broke (retried before this is raised)."""


class DecodeError(SmstoolsError):
    """A response body that is neither valid JSON nor the expected XML.

    Attributes:
        endpoint: the API path that was asked.
        offset: the page offset that was asked, when the request was a page of a search.
    """

    def __init__(self, reason: str, *, endpoint: str = "", offset: int | None = None) -> None:
        self.reason = reason
        self.endpoint = endpoint
        self.offset = offset
        where = f" from {endpoint}" if endpoint else ""
        at = f" at offset {offset}" if offset is not None else ""
        super().__init__(f"unreadable answer{where}{at}: {reason}")


class RefusedAnswerError(DecodeError):
    """A body refused for its shape, never retried (a server sends that shape on purpose): nested
    deeper, holding more items or values, or a longer value than the decoding bounds of
    :mod:`smstools_tui.api.decode` allow, or a list or an object where a message field holds one
    value."""


class UnsafeXmlError(RefusedAnswerError):
    """An XML body that declares entities or a DTD: refused, never expanded."""


class UnsupportedEncodingError(DecodeError):
    """A body in a content encoding the client does not read, or stacking too many of them:
    asking again gets the same answer, so it is not retried."""


class FetchError(SmstoolsError):
    """A paginated fetch that could not be completed; see ``partial``."""


class IncompleteFetchError(FetchError):
    """The matching messages kept changing while they were read, so no consistent set was seen."""


class ResultTooLargeError(FetchError):
    """A search matching more messages, or a body larger, than the configured safety limits."""


class BodyTooLargeError(ResultTooLargeError):
    """An answer body larger than the byte limit, on the wire or after any layer of its content
    encoding (a compression bomb); a narrower window does not make a page smaller."""


class FetchCancelled(FetchError):
    """The fetch was cancelled by the caller."""


class StoreError(SmstoolsError):
    """The local store cannot be read or written as asked; the message says what to do."""


class AccountsFailed(SmstoolsError):
    """Some of several accounts (``--all-accounts``) failed; the others were done and kept.

    Attributes:
        failures: the error of each account that failed, by the account's name.
        reported: whether each failure was told already, on a line of its own.
    """

    def __init__(self, failures: dict[str, SmstoolsError], total: int) -> None:
        names = ", ".join(failures)
        super().__init__(f"{len(failures)} of {total} accounts failed: {names}")
        self.failures = failures
        self.reported = False
