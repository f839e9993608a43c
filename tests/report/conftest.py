"""Frames whose texts try every trick: markup, escapes, formulas, bidi overrides."""

from __future__ import annotations

import pandas as pd
import pytest

from smstools_tui.frames import SENT_SCHEMA, coerce_frame, received_frame, sent_frame
from smstools_tui.sandbox import SandboxAccount

HOSTILE = {
    "script": "<script>alert(1)</script>",
    "markup": "[bold red]GRATIS[/bold red] [link=http://evil.example]x[/link]",
    "ansi": "\x1b[2J\x1b[31mALERT\x1b[0m",
    "osc": "\x1b]8;;http://evil.example\x07link\x1b]8;;\x07",
    "bidi": "\u202egnp.exe",
    "formula": '=HYPERLINK("http://evil.example","x")',
    "lines": "one\ntwo\r\nthree",
    "quotes": "\"quoted\" & 'single' <b>bold</b>",
}


@pytest.fixture
def hostile_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sent messages (a campaign id and sender names among them) and replies, all hostile."""
    at = "2026-11-02T10:00:00+0000"
    sent = sent_frame(
        [
            {"id": i, "to": "39348000000" + str(i % 10), "from": text[:11], "text": text,
             "status": status, "insertDate": at, "sentDate": at, "price": 0.1,
             "transactionId": "<img src=x onerror=alert(1)>" if i % 2 else text,
             "statusDetail": "ABSENT_SUBSCRIBER" if status == "NOTDELIVERED" else None}
            for i, (text, status) in enumerate(
                (text, status)
                for text in HOSTILE.values()
                for status in ("NOTDELIVERED", "NOTDELIVERED", "DELIVERED")
            )
        ]
    )  # fmt: skip
    received = received_frame(
        [
            {"from": "+39348000000" + str(i % 10), "text": f"STOP {text}",
             "receiveDate": "2026-11-02T10:00:01+0000"}
            for i, text in enumerate(HOSTILE.values())
        ]
    )  # fmt: skip
    later = sent_frame(
        [
            {"id": 100 + i, "to": "39348000000" + str(i), "text": text, "status": "DELIVERED",
             "insertDate": "2026-11-03T10:00:00+0000", "transactionId": text}
            for i, text in enumerate(HOSTILE.values())
        ]
    )  # fmt: skip
    return coerce_frame(pd.concat([sent, later], ignore_index=True), SENT_SCHEMA), received


@pytest.fixture(scope="session")
def account_frames(account: SandboxAccount) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shared sandbox account's whole history: sent and received."""
    return account.sent_frame(), account.received_frame()
