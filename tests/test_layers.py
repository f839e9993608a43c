"""The data layer never loads the UI: importing the package, the client or the CLI's other
commands leaves Textual out of ``sys.modules`` (the import-linter contracts say the same)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "modules",
    [
        "smstools_tui",
        "smstools_tui.api",
        "smstools_tui.frames, smstools_tui.sandbox, smstools_tui.report",
        "smstools_tui.query, smstools_tui.source, smstools_tui.demo, smstools_tui.config",
        "smstools_tui.cli",
    ],
)
def test_importing_the_data_layer_does_not_import_textual(modules: str) -> None:
    code = (
        f"import sys, {modules}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'textual_fastdatatable') or m.startswith('smstools_tui.tui'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboard_does_not_import_httpx_itself() -> None:
    import ast
    from pathlib import Path

    import smstools_tui.tui

    root = Path(smstools_tui.tui.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "httpx" for name in names), path


def test_the_package_has_no_import_cycle() -> None:
    """No module of the package imports, however indirectly, one that imports it back: at
    every level (the package's modules and subpackages, each subpackage's own), grimp finds no
    dependency that would have to go to break a cycle. A local import inside a function does
    not hide one: grimp reads those too."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("smstools_tui")
    packages = sorted(module for module in graph.modules if graph.find_children(module))
    assert "smstools_tui" in packages and "smstools_tui.store" in packages
    breakers = {package: graph.nominate_cycle_breakers(package) for package in packages}
    assert {package: found for package, found in breakers.items() if found} == {}


def test_a_cycle_would_be_found() -> None:
    """The check above is not vacuous: the cycle the API client and the sandbox once hid with
    local imports is found."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("smstools_tui")
    graph.add_import(importer="smstools_tui.api.client", imported="smstools_tui.sandbox")
    graph.add_import(importer="smstools_tui.sandbox", imported="smstools_tui.api.client")
    assert graph.nominate_cycle_breakers("smstools_tui")
