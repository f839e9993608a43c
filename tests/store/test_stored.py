"""The store-backed client: the client's answers, with fewer requests, and the same offline."""

from __future__ import annotations

import doctest
import importlib
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import ConfigError, ServerError, StoreError
from smstools_tui.sandbox import FaultPlan, SandboxApi
from smstools_tui.source import IncompleteDataWarning, MessageSource
from smstools_tui.store import StoredClient, SyncPolicy
from tests.conftest import NOW, Clock

SINCE, UNTIL = "2026-08-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00"


@pytest.fixture
def stored(make_client: Callable[..., SmstoolsClient], tmp_path: Path) -> StoredClient:
    return StoredClient.open(make_client(), tmp_path / "store")


def test_answers_are_the_clients_answers(stored: StoredClient, client: SmstoolsClient) -> None:
    pd.testing.assert_frame_equal(stored.sent(SINCE, UNTIL), client.sent(SINCE, UNTIL))
    pd.testing.assert_frame_equal(stored.received(SINCE, UNTIL), client.received(SINCE, UNTIL))
    sent = client.sent(SINCE, UNTIL)
    number = sent["to"].value_counts().index[0]
    campaign = sent["transactionId"].dropna().iloc[0]
    for filters in (
        {"status": "notdelivered"},
        {"msisdn": "+" + number[:2] + " " + number[2:]},
        {"campaign": campaign},
        {"status": "DELIVERED", "campaign": campaign},
    ):
        pd.testing.assert_frame_equal(
            stored.sent(SINCE, UNTIL, **filters), client.sent(SINCE, UNTIL, **filters)
        )
    sender = client.received(SINCE, UNTIL)["from"].value_counts().index[0]
    for received_filters in ({"sender": sender}, {"service": 1002}, {"sender": [sender]}):
        pd.testing.assert_frame_equal(
            stored.received(SINCE, UNTIL, **received_filters),  # type: ignore[arg-type]
            client.received(SINCE, UNTIL, **received_filters),  # type: ignore[arg-type]
        )
    with pytest.raises(ConfigError, match="unknown status"):
        stored.sent(status="LOST")


def test_a_covered_window_costs_no_request_and_the_rest_only_what_is_new(
    stored: StoredClient, api: SandboxApi, clock: Clock
) -> None:
    stored.sent(SINCE, UNTIL)
    before = sum(api.requests.values())
    again = stored.fetch(stored.query("sent", since=SINCE, until=UNTIL, status="DELIVERED"))
    assert sum(api.requests.values()) == before
    assert again.complete and not again.offline and set(again.frame["status"]) == {"DELIVERED"}
    # Up to now: only October's end to now is fetched, not August to October again.
    stored.sent(SINCE)
    fetched = sum(api.requests.values()) - before
    assert 0 < fetched <= 6


def test_offline_answers_from_the_store_alone(
    stored: StoredClient, client: SmstoolsClient, clock: Clock
) -> None:
    live_account = stored.account()
    stored.sync(since=SINCE)
    stored.close()
    offline = StoredClient.offline(stored.store.path)
    assert not offline.online and offline.label == stored.label
    # Offline time stands at the last sync, so default windows end where the data does.
    assert offline.now() == clock.now.replace(microsecond=0)
    pd.testing.assert_frame_equal(offline.sent(SINCE, UNTIL), client.sent(SINCE, UNTIL))
    pd.testing.assert_frame_equal(offline.received(SINCE), client.received(SINCE))
    assert offline.account() == live_account
    assert offline.fetch(offline.query("sent", since=SINCE)).offline
    some = client.sent(SINCE, UNTIL)["id"].iloc[:3].tolist()
    assert sorted(offline.sent(ids=some)["id"]) == sorted(some)
    with pytest.raises(ConfigError, match="needs the network"):
        offline.sync()
    with pytest.raises(StoreError, match="not stored"):
        offline.receiving_services()


def test_damaged_account_details_are_a_clear_error_a_sync_mends(stored: StoredClient) -> None:
    stored.sync(since=SINCE)
    manifest = stored.store.manifest_file
    document = json.loads(manifest.read_text())
    document["account_details"]["sender_aliases"] = 5  # any value of the wrong type
    manifest.write_text(json.dumps(document))
    with pytest.raises(StoreError) as raised:
        StoredClient.offline(stored.store.path).account()
    assert str(raised.value) == (
        "the account details in the store are damaged; run 'smstools-tui sync' to fetch them again"
    )
    stored.sync()
    assert StoredClient.offline(stored.store.path).account() == stored.account()


def test_offline_says_when_the_store_does_not_cover_the_window(
    stored: StoredClient, caplog: pytest.LogCaptureFixture
) -> None:
    stored.sent(SINCE, UNTIL)
    offline = StoredClient.offline(stored.store.path)
    result = offline.fetch(offline.query("sent", since="2026-06-01T00:00:00+00:00", until=UNTIL))
    assert not result.complete and result.offline and len(result.frame) > 0
    assert result.problem == (
        "the local store does not hold all sent messages of the window (it lacks "
        "2026-06-01T00:00:00+00:00 to 2026-08-01T00:00:00+00:00): sync it, online, to fill it"
    )
    assert caplog.text == ""  # said once, by whoever reports the result
    # The convenience call returns the frame, and warns: a notebook user still learns it.
    with pytest.warns(IncompleteDataWarning, match="does not hold all sent messages"):
        frame = offline.sent("2026-06-01T00:00:00+00:00", UNTIL)
    assert frame.equals(result.frame)


