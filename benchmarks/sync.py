"""Sync benchmark: requests and time of a first sync, a re-sync, a re-sync after new messages;
a sync killed every few seconds; loading a million stored messages.

Run: ``python benchmarks/sync.py`` (about two minutes). Every figure is measured in this one run.

The sandbox runs in its own process (``smstools-tui sandbox``) with a stopped clock, as a real
server would be: client and server must not share one interpreter lock. Its history ends at
``T``; it first serves the account as it was at ``C`` (99% of the messages sent), then it is
restarted on the same port with its clock at ``T``: the 1% newer messages have arrived and the
messages pending at ``C`` have settled. The client's clock follows the server's.

1. First sync of the whole history (about 100k sent messages), against a plain fetch of the
   same window with no store.
2. A re-sync ten seconds later: the target is at most 3 requests per kind when nothing changed,
   status re-checks counted apart (there are always a few pending: messages that never got a
   delivery report).
3. A re-sync after 1% new messages: requests against the fewest pages that new data can take.
4. ``smstools-tui sync`` of the whole history from a slower server (100 ms a request), killed
   with SIGKILL five seconds after each start and run again, until it completes: every run must
   commit something (target: no run without progress), and the longest stretch without a commit
   (target: a few seconds) and the largest chunk committed tell why.
5. Loading 1M stored sent messages into the typed frame (target <= 2 s) and the store's size
   per message.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from common import print_sections  # benchmarks/common.py, beside this script

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import NetworkError
from smstools_tui.sandbox import (
    SANDBOX_KEY,
    SANDBOX_SECRET,
    AccountSpec,
    generate_account,
    sandbox_settings,
)
from smstools_tui.store import Store, StoredClient, StoreIdentity

END = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
SEED, DAYS, PAGE_CAP = 4, 400, 250


class CountingTransport(httpx.HTTPTransport):
    """Counts the requests by kind: window searches, status re-checks by id, the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/sms/search"):
            kind = "re-check" if "id" in request.url.params else "sent"
        elif path.endswith("/sms/received/search"):
            kind = "received"
        else:
            kind = "account"
        with self._lock:
            self.counts[kind] += 1
        return super().handle_request(request)

    def take(self) -> Counter[str]:
        with self._lock:
            counts, self.counts = self.counts, Counter()
        return counts


class Sandbox:
    """``smstools-tui sandbox`` in its own process, restartable on the same port."""

    def __init__(self, sent: int, received: int, latency_ms: float) -> None:
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/rest/api"
        self.sent, self.received, self.latency_ms = sent, received, latency_ms
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, clock: datetime) -> None:
        self.stop()
        command = [sys.executable, "-m", "smstools_tui", "sandbox", "--port", str(self.port),
                   "--seed", str(SEED), "--sent", str(self.sent), "--received", str(self.received),
                   "--days", str(DAYS), "--page-cap", str(PAGE_CAP),
                   "--latency-ms", str(self.latency_ms), "--now", END.isoformat(),
                   "--clock", clock.isoformat()]  # fmt: skip
        self.process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        with SmstoolsClient(sandbox_settings(self.base_url, max_attempts=1)) as probe:
            while True:
                try:
                    probe.account()
                    return
                except NetworkError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def client_at(sandbox: Sandbox, moment: datetime, transport: CountingTransport) -> SmstoolsClient:
    return SmstoolsClient(
        sandbox_settings(sandbox.base_url), transport=transport, clock=lambda: moment
    )


def split_point(sent: int, received: int, share: float) -> tuple[datetime, int]:
    """The moment before which ``1 - share`` of the sent messages were inserted."""
    account = generate_account(
        AccountSpec(seed=SEED, sent=sent, received=received, days=DAYS, now=END)
    )
    inserts = np.sort(account.sent.insert[account.sent.insert <= int(END.timestamp())])
    cut = int(inserts[int(len(inserts) * (1 - share))])
    return datetime.fromtimestamp(cut, UTC), len(inserts)


