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

import sys
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path

import pandas as pd

from ..errors import ConfigError
from ..files import atomic_write
from .csv import write_safe_csv

__all__ = ["EXPORT_SUFFIXES", "REPORT_SUFFIXES", "export_frame", "partial_path", "write_file"]

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
        write_file(target, lambda temporary: write_safe_csv(frame, str(temporary)))
    elif suffix == ".parquet":
        write_file(
            target, lambda temporary: frame.to_parquet(temporary, engine="pyarrow", index=False)
        )
    elif suffix == ".html":
        from .tables import table_page

        page = table_page(frame, title or target.stem, tz=tz, total=total)
        write_file(target, lambda temporary: temporary.write_text(page, encoding="utf-8"))
    else:
        raise ConfigError(
            f"cannot write {target.name}: the file name must end in .csv, .parquet or .html"
        )
    return target


def partial_path(path: str | Path) -> Path:
    """Where an incomplete result is saved: ``sent.csv`` → ``sent.partial.csv``."""
    target = Path(path)
    return target.with_name(f"{target.stem}.partial{target.suffix}")


def write_file(target: Path, write: Callable[[Path], object]) -> None:
    """Write a file the user asked for with :func:`~smstools_tui.files.atomic_write`: it keeps
    the permissions of the file it replaces, and what stops it is a :class:`ConfigError`.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> write_file(folder / "ids.csv", lambda temporary: temporary.write_text("id"))
        >>> (folder / "ids.csv").read_text()
        'id'
        >>> try:
        ...     write_file(folder / "gone" / "ids.csv", lambda temporary: None)
        ... except ConfigError as error:
        ...     print(str(error).endswith("the folder " + str(folder / "gone") + " does not exist"))
        True
    """
    if not target.parent.is_dir():
        raise ConfigError(f"cannot write {target}: the folder {target.parent} does not exist")
    try:
        atomic_write(target, write, durable=False, permissions="as-replaced")
    except OSError as error:
        raise ConfigError(f"cannot write {target}: {error.strerror or error}") from None
