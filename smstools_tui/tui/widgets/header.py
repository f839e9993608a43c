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

__all__ = ["DashboardHeader", "ErrorPanel", "FetchBar", "describe_age"]


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
        height: 2;
    }
    """

    dataset: reactive[Dataset | None] = reactive(None, always_update=True)
    state: reactive[str] = reactive("")
    """What is happening now: ``loading…``, ``cancelled``, ``refresh failed``; empty when idle."""

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

    def set_choice(self, choice: WindowChoice) -> None:
        self.choice = choice
        self._render_lines()

    def _render_lines(self) -> None:
        if not self.is_mounted:
            return
        data = self.dataset
        mode = (
            Content.styled(" DEMO ", "bold reverse $warning")
            if self.source == "demo"
            else Content.styled(" LIVE ", "bold reverse $success")
        )
        account = data.account if data is not None else None
        who: Content
        if account is not None:
            who = Content.assemble(
                (visible(account.display_name, limit=40), "bold"),
                "  credit ",
                (f"{account.credit:,.2f}" if account.credit is not None else "?", "bold"),
            )
            if account.italy_sms is not None:
                who = who + Content(f" (≈ {account.italy_sms:,} SMS to Italy)")
        elif data is not None:
            who = Content.styled("account unavailable", "$text-muted")
        else:
            who = Content.styled("loading…", "$text-muted")
        top = Content.assemble(mode, " ", Content.styled("smstools", "bold $accent"), "  ", who)
        if self.source != "demo":
            top = top + Content.styled(f"  {visible(self.source, limit=40)}", "$text-muted")
        self.query_one("#header-top", Static).update(top)

        # What is wrong comes first, so a narrow terminal never cuts it off.
        parts: list[Content | str | tuple[str, str]] = []
        if self.state:
            parts += [(f" {self.state} ", "bold reverse $warning"), " "]
        if data is not None and not data.complete:
            parts += [(f" INCOMPLETE: {visible(data.problem)} ", "bold reverse $error"), " "]
        if data is not None:
            window = data.window
            parts += [
                "window ",
                (format_timestamp(window.start, self.zone)[:16], "bold"),
                " → ",
                (format_timestamp(window.end, self.zone)[:16], "bold"),
                f" ({self.choice.label})  ·  fetched ",
                format_timestamp(data.fetched_at, self.zone)[11:],
                f" ({describe_age(data.fetched_at, self.clock())})",
                f"  ·  {len(data.sent):,} sent, {len(data.received):,} received",
            ]
        else:
            parts.append(f"window: {self.choice.label}")
        self.query_one("#header-bottom", Static).update(Content.assemble(*parts))


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
