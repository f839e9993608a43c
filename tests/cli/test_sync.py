"""``smstools-tui sync`` and the store options every command shares."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.cli.sync import sync_progress
from smstools_tui.sandbox import (
    SANDBOX_KEY,
    SANDBOX_SECRET,
    AccountSpec,
    FaultPlan,
    SandboxApi,
    SandboxServer,
    generate_account,
)
from smstools_tui.store import Store, StoredClient
from tests.conftest import NOW, Clock, Result

SINCE = ("--since", "2026-08-01T00:00:00+00:00")
WINDOW = (*SINCE, "--until", "2026-11-01T00:00:00+00:00")


def test_sync_then_resync(run: Callable[..., Result], live: SandboxServer) -> None:
    first = run("sync", *SINCE)
    assert first.code == 0, first.err
    assert first.out.startswith("synced: ") and first.out.count("\n") == 1
    assert "new sent" in first.out and "requests in" in first.out
    again = run("sync")
    assert again.code == 0, again.err
    assert "synced: 0 new sent, 0 new received, 0 statuses updated" in again.out
    requests = int(again.out.split("; ")[1].split(" requests")[0])
    assert requests <= 6  # the account, and a request or two per kind


def test_offline_commands_need_neither_network_nor_credentials(
    run: Callable[..., Result],
    live: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert run("sync", *SINCE).code == 0
    online = tmp_path / "online.parquet"
    assert run("export", "sent", *WINDOW, "--out", str(online)).code == 0
    for name in ("SMSTOOLS_AUTH_KEY", "SMSTOOLS_AUTH_SECRET"):
        monkeypatch.delenv(name)
    live.stop()  # no network either
    offline = tmp_path / "offline.parquet"
    result = run("export", "sent", *WINDOW, "--offline", "--out", str(offline))
    assert result.code == 0, result.err
    pd.testing.assert_frame_equal(pd.read_parquet(offline), pd.read_parquet(online))
    replies = tmp_path / "replies.csv"
    assert run("export", "received", "--offline", "--out", str(replies)).code == 0


def test_store_path_for_every_command(
    run: Callable[..., Result], live: SandboxServer, tmp_path: Path, no_credentials: None
) -> None:
    folder = tmp_path / "my-store"
    assert run("sync", *SINCE, "--store", str(folder)).code == 0
    assert any(folder.glob("_manifests/account=*.json"))
    target = tmp_path / "sent.csv"
    result = run(
        "export", "sent", *WINDOW, "--offline", "--store", str(folder), "--out", str(target)
    )
    assert result.code == 0, result.err
    # The demo has no store of its own, but can be synced into one.
    demo = tmp_path / "demo-store"
    assert run("sync", "--demo", "--store", str(demo)).code == 0
    assert json.loads(next(demo.glob("_manifests/account=*.json")).read_text())["label"] == "demo"


def test_no_store_fetches_everything_from_the_api(
    run: Callable[..., Result], live: SandboxServer, api: SandboxApi, tmp_path: Path
) -> None:
    target = tmp_path / "sent.csv"
    assert run("export", "sent", *WINDOW, "--no-store", "--out", str(target)).code == 0
    once = api.requests["/sms/search"]
    assert run("export", "sent", *WINDOW, "--no-store", "--out", str(target)).code == 0
    assert api.requests["/sms/search"] == 2 * once > 2  # all of it again: nothing was kept


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sync", "--offline"), "sync needs the network"),
        (("sync", "--no-store"), "sync writes the local store"),
        (("sync", "--demo"), "add --store PATH"),
        (("export", "sent", "--offline", "--no-store", "--out", "x.csv"), "cannot go with"),
        (("export", "sent", "--offline", "--demo", "--out", "x.csv"), "drop --offline"),
        (("export", "sent", "--store", "x", "--no-store", "--out", "x.csv"), "contradict"),
        (("export", "sent", "--offline", "--out", "x.csv"), "no local store for https://"),
        (("sync", "--since", "2026-02-30"), "is not a window"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    run: Callable[..., Result], no_credentials: None, args: tuple[str, ...], message: str
) -> None:
    result = run(*args)
    assert result.code == 2, result.err
    assert message in result.err and result.err.count("\n") == 1


def test_accounts_sharing_a_store_stay_apart_and_a_newer_format_is_refused(
    run: Callable[..., Result], live: SandboxServer, tmp_path: Path
) -> None:
    folder = tmp_path / "store"
    assert run("sync", "--demo", "--store", str(folder)).code == 0
    (demo_manifest,) = folder.glob("_manifests/account=*.json")
    assert run("sync", "--store", str(folder)).code == 0  # another account (server): beside it
    assert len(list(folder.glob("_manifests/account=*.json"))) == 2
    both = run("export", "sent", "--offline", "--store", str(folder), "--out", "x.csv")
    assert both.code == 1 and "holds 2 accounts" in both.err and both.err.count("\n") == 1
    alone = tmp_path / "alone"
    assert run("sync", "--demo", "--store", str(alone)).code == 0
    (manifest_file,) = alone.glob("_manifests/account=*.json")
    assert manifest_file.name == demo_manifest.name
    manifest = json.loads(manifest_file.read_text())
    manifest["version"] = 99
    manifest_file.write_text(json.dumps(manifest))
    newer = run("export", "sent", "--offline", "--store", str(alone), "--out", "x.csv")
    assert newer.code == 1 and "written by a newer smstools-tui" in newer.err


def test_an_interrupted_sync_says_so_and_a_rerun_resumes(
    run: Callable[..., Result],
    live: SandboxServer,
    api: SandboxApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("smstools_tui.api.client.time.sleep", lambda seconds: None)
    api.faults = FaultPlan(after=6, kinds=("503",))
    failed = run("sync", *SINCE)
    assert failed.code == 1  # the gateway answered, with an error
    assert "run sync again to resume" in failed.err and failed.err.count("\n") == 1
    api.faults = FaultPlan()
    resumed = run("sync")
    assert resumed.code == 0, resumed.err
    with StoredClient.offline(base_url=live.base_url) as offline:
        assert offline.store.coverage("sent").start == pd.Timestamp(SINCE[1]).timestamp()


def test_sync_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    with sync_progress() as progress:
        assert progress is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with sync_progress() as progress:
        assert progress is not None
        progress("sent", 1, 4)
        progress("sent", 4, 4)
        progress("statuses", 1, 1)


@pytest.fixture
def bars(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """What the sync's progress bars are told, as ``(stage, done, total)``."""
    seen: list[tuple[str, int, int]] = []

    @contextmanager
    def recorder() -> Iterator[Callable[[str, int, int], None]]:
        yield lambda stage, done, total: seen.append((stage, done, total))

    monkeypatch.setattr("smstools_tui.cli.sync.sync_progress", recorder)
    return seen


