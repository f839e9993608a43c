"""A dlt source: the account's messages loaded into any warehouse dlt loads into.

``smstools_source(...)`` has two resources, read through the project's own client (its
concurrent paging, retries and bounds on what a server sends):

- ``sent``: merged on ``(account, id)``, so a message is one row however often it is read.
  Loaded incrementally on ``insertDate``: each run searches from the newest insert date loaded,
  less ``overlap`` seconds (a message can become searchable a little after its date), to now.
  Like the store's sync, it then asks again, by id, for the messages it loaded as PENDING or
  SENT in the last ``recheck_days``: the answers replace the rows, so a message that got
  delivered since is DELIVERED in the warehouse too.
- ``received``: appended (received messages carry no id), incrementally on ``receiveDate``.
  The overlap is read again too; the messages of it already loaded are recognised (by a hash of
  their sender, text, date and service, as many times as they were loaded) and skipped, so
  nothing is loaded twice, while two identical messages are still two.

Every row carries an ``account`` column, the name given (default ``"default"``), and each
account keeps its own incremental state, so several accounts load into the same two tables,
one source per account, in one pipeline.

dlt sends anonymous usage telemetry unless told not to: set ``RUNTIME__DLTHUB_TELEMETRY=false``
(or ``dlthub_telemetry = false`` under ``[runtime]`` in ``.dlt/config.toml``).

Example:
    >>> import os, tempfile
    >>> os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    >>> import dlt
    >>> from smstools_tui.demo import demo_client
    >>> workdir = tempfile.TemporaryDirectory()
    >>> folder = workdir.name
    >>> pipeline = dlt.pipeline(
    ...     "sms", destination=dlt.destinations.duckdb(f"{folder}/warehouse.duckdb"),
    ...     dataset_name="sms", pipelines_dir=f"{folder}/pipelines")
    >>> with demo_client() as client:
    ...     info = pipeline.run(smstools_source(client, account="shop", since="7d"))
    >>> with pipeline.sql_client() as sql:
    ...     sql.execute_sql("SELECT DISTINCT account FROM sent")
    [('shop',)]
    >>> workdir.cleanup()
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import dlt
import numpy as np
import pandas as pd
import pyarrow as pa

from .api.client import SmstoolsClient
from .config import Settings
from .frames import PENDING_STATUSES, RECEIVED_SCHEMA, SENT_SCHEMA, FrameSchema
from .query import Filters, Query, Span, WindowExpr

__all__ = ["smstools_source"]

_KEY = ("account", "id")
"""The sent table's merge key: ids are the gateway's, and two gateways (or two sandboxes) may
use the same id for two messages."""

DEFAULT_SINCE = "90d"
"""How far back the first load of an account reaches when ``since`` is not given."""


@dlt.source(name="smstools", max_table_nesting=0)
def smstools_source(
    client: SmstoolsClient | None = None,
    *,
    account: str = "default",
    since: WindowExpr | datetime | str = DEFAULT_SINCE,
    overlap: int = 120,
    recheck_days: float = 7.0,
    id_batch: int = 250,
    chunk_days: int = 31,
) -> Any:
    """The ``sent`` and ``received`` resources of one account (see the module's docs).

    Args:
        client: the client to read with (it stays open: the caller closes it); default one
            from ``SMSTOOLS_*`` variables or the config file, closed when the load ends.
        account: the value of every row's ``account`` column, and the key of this account's
            incremental state in the pipeline.
        since: where the first load starts (a window such as ``"90d"``, a date, a datetime);
            later loads go on from where the last one ended.
        overlap: seconds before the newest date loaded that each run searches again.
        recheck_days: how far back the statuses of PENDING and SENT messages are asked again.
        id_batch: message ids per status re-check request.
        chunk_days: the longest stretch of time one search covers (each is one page set).

    Example:
        >>> from smstools_tui.demo import demo_client
        >>> with demo_client() as client:
        ...     sorted(smstools_source(client, account="shop").resources)
        ['received', 'sent']
    """
    reader = _Reader(client, account, since, overlap, recheck_days, id_batch, chunk_days)

    # Functions, not the bound methods: dlt marks what it wraps.
    def sent() -> Iterator[pa.Table]:
        yield from reader.sent()

    def received() -> Iterator[pa.Table]:
        yield from reader.received()

    return (
        dlt.resource(
            sent,
            name="sent",
            write_disposition="merge",
            primary_key=_KEY,
        ),
        dlt.resource(received, name="received", write_disposition="append"),
    )


class _Reader:
    """What both resources share: the client given (without one, each resource makes its own
    from the environment, and closes it when it is done) and the settings."""

    def __init__(
        self,
        client: SmstoolsClient | None,
        account: str,
        since: WindowExpr | datetime | str,
        overlap: int,
        recheck_days: float,
        id_batch: int,
        chunk_days: int,
    ) -> None:
        self.given = client
        self.account = account
        self.since = since
        self.overlap = timedelta(seconds=overlap)
        self.recheck = timedelta(days=recheck_days)
        self.id_batch = id_batch
        self.chunk = timedelta(days=chunk_days)

    def _client(self) -> tuple[SmstoolsClient, bool]:
        """The client, and whether this reader made it (and so closes it)."""
        if self.given is not None:
            return self.given, False
        return SmstoolsClient(Settings.from_env()), True

    def _state(self) -> dict[str, Any]:
        """This account's part of the resource's state: each account goes on by itself."""
        accounts: dict[str, dict[str, Any]] = dlt.current.resource_state().setdefault(
            "accounts", {}
        )
        return accounts.setdefault(self.account, {})

    def _spans(self, client: SmstoolsClient, resume: str | None) -> Iterator[Span]:
        """From the resumed watermark less the overlap (or ``since``) to now, in chunks."""
        now = client.now()
        if resume is not None:
            start = datetime.fromisoformat(resume) - self.overlap
        else:
            span = Query.build("sent", since=self.since, now=now).span
            assert span is not None  # a query without ids has a span
            start = span.start
        while start < now:
            end = min(start + self.chunk, now)
            yield Span.covering(start, end)
            start = end

    # -- sent ------------------------------------------------------------------------------------

    def sent(self) -> Iterator[pa.Table]:
        client, owned = self._client()
        try:
            state = self._state()
            pending: dict[str, float] = state.setdefault("pending", {})
            fetched: set[int] = set()
            for span in self._spans(client, state.get("watermark")):
                frame = client.fetch(Query("sent", span)).frame
                if len(frame):
                    fetched.update(int(value) for value in frame["id"].dropna())
                    self._remember_pending(frame, pending)
                    yield self._table(frame, SENT_SCHEMA)
                state["watermark"] = span.end.isoformat()
            yield from self._recheck(client, pending, fetched)
        finally:
            if owned:
                client.close()

    def _recheck(
        self, client: SmstoolsClient, pending: dict[str, float], fetched: set[int]
    ) -> Iterator[pa.Table]:
        """Ask again, by id, for the non-final messages loaded before, as the store's sync does
        (:meth:`~smstools_tui.store.Syncer.recheck`), and forget those too old to change."""
        floor = (client.now() - self.recheck).timestamp()
        for key in [key for key, inserted in pending.items() if inserted < floor]:
            del pending[key]
        ids = sorted(int(key) for key in pending if int(key) not in fetched)
        for offset in range(0, len(ids), self.id_batch):
            batch = frozenset(ids[offset : offset + self.id_batch])
            frame = client.fetch(Query("sent", None, Filters(ids=batch))).frame
            for asked in batch:
                pending.pop(str(asked), None)
            if len(frame):
                self._remember_pending(frame, pending)
                yield self._table(frame, SENT_SCHEMA)

    @staticmethod
    def _remember_pending(frame: pd.DataFrame, pending: dict[str, float]) -> None:
        """Keep the ids of the messages not final yet, with their insert dates; drop the ids
        of those now final. Column-wise: a chunk holds up to a month of messages."""
        ids, dates = frame["id"], frame["insertDate"]
        known = ids.notna().to_numpy(bool)
        open_ = frame["status"].astype("string").isin(sorted(PENDING_STATUSES)).to_numpy(bool)
        open_ = open_ & known & dates.notna().to_numpy(bool)
        for value, when in zip(ids[open_], dates[open_], strict=True):
            pending[str(int(value))] = when.timestamp()
        if pending:
            settled = ids[known & ~open_].to_numpy("int64")
            keys = np.fromiter((int(key) for key in pending), "int64", len(pending))
            for key in keys[np.isin(keys, settled)]:
                del pending[str(key)]

    # -- received --------------------------------------------------------------------------------

    def received(self) -> Iterator[pa.Table]:
        client, owned = self._client()
        try:
            state = self._state()
            seen = Counter(state.get("tail", []))
            recent: list[tuple[str, pd.Timestamp]] = []
            for span in self._spans(client, state.get("watermark")):
                frame = client.fetch(Query("received", span)).frame
                keys = [
                    _received_key(row)
                    for row in frame[RECEIVED_SCHEMA.names].itertuples(index=False)
                ]
                new = frame[[not _consume(seen, key) for key in keys]]
                if len(new):
                    yield self._table(new, RECEIVED_SCHEMA)
                # What the next run reads again: every message dated in the overlap before the
                # new watermark, loaded now or before.
                tail_start = span.end - self.overlap
                recent = [
                    (key, when)
                    for key, when in [*recent, *zip(keys, frame["receiveDate"], strict=True)]
                    if not pd.isna(when) and when >= tail_start
                ]
                state["watermark"] = span.end.isoformat()
                state["tail"] = [key for key, _ in recent]
        finally:
            if owned:
                client.close()

    def _table(self, frame: pd.DataFrame, schema: FrameSchema) -> pa.Table:
        """The API's fields as plain Arrow columns (no dictionaries: every destination takes
        text), then ``account``."""
        columns: dict[str, Any] = {}
        for name in schema.names:
            values = frame[name]
            if isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype("string")
            columns[name] = values
        table = pa.Table.from_pandas(pd.DataFrame(columns), preserve_index=False)
        table = table.append_column("account", pa.array([self.account] * len(table), pa.string()))
        if "id" not in table.column_names:
            return table
        # The merge key: never null (an item without an id cannot be merged, nor searched by
        # id again), and said so in the schema, as dlt's hints say it.
        table = table.filter(table["id"].is_valid())
        fields = [field.with_nullable(field.name not in _KEY) for field in table.schema]
        return table.cast(pa.schema(fields))


def _received_key(row: Any) -> str:
    """A received message's identity for the overlap: a hash, so no text is kept in state."""
    parts = [str(value) if not pd.isna(value) else "" for value in row[:4]]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _consume(seen: Counter[str], key: str) -> bool:
    """Whether ``key`` was loaded before (and one of its loads is now accounted for)."""
    if seen[key] > 0:
        seen[key] -= 1
        return True
    return False
