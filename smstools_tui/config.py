"""Settings and credentials: environment, system keyring, config file, defaults.

Credentials come from ``SMSTOOLS_AUTH_KEY`` / ``SMSTOOLS_AUTH_SECRET``, else from the system
keyring (``smstools-tui login`` stores them there), else from ``config.toml`` in the user
config directory (``smstools-tui config-path`` prints where)::

    auth_key = "..."
    auth_secret = "..."
    base_url = "https://api.smstools.it/rest/api"   # optional

Several accounts (an agency's customers, a reseller's) are named tables; ``--account NAME``
picks one, ``--all-accounts`` takes them all::

    [accounts.acme]
    auth_key = "..."
    auth_secret = "..."
    base_url = "https://api.smstools.it/rest/api"   # optional

    [accounts.globex]
    keyring = true    # in the system keyring: smstools-tui login --account globex

The file is refused when anyone but its owner may read it. Credentials never appear in a repr, a log
line, an error message, an export or a cassette.

The same file keeps saved views: named queries, used with ``--view NAME`` on the command line and
``client.sent(view="NAME")`` in Python::

    [views.failed-last-month]
    kind = "sent"                    # or: report = "delivery", group = "week"
    window = "last-month"            # any window expression: 7d, 2026-11, 2026-11-01..
    statuses = ["NOTDELIVERED", "NOSENT"]
    campaign = "black-friday"        # singular spellings take one value

:func:`load_views` reads them (one clear error naming the file and the view for anything wrong);
:func:`save_view` adds or replaces one, keeping the rest of the file, comments included.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
import tomlkit

from .analysis.compliance import ComplianceRules, MessageClasses
from .analysis.quiet_hours import QuietHours
from .dates import WEEKDAYS, resolve_zone
from .errors import ConfigError
from .files import atomic_write_bytes
from .frames import DEFAULT_ACCOUNT
from .msisdn import NUMBER_FORMATS, NumberFormat
from .query import (
    FILTER_KEYWORDS,
    FILTER_NAMES,
    KINDS,
    Filters,
    Kind,
    Query,
    WindowExpr,
    Zone,
    filter_keywords,
    parse_window,
)

__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "AccountConfig",
    "Credentials",
    "Settings",
    "View",
    "WireFormat",
    "config_file_path",
    "find_account",
    "find_view",
    "keyring_credentials",
    "load_accounts",
    "load_compliance",
    "load_display_zone",
    "load_number_format",
    "load_quiet_hours",
    "load_views",
    "save_view",
    "store_in_keyring",
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


KEYRING_SERVICE = APP_NAME
"""The system keyring's service name the credentials are stored under (``smstools-tui login``)."""
_KEYRING_KEY, _KEYRING_SECRET = "auth_key", "auth_secret"


def _keyring_names(account: str | None) -> tuple[str, str]:
    """The keyring's user names of the key and the secret: one pair per named account."""
    if account is None:
        return _KEYRING_KEY, _KEYRING_SECRET
    return f"{account}:{_KEYRING_KEY}", f"{account}:{_KEYRING_SECRET}"


def keyring_credentials(account: str | None = None) -> Credentials | None:
    """The credentials in the system keyring (``smstools-tui login`` stores them), or ``None``
    when there are none or there is no usable keyring: it is one place among three, after the
    environment and before the config file. ``account`` names one of the config file's
    ``[accounts.NAME]`` (``smstools-tui login --account NAME`` stores those)."""
    key_name, secret_name = _keyring_names(account)
    try:
        import keyring
        from keyring.errors import KeyringError

        key = keyring.get_password(KEYRING_SERVICE, key_name)
        secret = keyring.get_password(KEYRING_SERVICE, secret_name)
    except (ImportError, KeyringError, RuntimeError):
        return None
    return Credentials(key, secret) if key and secret else None


