"""Writing frames to files: spreadsheet-safe CSV, lossless Parquet or an HTML page, picked by
the suffix.

Files are written next to their target and renamed into place, so an interrupted export never
leaves a half-written file where a complete one is expected. A file written over keeps its
permissions (a private 0600 export stays private); a new one gets what the umask gives.

CSV on standard output is byte-exact into a pipe or a file; on a terminal, its cells show
control characters as visible escapes, as the tables do, so an SMS text cannot drive the
terminal.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from .csv import write_safe_csv

__all__ = ["EXPORT_SUFFIXES", "REPORT_SUFFIXES", "atomic_write", "export_frame", "partial_path"]

EXPORT_SUFFIXES = (".csv", ".parquet")
"""What message exports are written as."""
REPORT_SUFFIXES = (".csv", ".parquet", ".html")
"""What report tables are written as: an HTML page suits a table of a few thousand rows."""


def export_frame(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    title: str | None = None,
    tz: tzinfo | None = None,
    total: pd.DataFrame | None = None,
) -> Path | None:
    """Write ``frame`` to ``path`` (``.csv``, ``.parquet`` or ``.html``; ``-`` is CSV on standard
    output). ``title``, ``tz`` (the zone times are shown in) and ``total`` (the figures of a
    total row, see :func:`~smstools_tui.report.tables.total_cells`) apply to HTML only: a CSV
    or Parquet file holds the rows alone, so that summing a column never counts twice.

    Returns the path written, or ``None`` for standard output.

    Example:
        >>> import tempfile, pandas as pd
        >>> target = Path(tempfile.mkdtemp()) / "sent.csv"
        >>> export_frame(pd.DataFrame({"text": ["=1+1"]}), target) == target
        True
        >>> target.read_text(encoding="utf-8-sig").splitlines()[1]
        "'=1+1"
    """
    if str(path) == "-":
        write_safe_csv(frame, sys.stdout, visible_escapes=sys.stdout.isatty())
        return None
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".csv":
        atomic_write(target, lambda temporary: write_safe_csv(frame, str(temporary)))
    elif suffix == ".parquet":
        atomic_write(
            target, lambda temporary: frame.to_parquet(temporary, engine="pyarrow", index=False)
        )
    elif suffix == ".html":
        from .tables import table_page

        page = table_page(frame, title or target.stem, tz=tz, total=total)
        atomic_write(target, lambda temporary: _write_text(temporary, page))
    else:
        raise ConfigError(
            f"cannot write {target.name}: the file name must end in .csv, .parquet or .html"
        )
    return target


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


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


def _kept_mode(target: Path) -> int:
    """The permission bits of the regular file at ``target``, else those of a new file."""
    try:
        existing = os.stat(target).st_mode
    except FileNotFoundError:
        existing = None
    if existing is not None and stat.S_ISREG(existing):
        return existing & 0o777
    return 0o666 & ~_umask()


def partial_path(path: str | Path) -> Path:
    """Where an incomplete result is saved: ``sent.csv`` → ``sent.partial.csv``."""
    target = Path(path)
    return target.with_name(f"{target.stem}.partial{target.suffix}")


def atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``target``, then rename it into place.

    The result keeps the permissions of the file it replaces; a new file gets the permissions
    the umask gives any new file.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "private.csv"
        >>> target.write_text("old")
        3
        >>> target.chmod(0o600)
        >>> atomic_write(target, lambda temporary: temporary.write_text("new"))
        >>> target.read_text(), oct(target.stat().st_mode & 0o777)
        ('new', '0o600')
    """
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise ConfigError(f"cannot write {target}: the folder {directory} does not exist")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(handle)
    temporary = Path(name)
    try:
        write(temporary)
        # mkstemp makes the file private (0600): give it the mode of the file it replaces, or
        # what the umask gives any new file of the user's.
        os.chmod(temporary, _kept_mode(target))
        os.replace(temporary, target)
    except OSError as error:
        raise ConfigError(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)
