"""What the Query tab keeps and computes without Textual: the queries run (kept between
sessions) and the completion of table, column and macro names.

The history is a small JSON file beside the dashboard's settings
(``~/.local/state/smstools-tui/sql_history.json`` on Linux), written whole and atomically after
each query run, private to the user. Like the settings it is a convenience: a damaged, oversized
or unreadable file is ignored with a log line, and a failed write is logged, never fatal.

This module does not import Textual.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ..config import APP_NAME
from ..files import atomic_write_bytes

__all__ = ["MAX_QUERIES", "Completion", "QueryHistory", "complete", "default_history_path"]

log = logging.getLogger(__name__)

MAX_QUERIES = 100
"""Queries kept, the most recent last."""
MAX_BYTES = 512 * 1024
"""A bigger file is not one the dashboard wrote: it is ignored unread."""
_MAX_QUERY = 20_000
"""A longer query is run but not kept."""
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


def default_history_path() -> Path:
    """``sql_history.json`` in the platform's user state folder for smstools-tui."""
    return Path(platformdirs.user_state_dir(APP_NAME)) / "sql_history.json"


class QueryHistory:
    """The queries run in the Query tab, oldest first, at ``path``.

    Example:
        >>> import tempfile
        >>> history = QueryHistory(Path(tempfile.mkdtemp()) / "sql_history.json")
        >>> history.add("SELECT 1")
        >>> history.add("SELECT 2")
        >>> history.add("SELECT 1")  # run again: it moves to the end, once
        >>> history.load()
        ['SELECT 2', 'SELECT 1']
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[str]:
        """The queries kept; none (with a log line) when the file is damaged."""
        try:
            with open(self.path, "rb") as stream:
                raw = stream.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return []
        except OSError as error:
            log.warning("ignoring %s: %s", self.path, error.strerror or error)
            return []
        if len(raw) > MAX_BYTES:
            log.warning("ignoring %s: larger than %d bytes", self.path, MAX_BYTES)
            return []
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            log.warning("ignoring %s, damaged: %s", self.path, error)
            return []
        queries = data.get("queries") if isinstance(data, dict) else None
        if not isinstance(queries, list):
            log.warning("ignoring %s: not the dashboard's query history", self.path)
            return []
        return [query for query in queries if isinstance(query, str) and query.strip()]

    def add(self, query: str) -> None:
        """Keep ``query`` as the most recent (once: an earlier copy is dropped)."""
        text = query.strip()
        if not text or len(text) > _MAX_QUERY:
            return
        queries = [kept for kept in self.load() if kept != text] + [text]
        document = {"version": 1, "queries": queries[-MAX_QUERIES:]}
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write_bytes(self.path, json.dumps(document, indent=1).encode("utf-8") + b"\n")
        except OSError as error:
            log.warning("could not keep the query in %s: %s", self.path, error.strerror or error)


@dataclass(frozen=True)
class Completion:
    """What completing a word gives: ``insert`` (the text to add after the cursor) and the
    ``candidates`` the word could become (several when it is ambiguous)."""

    insert: str
    candidates: tuple[str, ...]


def complete(text_before_cursor: str, names: Iterable[str]) -> Completion | None:
    """Complete the word before the cursor from ``names`` (any case), as far as it is
    unambiguous; ``None`` when no word is there or nothing starts with it.

    Example:
        >>> complete("SELECT deliv", ["delivery_rate", "deliveryDate", "status"])
        Completion(insert='ery', candidates=('deliveryDate', 'delivery_rate'))
        >>> complete("FROM rec", ["received", "sent"]).insert
        'eived'
        >>> complete("SELECT ", ["sent"]) is None
        True
    """
    found = _WORD.search(text_before_cursor)
    if found is None:
        return None
    word = found.group(0)
    candidates = tuple(
        sorted({name for name in names if name.lower().startswith(word.lower()) and name != word})
    )
    if not candidates:
        return None
    common = candidates[0]
    for candidate in candidates[1:]:
        length = 0
        while length < min(len(common), len(candidate)) and common[length] == candidate[length]:
            length += 1
        common = common[:length]
    return Completion(insert=common[len(word) :] if len(common) > len(word) else "",
                      candidates=candidates)  # fmt: skip