def test_offline_finds_the_last_store_used_for_the_base_url(
    stored: StoredClient,
) -> None:
    stored.sent(SINCE, UNTIL)
    offline = StoredClient.offline(base_url=stored.store.identity.base_url)
    assert offline.store.path == stored.store.path.resolve()
    with pytest.raises(ConfigError, match="no local store for https://other"):
        StoredClient.offline(base_url="https://other.example/rest/api")


def test_a_failed_read_carries_all_the_store_holds_and_a_retry_completes(
    make_client: Callable[..., SmstoolsClient],
    api: SandboxApi,
    client: SmstoolsClient,
    tmp_path: Path,
) -> None:
    stored = StoredClient.open(make_client(max_attempts=1), tmp_path / "store")
    api.faults = FaultPlan(after=5, kinds=("500",))
    with pytest.raises(ServerError) as failure:
        stored.sent(SINCE, UNTIL)
    partial = failure.value.partial
    assert partial is not None and len(partial) > 100
    api.faults = FaultPlan()
    pd.testing.assert_frame_equal(stored.sent(SINCE, UNTIL), client.sent(SINCE, UNTIL))


def test_progress_counts_up_over_every_search(
    stored: StoredClient, api: SandboxApi, clock: Clock
) -> None:
    seen: list[tuple[int, int]] = []
    stored.sent(SINCE, UNTIL, progress=lambda done, total: seen.append((done, total)))
    assert len(seen) > 3
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][0] == seen[-1][1]
    # New messages and pending statuses: window searches and re-checks, counted as one (no
    # overlap, which would fetch the pending messages again with the new ones).
    stored.policy = SyncPolicy(overlap=0)
    clock.now = NOW - timedelta(minutes=3)
    stored.sent(NOW - timedelta(days=3))
    clock.now = NOW + timedelta(hours=1)
    seen.clear()
    rechecks = api.requests["/sms/search"]
    stored.sent(NOW - timedelta(days=3), progress=lambda done, total: seen.append((done, total)))
    assert api.requests["/sms/search"] - rechecks == seen[-1][1] >= 2
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1][0] == seen[-1][1]


def test_asked_by_id_online_the_api_answers_and_the_store_keeps_it(
    stored: StoredClient, api: SandboxApi, clock: Clock, client: SmstoolsClient
) -> None:
    clock.now = NOW - timedelta(minutes=3)
    pending = client.sent(since=NOW - timedelta(minutes=10), status="PENDING")
    ids = pending["id"].tolist()
    assert ids
    stored.sent(NOW - timedelta(days=1))
    clock.now = NOW + timedelta(hours=1)
    fresh = stored.sent(ids=ids)
    assert set(fresh["status"].astype(str)) <= {"DELIVERED", "NOTDELIVERED", "NOSENT", "SENT"}
    offline = StoredClient.offline(stored.store.path)
    pd.testing.assert_frame_equal(
        offline.sent(ids=ids).sort_values("id").reset_index(drop=True),
        fresh.sort_values("id").reset_index(drop=True),
        check_categorical=False,
    )
    with pytest.raises(ConfigError, match="no message ids given"):
        stored.sent(ids=[])


def test_it_is_a_message_source(stored: StoredClient, client: SmstoolsClient) -> None:
    sources: list[MessageSource] = [stored, client]
    for source in sources:
        with source:
            assert source.window(SINCE, UNTIL).start.isoformat() == SINCE
            assert source.account().display_name == "MyShop S.r.l."
    assert repr(stored).startswith("StoredClient(") and "online" in repr(stored)


@pytest.mark.parametrize(
    "module",
    [
        "smstools_tui.store.coverage",
        "smstools_tui.store.locate",
        "smstools_tui.store.store",
        "smstools_tui.store.sync",
        "smstools_tui.store.stored",
        "smstools_tui.sandbox.emulator",
    ],
)
def test_the_examples_in_the_docstrings_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_no_lock_is_held_while_the_network_is_used(
    stored: StoredClient, api: SandboxApi, client: SmstoolsClient
) -> None:
    """The dashboard reads sent and received side by side: while a sent search waits on the
    server, a received read of the same store completes."""
    sent_waiting, release = threading.Event(), threading.Event()

    def hold_the_sent_search(path: str, params: dict[str, str]) -> None:
        if path == "/sms/search":
            sent_waiting.set()
            release.wait(10)

    api.on_request = hold_the_sent_search
    sent_result: list[pd.DataFrame] = []
    reader = threading.Thread(target=lambda: sent_result.append(stored.sent(SINCE, UNTIL)))
    reader.start()
    try:
        assert sent_waiting.wait(5)
        received = stored.received(SINCE, UNTIL)  # would wait forever behind a lock
        assert not release.is_set() and reader.is_alive()
    finally:
        release.set()
        reader.join(10)
    api.on_request = None
    pd.testing.assert_frame_equal(received, client.received(SINCE, UNTIL))
    pd.testing.assert_frame_equal(sent_result[0], client.sent(SINCE, UNTIL))
