"""Writing a file whole or not at all: write beside it, then rename it into place.

A rename within one folder is atomic: a reader (or a process started after a crash) sees the old
file or the new one, never a mix. With ``durable``, ``fsync`` on the file before the rename and
on the folder after it makes that hold across a power cut too, not only a killed process.

The store writes its partitions and manifest through :func:`atomic_write` (durable, private to
the owner); exports write through it too (the permissions of the file they replace).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

__all__ = ["Permissions", "atomic_write", "atomic_write_bytes", "fsync_dir"]

Permissions = Literal["private", "as-replaced"]
"""What a written file may be read by: ``private``, its owner only (0600); ``as-replaced``,
whoever could read the file it replaces (a private export stays private), and for a new file
what the umask gives any new file."""


def atomic_write(
    target: Path,
    write: Callable[[Path], object],
    *,
    durable: bool = True,
    permissions: Permissions = "private",
) -> None:
    """Call ``write`` on a hidden temporary file beside ``target``, then rename it to
    ``target``. On any failure ``target`` is untouched and the temporary removed.

    The temporary's name starts with a dot, which pyarrow, pandas and DuckDB skip when they read
    a whole folder, and ends in ``.tmp``.

    Args:
        target: the file to write.
        write: writes the whole content to the path it is given (which exists, empty); what
            it returns is ignored.
        durable: flush the file and the folder's new name to disk (``fsync``) before returning.
        permissions: see :data:`Permissions`.

    Raises:
        OSError: the file could not be written (``target`` is as it was).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "private.csv"
        >>> target.write_text("old")
        3
        >>> target.chmod(0o640)
        >>> atomic_write(target, lambda temporary: temporary.write_text("new"),
        ...              durable=False, permissions="as-replaced")
        >>> target.read_text(), oct(target.stat().st_mode & 0o777)
        ('new', '0o640')
        >>> atomic_write(target, lambda temporary: temporary.write_text("newer"))
        >>> target.read_text(), oct(target.stat().st_mode & 0o777)
        ('newer', '0o600')
    """
    directory = target.parent
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        if durable:
            _fsync_file(temporary)
        if permissions == "as-replaced":
            # mkstemp makes the file private (0600): give it the mode of the file it replaces,
            # or what the umask gives any new file of the user's.
            os.chmod(temporary, _replaced_mode(target))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(directory)


def atomic_write_bytes(
    target: Path, data: bytes, *, durable: bool = True, permissions: Permissions = "private"
) -> None:
    """:func:`atomic_write` of ``data``.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "manifest.json"
        >>> atomic_write_bytes(target, b"{}")
        >>> target.read_bytes()
        b'{}'
    """
    atomic_write(
        target,
        lambda temporary: temporary.write_bytes(data),
        durable=durable,
        permissions=permissions,
    )


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


def _fsync_file(path: Path) -> None:
    # Opened for writing: Windows flushes only handles that may write.
    handle = os.open(path, os.O_RDWR)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _replaced_mode(target: Path) -> int:
    """The permission bits of the regular file at ``target``, else those of a new file."""
    try:
        existing = os.stat(target).st_mode
    except FileNotFoundError:
        existing = None
    if existing is not None and stat.S_ISREG(existing):
        return existing & 0o777
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system allows: setting it to
    read it would, for an instant, loosen the permissions of files other threads create (the
    dashboard exports from a worker while the store may be writing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    current = os.umask(0o077)  # elsewhere: read it by setting the strictest value briefly
    os.umask(current)
    return current
