"""Settings and credentials: environment, config file, defaults.

Credentials come from ``SMSTOOLS_AUTH_KEY`` / ``SMSTOOLS_AUTH_SECRET`` or, when those are unset,
from ``config.toml`` in the user config directory (``smstools-tui config-path`` prints where)::

    auth_key = "..."
    auth_secret = "..."
    base_url = "https://api.smstools.it/rest/api"   # optional

The file is refused when anyone but its owner may read it. Credentials never appear in a repr, a log
line, an error message, an export or a cassette.
"""

from __future__ import annotations

import ipaddress
import math
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs

from .errors import ConfigError

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "Credentials",
    "Settings",
    "WireFormat",
    "config_file_path",
    "validate_base_url",
]

DEFAULT_BASE_URL = "https://api.smstools.it/rest/api"
DEFAULT_TIMEOUT = 60.0
"""Seconds one request may take, from connecting to its last byte (``--timeout``)."""
ENV_KEY = "SMSTOOLS_AUTH_KEY"
ENV_SECRET = "SMSTOOLS_AUTH_SECRET"  # noqa: S105 - the variable's name, not a secret
ENV_BASE_URL = "SMSTOOLS_BASE_URL"
APP_NAME = "smstools-tui"

WireFormat = Literal["json", "xml"]


class Credentials:
    """An auth key and secret that refuse to show themselves.

    Example:
        >>> Credentials("my-key", "my-secret")
        Credentials(<hidden>)
    """

    __slots__ = ("_key", "_secret")

    def __init__(self, key: str, secret: str) -> None:
        if not key or not secret:
            raise ConfigError("both the auth key and the auth secret are needed")
        self._key = key
        self._secret = secret

    @property
    def key(self) -> str:
        return self._key

    @property
    def secret(self) -> str:
        return self._secret

    def as_tuple(self) -> tuple[str, str]:
        """The pair for HTTP Basic auth."""
        return (self._key, self._secret)

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Credentials) and self.as_tuple() == other.as_tuple()

    def __hash__(self) -> int:
        return hash(self.as_tuple())

    def __reduce__(self) -> Any:
        raise TypeError("credentials are not serialised")


def validate_base_url(url: str) -> str:
    """Return ``url`` without a trailing slash, or raise :class:`ConfigError`.

    Only ``https://`` is accepted, except ``http://`` on a loopback host (the local sandbox).

    Example:
        >>> validate_base_url("http://127.0.0.1:8765/rest/api/")
        'http://127.0.0.1:8765/rest/api'
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"base URL {url!r} is not an https:// URL")
    if parts.username or parts.password:
        raise ConfigError(
            f"the base URL must not carry credentials: set {ENV_KEY} and {ENV_SECRET} instead"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"refusing plain http:// for {parts.hostname}: the API is served over https:// "
            "(plain http is allowed only on loopback, for the local sandbox)"
        )
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def config_file_path() -> Path:
    """Where the config file lives: ``config.toml`` in the platform's user config directory."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        info = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"refusing to read {path}: others can read it (mode {stat.filemode(info.st_mode)}); "
            f"run: chmod 600 {path}"
        )
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        # The parser's message may quote a line of the file, and that line may hold the secret.
        kind = "not valid TOML" if not isinstance(error, OSError) else "unreadable"
        raise ConfigError(f"config file {path} is {kind}") from None
    return data


@dataclass(frozen=True)
class Settings:
    """How to reach the gateway.

    Build it with :meth:`from_env`; every field can be overridden.

    Example:
        >>> settings = Settings.from_env({}, config_path=None)
        >>> settings.base_url, settings.credentials
        ('https://api.smstools.it/rest/api', None)
    """

    base_url: str = DEFAULT_BASE_URL
    credentials: Credentials | None = field(default=None, repr=False)
    wire_format: WireFormat = "json"
    concurrency: int = 4
    page_size: int = 500
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one request may take from connecting to its last byte, however the server
    paces its bytes; a request that runs out of time is retried like any other timeout."""
    max_attempts: int = 6
    max_backoff: float = 30.0
    max_records: int = 5_000_000
    max_pages: int = 10_000
    """The page budget of one search: one that needs more pages is refused after its first."""
    max_body_bytes: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", validate_base_url(self.base_url))
        if self.wire_format not in ("json", "xml"):
            raise ConfigError(f"format must be json or xml, not {self.wire_format!r}")
        if not 1 <= self.concurrency <= 64:
            raise ConfigError(f"concurrency must be between 1 and 64, not {self.concurrency}")
        if self.page_size < 1:
            raise ConfigError("page size must be at least 1")
        if self.max_attempts < 1:
            raise ConfigError("max attempts must be at least 1")
        if self.max_pages < 1:
            raise ConfigError(f"the page budget must be at least 1 page, not {self.max_pages}")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise ConfigError(
                f"the timeout must be a positive number of seconds, not {self.timeout}"
            )

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        config_path: Path | Literal["default"] | None = "default",
        **overrides: Any,
    ) -> Settings:
        """Settings from the environment, then the config file, then defaults.

        Args:
            environ: the environment to read (default ``os.environ``).
            config_path: the config file; ``None`` reads none.
            overrides: field values that win over everything (``None`` values are ignored).
        """
        env = os.environ if environ is None else environ
        path = config_file_path() if config_path == "default" else config_path
        file_values: dict[str, Any] = {}
        key, secret = env.get(ENV_KEY), env.get(ENV_SECRET)
        if not (key and secret) and path is not None:
            file_values = _read_config_file(path)
            key = key or file_values.get("auth_key")
            secret = secret or file_values.get("auth_secret")
        if bool(key) != bool(secret):
            missing = ENV_SECRET if key else ENV_KEY
            raise ConfigError(f"{missing} is not set: both the auth key and the secret are needed")
        values: dict[str, Any] = {
            "base_url": env.get(ENV_BASE_URL) or file_values.get("base_url") or DEFAULT_BASE_URL,
            "credentials": Credentials(str(key), str(secret)) if key and secret else None,
        }
        values.update({name: value for name, value in overrides.items() if value is not None})
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed (``None`` values are ignored)."""
        return replace(
            self, **{name: value for name, value in changes.items() if value is not None}
        )
