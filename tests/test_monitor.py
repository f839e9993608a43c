"""Policies, verdicts and a check's evaluation on the demo account and a degraded one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from smstools_tui.analysis.monitoring import metric_values
from smstools_tui.api.client import SmstoolsClient
from smstools_tui.errors import ConfigError
from smstools_tui.monitor import CheckResult, Finding, Policy, Rule, evaluate, judge
from smstools_tui.sandbox import (
    AccountSpec,
    Degradation,
    SandboxApi,
    demo_account,
    sandbox_settings,
)
from smstools_tui.source import DEMO_LABEL

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

POLICY = """
[[rule]]
name = "delivery"
metric = "delivery_rate"
window = "24h"
min_messages = 50
warning = 0.9
critical = 0.8

[[rule]]
name = "delivery by country"
metric = "delivery_rate"
window = "24h"
by = "country"
min_messages = 50
warning = 0.9
critical = 0.8

[[rule]]
name = "credit"
metric = "credit_sms"
window = "1h"
warning = 100
"""


def client_at(account_spec: AccountSpec, moment: datetime) -> SmstoolsClient:
    """The sandbox account as its API answers at ``moment`` (both clocks stopped there)."""
    api = SandboxApi(demo_account(account_spec), clock=lambda: moment)  # generated once
    return SmstoolsClient(sandbox_settings(), transport=api.transport(), clock=lambda: moment,
                          label=DEMO_LABEL)  # fmt: skip


@pytest.fixture(scope="module")
def clean() -> AccountSpec:
    return AccountSpec(seed=3, sent=60_000, received=3_000, days=60, now=NOW)


# -- policies -------------------------------------------------------------------------------------


def test_a_policy_reads_its_rules() -> None:
    policy = Policy.parse(POLICY)
    assert [rule.name for rule in policy.rules] == ["delivery", "delivery by country", "credit"]
    rule = policy.rules[1]
    assert (rule.metric, rule.window.text, rule.by, rule.min_messages) == (
        "delivery_rate", "24h", "country", 50,
    )  # fmt: skip
    assert (rule.warning, rule.critical, rule.baseline) == (0.9, 0.8, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]\nmetric=1", "the policy: not valid TOML: "),
        ("", "the policy: no rule: add a [[rule]] table"),
        ("[rules]\n", "unknown table or key 'rules'"),
        ('[[rule]]\nmetric = "speed"\nwindow = "1h"\nwarning = 1', "rule 1: metric 'speed' is"),
        ('[[rule]]\nmetric = "delivery_rate"\nwarning = 1', "rule 1: a rule needs a window"),
        ('[[rule]]\nmetric = "delivery_rate"\nwindow = "soon"\nwarning = 1',
         "rule 1: 'soon' is not a window"),
        ('[[rule]]\nmetric = "delivery_rate"\nwindow = "1h"', "rule 1: give warning, critical"),
        ('[[rule]]\nmetric = "delivery_rate"\nwindow = "1h"\nwarning = "high"',
         "rule 1: warning must be a number"),
        ('[[rule]]\nmetric = "delivery_rate"\nwindow = "1h"\nwarning = 1\nby = "day"',
         "rule 1: by 'day' is not a grouping"),
        ('[[rule]]\nmetric = "credit_sms"\nwindow = "1h"\nwarning = 1\nby = "country"',
         "none for this metric"),
        ('[[rule]]\nmetric = "delivery_rate"\nwindow = "1h"\nwarning = 1\nmin_messages = 0',
         "min_messages must be a whole number"),
        ('[[rule]]\nmetric = "delivery_rate"\nwindow = "1h"\nwarning = 1\nbaseline = "ever"',
         "baseline 'ever' is not one of same-hour-last-7-days"),
        ('[[rule]]\nmetric = "delivery_rate"\nwindow = "1h"\nwarning = 1\nwarnign = 2',
         "rule 1: unknown key 'warnign'"),
        ('[[rule]]\nmetric = "pending_share"\nwindow = "1h"\nwarning = 1\n'
         '[[rule]]\nmetric = "pending_share"\nwindow = "1h"\nwarning = 2',
         "two rules are named 'pending_share 1h'"),
        ('[[rule]]\nmetric = "nosent_rate"\nwindow = "1h"\nwarning = 1\nexpected = true',
         "expected = true applies to delivery_rate only"),
        ('[[rule]]\nmetric = "delivery_rate"\nwindow = "1h"\nwarning = 1\nexpected = "yes"',
         "expected must be true or false"),
    ],
    ids=["toml", "empty", "table", "metric", "no-window", "bad-window", "no-threshold",
         "text-threshold", "time-group", "credit-group", "min-messages", "baseline", "typo",
         "same-name", "expected-metric", "expected-text"],
)  # fmt: skip
def test_a_bad_policy_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Policy.parse(text)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value).strip() or "TOML" in str(raised.value)


def test_a_policy_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "policy.toml"
    with pytest.raises(ConfigError, match="cannot read the policy"):
        Policy.load(path)
    path.write_text('[[rule]]\nmetric = "delivery_rate"\nwindow = "1h"\nwarning = "x"\n')
    with pytest.raises(ConfigError, match=f"{path}, rule 1: warning must be a number"):
        Policy.load(path)


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [("delivery_rate", 0.95, "OK"), ("delivery_rate", 0.85, "WARNING"),
     ("delivery_rate", 0.75, "CRITICAL"), ("pending_share", 0.75, "CRITICAL"),
     ("pending_share", 0.85, "CRITICAL"), ("pending_share", 0.5, "OK")],
)  # fmt: skip
def test_the_bad_direction_is_the_metrics(metric: str, value: float, expected: str) -> None:
    thresholds = {"warning": 0.9, "critical": 0.8}
    if metric == "pending_share":
        thresholds = {"warning": 0.6, "critical": 0.7}
    rule = Rule.from_mapping({"metric": metric, "window": "1h", **thresholds})
    assert judge(value, rule) == expected


def test_a_check_is_its_worst_rule() -> None:
    def finding(status: str) -> Finding:
        return Finding("r", "delivery_rate", None, None, 0.5, 0.9, 0.8, status, 10)

    assert CheckResult(()).status == "OK"
    assert CheckResult((finding("OK"), finding("WARNING"))).exit_code == 1
    assert CheckResult((finding("CRITICAL"), finding("WARNING"))).exit_code == 2
    assert CheckResult((finding("OK"),), error="no credentials").exit_code == 3


# -- evaluation -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evaluated(clean: AccountSpec) -> tuple[CheckResult, pd.DataFrame]:
    with client_at(clean, NOW) as client:
        result = evaluate(Policy.parse(POLICY), client, zone=UTC)
        sent = client.sent(window="24h")
    return result, sent


def test_each_value_is_the_metric_on_the_rules_window(
    evaluated: tuple[CheckResult, pd.DataFrame],
) -> None:
    result, sent = evaluated
    whole = metric_values(sent, None, "delivery_rate").iloc[0]
    first = result.findings[0]
    assert (first.name, first.value, first.messages) == ("delivery", whole["value"],
                                                         whole["messages"])  # fmt: skip
    by_country = metric_values(sent, None, "delivery_rate", "country")
    big = by_country[by_country["messages"] >= 50]
    shown = {f.group: f.value for f in result.findings if f.name == "delivery by country"}
    assert shown == dict(zip(big["country"].astype(str), big["value"], strict=True))
    credit = next(f for f in result.findings if f.name == "credit")
    assert credit.value is not None and credit.value > 100 and credit.status == "OK"


def test_the_json_shape(evaluated: tuple[CheckResult, pd.DataFrame]) -> None:
    result, _ = evaluated
    answer = result.to_json()
    assert set(answer) == {"status", "rules"}
    assert answer["status"] in ("OK", "WARNING", "CRITICAL")
    for entry in answer["rules"]:
        assert set(entry) >= {"name", "metric", "by", "group", "value", "warning", "critical",
                              "status", "messages"}  # fmt: skip


def test_a_degraded_route_is_caught_in_one_run(clean: AccountSpec) -> None:
    broken = AccountSpec(seed=clean.seed, sent=clean.sent, received=clean.received,
                         days=clean.days, now=NOW,
                         degrade=(Degradation("39", 0.4, NOW - timedelta(hours=30)),))  # fmt: skip
    with client_at(broken, NOW) as client:
        result = evaluate(Policy.parse(POLICY), client, zone=UTC)
    by_country = {f.group: f for f in result.findings if f.name == "delivery by country"}
    assert by_country["IT"].status == "CRITICAL", by_country["IT"].line()
    assert result.status == "CRITICAL" and result.exit_code == 2
    # The other countries' messages are untouched.
    assert all(f.status == "OK" for group, f in by_country.items() if group != "IT")


def test_thirty_clean_days_stay_quiet(clean: AccountSpec) -> None:
    policy = Policy.parse(POLICY + """
