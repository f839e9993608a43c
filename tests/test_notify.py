"""Notifications on a change of status only, through apprise to a JSON webhook on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from smstools_tui.errors import ConfigError
from smstools_tui.monitor import CheckResult, Finding
from smstools_tui.notify import CheckState, changed, notification, send_notification


class Webhook:
    """A JSON webhook on 127.0.0.1 that keeps what it is sent."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/alerts"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


def result(status: str, value: float = 0.5) -> CheckResult:
    finding = Finding("delivery", "delivery_rate", "country", "IT", value, 0.9, 0.8, status, 120)
    return CheckResult((finding,))


def test_the_state_round_trips_atomically(tmp_path: Path) -> None:
    path = tmp_path / "store" / "check-state.json"
    assert CheckState.load(path) is None
    state = CheckState.of(result("CRITICAL"))
    state.save(path)
    assert CheckState.load(path) == state
    assert [p.name for p in path.parent.iterdir()] == ["check-state.json"]
    path.write_text("{not json")
    assert CheckState.load(path) is None  # told again: the safe side


def test_only_a_change_notifies() -> None:
    ok, warning, critical = (CheckState.of(result(s)) for s in ("OK", "WARNING", "CRITICAL"))
    assert not changed(None, ok)
    assert changed(None, warning)
    assert changed(ok, critical) and changed(critical, warning) and changed(warning, ok)
    assert not changed(critical, critical)
    # A group that appears or goes away while OK changes nothing.
    assert not changed(ok, CheckState("OK", {}))


def test_the_notification_names_what_is_wrong_and_no_secret() -> None:
    title, body = notification(result("CRITICAL"), "MyShop S.r.l.")
    assert title == "smstools-tui check: CRITICAL (MyShop S.r.l.)"
    assert body == "CRITICAL delivery [IT]: 50% (warning < 90%, critical < 80%) on 120 messages"


def test_a_json_webhook_on_loopback(webhook: Webhook) -> None:
    assert send_notification([webhook.url], result("WARNING", 0.85), "MyShop")
    assert len(webhook.received) == 1
    sent = webhook.received[0]
    assert sent["title"] == "smstools-tui check: WARNING (MyShop)"
    assert "WARNING delivery [IT]: 85%" in sent["message"]
    assert sent["type"] == "warning"


def test_an_unknown_url_is_one_line_without_its_secret() -> None:
    with pytest.raises(ConfigError) as raised:
        send_notification(["nosuchservice://token-1234@host/x"], result("OK"), "MyShop")
    assert "token-1234" not in str(raised.value)
    assert "nosuchservice://host/…" in str(raised.value)
