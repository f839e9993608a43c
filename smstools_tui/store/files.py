"""Durable files: write beside, flush to disk, rename into place; and a lock between writers.

A rename within one folder is atomic: a reader (or a process started after a crash) sees the old
file or the new one, never a mix. ``fsync`` on the file before the rename, and on the folder
after it, makes that hold across a power cut too, not only a killed process.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import StoreError

__all__ = ["atomic_write", "atomic_write_bytes", "fsync_dir", "lock_file"]


def fsync_dir(directory: Path) -> None:
    """Make the names in ``directory`` (a rename, a new file) durable. A no-op where folders
    cannot be opened (Windows), which orders metadata writes itself."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def atomic_write(target: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write`` on a hidden temporary file beside ``target``, flush it to disk, then
    rename it to ``target``. On any failure ``target`` is untouched and the temporary removed.

    The temporary's name starts with a dot, which pyarrow, pandas and DuckDB skip when they read
    a whole folder, and ends in ``.tmp``.
    """
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """:func:`atomic_write` of ``data``."""

    def write(stream: BinaryIO) -> None:
        stream.write(data)

    atomic_write(target, write)


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
