"""What ``smstools-tui sync`` says when it fails: it claims data was stored, and asks to resume,
only when the store holds more than before."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.sandbox import FaultPlan, SandboxApi, SandboxServer
from tests.conftest import Result

SINCE = ("--since", "2026-08-01T00:00:00+00:00")
CLAIM = "run sync again to resume"


@pytest.fixture(autouse=True)
def instant_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("smstools_tui.api.client.time.sleep", lambda seconds: None)


def test_a_refused_key_stores_nothing_and_says_nothing_of_it(
    run: Callable[..., Result], live: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", "not-the-secret")
    store = tmp_path / "store"
    result = run("sync", *SINCE, "--store", str(store))
    assert result.code == 3
    assert "401 BAD_CREDENTIALS" in result.err and result.err.count("\n") == 1
    assert "stored" not in result.err and CLAIM not in result.err
    assert not any(store.glob("_manifests/account=*.json"))


def test_an_unreachable_host_says_nothing_of_a_store_that_already_held_data(
    run: Callable[..., Result], live: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    assert run("sync", *SINCE, "--store", str(store)).code == 0
    manifest = next(store.glob("_manifests/account=*.json")).read_bytes()
    live.stop()
    result = run("sync", "--store", str(store))
    assert result.code == 4
    assert "cannot connect to 127.0.0.1" in result.err
    assert "stored" not in result.err and CLAIM not in result.err
    assert next(store.glob("_manifests/account=*.json")).read_bytes() == manifest


def test_a_failure_after_chunks_were_committed_says_where_they_are(
    run: Callable[..., Result], live: SandboxServer, api: SandboxApi, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    api.faults = FaultPlan(after=6, kinds=("500",))
    result = run("sync", *SINCE, "--store", str(store))
    assert result.code == 1 and "the gateway failed" in result.err
    assert f"what was fetched before that is stored in {store}: {CLAIM}" in result.err
    assert json.loads(next(store.glob("_manifests/account=*.json")).read_text())["sent"]


def test_ctrl_c_exits_130_and_says_what_was_stored(
    run: Callable[..., Result], live: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = SmstoolsClient._get_once
    calls = {"n": 0}

    def interrupted_after_five(self: SmstoolsClient, *args: object) -> bytes:
        calls["n"] += 1
        if calls["n"] > 5:
            raise KeyboardInterrupt
        return real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(SmstoolsClient, "_get_once", interrupted_after_five)
    store = tmp_path / "store"
    result = run("sync", *SINCE, "--concurrency", "1", "--store", str(store))
    assert result.code == 130, result.err
    assert "interrupted" in result.err and result.err.count("\n") == 1
    assert f"stored in {store}: {CLAIM}" in result.err
