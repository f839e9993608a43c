"""The emulated API speaks like the gateway: auth, formats, errors, paging."""

from __future__ import annotations

import base64

import orjson
import pytest
import xmltodict

from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, SandboxApi

AUTH = {
    "Authorization": "Basic "
    + base64.b64encode(f"{SANDBOX_KEY}:{SANDBOX_SECRET}".encode()).decode()
}
WINDOW = "fromDate=2026-10-01T00:00:00%2B0000&toDate=2026-11-01T00:00:00%2B0000"


def get(api: SandboxApi, path: str, query: str = "", **headers: str) -> tuple[int, dict]:
    response = api.handle("GET", "/rest/api" + path, query, {**AUTH, **headers})
    if response.content_type == "application/xml":
        return response.status, xmltodict.parse(response.body)
    return response.status, orjson.loads(response.body)


@pytest.mark.parametrize(
    ("path", "query", "status", "code"),
    [
        ("/sms/search", "", 400, "NO_PARAMS"),
        ("/sms/search", "toDate=2026-11-01T00:00:00%2B0000", 400, "NO_PARAMS"),
        ("/sms/search", "fromDate=2026-11-01", 400, "BAD_DATE"),
        ("/sms/search", "fromDate=2026-11-01T00:00:00+0000", 400, "BAD_DATE"),  # unescaped +
        ("/sms/search", "status=LOST", 400, "BAD_STATUS"),
        ("/sms/search", "msisdn=%2B39348", 400, "BAD_MSISDN"),
        ("/sms/search", "id=1,x", 400, "BAD_ID"),
        ("/sms/received/search", "", 400, "NO_PARAMS"),
        ("/sms/received/search", "from=abc", 400, "BAD_MSISDN"),
        ("/sms/other", "", 404, "NOT_FOUND"),
    ],
)
def test_documented_errors(api: SandboxApi, path: str, query: str, status: int, code: str) -> None:
    assert get(api, path, query) == (status, {"errorMsg": code, "errorCode": status})


def test_authentication(api: SandboxApi) -> None:
    wrong = {"Authorization": "Basic " + base64.b64encode(b"sandbox-key:nope").decode()}
    for headers in ({}, wrong):
        response = api.handle("GET", "/rest/api/user", "", headers)
        assert response.status == 401
        assert orjson.loads(response.body) == {"errorMsg": "BAD_CREDENTIALS", "errorCode": 401}


def test_other_methods_are_refused(api: SandboxApi) -> None:
    assert api.handle("POST", "/rest/api/sms/search", "", AUTH).status == 405


def test_pages_are_capped_newest_first(api: SandboxApi) -> None:
    status, first = get(api, "/sms/search", WINDOW + "&limit=1000")
    assert status == 200
    assert first["metadata"]["limit"] == 100 and len(first["smsList"]) == 100
    dates = [item["insertDate"] for item in first["smsList"]]
    ids = [item["id"] for item in first["smsList"]]
    assert ids == sorted(ids, reverse=True)
    _, default = get(api, "/sms/search", WINDOW)
    assert default["metadata"]["limit"] == 20
    _, last = get(api, "/sms/search", WINDOW + f"&offset={first['metadata']['count'] - 3}&limit=50")
    assert len(last["smsList"]) == 3
    assert dates


def test_xml_by_accept_header(api: SandboxApi) -> None:
    status, document = get(api, "/sms/search", WINDOW + "&limit=2", Accept="application/xml")
    assert status == 200
    assert list(document) == ["response"]
    assert document["response"]["metadata"]["limit"] == "2"
    assert len(document["response"]["smsList"]["sms"]) == 2
    _, user = get(api, "/user", Accept="application/xml")
    assert user["user"]["username"] == "mrossi"


def test_user_echoes_its_secrets_like_the_gateway(api: SandboxApi) -> None:
    _, user = get(api, "/user")
    assert user["authKey"] == SANDBOX_KEY
    assert user["credit"] > 0


def test_received_items_have_the_documented_fields(api: SandboxApi) -> None:
    _, page = get(api, "/sms/received/search", WINDOW + "&limit=5")
    assert set(page["smsList"][0]) == {"from", "text", "receiveDate", "simId"}
    assert page["smsList"][0]["from"].startswith("+")
