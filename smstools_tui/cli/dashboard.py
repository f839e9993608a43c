"""``smstools-tui dashboard``: the terminal dashboard (also what ``smstools-tui`` alone opens).

While the full-screen app runs, nothing may write to the terminal under it: the log goes to a
file with ``--debug`` (:func:`debug_log_path`, said on stderr before the app starts and after it
ends, and in the app's help), and warnings are held and written to stderr once the app has ended.
"""

from __future__ import annotations

import collections
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import platformdirs

from ..config import APP_NAME, find_view, load_compliance, load_display_zone, load_quiet_hours
from ..dates import resolve_zone
from ..errors import ConfigError
from ..monitor import Policy
from ..query import WindowExpr
from ..report.tables import printable
from .check import default_policy_path
from .common import (
    CommandWithout,
    ConnectionOptions,
    QueryOptions,
    all_accounts_option,
    apply_number_format,
    connection_options_for,
    end_accounts,
    query_options,
)
from .terminal import VisibleEscapesFormatter

__all__ = [
    "HeldRecords",
    "dashboard_command",
    "debug_log_path",
    "open_debug_log",
    "quiet_terminal",
    "watch_options",
]

HELD_RECORDS = 200
"""Warnings kept while the app runs, the latest; they are written out when it ends."""

_lingering: list[logging.Handler] = []
"""The last session's debug log, kept open after its app ended for the workers still winding
down; the next session in the same process closes it."""


def debug_log_path() -> Path:
    """Where ``--debug`` writes the dashboard's log: ``dashboard.log`` in the platform's user
    log folder (``~/.local/state/smstools-tui/log`` on Linux)."""
    return Path(platformdirs.user_log_dir(APP_NAME)) / "dashboard.log"


