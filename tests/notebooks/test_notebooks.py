"""Every notebook runs top to bottom on the demo data, through papermill as the README shows,
and is committed without outputs."""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxServer

nbformat = pytest.importorskip("nbformat")
papermill = pytest.importorskip("papermill")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MACHINE_ZONE = "Asia/Tokyo"
"""The zone the tests give the machine (``TZ``): far from Rome, so a notebook that defaulted
to another zone would show."""


def execute(path: Path, tmp_path: Path, **parameters: Any) -> Any:
    """Run ``path`` as ``papermill IN OUT -p NAME VALUE …`` does, in ``tmp_path``; the executed
    notebook."""
    return papermill.execute_notebook(
        str(path),
        str(tmp_path / f"{path.stem}.out.ipynb"),
        parameters=parameters,
        cwd=str(tmp_path),
        kernel_name="python3",
        progress_bar=False,
        execution_timeout=180,
    )


def printed(notebook: Any) -> str:
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )


def parameter_names(path: Path) -> set[str]:
    notebook = nbformat.read(path, as_version=4)
    (cell,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    return {
        target.id
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


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
def test_runs_top_to_bottom_on_demo_data(
    path: Path, no_credentials: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(path, as_version=4)
    parameters = [index for index, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1, "one cell tagged 'parameters'"
    assert parameters[0] <= 2, "the parameters come right after the introduction"
    monkeypatch.setenv("TZ", MACHINE_ZONE)
    executed = execute(path, tmp_path, DEMO=True, WINDOW="60d")
    # papermill put the values right after the parameters cell.
    assert "injected-parameters" in executed.cells[parameters[0] + 1].metadata.tags
    outputs = [output for cell in executed.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    text = printed(executed)
    assert "the demo account" in text
    # Days, weeks and times are the machine's, as on the command line.
    assert f"({MACHINE_ZONE})" in text
    figures = [output for output in outputs if "application/vnd.plotly.v1+json" in output.get("data", {})]
    assert figures, "the notebook draws its charts with plotly"
    if path.stem == "04_failing_numbers":
        check_the_list_is_written_by_default(text, tmp_path)
    else:
        assert [p.name for p in tmp_path.iterdir()] == [f"{path.stem}.out.ipynb"]


def check_the_list_is_written_by_default(text: str, folder: Path) -> None:
    """04 writes its cleanup list to ``failing-numbers.csv`` beside it, and says where."""
    written = folder / "failing-numbers.csv"
    match = re.search(r"wrote ([\d,]+) numbers to (\S+)", text)
    assert match and Path(match.group(2)) == written.resolve()
    rows = pd.read_csv(written, encoding="utf-8-sig")
    assert len(rows) == int(match.group(1).replace(",", "")) > 0
    assert "number" in rows.columns


def test_the_readme_papermill_line_names_real_parameters() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (line,) = [line for line in readme.splitlines() if line.startswith(".venv/bin/papermill ")]
    words = shlex.split(line.split("#", 1)[0])
    source = ROOT / words[1]
    assert source in NOTEBOOKS
    names = [words[i + 1] for i, word in enumerate(words) if word == "-p"]
    assert names and set(names) <= parameter_names(source)
    assert "papermill" in readme.split("## Notebooks", 1)[1]


def test_runs_on_a_live_account_when_credentials_are_set(
    server: SandboxServer,
    no_credentials: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """With credentials in the environment the notebook reads the account, not the demo: here
    the sandbox over HTTP stands in for the gateway. The TZ parameter overrides the machine's
    zone."""
    monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", SANDBOX_KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SANDBOX_SECRET)
    monkeypatch.setenv("TZ", MACHINE_ZONE)
    path = next(path for path in NOTEBOOKS if path.stem == "01_delivery")
    text = printed(execute(path, tmp_path, TZ="America/New_York"))
    assert "MyShop S.r.l.: " in text
    assert "the demo account" not in text
    assert "(America/New_York)" in text and MACHINE_ZONE not in text
    assert server.api.requests["/sms/search"] > 0
