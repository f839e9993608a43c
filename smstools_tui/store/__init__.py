"""The local store of fetched SMS.

See :mod:`.store` for the format and its guarantees, :mod:`.locate` for where stores live.
"""

from .coverage import Coverage
from .locate import (
    DATA_DIR_ENV,
    StoreIdentity,
    data_dir,
    default_store_path,
    find_offline_store,
    last_used_store,
)
from .manifest import FORMAT_VERSION, Manifest
from .store import CommitStats, Filters, Store

__all__ = [
    "DATA_DIR_ENV",
    "FORMAT_VERSION",
    "CommitStats",
    "Coverage",
    "Filters",
    "Manifest",
    "Store",
    "StoreIdentity",
    "data_dir",
    "default_store_path",
    "find_offline_store",
    "last_used_store",
]
