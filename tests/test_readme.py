"""The README's promises: two commands, and a Python example that runs."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import NOW, Result

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


def command_lines() -> list[str]:
    """Every ``smstools-tui`` line of the README's shell examples, its comment left out."""
    blocks = re.findall(r"```sh\n(.+?)```", README, re.DOTALL)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.startswith("smstools-tui")
    ]


def runnable(line: str) -> list[str]:
    """The line's words up to a pipe: what the tool itself is given."""
    words = shlex.split(line, comments=True)
    return words[: words.index("|")] if "|" in words else words


# Each command line the README shows, run as written on the demo (`--demo`, or the store a demo
# sync filled for `sync` and `--offline`): it ends with exit code 0 and writes something.
EXAMPLES = [line for line in command_lines() if runnable(line)[1:2] != ["sandbox"]]


def test_the_readme_shows_commands_of_every_kind() -> None:
    shown = {tuple(runnable(line)[1:2]) for line in EXAMPLES}
    assert {("export",), ("report",), ("sync",), ("dashboard",), ()} <= shown
    assert len(EXAMPLES) >= 20


@pytest.fixture
def readme_demo(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working folder, the README's saved views in the config file, a small frozen demo, and
    a store a demo sync filled: what the examples run against."""
    from smstools_tui import demo

    built = demo.demo_client
    monkeypatch.setattr(
        demo, "demo_client", lambda **settings: built(sent=3_000, received=400, now=NOW, **settings)
    )
    for name in ("SMSTOOLS_AUTH_KEY", "SMSTOOLS_AUTH_SECRET", "SMSTOOLS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("TZ", "Europe/Rome")
    views = "\n".join(
        block for block in re.findall(r"```toml\n(.+?)```", README, re.DOTALL) if "[views." in block
    )
    config = tmp_path / "config" / "smstools-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(views)
    config.chmod(0o600)
    work = tmp_path / "work"
    work.mkdir()
    # The README's policy, where check looks by default and where its example names it.
    policy = next(
        block
        for block in re.findall(r"```toml\n(.+?)```", README, re.DOTALL)
        if "[[rule]]" in block
    )
    for folder in (config.parent, work):
        (folder / "policy.toml").write_text(policy)
    # The draft the lint example checks.
    (work / "templates").mkdir()
    (work / "templates" / "black-friday.txt").write_text(
        "Black Friday: -30% su tutto fino a domenica! Codice BF30\n", encoding="utf-8"
    )
    monkeypatch.chdir(work)
    return work


@pytest.mark.parametrize("line", EXAMPLES)
def test_every_readme_command_works_on_the_demo(
    line: str, readme_demo: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]
) -> None:
    import smstools_tui.tui
    from tests.cli.conftest import Opened

    opened = Opened()
    monkeypatch.setattr(smstools_tui.tui, "make_app", opened)
    words = runnable(line)[1:]
    dashboard = not words or words[0] == "dashboard" or words[0].startswith("-")
    store = str(readme_demo.parent / "store")
    if words[:1] == ["sync"] or "--offline" in words:
        assert run("sync", "--demo", "--store", store, "--since", "90d").code == 0
        words += ["--store", store] + (["--demo"] if words[:1] == ["sync"] else [])
    elif "--demo" not in words and words[:1] not in (["lint"],):  # lint reads no SMS
        words.append("--demo")
    result = run(*words)
    # A check's findings are its exit code (1 WARNING, 2 CRITICAL): the run itself worked.
    assert result.code in ((0, 1, 2) if words[0] == "check" else (0,)), result.out + result.err
    if dashboard:
        assert [call.get("ran") for call in opened.calls] == [True]
    elif "--out" in words:
        written = readme_demo / words[words.index("--out") + 1]
        assert written.stat().st_size > 0, result.err
        assert "no sent SMS match" not in result.err
    elif words[0] == "sync":
        assert result.out.startswith("synced: ")
    elif "--json" in words:
        assert json.loads(result.out)  # one document
    else:
        assert len(result.out.splitlines()) > 1, result.err  # a table, or CSV with rows
