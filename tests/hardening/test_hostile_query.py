"""Hostile servers against the query: a server that ignores the search parameters a filter
became, or answers a search by id with other messages, must not change what a command writes.

The client sends the filters the API can search by, then applies every filter again to what
came back (``Filters.apply``): whatever the server answers, the file holds exactly the messages
the query asked for, and nothing else reaches stderr but the one line saying where they went.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.frames import RECEIVED_SCHEMA, SENT_SCHEMA, coerce_frame
from smstools_tui.query import Query
from smstools_tui.sandbox import SandboxAccount, SandboxApi, sandbox_settings
from smstools_tui.sandbox.emulator import API_PREFIX
from tests.conftest import NOW, Clock

from .hostile import (
    RSS_BOUND_MB,
    WINDOW,
    HostileServer,
    Override,
    Reply,
    Request,
    cli_env,
    run_cli,
)

SENT, RECEIVED = "/sms/search", "/sms/received/search"
SEARCH_FILTERS = frozenset({"status", "msisdn", "transactionId", "from", "simIdRef"})
"""The parameters the client turns filters into."""
EVERYTHING = {"fromDate": "2000-01-01T00:00:00+0000", "toDate": "2099-12-31T23:59:59+0000"}


def _answer(api: SandboxApi, request: Request, params: dict[str, str]) -> Reply:
    answer = api.handle(request.method, API_PREFIX + request.endpoint, urlencode(params),
                        request.headers)  # fmt: skip
    return Reply(answer.status, [("Content-Type", answer.content_type), *answer.headers.items()],
                 answer.body)  # fmt: skip


def deaf(api: SandboxApi) -> Override:
    """A server that ignores every filter parameter: each search answers its whole span."""

    def override(request: Request) -> Reply | None:
        if request.endpoint not in (SENT, RECEIVED):
            return None
        kept = {name: value for name, value in request.params.items() if name not in SEARCH_FILTERS}
        return _answer(api, request, kept)

    return override


def anything_by_id(api: SandboxApi) -> Override:
    """A server that answers a search by id with every message it has."""

    def override(request: Request) -> Reply | None:
        if request.endpoint != SENT or "id" not in request.params:
            return None
        kept = {name: value for name, value in request.params.items() if name != "id"}
        return _answer(api, request, {**kept, **EVERYTHING})

    return override


@pytest.fixture
def scripted(
    small_account: SandboxAccount,
) -> Callable[[Callable[[SandboxApi], Override]], HostileServer]:
    """``scripted(attack)``: a server whose override is ``attack`` of its own sandbox."""
    servers: list[HostileServer] = []

    def start(attack: Callable[[SandboxApi], Override]) -> HostileServer:
        api = SandboxApi(small_account, clock=Clock(), page_cap=50)
        server = HostileServer(api, attack(api)).__enter__()
        servers.append(server)
        return server

    yield start  # type: ignore[misc]
    for server in servers:
        server.__exit__(None, None, None)


def truth(account: SandboxAccount, query: Query) -> pd.DataFrame:
    """What an honest server answers the query."""
    api = SandboxApi(account, clock=Clock(), page_cap=50)
    with SmstoolsClient(sandbox_settings(), transport=api.transport(), clock=Clock()) as client:
        return client.fetch(query).frame


def export_exactly(
    server: HostileServer, folder: Path, idle_rss_mb: float, expected: pd.DataFrame, *args: str
) -> None:
    """``export ARGS --no-store`` against ``server`` writes ``expected``, says so in one line,
    in bounded memory and time."""
    target = folder / "out.parquet"
    done = run_cli("export", *args, "--no-store", "--out", str(target),
                   env=cli_env(server.base_url, folder))  # fmt: skip
    assert done.code == 0 and not done.killed, done.err
    [line] = done.error_lines
    assert line == f"wrote {len(expected):,} {line.split()[2]} SMS to {target}"
    # Parquet cannot say "a category column of no categories": read back, it is typed again.
    schema = SENT_SCHEMA if "id" in expected else RECEIVED_SCHEMA
    pd.testing.assert_frame_equal(coerce_frame(pd.read_parquet(target), schema), expected)
    assert done.peak_rss_mb - idle_rss_mb <= RSS_BOUND_MB
    assert done.seconds <= 60


def test_a_server_deaf_to_the_sent_filters_changes_nothing_written(
    scripted: Callable[[Callable[[SandboxApi], Override]], HostileServer],
    small_account: SandboxAccount,
    tmp_path: Path,
    idle_rss_mb: float,
) -> None:
    server = scripted(deaf)
    honest = Query.build("sent", since=WINDOW[1], until=WINDOW[3], zone="UTC", now=NOW)
    everything = truth(small_account, honest)
    campaign = everything["transactionId"].value_counts().index[0]
    query = honest.with_filters(statuses=["DELIVERED"], campaign=campaign)
    expected = truth(small_account, query)
    assert 0 < len(expected) < len(everything)  # the filters matter
    export_exactly(server, tmp_path, idle_rss_mb, expected,
                   "sent", *WINDOW, "--status", "DELIVERED", "--campaign", campaign)  # fmt: skip
    asked = [request.params for request in server.requests if request.endpoint == SENT]
    assert asked and all(params.get("status") == "DELIVERED" for params in asked)


def test_a_server_deaf_to_the_received_filters_changes_nothing_written(
    scripted: Callable[[Callable[[SandboxApi], Override]], HostileServer],
    small_account: SandboxAccount,
    tmp_path: Path,
    idle_rss_mb: float,
) -> None:
    server = scripted(deaf)
    honest = Query.build("received", since=WINDOW[1], until=WINDOW[3], zone="UTC", now=NOW)
    everything = truth(small_account, honest)
    numbers = everything["from"].value_counts().index[:2].tolist()
    query = honest.with_filters(numbers=numbers)
    expected = truth(small_account, query)
    assert 0 < len(expected) < len(everything)
    export_exactly(server, tmp_path, idle_rss_mb, expected,
                   "received", *WINDOW, "--sender", numbers[0], "--number", numbers[1])  # fmt: skip


def test_a_server_that_answers_a_search_by_id_with_every_message_gives_only_those_ids(
    scripted: Callable[[Callable[[SandboxApi], Override]], HostileServer],
    small_account: SandboxAccount,
    tmp_path: Path,
    idle_rss_mb: float,
) -> None:
    server = scripted(anything_by_id)
    window = truth(small_account, Query.build("sent", window="30d", now=NOW))
    ids = window["id"].iloc[[0, 3, 7]].tolist()
    expected = truth(small_account, Query.build("sent", ids=ids, now=NOW))
    assert sorted(expected["id"]) == sorted(ids)
    by_id = [word for value in ids for word in ("--id", str(value))]
    export_exactly(server, tmp_path, idle_rss_mb, expected, "sent", *by_id)
    assert server.count(SENT) > 1  # the server did send every message, page after page