def open_debug_log(path: Path) -> logging.Handler:
    """A handler writing to ``path``, readable by the user alone (0600), for this session only:
    the previous session's log moves to ``NAME.1``. Server text in a record shows its escapes.

    Raises:
        ConfigError: the file cannot be written.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "log" / "dashboard.log"
        >>> handler = open_debug_log(path)
        >>> record = logging.makeLogRecord({"msg": "answered %s", "args": ("\\x1b]0;x\\x07",)})
        >>> handler.handle(record)
        True
        >>> handler.close()
        >>> path.read_text().split(": ", 1)[1], oct(path.stat().st_mode & 0o777)
        ('answered \\\\x1b]0;x\\\\x07\\n', '0o600')
    """
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.exists():
            os.replace(path, path.with_name(path.name + ".1"))
        # O_NOFOLLOW: a link planted in the log's place is refused, never written through.
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        handle = os.open(path, flags, 0o600)
        os.fchmod(handle, 0o600)  # whatever the umask, and a file that was there before
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(
            f"cannot write the debug log {path}: {path.parent} is not a folder"
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot write the debug log {path}: {error.strerror or error}") from None
    handler = logging.StreamHandler(open(handle, "w", encoding="utf-8"))  # noqa: SIM115
    handler.setFormatter(VisibleEscapesFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


class HeldRecords(logging.Handler):
    """Keeps the latest ``capacity`` records of ``level`` and above, to write out later."""

    def __init__(self, capacity: int = HELD_RECORDS, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.records: collections.deque[logging.LogRecord] = collections.deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def quiet_terminal(debug: bool) -> Iterator[Path | None]:
    """While inside, log nothing to the terminal: with ``debug`` everything goes to the debug
    log (whose path is yielded, and said on stderr before and after; it stays the log's home
    until the process ends), and warnings (Python's too) are held and written to stderr on the
    way out."""
    root = logging.getLogger()
    while _lingering:
        old = _lingering.pop()
        root.removeHandler(old)
        old.close()
    terminal = [
        handler
        for handler in root.handlers
        if isinstance(handler, logging.StreamHandler)
        and not isinstance(handler, logging.FileHandler | HeldRecords)
    ]
    held = HeldRecords()
    log_file: logging.Handler | None = None
    path: Path | None = None
    if debug:
        path = debug_log_path()
        log_file = open_debug_log(path)
        click.echo(f"smstools-tui: the debug log goes to {printable(str(path))}", err=True)
    for handler in terminal:
        root.removeHandler(handler)
    root.addHandler(held)
    if log_file is not None:
        root.addHandler(log_file)
    # The app swallows what is printed while it runs: a Python warning becomes a record too.
    logging.captureWarnings(True)
    try:
        yield path
    finally:
        logging.captureWarnings(False)
        root.removeHandler(held)
        if log_file is not None:
            _lingering.append(log_file)
        for handler in terminal:
            if log_file is not None:
                # Workers still winding down (a body being read when the app closed) keep
                # logging: their lines go on to the debug log, only warnings to the terminal.
                handler.setLevel(max(handler.level, logging.WARNING))
            root.addHandler(handler)
            for record in held.records:
                if record.levelno >= handler.level:
                    handler.handle(record)
        if path is not None:
            click.echo(f"smstools-tui: the debug log is in {printable(str(path))}", err=True)


F = TypeVar("F", bound=Callable[..., Any])


def watch_options(command: F) -> F:
    """``--watch SECONDS`` and ``--policy FILE``: the dashboard's, and the root command's."""
    command = click.option(
        "--policy", "policy_path", type=click.Path(path_type=Path, dir_okay=False),
        metavar="FILE", help="The check's policy: rules not OK show as a banner (a opens their "
        "messages). Default: policy.toml beside the config file, when there is one.",
    )(command)  # fmt: skip
    return click.option(
        "--watch", type=click.FloatRange(5), metavar="SECONDS",
        help="Refresh by itself every SECONDS (at least 5), an incremental sync each time; l "
        "pauses and resumes.",
    )(command)  # fmt: skip


_FILTERS_INSIDE = (
    "the dashboard's filters are set inside it (or saved in a view: --view NAME); "
    "smstools-tui export takes it"
)


@click.command(
    "dashboard",
    cls=CommandWithout,
    withheld={
        "--out": "the dashboard exports from inside (press e); smstools-tui export writes a file",
        **{
            option: _FILTERS_INSIDE
            for option in ("--status", "--campaign", "--id", "--number", "--msisdn", "--sender",
                           "--country", "--text", "--service")
        },
    },
)  # fmt: skip
@query_options(())
@connection_options_for(out=False)
@all_accounts_option
@watch_options
@click.pass_context
def dashboard_command(
    ctx: click.Context, /, watch: float | None, policy_path: Path | None, **kwargs: Any
) -> None:
    """Open the dashboard: the account at a glance, drill-down tables, filters and export.

    With credentials it shows the live account; without (or with --demo), the built-in demo
    data, and says so in the header. Press ? inside for every key. A --view's filters scope
    what the dashboard loads, whatever window is picked. The theme and the last window picked
    inside are remembered for the next time (--since/--until/--window win over it); with
    --debug the log goes to a file, named on stderr.

    \b
    Examples:
      smstools-tui
      smstools-tui dashboard --window last-month
      smstools-tui dashboard --since 2026-11-01 --until 2026-11-30
      smstools-tui dashboard --demo --view failed-last-month
      smstools-tui dashboard --watch 60 --policy policy.toml
      smstools-tui dashboard --all-accounts    # every [accounts.NAME] side by side
    """
    debug = bool(kwargs.get("debug")) or bool(ctx.find_root().params.get("debug"))
    options = ConnectionOptions.from_kwargs(kwargs)
    asked = QueryOptions.from_kwargs(kwargs)
    window = WindowExpr.asked(asked.since, asked.until, asked.window)
    saved = find_view(asked.view) if asked.view is not None else None
    default_policy = default_policy_path()
    if policy_path is None and default_policy.exists():
        policy_path = default_policy
    policy = Policy.load(policy_path) if policy_path is not None else None
    # Read before the screen is taken: an error in the file is one line, not a broken screen.
    compliance = load_compliance()
    quiet_hours = load_quiet_hours()
    apply_number_format()
    shown_zone = load_display_zone()
    zone = resolve_zone(shown_zone) if shown_zone else None
    # Textual is imported here, not at the top: the other commands never load it.
    from ..tui import make_app
    from ..tui.remembered import SettingsFile, default_settings_path
    from ..tui.views import default_reports

    # Several accounts: Costs groups by account too (the tables show the account column).
    reports = (
        default_reports(zone, compliance, quiet_hours, accounts=True)
        if options.all_accounts
        else None
    )

    with options.client(demo_without_credentials=True) as client:
        remember = SettingsFile(default_settings_path())
        with quiet_terminal(debug) as log_file:
            app = make_app(
                client,
                window=window,
                view=saved,
                remember=remember,
                log_file=log_file,
                compliance=compliance,
                quiet_hours=quiet_hours,
                zone=zone,
                watch=watch,
                policy=policy,
                reports=reports,
            )
            app.run()
        end_accounts(client)
