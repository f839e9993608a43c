"""smstools_tui: reporting toolkit for the Smstools SMS gateway.

The public API, for scripts and notebooks::

    import smstools_tui as st

    client = st.connect()            # live with SMSTOOLS_AUTH_KEY/SECRET set, else the demo data
    sent = client.sent(since="2026-10-01", until="2026-10-31")
    received = client.received(window="last-month")
    failed = client.sent(window="7d", statuses=["NOTDELIVERED", "NOSENT"])
    rates = client.sql("SELECT local_month(insertDate) AS month, delivery_rate(status) AS rate"
                       " FROM sent GROUP BY month ORDER BY month")

``sent`` and ``received`` are typed pandas DataFrames (see :mod:`smstools_tui.frames`). Live,
they come from the local store, which fetches only what it lacks (see :mod:`smstools_tui.store`).
What is asked is one :class:`Query` (see :mod:`smstools_tui.query`); ``client.fetch(query)``
answers it with a :class:`FetchResult` that also says whether the answer is complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from ._version import __version__
from .account import Account
from .accounts import AccountsSource
from .api import SmstoolsClient
from .config import Credentials, Settings
from .errors import (
    AccountsFailed,
    ApiError,
    AuthenticationError,
    BodyTooLargeError,
    ConfigError,
    DecodeError,
    FetchCancelled,
    FetchError,
    IncompleteFetchError,
    InvalidQueryError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RefusedAnswerError,
    ResultTooLargeError,
    ServerError,
    SmstoolsError,
    SqlError,
    StoreError,
    UnsafeXmlError,
    UnsupportedEncodingError,
)
from .frames import (
    FINAL_STATUSES,
    RECEIVED_SCHEMA,
    SENT_SCHEMA,
    STATUSES,
    coerce_frame,
    concat_accounts,
    received_frame,
    sent_frame,
    with_account,
)
from .query import FetchResult, Filters, Query, Relation, Span, WindowExpr, parse_window
from .segments import Segmentation, Suggestion, segment, suggest, text_encodings
from .source import IncompleteDataWarning, MessageSource
from .sql import SqlTables
from .store import Store, StoredClient, SyncReport

__all__ = [
    "FINAL_STATUSES",
    "RECEIVED_SCHEMA",
    "SENT_SCHEMA",
    "STATUSES",
    "Account",
    "AccountsFailed",
    "AccountsSource",
    "ApiError",
    "AuthenticationError",
    "BodyTooLargeError",
    "ConfigError",
    "Credentials",
    "DecodeError",
    "FetchCancelled",
    "FetchError",
    "FetchResult",
    "Filters",
    "IncompleteDataWarning",
    "IncompleteFetchError",
    "InvalidQueryError",
    "MessageSource",
    "NetworkError",
    "NotFoundError",
    "Query",
    "RateLimitedError",
    "RefusedAnswerError",
    "Relation",
    "ResultTooLargeError",
    "Segmentation",
    "ServerError",
    "Settings",
    "SmstoolsClient",
    "SmstoolsError",
    "Span",
    "SqlError",
    "SqlTables",
    "Store",
    "StoreError",
    "StoredClient",
    "Suggestion",
    "SyncReport",
    "UnsafeXmlError",
    "UnsupportedEncodingError",
    "WindowExpr",
    "__version__",
    "coerce_frame",
    "concat_accounts",
    "connect",
    "parse_window",
    "received_frame",
    "segment",
    "sent_frame",
    "suggest",
    "text_encodings",
    "with_account",
]


def connect(
    *,
    demo: bool | None = None,
    store: str | Path | Literal[False] | None = None,
    offline: bool = False,
    **options: Any,
) -> MessageSource:
    """A source of SMS: live when credentials are configured, else (or with ``demo=True``) the
    demo. Live, it reads through the local store: what the store covers is answered without a
    request, the rest is fetched and kept.

    Args:
        demo: ``True`` forces the built-in demo data, ``False`` forces the live account
            (failing clearly without credentials), ``None`` picks by whether credentials exist.
        store: the store's folder; ``None`` the default one (none for the demo); ``False`` no
            store, every read fetched from the API.
        offline: answer from the store alone (``store``, else the one last used for the base
            URL): no network, no credentials.
        options: :class:`Settings` fields (``wire_format``, ``concurrency``, ``base_url`` …);
            for the demo also ``seed``, ``sent``, ``received`` and ``now``.

    Example:
        >>> client = connect(demo=True)
        >>> client.is_demo
        True
    """
    folder = store if isinstance(store, str | Path) else None
    if offline:
        return StoredClient.offline(folder, base_url=options.get("base_url"))
    if demo is None:
        demo = Settings.from_env().credentials is None
    if demo:
        from .demo import demo_client  # the emulator is loaded only for the demo

        client = demo_client(**options)
    else:
        client = SmstoolsClient.from_env(**options)
    if store is False or (demo and folder is None):
        return client
    return StoredClient.open(client, folder)
