"""The client against the emulated API (in-process): records, windows, errors, retries."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from smstools_tui.account import Account
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.config import Credentials
from smstools_tui.errors import (
    AuthenticationError,
    BodyTooLargeError,
    ConfigError,
    DecodeError,
    InvalidQueryError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnsafeXmlError,
    UnsupportedEncodingError,
)
from smstools_tui.query import Query
from smstools_tui.sandbox import (
    SANDBOX_KEY,
    SANDBOX_SECRET,
    FaultPlan,
    SandboxAccount,
    SandboxApi,
    SandboxResponse,
    sandbox_settings,
)
from tests.conftest import NOW, Clock, Sleeps

SINCE, UNTIL = "2026-09-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00"


def truth_sent(account: SandboxAccount, since: str = SINCE, until: str = UNTIL) -> pd.DataFrame:
    frame = account.sent_frame(NOW)
    inside = (frame["insertDate"] >= pd.Timestamp(since)) & (
        frame["insertDate"] < pd.Timestamp(until)
    )
    return frame[inside].sort_values("id", ascending=False).reset_index(drop=True)


def truth_received(account: SandboxAccount, since: str = SINCE, until: str = UNTIL) -> pd.DataFrame:
    frame = account.received_frame(NOW)
    inside = (frame["receiveDate"] >= pd.Timestamp(since)) & (
        frame["receiveDate"] < pd.Timestamp(until)
    )
    return frame[inside].reset_index(drop=True)


def same_rows(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal records and dtypes kinds; category order may differ."""
    assert list(left.columns) == list(right.columns)
    assert len(left) == len(right)
    for name in left.columns:
        a, b = left[name], right[name]
        if isinstance(a.dtype, pd.CategoricalDtype):
            a, b = a.astype("string"), b.astype("string")
        pd.testing.assert_series_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False
        )


@pytest.mark.parametrize("wire_format", ["json", "xml"])
def test_sent_is_exactly_the_sandbox_truth(
    make_client: Callable[..., SmstoolsClient], account: SandboxAccount, wire_format: str
) -> None:
    frame = make_client(wire_format=wire_format).sent(SINCE, UNTIL)
    truth = truth_sent(account)
    assert len(truth) > 300
    same_rows(frame.sort_values("id", ascending=False), truth)


@pytest.mark.parametrize("wire_format", ["json", "xml"])
def test_received_is_exactly_the_sandbox_truth(
    make_client: Callable[..., SmstoolsClient], account: SandboxAccount, wire_format: str
) -> None:
    frame = make_client(wire_format=wire_format).received(SINCE, UNTIL)
    truth = truth_received(account)
    merged = frame.sort_values(["receiveDate", "from", "text"]).reset_index(drop=True)
    same_rows(merged, truth.sort_values(["receiveDate", "from", "text"]).reset_index(drop=True))


def test_json_and_xml_give_identical_frames(make_client: Callable[..., SmstoolsClient]) -> None:
    as_json = make_client(wire_format="json").sent(SINCE, UNTIL)
    as_xml = make_client(wire_format="xml").sent(SINCE, UNTIL)
    pd.testing.assert_frame_equal(as_json, as_xml)
    pd.testing.assert_frame_equal(
        make_client(wire_format="json").received(SINCE, UNTIL),
        make_client(wire_format="xml").received(SINCE, UNTIL),
    )


def test_identical_received_messages_are_both_kept(
    client: SmstoolsClient, account: SandboxAccount
) -> None:
    frame = client.received("2025-01-01", NOW.isoformat())
    twins = frame.duplicated(keep=False).sum()
    assert twins >= 2
    assert twins == account.received_frame(NOW).duplicated(keep=False).sum()


def test_filters(client: SmstoolsClient, account: SandboxAccount) -> None:
    truth = truth_sent(account)
    failed = client.sent(SINCE, UNTIL, status="notdelivered")
    assert set(failed["status"]) == {"NOTDELIVERED"}
    assert len(failed) == (truth["status"] == "NOTDELIVERED").sum()
    number = truth["to"].value_counts().index[0]
    by_number = client.sent(SINCE, UNTIL, msisdn="+" + number[:2] + " " + number[2:])
    assert set(by_number["to"]) == {number} and len(by_number) == (truth["to"] == number).sum()
    campaign = truth["transactionId"].dropna().iloc[0]
    assert (
        len(client.sent(SINCE, UNTIL, campaign=campaign))
        == (truth["transactionId"] == campaign).sum()
    )
    some = truth["id"].iloc[:3].tolist()
    assert sorted(client.sent(ids=some)["id"]) == sorted(some)
    with pytest.raises(ConfigError, match="no message ids given"):
        client.sent(ids=[])
    with pytest.raises(ConfigError, match="unknown status"):
        client.sent(status="LOST")


