"""No test depends on today's date or the machine's time zone.

The clock-sensitive tests (marked ``clock`` by ``tests/conftest.py``) run again in a child
process whose wall clock, and that of every Python process it starts, is a year ahead
(``tests/clock/sitecustomize.py``), in a time zone fourteen hours ahead of UTC.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine

ROOT = Path(__file__).resolve().parent.parent
SHIFT_DAYS = "365"


def test_the_clock_is_shifted_when_asked() -> None:
    """A shifted run travels (``tests/clock/sitecustomize.py`` started it before any test);
    an ordinary run does not. How far it went is what the clock-sensitive tests then prove."""
    shifted = bool(os.environ.get("SMSTOOLS_TEST_CLOCK_SHIFT"))
    assert time_machine.escape_hatch.is_travelling() is shifted


@pytest.mark.skipif(
    bool(os.environ.get("SMSTOOLS_TEST_CLOCK_SHIFT")), reason="this run is the shifted one"
)
def test_clock_sensitive_tests_pass_a_year_from_now_in_another_zone(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SMSTOOLS_TEST_CLOCK_SHIFT": SHIFT_DAYS,
        "TZ": "Pacific/Kiritimati",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "tests" / "clock"), os.environ.get("PYTHONPATH")])
        ),
    }
    command = [
        sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:randomly", "-p", "no:cacheprovider",
        "-W", "ignore::pytest.PytestAssertRewriteWarning",
        "-m", "clock", "--basetemp", str(tmp_path / "shifted"),
        "tests/test_clock_shift.py", *sorted({path.split("::")[0] for path in _clock_paths()}),
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    summary = done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else []
    assert done.returncode == 0, "\n".join([*done.stdout.splitlines()[-40:], done.stderr[-2000:]])
    assert "passed" in " ".join(summary)


def _clock_paths() -> list[str]:
    from tests.conftest import CLOCK_SENSITIVE

    return [str(ROOT / path) for path in CLOCK_SENSITIVE]
