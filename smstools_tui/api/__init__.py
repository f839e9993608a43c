"""The HTTP side of the data layer: the client, paging and decoding."""

from .client import Account, SmstoolsClient
from .decode import Page
from .paging import CancelToken, PagingPlan, ProgressCallback, fetch_all

__all__ = [
    "Account",
    "CancelToken",
    "Page",
    "PagingPlan",
    "ProgressCallback",
    "SmstoolsClient",
    "fetch_all",
]
