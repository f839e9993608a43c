"""The built-in demo: the sandbox's API behind the real client, in-process."""

from __future__ import annotations

import subprocess
import sys

from smstools_tui.demo import demo_client

from .conftest import NOW


def test_the_demo_is_a_frozen_client_with_the_settings_given() -> None:
    with demo_client(sent=500, received=50, now=NOW, page_size=70, wire_format="xml") as client:
        assert client.is_demo and client.label == "demo" and client.now() == NOW
        assert client.settings.page_size == 70 and client.settings.wire_format == "xml"
        assert len(client.sent(window="90d")) > 70  # several pages, in XML
        assert client.account().display_name == "MyShop S.r.l."


def test_the_client_and_the_emulator_load_without_each_other() -> None:
    code = (
        "import sys, smstools_tui.api, smstools_tui.sandbox.emulator as e\n"
        "import smstools_tui.api.client as c\n"
        "print('smstools_tui.demo' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
