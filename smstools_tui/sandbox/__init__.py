"""A local Smstools API with realistic seeded data: for the demo, the tests and the benchmarks.

``smstools-tui sandbox`` serves it over HTTP on 127.0.0.1; ``--demo`` runs the same emulator
in-process, with no credentials and no network (:mod:`smstools_tui.demo` puts the client in front
of it: the sandbox itself knows nothing of the client).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..config import Credentials, Settings
from .data import SETTLINGS, AccountSpec, Degradation, SandboxAccount, generate_account
from .emulator import (
    API_PREFIX,
    BOMB_BYTES,
    FAULT_KINDS,
    SANDBOX_KEY,
    SANDBOX_SECRET,
    FaultPlan,
    SandboxApi,
    SandboxResponse,
    XmlStyle,
    compression_bomb,
    encode_xml_page,
)
from .process import free_port, sandbox_process
from .server import SandboxServer

__all__ = [
    "BOMB_BYTES",
    "FAULT_KINDS",
    "SANDBOX_KEY",
    "SANDBOX_SECRET",
    "SETTLINGS",
    "AccountSpec",
    "Degradation",
    "FaultPlan",
    "SandboxAccount",
    "SandboxApi",
    "SandboxResponse",
    "SandboxServer",
    "XmlStyle",
    "compression_bomb",
    "demo_account",
    "encode_xml_page",
    "free_port",
    "generate_account",
    "sandbox_process",
    "sandbox_settings",
]

DEMO_BASE_URL = f"http://localhost{API_PREFIX}"


@lru_cache(maxsize=4)
def demo_account(spec: AccountSpec) -> SandboxAccount:
    """The generated account for ``spec``, generated once per process."""
    return generate_account(spec)


def sandbox_settings(base_url: str = DEMO_BASE_URL, **overrides: Any) -> Settings:
    """Settings that reach a sandbox at ``base_url`` with its public demo credentials."""
    return Settings(
        base_url=base_url, credentials=Credentials(SANDBOX_KEY, SANDBOX_SECRET), **overrides
    )