def store_in_keyring(credentials: Credentials, account: str | None = None) -> str:
    """Store ``credentials`` in the system keyring (those of the named ``account`` when given);
    returns the keyring's name.

    Raises:
        ConfigError: there is no usable keyring (the environment or the config file can hold
            the credentials instead).
    """
    import keyring
    from keyring.errors import KeyringError

    backend = keyring.get_keyring()
    key_name, secret_name = _keyring_names(account)
    try:
        keyring.set_password(KEYRING_SERVICE, key_name, credentials.key)
        keyring.set_password(KEYRING_SERVICE, secret_name, credentials.secret)
    except (KeyringError, RuntimeError):
        raise ConfigError(
            f"no system keyring to store the credentials in ({type(backend).__name__}): set "
            f"{ENV_KEY} and {ENV_SECRET}, or write them in {config_file_path()}"
        ) from None
    return str(getattr(backend, "name", type(backend).__name__))


def config_file_path() -> Path:
    """Where the config file lives: ``config.toml`` in the platform's user config directory."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _read_config_text(path: Path) -> str | None:
    """The config file's text, or ``None`` when there is none; refused when others may read it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"refusing to read {path}: others can read it (mode {stat.filemode(info.st_mode)}); "
            f"run: chmod 600 {path}"
        )
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        kind = "not valid TOML" if not isinstance(error, OSError) else "unreadable"
        raise ConfigError(f"config file {path} is {kind}") from None


CONFIG_KEYS = (
    "auth_key", "auth_secret", "base_url", "views", "compliance", "classes", "quiet_hours",
    "display", "accounts",
)  # fmt: skip
"""What the config file may hold: a key it does not know is a typo, refused with the key meant."""

_TEXT_LIST = "a list of texts"
CONFIG_SCHEMA: dict[str, dict[str, str]] = {
    "compliance": {
        "opt_out": _TEXT_LIST,
        "opt_in": _TEXT_LIST,
        "match": "strict or lenient",
    },
    "classes": {
        "marketing_campaigns": _TEXT_LIST,
        "transactional_campaigns": _TEXT_LIST,
        "marketing_senders": _TEXT_LIST,
        "transactional_senders": _TEXT_LIST,
        "marketing_types": _TEXT_LIST,
        "transactional_types": _TEXT_LIST,
        "default": "marketing or transactional",
    },
    "display": {
        "time_zone": "a time zone such as Europe/Rome",
        "number_format": "e164 or international",
    },
    "quiet_hours": {
        "enabled": "true or false",
        "start": "a time such as 21:00",
        "end": "a time such as 21:00",
        "days": "a list of weekdays (Mon … Sun)",
        "holidays": "a country code such as IT",
        "time_zone": "a time zone such as Europe/Rome",
    },
}
"""The tables of the config file besides ``[views]``, their keys and what each takes."""

_TOP_LEVEL_TYPES = {"auth_key": "a text", "auth_secret": "a text", "base_url": "a text"}
ACCOUNT_SCHEMA: dict[str, str] = {
    "auth_key": "a text",
    "auth_secret": "a text",
    "keyring": "true or false",
    "base_url": "an https:// URL",
}
"""The keys of one ``[accounts.NAME]`` table and what each takes."""
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""What an account may be called: it names a column value, a keyring entry and a rule's group."""
_CHOICES = {
    "strict or lenient": ("strict", "lenient"),
    "marketing or transactional": ("marketing", "transactional"),
    "e164 or international": NUMBER_FORMATS,
}


def _read_config_file(path: Path) -> dict[str, Any]:
    text = _read_config_text(path)
    if text is None:
        return {}
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # The parser's message may quote a line of the file, and that line may hold the secret:
        # only where it stopped is repeated.
        where = re.search(r"line (\d+), column (\d+)", str(error))
        at = f", line {where.group(1)}, column {where.group(2)}" if where else ""
        raise ConfigError(f"config file {path}{at} is not valid TOML") from None
    _validate(values, text, path)
    return values


