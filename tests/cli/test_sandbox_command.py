"""``smstools-tui sandbox`` serves the API from its own process; the progress bar on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.cli.common import fetch_progress
from smstools_tui.sandbox import SandboxServer, sandbox_process, sandbox_settings
from tests.conftest import NOW, Result


def test_sandbox_command_serves_json_and_xml() -> None:
    options = ["--sent", "2000", "--received", "100", "--page-cap", "50", "--now", NOW.isoformat()]
    with sandbox_process(*options) as base_url:
        frames = []
        for wire_format in ("json", "xml"):
            with SmstoolsClient(sandbox_settings(base_url, wire_format=wire_format)) as client:
                frames.append(
                    client.sent(
                        since="2026-01-01T00:00:00+00:00", until="2026-06-01T00:00:00+00:00"
                    )
                )
                assert client.account().username == "mrossi"
    assert len(frames[0]) > 100
    pd.testing.assert_frame_equal(*frames)


def test_sandbox_command_prints_how_to_use_it(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SandboxServer, "serve_forever", lambda self: None)
    result = run("sandbox", "--port", "0", "--sent", "300", "--received", "10")
    assert result.code == 0
    assert "export SMSTOOLS_BASE_URL=http://127.0.0.1:" in result.err
    assert "SMSTOOLS_AUTH_KEY=sandbox-key SMSTOOLS_AUTH_SECRET=sandbox-secret" in result.err


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    with fetch_progress("sent SMS") as progress:
        assert progress is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with fetch_progress("sent SMS") as progress:
        assert progress is not None
        progress(1, 4)
        progress(4, 4)


def test_export_with_a_progress_bar(
    run: Callable[..., Result],
    no_credentials: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[int, int]] = []

    class Recorder:
        def __enter__(self) -> Callable[[int, int], None]:
            return lambda done, total: seen.append((done, total))

        def __exit__(self, *args: object) -> None:
            pass

    monkeypatch.setattr("smstools_tui.cli.export.fetch_progress", lambda label: Recorder())
    assert run("export", "sent", "--demo", "--out", str(tmp_path / "s.csv")).code == 0
    assert seen[-1][0] == seen[-1][1] > 1


def test_sandbox_command_with_a_stopped_clock() -> None:
    """``--now`` fixes the data, ``--clock`` what is visible: a restart with a later clock shows
    the same account later on (the sync benchmark relies on it)."""
    options = ["--sent", "2000", "--received", "100", "--now", "2026-06-01T00:00:00+00:00",
               "--clock", "2026-05-20T00:00:00+00:00"]  # fmt: skip
    with (
        sandbox_process(*options) as base_url,
        SmstoolsClient(sandbox_settings(base_url)) as client,
    ):
        frame = client.sent(since="2026-05-01T00:00:00+00:00", until="2026-06-01T00:00:00+00:00")
    assert len(frame) > 20
    assert frame["insertDate"].max() < pd.Timestamp("2026-05-20T00:00:00+00:00")


def test_sandbox_command_settles_as_asked(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from smstools_tui.cli import sandbox as sandbox_cli
    from smstools_tui.sandbox import generate_account

    specs = []

    def generate(spec):  # type: ignore[no-untyped-def]
        specs.append(spec)
        return generate_account(spec)

    monkeypatch.setattr(SandboxServer, "serve_forever", lambda self: None)
    monkeypatch.setattr(sandbox_cli, "generate", generate)
    result = run("sandbox", "--port", "0", "--sent", "300", "--received", "10",
                 "--settling", "two-phase")  # fmt: skip
    assert result.code == 0 and specs[0].settling == "two-phase"
    result = run("sandbox", "--port", "0", "--sent", "300", "--settling", "slow")
    assert result.code == 2 and "'slow' is not one of" in result.err
    assert "Traceback" not in result.err
