"""Fetch benchmark: concurrency against latency, decode throughput, memory per message.

Run: ``python benchmarks/fetch.py`` (about a minute). Every figure is measured in this one run and
the verdicts are ratios between figures of the same run, because the machines are shared and noisy.

1. Paging over HTTP against the sandbox with 40 ms latency per request and 60 pages: the default
   concurrency (4) against ``--concurrency 1``, and against the floor ``ceil(pages / 4) × 40 ms``.
2. Decode to a typed frame: 100k records as JSON and as XML pages, against plain
   ``xmltodict.parse`` + ``DataFrame`` for XML (whole-document, unbounded), and XML's throughput
   as a share of JSON's.
3. Bytes per message of the sent frame on sandbox data.
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import UTC, datetime, timedelta

import orjson
import pandas as pd
import xmltodict
from common import best_of, print_sections  # benchmarks/common.py, beside this script

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.api.decode import SENT_FIELDS, decode_page
from smstools_tui.frames import sent_frame
from smstools_tui.sandbox import (
    AccountSpec,
    encode_xml_page,
    generate_account,
    sandbox_process,
    sandbox_settings,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def paging(latency: float, pages: int) -> list[tuple[str, str]]:
    """Against the sandbox in its own process, as a real server would be: client and server
    must not share one interpreter lock."""
    options = ["--seed", "4", "--sent", "12000", "--received", "10", "--days", "120",
               "--page-cap", "1000", "--latency-ms", str(latency * 1000)]  # fmt: skip
    with sandbox_process(*options) as base_url:
        with SmstoolsClient(sandbox_settings(base_url, page_size=1000)) as client:
            window = client.window()
            since, until = (window.end - timedelta(days=60)).isoformat(), window.end.isoformat()
            count = len(client.sent(since, until))
        page_size = math.ceil(count / pages)
        timings = {}
        for concurrency in (1, 4):
            settings = sandbox_settings(base_url, page_size=page_size, concurrency=concurrency)
            with SmstoolsClient(settings) as client:
                client.sent(since, until)  # warm up the connections
                timings[concurrency] = best_of(3, lambda c=client: c.sent(since, until))
    floor = math.ceil(pages / 4) * latency
    strict_floor = latency + math.ceil((pages - 1) / 4) * latency
    return [
        ("messages / pages / latency", f"{count:,} / {pages} / {latency * 1000:.0f} ms"),
        ("concurrency 1", f"{timings[1]:.3f} s"),
        ("concurrency 4 (default)", f"{timings[4]:.3f} s"),
        ("speed-up 4 vs 1 (target >= 3x)", f"{timings[1] / timings[4]:.2f}x"),
        ("floor ceil(pages/4) x latency", f"{floor:.3f} s"),
        ("default / floor (target <= 1.3)", f"{timings[4] / floor:.2f}"),
        ("default / floor counting the first page alone", f"{timings[4] / strict_floor:.2f}"),
    ]


def decoding(records_total: int, page_size: int) -> list[tuple[str, str]]:
    account = generate_account(
        AccountSpec(seed=5, sent=records_total + 5_000, received=10, now=NOW)
    )
    now = int(NOW.timestamp())
    table = account.sent
    records = [table.record(row, now, _rome()) for row in range(records_total)]
    pages = [records[i : i + page_size] for i in range(0, len(records), page_size)]
    meta = {"count": len(records), "offset": 0, "limit": page_size}
    json_bodies = [orjson.dumps({"metadata": meta, "smsList": page}) for page in pages]
    xml_bodies = [encode_xml_page(meta, page) for page in pages]

    def ours(bodies: list[bytes]) -> pd.DataFrame:
        items = []
        for body in bodies:
            items.extend(decode_page(body, SENT_FIELDS).items)
        return sent_frame(items)

    def plain_xml() -> pd.DataFrame:
        items = []
        for body in xml_bodies:
            items.extend(xmltodict.parse(body)["response"]["smsList"]["sms"])
        return pd.DataFrame(items)

    def plain_json() -> pd.DataFrame:
        items = []
        for body in json_bodies:
            items.extend(json.loads(body)["smsList"])
        frame = pd.DataFrame(items)
        for column in ("insertDate", "sentDate", "deliveryDate"):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%dT%H:%M:%S%z", utc=True)
        return frame

    assert len(ours(xml_bodies)) == len(ours(json_bodies)) == len(records)
    json_time = best_of(3, lambda: ours(json_bodies))
    xml_time = best_of(2, lambda: ours(xml_bodies))
    plain_xml_time = best_of(2, plain_xml)
    plain_json_time = best_of(3, plain_json)
    n = len(records)
    return [
        ("records / page size", f"{n:,} / {page_size}"),
        ("JSON -> typed frame (target >= 300k rows/s)", f"{n / json_time:,.0f} rows/s"),
        ("  json.loads + DataFrame + to_datetime, untyped", f"{n / plain_json_time:,.0f} rows/s"),
        ("XML -> typed frame (target >= 100k rows/s)", f"{n / xml_time:,.0f} rows/s"),
        ("  xmltodict.parse + DataFrame, untyped", f"{n / plain_xml_time:,.0f} rows/s"),
        ("XML typed / plain xmltodict time", f"{xml_time / plain_xml_time:.2f}"),
        ("XML / JSON rows per second", f"{json_time / xml_time:.2f}"),
    ]


def memory(messages: int) -> list[tuple[str, str]]:
    account = generate_account(AccountSpec(seed=6, sent=messages, received=10, now=NOW))
    frame = account.sent_frame()
    usage = frame.memory_usage(deep=True)
    per_row = usage.sum() / len(frame)
    heaviest = (usage / len(frame)).drop("Index").sort_values(ascending=False).head(3)
    return [
        ("sent frame rows", f"{len(frame):,}"),
        ("bytes per message (target <= 100)", f"{per_row:.1f}"),
        ("  heaviest columns", ", ".join(f"{k} {v:.1f}" for k, v in heaviest.items())),
    ]


def _rome():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Rome")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=40)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    sections = [
        ("Paging over HTTP", paging(args.latency_ms / 1000, args.pages)),
        ("Decoding", decoding(args.records, 500)),
        ("Memory", memory(args.memory_rows)),
    ]
    print_sections(sections)


if __name__ == "__main__":
    main()
