"""The sandbox in a process of its own, as a real server would be (benchmarks, end-to-end tests)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .emulator import API_PREFIX

__all__ = ["free_port", "sandbox_process"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def sandbox_process(*options: str, timeout: float = 60.0) -> Iterator[str]:
    """Run ``smstools-tui sandbox OPTIONS`` on a free port; yield its base URL once it answers.

    Example:
        >>> with sandbox_process("--sent", "500", "--received", "20") as base_url:
        ...     base_url.startswith("http://127.0.0.1:")
        True
    """
    port = free_port()
    command = [sys.executable, "-m", "smstools_tui", "sandbox", "--port", str(port), *options]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)  # noqa: S603 - our own CLI
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the sandbox did not start ({' '.join(command)})") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}{API_PREFIX}"
    finally:
        process.terminate()
        process.wait(timeout=10)
