"""The README's promises: two commands, and a Python example that runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_two_commands() -> None:
    run, test, *_ = quick_start_commands()
    assert run.endswith(".venv/bin/smstools-tui")
    assert test.endswith(".venv/bin/pytest -n auto")  # one worker per core
    assert "pip install -e '.[dev]'" in test


def test_quick_start_shows_the_tool_installs() -> None:
    _, _, tool, wheel = quick_start_commands()
    assert tool.startswith("pipx install .") and "uv tool install ." in tool
    assert "python3 -m build" in wheel and "dist/smstools_tui-*.whl" in wheel


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    pattern = re.search(r'grep -m1 -E "(.+?)" README\.md', script)
    assert pattern
    matches = [line for line in README.splitlines() if re.match(pattern.group(1), line)]
    assert matches[0] == quick_start_commands()[1]


def test_python_example_runs_on_the_demo(
    no_credentials: None, capsys: pytest.CaptureFixture[str]
) -> None:
    example = README.split("## Python API", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(example, "README.md", "exec"), {})
    assert "MyShop S.r.l." in capsys.readouterr().out