def test_every_search_sends_a_window_ending_before_the_fetch_started(
    api: SandboxApi, make_client: Callable[..., SmstoolsClient], clock: Clock
) -> None:
    seen: list[dict[str, str]] = []
    api.on_request = lambda path, params: seen.append(params)
    clock.now = datetime(2026, 11, 25, 10, 0, 30, 500_000, tzinfo=UTC)
    make_client().sent(until="2030-01-01")
    make_client().received()
    assert seen and all(params.get("fromDate") and params.get("toDate") for params in seen)
    assert {params["toDate"] for params in seen} == {"2026-11-25T10:00:29+0000"}
    # Thirty whole days, counted back from the last whole second (10:00:30), not from now
    assert {params["fromDate"] for params in seen} == {"2026-10-26T10:00:30+0000"}


def test_half_open_window_in_whole_seconds(api: SandboxApi, client: SmstoolsClient) -> None:
    seen: list[dict[str, str]] = []
    api.on_request = lambda path, params: seen.append(params)
    query = client.query(
        "sent", since="2026-10-01T00:00:00.2+00:00", until="2026-10-02T00:00:00+00:00"
    )
    result = client.fetch(query)
    assert seen[0]["fromDate"] == "2026-10-01T00:00:01+0000"
    assert seen[0]["toDate"] == "2026-10-01T23:59:59+0000"
    assert result.query is query and result.span == query.span
    assert str(result.span) == "2026-10-01T00:00:01+00:00 .. 2026-10-02T00:00:00+00:00"


