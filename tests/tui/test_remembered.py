"""The theme and the last window are remembered between sessions, per account (the demo apart);
the command line's window wins; a damaged file or a failed write never stops the dashboard."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from smstools_tui.tui.remembered import (
    MAX_BYTES,
    SettingsFile,
    default_settings_path,
)
from smstools_tui.tui.views import DEFAULT_WINDOW, WINDOW_PRESETS, WindowChoice

from .conftest import SIZE, FrameClient, dashboard, settle


@pytest.fixture
def settings(tmp_path: Path) -> SettingsFile:
    return SettingsFile(tmp_path / "state" / "dashboard.json")


def live_client(frame_client: FrameClient) -> FrameClient:
    live = FrameClient(frame_client.sent_frame, frame_client.received_frame, label="gw.example")
    assert not live.is_demo
    return live


async def test_the_theme_and_the_window_picked_come_back_next_session(
    frame_client: FrameClient, settings: SettingsFile
) -> None:
    app = dashboard(frame_client, remember=settings, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dark = app.current_theme.dark
        await pilot.press("t")  # the other theme
        await pilot.press("w", "up", "enter")  # last 30 days → last 7 days
        await settle(pilot)
        chosen_theme = app.theme
        assert app.choice.label == "last 7 days"
    stored = json.loads(settings.path.read_text(encoding="utf-8"))
    assert stored["theme"] == chosen_theme
    assert stored["windows"] == {"demo": {"window": "7d", "label": "last 7 days"}}
    assert settings.path.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in settings.path.parent.iterdir()] == ["dashboard.json"]

    again = dashboard(frame_client, remember=settings, compare_previous=False)
    assert again.choice.label == "last 7 days"
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == chosen_theme and again.current_theme.dark is not dark
        assert again.dataset is not None and again.dataset.window.duration.days == 7


def test_the_command_line_window_wins_over_the_remembered_one(
    frame_client: FrameClient, settings: SettingsFile
) -> None:
    settings.remember_window("demo", WINDOW_PRESETS[0])
    since = datetime(2026, 11, 1, tzinfo=UTC)
    app = dashboard(frame_client, remember=settings, since=since)
    assert app.choice == WindowChoice.custom(since, None)
    assert dashboard(frame_client, remember=settings).choice == WINDOW_PRESETS[0]
    assert dashboard(frame_client).choice == DEFAULT_WINDOW  # nothing remembered: the default


def test_the_demo_and_a_live_account_keep_their_own_windows(
    frame_client: FrameClient, settings: SettingsFile
) -> None:
    live = live_client(frame_client)
    settings.remember_window("demo", WINDOW_PRESETS[0])
    settings.remember_window("gw.example", WindowChoice.custom("2026-11-02", "2026-11-20"))
    assert dashboard(frame_client, remember=settings).choice == WINDOW_PRESETS[0]
    custom = dashboard(live, remember=settings).choice
    assert custom.expression.text == "2026-11-02..2026-11-20"
    assert dashboard(live_client(frame_client), remember=settings).source == "gw.example"


async def test_a_window_picked_for_a_live_account_leaves_the_demos_alone(
    frame_client: FrameClient, settings: SettingsFile
) -> None:
    settings.remember_window("demo", WINDOW_PRESETS[3])
    app = dashboard(live_client(frame_client), remember=settings, compare_previous=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.set_window(WINDOW_PRESETS[1])
        await settle(pilot)
    windows = settings.load().windows
    assert windows["demo"] == WINDOW_PRESETS[3] and windows["gw.example"] == WINDOW_PRESETS[1]


DAMAGED = {
    "not json": b'{"theme": "textual-light", ',
    "not utf-8": b"\xff\xfe\x00{",
    "not an object": b'["textual-light"]',
    "oversized": b'{"theme": "textual-light"}' + b" " * MAX_BYTES,
    "wrong types": json.dumps({"theme": 7, "windows": {"demo": {"preset": 3}}}).encode(),
    "unknown preset": json.dumps({"windows": {"demo": {"preset": "last 3 weeks"}}}).encode(),
    "bad date": json.dumps({"windows": {"demo": {"since": "yesterday-ish"}}}).encode(),
    "date out of range": json.dumps({"windows": {"demo": {"since": "9999-01-01"}}}).encode(),
}


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_damaged_file_is_ignored_with_a_log_line(
    frame_client: FrameClient,
    settings: SettingsFile,
    damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.path.parent.mkdir(parents=True)
    settings.path.write_bytes(DAMAGED[damage])
    with caplog.at_level(logging.WARNING, logger="smstools_tui"):
        app = dashboard(frame_client, remember=settings)
    assert app.choice == DEFAULT_WINDOW and settings.load().theme is None
    assert any(
        str(settings.path) in record.getMessage() and record.levelno == logging.WARNING
        for record in caplog.records
    )
    # Remembering again replaces what cannot be read with a good file.
    settings.remember_window("demo", WINDOW_PRESETS[1])
    assert settings.load().windows == {"demo": WINDOW_PRESETS[1]}


def test_a_folder_in_the_files_place_is_ignored_and_a_failed_write_logged(
    settings: SettingsFile, caplog: pytest.LogCaptureFixture
) -> None:
    settings.path.mkdir(parents=True)
    with caplog.at_level(logging.WARNING, logger="smstools_tui"):
        assert settings.load().windows == {}
        settings.remember_theme("textual-light")  # cannot replace a folder: logged, not raised
    messages = [record.getMessage() for record in caplog.records]
    assert any("ignoring" in message for message in messages)
    assert any("could not remember" in message for message in messages)


async def test_an_unknown_theme_is_ignored(
    frame_client: FrameClient, settings: SettingsFile, caplog: pytest.LogCaptureFixture
) -> None:
    settings.remember_theme("no-such-theme\x1b[2J")
    app = dashboard(frame_client, remember=settings, compare_previous=False)
    with caplog.at_level(logging.WARNING, logger="smstools_tui"):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.theme == "textual-dark"
    [message] = [r.getMessage() for r in caplog.records if "theme" in r.getMessage()]
    assert "no-such-theme␛[2J" in message and "\x1b" not in message


def test_the_file_lives_in_the_user_state_folder(private_state_dir: Path) -> None:
    assert default_settings_path() == private_state_dir / "smstools-tui" / "dashboard.json"


def test_only_the_latest_accounts_are_kept(settings: SettingsFile) -> None:
    for number in range(60):
        settings.remember_window(f"gw{number}.example", WINDOW_PRESETS[number % 4])
    windows = settings.load().windows
    assert len(windows) == 50 and "gw59.example" in windows and "gw9.example" not in windows
