"""The auth key and secret never leave the process: not in logs (even at debug level), exports,
error messages, reprs or cassettes; a config file others can read is refused; TLS is verified."""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from smstools_tui.api.client import SmstoolsClient, without_credentials
from smstools_tui.config import Credentials
from smstools_tui.errors import AuthenticationError, SmstoolsError
from smstools_tui.sandbox import SandboxApi, SandboxResponse, SandboxServer, sandbox_settings
from tests.conftest import Result

ROOT = Path(__file__).resolve().parents[1]
KEY, SECRET = "k3y-Zq81-unique-0001", "s3cr3t-Xw92-unique-0002"


def needles(key: str = KEY, secret: str = SECRET) -> list[str]:
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return [key, secret, basic, basic.rstrip("=")]


def assert_clean(text: str, where: str) -> None:
    for needle in needles():
        assert needle not in text, f"{where} holds a credential"


@pytest.fixture
def secret_server(api: SandboxApi, monkeypatch: pytest.MonkeyPatch) -> SandboxServer:
    """A sandbox that accepts only KEY/SECRET, over real HTTP."""
    from smstools_tui.sandbox.emulator import SandboxApi as Api

    strict = Api(api.account, clock=api.clock, page_cap=100, credentials=(KEY, SECRET))
    with SandboxServer(strict) as server:
        yield server


def test_a_whole_session_at_debug_level_leaks_nothing(
    secret_server: SandboxServer,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    no_credentials: None,
) -> None:
    monkeypatch.setenv("SMSTOOLS_BASE_URL", secret_server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SECRET)
    outputs = []
    with caplog.at_level(logging.DEBUG):
        for kind, name in (
            ("sent", "s.csv"),
            ("sent", "s.parquet"),
            ("received", "r.csv"),
            ("received", "r.parquet"),
        ):
            result = run(
                "--debug",
                "export",
                kind,
                "--since",
                "2026-09-01",
                "--until",
                "2026-11-01",
                "--out",
                str(tmp_path / name),
            )
            assert result.code == 0, result.err
            outputs.append(result.out + result.err)
        monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SECRET[::-1])  # a refused secret this time
        refused = run("export", "sent", "--out", str(tmp_path / "x.csv"))
        assert refused.code == 3
        outputs.append(refused.err)
    assert "GET /sms/search" in caplog.text  # the debug log did run
    assert_clean(caplog.text, "the debug log")
    for output in outputs:
        assert_clean(output, "the console")
    for path in tmp_path.iterdir():
        assert_clean(path.read_bytes().decode("utf-8", "replace"), path.name)
    assert_clean(
        pd.read_parquet(tmp_path / "s.parquet").to_string()
        + str(pd.read_parquet(tmp_path / "s.parquet").attrs),
        "the parquet data",
    )


def test_errors_and_reprs_hold_no_credentials(secret_server: SandboxServer) -> None:
    settings = sandbox_settings(secret_server.base_url).with_(
        credentials=Credentials(KEY, SECRET[:-1])
    )
    client = SmstoolsClient(settings)
    with pytest.raises(AuthenticationError) as caught:
        client.sent()
    error = caught.value
    texts = [
        str(error),
        repr(error),
        repr(client),
        repr(client.settings),
        str(vars(error)),
        repr(settings.credentials),
    ]
    for text in texts:
        assert_clean(text, "an error or a repr")


def test_the_account_hides_the_echoed_secrets(secret_server: SandboxServer) -> None:
    with SmstoolsClient(
        sandbox_settings(secret_server.base_url).with_(credentials=Credentials(KEY, SECRET))
    ) as client:
        account = client.account()
    assert_clean(repr(account) + repr(account.details), "the account")


def test_no_cassette_and_no_tracked_file_holds_a_credential() -> None:
    for path in (ROOT / "cassettes").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*-?\s*authorization:", text, re.IGNORECASE | re.MULTILINE), (
            path.name
        )
        assert "Basic " not in text, path.name


def test_no_option_switches_tls_verification_off() -> None:
    sources = "\n".join(
        path.read_text(encoding="utf-8") for path in (ROOT / "smstools_tui").rglob("*.py")
    )
    assert not re.search(r"verify\s*=\s*False", sources)
    assert "insecure" not in sources.lower()
    client = SmstoolsClient(sandbox_settings("https://api.smstools.it/rest/api"))
    context = client._transport.ssl_context  # the default transport verifies certificates
    assert context.verify_mode.name == "CERT_REQUIRED" and context.check_hostname


def test_every_error_message_is_one_line_and_names_no_secret() -> None:
    import smstools_tui

    for name in smstools_tui.errors.__all__:
        cls = getattr(smstools_tui, name)
        if issubclass(cls, smstools_tui.ApiError):
            error: SmstoolsError = cls(401, "BAD_CREDENTIALS", endpoint="/user")
        elif issubclass(cls, smstools_tui.DecodeError):
            error = cls("bad\nbody", endpoint="/user", offset=3)
        elif issubclass(cls, smstools_tui.AccountsFailed):
            error = cls({"a\nb": SmstoolsError("refused\nhere")}, total=2)
        else:
            error = cls("a\nmessage")
        assert "\n" not in str(error)


