"""``smstools-tui check``: evaluate a policy's rules on the account, for monitoring.

Exit codes follow the monitoring convention: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the check
could not run: no credentials, no network, a bad policy, a bad option).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import click

from ..accounts import for_each_account
from ..analysis import ComplianceRules
from ..config import config_file_path, load_compliance
from ..errors import ConfigError, SmstoolsError
from ..monitor import EXIT_CODES, CheckResult, Finding, Policy, evaluate
from ..notify import CheckState, changed, send_notification
from ..report.tables import printable
from ..source import MessageSource
from ..store import StoredClient
from .common import ConnectionOptions, all_accounts_option, connection_options_for

__all__ = ["check_command", "default_policy_path"]

STATE_FILE = "check-state.json"
FAILURE_EXIT_CODE = "failure_exit_code"
"""The attribute of a command whose failures all end with one exit code (see ``main``)."""


def default_policy_path() -> Path:
    """``policy.toml`` beside the config file."""
    return config_file_path().with_name("policy.toml")


def _state_path(source: MessageSource | None, given: Path | None) -> Path:
    if given is not None:
        return given
    if isinstance(source, StoredClient) and isinstance(source.store.path, Path):
        return source.store.path / STATE_FILE  # (a store on object storage: the default)
    label = "demo" if source is not None and source.is_demo else "default"
    return config_file_path().with_name(f"check-state-{label}.json")


def _print(result: CheckResult, as_json: bool) -> None:
    if as_json:
        click.echo(result.dumps())
    else:
        for line in result.lines():
            click.echo(printable(line))


@click.command("check")
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="The policy file (TOML). Default: policy.toml beside the config file.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print {"status": …, "rules": [one entry per rule and group]}.',
)
@click.option(
    "--notify",
    "notify_urls",
    multiple=True,
    metavar="URL",
    help="An apprise URL (mailto://, slack://, msteams://, tgram://, json://host/path "
    "…) told when a rule's status changes; repeatable.",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Where the last check's statuses are kept. Default: beside the store.",
)
@connection_options_for(out=False)
@all_accounts_option
def check_command(
    policy_path: Path | None,
    as_json: bool,
    notify_urls: tuple[str, ...],
    state_path: Path | None,
    **kwargs: Any,
) -> None:
    """Check the account against a policy: delivery rate, latency, pending share, wasted
    spend, credit, sends after opt-out, encoding. One line per rule (and group) on stdout.

    \b
    Exit codes (the monitoring convention):
      0  OK        1  WARNING        2  CRITICAL
      3  UNKNOWN: the check could not run (no credentials, no network, a bad policy)

    \b
    Examples:
      smstools-tui check --policy policy.toml
      smstools-tui check --offline --json
      smstools-tui check --notify json://127.0.0.1:8080/alerts --notify mailto://me:pw@example.com
      smstools-tui check --all-accounts        # each [accounts.NAME]; the worst status
    """
    source: MessageSource | None = None
    try:
        policy = Policy.load(policy_path or default_policy_path())
        compliance = load_compliance()  # sends after an opt-out count by the config's rules
        options = ConnectionOptions.from_kwargs(kwargs)
        if options.all_accounts:
            if state_path is not None:
                raise ConfigError("--state names one account's state: with --all-accounts "
                                  "each account keeps its own beside its store")  # fmt: skip
            _check_accounts(options, policy, compliance, as_json, notify_urls)
        source = options.client()
        with source:
            result = evaluate(policy, source, keywords=compliance)
            account = source.account().display_name if not source.is_demo else "demo"
    except SmstoolsError as error:
        result, account = CheckResult((), error=" ".join(error.message.split())), "smstools"
    _print(result, as_json)
    if notify_urls:
        _notify(result, notify_urls, _state_path(source, state_path), account)
    elif result.error is None:
        _keep(result, _state_path(source, state_path))
    sys.exit(EXIT_CODES[result.status])


# To a scheduler a check that could not run is UNKNOWN, whatever stopped it: a bad option too.
setattr(check_command, FAILURE_EXIT_CODE, EXIT_CODES["UNKNOWN"])


def _check_accounts(
    options: ConnectionOptions,
    policy: Policy,
    compliance: ComplianceRules,
    as_json: bool,
    notify_urls: tuple[str, ...],
) -> NoReturn:
    """Check every named account, a few at a time, each against the same policy; every
    finding's group is qualified by its account (``acme`` or ``acme/IT``). An account that
    cannot be checked is UNKNOWN on a line of its own; the exit code is the worst status."""
    names = options.account_names()

    def check_one(name: str) -> tuple[MessageSource, CheckResult]:
        source = options.account_client(name)
        with source:
            return source, evaluate(policy, source, keywords=compliance)

    checked, failures = for_each_account(names, check_one)
    findings: list[Finding] = []
    for name in names:
        if name not in checked:
            continue
        source, result = checked[name]
        # Each account's state (what a change of status is judged on) stays beside its store.
        if notify_urls:
            _notify(result, notify_urls, _state_path(source, None), name)
        elif result.error is None:
            _keep(result, _state_path(source, None))
        findings += [
            replace(finding, group=f"{name}/{finding.group}" if finding.group else name)
            for finding in result.findings
        ]
    combined = CheckResult(tuple(findings))
    status = "UNKNOWN" if failures else combined.status
    if as_json:
        answer = {**combined.to_json(), "status": status}
        if failures:
            answer["failed_accounts"] = {name: error.message for name, error in failures.items()}
        click.echo(json.dumps(answer, ensure_ascii=False))
    else:
        for line in combined.lines():
            click.echo(printable(line))
        for name, error in failures.items():
            click.echo(printable(f"UNKNOWN account {name}: {error.message}"))
    sys.exit(EXIT_CODES[status])


def _notify(result: CheckResult, urls: tuple[str, ...], path: Path, account: str) -> None:
    previous = CheckState.load(path)
    current = CheckState.of(result)
    if not changed(previous, current):
        return
    try:
        delivered = send_notification(urls, result, account)
    except SmstoolsError as error:
        click.echo(f"smstools-tui: warning: {printable(error.message)}", err=True)
        return
    if not delivered:
        # The state stays as it was: the next check tells the change again.
        click.echo("smstools-tui: warning: a notification could not be sent", err=True)
        return
    if result.error is None:
        _keep(current, path)
    else:  # what the rules found last stays the reference for when the check runs again
        _keep(CheckState(result.status, previous.findings if previous else {}), path)


def _keep(state: CheckResult | CheckState, path: Path) -> None:
    if isinstance(state, CheckResult):
        state = CheckState.of(state)
    try:
        state.save(path)
    except OSError as error:
        click.echo(f"smstools-tui: warning: cannot keep the check's state in {path}: "
                   f"{error.strerror or error}", err=True)  # fmt: skip
