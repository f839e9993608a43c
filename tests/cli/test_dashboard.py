"""``smstools-tui`` and ``smstools-tui dashboard`` open the dashboard with the CLI's options."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import smstools_tui.tui
from smstools_tui.cli import main


class Opened:
    """Stands in for the app: records how it was made and that it ran."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, client: Any, **options: Any) -> Opened:
        self.calls.append({"client": client, **options})
        return self

    def run(self) -> None:
        self.calls[-1]["ran"] = True


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Opened:
    recorder = Opened()
    monkeypatch.setattr(smstools_tui.tui, "make_app", recorder)
    return recorder


@pytest.mark.usefixtures("no_credentials")
@pytest.mark.parametrize("argv", [[], ["dashboard"]])
def test_no_command_and_dashboard_open_the_demo_without_credentials(
    opened: Opened, argv: list[str]
) -> None:
    main(argv)
    [call] = opened.calls
    assert call["ran"] and call["client"].is_demo
    assert call["window"] is None and call["view"] is None


@pytest.mark.usefixtures("no_credentials")
def test_dashboard_takes_the_window_and_connection_options(opened: Opened) -> None:
    main(["dashboard", "--since", "2026-11-01T00:00+01:00", "--until", "2026-11-20T00:00Z",
          "--format", "xml"])  # fmt: skip
    [call] = opened.calls
    # The window is read once, on the command line, and handed on as one expression.
    window = call["window"]
    assert window.text == "2026-11-01T00:00+01:00..2026-11-20T00:00Z"
    span = window.resolve(datetime(2026, 11, 25, tzinfo=UTC))
    assert (span.start, span.end) == (
        datetime(2026, 10, 31, 23, tzinfo=UTC),
        datetime(2026, 11, 20, tzinfo=UTC),
    )
    assert call["client"].settings.wire_format == "xml"
    main(["dashboard", "--window", "last-month"])
    assert opened.calls[-1]["window"].text == "last-month"


def test_live_credentials_open_the_live_account(
    opened: Opened, no_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", "key")
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", "secret")
    main(["dashboard"])
    [call] = opened.calls
    assert not call["client"].is_demo


@pytest.mark.usefixtures("no_credentials")
def test_a_bad_date_fails_before_the_dashboard_opens(
    opened: Opened, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["dashboard", "--since", "yesterday-ish"])
    assert exit_info.value.code == 2
    assert "'yesterday-ish' is not a window" in capsys.readouterr().err
    assert opened.calls == []
