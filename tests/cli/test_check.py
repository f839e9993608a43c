"""``smstools-tui check``: monitoring exit codes, one line per rule, JSON, notifications on a
change of status."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smstools_tui.sandbox import SandboxServer

from ..conftest import Result
from ..test_notify import Webhook

Run = Callable[..., Result]

DELIVERY = """
[[rule]]
name = "delivery"
metric = "delivery_rate"
window = "30d"
warning = {warning}
critical = {critical}
"""


def policy(tmp_path: Path, warning: float = 0.5, critical: float = 0.4, extra: str = "") -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(DELIVERY.format(warning=warning, critical=critical) + extra)
    return path


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.close()


@pytest.mark.parametrize(
    ("warning", "critical", "code", "status"),
    [(0.5, 0.4, 0, "OK"), (0.99, 0.4, 1, "WARNING"), (0.995, 0.99, 2, "CRITICAL")],
)
def test_exit_codes_follow_the_monitoring_convention(
    run: Run, tmp_path: Path, warning: float, critical: float, code: int, status: str
) -> None:
    path = policy(tmp_path, warning, critical)
    result = run("check", "--demo", "--policy", str(path), "--state", str(tmp_path / "s.json"))
    assert result.code == code, result.err
    assert result.out.startswith(f"{status} delivery: ")
    assert len(result.out.splitlines()) == 1


def test_json(run: Run, tmp_path: Path) -> None:
    extra = """
[[rule]]
name = "by country"
metric = "delivery_rate"
window = "30d"
by = "country"
min_messages = 20
warning = 0.5
"""
    path = policy(tmp_path, extra=extra)
    result = run("check", "--demo", "--policy", str(path), "--json", "--state",
                 str(tmp_path / "s.json"))  # fmt: skip
    answer = json.loads(result.out)
    assert answer["status"] == "OK" and result.code == 0
    keys = {"name", "metric", "by", "group", "value", "warning", "critical", "status", "messages"}
    assert all(keys <= set(entry) for entry in answer["rules"])
    groups = [entry["group"] for entry in answer["rules"] if entry["name"] == "by country"]
    assert "IT" in groups and all(entry["messages"] >= 20 for entry in answer["rules"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--policy", "missing.toml"), "cannot read the policy missing.toml"),
        (("--policy", "bad.toml"), "bad.toml, rule 1: metric 'speed' is not one of"),
        (("--demo", "--policy", "good.toml", "--no-such-option"), "No such option"),
    ],
    ids=["missing", "bad-rule", "usage"],
)
def test_a_check_that_cannot_run_is_unknown(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text('[[rule]]\nmetric = "speed"\nwindow = "1h"\nwarning = 1\n')
    policy(tmp_path).rename(tmp_path / "good.toml")
    result = run("check", *args)
    assert result.code == 3
    assert message in result.out + result.err
    assert "Traceback" not in result.err


def test_without_credentials_it_is_unknown(run: Run, tmp_path: Path, no_credentials: None) -> None:
    result = run("check", "--no-store", "--policy", str(policy(tmp_path)), "--json")
    assert result.code == 3
    answer = json.loads(result.out)
    assert answer["status"] == "UNKNOWN" and answer["rules"] == []
    assert "SMSTOOLS_AUTH_KEY" in answer["error"]


def test_offline_needs_no_network_nor_credentials(
    run: Run, tmp_path: Path, live: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = str(tmp_path / "store")
    assert run("sync", "--store", store, "--since", "30d").code == 0
    live.stop()
    for name in ("SMSTOOLS_AUTH_KEY", "SMSTOOLS_AUTH_SECRET"):
        monkeypatch.delenv(name)
    result = run("check", "--offline", "--store", store, "--policy", str(policy(tmp_path)))
    assert result.code == 0, result.out + result.err
    assert result.out.startswith("OK delivery: ")
    assert (Path(store) / "check-state.json").exists()  # beside the store


def test_notifications_on_a_change_of_status_only(
    run: Run, tmp_path: Path, webhook: Webhook
) -> None:
    state = str(tmp_path / "state.json")

    def check(warning: float) -> Result:
        path = policy(tmp_path, warning, 0.1)
        return run("check", "--demo", "--policy", str(path), "--state", state,
                   "--notify", webhook.url)  # fmt: skip

    assert check(0.5).code == 0
    assert webhook.received == []  # the first check, OK: nothing to tell
    assert check(0.99).code == 1
    assert len(webhook.received) == 1
    assert webhook.received[0]["title"] == "smstools-tui check: WARNING (demo)"
    assert check(0.99).code == 1
    assert len(webhook.received) == 1  # still WARNING: told once
    assert check(0.5).code == 0
    assert len(webhook.received) == 2
    assert webhook.received[1]["title"] == "smstools-tui check: OK (demo)"
    for sent in webhook.received:
        assert "sandbox-secret" not in json.dumps(sent)


def test_a_notification_that_fails_is_told_again(run: Run, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    path = policy(tmp_path, 0.99, 0.1)
    # Nothing listens there: the notification fails, the state is not kept.
    result = run("check", "--demo", "--policy", str(path), "--state", str(state),
                 "--notify", "json://127.0.0.1:9/alerts")  # fmt: skip
    assert result.code == 1
    assert "a notification could not be sent" in result.err
    assert not state.exists()
