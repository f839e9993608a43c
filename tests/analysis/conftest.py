"""Builders of small hand-made frames with known answers, and a small sandbox account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from smstools_tui.frames import received_frame, sent_frame
from smstools_tui.sandbox import SandboxAccount

BASE = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
"""A Monday, 11:00 in Rome: the clock hand-made frames count from."""


def at(minutes: float = 0, *, base: datetime = BASE) -> str:
    """An API timestamp ``minutes`` after :data:`BASE`."""
    return (base + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S%z")


@pytest.fixture
def make_sent() -> Callable[..., pd.DataFrame]:
    """``make_sent(rows, **defaults)``: a typed sent frame; ids are numbered from 1."""

    def make(rows: list[dict[str, Any]], **defaults: Any) -> pd.DataFrame:
        base = {"to": "393480000001", "from": "MyShop", "status": "DELIVERED", "price": 0.1}
        base.update(defaults)
        records = []
        for number, row in enumerate(rows, start=1):
            record = {"id": number, **base, **row}
            records.append(record)
        return sent_frame(records)

    return make


@pytest.fixture
def make_received() -> Callable[..., pd.DataFrame]:
    """``make_received(rows)``: a typed received frame (``from`` defaults to +393480000001)."""

    def make(rows: list[dict[str, Any]]) -> pd.DataFrame:
        return received_frame([{"from": "+393480000001", "simId": "1001", **row} for row in rows])

    return make


@pytest.fixture(scope="session")
def sandbox_frames(account: SandboxAccount) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shared sandbox account's whole history: sent and received."""
    return account.sent_frame(), account.received_frame()