def test_messages_arriving_during_a_fetch_do_not_shift_pages(
    api: SandboxApi,
    make_client: Callable[..., SmstoolsClient],
    clock: Clock,
    account: SandboxAccount,
) -> None:
    """The sandbox clock runs a day on every request, so messages keep arriving, newest first,
    while the pages are read: without a toDate fixed at the start, later pages would repeat
    records and the set would never settle."""
    start = NOW - timedelta(days=3)
    clock.now = start

    def time_flies(path: str, params: dict[str, str]) -> None:
        clock.now += timedelta(days=1)

    api.on_request = time_flies
    result = make_client().fetch(
        Query.build("sent", since="2026-10-01T00:00:00+00:00", until="2030-01-01", now=start)
    )
    frame = result.frame
    assert result.span is not None and result.span.end == start
    assert api.requests["/sms/search"] == -(-len(frame) // 100)  # one pass, no re-reads
    truth = account.sent_frame(NOW)
    inside = truth[
        (truth["insertDate"] >= pd.Timestamp("2026-10-01T00:00:00Z"))
        & (truth["insertDate"] < pd.Timestamp(start))
    ]
    assert sorted(frame["id"]) == sorted(inside["id"])
    later = truth[truth["insertDate"] >= pd.Timestamp(start)]
    assert len(later) > 50  # messages did arrive during the fetch, and none was taken


def test_a_backdated_insert_mid_fetch_is_caught_by_the_count(
    api: SandboxApi, client: SmstoolsClient, account: SandboxAccount
) -> None:
    """A message that appears inside the window while it is read changes the count: the
    client reads the set again and returns the new, exact set."""
    full = account.sent
    hidden_row = int(np.searchsorted(full.insert, pd.Timestamp("2026-10-15").timestamp()))
    keep = np.ones(len(full), dtype=bool)
    keep[hidden_row] = False
    api.account = dataclasses.replace(account, sent=full.take(keep))  # one message not there yet
    calls = {"n": 0}

    def reveal(path: str, params: dict[str, str]) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # it appears, backdated, while the pages are read
            api.account = account

    api.on_request = reveal
    frame = client.sent(SINCE, UNTIL)
    assert int(full.id[hidden_row]) in set(frame["id"])
    same_rows(frame.sort_values("id", ascending=False), truth_sent(account))
    assert calls["n"] > 10  # read twice


@pytest.mark.parametrize(
    "kinds", [("500",), ("503",), ("drop",), ("429",), ("500", "503", "429", "drop")]
)
def test_transient_failures_still_give_the_exact_record_set(
    account: SandboxAccount,
    make_client: Callable[..., SmstoolsClient],
    clock: Clock,
    sleeps: Sleeps,
    kinds: tuple[str, ...],
) -> None:
    flaky = SandboxApi(
        account, clock=clock, page_cap=100, faults=FaultPlan(rate=0.35, kinds=kinds, seed=3)
    )
    frame = make_client(flaky).sent(SINCE, UNTIL)
    same_rows(frame.sort_values("id", ascending=False), truth_sent(account))
    assert sum(flaky.faults_injected.values()) >= 3
    if kinds == ("429",):
        assert sleeps and set(sleeps) == {1.0}  # Retry-After: 1 honoured, not a backoff


def test_retries_are_bounded_and_end_in_a_clear_error(
    account: SandboxAccount,
    make_client: Callable[..., SmstoolsClient],
    clock: Clock,
    sleeps: Sleeps,
) -> None:
    down = SandboxApi(account, clock=clock, faults=FaultPlan(rate=1.0, kinds=("503",)))
    with pytest.raises(ServerError, match="503 GENERIC_ERROR on /sms/search"):
        make_client(down, max_attempts=4, max_backoff=8).sent(SINCE, UNTIL)
    assert down.requests["/sms/search"] == 4
    assert len(sleeps) == 3 and all(0 <= pause <= 8 for pause in sleeps)


def test_a_very_long_retry_after_is_not_waited_for(
    account: SandboxAccount,
    make_client: Callable[..., SmstoolsClient],
    clock: Clock,
    sleeps: Sleeps,
) -> None:
    limited = SandboxApi(
        account, clock=clock, faults=FaultPlan(rate=1.0, kinds=("429",), retry_after=3600)
    )
    with pytest.raises(RateLimitedError) as caught:
        make_client(limited).sent(SINCE, UNTIL)
    assert caught.value.retry_after == 3600 and sleeps == []


def respond(
    api: SandboxApi,
    status: int,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> dict[str, int]:
    """Make ``api`` answer every request with this response; ``["n"]`` counts the requests."""
    calls = {"n": 0}

    def answer(*args: object) -> SandboxResponse:
        calls["n"] += 1
        return SandboxResponse(status, body, content_type, dict(headers or {}))

    api.handle = answer  # type: ignore[method-assign]
    return calls


@pytest.mark.parametrize(
    ("status", "code", "error", "attempts"),
    [
        (400, "NO_PARAMS", InvalidQueryError, 1),
        (400, "BAD_DATE", InvalidQueryError, 1),
        (400, "BAD_STATUS", InvalidQueryError, 1),
        (400, "BAD_MSISDN", InvalidQueryError, 1),
        (400, "BAD_ID", InvalidQueryError, 1),
        (401, "BAD_CREDENTIALS", AuthenticationError, 1),
        (404, "NOT_FOUND", NotFoundError, 1),
        (500, "GENERIC_ERROR", ServerError, 6),
    ],
)
def test_each_error_code(
    api: SandboxApi,
    make_client: Callable[..., SmstoolsClient],
    status: int,
    code: str,
    error: type[Exception],
    attempts: int,
) -> None:
    calls = respond(api, status, f'{{"errorMsg":"{code}","errorCode":{status}}}'.encode())
    with pytest.raises(error) as caught:
        make_client().sent(SINCE, UNTIL)
    assert caught.value.error_code == status and caught.value.error_msg == code  # type: ignore[attr-defined]
    assert code in str(caught.value) and "\n" not in str(caught.value)
    assert calls["n"] == attempts


def test_the_real_sandbox_errors(client: SmstoolsClient, api: SandboxApi) -> None:
    with pytest.raises(InvalidQueryError, match="NO_PARAMS"):
        client._get("/sms/search", {"toDate": "2026-01-01T00:00:00+0000"})
    with pytest.raises(InvalidQueryError, match="BAD_DATE"):
        client._get("/sms/search", {"fromDate": "2026-01-01 00:00:00"})
    with pytest.raises(NotFoundError, match="check the base URL"):
        client._get("/sms/nothing", {})


def test_bad_credentials_are_a_clear_message_without_the_secret(api: SandboxApi) -> None:
    key, secret = "my-real-key-0001", "my-real-secret-0002"
    client = SmstoolsClient(
        sandbox_settings().with_(credentials=Credentials(key, secret)), transport=api.transport()
    )
    with pytest.raises(AuthenticationError) as caught:
        client.account()
    message = str(caught.value)
    assert "401 BAD_CREDENTIALS" in message and "SMSTOOLS_AUTH_KEY" in message
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    for text in (message, repr(caught.value), repr(client), repr(client.settings)):
        assert key not in text and secret not in text and basic not in text


def test_a_200_that_is_not_the_api_is_retried_then_reported(
    api: SandboxApi, make_client: Callable[..., SmstoolsClient]
) -> None:
    calls = respond(api, 200, b"<html><body>Proxy says hi</body></html>", "text/html")
    with pytest.raises(
        DecodeError, match="from /sms/search at offset 0: the answer has no metadata"
    ):
        make_client(max_attempts=3).sent(SINCE, UNTIL)
    assert calls["n"] == 3


@pytest.mark.parametrize(
    "spoiled", [b"<html>502</html>", b'{"metadata":{"count":3', b"", b"<r><metadata>"]
)
def test_a_spoiled_200_is_retried_until_a_good_answer(
    api: SandboxApi,
    make_client: Callable[..., SmstoolsClient],
    account: SandboxAccount,
    spoiled: bytes,
) -> None:
    real = api.handle
    calls = {"n": 0}

    def once_spoiled(*args: object) -> SandboxResponse:
        calls["n"] += 1
        return SandboxResponse(200, spoiled, "text/html") if calls["n"] == 2 else real(*args)  # type: ignore[arg-type]

    api.handle = once_spoiled  # type: ignore[method-assign]
    frame = make_client().sent(SINCE, UNTIL)
    same_rows(frame.sort_values("id", ascending=False), truth_sent(account))


def test_an_entity_bomb_is_refused_at_once(
    api: SandboxApi, make_client: Callable[..., SmstoolsClient]
) -> None:
    calls = respond(api, 200, b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "application/xml")
    with pytest.raises(UnsafeXmlError):
        make_client(wire_format="xml").sent(SINCE, UNTIL)
    assert calls["n"] == 1


def test_a_body_beyond_the_size_limit_is_refused(
    api: SandboxApi, make_client: Callable[..., SmstoolsClient]
) -> None:
    from smstools_tui.errors import ResultTooLargeError

    respond(api, 200, b'{"metadata":{"count":0},"smsList":[]}' + b" " * 5000)
    with pytest.raises(ResultTooLargeError, match="larger than the limit"):
        make_client(max_body_bytes=1000).sent(SINCE, UNTIL)


def test_unreachable_gateway(sleeps: Sleeps) -> None:
    client = SmstoolsClient(
        sandbox_settings("http://127.0.0.1:9/rest/api", max_attempts=2), sleep=sleeps
    )
    with pytest.raises(NetworkError, match=r"cannot connect to 127\.0\.0\.1"):
        client.account()
    assert len(sleeps) == 1


def test_account_without_its_echoed_secrets(client: SmstoolsClient) -> None:
    account = client.account()
    assert account.display_name == "MyShop S.r.l."
    assert account.credit and account.credit > 0 and account.italy_sms and account.italy_sms > 0
    assert account.sender_aliases == ("MyShop", "MyShop OTP", "MyShopInfo")
    text = repr(account) + repr(account.details)
    assert SANDBOX_KEY not in text and SANDBOX_SECRET not in text
    assert not {"authKey", "authSecret"} & set(account.details)


def test_account_in_xml(make_client: Callable[..., SmstoolsClient]) -> None:
    as_json = make_client().account()
    as_xml = make_client(wire_format="xml").account()
    assert as_json.sender_aliases == as_xml.sender_aliases
    assert (as_json.credit, as_json.italy_sms, as_json.expires) == (
        as_xml.credit,
        as_xml.italy_sms,
        as_xml.expires,
    )


def test_receiving_services(make_client: Callable[..., SmstoolsClient]) -> None:
    for wire_format in ("json", "xml"):
        services = make_client(wire_format=wire_format).receiving_services()
        assert services["id"].tolist() == ["1001", "1002"]
        assert services["key"].isna().tolist() == [True, False]
        assert str(services["expirationDate"].dtype) == "datetime64[us, UTC]"


def test_received_filters(client: SmstoolsClient, account: SandboxAccount) -> None:
    truth = truth_received(account)
    number = truth["from"].value_counts().index[0]
    assert len(client.received(SINCE, UNTIL, sender=number)) == (truth["from"] == number).sum()
    assert len(client.received(SINCE, UNTIL, service=1002)) == (truth["simId"] == "1002").sum()


def test_no_credentials_is_a_clear_error(no_credentials: None) -> None:
    with pytest.raises(ConfigError, match="no credentials: set SMSTOOLS_AUTH_KEY"):
        SmstoolsClient.from_env()


def test_debug_log_names_requests_not_secrets(
    client: SmstoolsClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client.sent(SINCE, UNTIL)
    assert "GET /sms/search offset=0 -> 200" in caplog.text
    assert SANDBOX_SECRET not in caplog.text
    assert base64.b64encode(f"{SANDBOX_KEY}:{SANDBOX_SECRET}".encode()).decode() not in caplog.text


def test_requests_made_counts_every_request_retries_included(
    account: SandboxAccount, make_client: Callable[..., SmstoolsClient], clock: Clock
) -> None:
    flaky = SandboxApi(
        account, clock=clock, page_cap=100, faults=FaultPlan(rate=0.3, kinds=("500",), seed=5)
    )
    client = make_client(flaky)
    assert client.requests_made == 0
    client.sent(SINCE, UNTIL)
    client.account()
    assert client.requests_made == sum(flaky.requests.values()) > 5


def test_a_compression_bomb_is_refused_at_once(
    account: SandboxAccount, make_client: Callable[..., SmstoolsClient], clock: Clock
) -> None:
    bombing = SandboxApi(account, clock=clock, faults=FaultPlan(rate=1.0, kinds=("bomb",)))
    with pytest.raises(BodyTooLargeError, match="decoded answer from /sms/search is larger"):
        make_client(bombing, max_body_bytes=2 * 1024 * 1024).sent(SINCE, UNTIL)
    assert bombing.requests["/sms/search"] == 1


def test_an_unknown_content_encoding_is_refused_at_once(
    api: SandboxApi, make_client: Callable[..., SmstoolsClient]
) -> None:
    calls = respond(api, 200, b"\x8b\x02\x80", headers={"Content-Encoding": "br"})
    with pytest.raises(UnsupportedEncodingError, match="content encoding 'br'"):
        make_client().sent(SINCE, UNTIL)
    assert calls["n"] == 1


def test_a_gzipped_answer_is_read_and_a_cut_one_retried(
    api: SandboxApi, make_client: Callable[..., SmstoolsClient], account: SandboxAccount
) -> None:
    real = api.handle
    calls = {"n": 0}
    counting = threading.Lock()  # pages are asked from several threads

    def gzipped(*args: object) -> SandboxResponse:
        with counting:
            calls["n"] += 1
            cut = calls["n"] == 2
        response = real(*args)  # type: ignore[arg-type]
        response.body = gzip.compress(response.body)
        if cut:
            response.body = response.body[: len(response.body) // 2]
        response.headers["Content-Encoding"] = "gzip"
        return response

    api.handle = gzipped  # type: ignore[method-assign]
    frame = make_client().sent(SINCE, UNTIL)
    same_rows(frame.sort_values("id", ascending=False), truth_sent(account))
    assert calls["n"] == -(-len(frame) // 100) + 1  # the cut page, once more


def test_trickled_answers_are_retried_to_the_exact_records(
    account: SandboxAccount,
    make_client: Callable[..., SmstoolsClient],
    clock: Clock,
    sleeps: Sleeps,
) -> None:
    slow = SandboxApi(
        account, clock=clock, page_cap=100, faults=FaultPlan(rate=0.3, kinds=("trickle",), seed=2)
    )
    frame = make_client(slow).sent(SINCE, UNTIL)
    same_rows(frame.sort_values("id", ascending=False), truth_sent(account))
    assert slow.faults_injected["trickle"] >= 2 and len(sleeps) >= 2


def test_the_client_offers_only_the_encodings_it_reads(
    api: SandboxApi, make_client: Callable[..., SmstoolsClient]
) -> None:
    seen: list[dict[str, str]] = []
    real = api.handle

    def spy(method: str, path: str, query: str, headers: Any) -> SandboxResponse:
        seen.append(dict(headers))
        return real(method, path, query, headers)

    api.handle = spy  # type: ignore[method-assign]
    make_client().account()
    assert seen[0]["accept-encoding"] == "gzip, deflate"


def test_an_account_count_too_large_for_a_number_is_unknown() -> None:
    """``1e400`` SMS left to Italy raised OverflowError out of the account call."""
    assert Account.from_record({"italysms": "1e400"}).italy_sms is None
    assert Account.from_record({"italysms": "-inf"}).italy_sms is None
    assert Account.from_record({"italysms": "12"}).italy_sms == 12