[[rule]]
name = "delivery against the last 7 days"
metric = "delivery_rate"
window = "24h"
baseline = "same-hour-last-7-days"
min_messages = 50
warning = 0.05
critical = 0.1
""")  # fmt: skip
    alarms, judged = [], 0
    for day in range(30):
        moment = NOW - timedelta(days=day, hours=day % 7)
        with client_at(clean, moment) as client:
            result = evaluate(policy, client, zone=UTC)
        alarms += [f.line() for f in result.findings if f.status != "OK"]
        judged += sum(f.value is not None for f in result.findings)
    assert len(alarms) <= 1, alarms
    # Quiet because the rules were judged on every day, not because nothing had enough messages.
    assert judged >= 30 * len(policy.rules)


def test_a_baseline_catches_a_drop_a_fixed_threshold_misses(clean: AccountSpec) -> None:
    policy = Policy.parse("""
[[rule]]
name = "fixed"
metric = "delivery_rate"
window = "24h"
min_messages = 50
warning = 0.7
[[rule]]
name = "against the usual"
metric = "delivery_rate"
window = "24h"
baseline = "same-hour-last-7-days"
min_messages = 50
warning = 0.05
critical = 0.1
""")  # fmt: skip
    broken = AccountSpec(seed=clean.seed, sent=clean.sent, received=clean.received,
                         days=clean.days, now=NOW,
                         degrade=(Degradation("39", 0.12, NOW - timedelta(hours=30)),))  # fmt: skip
    with client_at(broken, NOW) as client:
        result = evaluate(policy, client, zone=UTC)
    fixed, usual = result.findings
    assert fixed.status == "OK"
    assert usual.status in ("WARNING", "CRITICAL"), usual.line()
    assert usual.baseline is not None and usual.value is not None
    assert usual.baseline - usual.value > 0.05


def test_an_opt_out_before_the_window_still_counts(clean: AccountSpec) -> None:
    policy = Policy.parse('[[rule]]\nmetric = "sent_after_opt_out"\nwindow = "24h"\ncritical = 0\n')
    with client_at(clean, NOW) as client:
        result = evaluate(policy, client, zone=UTC)
        sent = client.sent(window="24h")
        received = client.received(since=NOW - timedelta(days=60))
        only_inside = client.received(window="24h")
    from smstools_tui.analysis import compliance_list

    expected = len(compliance_list(sent, received))
    assert result.findings[0].value == expected
    # Read inside the window alone, older opt-outs would be missed.
    assert len(compliance_list(sent, only_inside)) < expected


def test_a_rule_by_carrier_skips_carriers_under_min_messages() -> None:
    from smstools_tui.analysis import carrier_report
    from smstools_tui.monitor import evaluate_frames
    from smstools_tui.sandbox import generate_account

    account = generate_account(AccountSpec(seed=5, sent=3_000, received=10, days=20, now=NOW))
    sent = account.sent_frame()
    policy = Policy.parse(
        '[[rule]]\nmetric = "delivery_rate"\nwindow = "30d"\nby = "carrier"\n'
        "min_messages = 40\nwarning = 0.99\n"
    )
    result = evaluate_frames(policy, sent, None, now=NOW, zone=UTC)
    report = carrier_report(sent, min_volume=1)
    final = metric_values(sent, None, "delivery_rate", "carrier")
    big = set(final.loc[final["messages"] >= 40, "carrier"].astype(str))
    assert {finding.group for finding in result.findings} == big
    assert 0 < len(big) < len(report)
    assert all(finding.by == "carrier" for finding in result.findings)


def test_an_expected_rule_judges_the_rate_young_campaigns_will_end_with() -> None:
    from smstools_tui.analysis import check_groups, expected_delivery
    from smstools_tui.monitor import EXPECTED_HISTORY, evaluate_frames
    from smstools_tui.sandbox import generate_account

    spec = AccountSpec(seed=11, sent=20_000, received=10, days=20, now=NOW, settling="two-phase")
    account = generate_account(spec)
    # An hour after the campaign that is being sent at NOW started: much is still SENT.
    moment = NOW + timedelta(hours=1)
    sent = account.sent_frame(at=moment)
    policy = Policy.parse(
        '[[rule]]\nname = "raw"\nmetric = "delivery_rate"\nwindow = "3h"\nby = "campaign"\n'
        "min_messages = 100\nwarning = 0.95\n"
        '[[rule]]\nmetric = "delivery_rate"\nwindow = "3h"\nby = "campaign"\n'
        "min_messages = 100\nwarning = 0.95\nexpected = true\n"
    )
    assert policy.rules[1].name == "expected delivery_rate 3h by campaign"
    span = policy.span(moment, UTC)
    assert span is not None and span.start == moment - timedelta(hours=3) - EXPECTED_HISTORY
    result = evaluate_frames(policy, sent, None, now=moment, zone=UTC)
    raw, expected = result.findings
    young = sent[sent["insertDate"] >= pd.Timestamp(moment - timedelta(hours=3))]
    history = sent[sent["insertDate"] < pd.Timestamp(moment - timedelta(hours=3))]
    direct = expected_delivery(young, history, now=moment, groups=check_groups(young, "campaign"))
    assert expected.group == raw.group and expected.value == direct["expected_rate"].iloc[0]
    assert raw.value is not None and expected.value is not None
    assert raw.value > expected.value + 0.02  # early failures are still to report
    assert expected.interval is not None and expected.interval[0] < expected.value
    assert expected.messages > raw.messages  # all its messages, settled or not
    assert "expected" in expected.line() and "95% interval" in expected.line()
    answer = expected.to_json()
    assert answer["expected"] is True and len(answer["interval"]) == 2
    assert raw.to_json()["expected"] is False and raw.to_json()["interval"] is None
