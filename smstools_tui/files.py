"""Durable files: write beside, flush to disk, rename into place.

A rename within one folder is atomic: a reader (or a process started after a crash) sees the old
file or the new one, never a mix. ``fsync`` on the file before the rename, and on the folder
after it, makes that hold across a power cut too, not only a killed process. The store's files
and the config file (saved views) are written this way.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "atomic_write_bytes", "fsync_dir"]


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
