"""The messages behind a figure, as a query: what a drill-down opens.

A report row, a headline figure or a chart bar was computed from the messages of one query (its
*base*: the window and filters the user asked for). The messages behind it are a narrower query,
made here from the base, which :func:`~smstools_tui.analysis.select` answers on the frames
already loaded; they recompute the figure exactly (``tests/test_drill_invariant.py`` checks it
on generated accounts).

- A group narrows the base: a campaign, sender, country or status becomes that filter,
  intersected with what the base already asks (a drill-down never widens a query), and a day,
  week or month narrows the window to the bucket's instants in the report's time zone
  (:func:`~smstools_tui.analysis.bucket_span`), cut by the window where the bucket is partial.
- Received messages are read for the window whatever the sent messages' filters (a report reads
  the replies of its window), so a query for received messages keeps the base's window alone,
  with the relation that picks them (replies, opt-outs).
- ``None`` stands for "no query can tell these messages apart": the :data:`NO_VALUE` group
  (messages without a campaign, a sender, a status), a number that is not all digits, a row of
  no messages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import tzinfo
from typing import Any

from ..analysis import BY_CHOICES, NO_VALUE, TIME_BUCKETS, bucket_span, parse_carrier_label
from ..frames import is_missing
from ..msisdn import msisdn_digits
from ..query import Filters, Kind, Query, Relation

__all__ = [
    "GROUP_FILTERS",
    "STATUS_SETS",
    "in_bucket",
    "messages",
    "of_group",
    "of_number",
    "received",
    "within",
]

CARRIER_GROUP = "carrier"
"""The group key of a check's rule ``by = "carrier"``: a label of
:func:`~smstools_tui.analysis.carrier_label`."""

GROUP_FILTERS: dict[str, str] = {
    "sender": "senders",
    "campaign": "campaigns",
    "country": "countries",
    "status": "statuses",
    "encoding": "encodings",
}
"""The filter that picks the messages of a group, per grouping other than time."""

STATUS_SETS: dict[str, frozenset[str]] = {
    "delivered": frozenset({"DELIVERED"}),
    "not_delivered": frozenset({"NOTDELIVERED"}),
    "not_sent": frozenset({"NOSENT"}),
    "pending": frozenset({"PENDING", "SENT"}),
    "wasted": frozenset({"NOTDELIVERED", "NOSENT"}),
}
"""The statuses each count of the reports counts (``wasted``: spent on nothing)."""


def messages(base: Query, kind: Kind = "sent") -> Query:
    """The messages of ``kind`` a report on ``base`` reads: the sent ones are ``base``'s own
    (without its report and grouping), the received ones those of its window.

    Example:
        >>> from datetime import UTC, datetime
        >>> base = Query.build("sent", window="2026-11", campaign="promo", group="week",
        ...                    report="delivery", now=datetime(2026, 12, 1, tzinfo=UTC), zone="UTC")
        >>> messages(base).describe("UTC")
        'sent messages, 2026-11-01 00:00 to 2026-12-01 00:00 UTC (2026-11); campaign promo'
        >>> messages(base, "received").describe("UTC")
        'received messages, 2026-11-01 00:00 to 2026-12-01 00:00 UTC (2026-11)'
    """
    if kind == base.kind:
        return replace(base, report=None, group=None, relation=None)
    return Query(kind, base.span, window=base.window)


def within(query: Query, **filters: Iterable[Any]) -> Query | None:
    """``query`` keeping only the messages of these filter values (``statuses=["SENT"]``),
    each intersected with the values ``query`` already asks for; ``None`` when a filter is
    left with none.

    Example:
        >>> from datetime import UTC, datetime
        >>> query = Query.build("sent", statuses=["DELIVERED", "SENT"],
        ...                     now=datetime(2026, 12, 1, tzinfo=UTC))
        >>> sorted(within(query, statuses=["PENDING", "SENT"]).filters.statuses)
        ['SENT']
        >>> within(query, statuses=["NOSENT"]) is None
        True
    """
    changes: dict[str, list[Any]] = {}
    for name, values in filters.items():
        wanted = frozenset(Filters.normalise(name, value) for value in values)
        asked = getattr(query.filters, name)
        if asked:
            wanted &= asked
        if not wanted:
            return None
        changes[name] = sorted(wanted)
    return query.with_filters(**changes)


def in_bucket(
    query: Query, by: str, label: str, *, zone: tzinfo | str | None = None
) -> Query | None:
    """``query`` narrowed to the day, week or month ``label`` in ``zone`` (cut by its window);
    ``None`` when they do not meet.

    Example:
        >>> from datetime import UTC, datetime
        >>> query = Query.build("sent", window="2026-11-04..2026-11-10",
        ...                     now=datetime(2026, 12, 1, tzinfo=UTC), zone="UTC")
        >>> print(in_bucket(query, "week", "2026-11-02", zone="UTC").span)
        2026-11-04T00:00:00+00:00 .. 2026-11-09T00:00:00+00:00
    """
    bucket = bucket_span(label, by, tz=zone)
    if query.span is not None and query.span.intersect(bucket) is None:
        return None
    return query.narrowed(bucket)


def of_group(
    base: Query, row: Mapping[str, Any], *, zone: tzinfo | str | None = None
) -> Query | None:
    """The sent messages of a report row grouped by any of :data:`BY_CHOICES` (or of a check's
    ``carrier`` group, ``TIM (IT)``): ``base`` narrowed by each group column the row has (a
    row without one: all of ``base``'s; a row of an ``account`` group: ``None``, since a query
    names no account).

    Example:
        >>> from datetime import UTC, datetime
        >>> base = Query.build("sent", window="2026-11", now=datetime(2026, 12, 1, tzinfo=UTC),
        ...                    zone="UTC")
        >>> query = of_group(base, {"month": "2026-11", "country": "CH", "messages": 3}, zone="UTC")
        >>> query.describe("UTC")
        'sent messages, 2026-11-01 00:00 to 2026-12-01 00:00 UTC; country CH'
        >>> of_group(base, {"campaign": "(none)", "messages": 12}) is None
        True
    """
    if row.get("messages") == 0:
        return None
    if "account" in row:
        # A query names no account: the messages of one account are not told apart by it.
        return None
    query: Query | None = messages(base)
    if CARRIER_GROUP in row:
        # A check's carrier group (carrier_label): the carrier and its country's filters.
        carrier, country = parse_carrier_label(str(row[CARRIER_GROUP]))
        query = within(messages(base), carriers=[carrier], countries=[country])
    for key in BY_CHOICES:
        if key not in row or query is None:
            continue
        value = row[key]
        if is_missing(value) or str(value) == NO_VALUE:
            return None
        if key in TIME_BUCKETS:
            query = in_bucket(query, key, str(value), zone=zone)
        else:
            query = within(query, **{GROUP_FILTERS[key]: [str(value)]})
    return query


def of_number(query: Query | None, number: Any) -> Query | None:
    """``query`` kept to the messages of one number as the reports spell it; ``None`` for a
    number the number filter cannot tell apart (letters in it: the filter compares digits).

    Example:
        >>> from datetime import UTC, datetime
        >>> query = Query.build("sent", now=datetime(2026, 12, 1, tzinfo=UTC))
        >>> sorted(of_number(query, "393480000000").filters.numbers)
        ['393480000000']
        >>> of_number(query, "MyShop") is None
        True
    """
    if query is None or is_missing(number):
        return None
    digits = str(number)
    if not digits or msisdn_digits(digits) != digits:
        return None
    return within(query, numbers=[digits])


def received(
    base: Query,
    *,
    replies_to: Iterable[str] = (),
    replies: bool = False,
    opt_outs: bool = False,
) -> Query:
    """The received messages of ``base``'s window that reply (to messages of the campaigns
    ``replies_to``, or to any with ``replies``) or opt out: both, when both are asked.

    Example:
        >>> from datetime import UTC, datetime
        >>> base = Query.build("sent", window="7d", campaign="promo",
        ...                    now=datetime(2026, 12, 1, tzinfo=UTC))
        >>> [label for _, _, label in received(base, replies_to=["promo"]).chips()]
        ['replies to promo']
    """
    relation = Relation(replies=replies, replies_to_campaigns=frozenset(replies_to),
                        opt_outs=opt_outs)  # fmt: skip
    return replace(messages(base, "received"), relation=relation)
