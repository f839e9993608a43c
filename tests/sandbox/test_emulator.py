"""The emulated API speaks like the gateway: auth, formats, errors, paging."""

from __future__ import annotations

import base64
from datetime import timedelta

import orjson
import pytest
import xmltodict

from smstools_tui.dates import parse_api_datetime
from smstools_tui.sandbox import SANDBOX_KEY, SANDBOX_SECRET, FaultPlan, SandboxApi
from tests.conftest import NOW, Clock

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


def test_statuses_settle_and_scheduled_messages_appear_as_the_clock_runs(
    api: SandboxApi, clock: Clock
) -> None:
    """What a store's re-sync relies on: between two syncs, PENDING/SENT messages settle and
    new ones (scheduled after the first) appear."""
    query = "fromDate=2026-11-24T00:00:00%2B0000&limit=1000"
    clock.now = NOW - timedelta(minutes=3)
    _, before = get(api, "/sms/search", query)
    clock.now = NOW + timedelta(days=1)
    _, after = get(api, "/sms/search", query)
    was = {item["id"]: item["status"] for item in before["smsList"]}
    now = {item["id"]: item["status"] for item in after["smsList"]}
    assert set(was) < set(now)  # scheduled messages appeared
    pending = [key for key, status in was.items() if status in ("PENDING", "SENT")]
    assert pending
    assert sum(now[key] not in ("PENDING", "SENT") for key in pending) > len(pending) / 2


def test_faults_after_a_number_of_requests(api: SandboxApi) -> None:
    api.faults = FaultPlan(after=2, kinds=("503",))
    statuses = [get(api, "/user")[0] for _ in range(4)]
    assert statuses == [200, 200, 503, 503]
    api.faults = FaultPlan()  # the network is back
    assert get(api, "/user")[0] == 200


def test_lag_hides_the_newest_messages_until_later(api: SandboxApi, clock: Clock) -> None:
    query = "fromDate=2026-11-20T00:00:00%2B0000&limit=1000"
    _, prompt = get(api, "/sms/search", query)
    api.lag = 3600
    _, lagging = get(api, "/sms/search", query)
    newest = max(parse_api_datetime(item["insertDate"]) for item in lagging["smsList"])
    assert newest <= NOW - timedelta(hours=1)
    assert lagging["metadata"]["count"] < prompt["metadata"]["count"]
    clock.now = NOW + timedelta(hours=1)
    _, later = get(api, "/sms/search", query + "&toDate=2026-11-25T10:00:00%2B0000")
    assert later["metadata"]["count"] == prompt["metadata"]["count"]
