"""The dashboard's header, its fetch bar and its error panel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import ProgressBar, Static

from ..model import format_timestamp
from ..safe_text import visible
from ..views import Dataset, WindowChoice

__all__ = ["AlertBanner", "DashboardHeader", "ErrorPanel", "FetchBar", "describe_age"]


def describe_age(fetched_at: datetime, now: datetime) -> str:
    """How old the data is, in words: ``just now``, ``5 min ago``, ``3 h ago``, ``2 d ago``."""
    seconds = max((now - fetched_at).total_seconds(), 0)
    if seconds < 60:
        return "just now"
    if seconds < 3_600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86_400:
        return f"{int(seconds // 3_600)} h ago"
    return f"{int(seconds // 86_400)} d ago"


class DashboardHeader(Widget):
    """Account, credit, window, freshness and demo/live, in two lines.

    Every value that comes from the account (names, aliases) is shown literally.
    """

    DEFAULT_CSS = """
    DashboardHeader {
        height: auto;
    }
    """

    dataset: reactive[Dataset | None] = reactive(None, always_update=True)
    state: reactive[str] = reactive("")
    """What is happening now: ``loading…``, ``cancelled``, ``refresh failed``; empty when idle."""
    live: reactive[str] = reactive("")
    """Watch mode: ``every 60 s`` while it refreshes by itself, ``paused``; empty when off."""

    def __init__(
        self,
        *,
        source: str,
        choice: WindowChoice,
        clock: Callable[[], datetime],
        zone: tzinfo | None,
        id: str | None = None,  # noqa: A002
    ) -> None:
        super().__init__(id=id)
        self.source = source
        self.choice = choice
        self.clock = clock
        self.zone = zone

    def compose(self) -> ComposeResult:
        yield Static(id="header-top", markup=False)
        yield Static(id="header-bottom", markup=False)

    def on_mount(self) -> None:
        self._render_lines()
        # Freshness is relative, so it has to be redrawn as time passes.
        self.set_interval(30, self._render_lines)

    def watch_dataset(self) -> None:
        self._render_lines()

    def watch_state(self) -> None:
        self._render_lines()

    def watch_live(self) -> None:
        self._render_lines()

    def set_choice(self, choice: WindowChoice) -> None:
        self.choice = choice
        self._render_lines()

    def on_resize(self) -> None:
        self._render_lines()

    def _render_lines(self) -> None:
        if not self.is_mounted:
            return
        width = self.content_size.width
        self.query_one("#header-top", Static).update(_fitting(self._top_lines(), width))
        self.query_one("#header-bottom", Static).update(_fitting(self._bottom_lines(), width))

    def _top_lines(self) -> list[Content]:
        """The account line, from the fullest to the most compact."""
        data = self.dataset
        mode = (
            Content.styled(" DEMO ", "bold reverse $warning")
            if self.source == "demo"
            else Content.styled(" LIVE ", "bold reverse $success")
        )
        brand = Content.styled("smstools", "bold $accent")
        source = (
            Content.styled(f"  {visible(self.source, limit=40)}", "$text-muted")
            if self.source != "demo"
            else Content("")
        )
        account = data.account if data is not None else None
        if account is None:
            who = (
                Content.styled("account unavailable", "$text-muted")
                if data is not None
                else Content.styled("loading…", "$text-muted")
            )
            return [Content.assemble(mode, " ", brand, "  ", who, source)]
        name = Content.styled(visible(account.display_name, limit=40), "bold")
        credit = Content.assemble(
            "credit ",
            (f"{account.credit:,.2f}" if account.credit is not None else "?", "bold"),
        )
        italy = (
            Content(f" (≈ {account.italy_sms:,} SMS to Italy)")
            if account.italy_sms is not None
            else Content("")
        )
        return [
            Content.assemble(mode, " ", brand, "  ", name, "  ", credit, italy, source),
            Content.assemble(mode, " ", brand, "  ", name, "  ", credit, source),
            Content.assemble(mode, " ", name, "  ", credit, source),
        ]

    def _bottom_lines(self) -> list[Content]:
        """The window line, from the fullest to the most compact."""
        data = self.dataset
        # What is wrong comes first, so a narrow terminal never cuts it off.
        alerts: list[Content | str | tuple[str, str]] = []
        if self.live == "paused":
            alerts += [(" ‖ paused ", "bold reverse $warning"), " "]
        elif self.live:
            alerts += [(f" ● live, {self.live} ", "bold reverse $success"), " "]
        if self.state:
            alerts += [(f" {self.state} ", "bold reverse $warning"), " "]
        if data is not None and not data.complete:
            alerts += [(f" INCOMPLETE: {visible(data.problem)} ", "bold reverse $error"), " "]
        if data is None:
            return [Content.assemble(*alerts, f"window: {self.choice.label}")]
        window = data.window
        since = format_timestamp(window.start, self.zone)
        until = format_timestamp(window.end, self.zone)
        age = describe_age(data.fetched_at, self.clock())
        counts = f"{len(data.sent):,} sent, {len(data.received):,} received"
        label = f" ({self.choice.label})"
        return [
            Content.assemble(
                *alerts,
                "window ", (since[:16], "bold"), " → ", (until[:16], "bold"), label,
                "  ·  fetched ", format_timestamp(data.fetched_at, self.zone)[11:],
                f" ({age})  ·  {counts}",
            ),
            Content.assemble(
                *alerts,
                "window ", (since[:16], "bold"), " → ", (until[:16], "bold"), label,
                f" · {age} · {counts}",
            ),
            Content.assemble(
                *alerts,
                (since[:10], "bold"), " → ", (until[:10], "bold"), label, f" · {age} · {counts}",
            ),
        ]  # fmt: skip


def _fitting(variants: list[Content], width: int) -> Content:
    """The first of ``variants`` that fits in ``width`` cells; else the last, which wraps."""
    if width <= 0:
        return variants[0]
    return next((line for line in variants if line.cell_length <= width), variants[-1])


class FetchBar(Horizontal):
    """Shown while a fetch runs: what is read, pages done of total, and how to cancel."""

    DEFAULT_CSS = """
    FetchBar {
        height: 1;
        display: none;
    }
    FetchBar.-active {
        display: block;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="fetch-label", markup=False)
        yield ProgressBar(id="fetch-progress", show_eta=False)
        yield Static(" Esc cancels", id="fetch-hint", markup=False)

    def start(self, what: str) -> None:
        self.add_class("-active")
        self.query_one("#fetch-label", Static).update(f"Reading {what}… ")
        self.query_one(ProgressBar).update(total=None, progress=0)

    def progress(self, what: str, done: int, total: int) -> None:
        self.query_one("#fetch-label", Static).update(f"Reading {what}: {done}/{total} pages ")
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def stop(self) -> None:
        self.remove_class("-active")


