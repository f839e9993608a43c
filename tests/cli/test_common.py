"""What every command that reads SMS shares: the connection options, ``--timeout`` among them."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest

from smstools_tui.cli import cli
from smstools_tui.cli.common import MAX_TEXT_INPUT, ConnectionOptions, read_text_input
from smstools_tui.config import DEFAULT_TIMEOUT
from smstools_tui.errors import ConfigError
from tests.conftest import Result


def commands_reading_sms(group: click.Group = cli) -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from ((f"{name} {sub}", c) for sub, c in commands_reading_sms(command))
        elif any(param.name == "wire_format" for param in command.params):
            yield name, command


def test_every_command_that_reads_sms_takes_a_timeout() -> None:
    found = dict(commands_reading_sms())
    assert {"export", "sync", "dashboard", "report delivery", "report all"} <= set(found)
    for name, command in found.items():
        [option] = [param for param in command.params if param.name == "timeout"]
        assert option.default == DEFAULT_TIMEOUT == 60.0, name


def test_the_timeout_reaches_the_client(no_credentials: None) -> None:
    options = ConnectionOptions(
        wire_format="json", base_url=None, concurrency=4, demo=True, timeout=7.5
    )
    with options.client() as client:
        assert client.settings.timeout == 7.5


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_a_timeout_that_is_no_duration_is_one_line(
    run: Callable[..., Result], no_credentials: None, value: str
) -> None:
    result = run("export", "sent", "--demo", "--timeout", value, "--out", "-")
    assert result.code == 2
    assert result.err.startswith("smstools-tui: error: ") and result.err.count("\n") == 1
    assert "timeout" in result.err


def test_a_text_input_is_bounded_and_read_as_utf8(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds = {"missing": "give it", "both": "one of them"}
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (MAX_TEXT_INPUT + 1))
    with pytest.raises(ConfigError, match=r"holds more than 1,000,000 bytes"):
        read_text_input(None, big, **kinds)
    stdin = io.TextIOWrapper(io.BytesIO(b"SELECT 1\r\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert read_text_input(None, Path("-"), **kinds) == "SELECT 1"
    with pytest.raises(ConfigError, match="one of them"):
        read_text_input("x", big, **kinds)
    with pytest.raises(ConfigError, match="give it"):
        read_text_input("  ", None, **kinds)
