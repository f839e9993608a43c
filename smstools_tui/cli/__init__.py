"""The ``smstools-tui`` command line.

Errors end as one line on stderr and a non-zero exit code; ``--debug`` shows the traceback
before it. Whatever reaches stderr (the error line, the log, a traceback) shows control
characters as visible escapes (see :mod:`.terminal`), since much of it quotes the server.

==========  ===========================================================================
exit code   meaning
==========  ===========================================================================
0           done
1           the gateway answered an error (a 5xx: it failed), its answer could not be
            read, the data is incomplete (a fetch that kept changing, a store that does
            not cover the window) or the local store cannot be used
2           bad usage or configuration (an option, a date, an output path, a config file)
3           authentication refused
4           the gateway could not be reached (no connection, a timeout)
70          an unexpected error: a bug (``--debug`` shows where; please report it)
130         interrupted (Ctrl-C); a fetch keeps what it read in ``NAME.partial.EXT``
==========  ===========================================================================
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from ..errors import (
    AccountsFailed,
    AuthenticationError,
    ConfigError,
    FetchCancelled,
    NetworkError,
    SmstoolsError,
)
from .check import FAILURE_EXIT_CODE, check_command
from .common import CommandWithout, connection_options_for, query_options, report_failures
from .config import config_group
from .dashboard import dashboard_command, watch_options
from .export import export_command
from .lint import lint_command
from .login import login_command
from .report import report_group
from .sandbox import config_path_command, sandbox_command
from .sql import sql_command
from .sync import sync_command
from .terminal import VisibleEscapesFormatter, error_line, traceback_lines

__all__ = ["cli", "main"]

PROG = "smstools-tui"

EXIT_CODES = """\b
Exit codes:
  0    done
  1    the gateway answered an error or failed, its answer was unreadable, the data is
       incomplete, or the local store cannot be used
  2    bad usage or configuration
  3    authentication refused
  4    the gateway could not be reached
  70   an unexpected error (a bug: --debug shows where)
  130  interrupted (Ctrl-C)"""


class OptionBeforeCommand(click.UsageError):
    """A command's option given before its name, where only the dashboard's are read."""


@click.group(
    name=PROG,
    invoke_without_command=True,
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--debug", is_flag=True, help="Log every request and show tracebacks.")
@click.version_option(package_name="smstools-tui", prog_name=PROG)
@query_options(())
@connection_options_for(debug=False, out=False)
@watch_options
@click.pass_context
def cli(ctx: click.Context, /, debug: bool, **dashboard: Any) -> None:
    """Reports on the SMS you send and receive through the Smstools gateway.

    With no command, opens the dashboard (the live account with credentials, else the demo)
    with the dashboard's options below: smstools-tui --demo, smstools-tui --window 7d. A
    command takes its own options after its name.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(dashboard_command, **dashboard)
        return
    for param in ctx.command.params:
        if param.name in dashboard and (
            ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE
        ):
            flag = param.opts[0]
            raise OptionBeforeCommand(
                f"{flag} goes after the command's name: smstools-tui "
                f"{ctx.invoked_subcommand} … {flag} (before it, only the dashboard's options)",
                ctx,
            )


cli.add_command(check_command)
cli.add_command(dashboard_command)
cli.add_command(export_command)
cli.add_command(lint_command)
cli.add_command(report_group)
cli.add_command(sandbox_command)
cli.add_command(config_path_command)
cli.add_command(config_group)
cli.add_command(login_command)
cli.add_command(sync_command)
cli.add_command(sql_command)


def _exit_code(error: SmstoolsError) -> int:
    if isinstance(error, AccountsFailed):
        # Several accounts failed alike (a refused key each): their code; else 1.
        codes = {_exit_code(failure) for failure in error.failures.values()}
        return codes.pop() if len(codes) == 1 else 1
    if isinstance(error, ConfigError):
        return 2
    if isinstance(error, AuthenticationError):
        return 3
    if isinstance(error, NetworkError):
        return 4
    if isinstance(error, FetchCancelled):  # on the command line, only Ctrl-C cancels
        return 130
    return 1


