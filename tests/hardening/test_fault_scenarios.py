"""Hundreds of seeded fault scenarios: every fetch, export, report and sync either gives exactly
the true data or fails with one clear line; it never passes part of the data off as all of it.

Each scenario draws, from its seed, a mix of faults (server errors, a proxy's HTML pages, rate
limiting, timeouts, connections dropped mid-body, truncated bodies, wrong content types, counts
that change, empty pages before the end, compression bombs, answers trickled a byte at a time),
how often they strike, the format, the concurrency and what to run. The truth is what the same
sandbox answers without faults.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import SmstoolsError
from smstools_tui.sandbox import (
    FAULT_KINDS,
    SANDBOX_KEY,
    SANDBOX_SECRET,
    AccountSpec,
    FaultPlan,
    SandboxAccount,
    SandboxApi,
    SandboxServer,
    generate_account,
    sandbox_settings,
)
from smstools_tui.store import StoredClient
from tests.conftest import NOW, Clock, Result

from .strays import StrayRecords

SINCE = (NOW - timedelta(days=40)).isoformat()
UNTIL = (NOW - timedelta(days=1)).isoformat()
PAGE = 50
# Over HTTP a timeout means waiting for the client's timeout: those run in-process only. A
# trickle runs over HTTP too, a byte every 0.1 s, which no per-read timeout ends: the deadline
# of half a second does.
OVER_HTTP = tuple(kind for kind in FAULT_KINDS if kind != "timeout")
DEADLINE = ("--timeout", "0.5")
# In-process, a bomb stops at this (pages are some 20 KB) instead of the default 64 MiB.
BODY_LIMIT = 4 * 1024 * 1024


@dataclass(frozen=True)
class Scenario:
    seed: int
    kinds: tuple[str, ...]
    rate: float
    wire_format: str
    kind: str
    concurrency: int

    @classmethod
    def draw(cls, seed: int, kinds: tuple[str, ...] = FAULT_KINDS) -> Scenario:
        rng = random.Random(seed)
        return cls(
            seed=seed,
            kinds=tuple(sorted(rng.sample(kinds, rng.randint(1, 4)))),
            rate=rng.choice((0.05, 0.15, 0.3, 0.5)),
            wire_format=rng.choice(("json", "xml")),
            kind=rng.choice(("sent", "received")),
            concurrency=rng.choice((1, 4)),
        )

    def api(self, account: SandboxAccount) -> SandboxApi:
        plan = FaultPlan(
            rate=self.rate, kinds=self.kinds, seed=self.seed, retry_after=0, trickle=0.1
        )
        return SandboxApi(account, clock=Clock(), page_cap=PAGE, faults=plan)


@pytest.fixture(scope="module")
def account() -> SandboxAccount:
    return generate_account(AccountSpec(seed=31, sent=1_500, received=400, days=60, now=NOW))


@pytest.fixture(scope="module")
def truth(account: SandboxAccount) -> dict[tuple[str, str], pd.DataFrame]:
    """What the sandbox answers without faults, per kind and format (XML 1.0 cannot carry
    control characters, so the sandbox's XML shows them as U+FFFD)."""
    clean = SandboxApi(account, clock=Clock(), page_cap=PAGE)
    frames = {}
    for wire_format in ("json", "xml"):
        settings = sandbox_settings(page_size=PAGE, wire_format=wire_format)
        with SmstoolsClient(settings, transport=clean.transport(), clock=Clock()) as client:
            frames["sent", wire_format] = client.sent(SINCE, UNTIL)
            frames["received", wire_format] = client.received(SINCE, UNTIL)
    assert len(frames["sent", "json"]) > 10 * PAGE
    assert len(frames["received", "json"]) > 2 * PAGE
    return frames


def canonical(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Rows in one order, categories compared as text: equality means the same records."""
    keys = ["id"] if kind == "sent" else ["receiveDate", "from", "text"]
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = out[name].astype("string")
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def assert_truth(frame: pd.DataFrame, truth: pd.DataFrame, kind: str) -> None:
    pd.testing.assert_frame_equal(canonical(frame, kind), canonical(truth, kind))


def assert_clear(error: SmstoolsError) -> None:
    message = str(error)
    assert message and "\n" not in message
    assert "Traceback" not in message


def assert_partial_is_true(partial: pd.DataFrame | None, truth: pd.DataFrame, kind: str) -> None:
    """What a failed fetch kept is part of the truth, never something invented."""
    if partial is None or partial.empty:
        return
    if kind == "sent":
        truth_by_id = canonical(truth, kind).set_index("id")
        kept = canonical(partial, kind).set_index("id")
        assert kept.index.isin(truth_by_id.index).all()
        pd.testing.assert_frame_equal(kept, truth_by_id.loc[kept.index])
    else:
        rows = canonical(truth, kind).astype(str).agg("|".join, axis=1).value_counts()
        kept = canonical(partial, kind).astype(str).agg("|".join, axis=1).value_counts()
        assert (kept.reindex(rows.index, fill_value=0) <= rows).all()
        assert kept.index.isin(rows.index).all()


def assert_documented_exit(result: Result) -> None:
    """A command that failed under faults exits as the README says: 1 when the gateway answered
    an error (a 5xx says the gateway failed) or the data did not add up, 4 when it could not be
    reached."""
    assert result.code in (1, 4), result.err
    if " answered 5" in result.err:
        assert result.code == 1 and "the gateway failed" in result.err, result.err


def note(tally: dict[str, Counter[str]], api: SandboxApi, outcome: str) -> None:
    tally["faults"].update(api.faults_injected)
    tally["outcomes"][outcome] += 1


# -- the Python API, in-process: 160 scenarios -------------------------------------------------


@pytest.mark.parametrize("seed", range(160))
def test_fetch_under_faults(
    seed: int,
    account: SandboxAccount,
    truth: dict[tuple[str, str], pd.DataFrame],
    tally: dict[str, Counter[str]],
) -> None:
    scenario = Scenario.draw(seed)
    api = scenario.api(account)
    settings = sandbox_settings(
        page_size=PAGE,
        wire_format=scenario.wire_format,
        concurrency=scenario.concurrency,
        max_attempts=6,
        max_body_bytes=BODY_LIMIT,
    )
    with SmstoolsClient(
        settings, transport=api.transport(), clock=Clock(), sleep=lambda _: None
    ) as client:
        try:
            result = client.fetch(client.query(scenario.kind, since=SINCE, until=UNTIL))
        except SmstoolsError as error:
            assert_clear(error)
            assert_partial_is_true(
                error.partial, truth[scenario.kind, scenario.wire_format], scenario.kind
            )
            note(tally, api, "fetch failed clearly")
            return
    assert result.complete is True and result.problem is None
    assert_truth(result.frame, truth[scenario.kind, scenario.wire_format], scenario.kind)
    note(tally, api, "fetch exact")


# -- the command line over HTTP: exports, reports, syncs ---------------------------------------


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> Callable[[SandboxServer], None]:
    monkeypatch.setattr("smstools_tui.api.client.time.sleep", lambda seconds: None)

    def point_at(server: SandboxServer) -> None:
        monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
        monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
        monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)

    return point_at


@pytest.fixture
def serve() -> Iterator[Callable[[SandboxApi], SandboxServer]]:
    servers: list[SandboxServer] = []

    def start(api: SandboxApi) -> SandboxServer:
        servers.append(SandboxServer(api).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.mark.parametrize("seed", range(1000, 1040))
def test_export_under_faults(
    seed: int,
    account: SandboxAccount,
    truth: dict[tuple[str, str], pd.DataFrame],
    tally: dict[str, Counter[str]],
    run: Callable[..., Result],
    cli_env: Callable[[SandboxServer], None],
    serve: Callable[[SandboxApi], SandboxServer],
    tmp_path: Path,
) -> None:
    scenario = Scenario.draw(seed, OVER_HTTP)
    api = scenario.api(account)
    cli_env(serve(api))
    target = tmp_path / "out.parquet"
    store = ["--no-store"] if seed % 2 else ["--store", str(tmp_path / "store")]
    result = run(
        "export", scenario.kind, "--since", SINCE, "--until", UNTIL, "--format", scenario.wire_format,
        "--concurrency", str(scenario.concurrency), *store, *DEADLINE, "--out", str(target),
    )  # fmt: skip
    if result.code == 0:
        assert_truth(
            pd.read_parquet(target), truth[scenario.kind, scenario.wire_format], scenario.kind
        )
        note(tally, api, "export exact")
        return
    assert result.err.startswith("smstools-tui: error: ")
    assert result.err.count("\n") == 1
    assert_documented_exit(result)
    assert not target.exists(), "an incomplete fetch must never be written as the export"
    partial = target.with_name("out.partial.parquet")
    if partial.exists():
        assert "INCOMPLETE" in result.err
        assert_partial_is_true(
            pd.read_parquet(partial), truth[scenario.kind, scenario.wire_format], scenario.kind
        )
    note(tally, api, "export failed clearly")


@pytest.mark.parametrize("seed", range(2000, 2020))
def test_report_under_faults(
    seed: int,
    account: SandboxAccount,
    tally: dict[str, Counter[str]],
    run: Callable[..., Result],
    cli_env: Callable[[SandboxServer], None],
    serve: Callable[[SandboxApi], SandboxServer],
    tmp_path: Path,
) -> None:
    scenario = Scenario.draw(seed, OVER_HTTP)
    report = random.Random(seed).choice(
        (("delivery", "--by", "country"), ("cost", "--by", "month"), ("campaigns",), ("opt-outs",))
    )
    args = (*report, "--since", SINCE, "--until", UNTIL, "--tz", "UTC", "--no-store")
    cli_env(serve(SandboxApi(account, clock=Clock(), page_cap=PAGE)))
    expected = tmp_path / "expected.csv"
    assert run("report", *args, "--out", str(expected)).code == 0
    api = scenario.api(account)
    cli_env(serve(api))
    target = tmp_path / "faulty.csv"
    result = run("report", *args, "--format", scenario.wire_format, *DEADLINE, "--out", str(target))
    if result.code == 0:
        assert target.read_bytes() == expected.read_bytes()
        note(tally, api, "report exact")
        return
    assert result.err.count("\n") == 1
    assert result.err.startswith("smstools-tui: error: ")
    assert_documented_exit(result)
    assert not target.exists()
    note(tally, api, "report failed clearly")


@pytest.mark.parametrize("seed", range(3000, 3030))
def test_sync_under_faults(
    seed: int,
    account: SandboxAccount,
    truth: dict[tuple[str, str], pd.DataFrame],
    tally: dict[str, Counter[str]],
    tmp_path: Path,
) -> None:
    """A sync that fails leaves a store the next, clean sync completes; a sync that succeeds
    leaves exactly the truth."""
    scenario = Scenario.draw(seed)
    assert_sync_ends_in_truth(scenario, scenario.api(account), account, truth, tally, tmp_path)


STRAYS = (
    ("/sms/received/search", {"from": "+393480000009", "text": "from the past",
                              "receiveDate": "2020-01-01T00:00:00+0100"}),
    ("/sms/search", {"id": 999_999_999, "status": "SENT", "insertDate": "2031-05-01T00:00:00Z"}),
    ("/sms/search", {"id": 999_999_998, "status": "SENT", "insertDate": "9999-12-31T23:59:59-0100"}),
)  # fmt: skip
"""What a stray answer carries: a received message from outside the span searched (it was
stored again by every sync), a sent one from outside it, a sent one dated in year 10000."""


@pytest.mark.parametrize("seed", range(3100, 3110))
def test_sync_under_faults_and_stray_records(
    seed: int,
    account: SandboxAccount,
    truth: dict[tuple[str, str], pd.DataFrame],
    tally: dict[str, Counter[str]],
    tmp_path: Path,
) -> None:
    """Faults, and pages that also carry records from outside the span searched or outside
    the accepted dates: those never reach the store, and the store is never spoilt."""
    scenario = dataclasses.replace(Scenario.draw(seed), wire_format="json")
    api = scenario.api(account)
    endpoint, record = STRAYS[seed % len(STRAYS)]
    strays = StrayRecords(endpoint, record)
    tally["faults"][f"stray {'received' if 'received' in endpoint else 'sent'}"] += 1
    assert_sync_ends_in_truth(scenario, api, account, truth, tally, tmp_path, strays.transport(api))


def assert_sync_ends_in_truth(
    scenario: Scenario,
    api: SandboxApi,
    account: SandboxAccount,
    truth: dict[tuple[str, str], pd.DataFrame],
    tally: dict[str, Counter[str]],
    tmp_path: Path,
    transport: httpx.BaseTransport | None = None,
) -> None:
    path = tmp_path / "store"
    settings = sandbox_settings(
        page_size=PAGE,
        wire_format=scenario.wire_format,
        concurrency=scenario.concurrency,
        max_body_bytes=BODY_LIMIT,
    )
    with SmstoolsClient(
        settings, transport=transport or api.transport(), clock=Clock(), sleep=lambda _: None
    ) as live:
        stored = StoredClient.open(live, path)
        try:
            stored.sync(since=SINCE)
            outcome = "sync exact"
        except SmstoolsError as error:
            assert_clear(error)
            outcome = "sync failed clearly, then resumed"
    note(tally, api, outcome)
    clean = SandboxApi(account, clock=Clock(), page_cap=PAGE)
    with SmstoolsClient(
        sandbox_settings(page_size=PAGE, wire_format=scenario.wire_format),
        transport=clean.transport(),
        clock=Clock(),
    ) as live:
        stored = StoredClient.open(live, path)
        if outcome != "sync exact":
            stored.sync(since=SINCE)
        searches: list[dict[str, str]] = []
        clean.on_request = lambda path, params: searches.append(params)
        frames = {"sent": stored.sent(SINCE, UNTIL), "received": stored.received(SINCE, UNTIL)}
    # A synced window is read from the store; only statuses still pending are asked again.
    assert all("id" in params for params in searches), searches
    for kind in ("sent", "received"):
        assert_truth(frames[kind], truth[kind, scenario.wire_format], kind)
