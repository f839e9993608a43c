"""Hostile paging and hostile bodies against the real command line, in a subprocess.

A count of five million with one message a page, Ctrl-C in the middle of such a fetch, a record
nested nine million elements deep, a field of twenty million items, structure where a value
belongs, repeated pages, wrong echoed offsets. Each ends with its exit code, one clear line on
stderr, the child's peak memory within :data:`RSS_BOUND_MB` of an ordinary run's, its wall time
bounded; and where a store is involved, the store still answers, and holds the truth after a
good sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pandas as pd
import pytest

from smstools_tui.sandbox import SandboxAccount, SandboxApi
from smstools_tui.sandbox.emulator import API_PREFIX
from tests.conftest import Clock

from .hostile import (
    RSS_BOUND_MB,
    WINDOW,
    CliRun,
    HostileServer,
    Override,
    Reply,
    Request,
    assert_clear_failure,
    cli_env,
    run_cli,
)

Hostile = Callable[[Override | None], HostileServer]
SENT, RECEIVED = "/sms/search", "/sms/received/search"
JSON = [("Content-Type", "application/json")]
XML = [("Content-Type", "application/xml")]


def export(server: HostileServer, folder: Path, *args: str, **options: float) -> CliRun:
    """``smstools-tui export ARGS --out FOLDER/out.csv`` against ``server``."""
    return run_cli(
        "export", *args, *WINDOW, "--out", str(folder / "out.csv"),
        env=cli_env(server.base_url, folder), **options,
    )  # fmt: skip


def the_line(done: CliRun) -> str:
    return done.error_lines[0]


def offset_of(request: Request) -> int:
    return int(request.params.get("offset", "0"))


# -- five million pages ---------------------------------------------------------------------


def one_a_page(request: Request) -> Reply | None:
    """A count of five million, one message a page, each answered at once."""
    if request.endpoint != SENT:
        return None
    offset = offset_of(request)
    item = {"id": 5_000_000 - offset, "to": "393480000000", "status": "DELIVERED",
            "insertDate": "2026-11-10T10:00:00+0100", "price": 0.05}  # fmt: skip
    metadata = {"count": 5_000_000, "offset": offset, "limit": 1}
    return Reply(200, JSON, orjson.dumps({"metadata": metadata, "smsList": [item]}))


def test_five_million_pages_are_refused_after_the_first(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(one_a_page)
    done = export(server, tmp_path, "sent", "--no-store")
    assert_clear_failure(done, 1, idle_rss_mb, seconds=30)
    assert "would take 5,000,000 pages" in the_line(done)
    assert "budget of 10,000 pages" in the_line(done) and "--max-pages" in the_line(done)
    assert server.count(SENT) == 1  # no page storm: nothing after the first page
    assert done.peak_rss_mb - idle_rss_mb < 50


def test_five_million_pages_through_the_store_are_refused_without_a_storm(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(one_a_page)
    done = export(server, tmp_path, "sent", "--store", str(tmp_path / "store"))
    assert_clear_failure(done, 1, idle_rss_mb, seconds=60)
    assert "would take 5,000,000 pages" in the_line(done)
    # The store splits a chunk too large in two, down to a second: a request per halving.
    assert server.count(SENT) <= 64


def test_ctrl_c_keeps_every_page_answered(
    hostile: Hostile, tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(one_a_page)
    # How long this machine takes to start and ask a first page: the interrupt comes a second
    # after that, in the middle of the fetch.
    startup = export(server, tmp_path, "sent", "--no-store", "--max-pages", "1").seconds
    before = server.count(SENT)
    done = export(
        server, tmp_path, "sent", "--no-store", "--max-pages", "5000000",
        interrupt_after=startup + 1.0,
    )  # fmt: skip
    assert not done.killed
    assert done.code in (1, 130), done.err  # 130 where the command line says "interrupted" so
    assert len(done.error_lines) == 1 and "Traceback" not in done.err
    assert "interrupted" in the_line(done) and "INCOMPLETE" in the_line(done)
    assert done.peak_rss_mb - idle_rss_mb <= RSS_BOUND_MB
    assert done.seconds <= startup + 15
    answered = {5_000_000 - offset_of(r) for r in server.requests[before:] if r.endpoint == SENT}
    kept = pd.read_csv(tmp_path / "out.partial.csv")["id"]
    assert kept.is_unique and set(kept) <= answered
    # Every page answered is kept, but those in flight when the interrupt came (a window).
    assert len(answered) - 2 * 4 - 4 <= len(kept) <= len(answered)
    assert len(kept) > 10
    assert not (tmp_path / "out.csv").exists()


# -- bodies beyond the decoding bounds ------------------------------------------------------


def streamed(head: bytes, middle: Iterator[bytes], tail: bytes) -> Iterator[bytes]:
    yield head
    yield from middle
    yield tail


def nested_nine_million(request: Request) -> Reply | None:
    """One record whose text nests nine million elements (63 MB), sent as it is made."""
    if request.endpoint != SENT:
        return None
    head = (b'<?xml version="1.0"?><response><metadata><count>1</count><offset>0</offset>'
            b"<limit>500</limit></metadata><smsList><sms><id>1</id><text>")  # fmt: skip
    pieces = (b"<a>" * 100_000 if n < 90 else b"</a>" * 100_000 for n in range(180))
    return Reply(200, XML, chunks=streamed(head, pieces, b"</text></sms></smsList></response>"))


def twenty_million_items(request: Request) -> Reply | None:
    """One record whose text is a list of twenty million numbers (60 MB)."""
    if request.endpoint != SENT:
        return None
    head = b'{"metadata":{"count":1,"offset":0,"limit":500},"smsList":[{"id":1,"text":['
    pieces = (b"10," * 100_000 for _ in range(200))
    return Reply(200, JSON, chunks=streamed(head, pieces, b"10]}]}"))


@pytest.mark.parametrize(
    ("override", "wire_format", "message"),
    [
        (nested_nine_million, "xml", "the answer is nested deeper than 32 levels"),
        (twenty_million_items, "json", "field 'text' holds more than 100,000 items"),
    ],
    ids=["xml-nine-million-deep", "json-twenty-million-items"],
)
def test_huge_structures_are_refused_while_decoding(
    override: Override,
    wire_format: str,
    message: str,
    hostile: Hostile,
    tmp_path: Path,
    idle_rss_mb: float,
) -> None:
    server = hostile(override)
    done = export(server, tmp_path, "sent", "--no-store", "--format", wire_format)
    assert_clear_failure(done, 1, idle_rss_mb, seconds=90)
    assert the_line(done) == (
        f"smstools-tui: error: unreadable answer from {SENT} at offset 0: {message}"
    )
    assert server.count(SENT) == 1  # refused, not retried: the shape is on purpose


@pytest.mark.parametrize(
    ("wire_format", "body", "message"),
    [
        ("json", b'{"metadata":{"count":1,"offset":0,"limit":500},"smsList":['
                 b'{"id":7,"text":{"lang":"it","value":"ciao"}}]}',
         "field 'text' holds an object where a single value belongs"),
        ("xml", b"<r><metadata><count>1</count><offset>0</offset><limit>500</limit></metadata>"
                b"<smsList><sms><id>7</id><text><b>ciao</b></text></sms></smsList></r>",
         "field 'text' holds elements where a single value belongs"),
    ],
    ids=["json", "xml"],
)  # fmt: skip
def test_structure_in_a_value_field_is_refused(
    wire_format: str,
    body: bytes,
    message: str,
    hostile: Hostile,
    tmp_path: Path,
    idle_rss_mb: float,
) -> None:
    server = hostile(lambda request: Reply(200, JSON, body) if request.endpoint == SENT else None)
    done = export(server, tmp_path, "sent", "--no-store", "--format", wire_format)
    assert_clear_failure(done, 1, idle_rss_mb, seconds=30)
    assert message in the_line(done)
    assert server.count(SENT) == 1
    assert not (tmp_path / "out.csv").exists()


# -- pages that do not add up ---------------------------------------------------------------


class Spoiler:
    """Answers searches from a clean sandbox on the same account, spoiled by ``spoil``, until
    :attr:`active` is cleared."""

    def __init__(
        self, account: SandboxAccount, endpoint: str, spoil: Callable[[dict, int], dict]
    ) -> None:
        self.api = SandboxApi(account, clock=Clock(), page_cap=50)
        self.endpoint = endpoint
        self.spoil = spoil
        self.active = True

    def __call__(self, request: Request) -> Reply | None:
        if not self.active or request.endpoint != self.endpoint:
            return None
        answer = self.api.handle(
            "GET", API_PREFIX + request.endpoint, request.query, request.headers
        )
        page = orjson.loads(answer.body)
        return Reply(200, JSON, orjson.dumps(self.spoil(page, offset_of(request))))


def the_first_page_again(page: dict, offset: int) -> dict:
    """Count 6, pages of two, every page the same two messages (received messages have no id)."""
    first = [
        {"from": "+393480000001", "text": "SI", "receiveDate": "2026-11-10T10:00:00+0100"},
        {"from": "+393480000002", "text": "NO", "receiveDate": "2026-11-10T09:00:00+0100"},
    ]
    return {"metadata": {"count": 6, "offset": offset, "limit": 2}, "smsList": first}


def offset_zero(page: dict, offset: int) -> dict:
    """The right messages, but every page says it is the first."""
    return {**page, "metadata": {**page["metadata"], "offset": 0}}


@pytest.mark.parametrize(
    ("kind", "endpoint", "spoil", "message", "requests"),
    [
        ("received", RECEIVED, the_first_page_again,
         "the page at offset 2 repeats the one at offset 0", 3 * 3),
        ("sent", SENT, offset_zero, "asked for offset 50, the server answered offset 0", None),
    ],
    ids=["repeated-received-pages", "wrong-echoed-offsets"],
)  # fmt: skip
def test_pages_that_do_not_add_up_are_read_again_then_refused(
    kind: str,
    endpoint: str,
    spoil: Callable[[dict, int], dict],
    message: str,
    requests: int | None,
    hostile: Hostile,
    small_account: SandboxAccount,
    tmp_path: Path,
    idle_rss_mb: float,
) -> None:
    spoiler = Spoiler(small_account, endpoint, spoil)
    server = hostile(spoiler)
    done = export(server, tmp_path, kind, "--no-store")
    assert_clear_failure(done, 1, idle_rss_mb, seconds=30)
    assert the_line(done).startswith(
        f"smstools-tui: error: the server's pages did not add up in 3 passes ({message}); "
    )
    pages = server.count(endpoint)
    assert pages == requests if requests else pages % 3 == 0 and pages > 3

    # Through the store: the failed sync leaves a store that still answers; a good sync then
    # holds exactly what the server holds.
    store = ["--store", str(tmp_path / "store")]
    failed = export(server, tmp_path, kind, *store)
    assert_clear_failure(failed, 1, idle_rss_mb, seconds=30)
    assert message in the_line(failed)
    spoiler.active = False
    synced = run_cli("sync", *WINDOW[:2], *store, env=cli_env(server.base_url, tmp_path))
    assert synced.code == 0, synced.err
    offline = run_cli(
        "export", kind, *WINDOW, *store, "--offline", "--out", str(tmp_path / "stored.csv"),
        env=cli_env(server.base_url, tmp_path),
    )  # fmt: skip
    assert offline.code == 0, offline.err
    truth = export(server, tmp_path, kind, "--no-store")
    assert truth.code == 0, truth.err
    assert_same_messages(tmp_path / "stored.csv", tmp_path / "out.csv")


def assert_same_messages(left: Path, right: Path) -> None:
    frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in (left, right)]
    assert len(frames[1]) > 0
    ordered = [frame.sort_values(list(frame.columns)).reset_index(drop=True) for frame in frames]
    pd.testing.assert_frame_equal(*ordered)
