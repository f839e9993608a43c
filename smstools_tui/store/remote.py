"""A store on object storage (``s3://bucket/prefix``, ``gs://``, ``az://``, ``file://``), through
fsspec (:mod:`upath` gives its paths the :mod:`pathlib` interface the store uses).

Needs the ``cloud`` extra (``pip install 'smstools-tui[cloud]'``: fsspec, s3fs,
universal-pathlib; gcsfs or adlfs for ``gs://`` and ``az://``). Credentials and endpoints come
from each library's usual environment (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``…).

Object stores have no rename and no lock, so the commit protocol differs from a local folder's
in two places (the layout of :mod:`.layout` is otherwise the same):

- Manifests are versioned: ``_manifests/account=<ID>/v0000000014.json``, one object per
  generation, never overwritten. A commit creates the next version with a conditional put
  (``If-None-Match: *``: S3 and compatible stores), and the newest version that reads back is
  the store (so a version cut short, where a put is not atomic, is passed over). Two writers
  that built on the same state both try to create the same version: one wins, the other's put
  is refused, and it builds again on the winner's state (up to a few times). That refusal
  replaces the local lock file. On a store without conditional puts (``file://``) the check is
  an existence test just before the put, which leaves a race of milliseconds between two
  writers: run one writer per account there.
- Partition files carry a random suffix (``g000014-1a2b3c4d.parquet``), so two writers of the
  same generation never overwrite each other's files. Garbage collection, after each commit,
  deletes only unnamed files of generations up to the committed one (a writer still working
  writes a later one), and manifest versions older than the last :data:`KEEP_MANIFESTS`.

An object appears whole or not at all when its upload completes, so a writer killed at any
point leaves the previous state, plus files no manifest names, which the next commit deletes.
"""

from __future__ import annotations

import logging
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ..errors import StoreError

if TYPE_CHECKING:
    import pyarrow.fs
    from upath import UPath

__all__ = [
    "KEEP_MANIFESTS",
    "StorePath",
    "create_exclusively",
    "forget_listings",
    "is_remote",
    "is_url",
    "manifest_versions",
    "open_url",
    "parquet_source",
    "unique_suffix",
    "version_name",
]

log = logging.getLogger("smstools_tui.store")

StorePath: TypeAlias = "Path | Any"
"""Where a store lives: a local :class:`~pathlib.Path`, or a folder on object storage (a
:class:`upath.UPath`, typed loosely: the stubs of what it lists are partial)."""

KEEP_MANIFESTS = 10
"""How many manifest versions of an account a store on object storage keeps."""

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_VERSION = re.compile(r"v(?P<generation>\d{10})\.json")


def is_url(location: object) -> bool:
    """Whether ``location`` is a URL (``s3://…``) rather than a folder."""
    return isinstance(location, str) and _URL.match(location) is not None


def is_remote(path: StorePath) -> bool:
    """Whether ``path`` is on object storage (not a local :class:`~pathlib.Path`)."""
    return not isinstance(path, Path)


def open_url(url: str) -> UPath:
    """The root folder at ``url``.

    Raises:
        StoreError: the ``cloud`` extra (or the filesystem for that scheme) is not installed.
    """
    try:
        from upath import UPath
    except ImportError:
        raise StoreError(
            f"--store {url} needs the cloud extra: pip install 'smstools-tui[cloud]'"
        ) from None
    try:
        return UPath(url)
    except (ImportError, ValueError) as error:
        raise StoreError(f"--store {url}: {error}") from None


def parquet_source(path: StorePath) -> tuple[str | Path, pyarrow.fs.FileSystem | None]:
    """What pyarrow reads ``path`` through: the path itself when local, else its path on an
    fsspec filesystem wrapped for pyarrow."""
    if isinstance(path, Path):
        return path, None
    import pyarrow.fs

    return path.path, pyarrow.fs.PyFileSystem(pyarrow.fs.FSSpecHandler(path.fs))


def unique_suffix() -> str:
    """A random suffix for a partition file's name on object storage."""
    return secrets.token_hex(4)


def create_exclusively(path: UPath, data: bytes) -> bool:
    """Create the object ``path`` holding ``data``, unless it exists: ``False`` then."""
    filesystem: Any = path.fs
    path.parent.mkdir(parents=True, exist_ok=True)  # file:// needs the folder
    try:
        filesystem.pipe_file(path.path, data, mode="create")
    except FileExistsError:
        return False
    except TypeError:  # an older filesystem without the mode: test, then put
        if filesystem.exists(path.path):
            return False
        filesystem.pipe_file(path.path, data)
    return True


def manifest_versions(folder: StorePath) -> list[tuple[int, Any]]:
    """The manifest versions in an account's ``folder``, newest first."""
    forget_listings(folder)
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = ((_VERSION.fullmatch(entry.name), entry) for entry in entries)
    return sorted(
        ((int(match["generation"]), entry) for match, entry in found if match),
        key=lambda pair: pair[0],
        reverse=True,
    )


def forget_listings(folder: StorePath) -> None:
    """Drop what the filesystem remembers of ``folder``'s listing (s3fs caches listings): a
    commit must see the versions and files other writers made meanwhile."""
    if not isinstance(folder, Path):
        folder.fs.invalidate_cache(folder.path)


def version_name(generation: int) -> str:
    """The name of the manifest version of ``generation``."""
    return f"v{generation:010d}.json"
