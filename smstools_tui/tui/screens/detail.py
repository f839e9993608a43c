"""The detail of one message: full text, every timestamp, latency, cost, and its replies (or, for
a received message, the message it answers), matched by the analysis core's rule; or a report
row's fields for people (formatted as the command line and the HTML report format them), with
the messages the row stands for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, ClassVar

import pandas as pd
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...analysis import DEFAULT_REPLY_WINDOW
from ...errors import ConfigError
from ...frames import is_missing
from ...msisdn import display_number
from ...query import Query
from ...report.tables import MISSING, column_title, display_frame
from ...segments import GSM_7, segment, suggest
from ..model import STATUS_STYLES, ColumnSpec, format_duration, format_timestamp
from ..safe_text import visible
from ..state import Detail

__all__ = ["MessageDetail", "describe_detail", "describe_message", "describe_row", "marked_text"]

Part = Content | str | tuple[str, str]

REPLY_HOURS = round(DEFAULT_REPLY_WINDOW.total_seconds() / 3600)
"""How long after a message a reply counts for it (the reports' rule), in hours."""


def _when(value: Any, zone: tzinfo | None) -> str:
    if value is None:
        return "–"
    moment = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    if not isinstance(moment, datetime):
        return visible(value)
    return f"{format_timestamp(moment, zone)}  ({moment.astimezone(zone).strftime('%Z')})"


def _gap(start: Any, end: Any) -> str:
    if start is None or end is None:
        return ""
    return format_duration((end - start).total_seconds())


def _field(label: str, value: Part, *, muted: str = "") -> Content:
    parts: list[Part] = [(f"{label:<12}", "bold $text-muted"), value]
    if muted:
        parts.append((f"  {muted}", "$text-muted"))
    return Content.assemble(*parts)


def _number(value: Any) -> str:
    """A phone number as every table shows it (E.164, or as written and marked)."""
    return "" if is_missing(value) else visible(display_number(str(value)))


def _reply_tags(in_window: Any, opt_out: Any) -> list[Part]:
    tags: list[Part] = []
    if opt_out:
        tags += ["  ", (" opt-out ", "bold reverse $warning")]
    if in_window is not None and not in_window:
        tags += ["  ", (f"after the {REPLY_HOURS} h reply window", "$text-muted")]
    return tags


def describe_message(
    record: Mapping[str, Any],
    *,
    kind: str,
    zone: tzinfo | None,
    replies: pd.DataFrame | None = None,
    replied: Mapping[str, Any] | None = None,
    match: Mapping[str, Any] | None = None,
    opted_out: Mapping[str, Any] | None = None,
    unmatched: str | None = None,
) -> Content:
    """The detail of a sent (``kind="sent"``) or received message as one block of content.

    Args:
        record: the message's fields.
        kind: ``sent`` or ``received``.
        zone: the zone times are shown in.
        replies: for a sent message, the received messages answering it (rows of
            :func:`~smstools_tui.analysis.match_replies`); ``None`` while they are matched.
        replied: for a received message, the sent message it answers (``None``: none).
        match: for a received message, its row of ``match_replies`` (``None`` while matching).
        opted_out: for a sent message on the compliance list, when and how its number had
            opted out before it was sent.
        unmatched: why the replies could not be matched (instead of the replies).

    Every value from the message is shown literally (see :func:`visible`); the text keeps its
    line breaks.
    """
    lines: list[Content] = []
    if kind == "sent":
        status = record.get("status")
        status_text = visible(status) if status is not None else "unknown"
        lines.append(
            Content.assemble(
                ("Sent message ", "bold"),
                (visible(record.get("id")), "bold"),
                "  ",
                (f" {status_text} ", f"reverse {STATUS_STYLES.get(status_text, '')}".strip()),
            )
        )
        lines.append(Content(""))
        lines.append(_field("to", _number(record.get("to"))))
        lines.append(_field("sender", _number(record.get("from"))))
        lines.append(_field("campaign", visible(record.get("transactionId")) or "–"))
        price = record.get("price")
        lines.append(_field("cost", f"{price:.4f} credit" if price is not None else "–"))
        if record.get("text") is not None:
            lines.append(_parts_field(str(record["text"]), price))
        lines.append(_field("type", visible(record.get("type")) or "–"))
        if record.get("statusDetail") is not None:
            lines.append(_field("reason", visible(record.get("statusDetail"))))
        inserted, sent, delivered = (
            record.get("insertDate"),
            record.get("sentDate"),
            record.get("deliveryDate"),
        )
        lines.append(_field("inserted", _when(inserted, zone)))
        lines.append(
            _field(
                "sent",
                _when(sent, zone),
                muted=_gap(inserted, sent) and f"+{_gap(inserted, sent)} after insert",
            )
        )
        lines.append(
            _field(
                "delivered",
                _when(delivered, zone),
                muted=_gap(sent, delivered) and f"+{_gap(sent, delivered)} after sending",
            )
        )
        total = _gap(inserted, delivered)
        lines.append(_field("latency", f"{total} insert → delivery" if total else "–"))
        if opted_out is not None:
            lines.append(
                Content.assemble(
                    ("⚠ sent after its number opted out: ", "bold $warning"),
                    _when(opted_out.get("opted_out_at"), zone)[:19],
                    "  ",
                    visible(opted_out.get("opt_out_text"), limit=120),
                )
            )
    else:
        lines.append(Content.styled("Received message", "bold"))
        lines.append(Content(""))
        lines.append(_field("from", _number(record.get("from"))))
        lines.append(_field("received", _when(record.get("receiveDate"), zone)))
        lines.append(_field("service", visible(record.get("simId")) or "–"))
    text = visible(record.get("text"), keep_newlines=True)
    lines.append(Content(""))
    lines.append(Content.styled(f"Text ({len(str(record.get('text') or ''))} characters)", "bold"))
    if kind == "sent" and text:
        lines += marked_text(str(record["text"]))
    else:
        lines.append(Content(text) if text else Content.styled("(empty)", "$text-muted"))

    lines.append(Content(""))
    if unmatched is not None:
        lines += [
            Content.styled("Replies" if kind == "sent" else "In reply to", "bold"),
            Content.styled(
                f"replies could not be matched: {visible(unmatched, limit=300)}", "$error"
            ),
        ]
    elif kind == "sent":
        lines += _replies_section(replies, record.get("sentDate"), zone)
    else:
        lines += _answers_section(replied, match, zone)
    return Content("\n").join(lines)


def _unit(encoding: str) -> str:
    return "septets" if encoding == GSM_7 else "UTF-16 units"


def _parts_field(text: str, price: Any) -> Content:
    result = segment(text)
    per_part = (
        f"  {price / result.segments:.4f} credit a part"
        if price is not None and not pd.isna(price)
        else ""
    )
    return _field(
        "parts",
        f"{result.segments} × {result.encoding}",
        muted=f"{result.units} {_unit(result.encoding)}{per_part}",
    )


def marked_text(text: str) -> list[Content]:
    """A sent message's text as the gateway splits it: each part under a rule saying its number
    and size, the characters that forced UCS-2 marked, then the cheaper spelling when there is
    one (see :func:`~smstools_tui.segments.suggest`). Every character is shown literally.

    Example:
        >>> lines = marked_text("Saldi d’inverno! " * 5)
        >>> lines[0].plain, len(lines[1].plain), lines[2].plain
        ('── part 1 of 2 · 67 UTF-16 units ──', 67, '── part 2 of 2 · 18 UTF-16 units ──')
        >>> [lines[1].plain[span.start:span.end] for span in lines[1].spans]
        ['’', '’', '’', '’']
        >>> lines[-2].plain
        "Cheaper: GSM-7 in 1 part instead of 2 (curly apostrophes ’ → ')"
    """
    result = segment(text)
    marked = {found.index for found in result.offending}
    lines: list[Content] = []
    parts = zip(result.part_starts, result.parts, result.part_units, strict=True)
    for number, (start, part, units) in enumerate(parts, 1):
        if result.segments > 1:
            lines.append(
                Content.styled(
                    f"── part {number} of {result.segments} · {units} {_unit(result.encoding)} ──",
                    "$text-muted",
                )
            )
        pieces: list[Part] = []
        run_start = 0
        for offset, char in enumerate(part):
            if start + offset in marked:
                pieces.append(visible(part[run_start:offset], keep_newlines=True))
                pieces.append((visible(char) or char, "bold reverse $warning"))
                run_start = offset + 1
        pieces.append(visible(part[run_start:], keep_newlines=True))
        lines.append(Content.assemble(*pieces))
    suggestion = suggest(text)
    if suggestion is not None:
        after = suggestion.segmentation
        edits = ", ".join(
            f"{visible(edit.name)} {visible(edit.characters)} → {edit.replacement or 'removed'}"
            for edit in suggestion.substitutions
        )
        lines.append(
            Content.styled(
                f"Cheaper: {after.encoding} in {after.segments} part"
                f"{'s' if after.segments != 1 else ''} instead of {result.segments} ({edits})",
                "bold $success",
            )
        )
        lines.append(Content(visible(suggestion.text, keep_newlines=True)))
    return lines


MONEY_UNIT = "credits"
"""What the gateway's prices and spend are counted in."""


def describe_row(
    record: Mapping[str, Any],
    *,
    specs: Sequence[ColumnSpec] = (),
    zone: tzinfo | None = None,
    drill: Query | None = None,
) -> Content:
    """A report row as ``title  value`` lines for people: the reports' column titles, percentages,
    durations, counts with separators and times in ``zone`` as every report formats them
    (:func:`~smstools_tui.report.tables.display_frame`), money with its unit; then the messages
    the row stands for (``drill``): what they are and the command line that exports them.

    Args:
        record: the row's fields.
        specs: the table's columns: their order and kinds (a column not among them comes
            after).
        zone: the zone times are shown in (default: UTC).
        drill: the query Enter opens from this row, if any.

    Every value is shown literally (escapes visible, never markup).

    Example:
        >>> from smstools_tui.tui.model import ColumnSpec
        >>> row = {"campaign": "[b]promo[/b]", "delivery_rate": 0.909090, "spend": 12.3456,
        ...        "median_reply_seconds": 171.0, "messages": 1234}
        >>> specs = [ColumnSpec("spend", "spend", kind="money")]
        >>> print(describe_row(row, specs=specs).plain)
        spend            12.35 credits
        campaign         [b]promo[/b]
        delivery rate    90.9%
        median reply     2 min 51 s
        messages         1,234
    """
    titles = {spec.name: spec.title for spec in specs}
    kinds = {spec.name: spec.kind for spec in specs}
    names = [name for name in titles if name in record]
    names += [name for name in record if name not in titles]
    shown = display_frame(pd.DataFrame([{name: record[name] for name in names}]), tz=zone,
                          text_limit=None).iloc[0]  # fmt: skip
    # The reports' titles, unambiguous where a table's short header is not ("delivered").
    labels = {name: column_title(name) for name in names}
    width = max((len(label) for label in labels.values()), default=0) + 4
    lines = []
    for name in names:
        value = record[name]
        # Texts as the dashboard's tables show them (escapes as symbols), figures as reports do.
        text = visible(value, keep_newlines=True) if isinstance(value, str) else str(shown[name])
        if text != MISSING and kinds.get(name) == "money":
            text += f" {MONEY_UNIT}"
        elif text != MISSING and isinstance(value, datetime):
            text += f"  ({pd.Timestamp(value).tz_convert(zone or 'UTC').strftime('%Z')})"
        lines.append(Content.assemble((f"{labels[name]:<{width}}", "bold $text-muted"), text))
    if drill is not None:
        lines += [Content(""), *_drill_section(drill, zone)]
    return Content("\n").join(lines)


def _drill_section(query: Query, zone: tzinfo | None) -> list[Content]:
    try:
        command = query.to_cli()
    except ConfigError:
        command = "no command line takes a relation yet (replies, opt-outs)"
    return [
        Content.styled("Messages behind this row (Enter opens them)", "bold"),
        Content(visible(query.describe(zone), limit=400)),
        Content.styled(visible(command, limit=600), "$text-muted"),
    ]


def describe_detail(detail: Detail, zone: tzinfo | None) -> Content:
    """What the detail view shows for ``detail``: a message, or a report row's fields."""
    if detail.kind is None:
        return describe_row(detail.record, specs=detail.columns, zone=zone, drill=detail.drill)
    return describe_message(
        detail.record,
        kind=detail.kind,
        zone=zone,
        replies=detail.replies,
        replied=detail.replied,
        match=detail.match,
        opted_out=detail.opted_out,
        unmatched=detail.unmatched,
    )


def _replies_section(
    replies: pd.DataFrame | None, sent_at: Any, zone: tzinfo | None
) -> list[Content]:
    if replies is None:
        return [
            Content.styled("Replies", "bold"),
            Content.styled(
                "still being matched; open the message again in a moment", "$text-muted"
            ),
        ]
    lines = [Content.styled(f"Replies ({len(replies)})", "bold")]
    if replies.empty:
        lines.append(
            Content.styled("none: no later message from this number answers it", "$text-muted")
        )
    for _, reply in replies.head(50).iterrows():
        after = _gap(sent_at, reply["receiveDate"])
        lines.append(
            Content.assemble(
                (_when(reply["receiveDate"], zone)[:19], "$text-muted"),
                (f"  +{after}" if after else "", "$text-muted"),
                "  ",
                visible(reply["text"], limit=200),
                *_reply_tags(reply["in_window"], reply["opt_out"]),
            )
        )
    if len(replies) > 50:
        lines.append(Content.styled(f"… and {len(replies) - 50} more", "$text-muted"))
    return lines


def _answers_section(
    replied: Mapping[str, Any] | None, match: Mapping[str, Any] | None, zone: tzinfo | None
) -> list[Content]:
    lines = [Content.styled("In reply to", "bold")]
    if match is None:
        lines.append(
            Content.styled("still being matched; open the message again in a moment", "$text-muted")
        )
        return lines
    if replied is None:
        lines.append(
            Content.styled(
                "no message was sent to this number before it, in the window", "$text-muted"
            )
        )
        if match.get("opt_out"):
            lines.append(Content.assemble((" opt-out ", "bold reverse $warning")))
        return lines
    seconds = match.get("reply_seconds")
    lines.append(
        Content.assemble(
            (_when(replied.get("insertDate"), zone)[:19], "$text-muted"),
            "  ",
            (f"message {visible(replied.get('id'))}", "bold"),
            "  ",
            (visible(replied.get("transactionId")) or "no campaign", "$text-muted"),
        )
    )
    lines.append(Content(visible(replied.get("text"), limit=400)))
    answered = format_duration(float(seconds)) if seconds is not None else ""
    lines.append(
        Content.assemble(
            ("answered ", "$text-muted"),
            (answered or "–", "bold"),
            (" after it was sent", "$text-muted"),
            *_reply_tags(match.get("in_window"), match.get("opt_out")),
        )
    )
    return lines


class MessageDetail(ModalScreen[None]):
    """A dialog with one message's detail; Esc or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close"),
    ]

    def __init__(self, content: Content, *, title: str = "Message") -> None:
        super().__init__()
        self.content = content
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-body") as body:
            body.border_title = self.title_text
            body.border_subtitle = "Esc closes"
            yield Static(self.content, id="detail-content", markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
