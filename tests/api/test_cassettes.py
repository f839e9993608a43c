"""Replays of recorded HTTP exchanges (vcrpy): from the sandbox, and the API's documented examples.

The cassettes in ``cassettes/`` are replayed with no network. To record the sandbox ones again
(after a change to the sandbox or the client), run::

    SMSTOOLS_RECORD_CASSETTES=1 pytest tests/api/test_cassettes.py

which serves the sandbox on 127.0.0.1 and rewrites them. Credentials never reach a cassette: the
Authorization header is dropped before recording, and a test scans every cassette for it.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import vcr

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.config import Credentials, Settings
from smstools_tui.errors import AuthenticationError
from smstools_tui.sandbox import (
    SANDBOX_KEY,
    SANDBOX_SECRET,
    AccountSpec,
    SandboxApi,
    SandboxServer,
    generate_account,
    sandbox_settings,
)
from tests.conftest import NOW, Clock

CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
RECORDING = os.environ.get("SMSTOOLS_RECORD_CASSETTES") == "1"
REPLAY_BASE_URL = "http://127.0.0.1:8765/rest/api"
SINCE, UNTIL = "2026-10-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00"


def _without_credentials(request: Any) -> Any:
    # filter_headers already drops it; this second guard keeps it out whatever vcrpy does
    # when it rewrites a cassette (vcrpy issue 961).
    for name in list(request.headers):
        if name.lower() in ("authorization", "cookie"):
            del request.headers[name]
    return request


_ECHOED_SECRETS = re.compile(
    rb'("auth(?:Key|Secret)"\s*:\s*)"[^"]*"|(<auth(?:Key|Secret)>)[^<]*(</auth(?:Key|Secret)>)'
)


def _without_echoed_secrets(response: dict[str, Any]) -> dict[str, Any]:
    # /user echoes the auth key and secret in its body.
    body = response["body"]["string"]
    response["body"]["string"] = _ECHOED_SECRETS.sub(
        lambda m: m[1] + b'"REDACTED"' if m[1] else m[2] + b"REDACTED" + m[3], body
    )
    return response


recorder = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="all" if RECORDING else "none",
    match_on=["method", "path", "query"],
    filter_headers=["authorization", "cookie"],
    before_record_request=_without_credentials,
    before_record_response=_without_echoed_secrets,
    decode_compressed_response=True,
)


def replayable_transport() -> httpx.HTTPTransport:
    """httpx's own transport, which is where vcrpy records and replays (it patches
    ``httpx.HTTPTransport.handle_request``); the client's deadline transport is tested on its
    own, against live loopback servers."""
    return httpx.HTTPTransport()


@pytest.fixture(scope="module")
def sandbox_base_url() -> Iterator[str]:
    """The sandbox's URL when recording; when replaying, an address nothing listens on."""
    if not RECORDING:
        yield REPLAY_BASE_URL
        return
    account = generate_account(AccountSpec(seed=21, sent=600, received=80, days=60, now=NOW))
    with SandboxServer(SandboxApi(account, clock=Clock(), page_cap=50)) as server:
        yield server.base_url


def sandbox_client(base_url: str, **settings: Any) -> SmstoolsClient:
    return SmstoolsClient(
        sandbox_settings(base_url, page_size=50, **settings),
        clock=Clock(),
        transport=replayable_transport(),
    )


@pytest.mark.parametrize("wire_format", ["json", "xml"])
def test_sandbox_sent_replayed(sandbox_base_url: str, wire_format: str) -> None:
    with recorder.use_cassette(f"sandbox_sent_{wire_format}.yaml") as cassette:
        frame = sandbox_client(sandbox_base_url, wire_format=wire_format).sent(SINCE, UNTIL)
    assert cassette.play_count == len(cassette) or RECORDING
    assert len(frame) > 100
    assert frame["id"].is_unique
    assert frame["insertDate"].between(pd.Timestamp(SINCE), pd.Timestamp(UNTIL)).all()
    assert set(frame["status"].dropna()) <= {
        "DELIVERED",
        "NOTDELIVERED",
        "NOSENT",
        "SENT",
        "PENDING",
    }