def test_the_store_holds_no_credentials(
    secret_server: SandboxServer,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    no_credentials: None,
) -> None:
    """After a sync and a read through the store, no file of the store or of the data folder
    (where the last-used store is remembered) holds the key, the secret or their base64; the
    store's folder is named by a hash."""
    data = tmp_path / "data"
    monkeypatch.setenv("SMSTOOLS_DATA_DIR", str(data))
    monkeypatch.setenv("SMSTOOLS_BASE_URL", secret_server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SECRET)
    assert run("sync", "--since", "2026-09-01").code == 0
    assert (
        run("export", "sent", "--since", "2026-09-01", "--out", str(tmp_path / "s.csv")).code == 0
    )
    files = [path for path in data.rglob("*") if path.is_file()]
    assert any(path.suffix == ".parquet" for path in files)
    assert any(path.parent.name == "_manifests" for path in files)
    for path in files:
        assert_clean(path.read_bytes().decode("utf-8", "replace"), str(path.relative_to(data)))
        assert_clean(str(path), "a file name")
        if path.suffix == ".parquet":  # compressed pages hide strings from a byte scan
            table = pq.read_table(path)
            assert_clean(table.to_pandas().to_csv() + str(table.schema.metadata), path.name)


# -- credentials echoed anywhere in the /user answer --------------------------------------------


def echoed_credentials_body(user: dict[str, Any], key: str, secret: str, *, xml: bool) -> bytes:
    """A ``/user`` answer that echoes the credentials everywhere a careless server might: one
    level down in an object of its own, snake_case and upper-case names deeper still, as plain
    values in a list and a field, inside a longer text, and as the Basic-auth token."""
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    if not xml:
        answer = {
            **user,
            "user": {"authKey": key, "authSecret": secret},
            "settings": {"api": {"auth_key": key, "AUTH-SECRET": secret, "label": "main"}},
            "recent": [key, "MyShop", {"value": secret}],
            "contact": secret,
            "note": f"call us quoting {key}",
            "session": f"Basic {token}",
        }
        return json.dumps(answer).encode()
    fields = "".join(
        f"<{name}>{value}</{name}>" for name, value in user.items() if not isinstance(value, list)
    )
    aliases = "".join(f"<alias>{alias}</alias>" for alias in user["senderAlias"])
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><response>{fields}'
        f"<senderAlias>{aliases}</senderAlias>"
        f"<user><authKey>{key}</authKey><authSecret>{secret}</authSecret></user>"
        f"<settings><api><auth_key>{key}</auth_key><AUTH-SECRET>{secret}</AUTH-SECRET>"
        f"<label>main</label></api></settings>"
        f"<recent><item>{key}</item><item>MyShop</item><item><value>{secret}</value></item></recent>"
        f"<contact>{secret}</contact><note>call us quoting {key}</note>"
        f"<session>Basic {token}</session></response>"
    ).encode()


def echoing_api(api: SandboxApi) -> SandboxApi:
    """``api`` with a ``/user`` answer that echoes KEY and SECRET everywhere."""
    from smstools_tui.sandbox.emulator import SandboxApi as Api

    strict = Api(api.account, clock=api.clock, page_cap=100, credentials=(KEY, SECRET))
    answer = strict.handle

    def handle(method: str, path: str, query: str, headers: Any) -> SandboxResponse:
        response = answer(method, path, query, headers)
        if path.endswith("/user") and response.status == 200:
            xml = response.content_type == "application/xml"
            response.body = echoed_credentials_body(api.account.user, KEY, SECRET, xml=xml)
        return response

    strict.handle = handle  # type: ignore[method-assign]
    return strict


@pytest.mark.parametrize("wire_format", ["json", "xml"])
def test_credentials_echoed_at_any_depth_never_reach_the_account(
    api: SandboxApi, wire_format: str
) -> None:
    settings = sandbox_settings(wire_format=wire_format).with_(credentials=Credentials(KEY, SECRET))
    with SmstoolsClient(settings, transport=echoing_api(api).transport()) as client:
        account = client.account()
    assert account.display_name == "MyShop S.r.l." and account.username == "mrossi"
    assert account.sender_aliases == ("MyShop", "MyShop OTP", "MyShopInfo")
    assert_clean(repr(account) + repr(account.details), "the account")
    assert account.details["settings"] == {"api": {"label": "main"}}
    assert "MyShop" in repr(account.details["recent"])  # the harmless neighbour stays
    assert not {"contact", "note", "session"} & set(account.details)


