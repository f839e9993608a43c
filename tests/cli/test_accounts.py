"""Many accounts on the command line: ``[accounts.NAME]``, ``--account``, ``--all-accounts``,
against two sandbox servers on 127.0.0.1 (and a third account whose key is refused)."""

from __future__ import annotations

import io
import json
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.config import config_file_path
from smstools_tui.sandbox import (
    SANDBOX_KEY,
    SANDBOX_SECRET,
    AccountSpec,
    SandboxApi,
    SandboxServer,
    generate_account,
)
from tests.conftest import NOW, Clock, MemoryKeyring, Result

WINDOW = ("--since", "2026-08-01T00:00:00+00:00", "--until", "2026-11-01T00:00:00+00:00")


def write_config(text: str) -> Path:
    path = config_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.fixture
def servers(clock: Clock) -> Iterator[dict[str, SandboxServer]]:
    """Two small sandbox accounts of different seeds, each on a server of its own."""
    running: dict[str, SandboxServer] = {}
    for name, seed in (("acme", 21), ("globex", 22)):
        spec = AccountSpec(seed=seed, sent=300, received=30, days=110, now=NOW)
        api = SandboxApi(generate_account(spec), clock=clock, page_cap=100)
        running[name] = SandboxServer(api).start()
    yield running
    for server in running.values():
        server.stop()


def account_table(name: str, base_url: str, key: str = SANDBOX_KEY) -> str:
    return (
        f'[accounts.{name}]\nauth_key = "{key}"\nauth_secret = "{SANDBOX_SECRET}"\n'
        f'base_url = "{base_url}"\n'
    )


@pytest.fixture
def accounts(servers: dict[str, SandboxServer], no_credentials: None) -> Path:
    """acme and globex on their servers, and broken: acme's server with a refused key."""
    return write_config(
        account_table("acme", servers["acme"].base_url)
        + account_table("globex", servers["globex"].base_url)
        + account_table("broken", servers["acme"].base_url, key="not-the-key")
    )


def frame_of(result: Result) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(result.out), dtype=str, keep_default_na=False)


def test_a_failing_account_stops_none_of_the_others(
    run: Callable[..., Result], accounts: Path
) -> None:
    synced = run("sync", "--all-accounts", "--since", "2026-08-01T00:00:00+00:00")
    assert synced.code == 3, synced.err  # the one failure: a refused key
    lines = synced.out.splitlines()
    assert sorted(line.split(":")[0] for line in lines) == ["account acme", "account globex"]
    assert all("synced: " in line for line in lines)
    assert "account broken: failed: " in synced.err
    assert "1 of 3 accounts failed: broken" in synced.err
    assert SANDBOX_KEY not in synced.err + synced.out and "not-the-key" not in synced.err
    # What succeeded is kept: both stores answer offline.
    for name in ("acme", "globex"):
        offline = run("export", "sent", "--account", name, "--offline", *WINDOW, "--out", "-")
        assert offline.code == 0, offline.err
        assert set(frame_of(offline)["account"]) == {name}
        # The SQL tables over its store's files name it too.
        asked = run("sql", "SELECT DISTINCT account FROM sent", "--account", name, "--offline",
                    "--out", "-")  # fmt: skip
        assert asked.code == 0, asked.err
        assert frame_of(asked)["account"].tolist() == [name]


def test_export_all_accounts_has_the_account_column(
    run: Callable[..., Result], accounts: Path
) -> None:
    both = run("export", "sent", "--all-accounts", *WINDOW, "--out", "-")
    assert both.code == 3, both.err
    assert "account broken: failed" in both.err
    frame = frame_of(both)
    assert set(frame["account"]) == {"acme", "globex"}
    singles = {
        name: frame_of(run("export", "sent", "--account", name, *WINDOW, "--out", "-"))
        for name in ("acme", "globex")
    }
    assert len(frame) == sum(len(single) for single in singles.values())
    for name, single in singles.items():
        assert set(single["account"]) == {name}
        mine = frame[frame["account"] == name]
        assert sorted(mine["id"]) == sorted(single["id"])


def test_cost_by_account_sums_equal_the_accounts_own_reports(
    run: Callable[..., Result], accounts: Path
) -> None:
    write_config(accounts.read_text().split("[accounts.broken]")[0])  # only the good ones
    by_account = run("report", "cost", "--all-accounts", "--by", "account", *WINDOW, "--out", "-")
    assert by_account.code == 0, by_account.err
    table = frame_of(by_account).set_index("account")
    assert sorted(table.index) == ["acme", "globex"]
    for name in ("acme", "globex"):
        own = frame_of(run("report", "cost", "--account", name, *WINDOW, "--out", "-"))
        assert len(own) == 1
        for column in ("messages", "spend"):
            assert float(table.loc[name, column]) == pytest.approx(float(own.loc[0, column]))


