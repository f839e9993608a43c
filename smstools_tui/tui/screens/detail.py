"""The detail of one message: full text, every timestamp, latency, cost, and its replies."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any, ClassVar

import pandas as pd
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..model import STATUS_STYLES, format_duration, format_timestamp
from ..safe_text import visible

__all__ = ["MessageDetail", "describe_message"]

Part = Content | str | tuple[str, str]


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


def describe_message(
    record: Mapping[str, Any],
    *,
    kind: str,
    zone: tzinfo | None,
    related: pd.DataFrame | None = None,
    replied: Mapping[str, Any] | None = None,
) -> Content:
    """The detail of a sent (``kind="sent"``) or received message as one block of content.

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
        lines.append(_field("to", visible(record.get("to"))))
        lines.append(_field("sender", visible(record.get("from"))))
        lines.append(_field("campaign", visible(record.get("transactionId")) or "–"))
        price = record.get("price")
        lines.append(_field("cost", f"{price:.4f} credit" if price is not None else "–"))
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
    else:
        lines.append(Content.styled("Received message", "bold"))
        lines.append(Content(""))
        lines.append(_field("from", visible(record.get("from"))))
        lines.append(_field("received", _when(record.get("receiveDate"), zone)))
        lines.append(_field("service", visible(record.get("simId")) or "–"))
    text = visible(record.get("text"), keep_newlines=True)
    lines.append(Content(""))
    lines.append(Content.styled(f"Text ({len(str(record.get('text') or ''))} characters)", "bold"))
    lines.append(Content(text) if text else Content.styled("(empty)", "$text-muted"))

    if kind == "sent":
        lines.append(Content(""))
        count = 0 if related is None else len(related)
        lines.append(Content.styled(f"Replies ({count})", "bold"))
        if related is not None:
            for _, reply in related.head(50).iterrows():
                lines.append(
                    Content.assemble(
                        (_when(reply["receiveDate"], zone)[:19], "$text-muted"),
                        "  ",
                        visible(reply["text"], limit=200),
                    )
                )
            if count > 50:
                lines.append(Content.styled(f"… and {count - 50} more", "$text-muted"))
    else:
        lines.append(Content(""))
        lines.append(Content.styled("In reply to", "bold"))
        if replied is None:
            lines.append(
                Content.styled("no earlier message to this number in the window", "$text-muted")
            )
        else:
            lines.append(
                Content.assemble(
                    (_when(replied.get("insertDate"), zone)[:19], "$text-muted"),
                    "  ",
                    visible(replied.get("text"), limit=200),
                    ("  ", ""),
                    (visible(replied.get("transactionId")) or "", "$text-muted"),
                )
            )
    return Content("\n").join(lines)


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
