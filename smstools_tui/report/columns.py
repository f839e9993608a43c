"""One naming scheme per kind of output: a machine name and a title for every report column.

- **Files and frames for machines** (CSV, Parquet, the Python frames) name each report column
  once, in ``snake_case`` (``price_per_delivered``, ``median_delivery_seconds``). A message's
  own fields keep the API's names (``insertDate``, ``transactionId``): they are the API's
  vocabulary, and a file written from the API's messages should read like the API.
- **Tables for people** (the command line, the dashboard, the HTML report) show the column's
  :attr:`Column.title` (``price per delivered``, ``median delivery``, ``campaign`` for
  ``transactionId``): one title per machine name, the same in all three.
- **Values** that are names for machines get a title for people too: the latency stage
  ``insert_to_sent`` reads ``inserted → sent`` in a table, and stays ``insert_to_sent`` in a file.

:data:`REPORT_COLUMNS` holds every column a report of :mod:`.reports` can have (a message's
fields among them, as the compliance list shows sent messages), :data:`SENT_FIELDS` and
:data:`RECEIVED_FIELDS` the fields of each kind of message (``from`` is the sender alias of a
sent message and the number a received one came from, so its title depends on the kind).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "RECEIVED_FIELDS",
    "REPORT_COLUMNS",
    "SENT_FIELDS",
    "STAGE_TITLES",
    "Column",
    "ColumnKind",
    "columns",
    "title_of",
    "value_title",
]

ColumnKind = Literal[
    "count", "percent", "money", "duration", "time", "text", "number", "id", "flag", "phone"
]
"""How a column's values are formatted for people: ``count`` (1,234), ``percent`` (0.953 →
95.3%), ``money`` (credits, :attr:`Column.digits` decimals), ``duration`` (seconds → 3 min
17 s), ``time`` (a moment, in the reader's zone), ``text``, ``number`` (any other number),
``id`` (a message id, no separators), ``flag`` (yes or no) and ``phone`` (a phone number or a
sender: E.164 such as ``+393480000000``, anything else as written and marked, see
:func:`smstools_tui.msisdn.display_numbers`)."""


@dataclass(frozen=True)
class Column:
    """A report column: its machine name, its title for people and how it is formatted.

    Attributes:
        name: the name in files and frames.
        title: the name in tables for people.
        kind: how its values are formatted (see :data:`ColumnKind`).
        digits: decimals of a ``money`` column: 2 for a sum spent, 4 for a price per SMS.
        values: titles of values that are names for machines (``insert_to_sent``).

    Example:
        >>> REPORT_COLUMNS["price_per_delivered"].title, REPORT_COLUMNS["transactionId"].title
        ('price per delivered', 'campaign')
    """

    name: str
    title: str
    kind: ColumnKind = "text"
    digits: int | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    def value_title(self, value: str) -> str:
        """The title of one of this column's values (the value itself when it has none)."""
        return self.values.get(value, value)


def _money(name: str, title: str, digits: int = 2) -> Column:
    return Column(name, title, "money", digits)


_PRICE = 4
"""Decimals of a price per SMS (0.0945): a sum spent reads better with 2."""

SENT_FIELDS: dict[str, Column] = {
    column.name: column
    for column in (
        Column("insertDate", "inserted", "time"),
        Column("to", "to", "phone"),
        Column("from", "sender", "phone"),
        Column("status", "status"),
        Column("text", "text"),
        Column("transactionId", "campaign"),
        _money("price", "price", _PRICE),
        Column("sentDate", "sent", "time"),
        Column("deliveryDate", "delivered", "time"),
        Column("statusDetail", "detail"),
        Column("type", "type"),
        Column("encoding", "encoding"),
        Column("segments", "segments", "count"),
        Column("id", "id", "id"),
    )
}
"""The fields of a sent message, by their API names, with their titles."""

RECEIVED_FIELDS: dict[str, Column] = {
    column.name: column
    for column in (
        Column("receiveDate", "received", "time"),
        Column("from", "from", "phone"),
        Column("text", "text"),
        Column("simId", "service"),
    )
}
"""The fields of a received message, by their API names, with their titles."""

STAGE_TITLES: dict[str, str] = {
    "insert_to_sent": "inserted → sent",
    "sent_to_delivery": "sent → delivered",
}
"""The latency stages for people, in the words of the message fields they span."""

_REPORT_ONLY = (
    # groups
    Column("account", "account"),
    Column("day", "day"),
    Column("week", "week"),
    Column("month", "month"),
    Column("sender", "sender", "phone"),
    Column("campaign", "campaign"),
    Column("country", "country"),
    Column("partial", "partial", "flag"),
    # delivery
    Column("messages", "messages", "count"),
    Column("delivered", "delivered", "count"),
    Column("not_delivered", "not delivered", "count"),
    Column("not_sent", "not sent", "count"),
    Column("pending", "pending", "count"),
    Column("delivery_rate", "delivery rate", "percent"),
    Column("expected_rate", "expected rate", "percent"),
    Column("expected_low", "expected from", "percent"),
    Column("expected_high", "expected to", "percent"),
    Column("pending_share", "pending share", "percent"),
    Column("share", "share", "percent"),
    # latency
    Column("stage", "stage", values=STAGE_TITLES),
    Column("p50_seconds", "p50", "duration"),
    Column("p90_seconds", "p90", "duration"),
    Column("p99_seconds", "p99", "duration"),
    # cost
    _money("spend", "spend"),
    _money("delivered_spend", "delivered spend"),
    _money("wasted_spend", "wasted spend"),
    _money("pending_spend", "pending spend"),
    _money("avg_price", "avg price", _PRICE),
    _money("price_per_delivered", "price per delivered", _PRICE),
    # encoding and segments
    Column("segments_per_message", "segments per message", "number"),
    Column("ucs2_messages", "UCS-2 messages", "count"),
    Column("ucs2_share", "UCS-2 share", "percent"),
    _money("spend_as_suggested", "spend as suggested"),
    _money("encoding_cost", "cost of encoding"),
    _money("spend_in_one_part", "spend in one part"),
    _money("length_cost", "cost of length"),
    Column("suggested_text", "suggested text"),
    Column("suggested_encoding", "suggested encoding"),
    Column("suggested_segments", "suggested segments", "count"),
    Column("edits", "edits"),
    Column("characters", "characters"),
    Column("parts_saved", "parts saved", "count"),
    _money("credits_saved", "credits saved"),
    # campaigns
    Column("first_send", "first send", "time"),
    Column("last_send", "last send", "time"),
    Column("median_delivery_seconds", "median delivery", "duration"),
    Column("recipients", "recipients", "count"),
    Column("replies", "replies", "count"),
    Column("repliers", "repliers", "count"),
    Column("reply_rate", "reply rate", "percent"),
    Column("median_reply_seconds", "median reply", "duration"),
    Column("p90_reply_seconds", "p90 reply", "duration"),
    Column("opt_outs", "opt-outs", "count"),
    # carriers and send times
    Column("original_carrier", "original carrier"),
    Column("masked", "too few to tell", "flag"),
    Column("weekday", "weekday"),
    Column("hour", "hour", "number"),
    # quiet hours
    Column("local_time", "local time"),
    Column("quiet_reason", "quiet because"),
    # failing numbers
    Column("number", "number", "phone"),
    Column("failures", "failures", "count"),
    Column("first_failure", "first failure", "time"),
    Column("last_failure", "last failure", "time"),
    Column("last_delivered", "last delivered", "time"),
    Column("last_status", "last status"),
    Column("last_status_detail", "reason"),
    # opt-outs and the compliance list
    Column("opted_out_at", "opted out", "time"),
    Column("opt_out_messages", "opt-out messages", "count"),
    Column("sent_after", "sent after", "count"),
    Column("last_sent_after", "last sent after", "time"),
    Column("messaged_after", "messaged after", "flag"),
    Column("opt_out_text", "opt-out text"),
    Column("opted_back_in", "opted back in", "flag"),
    Column("message_class", "class"),
)

REPORT_COLUMNS: dict[str, Column] = {
    **SENT_FIELDS,
    **{column.name: column for column in _REPORT_ONLY},
}
"""Every column a report table may have, by machine name: one title each."""


def columns(*names: str) -> tuple[Column, ...]:
    """The report columns ``names``, in that order.

    Example:
        >>> [column.title for column in columns("campaign", "reply_rate")]
        ['campaign', 'reply rate']
    """
    return tuple(REPORT_COLUMNS[name] for name in names)


def title_of(name: str, known: Mapping[str, Column] = REPORT_COLUMNS) -> str:
    """The title of the column ``name``: its :class:`Column`'s, or for a column of no report
    (a frame of your own) the name with spaces for underscores and no ``_seconds``.

    Example:
        >>> title_of("price_per_delivered"), title_of("insertDate"), title_of("my_own_seconds")
        ('price per delivered', 'inserted', 'my own')
    """
    column = known.get(name)
    if column is not None:
        return column.title
    if name.endswith("_seconds"):
        name = name[: -len("_seconds")]
    return name.replace("_", " ")


def value_title(name: str, value: str, known: Mapping[str, Column] = REPORT_COLUMNS) -> str:
    """The title of ``value`` in the column ``name`` (the value itself when it has none).

    Example:
        >>> value_title("stage", "insert_to_sent"), value_title("country", "IT")
        ('inserted → sent', 'IT')
    """
    column = known.get(name)
    return value if column is None else column.value_title(value)