def test_spend_per_account_and_month(run: Callable[..., Result], accounts: Path) -> None:
    write_config(accounts.read_text().split("[accounts.broken]")[0])
    billing = run("report", "billing", "--all-accounts", *WINDOW, "--out", "-")
    assert billing.code == 0, billing.err
    table = frame_of(billing)
    assert list(table.columns[:4]) == ["account", "month", "messages", "segments"]
    assert set(table["account"]) == {"acme", "globex"}
    exported = frame_of(run("export", "sent", "--all-accounts", *WINDOW, "--out", "-"))
    for name in ("acme", "globex"):
        mine = table[table["account"] == name]
        assert mine["messages"].astype(int).sum() == (exported["account"] == name).sum()


def test_sql_all_accounts_groups_by_account(run: Callable[..., Result], accounts: Path) -> None:
    write_config(accounts.read_text().split("[accounts.broken]")[0])
    exported = frame_of(run("export", "sent", "--all-accounts", *WINDOW, "--out", "-"))
    answer = run(
        "sql", "SELECT account, count(*) AS messages FROM sent GROUP BY account ORDER BY account",
        "--all-accounts", *WINDOW, "--out", "-",
    )  # fmt: skip
    assert answer.code == 0, answer.err
    table = frame_of(answer)
    assert table["account"].tolist() == ["acme", "globex"]
    expected = exported["account"].value_counts()
    assert [int(count) for count in table["messages"]] == [expected["acme"], expected["globex"]]


def test_an_unknown_account_is_one_line_listing_the_known(
    run: Callable[..., Result], accounts: Path
) -> None:
    for command in (("sync",), ("report", "delivery"), ("export", "sent"), ("sql", "SELECT 1")):
        result = run(*command, "--account", "acmee")
        assert result.code == 2
        assert result.err.count("\n") == 1
        assert "no account 'acmee'" in result.err
        assert "did you mean 'acme'" in result.err and "acme, globex, broken" in result.err


def test_all_accounts_without_any_is_a_usage_error(
    run: Callable[..., Result], no_credentials: None
) -> None:
    result = run("sync", "--all-accounts")
    assert result.code == 2 and "names no account" in result.err


def test_account_flags_that_contradict(run: Callable[..., Result], accounts: Path) -> None:
    assert "contradict" in run("export", "sent", "--account", "acme", "--all-accounts").err
    assert "--demo" in run("report", "cost", "--demo", "--all-accounts").err


def test_every_account_in_one_store_root(
    run: Callable[..., Result], accounts: Path, tmp_path: Path
) -> None:
    root = tmp_path / "store"
    synced = run("sync", "--all-accounts", "--store", str(root), "--since", WINDOW[1])
    assert synced.code == 3, synced.err  # broken's key is refused; the others are stored
    held = sorted(path.parent.name for path in (root / "kind=sent").glob("account=*/month=*"))
    assert len(set(held)) == 2  # one account= folder each, in the one root
    for name in ("acme", "globex"):
        alone = run("export", "sent", "--account", name, "--offline", "--store", str(root),
                    *WINDOW, "--out", "-")  # fmt: skip
        assert alone.code == 0, alone.err
        assert set(frame_of(alone)["account"]) == {name} and len(frame_of(alone)) > 100
    both = run("export", "sent", "--all-accounts", "--offline", "--store", str(root), *WINDOW,
               "--out", "-")  # fmt: skip
    assert set(frame_of(both)["account"]) == {"acme", "globex"}
    # The whole root is one dataset: DuckDB reads every account's files with its folders.
    import duckdb

    counted = duckdb.sql(
        f"SELECT count(DISTINCT account) FROM read_parquet('{root}/kind=sent/*/*/*.parquet', "
        "hive_partitioning = true)"
    ).fetchall()
    assert counted == [(2,)]


POLICY = """
[[rule]]
name = "delivery"
metric = "delivery_rate"
window = "30d"
warning = 0.0
critical = 0.0
"""


def test_check_all_accounts_qualifies_each_group_and_ends_with_the_worst(
    run: Callable[..., Result], accounts: Path, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY)
    checked = run("check", "--all-accounts", "--policy", str(policy))
    assert checked.code == 3, checked.err  # broken could not be checked: UNKNOWN, the worst
    lines = checked.out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "OK delivery [acme]", "OK delivery [globex]", "UNKNOWN account broken",
    ]  # fmt: skip
    write_config(accounts.read_text().split("[accounts.broken]")[0])
    as_json = run("check", "--all-accounts", "--policy", str(policy), "--json")
    assert as_json.code == 0, as_json.err
    answer = json.loads(as_json.out)
    assert answer["status"] == "OK"
    assert [rule["group"] for rule in answer["rules"]] == ["acme", "globex"]


