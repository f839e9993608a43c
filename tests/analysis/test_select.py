"""``analysis.select``: the messages behind a figure recompute it."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from smstools_tui import analysis
from smstools_tui.query import Filters, Query, Relation, Span
from tests.conftest import NOW

NOVEMBER = Span(NOW - timedelta(days=30), NOW)


def test_span_and_filters_select_what_they_say(
    sandbox_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = sandbox_frames
    query = Query("sent", NOVEMBER, Filters(statuses={"NOTDELIVERED", "NOSENT"}))
    chosen = analysis.select(query, sent, received)
    stamps = sent["insertDate"]
    expected = sent[
        (stamps >= NOVEMBER.start)
        & (stamps < NOVEMBER.end)
        & sent["status"].isin(["NOTDELIVERED", "NOSENT"])
    ]
    assert len(chosen) > 0
    assert chosen["id"].tolist() == expected["id"].tolist()


def test_replies_and_opt_outs_recompute_the_headline(
    sandbox_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = sandbox_frames
    headline = analysis.headline_figures(sent, received)
    whole = Span(NOW - timedelta(days=400), NOW + timedelta(seconds=1))
    replies = analysis.select(
        Query("received", whole, relation=Relation(replies=True)), sent, received
    )
    opt_outs = analysis.select(
        Query("received", whole, relation=Relation(opt_outs=True)), sent, received
    )
    after = analysis.select(Query("sent", whole, relation=Relation(opt_outs=True)), sent, received)
    assert headline["replies"] > 0 and len(replies) == headline["replies"]
    assert len(opt_outs) == headline["opt_outs"]
    assert sorted(after["id"]) == sorted(analysis.compliance_list(sent, received)["id"])


def test_replies_to_one_campaign_are_that_campaigns_replies(
    sandbox_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, received = sandbox_frames
    campaigns = analysis.campaign_report(sent, received)
    row = campaigns[campaigns["replies"] > 0].iloc[0]
    whole = Span(NOW - timedelta(days=400), NOW + timedelta(seconds=1))
    relation = Relation(replies_to_campaigns={row["campaign"]})
    chosen = analysis.select(Query("received", whole, relation=relation), sent, received)
    assert len(chosen) == row["replies"]