@pytest.mark.parametrize(
    ("record", "kept"),
    [
        ({"authKey": "x", "AuthSecret": "y", "auth_key": "z", "API-KEY": "w"}, {}),
        ({"@authKey": "x", "Password": "p", "token": "t", "name": "n"}, {"name": "n"}),
        ({"a": {"b": {"c": [{"d": KEY}, SECRET, "fine"]}}}, {"a": {"b": {"c": [{}, "fine"]}}}),
        ({KEY: "named by the key itself", "x": f"..{SECRET}.."}, {}),
        ({"when": 3, "none": None, "list": (1, 2)}, {"when": 3, "none": None, "list": [1, 2]}),
        ({"basic": needles()[2], "stripped": needles()[3]}, {}),
    ],
)
def test_without_credentials(record: dict[str, Any], kept: dict[str, Any]) -> None:
    assert without_credentials(record, Credentials(KEY, SECRET)) == kept


def test_short_credentials_are_matched_whole_only() -> None:
    """A four-character secret would be found inside half the account's fields: only values
    equal to it are dropped."""
    pair = Credentials("k1", "shop")
    record = {"businessname": "MyShop", "echo": "shop", "key": "k1"}
    assert without_credentials(record, pair) == {"businessname": "MyShop"}


def test_an_error_message_quoting_a_credential_hides_it(api: SandboxApi) -> None:
    def echo(*args: object) -> SandboxResponse:
        body = json.dumps({"errorCode": 500, "errorMsg": f"bad key {KEY}"}).encode()
        return SandboxResponse(500, body)

    api.handle = echo  # type: ignore[method-assign]
    settings = sandbox_settings(max_attempts=1).with_(credentials=Credentials(KEY, SECRET))
    with (
        SmstoolsClient(settings, transport=api.transport()) as client,
        pytest.raises(SmstoolsError) as caught,
    ):
        client.account()
    assert "bad key <hidden>" in str(caught.value)
    assert_clean(str(caught.value) + repr(caught.value) + str(vars(caught.value)), "the error")


@pytest.mark.parametrize("wire_format", ["json", "xml"])
def test_echoed_credentials_reach_no_file_log_or_console(
    api: SandboxApi,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    no_credentials: None,
    wire_format: str,
) -> None:
    """A sync at debug level against a server that echoes the credentials in every corner of
    its /user answer: the account lands in the store's manifest clean, and nothing written or
    printed holds a credential."""
    data = tmp_path / "data"
    monkeypatch.setenv("SMSTOOLS_DATA_DIR", str(data))
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SECRET)
    with SandboxServer(echoing_api(api)) as server, caplog.at_level(logging.DEBUG):
        monkeypatch.setenv("SMSTOOLS_BASE_URL", server.base_url)
        synced = run("--debug", "sync", "--since", "2026-10-01", "--format", wire_format)
    assert synced.code == 0, synced.err
    assert_clean(synced.out + synced.err + caplog.text, "the console and the log")
    manifests = list(data.rglob("_manifests/account=*.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    details = manifest["account_details"]
    assert details["business_name"] == "MyShop S.r.l."
    assert details["details"]["settings"] == {"api": {"label": "main"}}
    for path in data.rglob("*"):
        if path.is_file():
            assert_clean(path.read_bytes().decode("utf-8", "replace"), str(path))


def test_the_dashboards_debug_log_holds_no_credentials(
    secret_server: SandboxServer,
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    private_state_dir: Path,
    no_credentials: None,
) -> None:
    """The real dashboard, headless, fetches a live window at debug level; its log file holds
    the requests but not the key, the secret or their base64."""
    import smstools_tui.tui
    from tests.tui.conftest import settle

    made = smstools_tui.tui.make_app

    class Headless:
        def __init__(self, app: Any) -> None:
            self.app = app

        def run(self) -> None:
            async def load_then_quit(pilot: Any) -> None:
                await settle(pilot)
                assert self.app.dataset is not None and self.app.dataset.complete
                await pilot.exit(None)

            self.app.run(headless=True, size=(120, 36), auto_pilot=load_then_quit)

    monkeypatch.setattr(
        smstools_tui.tui, "make_app", lambda client, **options: Headless(made(client, **options))
    )
    monkeypatch.setenv("SMSTOOLS_BASE_URL", secret_server.base_url)
    monkeypatch.setenv("SMSTOOLS_AUTH_KEY", KEY)
    monkeypatch.setenv("SMSTOOLS_AUTH_SECRET", SECRET)
    with caplog.at_level(logging.DEBUG):
        result = run("--debug", "dashboard", "--since", "2026-10-01", "--until", "2026-11-01")
    assert result.code == 0, result.err
    log = private_state_dir / "smstools-tui" / "log" / "dashboard.log"
    assert f"the debug log is in {log}" in result.err
    text = log.read_text(encoding="utf-8")
    assert "GET /sms/search" in text  # the log did run, inside the app
    assert_clean(text, "the dashboard's debug log")
    assert_clean(result.out + result.err, "the console")
    assert log.stat().st_mode & 0o777 == 0o600
