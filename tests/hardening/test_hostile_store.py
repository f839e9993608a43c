"""A store nothing can break: hostile answers and damaged folders against the real command line.

A server that answers messages from outside the span searched, or dated in year 10000 or year 1,
and a store damaged by hand (a manifest with wrong types, a partition deleted, cut short or
rewritten with a wrong column type, ``--store`` on a dangling link). Each case asserts the exit
code, the one line on stderr and its advice, the child's peak memory and wall time; then follows
the advice, and checks the store is readable and holds exactly what the sandbox serves without
the attack. The attacks run in a subprocess, measured; following the advice and checking the
result run in-process, which is quicker.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.cli import _exit_code
from smstools_tui.errors import DecodeError, StoreError
from smstools_tui.sandbox import (
    SANDBOX_KEY,
    SANDBOX_SECRET,
    SandboxAccount,
    SandboxApi,
    sandbox_settings,
)
from smstools_tui.store import Store, StoredClient
from tests.conftest import NOW, Clock, Result

from .hostile import (
    RSS_BOUND_MB,
    CliRun,
    HostileServer,
    Override,
    assert_clear_failure,
    cli_env,
    run_cli,
)
from .strays import StrayRecords
from .test_fault_scenarios import assert_truth

SINCE = "2026-11-01T00:00:00+00:00"
UNTIL = NOW.isoformat()
SECONDS = 60.0
"""The longest any of these runs may take (an ordinary one takes two or three seconds)."""
STORE_ERROR = _exit_code(StoreError(""))
DECODE_ERROR = _exit_code(DecodeError(""))

Hostile = Callable[[Override | None], HostileServer]


def serve(hostile: Hostile, override: StrayRecords | None = None) -> HostileServer:
    server = hostile(override)
    if override is not None:
        override.api = server.api
    return server


def cli(server: HostileServer, data: Path, *args: str) -> CliRun:
    return run_cli(*args, env=cli_env(server.base_url, data), limit=SECONDS * 2)


def sync_args(store: Path) -> tuple[str, ...]:
    return ("sync", "--since", SINCE, "--store", str(store))


def received_window_searches(server: HostileServer) -> int:
    return sum(
        1
        for request in server.requests
        if request.endpoint == "/sms/received/search" and "fromDate" in request.params
    )


def export_args(store: Path, target: Path) -> tuple[str, ...]:
    return ("export", "sent", "--since", SINCE, "--until", UNTIL, "--offline",
            "--store", str(store), "--out", str(target))  # fmt: skip


@pytest.fixture(scope="module")
def truth(small_account: SandboxAccount) -> dict[str, pd.DataFrame]:
    """What the sandbox serves without any attack."""
    api = SandboxApi(small_account, clock=Clock(), page_cap=50)
    settings = sandbox_settings(page_size=50)
    with SmstoolsClient(settings, transport=api.transport(), clock=Clock()) as client:
        return {"sent": client.sent(SINCE, UNTIL), "received": client.received(SINCE, UNTIL)}


Follow = Callable[..., Result]


@pytest.fixture
def follow(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> Follow:
    """``follow(server, *args)``: the command line in-process, as the same user as
    :func:`cli`: to follow the advice, and to check what it gave."""

    def invoke(server: HostileServer, *args: str) -> Result:
        monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
        monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
        monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)
        return run(*args)

    return invoke


def assert_store_is_truth(
    follow: Follow, server: HostileServer, store: Path, truth: dict[str, pd.DataFrame]
) -> None:
    """``export --offline`` works and gives exactly the truth; so do the store's reads."""
    target = store.parent / "sent.parquet"
    done = follow(server, *export_args(store, target))
    assert done.code == 0, done.err
    assert_truth(pd.read_parquet(target), truth["sent"], "sent")
    with StoredClient.offline(store) as offline:
        pd.testing.assert_frame_equal(offline.sent(SINCE, UNTIL), truth["sent"])
        pd.testing.assert_frame_equal(offline.received(SINCE, UNTIL), truth["received"])


def assert_sync_mends_it(
    follow: Follow,
    server: HostileServer,
    store: Path,
    truth: dict[str, pd.DataFrame],
    args: tuple[str, ...] = (),
) -> None:
    """A sync (``args``, else :func:`sync_args`) completes, and the store is then the truth."""
    done = follow(server, *(args or sync_args(store)))
    assert done.code == 0, done.err
    assert_store_is_truth(follow, server, store, truth)


