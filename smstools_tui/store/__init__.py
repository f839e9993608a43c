"""The local store of fetched SMS and its incremental sync.

::

    import smstools_tui as st

    with st.connect() as client:              # live: a StoredClient on the default store
        report = client.sync(since="2026-01-01")
        print(report.summary())
        sent = client.sent(window="last-month")   # from the store, synced first

    with st.StoredClient.offline() as client:  # no network, no credentials
        result = client.fetch(client.query("sent", window="2026-11"))
        result.complete                         # False when the store lacks part of November

Every account's messages of a kind form one Hive-partitioned Parquet dataset that other tools
read directly (:func:`dataset_root`, :func:`dataset_glob`; see :mod:`.layout`)::

    import duckdb
    from smstools_tui.store import dataset_glob

    files = dataset_glob(client.store.path, "sent")
    duckdb.sql(f"select account, month, count(*) from read_parquet('{files}', "
               "hive_partitioning=true) group by all")

See :mod:`.store` for the format and its guarantees, :mod:`.sync` for how a sync saves
requests, :mod:`.locate` for where stores live.
"""

from .coverage import Coverage
from .layout import dataset_glob, dataset_root
from .locate import (
    DATA_DIR_ENV,
    StoreIdentity,
    data_dir,
    default_store_path,
    find_offline_store,
    last_used_store,
)
from .manifest import FORMAT_VERSION, Manifest
from .store import CommitStats, Damage, Store
from .stored import StoredClient
from .sync import LeftOut, Syncer, SyncPolicy, SyncProgress, SyncReport

__all__ = [
    "DATA_DIR_ENV",
    "FORMAT_VERSION",
    "CommitStats",
    "Coverage",
    "Damage",
    "LeftOut",
    "Manifest",
    "Store",
    "StoreIdentity",
    "StoredClient",
    "SyncPolicy",
    "SyncProgress",
    "SyncReport",
    "Syncer",
    "data_dir",
    "dataset_glob",
    "dataset_root",
    "default_store_path",
    "find_offline_store",
    "last_used_store",
]
