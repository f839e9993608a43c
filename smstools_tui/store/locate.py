"""Where stores live, whose they are, and how ``--offline`` finds one without credentials.

A store belongs to one account on one server: its identity is the base URL and a hash of the auth
key (never the key itself, and never the secret). The default place is
``<data dir>/stores/<host>-<digest>`` where the data directory is ``SMSTOOLS_DATA_DIR`` or the
platform's user data directory (``~/.local/share/smstools-tui`` on Linux).

Working offline there is no key to hash, so every store opened online is remembered as the last
one used for its base URL (``stores/last-used.json``, base URL → folder); ``--offline`` opens
that one, or the one ``--store PATH`` names.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from ..config import APP_NAME, Credentials
from ..errors import ConfigError, StoreError
from ..files import atomic_write_bytes

__all__ = [
    "DATA_DIR_ENV",
    "StoreIdentity",
    "account_id",
    "data_dir",
    "dataset_account",
    "default_store_path",
    "find_offline_store",
    "holds_store",
    "last_used_store",
    "local_folder",
    "remember_store",
]

DATA_DIR_ENV = "SMSTOOLS_DATA_DIR"
_LAST_USED = "last-used.json"


def data_dir() -> Path:
    """``SMSTOOLS_DATA_DIR``, else the platform's user data directory for smstools-tui."""
    configured = os.environ.get(DATA_DIR_ENV)
    return Path(configured) if configured else Path(platformdirs.user_data_dir(APP_NAME))


def account_id(credentials: Credentials) -> str:
    """A stable name for the account behind ``credentials`` that does not reveal the key.

    Example:
        >>> account_id(Credentials("my-key", "my-secret"))[:15]
        'sha256:555954d4'
    """
    digest = hashlib.sha256(b"smstools-tui account\0" + credentials.key.encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def dataset_account(base_url: str, account: str) -> str:
    """The ``account=`` folder name of an account on a server in a store: the hash that also
    names its default store folder (:func:`default_store_path`), never the key. It starts
    with letters, so readers that guess a partition's type keep it as text.

    Example:
        >>> dataset_account("https://api.smstools.it/rest/api", "sha256:0f0f")
        'sha256-17ac6d3f00b40f2c'
    """
    return "sha256-" + _account_digest(base_url, account)[:16]


def _account_digest(base_url: str, account: str) -> str:
    return hashlib.sha256(f"{base_url}\n{account}".encode()).hexdigest()


@dataclass(frozen=True)
class StoreIdentity:
    """Whose messages a store holds.

    Attributes:
        base_url: the API the messages came from.
        account: :func:`account_id` of the credentials.
        label: what to call the source in titles (the host, or ``demo``).
    """

    base_url: str
    account: str
    label: str

    @classmethod
    def of(cls, base_url: str, credentials: Credentials, label: str | None = None) -> StoreIdentity:
        return cls(base_url, account_id(credentials), label or urlsplit(base_url).netloc)

    @property
    def dataset_account(self) -> str:
        """The account's ``account=`` folder name in a store (see :func:`dataset_account`)."""
        return dataset_account(self.base_url, self.account)


def default_store_path(identity: StoreIdentity) -> Path:
    """The folder of the store for this account and base URL, under :func:`data_dir`.

    Example:
        >>> who = StoreIdentity.of("https://api.smstools.it/rest/api", Credentials("k", "s"))
        >>> default_store_path(who).name.startswith("api.smstools.it-")
        True
    """
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", urlsplit(identity.base_url).netloc) or "api"
    digest = _account_digest(identity.base_url, identity.account)
    return data_dir() / "stores" / f"{host}-{digest[:16]}"


def remember_store(base_url: str, path: Path) -> None:
    """Record ``path`` as the store last used for ``base_url`` (for ``--offline``)."""
    registry = data_dir() / "stores" / _LAST_USED
    known = _read_registry(registry)
    resolved = str(path.resolve())
    if known.get(base_url) == resolved:
        return
    known[base_url] = resolved
    registry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic_write_bytes(registry, json.dumps(known, indent=2, sort_keys=True).encode() + b"\n")


def last_used_store(base_url: str) -> Path | None:
    """The store last used online for ``base_url``, if any was."""
    value = _read_registry(data_dir() / "stores" / _LAST_USED).get(base_url)
    return Path(value) if value else None


def _read_registry(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: it is only a convenience, rebuilt on the next sync
    if not isinstance(data, dict):
        return {}
    return {str(key): str(value) for key, value in data.items() if isinstance(value, str)}


def holds_store(folder: Path) -> bool:
    """Whether ``folder`` holds a store: a manifest in either layout (see :mod:`.layout`)."""
    if (folder / "manifest.json").exists():
        return True
    try:
        return any(
            entry.name.startswith("account=") and entry.name.endswith(".json")
            for entry in (folder / "_manifests").iterdir()
        )
    except OSError:
        return False


_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def local_folder(location: str | Path) -> Path:
    """``location`` as a local folder (``~`` expanded).

    Raises:
        StoreError: it is a URL (``s3://bucket/prefix``…), which would otherwise make a folder
            named ``s3:`` here (:meth:`.Store.open` opens URLs on object storage).

    Example:
        >>> local_folder("~/stores/main").name
        'main'
    """
    if isinstance(location, str) and _URL.match(location):
        raise StoreError(f"--store {location} is a URL where a local folder is needed")
    return Path(location).expanduser()


def find_offline_store(
    base_url: str, *, path: str | Path | None = None, credentials: Credentials | None = None
) -> str | Path:
    """The store to read with no network: ``path`` when given, else the one last used for
    ``base_url``, else (with credentials) the default one for that account.

    Raises:
        ConfigError: there is none, with what to do about it.
    """
    if path is not None:
        # A URL is a store on object storage (see .remote), opened as it is.
        return path if isinstance(path, str) and _URL.match(path) else local_folder(path)
    remembered = last_used_store(base_url)
    if remembered is not None and holds_store(remembered):
        return remembered
    if credentials is not None:
        default = default_store_path(StoreIdentity.of(base_url, credentials))
        if holds_store(default):
            return default
    raise ConfigError(
        f"no local store for {base_url}: run 'smstools-tui sync' once online, or give --store PATH"
    )