def assert_one_line(done: CliRun, code: int, idle_rss_mb: float, *parts: str) -> str:
    assert_clear_failure(done, code, idle_rss_mb, seconds=SECONDS)
    (line,) = done.error_lines
    for part in parts:
        assert part in line, line
    return line


# -- what a server sends -------------------------------------------------------------------


def test_a_received_message_from_outside_the_span_is_never_stored(
    hostile: Hostile,
    tmp_path: Path,
    truth: dict[str, pd.DataFrame],
    idle_rss_mb: float,
    follow: Follow,
) -> None:
    """It was stored again by every sync: three syncs, three copies. It is not stored at all:
    no search of its date vouches for it, and it has no id to merge on."""
    past = {"from": "+393480000009", "text": "from the past",
            "receiveDate": "2020-01-01T00:00:00+0100"}  # fmt: skip
    server = serve(hostile, StrayRecords("/sms/received/search", past))
    store = tmp_path / "store"
    warned = 0
    for _ in range(3):
        searches = received_window_searches(server)
        done = cli(server, tmp_path, *sync_args(store))
        assert done.code == 0, done.err
        assert done.peak_rss_mb - idle_rss_mb <= RSS_BOUND_MB and done.seconds <= SECONDS
        if received_window_searches(server) == searches:
            # A sync in the same second as the last one has no received span left to search,
            # so the server had no chance to answer the stray.
            assert done.error_lines == []
            continue
        (warning,) = done.error_lines  # one line says what was left out, and why
        assert "received messages from outside the spans searched" in warning
        assert "(dated 2019-12-31T23:00:00+00:00)" in warning and "not stored" in warning
        warned += 1
    assert warned >= 1
    assert_store_is_truth(follow, server, store, truth)


@pytest.mark.parametrize(
    "date",
    [
        "9999-12-31T23:59:59-0100",  # year 10000 in UTC: a month key the loader refused
        "0001-01-01T00:00:00+0000",  # before any nanosecond timestamp: the reports crashed
    ],
)
def test_a_sent_message_dated_out_of_range_is_a_clear_decode_error(
    hostile: Hostile,
    tmp_path: Path,
    truth: dict[str, pd.DataFrame],
    idle_rss_mb: float,
    follow: Follow,
    date: str,
) -> None:
    bad = {"id": 999_999_999, "to": "393480000009", "status": "DELIVERED", "insertDate": date}
    strays = StrayRecords("/sms/search", bad)
    server = serve(hostile, strays)
    store = tmp_path / "store"
    assert_one_line(
        cli(server, tmp_path, *sync_args(store)), DECODE_ERROR, idle_rss_mb,
        f"field 'insertDate' has '{date}', outside the dates accepted "
        "(1990-01-01 to 2099-12-31, UTC)",
    )  # fmt: skip
    Store.open(store).read("sent")  # still a store that opens and reads
    strays.records.clear()  # the server mended: a good sync completes the store
    assert_sync_mends_it(follow, server, store, truth)


