"""The analysis package as a whole: its exports, its documentation, what it imports."""

from __future__ import annotations

import doctest
import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from types import ModuleType

import pytest

import smstools_tui.analysis as analysis

MODULES = [
    importlib.import_module(f"smstools_tui.analysis.{info.name}")
    for info in pkgutil.iter_modules(analysis.__path__)
]


def _public_functions(module: ModuleType) -> list[str]:
    return [
        name for name in getattr(module, "__all__", ()) if inspect.isfunction(getattr(module, name))
    ]


def test_every_module_export_is_re_exported() -> None:
    exported = set(analysis.__all__)
    for module in MODULES:
        missing = set(getattr(module, "__all__", ())) - exported
        assert not missing, f"{module.__name__} exports {missing} that the package does not"
    for name in analysis.__all__:
        assert hasattr(analysis, name)
    assert analysis.__all__ == sorted(analysis.__all__, key=lambda n: (not n.isupper(), n))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_public_functions_document_an_example(module: ModuleType) -> None:
    for name in _public_functions(module):
        doc = inspect.getdoc(getattr(module, name)) or ""
        assert "Example:" in doc and ">>>" in doc, f"{module.__name__}.{name} has no example"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def test_examples_run(module: ModuleType) -> None:
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


def test_the_core_loads_no_user_interface_and_no_plotting() -> None:
    # The import-linter contracts in pyproject.toml check the core's own imports strictly;
    # this checks what actually gets loaded with it.
    code = (
        "import json, sys, smstools_tui.analysis; "
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    loaded = set(json.loads(subprocess.check_output([sys.executable, "-c", code], text=True)))
    assert not loaded & {"textual", "plotly"}
