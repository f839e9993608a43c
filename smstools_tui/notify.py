"""Telling people when a check's status changes: apprise URLs, and the state that says what the
last check found.

A notification goes out only when a rule's status (per group) changes from the last check's, so
a scheduler running ``check`` every 15 minutes sends one message when delivery drops and one when
it recovers, not one every quarter of an hour. The state is a small JSON file kept beside the
store; it holds statuses, never credentials. Notifications go through `apprise
<https://github.com/caronc/apprise>`_: ``mailto://``, ``slack://``, ``msteams://``,
``tgram://``, ``json://host/path`` (a JSON webhook) and the rest of its services.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import apprise

from .errors import ConfigError
from .monitor import CheckResult

__all__ = ["CheckState", "changed", "notification", "send_notification"]

_TYPES = {
    "OK": apprise.NotifyType.SUCCESS,
    "WARNING": apprise.NotifyType.WARNING,
    "CRITICAL": apprise.NotifyType.FAILURE,
    "UNKNOWN": apprise.NotifyType.WARNING,
}


@dataclass(frozen=True)
class CheckState:
    """What the last check found: its status and each rule's (per group).

    Example:
        >>> state = CheckState("WARNING", {"delivery|IT": "WARNING"})
        >>> CheckState.from_json(state.to_json()) == state
        True
    """

    status: str
    findings: Mapping[str, str]

    @classmethod
    def of(cls, result: CheckResult) -> CheckState:
        return cls(result.status, result.keyed())

    def to_json(self) -> str:
        return json.dumps({"status": self.status, "findings": dict(self.findings)}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> CheckState:
        data = json.loads(text)
        return cls(str(data["status"]), {str(k): str(v) for k, v in data["findings"].items()})

    @classmethod
    def load(cls, path: Path) -> CheckState | None:
        """The state kept at ``path``; ``None`` when there is none yet (or it is unreadable:
        the next change is then told again, which is the safe side)."""
        try:
            return cls.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, path: Path) -> None:
        """Keep the state at ``path``, atomically (a crash leaves the old state or the new)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".check-state-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(self.to_json())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def changed(previous: CheckState | None, current: CheckState) -> bool:
    """Whether a notification is due: a rule's status changed since the last check (a group
    that was OK and is now not, or the other way). The first check notifies only what is not
    OK.

    Example:
        >>> ok = CheckState("OK", {"delivery|": "OK"})
        >>> bad = CheckState("CRITICAL", {"delivery|": "CRITICAL"})
        >>> changed(None, ok), changed(None, bad), changed(ok, bad), changed(bad, bad)
        (False, True, True, False)
    """
    before = dict(previous.findings) if previous is not None else {}
    if previous is not None and previous.status != current.status:
        return True
    keys = set(before) | set(current.findings)
    return any(before.get(key, "OK") != current.findings.get(key, "OK") for key in keys)


def notification(result: CheckResult, account: str) -> tuple[str, str]:
    """``(title, body)`` of the notification for ``result``: the status, then one line per
    rule that is not OK (all of them when every one is), as ``check`` prints them.

    Example:
        >>> from smstools_tui.monitor import CheckResult
        >>> notification(CheckResult((), error="no credentials"), "MyShop")
        ('smstools-tui check: UNKNOWN (MyShop)', 'UNKNOWN no credentials')
    """
    lines = result.lines()
    if result.error is None:
        alarms = [finding.line() for finding in result.findings if finding.status != "OK"]
        lines = alarms or lines
    return f"smstools-tui check: {result.status} ({account})", "\n".join(lines)


def send_notification(urls: Sequence[str], result: CheckResult, account: str) -> bool:
    """Send the notification for ``result`` to every apprise URL; ``True`` when all took it.

    Raises:
        ConfigError: a URL apprise does not know.
    """
    notifier = apprise.Apprise()
    for url in urls:
        if not notifier.add(url):
            raise ConfigError(f"--notify {_redacted(url)} is not a notification URL apprise knows")
    title, body = notification(result, account)
    return bool(notifier.notify(title=title, body=body, notify_type=_TYPES[result.status]))


def _redacted(url: str) -> str:
    """A URL without what may be a secret in it (a token, a password): its scheme and host."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if rest else url[:12]
