"""The public surface: what ``import smstools_tui`` offers, and the layers kept apart."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import smstools_tui
from smstools_tui import errors
from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxServer

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [
    "smstools_tui",
    "smstools_tui.account",
    "smstools_tui.api",
    "smstools_tui.config",
    "smstools_tui.dates",
    "smstools_tui.demo",
    "smstools_tui.errors",
    "smstools_tui.files",
    "smstools_tui.frames",
    "smstools_tui.msisdn",
    "smstools_tui.query",
    "smstools_tui.report",
    "smstools_tui.sandbox",
    "smstools_tui.source",
    "smstools_tui.store",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_exported_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert len(set(module.__all__)) == len(module.__all__)
    for exported in module.__all__:
        assert hasattr(module, exported), f"{name}.__all__ names {exported}, which does not exist"


def test_every_error_class_is_exported_at_the_top() -> None:
    classes = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, errors.SmstoolsError)
    }
    assert classes <= set(smstools_tui.__all__)
    assert classes == set(errors.__all__)


def test_every_error_class_is_drawn_in_the_hierarchy_tree() -> None:
    tree = errors.__doc__ or ""
    for name in errors.__all__:
        assert name in tree


def test_public_functions_have_docstrings() -> None:
    for name in smstools_tui.__all__:
        value = getattr(smstools_tui, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__doc__, f"{name} has no docstring"


def test_the_data_layer_never_imports_the_ui() -> None:
    code = (
        "import sys\n"
        "import smstools_tui, smstools_tui.api, smstools_tui.frames, smstools_tui.sandbox\n"
        "import smstools_tui.report, smstools_tui.config, smstools_tui.errors\n"
        "import smstools_tui.store\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m == 'smstools_tui.cli')\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_import_contracts() -> None:
    """The import-linter contracts in pyproject.toml hold."""
    pytest.importorskip("importlinter")
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-2000:]


def test_connect_reads_through_the_store_when_live(
    monkeypatch: pytest.MonkeyPatch, no_credentials: None, server: SandboxServer, tmp_path: Path
) -> None:
    monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)
    window = ("2026-08-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00")
    with smstools_tui.connect() as client:
        assert isinstance(client, smstools_tui.StoredClient)
        fetched = client.sent(*window)
    with smstools_tui.connect(store=False) as plain:
        assert isinstance(plain, smstools_tui.SmstoolsClient)
    with smstools_tui.connect(store=tmp_path / "mine") as mine:
        assert isinstance(mine, smstools_tui.StoredClient)
        assert mine.store.path == tmp_path / "mine"
    with smstools_tui.connect(offline=True) as offline:
        assert offline.sent(*window).equals(fetched)
    demo = smstools_tui.connect(demo=True)
    assert isinstance(demo, smstools_tui.SmstoolsClient)  # the demo has no store of its own
    demo.close()
