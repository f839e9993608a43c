"""The store's files: durable writes (see :mod:`smstools_tui.files`) and a lock between writers."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import StoreError
from ..files import atomic_write, atomic_write_bytes, fsync_dir

__all__ = ["atomic_write", "atomic_write_bytes", "fsync_dir", "lock_file"]


@contextlib.contextmanager
def lock_file(path: Path, *, timeout: float = 60.0, poll: float = 0.05) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) between processes.

    The operating system drops the lock when its holder dies, even by ``kill -9``, so a crash
    never leaves a store locked.

    Raises:
        StoreError: another process held it for ``timeout`` seconds.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise StoreError(
                    f"another smstools-tui process is writing the store in {path.parent}; "
                    "try again when it has finished"
                )
            time.sleep(poll)
        try:
            yield
        finally:
            _unlock(handle)
    finally:
        os.close(handle)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: int) -> bool:
        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: int) -> None:
        os.lseek(handle, 0, os.SEEK_SET)
        msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: int) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)
