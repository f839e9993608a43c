"""The report modules' documented examples run."""

from __future__ import annotations

import doctest
import importlib
from types import ModuleType

import pytest

MODULES = [
    importlib.import_module(f"smstools_tui.{name}")
    for name in ("report.tables", "report.charts", "report.html", "report.reports",
                 "report.export", "cli.report")
]  # fmt: skip


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_examples_run(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert tried > 0
    assert failures == 0
