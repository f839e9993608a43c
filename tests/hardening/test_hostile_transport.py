"""Transport attacks through the real command line: compression bombs, unknown encodings,
headers and bodies trickled a byte at a time, an endless body, and a /user answer that echoes the
credentials everywhere.

Each ends with its exit code, one clear line, the child's peak memory within
:data:`~tests.hardening.hostile.RSS_BOUND_MB` of an ordinary run's, a bounded wall time, and,
where a store is involved, a store that reads back equal to the truth after a good sync.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxAccount, sandbox_settings
from tests.conftest import Clock
from tests.test_secrets import echoed_credentials_body, needles

from .hostile import (
    WINDOW,
    CliRun,
    HostileServer,
    Override,
    Reply,
    Request,
    assert_clear_failure,
    cli_env,
    endless,
    run_cli,
)

GiB = 1024**3
JSON = ("Content-Type", "application/json")
TIMEOUT = 2.0
"""The ``--timeout`` of the trickle cases: bytes come every 0.5 s, well inside any read timeout."""
ATTEMPTS, BACKOFF_CAP = 6, 30.0
"""The client's default attempts and backoff cap (``Settings``): a retried failure takes at most
every attempt's deadline plus the longest backoffs, 0.5 · 2^(n-1) s each, capped."""
RETRIED_SECONDS = (
    ATTEMPTS * TIMEOUT + sum(min(BACKOFF_CAP, 0.5 * 2**n) for n in range(ATTEMPTS - 1)) + 10
)


