"""``smstools-tui sandbox``: the local API with seeded data; ``config-path``."""

from __future__ import annotations

from datetime import datetime

import click

from ..config import config_file_path
from ..sandbox import (
    FAULT_KINDS,
    SANDBOX_KEY,
    SANDBOX_SECRET,
    SETTLINGS,
    AccountSpec,
    Degradation,
    FaultPlan,
    SandboxApi,
    SandboxServer,
)
from ..sandbox import generate_account as generate
from .common import InstantType


@click.command("sandbox")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the generated data.")
@click.option("--sent", type=click.IntRange(0), default=50_000, show_default=True)
@click.option("--received", type=click.IntRange(0), default=4_000, show_default=True)
@click.option("--days", type=click.IntRange(1), default=400, show_default=True)
@click.option("--page-cap", type=click.IntRange(1), default=250, show_default=True,
              help="The largest page served, whatever limit is asked.")  # fmt: skip
@click.option("--latency-ms", type=click.FloatRange(0), default=0.0, show_default=True,
              help="Delay before each answer.")  # fmt: skip
@click.option("--fail-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of requests that meet a fault (seeded).")  # fmt: skip
@click.option("--faults", default="500,503,429,drop", show_default=True, metavar="KINDS",
              help=f"Which faults, comma-separated, among: {', '.join(FAULT_KINDS)}.")  # fmt: skip
@click.option("--now", "end", type=InstantType(), metavar="DT",
              help="End of the generated history (default: the current minute).")  # fmt: skip
@click.option("--clock", type=InstantType(), metavar="DT",
              help="Stop the server's clock at DT: only what is dated before it is visible, with "
              "the statuses it had then (default: the clock runs).")  # fmt: skip
@click.option(
    "--degrade",
    "degrade",
    multiple=True,
    metavar="PREFIX:RATE",
    help="Messages to numbers starting with PREFIX fail at RATE (39:0.3: 30% of "
    "those to Italy), from --degrade-since on; repeatable.",
)
@click.option("--degrade-since", type=InstantType(), metavar="DT",
              help="When the routes of --degrade go bad (default: from the start).")  # fmt: skip
@click.option(
    "--settling",
    type=click.Choice(list(SETTLINGS)),
    default="fast",
    show_default=True,
    help="How long the operator takes to report a message's fate: fast (seconds), lognormal "
    "(a median of 20 minutes, a long tail) or two-phase (30% of the deliveries hours later); "
    "failures report late in both slow ones.",
)
def sandbox_command(
    port: int,
    seed: int,
    sent: int,
    received: int,
    days: int,
    page_cap: int,
    latency_ms: float,
    fail_rate: float,
    faults: str,
    end: datetime | None,
    clock: datetime | None,
    degrade: tuple[str, ...],
    degrade_since: datetime | None,
    settling: str,
) -> None:
    """Serve a local Smstools API on 127.0.0.1 with realistic seeded data.

    It speaks the four GET endpoints in JSON and XML with HTTP Basic auth (key
    'sandbox-key', secret 'sandbox-secret'). Point the other commands at it with
    SMSTOOLS_BASE_URL=http://127.0.0.1:PORT/rest/api and those credentials.

    The same seed and --now give the same data, so restarting with a later --clock shows the
    same account later on: new messages, settled statuses.
    """
    kinds = tuple(kind.strip() for kind in faults.split(",") if kind.strip())
    unknown = sorted(set(kinds) - set(FAULT_KINDS))
    if unknown or not kinds:
        raise click.BadParameter(
            f"unknown fault {', '.join(unknown) or '(none)'}; use: {', '.join(FAULT_KINDS)}",
            param_hint="--faults",
        )
    try:
        routes = tuple(Degradation.parse(text, degrade_since) for text in degrade)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--degrade") from None
    account = generate(AccountSpec(seed=seed, sent=sent, received=received, days=days, now=end,
                                   degrade=routes, settling=settling))  # fmt: skip
    api = SandboxApi(
        account,
        page_cap=page_cap,
        faults=FaultPlan(rate=fail_rate, kinds=kinds, seed=seed),
        clock=(lambda: clock) if clock else None,
    )
    server = SandboxServer(api, port=port, latency=latency_ms / 1000)
    click.echo(
        f"sandbox: {len(account.sent):,} sent and {len(account.received):,} received SMS on "
        f"{server.base_url}\n"
        f"  export SMSTOOLS_BASE_URL={server.base_url}\n"
        f"  export SMSTOOLS_AUTH_KEY={SANDBOX_KEY} SMSTOOLS_AUTH_SECRET={SANDBOX_SECRET}\n"
        "Ctrl-C stops it.",
        err=True,
    )
    try:
        server.serve_forever()
    finally:
        server.stop()


@click.command("config-path")
def config_path_command() -> None:
    """Print where the config file with the credentials is read from."""
    click.echo(str(config_file_path()))
