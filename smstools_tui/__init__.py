"""smstools_tui: reporting toolkit for the Smstools SMS gateway.

The public API, for scripts and notebooks::

    import smstools_tui as st

    client = st.connect()            # live with SMSTOOLS_AUTH_KEY/SECRET set, else the demo data
    sent = client.sent(since="2026-10-01", until="2026-10-31")
    received = client.received(since="2026-10-01", until="2026-10-31")

``sent`` and ``received`` are typed pandas DataFrames (see :mod:`smstools_tui.frames`).
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .api import Account, SmstoolsClient
from .config import Credentials, Settings
from .dates import DateWindow
from .errors import (
    ApiError,
    AuthenticationError,
    ConfigError,
    DecodeError,
    FetchCancelled,
    FetchError,
    IncompleteFetchError,
    InvalidQueryError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ResultTooLargeError,
    ServerError,
    SmstoolsError,
    StoreError,
    UnsafeXmlError,
)
from .frames import (
    FINAL_STATUSES,
    RECEIVED_SCHEMA,
    SENT_SCHEMA,
    STATUSES,
    coerce_frame,
    received_frame,
    sent_frame,
)

__all__ = [
    "FINAL_STATUSES",
    "RECEIVED_SCHEMA",
    "SENT_SCHEMA",
    "STATUSES",
    "Account",
    "ApiError",
    "AuthenticationError",
    "ConfigError",
    "Credentials",
    "DateWindow",
    "DecodeError",
    "FetchCancelled",
    "FetchError",
    "IncompleteFetchError",
    "InvalidQueryError",
    "NetworkError",
    "NotFoundError",
    "RateLimitedError",
    "ResultTooLargeError",
    "ServerError",
    "Settings",
    "SmstoolsClient",
    "SmstoolsError",
    "StoreError",
    "UnsafeXmlError",
    "__version__",
    "coerce_frame",
    "connect",
    "received_frame",
    "sent_frame",
]


def connect(*, demo: bool | None = None, **options: Any) -> SmstoolsClient:
    """A client: live when credentials are configured, else (or with ``demo=True``) the demo.

    Args:
        demo: ``True`` forces the built-in demo data, ``False`` forces the live account
            (failing clearly without credentials), ``None`` picks by whether credentials exist.
        options: :class:`Settings` fields (``wire_format``, ``concurrency``, ``base_url`` …);
            for the demo also ``seed``, ``sent``, ``received`` and ``now``.

    Example:
        >>> client = connect(demo=True)
        >>> client.is_demo
        True
    """
    if demo is None:
        demo = Settings.from_env().credentials is None
    if demo:
        return SmstoolsClient.demo(**options)
    return SmstoolsClient.from_env(**options)
