"""What every source of SMS shares: keyword arguments and views become one query on the
source's clock; the checks a query passes; the convenience calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.api.client import SmstoolsClient
from smstools_tui.demo import demo_client
from smstools_tui.errors import ConfigError
from smstools_tui.query import Filters, Query, Relation, Span

from .conftest import NOW, RecordingSource


@pytest.fixture
def demo() -> Iterator[SmstoolsClient]:
    with demo_client(sent=3_000, received=400, now=NOW) as client:
        yield client


def test_keywords_become_one_query_on_the_sources_clock() -> None:
    source = RecordingSource()
    source.sent(window="7d", status="DELIVERED", msisdn="+39 348 000 0000")
    source.received("2026-11-01T00:00Z", sender="+41 79 123 45 67", service=12)
    sent, received = source.asked
    assert sent == Query(
        "sent", Span(NOW - pd.Timedelta(days=7), NOW),
        Filters(statuses={"DELIVERED"}, numbers={"393480000000"}),
    )  # fmt: skip
    assert received.filters == Filters(numbers={"41791234567"}, services={"12"})
    assert received.span is not None and received.span.end == NOW
    assert source.window() == Span(NOW - pd.Timedelta(days=30), NOW)
    assert not source.is_demo


def test_a_relation_is_refused_before_any_request(demo: SmstoolsClient) -> None:
    query = Query("received", demo.window(), relation=Relation(replies=True))
    with pytest.raises(
        ConfigError, match=r"fetch both kinds and use smstools_tui\.analysis\.select"
    ):
        demo.fetch(query)


def test_a_fetch_answers_the_query_unchanged(demo: SmstoolsClient) -> None:
    query = demo.query("sent", window="last-week", statuses=["NOTDELIVERED", "NOSENT"], zone="UTC")
    result = demo.fetch(query)
    assert result.query is query and result.span == query.span and result.complete
    assert result.source == "demo" and not result.offline and result.fetched_at == NOW
    assert set(result.frame["status"]) == {"NOTDELIVERED", "NOSENT"}
    everything = demo.sent(window=query.span)
    assert result.frame.equals(
        Filters(statuses={"NOTDELIVERED", "NOSENT"}).apply(everything, "sent")
    )


def test_a_saved_view_in_python(demo: SmstoolsClient, no_credentials: None, tmp_path: Path) -> None:
    config = tmp_path / "config" / "smstools-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[views.failed]\nwindow = "last-month"\nstatuses = ["NOTDELIVERED"]\n')
    config.chmod(0o600)
    by_view = demo.sent(view="failed")
    assert by_view.equals(demo.sent(window="last-month", status="NOTDELIVERED"))
    # What is given explicitly replaces the view's values.
    assert demo.sent(view="failed", window="7d").equals(
        demo.sent(window="7d", status="NOTDELIVERED")
    )
    with pytest.raises(ConfigError, match="the view 'failed' is of sent messages, not received"):
        demo.received(view="failed")
    with pytest.raises(ConfigError, match="no view 'missing'"):
        demo.sent(view="missing")