def test_sandbox_json_and_xml_cassettes_agree(sandbox_base_url: str) -> None:
    frames = []
    for wire_format in ("json", "xml"):
        with recorder.use_cassette(f"sandbox_sent_{wire_format}.yaml"):
            frames.append(
                sandbox_client(sandbox_base_url, wire_format=wire_format).sent(SINCE, UNTIL)
            )
    pd.testing.assert_frame_equal(*frames)


def test_sandbox_received_and_account_replayed(sandbox_base_url: str) -> None:
    with recorder.use_cassette("sandbox_received_and_account_xml.yaml"):
        client = sandbox_client(sandbox_base_url, wire_format="xml")
        received = client.received(SINCE, UNTIL)
        account = client.account()
        services = client.receiving_services()
    assert len(received) > 5
    assert received["from"].str.startswith("+").all()
    assert account.username == "mrossi"
    assert services["id"].tolist() == ["1001", "1002"]


def test_sandbox_refusal_replayed(sandbox_base_url: str) -> None:
    settings = sandbox_settings(sandbox_base_url).with_(
        credentials=Credentials(SANDBOX_KEY, "wrong-secret")
    )
    with (
        recorder.use_cassette("sandbox_bad_credentials.yaml"),
        pytest.raises(AuthenticationError, match="401 BAD_CREDENTIALS"),
    ):
        SmstoolsClient(settings, transport=replayable_transport()).account()


# -- the API's documented example answers ------------------------------------------------------


def documented_client() -> SmstoolsClient:
    settings = Settings(credentials=Credentials("documented-key", "documented-secret"))
    return SmstoolsClient(settings, clock=Clock(), transport=replayable_transport())


def test_documented_sent_example() -> None:
    with recorder.use_cassette("documented_examples.yaml", allow_playback_repeats=True):
        frame = documented_client().sent("2014-01-01T00:00:00+00:00", "2014-02-01T00:00:00+00:00")
    row = frame.iloc[0]
    assert len(frame) == 1
    assert row["id"] == 389395385
    assert (row["to"], row["from"], row["text"], row["status"]) == (
        "393480000000",
        "mrossi",
        "Test Sms",
        "DELIVERED",
    )
    assert row["insertDate"] == pd.Timestamp("2014-01-13T14:01:35Z")
    assert row["sentDate"] == pd.Timestamp("2014-01-13T14:01:37Z")
    assert row["deliveryDate"] == pd.Timestamp("2014-01-13T14:01:40Z")
    assert row["transactionId"] == "72810108d4114097b9edb42b255b273c"
    assert row["price"] == 0.0945


def test_documented_received_example_mixes_offsets() -> None:
    with recorder.use_cassette("documented_examples.yaml", allow_playback_repeats=True):
        frame = documented_client().received(
            "2011-01-01T00:00:00+00:00", "2011-05-01T00:00:00+00:00"
        )
    assert frame["from"].tolist() == ["+393450000000", "+393480000000"]
    assert frame["receiveDate"].tolist() == [
        pd.Timestamp("2011-04-21T11:23:13Z"),
        pd.Timestamp("2011-01-18T10:42:51Z"),
    ]
    assert frame["simId"].isna().all()


def test_documented_error_example() -> None:
    with (
        recorder.use_cassette("documented_examples.yaml", allow_playback_repeats=True),
        pytest.raises(AuthenticationError) as caught,
    ):
        documented_client()._get("/sms/search", {"status": "DELIVERED"})
    assert (caught.value.error_code, caught.value.error_msg) == (401, "BAD_CREDENTIALS")


# -- no cassette ever holds a credential -------------------------------------------------------

FORBIDDEN = [
    "authorization:",
    "Basic ",
    SANDBOX_SECRET,
    base64.b64encode(f"{SANDBOX_KEY}:{SANDBOX_SECRET}".encode()).decode(),
    "documented-secret",
    base64.b64encode(b"documented-key:documented-secret").decode(),
]


def test_no_cassette_holds_a_credential() -> None:
    cassettes = sorted(CASSETTES.glob("*.yaml"))
    assert len(cassettes) >= 5
    for path in cassettes:
        text = path.read_text(encoding="utf-8")
        for needle in FORBIDDEN:
            assert needle.lower() not in text.lower(), f"{path.name} holds {needle!r}"
