"""What the dashboard remembers between sessions: the theme, and per account the last window
picked in it.

A small JSON file in the user's state folder (``~/.local/state/smstools-tui/dashboard.json`` on
Linux; :func:`default_settings_path`), written whole and atomically each time something changes,
private to the user. The demo has its own entry, so trying it never moves the live account's
window. The file is a convenience: a damaged, oversized or unreadable one is ignored with a log
line, and a failed write is logged, never fatal. The command line's ``--since``/``--until`` win
over a remembered window (:func:`~smstools_tui.tui.make_app` decides).

Example of the file::

    {"version": 1, "theme": "textual-light",
     "windows": {"demo": {"preset": "last 7 days"},
                 "api.smstools.it": {"since": "2026-11-01", "until": null}}}

This module does not import Textual.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs

from ..config import APP_NAME
from ..errors import SmstoolsError
from ..files import atomic_write_bytes
from .views import WINDOW_PRESETS, WindowChoice

__all__ = ["MAX_BYTES", "Remembered", "SettingsFile", "default_settings_path"]

log = logging.getLogger(__name__)

VERSION = 1
MAX_BYTES = 64 * 1024
"""A bigger file is not one the dashboard wrote: it is ignored unread."""
MAX_ACCOUNTS = 50
"""Windows kept, the most recently used accounts first to stay."""
_MAX_TEXT = 100
"""The longest theme name, account or window bound kept from the file."""


def default_settings_path() -> Path:
    """``dashboard.json`` in the platform's user state folder for smstools-tui."""
    return Path(platformdirs.user_state_dir(APP_NAME)) / "dashboard.json"


@dataclass(frozen=True)
class Remembered:
    """The settings read from the file: ``theme`` (a Textual theme's name, or ``None``) and the
    last window per account (``demo`` or the gateway's host)."""

    theme: str | None = None
    windows: Mapping[str, WindowChoice] = field(default_factory=dict)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= _MAX_TEXT else None


def window_to_json(choice: WindowChoice) -> dict[str, Any]:
    """A window as the file keeps it: its expression as written, and its label.

    Example:
        >>> window_to_json(WINDOW_PRESETS[1])
        {'window': '7d', 'label': 'last 7 days'}
        >>> window_to_json(WindowChoice.custom("2026-11-01"))["window"]
        '2026-11-01..'
    """
    return {"window": choice.expression.text, "label": choice.label}


def window_from_json(data: Any) -> WindowChoice | None:
    """The window ``data`` describes, or ``None`` when it describes none this version knows.

    Example:
        >>> window_from_json({"window": "90d", "label": "last 90 days"}).label
        'last 90 days'
        >>> window_from_json({"window": "last 3 weeks"}) is None
        True
    """
    if not isinstance(data, dict):
        return None
    if "preset" in data:  # as an earlier version wrote it
        return next((choice for choice in WINDOW_PRESETS if choice.label == data["preset"]), None)
    text, label = _text(data.get("window")), data.get("label")
    if text is None:
        return None
    try:
        return WindowChoice.of(text, _text(label) or "")
    except SmstoolsError:
        return None


class SettingsFile:
    """The remembered settings at ``path``; see the module's description.

    Example:
        >>> import tempfile
        >>> settings = SettingsFile(Path(tempfile.mkdtemp()) / "dashboard.json")
        >>> settings.remember_theme("textual-light")
        >>> settings.remember_window("demo", WINDOW_PRESETS[0])
        >>> remembered = settings.load()
        >>> remembered.theme, remembered.windows["demo"].label
        ('textual-light', 'last 24 hours')
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Remembered:
        """What the file holds; nothing (with a log line) when it is missing a part or damaged."""
        data = self._read()
        theme = _text(data.get("theme"))
        windows: dict[str, WindowChoice] = {}
        stored = data.get("windows")
        for account, value in stored.items() if isinstance(stored, dict) else ():
            choice = window_from_json(value)
            if _text(account) is None or choice is None:
                log.warning("ignoring a window %s does not understand: %r", self.path, value)
                continue
            windows[account] = choice
        return Remembered(theme=theme, windows=windows)

    def window(self, account: str, now: datetime) -> WindowChoice | None:
        """The window last picked for ``account`` (``demo`` or the gateway's host), if it still
        makes a window at ``now``."""
        choice = self.load().windows.get(account)
        if choice is None:
            return None
        try:
            choice.expression.resolve(now)
        except SmstoolsError as error:
            log.warning("ignoring the remembered window in %s: %s", self.path, error.message)
            return None
        return choice

    def remember_theme(self, theme: str) -> None:
        """Keep ``theme`` for the next session."""

        def change(data: dict[str, Any]) -> None:
            data["theme"] = theme

        self._update(change)

    def remember_window(self, account: str, choice: WindowChoice) -> None:
        """Keep ``choice`` as the window of ``account`` for the next session."""

        def change(data: dict[str, Any]) -> None:
            windows = data.get("windows")
            windows = dict(windows) if isinstance(windows, dict) else {}
            windows.pop(account, None)  # to the end: the most recent stays longest
            windows[account] = window_to_json(choice)
            data["windows"] = dict(list(windows.items())[-MAX_ACCOUNTS:])

        self._update(change)

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as stream:
                raw = stream.read(MAX_BYTES + 1)
        except FileNotFoundError:
            return {}
        except OSError as error:
            log.warning("ignoring %s: %s", self.path, error.strerror or error)
            return {}
        if len(raw) > MAX_BYTES:
            log.warning("ignoring %s: larger than %d bytes", self.path, MAX_BYTES)
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            log.warning("ignoring %s, damaged: %s", self.path, error)
            return {}
        if not isinstance(data, dict):
            log.warning("ignoring %s: not the dashboard's settings", self.path)
            return {}
        return data

    def _update(self, change: Callable[[dict[str, Any]], None]) -> None:
        # Read again first: another session may have remembered something since.
        data = self._read()
        change(data)
        data["version"] = VERSION
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            atomic_write_bytes(self.path, json.dumps(data, indent=2).encode("utf-8") + b"\n")
        except OSError as error:
            log.warning("could not remember the dashboard's settings in %s: %s", self.path,
                        error.strerror or error)  # fmt: skip