def syncs(sent: int, received: int, latency_ms: float, parent: Path) -> list[tuple[str, str]]:
    folder = parent / "sync"
    before, total = split_point(sent, received, 0.01)
    since = (END - timedelta(days=DAYS)).isoformat()
    sandbox = Sandbox(sent, received, latency_ms)
    rows: list[tuple[str, str]] = []
    try:
        sandbox.start(before)
        transport = CountingTransport()

        # 1. First sync, and a plain fetch of the same window for reference.
        with StoredClient.open(client_at(sandbox, before, transport), folder) as client:
            started = time.perf_counter()
            first = client.sync(since=since)
            first_time = time.perf_counter() - started
        first_counts = transport.take()
        with client_at(sandbox, before, transport) as plain:
            started = time.perf_counter()
            sent_frame = plain.sent(since, before)
            plain.received(since, before)
            plain_time = time.perf_counter() - started
        plain_counts = transport.take()
        rows += [
            ("sent messages at C / at T", f"{len(sent_frame):,} / {total:,}"),
            ("page size / latency", f"{PAGE_CAP} / {latency_ms:.0f} ms"),
            ("first sync: new sent / received", f"{first.new_sent:,} / {first.new_received:,}"),
            ("first sync: requests", _requests(first_counts)),
            ("first sync: time", f"{first_time:.2f} s"),
            ("plain fetch, no store: requests", _requests(plain_counts)),
            ("plain fetch, no store: time", f"{plain_time:.2f} s"),
            ("first sync / plain fetch time", f"{first_time / plain_time:.2f}"),
        ]

        # 2. Ten seconds later, nothing new: the client's clock has moved on, so the stretch since
        # the watermark (and the overlap before it) is searched, and found empty of news.
        soon = before + timedelta(seconds=10)
        with StoredClient.open(client_at(sandbox, soon, transport), folder) as client:
            started = time.perf_counter()
            again = client.sync()
            again_time = time.perf_counter() - started
        counts = transport.take()
        worst = max(counts["sent"], counts["received"])
        rows += [
            ("re-sync 10 s later: requests", _requests(counts)),
            ("  per kind, re-checks apart (target <= 3)", f"{worst}"),
            ("  re-checked by id (pending <= 7 days)", f"{again.rechecked:,}"),
            ("re-sync 10 s later: time", f"{again_time:.2f} s"),
        ]

        # 3. The account later on: 1% new messages, statuses settled.
        sandbox.start(END)
        with StoredClient.open(client_at(sandbox, END, transport), folder) as client:
            started = time.perf_counter()
            later = client.sync()
            later_time = time.perf_counter() - started
        counts = transport.take()
        fewest_sent = math.ceil(later.new_sent / PAGE_CAP)
        fewest_received = math.ceil(later.new_received / PAGE_CAP)
        rows += [
            (
                "re-sync after 1%: new sent / received",
                f"{later.new_sent:,} / {later.new_received:,}",
            ),
            ("  statuses updated", f"{later.statuses_updated:,}"),
            ("  requests", _requests(counts)),
            (
                "  fewest pages the new data takes (sent, received)",
                f"{fewest_sent}, {fewest_received}",
            ),
            (
                "  window requests / fewest pages (sent)",
                f"{counts['sent'] / max(fewest_sent, 1):.2f}",
            ),
            ("  time", f"{later_time:.2f} s"),
            (
                "requests: re-sync after 1% / first sync",
                f"{sum(counts.values()) / sum(first_counts.values()):.3f}",
            ),
        ]
    finally:
        sandbox.stop()
    return rows


def _requests(counts: Counter[str]) -> str:
    order = ("sent", "received", "re-check", "account")
    parts = [f"{kind} {counts[kind]}" for kind in order if counts[kind]]
    return f"{sum(counts.values())} ({', '.join(parts)})"


_MOST_RUNS = 15


def committed(store: Path) -> tuple[int, int] | None:
    """The store's generation and the messages it holds, or ``None`` before any commit."""
    try:
        manifest = json.loads((store / "manifest.json").read_bytes())
    except (OSError, ValueError):
        return None
    kinds = ("sent", "received")
    rows = sum(part["rows"] for kind in kinds for part in manifest[kind]["partitions"].values())
    return manifest["generation"], rows