def _validate(values: Mapping[str, Any], text: str, path: Path) -> None:
    """Refuse an unknown key or a value of the wrong type, naming the file, the line and the
    key (never the value: it may be a secret)."""
    for key, value in values.items():
        if key not in CONFIG_KEYS:
            raise ConfigError(
                f"config file {path}{_line(text, None, key)}: unknown key {key!r}"
                f"{did_you_mean(key, CONFIG_KEYS)} (it takes auth_key, auth_secret, base_url, "
                "[compliance], [classes], [quiet_hours], [display], [views.NAME] and "
                "[accounts.NAME] tables)"
            )
        if key == "accounts":
            _validate_accounts(value, text, path)
            continue
        if key in _TOP_LEVEL_TYPES and not isinstance(value, str):
            raise ConfigError(
                f"config file {path}{_line(text, None, key)}: {key} must be "
                f"{_TOP_LEVEL_TYPES[key]}, not {_toml_type(value)}"
            )
        schema = CONFIG_SCHEMA.get(key)
        if schema is None:
            continue
        if not isinstance(value, dict):
            raise ConfigError(
                f"config file {path}{_line(text, None, key)}: {key} must be a table ([{key}])"
            )
        for name, item in value.items():
            where = f"config file {path}{_line(text, key, name)}: [{key}] {name}"
            _refuse_unknown(name, schema, where)
            expected = schema[name]
            if not _fits(expected, item):
                # A text is repeated only where one of a few was expected (strict, 21:00):
                # these tables hold no secret, and the word says what went wrong.
                one_of = isinstance(item, str) and not expected.startswith("a list")
                shown = repr(item) if one_of else _toml_type(item)
                raise ConfigError(f"{where} must be {expected}, not {shown}")


def _refuse_unknown(key: str, schema: Mapping[str, str], where: str) -> None:
    """A key a table of the config file does not take: one line with the key meant."""
    if key not in schema:
        raise ConfigError(
            f"{where}: unknown key{did_you_mean(key, schema)} (it takes {', '.join(schema)})"
        )


def _validate_accounts(accounts: Any, text: str, path: Path) -> None:
    """``[accounts.NAME]`` tables: a known key of the right type each, never the value shown
    (it may be a secret)."""
    if not isinstance(accounts, dict):
        raise ConfigError(
            f"config file {path}{_line(text, None, 'accounts')}: accounts must be tables of "
            "accounts ([accounts.NAME])"
        )
    for name, table in accounts.items():
        section = f"accounts.{name}"
        where = f"config file {path}{_line(text, None, section)}: [{section}]"
        if not ACCOUNT_NAME.fullmatch(name):
            raise ConfigError(
                f"{where}: an account's name is letters, digits, '_', '.' and '-' (at most 64)"
            )
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: an account is a table of auth_key, auth_secret, "
                              "keyring and base_url")  # fmt: skip
        for key, item in table.items():
            at = f"config file {path}{_line(text, section, key)}: [{section}] {key}"
            _refuse_unknown(key, ACCOUNT_SCHEMA, at)
            expected = ACCOUNT_SCHEMA[key]
            fits = isinstance(item, bool) if key == "keyring" else isinstance(item, str)
            if not fits:
                raise ConfigError(f"{at} must be {expected}, not {_toml_type(item)}")
            if key == "base_url":
                try:
                    validate_base_url(item)
                except ConfigError as error:
                    raise ConfigError(f"{at}: {error.message}") from None
        has_key, has_secret = "auth_key" in table, "auth_secret" in table
        if has_key != has_secret:
            missing = "auth_secret" if has_key else "auth_key"
            raise ConfigError(f"{where}: {missing} is missing: both the key and the secret "
                              "are needed")  # fmt: skip
        if has_key and table.get("keyring"):
            raise ConfigError(f"{where}: give auth_key and auth_secret or keyring = true, "
                              "not both")  # fmt: skip


