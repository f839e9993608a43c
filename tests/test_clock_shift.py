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


SHARDS = 3
"""The shifted run is split in this many child runs, which the workers of ``-n`` take apart: as
one run it was the suite's longest test by minutes, and whichever worker drew it last finished
alone."""


def clock_files() -> list[str]:
    """The files of the clock-sensitive tests (``tests/conftest.py``'s ``CLOCK_SENSITIVE``, its
    folders expanded), relative to the repository."""
    from tests.conftest import CLOCK_SENSITIVE

    files: set[str] = set()
    for entry in CLOCK_SENSITIVE:
        path = ROOT / entry
        if path.is_dir():
            pattern = "test_*.py" if entry.startswith("tests/") else "*.py"
            files.update(found.relative_to(ROOT).as_posix() for found in path.rglob(pattern))
        else:
            files.add(entry)
    return sorted(files)


def shard(number: int) -> list[str]:
    """The files of child run ``number``: the largest first, each to the lightest run so far
    (a file's size stands for its run time)."""
    runs: list[list[str]] = [[] for _ in range(SHARDS)]
    weights = [0] * SHARDS
    for name in sorted(clock_files(), key=lambda name: (-(ROOT / name).stat().st_size, name)):
        lightest = weights.index(min(weights))
        runs[lightest].append(name)
        weights[lightest] += (ROOT / name).stat().st_size
    return sorted(runs[number])


def test_the_shards_cover_every_clock_sensitive_file_once() -> None:
    shards = [shard(number) for number in range(SHARDS)]
    assert sorted(name for files in shards for name in files) == clock_files()
    assert all(shards) and "tests/cli/test_sync.py" in clock_files()


@pytest.mark.skipif(
    bool(os.environ.get("SMSTOOLS_TEST_CLOCK_SHIFT")), reason="this run is the shifted one"
)
@pytest.mark.parametrize("number", range(SHARDS))
def test_clock_sensitive_tests_pass_a_year_from_now_in_another_zone(
    number: int, tmp_path: Path
) -> None:
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
        "tests/test_clock_shift.py", *shard(number),
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    summary = done.stdout.strip().splitlines()[-1:] if done.stdout.strip() else []
    assert done.returncode == 0, "\n".join([*done.stdout.splitlines()[-40:], done.stderr[-2000:]])
    assert "passed" in " ".join(summary)
