"""Where stores live, whose they are, and how offline use finds one without the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from smstools_tui.config import Credentials
from smstools_tui.errors import ConfigError, StoreError
from smstools_tui.store import Store
from smstools_tui.store.locate import (
    StoreIdentity,
    account_id,
    data_dir,
    default_store_path,
    find_offline_store,
    last_used_store,
    local_folder,
    remember_store,
)

BASE = "https://api.smstools.it/rest/api"
KEY, SECRET = "a-very-private-key-42", "a-very-private-secret-42"


def test_the_data_dir_can_be_chosen(private_data_dir: Path) -> None:
    assert data_dir() == private_data_dir


def test_the_key_and_secret_never_reach_a_name() -> None:
    credentials = Credentials(KEY, SECRET)
    identity = StoreIdentity.of(BASE, credentials)
    path = default_store_path(identity)
    for text in (identity.account, repr(identity), str(path)):
        assert KEY not in text and SECRET not in text
    assert path.name.startswith("api.smstools.it-")
    assert account_id(credentials) == account_id(Credentials(KEY, "another secret"))
    assert account_id(credentials) != account_id(Credentials(KEY + "x", SECRET))


def test_one_store_per_account_and_base_url() -> None:
    one = default_store_path(StoreIdentity.of(BASE, Credentials(KEY, SECRET)))
    assert one == default_store_path(StoreIdentity.of(BASE, Credentials(KEY, SECRET)))
    assert one != default_store_path(StoreIdentity.of(BASE, Credentials("other", SECRET)))
    sandbox = default_store_path(
        StoreIdentity.of("http://127.0.0.1:8765/rest/api", Credentials(KEY, SECRET))
    )
    assert sandbox != one and sandbox.name.startswith("127.0.0.1_8765-")


def test_offline_finds_the_store_last_used_for_the_base_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no local store for https://api\.smstools\.it"):
        find_offline_store(BASE)
    store = tmp_path / "mine"
    store.mkdir()
    remember_store(BASE, store)
    assert last_used_store(BASE) == store.resolve()
    with pytest.raises(ConfigError, match="run 'smstools-tui sync' once online"):
        find_offline_store(BASE)  # remembered, but nothing was ever committed there
    (store / "manifest.json").write_text("{}")
    assert find_offline_store(BASE) == store.resolve()
    assert find_offline_store("http://127.0.0.1:1/rest/api", path=store) == store
    with pytest.raises(ConfigError):
        find_offline_store("http://127.0.0.1:1/rest/api")


def test_offline_with_credentials_finds_the_default_store() -> None:
    credentials = Credentials(KEY, SECRET)
    default = default_store_path(StoreIdentity.of(BASE, credentials))
    (default / "_manifests").mkdir(parents=True)
    who = StoreIdentity.of(BASE, credentials)
    (default / "_manifests" / f"account={who.dataset_account}.json").write_text("{}")
    assert find_offline_store(BASE, credentials=credentials) == default


def test_the_account_folder_name_is_text_and_never_shows_the_key() -> None:
    who = StoreIdentity.of(BASE, Credentials(KEY, SECRET))
    name = who.dataset_account
    assert name.startswith("sha256-") and len(name) == 23
    assert KEY not in name and who.account.removeprefix("sha256:")[:16] not in name
    # The same hash names the account's default store folder.
    assert default_store_path(who).name.endswith(name.removeprefix("sha256-"))
    other = StoreIdentity.of("http://127.0.0.1:1/rest/api", Credentials(KEY, SECRET))
    assert other.dataset_account != name  # another server: another account in a shared root


def test_a_damaged_registry_is_ignored(private_data_dir: Path) -> None:
    registry = private_data_dir / "stores" / "last-used.json"
    registry.parent.mkdir(parents=True)
    registry.write_text("not json")
    assert last_used_store(BASE) is None
    remember_store(BASE, Path("/somewhere"))
    assert last_used_store(BASE) == Path("/somewhere").resolve()


def test_a_store_url_is_never_taken_for_a_local_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    who = StoreIdentity.of(BASE, Credentials(KEY, SECRET))
    with pytest.raises(StoreError, match="--store nosuch://bucket/prefix: "):
        Store.open("nosuch://bucket/prefix", who)  # a scheme fsspec does not know
    assert find_offline_store(BASE, path="s3://bucket/prefix") == "s3://bucket/prefix"
    with pytest.raises(StoreError, match="is a URL where a local folder is needed"):
        local_folder("s3://bucket/prefix")
    assert list(tmp_path.iterdir()) == []  # no folder named 'nosuch:' or 's3:'