def _fits(expected: str, item: Any) -> bool:
    """Whether a config value is of the kind ``expected`` (a description in the schema)."""
    if expected == _TEXT_LIST:
        return isinstance(item, list) and all(isinstance(value, str) for value in item)
    if expected in _CHOICES:
        return item in _CHOICES[expected]
    if expected == "true or false":
        return isinstance(item, bool)
    if expected.startswith("a time such"):
        return isinstance(item, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", item) is not None
    if expected.startswith("a list of weekdays"):
        return isinstance(item, list) and all(value in WEEKDAYS for value in item)
    if expected.startswith("a country code"):
        import holidays

        return isinstance(item, str) and item.upper() in holidays.list_supported_countries()
    if expected.startswith("a time zone"):
        try:
            resolve_zone(item if isinstance(item, str) else "")
        except ConfigError:
            return False
        return isinstance(item, str) and item != ""
    return False


def _line(text: str, table: str | None, key: str) -> str:
    """``", line N"`` where ``key`` is set (in ``[table]``), or ``""`` when it cannot be told."""
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\s*([^\]\s]+)\s*\]", line)
        if header:
            current = header.group(1).strip('"')
            if table is None and (current == key or current.startswith(key + ".")):
                return f", line {number}"
            continue
        assigned = re.match(r"^[\"']?([^=\"']+?)[\"']?\s*=", line)
        if assigned and assigned.group(1).strip() == key and current == table:
            return f", line {number}"
    return ""


def load_display_zone(path: Path | None = None) -> str | None:
    """The time zone of the config file's ``[display]``: what reports and the dashboard show
    times in when no ``--tz`` says otherwise (``None``: the machine's).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "config.toml"
        >>> _ = target.write_text('[display]\\ntime_zone = "Europe/Rome"\\n')
        >>> target.chmod(0o600)
        >>> load_display_zone(target), load_display_zone(target.with_name("none.toml"))
        ('Europe/Rome', None)
    """
    zone = _read_config_file(path or config_file_path()).get("display", {}).get("time_zone")
    return str(zone) if zone else None


def load_number_format(path: Path | None = None) -> NumberFormat:
    """How the config file's ``[display]`` writes phone numbers for people: ``e164``
    (``+393398408223``, the default) or ``international`` (``+39 339 840 8223``).

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "config.toml"
        >>> _ = target.write_text('[display]\\nnumber_format = "international"\\n')
        >>> target.chmod(0o600)
        >>> load_number_format(target), load_number_format(target.with_name("none.toml"))
        ('international', 'e164')
    """
    chosen = _read_config_file(path or config_file_path()).get("display", {}).get("number_format")
    return "international" if chosen == "international" else "e164"


def load_quiet_hours(path: Path | None = None) -> QuietHours:
    """The quiet-hours policy of the config file's ``[quiet_hours]`` (off when absent), with
    the message classes of its ``[classes]``: only marketing messages are held to it.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "config.toml"
        >>> _ = target.write_text('[quiet_hours]\\nenabled = true\\nstart = "20:00"\\n'
        ...                       'days = ["Sun"]\\nholidays = "IT"\\n')
        >>> target.chmod(0o600)
        >>> load_quiet_hours(target).describe()
        "the customer's policy: 20:00 to 09:00, Sun all day, public holidays of IT (Europe/Rome)"
    """
    target = path or config_file_path()
    values = _read_config_file(target).get("quiet_hours", {})
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name in ("start", "end"):
            changes[name] = time.fromisoformat(value)
        elif name == "days":
            changes[name] = tuple(value)
        else:
            changes[name] = value
    return QuietHours(**changes, classes=load_compliance(target).classes)


