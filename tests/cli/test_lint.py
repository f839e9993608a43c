"""``smstools-tui lint``: a draft's encoding, parts and a cheaper spelling, for people and CI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from smstools_tui.cli.lint import lint_result

from ..conftest import Result

CURLY = "Saldi d’inverno: fino al 50% su una selezione di articoli. Info: myshop.example/saldi"


def test_json_has_exactly_the_documented_shape(run: Callable[..., Result]) -> None:
    result = run("lint", CURLY + " 🎉", "--json")
    assert result.code == 0, result.err
    answer = json.loads(result.out)
    assert answer == {
        "encoding": "UCS-2",
        "units": len(CURLY) + 1 + 2,
        "segments": 2,
        "offending": [{"char": "’", "index": 7}, {"char": "🎉", "index": len(CURLY) + 1}],
        "suggestion": CURLY.replace("’", "'"),
        "suggestion_segments": 1,
    }


def test_json_of_a_gsm_text(run: Callable[..., Result]) -> None:
    answer = json.loads(run("lint", "Prezzo: 10€ [promo]", "--json").out)
    # € [ ] take two septets each.
    assert answer == {"encoding": "GSM-7", "units": 19 + 3, "segments": 1, "offending": [],
                      "suggestion": None, "suggestion_segments": None}  # fmt: skip


def test_for_people(run: Callable[..., Result]) -> None:
    result = run("lint", CURLY)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[:4] == ["encoding    UCS-2", "characters  85", "units       85 UTF-16 code units",
                         "parts       2"]  # fmt: skip
    assert "  ’  U+2019 RIGHT SINGLE QUOTATION MARK  at 7" in lines
    assert any(line.startswith("  1  (67 UTF-16 code units)  Saldi d’inverno") for line in lines)
    assert "suggested   GSM-7, 1 part instead of 2:" in lines
    assert "  curly apostrophes: ’ → '" in lines
    assert lines[-1] == "  " + CURLY.replace("’", "'")


def test_a_text_with_no_cheaper_spelling(run: Callable[..., Result]) -> None:
    result = run("lint", "Привет")
    assert "suggested   none" in result.out


def test_terminal_escapes_in_a_draft_are_shown_not_obeyed(run: Callable[..., Result]) -> None:
    result = run("lint", "Ciao \x1b]0;pwned\x07 \x1b[2J")
    assert "\x1b" not in result.out and "\x07" not in result.out
    assert "  \\x1b  U+001B  at 5, 16" in result.out.splitlines()
    long = run("lint", "\x1b[2J" + "x" * 80)  # two parts: each part is shown
    assert "\x1b" not in long.out and "\\x1b[2Jxxx" in long.out


def test_max_segments(run: Callable[..., Result], tmp_path: Path) -> None:
    draft = tmp_path / "template.txt"
    draft.write_text("a" * 160 + "\n", encoding="utf-8")  # the editor's final line break
    assert run("lint", "--file", str(draft), "--max-segments", "1").code == 0
    draft.write_text("a" * 161, encoding="utf-8")
    result = run("lint", "--file", str(draft), "--max-segments", "1")
    assert result.code == 1
    assert result.err.strip() == "2 parts, more than the 1 allowed"
    assert run("lint", "--file", str(draft), "--max-segments", "2").code == 0


def test_standard_input(run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO("È arrivato\n".encode()), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    answer = json.loads(run("lint", "-", "--json").out)
    assert answer["suggestion"] == "E' arrivato"
    assert answer["offending"] == [{"char": "È", "index": 0}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give the text to check, or --file FILE, or - to read standard input"),
        (("x", "--file", "t.txt"), "give the text or --file, not both"),
        (("--file", "missing.txt"), "cannot read missing.txt: No such file or directory"),
        (("x", "--max-segments", "0"), "0 is not in the range x>=1"),
    ],
    ids=["nothing", "both", "missing-file", "zero-parts"],
)
def test_bad_usage_is_one_line(
    run: Callable[..., Result],
    args: tuple[str, ...],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.txt").write_text("x")
    result = run("lint", *args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_a_file_that_is_not_utf8(run: Callable[..., Result], tmp_path: Path) -> None:
    draft = tmp_path / "latin1.txt"
    draft.write_bytes("perché".encode("latin-1"))
    result = run("lint", "--file", str(draft))
    assert result.code == 2
    assert result.err.strip().endswith("is not UTF-8 text (byte 5)")


def test_lint_result_matches_the_command() -> None:
    assert lint_result("") == {"encoding": "GSM-7", "units": 0, "segments": 1, "offending": [],
                               "suggestion": None, "suggestion_segments": None}  # fmt: skip


def test_as_a_ci_step_in_a_real_process(tmp_path: Path) -> None:
    draft = tmp_path / "otp.txt"
    draft.write_text("Il tuo codice è 123456. Non condividerlo.", encoding="utf-8")
    command = [sys.executable, "-m", "smstools_tui", "lint", "--file", str(draft)]
    done = subprocess.run([*command, "--max-segments", "1", "--json"], capture_output=True,
                          text=True, check=False, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["segments"] == 1
