"""Hostile content end to end: SMS texts, senders, campaign ids and numbers crafted to attack a
terminal, a spreadsheet or a browser come out of every command literally and harmlessly.
(The dashboard's side is in tests/tui/test_hostile_text.py.)"""

from __future__ import annotations

import csv
import dataclasses
import html
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smstools_tui.sandbox import (
    SANDBOX_KEY,
    SANDBOX_SECRET,
    SandboxAccount,
    SandboxApi,
    SandboxServer,
)
from tests.conftest import NOW, Clock, Result

MARKUP = "[bold red]GRATIS[/bold red] [link=http://evil.example]premio[/link] [/]"
ANSI = "\x1b[2J\x1b[31mALERT\x1b[0m"
OSC = "\x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \x1b]0;pwned title\x07"
BIDI = "\u202egnp.exe \u2066isolate\u2069"
CONTROL = "bell\x07 nul-ish\x01 backspace\x08 del\x7f"
FORMULA = '=HYPERLINK("http://evil.example","x")'
HTML = "<script>alert(1)</script><img src=x onerror=alert(2)>"
LONG = "lungo " * 1_700  # 10,200 characters
HOSTILE = [MARKUP, ANSI, OSC, BIDI, CONTROL, FORMULA, HTML, LONG, "+39 chiamami", "@SUM(1)", "-1+1"]
WINDOW = ("--since", "2025-01-01T00:00:00+00:00", "--until", NOW.isoformat(), "--tz", "UTC")
TERMINAL_HAZARDS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile(
    account: SandboxAccount, monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> SandboxServer:
    """The sandbox account with its texts, senders, campaign ids, numbers and opt-out replies
    replaced by hostile ones, served over HTTP to a configured user."""
    sent = account.sent
    texts = [HOSTILE[i % len(HOSTILE)] for i in range(len(sent.texts))]
    transactions = [f"{HOSTILE[i % len(HOSTILE)][:40]}-{i}" for i in range(len(sent.transactions))]
    numbers = sent.to.copy()
    numbers[::97] = "3934B" + ANSI
    hostile_sent = dataclasses.replace(
        sent,
        texts=texts,
        transactions=transactions,
        senders=(MARKUP[:20], ANSI, BIDI, "=cmd|x"),
        to=numbers,
    )
    received = account.received
    replies = received.text.copy()
    replies[::3] = [f"STOP {HOSTILE[i % len(HOSTILE)]}" for i in range(len(replies[::3]))]
    replies[1::3] = [HOSTILE[i % len(HOSTILE)] for i in range(len(replies[1::3]))]
    hostile_received = dataclasses.replace(received, text=np.asarray(replies, dtype=object))
    api = SandboxApi(
        dataclasses.replace(account, sent=hostile_sent, received=hostile_received),
        clock=Clock(),
        page_cap=100,
    )
    server = SandboxServer(api).start()
    monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)
    yield server
    server.stop()


@pytest.mark.parametrize(
    "report", ["campaigns", "compliance", "opt-outs", "failing-numbers", "delivery --by sender"]
)
def test_cli_tables_print_hostile_text_literally(
    report: str, hostile: SandboxServer, run: Callable[..., Result]
) -> None:
    result = run("report", *report.split(), *WINDOW, "--no-store")
    assert result.code == 0, result.err
    assert result.out.strip()
    assert not TERMINAL_HAZARDS.search(result.out), "a control character reached the terminal"
    if report in ("compliance", "opt-outs"):
        assert "[bold red]GRATIS" in result.out  # markup shown as text, not applied
        assert "\\x1b[31mALERT" in result.out or "\\x1b[2J" in result.out  # escapes made visible
    if report == "campaigns":
        assert "[bold red]GRATIS" in result.out or "[link=http" in result.out


def test_csv_exports_neutralise_formulas_and_keep_every_character(
    hostile: SandboxServer, run: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "received.csv"
    assert run("export", "received", *WINDOW[:4], "--no-store", "--out", str(target)).code == 0
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    texts = [row[1] for row in rows]
    assert "'" + FORMULA in texts
    assert "'+39 chiamami" in texts
    assert LONG in texts  # 10,200 characters, whole
    assert ANSI in texts  # CSV is data: kept byte for byte, only formulas are quoted
    assert not any(text.startswith(("=", "+", "-", "@", "\t", "\r")) for text in texts)


def test_parquet_exports_are_exact(
    hostile: SandboxServer, run: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "sent.parquet"
    assert run("export", "sent", *WINDOW[:4], "--no-store", "--out", str(target)).code == 0
    frame = pd.read_parquet(target)
    assert set(HOSTILE) <= set(frame["text"].astype(str))
    assert frame["to"].astype(str).str.contains("B", regex=False).any()  # numbers with letters kept


def test_html_report_escapes_everything(
    hostile: SandboxServer, run: Callable[..., Result], tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    assert run("report", "all", *WINDOW, "--no-store", "--out", str(target)).code == 0
    page = target.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x onerror" not in page
    assert html.escape("<script>alert(1)</script>") in page  # shown, as text
    assert "\x1b" not in page
    assert not re.search(r"<script[^>]+src=[\"']?https?:", page, re.IGNORECASE)
