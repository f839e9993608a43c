"""Every notebook runs top to bottom on the demo data, and is committed without outputs."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxServer

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    names = {path.stem for path in NOTEBOOKS}
    assert {"01_delivery", "02_costs", "03_replies_and_opt_outs"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} carries outputs"
            assert cell.get("execution_count") is None, f"{path.name} carries execution counts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_uses_only_the_public_api(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""] + [f"{node.module}.{alias.name}" for alias in node.names]
            for module in modules:
                assert not any(part.startswith("_") for part in module.split(".")), module
                assert not module.startswith(("httpx", "requests", "urllib", "smstools_tui.api", "smstools_tui.sandbox")), module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_runs_top_to_bottom_on_demo_data(path: Path, no_credentials: None, tmp_path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    parameters = [index for index, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1, "one cell tagged 'parameters'"
    assert parameters[0] <= 2, "the parameters come right after the introduction"
    # As papermill does: the injected values follow the parameters cell.
    injected = nbformat.v4.new_code_cell("DEMO = True\nDAYS = 60")
    notebook.cells.insert(parameters[0] + 1, injected)
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    text = "".join(output.get("text", "") for output in outputs if output.output_type == "stream")
    assert "the demo account" in text
    figures = [output for output in outputs if "application/vnd.plotly.v1+json" in output.get("data", {})]
    assert figures, "the notebook draws its charts with plotly"


def test_runs_on_a_live_account_when_credentials_are_set(
    server: SandboxServer, no_credentials: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With credentials in the environment the notebook reads the account, not the demo: here
    the sandbox over HTTP stands in for the gateway."""
    monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)
    path = next(path for path in NOTEBOOKS if path.stem == "01_delivery")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    text = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs if output.output_type == "stream")
    assert "MyShop S.r.l.: " in text
    assert "the demo account" not in text
    assert server.api.requests["/sms/search"] > 0