def test_config_show_lists_the_accounts_without_their_secrets(
    run: Callable[..., Result], accounts: Path, servers: dict[str, SandboxServer]
) -> None:
    write_config(accounts.read_text() + "[accounts.initech]\nkeyring = true\n")
    shown = run("config", "show")
    assert shown.code == 0, shown.err
    assert SANDBOX_KEY not in shown.out and SANDBOX_SECRET not in shown.out
    assert "not-the-key" not in shown.out
    document = tomllib.loads(shown.out)
    assert list(document["accounts"]) == ["acme", "globex", "broken", "initech"]
    assert document["accounts"]["acme"] == {"base_url": servers["acme"].base_url}
    assert "# credentials: in the system keyring" in shown.out.split("[accounts.initech]")[1]


def test_login_stores_an_accounts_credentials_apart(
    run: Callable[..., Result],
    accounts: Path,
    monkeypatch: pytest.MonkeyPatch,
    private_keyring: MemoryKeyring,
    servers: dict[str, SandboxServer],
) -> None:
    write_config(
        accounts.read_text() + f'[accounts.initech]\nkeyring = true\nbase_url = "'
        f'{servers["globex"].base_url}"\n'
    )
    answers = iter([SANDBOX_KEY, SANDBOX_SECRET])
    monkeypatch.setattr("click.prompt", lambda *args, **kwargs: next(answers))
    assert run("login", "--account", "initech").code == 0
    assert ("smstools-tui", "initech:auth_key") in private_keyring.passwords
    assert ("smstools-tui", "auth_key") not in private_keyring.passwords  # the unnamed one's
    exported = run("export", "sent", "--account", "initech", *WINDOW, "--out", "-")
    assert exported.code == 0, exported.err
    assert set(frame_of(exported)["account"]) == {"initech"}
    refused = run("login", "--account", "acme")
    assert refused.code == 2 and "keyring = true" in refused.err
    assert "no account 'nobody'" in run("login", "--account", "nobody").err


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            'auth_key = "k"\nauth_secret = 7\n',
            "line 3: [accounts.acme] auth_secret must be a text, not a number",
        ),
        (
            'auth_kye = "k"\n',
            "line 2: [accounts.acme] auth_kye: unknown key; did you mean 'auth_key'?",
        ),
        ('auth_key = "k"\n', "[accounts.acme]: auth_secret is missing"),
        ('keyring = "yes"\n', "line 2: [accounts.acme] keyring must be true or false, not a text"),
        (
            'keyring = true\nbase_url = "http://example.com"\n',
            "line 3: [accounts.acme] base_url: refusing plain http:// for example.com",
        ),
    ],
)
def test_a_bad_account_table_names_the_file_line_and_key(
    run: Callable[..., Result], no_credentials: None, table: str, expected: str
) -> None:
    path = write_config("[accounts.acme]\n" + table)
    result = run("export", "sent", "--account", "acme")
    assert result.code == 2
    assert f"config file {path}" in result.err and expected in result.err
    assert result.err.count("\n") == 1 and '"k"' not in result.err


def test_html_report_of_all_accounts_and_the_base_url_they_use(
    run: Callable[..., Result],
    accounts: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    servers: dict[str, SandboxServer],
) -> None:
    write_config(accounts.read_text().split("[accounts.broken]")[0])
    # SMSTOOLS_BASE_URL does not send an account with a base URL of its own elsewhere.
    monkeypatch.setenv("SMSTOOLS_BASE_URL", "http://127.0.0.1:9/rest/api")
    out = tmp_path / "report.html"
    result = run("report", "all", "--all-accounts", *WINDOW, "--out", str(out))
    assert result.code == 0, result.err
    assert "2 accounts" in out.read_text(encoding="utf-8")


def test_every_account_failing_tells_each_reason(
    run: Callable[..., Result], servers: dict[str, SandboxServer], no_credentials: None
) -> None:
    write_config(
        account_table("one", servers["acme"].base_url, key="wrong-1")
        + account_table("two", servers["globex"].base_url, key="wrong-2")
    )
    result = run("report", "delivery", "--all-accounts", *WINDOW)
    assert result.code == 3  # refused keys, both
    lines = result.err.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "account one", "account two", "smstools-tui",
    ]  # fmt: skip
    assert "401 BAD_CREDENTIALS" in lines[0] and lines[-1].endswith(
        "2 of 2 accounts failed: one, two"
    )