class AlertBanner(Static):
    """The rules of the watch policy that are not OK, worst first, until they are again."""

    DEFAULT_CSS = """
    AlertBanner {
        height: auto;
        display: none;
        padding: 0 1;
    }
    AlertBanner.-warning {
        display: block;
        background: $warning 30%;
    }
    AlertBanner.-critical {
        display: block;
        background: $error 30%;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id, markup=False)
        self.lines: list[str] = []

    def show_findings(self, status: str, lines: list[str]) -> None:
        """Show ``lines`` (the findings that are not OK) under ``status``; none hides it."""
        self.lines = lines
        self.remove_class("-warning", "-critical")
        if not lines:
            return
        self.add_class("-critical" if status in ("CRITICAL", "UNKNOWN") else "-warning")
        shown = lines[:3] + ([f"… and {len(lines) - 3} more"] if len(lines) > 3 else [])
        self.update(
            Content.assemble(
                ("⚠ ", "bold"),
                "\n  ".join(visible(line, limit=300) for line in shown),
                ("  · a opens the messages", "italic"),
            )
        )


class ErrorPanel(Static):
    """The last failure, in words, until the next load succeeds; the data on screen stays."""

    DEFAULT_CSS = """
    ErrorPanel {
        height: auto;
        display: none;
    }
    ErrorPanel.-active {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("", id=id, markup=False)
        self.message = ""

    def show_error(self, title: str, message: str, hint: str) -> None:
        self.message = message
        self.update(
            Content.assemble(
                (f"⚠ {title}: ", "bold"), visible(message, limit=400), "\n", (hint, "italic")
            )
        )
        self.add_class("-active")

    def clear(self) -> None:
        self.message = ""
        self.remove_class("-active")