def main(argv: list[str] | None = None) -> Any:
    """Run the command line; the console script's entry point."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    _log_to_stderr(debug)
    # A command may fail with one code of its own whatever the reason (check: UNKNOWN, 3).
    failure = getattr(_named_command(args), FAILURE_EXIT_CODE, None)

    def code(usual: int) -> int:
        return failure if failure is not None and usual not in (0, 130) else usual

    try:
        return cli.main(args=args, prog_name=PROG, standalone_mode=False)
    except click.exceptions.Abort:
        _fail("interrupted", 130)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        _fail(usage_line(error, args), code(2))
    except SmstoolsError as error:
        if isinstance(error, AccountsFailed):
            report_failures(error)  # every account's own reason, before the summing-up line
        _fail(error.message, code(_exit_code(error)), error if debug else None)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as error:  # one line, never a traceback, unless --debug
        _fail(
            f"unexpected {type(error).__name__}: {error} (run with --debug for details)",
            code(70),
            error if debug else None,
        )


def usage_line(error: click.ClickException, args: Sequence[str] = ()) -> str:
    """The one line a usage error ends as, with what to do about it: why a command withholds an
    option, else click's own hint (a close spelling), else where the option goes or which
    commands take it, else the help.

    Example:
        >>> try:
        ...     cli.main(["report", "--demo"], prog_name=PROG, standalone_mode=False)
        ... except click.UsageError as error:
        ...     print(usage_line(error))  # doctest: +NORMALIZE_WHITESPACE
        No such option '--demo' for smstools-tui report: it goes after the command's name
        (smstools-tui report delivery … --demo)
    """
    context = error.ctx if isinstance(error, click.UsageError) else None
    if context is None:
        if isinstance(error, click.UsageError):  # a value missing after its option
            return f"{error.format_message()} (see '{_command_path(args)} --help')"
        return error.format_message()
    path, command = context.command_path, context.command
    if isinstance(error, click.exceptions.NoArgsIsHelpError) and isinstance(command, click.Group):
        names = ", ".join(command.list_commands(context))
        return f"{path} needs a command: {names} (see '{path} --help')"
    if isinstance(error, click.NoSuchOption):
        withheld = command.withheld if isinstance(command, CommandWithout) else {}
        if error.option_name in withheld:
            return f"{path} takes no {error.option_name}: {withheld[error.option_name]}"
        if not error.possibilities:
            hint = _option_elsewhere(error.option_name, context)
            if hint is not None:
                return f"No such option {error.option_name!r} for {path}: {hint}"
    if isinstance(error, click.BadParameter | OptionBeforeCommand):
        return error.format_message()  # it says already what to do
    return f"{error.format_message()} (see '{path} --help')"


def _named(args: Sequence[str]) -> list[tuple[str, click.Command]]:
    """The commands the arguments name, from the root down, as far as they do."""
    named: list[tuple[str, click.Command]] = [(PROG, cli)]
    for arg in args:
        command = named[-1][1]
        if not isinstance(command, click.Group) or arg not in command.commands:
            break
        named.append((arg, command.commands[arg]))
    return named


def _command_path(args: Sequence[str]) -> str:
    """The command the arguments name (``smstools-tui report delivery``), as far as they do."""
    return " ".join(name for name, _ in _named(args))


def _named_command(args: Sequence[str]) -> click.Command:
    """The command the arguments name, as far as they do (the root command when none)."""
    return _named(args)[-1][1]


def _option_elsewhere(option: str, context: click.Context) -> str | None:
    """Where ``option``, which the command of ``context`` lacks, goes instead, if anywhere."""
    command, path = context.command, context.command_path
    if isinstance(command, click.Group):
        below = [name for name, sub in _commands(command) if _takes(sub, option)]
        if below:
            return f"it goes after the command's name ({path} {below[0]} … {option})"
    elsewhere = [name for name, sub in _commands(cli) if _takes(sub, option)]
    if not elsewhere:
        return None
    shown = ", ".join(elsewhere[:3]) + (" …" if len(elsewhere) > 3 else "")
    return f"it is an option of {shown} (see '{path} --help')"


def _commands(group: click.Group) -> list[tuple[str, click.Command]]:
    """Every command below ``group``, by its path from there (``report delivery``)."""
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        found.append((name, command))
        if isinstance(command, click.Group):
            found += [(f"{name} {below}", sub) for below, sub in _commands(command)]
    return found


def _takes(command: click.Command, option: str) -> bool:
    return not isinstance(command, click.Group) and any(
        option in param.opts or option in param.secondary_opts for param in command.params
    )


def _log_to_stderr(debug: bool) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(VisibleEscapesFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])
    if not debug:
        logging.getLogger("httpx").setLevel(logging.WARNING)


def _fail(message: str, code: int, cause: BaseException | None = None) -> NoReturn:
    """End with one line on stderr (after the traceback of ``cause``, with --debug)."""
    for line in traceback_lines(cause) if cause is not None else ():
        click.echo(line, err=True)
    click.echo(error_line(PROG, str(message)), err=True)
    sys.exit(code)