def stacked_bomb(inner_wbits: int, size: int, level: int) -> bytes:
    """``size`` zero bytes compressed with ``inner_wbits`` (gzip 31, zlib-wrapped deflate 15),
    then gzipped: built a mebibyte at a time, never whole in memory."""
    inner = zlib.compressobj(level, zlib.DEFLATED, inner_wbits)
    outer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    parts = [outer.compress(inner.compress(block)) for _ in range(size // len(block))]
    parts.append(outer.compress(inner.flush()) + outer.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def gzip_gzip_bomb() -> bytes:
    """gzip of gzip of 1 GiB of zeros: about 1.8 KB."""
    return stacked_bomb(zlib.MAX_WBITS | 16, GiB, level=9)


@pytest.fixture(scope="module")
def deflate_gzip_bomb() -> bytes:
    """gzip of deflate of 1 GiB of zeros (the order ``Content-Encoding: deflate, gzip`` names)."""
    return stacked_bomb(zlib.MAX_WBITS, GiB, level=1)


def on_search(reply: Reply) -> Override:
    def override(request: Request) -> Reply | None:
        return reply if request.endpoint == "/sms/search" else None

    return override


def export(server: HostileServer, folder: Path, *options: str) -> CliRun:
    return run_cli(
        "export", "sent", *WINDOW, "--no-store", *options, "--out", str(folder / "sent.csv"),
        env=cli_env(server.base_url, folder), limit=90,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("bomb", "encoding"),
    [("gzip_gzip_bomb", "gzip, gzip"), ("deflate_gzip_bomb", "deflate, gzip")],
)
def test_a_stacked_compression_bomb_is_refused_at_the_body_limit(
    hostile: Callable[[Override | None], HostileServer],
    tmp_path: Path,
    idle_rss_mb: float,
    request: pytest.FixtureRequest,
    bomb: str,
    encoding: str,
) -> None:
    wire: bytes = request.getfixturevalue(bomb)
    assert len(wire) < 16 * 1024
    server = hostile(on_search(Reply(200, [JSON, ("Content-Encoding", encoding)], wire)))
    done = export(server, tmp_path)
    assert_clear_failure(done, 1, idle_rss_mb, seconds=30)
    assert "the decoded answer from /sms/search is larger than the limit of 67,108,864" in done.err
    assert server.count("/sms/search") == 1  # refused, not retried
    assert not (tmp_path / "sent.csv").exists()


def test_after_a_bomb_the_store_still_reads_the_truth(
    hostile: Callable[[Override | None], HostileServer],
    tmp_path: Path,
    idle_rss_mb: float,
    gzip_gzip_bomb: bytes,
) -> None:
    """A bomb on the third page of an export through the store, then a good export: what the
    store gives offline is exactly what the server holds."""
    armed = {"on": True}

    def third_page_bombs(request: Request) -> Reply | None:
        if armed["on"] and request.endpoint == "/sms/search" and request.params["offset"] == "100":
            return Reply(200, [JSON, ("Content-Encoding", "gzip, gzip")], gzip_gzip_bomb)
        return None

    server = hostile(third_page_bombs)
    env = cli_env(server.base_url, tmp_path / "data")

    def export_to(name: str, *options: str) -> CliRun:
        return run_cli("export", "sent", *WINDOW, *options, "--out", str(tmp_path / name), env=env)

    assert_clear_failure(export_to("first.csv"), 1, idle_rss_mb, seconds=30)
    armed["on"] = False
    assert export_to("second.csv").code == 0
    assert export_to("stored.csv", "--offline").code == 0
    assert export_to("truth.csv", "--no-store").code == 0
    stored, truth = (pd.read_csv(tmp_path / name) for name in ("stored.csv", "truth.csv"))
    assert len(truth) > 100
    pd.testing.assert_frame_equal(
        stored.sort_values("id").reset_index(drop=True),
        truth.sort_values("id").reset_index(drop=True),
    )


@pytest.mark.parametrize("encoding", ["br", "compress", "gzip, zstd"])
def test_an_unknown_encoding_is_one_clear_line(
    hostile: Callable[[Override | None], HostileServer],
    tmp_path: Path,
    idle_rss_mb: float,
    encoding: str,
) -> None:
    server = hostile(on_search(Reply(200, [JSON, ("Content-Encoding", encoding)], b"\x00" * 64)))
    done = export(server, tmp_path)
    assert_clear_failure(done, 1, idle_rss_mb, seconds=20)
    unknown = encoding.split(",")[-1].strip()
    assert f"content encoding '{unknown}', which this client does not read" in done.err
    assert server.count("/sms/search") == 1  # the same answer again would not help


def test_headers_trickled_a_byte_at_a_time_end_at_the_deadline(
    hostile: Callable[[Override | None], HostileServer], tmp_path: Path, idle_rss_mb: float
) -> None:
    """Half a second between bytes never trips a read timeout; the 2 s deadline of every
    attempt does, and the attempts run out in well under a minute."""
    server = hostile(on_search(Reply(200, [JSON], b"{}", head_delay=0.5)))
    done = export(server, tmp_path, "--timeout", str(TIMEOUT))
    assert_clear_failure(done, 4, idle_rss_mb, seconds=RETRIED_SECONDS)
    assert RETRIED_SECONDS < 50
    assert "did not answer /sms/search in full within 2 s" in done.err
    assert server.count("/sms/search") == ATTEMPTS
    assert done.seconds >= ATTEMPTS * TIMEOUT


def test_a_body_trickled_a_byte_at_a_time_ends_at_the_deadline(
    hostile: Callable[[Override | None], HostileServer], tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(on_search(Reply(200, [JSON], chunks=endless(b" "), chunk_delay=0.5)))
    done = export(server, tmp_path, "--timeout", str(TIMEOUT))
    assert_clear_failure(done, 4, idle_rss_mb, seconds=RETRIED_SECONDS)
    assert "did not answer /sms/search in full within 2 s" in done.err
    assert server.count("/sms/search") == ATTEMPTS


def test_an_endless_body_stops_at_the_limit(
    hostile: Callable[[Override | None], HostileServer], tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(on_search(Reply(200, [JSON], chunks=endless(b" " * 65536))))
    done = export(server, tmp_path)
    assert_clear_failure(done, 1, idle_rss_mb, seconds=30)
    assert "the answer from /sms/search is larger than the limit of 67,108,864 bytes" in done.err
    assert server.count("/sms/search") == 1


@pytest.mark.parametrize("wire_format", ["json", "xml"])
def test_credentials_echoed_in_the_account_answer_are_never_kept_or_shown(
    hostile: Callable[[Override | None], HostileServer],
    small_account: SandboxAccount,
    tmp_path: Path,
    wire_format: str,
) -> None:
    def echoing_user(request: Request) -> Reply | None:
        if request.endpoint != "/user":
            return None
        xml = "xml" in request.headers.get("Accept", "")
        body = echoed_credentials_body(small_account.user, SANDBOX_KEY, SANDBOX_SECRET, xml=xml)
        kind = "application/xml" if xml else "application/json"
        return Reply(200, [("Content-Type", kind)], body)

    server = hostile(echoing_user)
    data = tmp_path / "data"
    env = cli_env(server.base_url, data)
    fmt = ("--format", wire_format)
    exported = run_cli(
        "export", "sent", *WINDOW, *fmt, "--out", str(tmp_path / "sent.csv"), env=env
    )
    synced = run_cli("--debug", "sync", "--since", WINDOW[1], *fmt, env=env)
    assert (exported.code, synced.code) == (0, 0), exported.err + synced.err
    assert server.count("/user") >= 1
    with SmstoolsClient(
        sandbox_settings(server.base_url, wire_format=wire_format), clock=Clock()
    ) as client:
        account = client.account()
    manifest = next(data.rglob("_manifests/account=*.json"))
    assert json.loads(manifest.read_text())["account_details"]["username"] == "mrossi"
    texts = {
        "the console": exported.out + exported.err + synced.out + synced.err,
        "the account": repr(account) + repr(account.details),
    }
    for path in [*data.rglob("*"), tmp_path / "sent.csv"]:
        if path.is_file():
            texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
            if path.suffix == ".parquet":
                table = pq.read_table(path)
                texts[f"{path} (decoded)"] = table.to_pandas().to_csv() + str(table.schema)
    for where, text in texts.items():
        for needle in needles(SANDBOX_KEY, SANDBOX_SECRET):
            assert needle not in text, f"{where} holds a credential"