def killed_syncs(
    sent: int, received: int, latency_ms: float, kill_after: float, parent: Path
) -> list[tuple[str, str]]:
    """``smstools-tui sync`` killed ``kill_after`` seconds after each start, until it completes;
    the manifest is watched meanwhile, so every commit is seen with its time and size."""
    sandbox = Sandbox(sent, received, latency_ms)
    store, data = parent / "killed", parent / "killed-data"
    env = {**os.environ, "SMSTOOLS_BASE_URL": sandbox.base_url, "SMSTOOLS_AUTH_KEY": SANDBOX_KEY,
           "SMSTOOLS_AUTH_SECRET": SANDBOX_SECRET, "SMSTOOLS_DATA_DIR": str(data)}  # fmt: skip
    command = [sys.executable, "-m", "smstools_tui", "sync", "--store", str(store),
               "--since", (END - timedelta(days=DAYS)).isoformat()]  # fmt: skip
    gained: list[int] = []
    gaps: list[float] = []  # from a run's start, or a commit, to the next commit or the end
    chunks: list[int] = []
    finished = False
    try:
        sandbox.start(END)
        started_all = time.perf_counter()
        while not finished and len(gained) < _MOST_RUNS:
            before = committed(store)
            last_seen = before
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)  # fmt: skip
            started = last_time = time.perf_counter()
            while process.poll() is None and time.perf_counter() - started < kill_after:
                now = committed(store)
                if now is not None and now != last_seen:
                    moment = time.perf_counter()
                    gaps.append(moment - last_time)
                    if last_seen is not None and now[1] > last_seen[1]:
                        chunks.append(now[1] - last_seen[1])
                    last_seen, last_time = now, moment
                time.sleep(0.01)
            finished = process.poll() == 0
            if not finished:
                process.send_signal(signal.SIGKILL)
            process.wait()
            gaps.append(time.perf_counter() - last_time)  # the stretch the kill cut short
            after = committed(store)
            gained.append((after[1] if after else 0) - (before[1] if before else 0))
        total = time.perf_counter() - started_all
    finally:
        sandbox.stop()
    killed = gained[:-1] if finished else gained
    runs = f"{len(gained)} ({len(killed)})" if finished else f"not done in {len(gained)} runs"
    return [
        ("server latency / kill after", f"{latency_ms:.0f} ms / {kill_after:.0f} s"),
        ("runs until complete (killed ones)", runs),
        ("killed runs without progress (target 0)", f"{sum(1 for rows in killed if rows <= 0)}"),
        (
            "messages committed per killed run: min / median",
            f"{min(killed):,} / {statistics.median(killed):,.0f}" if killed else "-",
        ),
        ("longest stretch without a commit (start included)", f"{max(gaps):.1f} s"),
        ("largest chunk committed", f"{max(chunks):,} messages" if chunks else "-"),
        ("wall time, all runs", f"{total:.1f} s"),
    ]


def loading(messages: int, folder: Path) -> list[tuple[str, str]]:
    account = generate_account(AccountSpec(seed=6, sent=messages, received=10, now=END))
    frame = account.sent_frame()
    who = StoreIdentity("http://127.0.0.1/rest/api", "sha256:benchmark", "benchmark")
    store = Store.open(folder, who)
    started = time.perf_counter()
    store.commit(sent=frame)
    write_time = time.perf_counter() - started
    del frame
    gc.collect()

    def load() -> pd.DataFrame:
        return Store.open(folder).read("sent")

    times = []
    for _ in range(3):
        gc.collect()
        started = time.perf_counter()
        loaded = load()
        times.append(time.perf_counter() - started)
    size = sum(path.stat().st_size for path in Store.open(folder).files("sent"))
    window = Store.open(folder)
    started = time.perf_counter()
    month = window.read("sent", END - timedelta(days=30), END)
    month_time = time.perf_counter() - started
    return [
        ("stored sent messages / files", f"{len(loaded):,} / {len(store.files('sent'))}"),
        ("write them (one commit)", f"{write_time:.2f} s"),
        ("load into the typed frame, best of 3 (target <= 2 s)", f"{min(times):.2f} s"),
        ("  load, worst of 3", f"{max(times):.2f} s"),
        ("load the last 30 days", f"{len(month):,} rows in {month_time:.2f} s"),
        ("store size per message", f"{size / len(loaded):.1f} bytes"),
        (
            "frame in memory per message",
            f"{loaded.memory_usage(deep=True).sum() / len(loaded):.1f} bytes",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sent", type=int, default=101_000)
    parser.add_argument("--received", type=int, default=8_000)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--load-rows", type=int, default=1_000_000)
    parser.add_argument("--killed-latency-ms", type=float, default=100)
    parser.add_argument("--kill-after", type=float, default=5.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="smstools-sync-bench-"))
    try:
        sections: list[tuple[str, Callable[[], list[tuple[str, str]]]]] = [
            ("Sync over HTTP", lambda: syncs(args.sent, args.received, args.latency_ms, folder)),
            (
                "A sync killed again and again",
                lambda: killed_syncs(
                    args.sent, args.received, args.killed_latency_ms, args.kill_after, folder
                ),
            ),
            ("Loading", lambda: loading(args.load_rows, folder / "load")),
        ]
        results = [(title, run()) for title, run in sections]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_sections(results)


if __name__ == "__main__":
    main()