def load_compliance(path: Path | None = None) -> ComplianceRules:
    """The compliance rules of the config file (``path``, default :func:`config_file_path`):
    its ``[compliance]`` (opt-out and opt-in keywords, strict or lenient matching) and
    ``[classes]`` (what is marketing) tables over the defaults.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "config.toml"
        >>> _ = target.write_text('[compliance]\\nmatch = "strict"\\n[classes]\\n'
        ...                       'transactional_senders = ["* OTP"]\\n')
        >>> target.chmod(0o600)
        >>> rules = load_compliance(target)
        >>> rules.match, rules.opt_in, rules.classes.transactional_senders
        ('strict', ('START', 'ISCRIVI'), ('* OTP',))
    """
    values = _read_config_file(path or config_file_path())
    compliance = values.get("compliance", {})
    changes: dict[str, Any] = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in compliance.items()
    }
    classes = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in values.get("classes", {}).items()
    }
    return ComplianceRules(**changes, classes=MessageClasses(**classes))  # type: ignore[arg-type]


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` for the known word closest to a misspelt ``word``, else ``""``.

    Example:
        >>> did_you_mean("auth_kye", CONFIG_KEYS), did_you_mean("colour", CONFIG_KEYS)
        ("; did you mean 'auth_key'?", '')
    """
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.7)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class AccountConfig:
    """One ``[accounts.NAME]`` table of the config file, its credentials kept hidden.

    Attributes:
        name: what ``--account`` calls it, and its value in the ``account`` column.
        base_url: its API's base URL, or ``None`` for the usual one.
        in_keyring: whether its credentials are in the system keyring rather than the file.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "config.toml"
        >>> _ = target.write_text('[accounts.acme]\\nauth_key = "k"\\nauth_secret = "s"\\n')
        >>> target.chmod(0o600)
        >>> acme = load_accounts(target)["acme"]
        >>> acme.name, acme.credentials(), acme.credentials_source
        ('acme', Credentials(<hidden>), 'the config file')
    """

    name: str
    base_url: str | None = None
    in_keyring: bool = False
    _credentials: Credentials | None = field(default=None, repr=False, compare=False)

    @property
    def credentials_source(self) -> str:
        """Where its credentials come from, for ``config show`` (never the credentials)."""
        return "the system keyring" if self.in_keyring else "the config file"

    def credentials(self) -> Credentials:
        """Its credentials (read from the keyring when they live there).

        Raises:
            ConfigError: the keyring holds none for this account.
        """
        if self._credentials is not None:
            return self._credentials
        stored = keyring_credentials(self.name)
        if stored is None:
            raise ConfigError(
                f"no credentials for the account {self.name!r} in the system keyring: run "
                f"smstools-tui login --account {self.name}"
            )
        return stored


def load_accounts(path: Path | None = None) -> dict[str, AccountConfig]:
    """The named accounts of the config file (``[accounts.NAME]``), by name, in file order.

    Raises:
        ConfigError: one line naming the file, the line and the key of anything wrong.
    """
    tables = _read_config_file(path or config_file_path()).get("accounts", {})
    accounts: dict[str, AccountConfig] = {}
    for name, table in tables.items():
        key, secret = table.get("auth_key"), table.get("auth_secret")
        accounts[name] = AccountConfig(
            name,
            base_url=validate_base_url(table["base_url"]) if "base_url" in table else None,
            in_keyring=bool(table.get("keyring")) or not key,
            _credentials=Credentials(key, secret) if key and secret else None,
        )
    return accounts


def find_account(name: str, path: Path | None = None) -> AccountConfig:
    """The named account ``name`` of the config file.

    Raises:
        ConfigError: there is no such account (the message lists those there are).
    """
    target = path or config_file_path()
    accounts = load_accounts(target)
    if name not in accounts:
        known = ", ".join(accounts) or "none: add [accounts.NAME] tables"
        raise ConfigError(
            f"no account {name!r} in {target}{did_you_mean(name, accounts)} (its accounts: {known})"
        )
    return accounts[name]


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
        account: str | None = None,
        **overrides: Any,
    ) -> Settings:
        """Settings from the environment, then the config file, then defaults.

        Args:
            environ: the environment to read (default ``os.environ``).
            config_path: the config file; ``None`` reads none.
            account: a named account of the config file (``[accounts.NAME]``): its
                credentials and base URL, never the environment's credentials.
            overrides: field values that win over everything (``None`` values are ignored).

        Raises:
            ConfigError: half the credentials, or an account the config file does not name.
        """
        env = os.environ if environ is None else environ
        path = config_file_path() if config_path == "default" else config_path
        if account is not None:
            named = find_account(account, path)
            values: dict[str, Any] = {
                "base_url": named.base_url or env.get(ENV_BASE_URL) or DEFAULT_BASE_URL,
                "credentials": named.credentials(),
            }
            values.update({name: value for name, value in overrides.items() if value is not None})
            return cls(**values)
        file_values: dict[str, Any] = {}
        key, secret = env.get(ENV_KEY), env.get(ENV_SECRET)
        if not (key or secret):
            stored = keyring_credentials()
            if stored is not None:
                key, secret = stored.as_tuple()
        if not (key and secret) and path is not None:
            file_values = _read_config_file(path)
            key = key or file_values.get("auth_key")
            secret = secret or file_values.get("auth_secret")
        if bool(key) != bool(secret):
            missing = ENV_SECRET if key else ENV_KEY
            raise ConfigError(f"{missing} is not set: both the auth key and the secret are needed")
        values = {
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


# -- saved views --------------------------------------------------------------------------------

_VIEW_SETTINGS = ("kind", "report", "group", "window")
_VIEW_KEYS = ", ".join(_VIEW_SETTINGS) + " and the filters " + ", ".join(FILTER_NAMES)


@dataclass(frozen=True)
class View:
    """A saved query: ``[views.NAME]`` in the config file.

    Attributes:
        name: what ``--view`` and ``view=`` call it.
        kind: ``sent`` or ``received`` (a report's view: ``sent``).
        report: the report it is for (``delivery`` …), or ``None`` for messages.
        group: the report's grouping (``week`` …).
        window: its window expression; ``None`` is the default window.
        filters: its filters.

    Example:
        >>> from datetime import datetime, time, UTC
        >>> view = View("failed", window=parse_window("last-week"),
        ...             filters=Filters(statuses={"NOTDELIVERED"}))
        >>> query = view.query(datetime(2026, 11, 25, tzinfo=UTC), "UTC", status="NOSENT")
        >>> str(query.span), sorted(query.filters.statuses)
        ('2026-11-16T00:00:00+00:00 .. 2026-11-23T00:00:00+00:00', ['NOSENT'])
    """

    name: str
    kind: Kind = "sent"
    report: str | None = None
    group: str | None = None
    window: WindowExpr | None = None
    filters: Filters = field(default_factory=Filters)

    def query(
        self, now: datetime, zone: Zone = None, *, kind: Kind | None = None, **overrides: Any
    ) -> Query:
        """This view's query at ``now``. Values given in ``overrides`` win: ``since``,
        ``until`` or ``window`` replace the view's window, a filter replaces the view's values
        of that filter, ``group`` its grouping, ``report`` its report (a view of messages feeds
        any report); ``None`` and empty values are not given.

        Raises:
            ConfigError: ``kind`` is not the view's kind, or an override is not valid.
        """
        if kind is not None and kind != self.kind:
            raise ConfigError(f"the view {self.name!r} is of {self.kind} messages, not {kind}")
        given = {name: value for name, value in overrides.items() if not _not_given(value)}
        window = {name: given.pop(name, None) for name in ("since", "until", "window")}
        if not any(value is not None for value in window.values()):
            window = {"window": self.window}
        group = given.pop("group", None) or self.group
        report = given.pop("report", None) or self.report
        filters: dict[str, Any] = {
            name: values for name, values in self.filters.items()
        }  # canonical names, so explicit ones replace them
        filters.update(filter_keywords(self.kind, given))
        return Query.build(
            self.kind, now=now, zone=zone, report=report, group=group, **window, **filters
        )

    def to_toml(self) -> dict[str, Any]:
        """The view's table as :func:`save_view` writes it."""
        table: dict[str, Any] = {}
        if self.report is not None:
            table["report"] = self.report
        else:
            table["kind"] = self.kind
        if self.group is not None:
            table["group"] = self.group
        if self.window is not None:
            table["window"] = self.window.text
        for name, values in self.filters.items():
            table[name] = values if name == "text" else sorted(values)
        return table


def _not_given(value: Any) -> bool:
    """``None`` or an empty list: an override not given (an array is given, however many
    values it holds; ``==`` on one would compare element by element)."""
    return value is None or (isinstance(value, list | tuple | set | frozenset) and not value)


def load_views(path: Path | None = None) -> dict[str, View]:
    """The saved views in the config file (``path``, default :func:`config_file_path`), by name.

    Raises:
        ConfigError: one line naming the file and the view: an unknown key or filter, a bad
            window, a value of the wrong type.
    """
    target = path or config_file_path()
    views = _read_config_file(target).get("views", {})
    if not isinstance(views, dict):
        raise ConfigError(f"{target} [views]: must be a table of views ([views.NAME])")
    return {str(name): _parse_view(str(name), table, target) for name, table in views.items()}


def find_view(name: str, path: Path | None = None) -> View:
    """The saved view ``name``.

    Raises:
        ConfigError: there is no such view (the message lists those there are), or the views
            cannot be read.
    """
    target = path or config_file_path()
    views = load_views(target)
    if name not in views:
        known = ", ".join(sorted(views)) or "none yet"
        raise ConfigError(
            f"no view {name!r} in {target} (its views: {known}){did_you_mean(name, views)}"
        )
    return views[name]


def _parse_view(name: str, table: Any, path: Path) -> View:
    where = f"{path} [views.{name}]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: a view is a table of settings and filters")
    try:
        settings = {key: _text_setting(key, table.get(key)) for key in _VIEW_SETTINGS}
        report = settings["report"]
        given = settings["kind"] or "sent"
        if given not in KINDS:
            raise ConfigError(f"kind must be sent or received, not {given!r}")
        kind: Kind = "sent" if given == "sent" else "received"
        if report is not None and kind != "sent":
            raise ConfigError("a report's view reads sent messages: leave out kind")
        filters: dict[str, Any] = {}
        for key, value in table.items():
            if key in _VIEW_SETTINGS:
                continue
            if key not in FILTER_KEYWORDS:
                hint = did_you_mean(key, [*_VIEW_SETTINGS, *FILTER_KEYWORDS])
                raise ConfigError(f"unknown filter {key!r}{hint} (a view takes {_VIEW_KEYS})")
            filters[key] = _filter_value(key, value)
        window = settings["window"]
        view = View(
            name,
            kind=kind,
            report=report,
            group=settings["group"],
            window=parse_window(window) if window is not None else None,
            filters=Filters(**filter_keywords(kind, filters)),
        )
        view.filters.check(view.kind)
    except ConfigError as error:
        raise ConfigError(f"{where}: {error.message}") from None
    return view


def _text_setting(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be text, not {_toml_type(value)}")
    return value


def _filter_value(key: str, value: Any) -> Any:
    if key == "text":
        return _text_setting(key, value)
    values = value if isinstance(value, list) else [value]
    for item in values:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ConfigError(f"{key} must be text, a number or a list of them, not "
                              f"{_toml_type(item)}")  # fmt: skip
    return values


def _toml_type(value: Any) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "a text", list: "a list",
             dict: "a table", datetime: "a date"}  # fmt: skip
    return next((name for kind, name in names.items() if isinstance(value, kind)), "a value")


def save_view(view: View, path: Path | None = None) -> Path:
    """Add ``view`` to the config file, or replace the view of that name, keeping everything
    else in the file as it was, comments included. The file is replaced atomically and stays
    readable by its owner only (mode 0600). Returns the file written.

    Raises:
        ConfigError: the file cannot be read (others may read it, not TOML) or written.

    Example:
        >>> import tempfile
        >>> target = Path(tempfile.mkdtemp()) / "config.toml"
        >>> _ = save_view(View("week", window=parse_window("7d")), target)
        >>> load_views(target)["week"].window.text
        '7d'
    """
    target = path or config_file_path()
    text = _read_config_text(target)
    try:
        document = tomlkit.parse(text) if text is not None else tomlkit.document()
    except tomlkit.exceptions.ParseError:
        raise ConfigError(f"config file {target} is not valid TOML") from None
    views = document.get("views")
    if views is None:
        views = tomlkit.table(is_super_table=True)
        document["views"] = views
    elif not isinstance(views, dict):
        raise ConfigError(f"{target} [views]: must be a table of views ([views.NAME])")
    table = tomlkit.table()
    for key, value in view.to_toml().items():
        table[key] = value
    views[view.name] = table
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_bytes(target, tomlkit.dumps(document).encode("utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot write {target}: {error.strerror or error}") from None
    return target