def test_sync_with_a_progress_bar(
    run: Callable[..., Result], live: SandboxServer, bars: list[tuple[str, int, int]]
) -> None:
    seen = bars
    assert run("sync", *SINCE).code == 0
    assert {stage for stage, _, _ in seen} >= {"sent", "received"}
    assert all(done <= total for _, done, total in seen)


def test_a_sync_killed_at_any_moment_resumes_on_the_next_run(
    run: Callable[..., Result],
    api: SandboxApi,
    client: SmstoolsClient,
    monkeypatch: pytest.MonkeyPatch,
    no_credentials: None,
    tmp_path: Path,
) -> None:
    """``kill -9`` on a running ``smstools-tui sync``: the store opens, and the next sync
    completes it to the sandbox's truth."""
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL on this platform")
    folder = tmp_path / "store"
    chooser = random.Random(3)
    with SandboxServer(api, latency=0.03) as slow:
        env = {**os.environ, "SMSTOOLS_BASE_URL": slow.base_url,
               "SMSTOOLS_AUTH_KEY": SANDBOX_KEY, "SMSTOOLS_AUTH_SECRET": SANDBOX_SECRET}  # fmt: skip
        for name, value in env.items():
            if name.startswith("SMSTOOLS_"):
                monkeypatch.setenv(name, value)
        for _ in range(2):
            syncing = subprocess.Popen(
                [sys.executable, "-m", "smstools_tui", "sync", *SINCE, "--store", str(folder)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(chooser.uniform(0.8, 1.6))
            syncing.send_signal(signal.SIGKILL)
            syncing.wait(timeout=30)
            if any(folder.glob("_manifests/account=*.json")):
                Store.open(folder).read("sent")  # readable, whatever the moment
        resumed = run("sync", *SINCE, "--store", str(folder))
        assert resumed.code == 0, resumed.err
    until = NOW.isoformat()
    with StoredClient.offline(folder) as offline:
        pd.testing.assert_frame_equal(offline.sent(SINCE[1], until), client.sent(SINCE[1], until))
        pd.testing.assert_frame_equal(
            offline.received(SINCE[1], until), client.received(SINCE[1], until)
        )


def stored_rows(folder: Path) -> tuple[int, int]:
    """The committed state of a store: its generation and how many messages it holds."""
    try:
        manifest = json.loads(next(folder.glob("_manifests/account=*.json")).read_bytes())
    except (StopIteration, FileNotFoundError, ValueError):
        return 0, 0
    rows = sum(
        partition["rows"]
        for kind in ("sent", "received")
        for partition in manifest[kind]["partitions"].values()
    )
    return manifest["generation"], rows


def test_a_sync_killed_every_second_and_a_half_makes_progress_every_time(
    tmp_path: Path, no_credentials: None
) -> None:
    """A resumed sync used to size its first chunk from the stored density with no cap, and
    fetched the whole rest as one chunk committed only at its end: killed every few seconds,
    it never got further. Every chunk is capped now, a resumed one's first too."""
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("no SIGKILL on this platform")
    account = generate_account(AccountSpec(seed=12, sent=20_000, received=1_000, now=NOW))
    api = SandboxApi(account, clock=Clock(), page_cap=250)
    folder, since = tmp_path / "store", "2025-11-01T00:00:00+00:00"
    command = [sys.executable, "-m", "smstools_tui", "sync", "--since", since,
               "--store", str(folder)]  # fmt: skip
    progress = []
    with SandboxServer(api, latency=0.1) as slow:
        env = {**os.environ, "SMSTOOLS_BASE_URL": slow.base_url,
               "SMSTOOLS_AUTH_KEY": SANDBOX_KEY, "SMSTOOLS_AUTH_SECRET": SANDBOX_SECRET}  # fmt: skip
        for _ in range(3):
            generation, before = stored_rows(folder)
            syncing = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)  # fmt: skip
            # Started (the account is committed first): from now on, 1.5 s to commit more.
            while stored_rows(folder)[0] == generation and syncing.poll() is None:
                time.sleep(0.02)
            started = time.monotonic()
            while time.monotonic() - started < 1.5 and syncing.poll() is None:
                time.sleep(0.02)
            finished = syncing.poll() == 0
            syncing.kill()
            syncing.wait(timeout=30)
            progress.append(stored_rows(folder)[1] - before)
            assert progress[-1] > 0 or finished, progress
            if finished:
                break
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert len(progress) >= 2, progress  # killed at least once before it could finish
    # Complete and never doubled (test_a_sync_killed_at_any_moment… compares every value).
    sent, received = account.sent_frame(NOW), account.received_frame()
    with StoredClient.offline(folder) as offline:
        assert offline.store.coverage("sent").covers(
            int(pd.Timestamp(since).timestamp()), int(NOW.timestamp())
        )
        assert sorted(offline.sent(since, NOW)["id"]) == sorted(
            sent.loc[sent["insertDate"] >= since, "id"]
        )
        assert len(offline.received(since, NOW)) == (received["receiveDate"] >= since).sum()


def test_the_sync_bar_knows_its_total_once_the_first_page_answered(
    run: Callable[..., Result],
    bars: list[tuple[str, int, int]],
    no_credentials: None,
    tmp_path: Path,
) -> None:
    seen = bars
    store = str(tmp_path / "store")
    assert run("sync", "--demo", "--store", store, "--since", "2026-01-01").code == 0
    sent = [(done, total) for stage, done, total in seen if stage == "sent"]
    final = sent[-1][1]
    assert len(sent) == final >= 10 and sent[-1] == (final, final)
    # Full at the end alone: the total is ahead of what was read from the first page on (the
    # first, a small probing search, can only guess) and near the truth once a few searches
    # have told how dense the account is.
    assert [done for done, total in sent if done == total] == [final]
    assert all(final / 2 <= total <= final * 3 for _, total in sent)
    assert all(abs(total - final) <= final / 5 for _, total in sent[len(sent) // 4 :])
