"""A hostile server on loopback against the real command line, in a subprocess.

Every attack ends the same way: an exit code, one clear line on stderr, the child's peak memory
under :data:`RSS_BOUND_MB` above an ordinary run's, its wall time bounded, and the store still
readable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .hostile import WINDOW, HostileServer, Override, cli_env, run_cli


def test_an_ordinary_server_is_served_ordinarily(
    hostile: Callable[[Override | None], HostileServer], tmp_path: Path, idle_rss_mb: float
) -> None:
    server = hostile(None)
    done = run_cli(
        "export", "sent", *WINDOW, "--no-store", "--out", str(tmp_path / "sent.csv"),
        env=cli_env(server.base_url, tmp_path),
    )  # fmt: skip
    assert done.code == 0, done.err
    assert server.count("/sms/search") >= 2
    assert 0 < idle_rss_mb < 1024
