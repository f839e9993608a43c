"""Atomic writes: whole or not at all, durable when asked, with the permissions asked for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from smstools_tui.files import atomic_write, atomic_write_bytes

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert [entry.name for entry in tmp_path.iterdir()] == ["manifest.json"]


@pytest.mark.parametrize("failure", [KeyboardInterrupt, OSError])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, failure: type[BaseException]
) -> None:
    target = tmp_path / "manifest.json"
    atomic_write_bytes(target, b"old")
    seen: list[str] = []

    def half_then_fail(temporary: Path) -> None:
        seen.append(temporary.name)
        temporary.write_bytes(b"half")
        raise failure

    with pytest.raises(failure):
        atomic_write(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert [entry.name for entry in tmp_path.iterdir()] == ["manifest.json"]
    # Hidden, so tools that read a whole folder skip it while it is written.
    assert seen[0].startswith(".manifest.json.") and seen[0].endswith(".tmp")


@pytest.mark.parametrize("durable", [True, False])
def test_a_durable_write_flushes_the_file_then_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    """The file's data reaches the disk before its new name does, and the name after the
    rename: what a power cut needs. Without ``durable`` nothing waits for the disk."""
    target = tmp_path / "sent.parquet"
    flushed: list[int] = []
    real_fsync = os.fsync

    def recording_fsync(handle: int) -> None:
        flushed.append(os.fstat(handle).st_ino)
        real_fsync(handle)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    atomic_write_bytes(target, b"data", durable=durable)
    if durable:
        assert flushed == [target.stat().st_ino, tmp_path.stat().st_ino]
    else:
        assert flushed == []


@posix_only
def test_a_private_file_is_the_owners_alone_whatever_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old")
    target.chmod(0o644)
    atomic_write_bytes(target, b"new")
    assert target.stat().st_mode & 0o777 == 0o600


@posix_only
def test_a_file_written_as_replaced_keeps_its_permissions_or_takes_the_umasks(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "private.csv"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    atomic_write_bytes(kept, b"new", permissions="as-replaced")
    assert kept.stat().st_mode & 0o777 == 0o640
    previous = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "new.csv", b"new", permissions="as-replaced")
    finally:
        os.umask(previous)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o640
