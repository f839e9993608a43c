"""The lock between processes that write one store."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from smstools_tui.errors import StoreError
from smstools_tui.store.lock import lock_file


def test_the_lock_keeps_a_second_writer_out(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from pathlib import Path\n"
         "from smstools_tui.store.lock import lock_file\n"
         "with lock_file(Path(sys.argv[1])):\n"
         "    print('locked', flush=True)\n"
         "    time.sleep(30)\n",
         str(lock)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with (
            pytest.raises(StoreError, match="another smstools-tui process is writing"),
            lock_file(lock, timeout=0.2),
        ):
            pass
        holder.kill()  # the lock dies with its holder, even killed
        holder.wait(timeout=10)
        started = time.monotonic()
        with lock_file(lock, timeout=5):
            assert time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait(timeout=10)