def test_a_report_over_out_of_range_dates_fails_clearly(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    bad = {"id": 999_999_999, "status": "SENT", "insertDate": "2026-11-20T10:00:00+0100",
           "sentDate": "0001-01-01T00:00:00+0000"}  # fmt: skip
    server = serve(hostile, StrayRecords("/sms/search", bad))
    target = tmp_path / "r.html"
    done = cli(server, tmp_path, "report", "all", "--since", SINCE, "--until", UNTIL,
               "--out", str(target))  # fmt: skip
    assert_one_line(
        done, DECODE_ERROR, idle_rss_mb, "field 'sentDate' has '0001-01-01T00:00:00+0000'"
    )
    assert not target.exists()


# -- a store damaged by hand ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server(small_account: SandboxAccount) -> Iterator[HostileServer]:
    """An ordinary server, the same for a whole module: a store belongs to one server."""
    with HostileServer(SandboxApi(small_account, clock=Clock(), page_cap=50)) as running:
        yield running


@pytest.fixture(scope="module")
def synced(server: HostileServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store made by one good sync, to copy and damage."""
    data = tmp_path_factory.mktemp("synced")
    done = cli(server, data, *sync_args(data / "store"))
    assert done.code == 0, done.err
    return data / "store"


def damaged_copy(synced: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    store = tmp_path / "store"
    shutil.copytree(synced, store)
    return store, json.loads(next(store.glob("_manifests/account=*.json")).read_text())


def spoil_partition(store: Path, manifest: dict[str, Any], how: str) -> str:
    """Spoil November's sent partition; returns its file name."""
    name = manifest["sent"]["partitions"]["2026-11"]["file"]
    path = store / name
    if how == "deleted":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    else:
        table = pq.read_table(path)
        index = table.schema.get_field_index("insertDate")
        pq.write_table(table.set_column(index, "insertDate", table["insertDate"].cast("string")),
                       path)  # fmt: skip
    return name


@pytest.mark.parametrize(
    ("how", "problem"),
    [
        ("deleted", "is missing"),
        ("truncated", "cannot be read"),
        ("wrong column type", "has a column 'insertDate' of type string instead of timestamp"),
    ],
)
def test_a_damaged_partition_says_so_and_a_sync_mends_it(
    server: HostileServer,
    synced: Path,
    tmp_path: Path,
    truth: dict[str, pd.DataFrame],
    idle_rss_mb: float,
    follow: Follow,
    caplog: pytest.LogCaptureFixture,
    how: str,
    problem: str,
) -> None:
    store, manifest = damaged_copy(synced, tmp_path)
    name = spoil_partition(store, manifest, how)
    line = assert_one_line(
        cli(server, tmp_path, *export_args(store, tmp_path / "sent.parquet")),
        STORE_ERROR, idle_rss_mb, f"the store in {store} is damaged: {name} {problem}",
    )  # fmt: skip
    assert line.endswith("run 'smstools-tui sync' to fetch that month (sent 2026-11) again")
    # The advice, word for word.
    assert_sync_mends_it(follow, server, store, truth, ("sync", "--store", str(store)))
    assert f"the store's {name} {problem}" in caplog.text and "fetched again" in caplog.text


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("generation", "14", "generation should be a whole number, not str '14'"),
        ("sent.partitions", ["2026-11"], "sent.partitions should be an object, not list"),
    ],
)
def test_a_manifest_with_wrong_types_says_so_and_moving_it_away_mends_it(
    server: HostileServer,
    synced: Path,
    tmp_path: Path,
    truth: dict[str, pd.DataFrame],
    idle_rss_mb: float,
    follow: Follow,
    path: str,
    value: object,
    field: str,
) -> None:
    store, manifest = damaged_copy(synced, tmp_path)
    *parents, last = path.split(".")
    node = manifest
    for key in parents:
        node = node[key]
    node[last] = value
    manifest_file = next(store.glob("_manifests/account=*.json"))
    manifest_file.write_text(json.dumps(manifest))
    # Neither an export nor a sync can use it, and both say what can.
    for args in (export_args(store, tmp_path / "sent.parquet"), sync_args(store)):
        assert_one_line(
            cli(server, tmp_path, *args), STORE_ERROR, idle_rss_mb,
            f"{manifest_file} is damaged ({field}",
            f"); move {store} away and run 'smstools-tui sync' to build the store again",
        )  # fmt: skip
    store.rename(tmp_path / "store.damaged")  # the advice
    assert_sync_mends_it(follow, server, store, truth)


def test_a_store_on_a_dangling_link_says_so(
    hostile: Hostile,
    tmp_path: Path,
    truth: dict[str, pd.DataFrame],
    idle_rss_mb: float,
    follow: Follow,
) -> None:
    store = tmp_path / "store"
    store.symlink_to(tmp_path / "elsewhere" / "store")
    server = serve(hostile)
    assert_one_line(
        cli(server, tmp_path, *sync_args(store)), STORE_ERROR, idle_rss_mb,
        f"--store {store} is a symbolic link to {tmp_path / 'elsewhere' / 'store'}, which does "
        "not exist: create that folder, or give another --store",
    )  # fmt: skip
    (tmp_path / "elsewhere" / "store").mkdir(parents=True)  # the advice
    assert_sync_mends_it(follow, server, store, truth)


def test_an_existing_store_folder_is_made_private(
    hostile: Hostile, tmp_path: Path, follow: Follow
) -> None:
    store = tmp_path / "store"
    store.mkdir()
    store.chmod(0o755)  # as the umask would leave it
    done = follow(serve(hostile), *sync_args(store))
    assert done.code == 0, done.err
    assert store.stat().st_mode & 0o777 == 0o700
    assert all(path.stat().st_mode & 0o077 == 0 for path in store.rglob("*"))
