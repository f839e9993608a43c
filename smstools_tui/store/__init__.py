"""The local store of fetched SMS and its incremental sync.

::

    import smstools_tui as st

    with st.connect() as client:              # live: a StoredClient on the default store
        report = client.sync(since="2026-01-01")
        print(report.summary())
        sent = client.sent("2026-11-01", "2026-11-30")   # from the store, synced first

    with st.StoredClient.offline() as client:  # no network, no credentials
        sent = client.sent("2026-11-01", "2026-11-30")

See :mod:`.store` for the format and its guarantees, :mod:`.sync` for how a sync saves
requests, :mod:`.locate` for where stores live.
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
from .store import CommitStats, Damage, Filters, Store
from .stored import MessageSource, StoredClient
from .sync import LeftOut, Syncer, SyncPolicy, SyncProgress, SyncReport

__all__ = [
    "DATA_DIR_ENV",
    "FORMAT_VERSION",
    "CommitStats",
    "Coverage",
    "Damage",
    "Filters",
    "LeftOut",
    "Manifest",
    "MessageSource",
    "Store",
    "StoreIdentity",
    "StoredClient",
    "SyncPolicy",
    "SyncProgress",
    "SyncReport",
    "Syncer",
    "data_dir",
    "default_store_path",
    "find_offline_store",
    "last_used_store",
]
