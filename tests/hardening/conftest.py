"""Seeded fault scenarios: a tally of what was injected and how each scenario ended."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

TALLY: dict[str, Counter[str]] = {"faults": Counter(), "outcomes": Counter()}


@pytest.fixture
def tally() -> dict[str, Counter[str]]:
    return TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    outcomes = TALLY["outcomes"]
    if not outcomes:
        return
    scenarios = sum(outcomes.values())
    faults = TALLY["faults"]
    terminalreporter.write_sep("-", "fault scenarios")
    terminalreporter.write_line(
        f"{scenarios} scenarios, {sum(faults.values())} faults injected "
        f"({', '.join(f'{kind} {count}' for kind, count in sorted(faults.items()))})"
    )
    terminalreporter.write_line(
        ", ".join(f"{outcome}: {count}" for outcome, count in sorted(outcomes.items()))
    )
