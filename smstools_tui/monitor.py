"""Watching the account: a policy of rules, evaluated on a window of messages, with the status
every monitoring system understands.

A policy file (TOML) holds ``[[rule]]`` tables::

    [[rule]]
    name = "delivery to Italy"
    metric = "delivery_rate"        # see smstools_tui.analysis.METRICS
    window = "24h"                  # any window expression: 1h, 24h, 7d, today …
    by = "country"                  # optional: country, carrier, sender, campaign, encoding, status
    min_messages = 50               # groups with fewer messages never alarm
    warning = 0.95
    critical = 0.90
    expected = true                 # judge the rate the messages will end with (delivery_rate)

A rule's status is ``CRITICAL`` when its value is past ``critical`` in the metric's bad direction
(below it for the delivery rate and the credit, above it for the rest), else ``WARNING`` past
``warning``, else ``OK``. With ``baseline = "same-hour-last-7-days"`` the value is compared with the
same metric over the same hours of each of the seven days before, and ``warning`` and
``critical`` are how far it may move from that, in the bad direction (``warning = 0.05``: five
points below the usual delivery rate). A check that cannot run (no credentials, no network, a
bad policy) is ``UNKNOWN``. The exit codes are the monitoring convention: 0 OK, 1 WARNING,
2 CRITICAL, 3 UNKNOWN.

A ``delivery_rate`` rule with ``expected = true`` judges the rate the window's messages are
expected to end with (:func:`~smstools_tui.analysis.expected_delivery`: the messages still
PENDING or SENT settle as the account's history says they do), read on the
:data:`EXPECTED_HISTORY` before the window; its ``messages`` are all the group's messages, settled
or not, and its finding carries the 95 % interval. With a baseline, the expected rate is compared
with the rates the same hours of the days before ended with.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pandas as pd

from .analysis import DEFAULT_OPT_OUT_KEYWORDS, METRICS, expected_delivery, metric_values
from .analysis.monitoring import CHECK_GROUPINGS, check_groups
from .analysis.replies import Keywords
from .errors import ConfigError
from .query import Span, WindowExpr, parse_window
from .report.tables import format_duration
from .source import MessageSource

__all__ = [
    "BASELINES",
    "CHECK_STATUSES",
    "EXIT_CODES",
    "EXPECTED_HISTORY",
    "OPT_OUT_MEMORY",
    "CheckResult",
    "Finding",
    "Policy",
    "Rule",
    "evaluate",
    "evaluate_frames",
    "format_metric",
    "judge",
]

CHECK_STATUSES: tuple[str, ...] = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
"""From best to worst; a check's status is its worst rule's."""
EXIT_CODES: dict[str, int] = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
"""The monitoring convention (Nagios and every scheduler that follows it)."""
BASELINES: tuple[str, ...] = ("same-hour-last-7-days",)
_BASELINE_DAYS = 7
OPT_OUT_MEMORY = timedelta(days=365)
"""How far before a check's window its opt-outs are read: a year of STOPs still binds."""
EXPECTED_HISTORY = timedelta(days=30)
"""How far before a window the history of an ``expected = true`` rule is read: a month of
delivery times, recent enough to follow the routes as they are."""
_RULE_KEYS = {"name", "metric", "window", "by", "min_messages", "warning", "critical",
              "baseline", "expected"}  # fmt: skip
_GROUPS = CHECK_GROUPINGS


@dataclass(frozen=True)
class Rule:
    """One rule of a policy (see the module's docstring).

    Example:
        >>> rule = Rule.from_mapping({"metric": "delivery_rate", "window": "24h",
        ...                           "warning": 0.95, "critical": 0.9})
        >>> rule.name, rule.by, rule.min_messages
        ('delivery_rate 24h', None, 1)
    """

    name: str
    metric: str
    window: WindowExpr
    by: str | None = None
    min_messages: int = 1
    warning: float | None = None
    critical: float | None = None
    baseline: str | None = None
    expected: bool = False

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], where: str = "a rule") -> Rule:
        """A rule from a policy's ``[[rule]]`` table.

        Raises:
            ConfigError: an unknown key, a missing or wrong value; the message says ``where``.
        """
        unknown = sorted(set(values) - _RULE_KEYS)
        if unknown:
            raise ConfigError(
                f"{where}: unknown key {unknown[0]!r}: use {', '.join(sorted(_RULE_KEYS))}"
            )
        metric = values.get("metric")
        if metric not in METRICS:
            raise ConfigError(f"{where}: metric {metric!r} is not one of {', '.join(METRICS)}")
        if "window" not in values:
            raise ConfigError(f"{where}: a rule needs a window (1h, 24h, 7d …)")
        try:
            window = parse_window(_text(values["window"], "window", where))
        except ConfigError as error:
            raise ConfigError(f"{where}: {error}") from None
        by = values.get("by")
        if by is not None and (by not in _GROUPS or not METRICS[metric].groupable):
            allowed = ", ".join(_GROUPS) if METRICS[metric].groupable else "none for this metric"
            raise ConfigError(f"{where}: by {by!r} is not a grouping: {allowed}")
        baseline = values.get("baseline")
        if baseline is not None and baseline not in BASELINES:
            raise ConfigError(
                f"{where}: baseline {baseline!r} is not one of {', '.join(BASELINES)}"
            )
        if baseline is not None and metric == "credit_sms":
            raise ConfigError(f"{where}: the credit has no history to compare with")
        expected = values.get("expected", False)
        if not isinstance(expected, bool):
            raise ConfigError(f"{where}: expected must be true or false")
        if expected and metric != "delivery_rate":
            raise ConfigError(f"{where}: expected = true applies to delivery_rate only")
        thresholds = {key: _number(values.get(key), key, where) for key in ("warning", "critical")}
        if thresholds["warning"] is None and thresholds["critical"] is None:
            raise ConfigError(f"{where}: give warning, critical or both")
        minimum = values.get("min_messages", 1)
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
            raise ConfigError(f"{where}: min_messages must be a whole number of at least 1")
        name = values.get("name") or f"{metric} {window.text}" + (f" by {by}" if by else "")
        if expected and not values.get("name"):
            name = f"expected {name}"
        return cls(_text(name, "name", where), metric, window, by, minimum,
                   thresholds["warning"], thresholds["critical"], baseline, expected)  # fmt: skip


def _text(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a text")
    return value


def _number(value: Any, key: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{where}: {key} must be a number")
    return float(value)


@dataclass(frozen=True)
class Policy:
    """The rules a check evaluates.

    Example:
        >>> policy = Policy.parse('[[rule]]\\nmetric = "pending_share"\\nwindow = "1h"\\n'
        ...                       'warning = 0.5\\n')
        >>> [rule.name for rule in policy.rules]
        ['pending_share 1h']
    """

    rules: tuple[Rule, ...]
    source: str = "the policy"

    @classmethod
    def parse(cls, text: str, source: str = "the policy") -> Policy:
        """Read a policy's TOML.

        Raises:
            ConfigError: not TOML, no rule, or a bad rule; the message names ``source``, and
                the line for a TOML error.
        """
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{source}: not valid TOML: {error}") from None
        unknown = sorted(set(document) - {"rule"})
        if unknown:
            raise ConfigError(f"{source}: unknown table or key {unknown[0]!r}: rules are [[rule]]")
        tables = document.get("rule", [])
        if not isinstance(tables, list) or not tables:
            raise ConfigError(f"{source}: no rule: add a [[rule]] table")
        rules = tuple(
            Rule.from_mapping(table, f"{source}, rule {index}")
            for index, table in enumerate(tables, start=1)
        )
        names = [rule.name for rule in rules]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ConfigError(f"{source}: two rules are named {twice[0]!r}: give each a name")
        return cls(rules, source)

    def span(self, now: datetime, zone: tzinfo | None = None) -> Span | None:
        """The one window that holds every rule's messages (a baseline's seven days before
        included); ``None`` when no rule reads messages.

        Example:
            >>> from datetime import UTC, datetime
            >>> policy = Policy.parse('[[rule]]\\nmetric = "pending_share"\\nwindow = "1h"\\n'
            ...                       'warning = 0.5\\nbaseline = "same-hour-last-7-days"\\n')
            >>> span = policy.span(datetime(2026, 11, 30, 10, tzinfo=UTC), UTC)
            >>> span.start.isoformat(), span.end.isoformat()
            ('2026-11-23T09:00:00+00:00', '2026-11-30T10:00:00+00:00')
        """
        spans = [_spans(rule, now, zone) for rule in self.rules if METRICS[rule.metric].groupable]
        if not spans:
            return None
        first = min(min([span.start, *(base.start for base in bases)]) for span, bases in spans)
        if any(rule.expected for rule in self.rules):
            reach = min(_spans(rule, now, zone)[0].start for rule in self.rules if rule.expected)
            first = min(first, reach - EXPECTED_HISTORY)
        return Span(first, max(span.end for span, _ in spans))

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read the policy file ``path``.

        Raises:
            ConfigError: it cannot be read, or :meth:`parse` refuses it.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"cannot read the policy {file}: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"the policy {file} is not UTF-8 text") from None
        return cls.parse(text, str(file))


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one group (or on everything).

    Attributes:
        baseline: the value the baseline gave (``None``: the rule has none, or no history).
        note: why a value is missing (too few messages …), for people.
    """

    name: str
    metric: str
    by: str | None
    group: str | None
    value: float | None
    warning: float | None
    critical: float | None
    status: str
    messages: int
    baseline: float | None = None
    note: str = ""
    expected: bool = False
    interval: tuple[float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        """The finding as ``--json`` writes it: ``expected`` says whether ``value`` is the
        expected final rate, ``interval`` its 95 % interval (``null`` otherwise)."""
        return {
            "name": self.name, "metric": self.metric, "by": self.by, "group": self.group,
            "value": self.value, "warning": self.warning, "critical": self.critical,
            "status": self.status, "messages": self.messages, "baseline": self.baseline,
            "expected": self.expected,
            "interval": list(self.interval) if self.interval is not None else None,
        }  # fmt: skip

    def line(self) -> str:
        """One line for people.

        Example:
            >>> Finding("delivery", "delivery_rate", "country", "IT", 0.8125, 0.95, 0.9,
            ...         "CRITICAL", 640).line()
            'CRITICAL delivery [IT]: 81.25% (warning < 95%, critical < 90%) on 640 messages'
            >>> Finding("new", "delivery_rate", None, None, 0.9412, 0.95, None, "WARNING", 90,
            ...         expected=True, interval=(0.931, 0.951)).line()
            'WARNING new: expected 94.12% (95% interval 93.1%–95.1%) (warning < 95%) on 90 messages'
        """
        where = f" [{self.group}]" if self.group is not None else ""
        unit = METRICS[self.metric].unit
        value = "–" if self.value is None else format_metric(self.value, unit)
        if self.expected:
            value = f"expected {value}"
            if self.interval is not None:
                low, high = (format_metric(bound, unit) for bound in self.interval)
                value += f" (95% interval {low}–{high})"
        limits = []
        worse = METRICS[self.metric].worse
        sign = "<" if worse == "lower" else ">"
        for label, limit in (("warning", self.warning), ("critical", self.critical)):
            if limit is None:
                continue
            if self.baseline is not None:
                towards = "below" if worse == "lower" else "above"
                limits.append(f"{label}: {format_metric(limit, unit)} {towards} "
                              f"{format_metric(self.baseline, unit)}")  # fmt: skip
            else:
                limits.append(f"{label} {sign} {format_metric(limit, unit)}")
        volume = f" on {self.messages:,} messages" if METRICS[self.metric].groupable else ""
        extra = f"; {self.note}" if self.note else ""
        return f"{self.status} {self.name}{where}: {value} ({', '.join(limits)}){volume}{extra}"


def format_metric(value: float, unit: str) -> str:
    """A metric's value for people, by its unit.

    Example:
        >>> [format_metric(v, u) for v, u in ((0.9385, "rate"), (11787.0, "sms"),
        ...  (12.5, "credits"), (93.0, "seconds"), (1.42, "number"))]
        ['93.85%', '11,787', '12.50', '1 min 33 s', '1.42']
    """
    if unit == "rate":
        return f"{value * 100:.4g}%"
    if unit in ("count", "sms"):
        return f"{value:,.0f}"
    if unit == "credits":
        return f"{value:,.2f}"
    if unit == "seconds":
        return format_duration(value)
    return f"{value:.3g}"


@dataclass(frozen=True)
class CheckResult:
    """Every finding of a check, and its status (the worst of them)."""

    findings: tuple[Finding, ...]
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "UNKNOWN"
        worst = max((CHECK_STATUSES.index(f.status) for f in self.findings), default=0)
        return CHECK_STATUSES[worst]

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def to_json(self) -> dict[str, Any]:
        """``{"status": …, "rules": [finding, …]}`` (and ``error`` when the check could not
        run)."""
        answer: dict[str, Any] = {
            "status": self.status, "rules": [finding.to_json() for finding in self.findings],
        }  # fmt: skip
        if self.error is not None:
            answer["error"] = self.error
        return answer

    def lines(self) -> list[str]:
        """One line per finding, or the reason the check could not run."""
        if self.error is not None:
            return [f"UNKNOWN {self.error}"]
        return [finding.line() for finding in self.findings]

    def keyed(self) -> dict[str, str]:
        """Each finding's status by rule and group: what a change of status is judged on."""
        return {
            f"{finding.name}|{finding.group or ''}": finding.status for finding in self.findings
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


def judge(value: float | None, rule: Rule, baseline: float | None = None) -> str:
    """A value's status under ``rule`` (see the module's docstring).

    Example:
        >>> rule = Rule.from_mapping({"metric": "delivery_rate", "window": "24h",
        ...                           "warning": 0.95, "critical": 0.9})
        >>> judge(0.97, rule), judge(0.93, rule), judge(0.85, rule), judge(None, rule)
        ('OK', 'WARNING', 'CRITICAL', 'OK')
        >>> drop = Rule.from_mapping({"metric": "delivery_rate", "window": "1h",
        ...     "baseline": "same-hour-last-7-days", "warning": 0.03, "critical": 0.1})
        >>> judge(0.93, drop, baseline=0.97), judge(0.96, drop, baseline=0.97)
        ('WARNING', 'OK')
    """
    if value is None or math.isnan(value):
        return "OK"
    lower_is_worse = METRICS[rule.metric].worse == "lower"
    if rule.baseline is not None:
        if baseline is None or math.isnan(baseline):
            return "OK"
        badness = baseline - value if lower_is_worse else value - baseline
        past = [limit is not None and badness > limit for limit in (rule.critical, rule.warning)]
    else:
        past = [
            limit is not None and (value < limit if lower_is_worse else value > limit)
            for limit in (rule.critical, rule.warning)
        ]
    return "CRITICAL" if past[0] else "WARNING" if past[1] else "OK"


# -- evaluation -----------------------------------------------------------------------------------


@dataclass
class _Frames:
    """The messages read once for every rule, sliced per window."""

    sent: pd.DataFrame
    received: pd.DataFrame

    def of(self, span: Span) -> tuple[pd.DataFrame, pd.DataFrame]:
        start, end = pd.Timestamp(span.start), pd.Timestamp(span.end)
        inserted = self.sent["insertDate"]
        sent = self.sent[(inserted >= start) & (inserted < end)]
        # Opt-outs count whenever they came before: every received message read.
        return sent.reset_index(drop=True), self.received

    def history(self, span: Span) -> pd.DataFrame:
        """The messages of the :data:`EXPECTED_HISTORY` before ``span``."""
        return self.of(Span(span.start - EXPECTED_HISTORY, span.start))[0]


def _spans(rule: Rule, now: datetime, zone: tzinfo | None) -> tuple[Span, list[Span]]:
    span = rule.window.resolve(now, zone)
    if rule.baseline is None:
        return span, []
    day = timedelta(days=1)
    return span, [
        Span(span.start - k * day, span.end - k * day) for k in range(1, _BASELINE_DAYS + 1)
    ]


def evaluate(
    policy: Policy,
    source: MessageSource,
    *,
    zone: tzinfo | None = None,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> CheckResult:
    """Evaluate every rule of ``policy`` on ``source``'s messages, at its :meth:`now
    <smstools_tui.source.MessageSource.now>`.

    The widest window any rule needs (a baseline's seven days before included) is read once;
    ``keywords`` are the opt-out keywords or the config file's compliance rules, for
    ``sent_after_opt_out``.

    Raises:
        SmstoolsError: the messages could not be read (the caller reports UNKNOWN).
    """
    now = source.now()
    span = policy.span(now, zone)
    sent = source.sent(window=span) if span is not None else None
    # Received messages only count for sends after an opt-out (a search saved otherwise), and
    # an opt-out counts for a year before the window, not only inside it.
    needs_received = any(rule.metric == "sent_after_opt_out" for rule in policy.rules)
    received = None
    if span is not None and needs_received:
        received = source.received(window=Span(span.start - OPT_OUT_MEMORY, span.end))
    credit = None
    if any(not METRICS[rule.metric].groupable for rule in policy.rules):
        credit = source.account().italy_sms
    return evaluate_frames(
        policy, sent, received, now=now, zone=zone, credit_sms=credit, keywords=keywords
    )


def evaluate_frames(
    policy: Policy,
    sent: pd.DataFrame | None,
    received: pd.DataFrame | None,
    *,
    now: datetime,
    zone: tzinfo | None = None,
    credit_sms: int | None = None,
    keywords: Keywords = DEFAULT_OPT_OUT_KEYWORDS,
) -> CheckResult:
    """Evaluate every rule of ``policy`` on frames already read (the dashboard's), at ``now``;
    a rule's window reaching before the frames' first message sees only what they hold.

    Example:
        >>> from datetime import UTC, datetime
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "status": s, "insertDate": "2026-11-30T09:00:00+0000"}
        ...                    for i, s in enumerate(["DELIVERED", "NOTDELIVERED"])])
        >>> policy = Policy.parse('[[rule]]\\nmetric = "delivery_rate"\\nwindow = "24h"\\n'
        ...                       'warning = 0.9\\ncritical = 0.6\\n')
        >>> result = evaluate_frames(policy, sent, None, now=datetime(2026, 11, 30, 10, tzinfo=UTC))
        >>> result.status, result.findings[0].value
        ('CRITICAL', 0.5)
    """
    frames = None
    if sent is not None:
        frames = _Frames(sent, received if received is not None else sent.iloc[:0, :0])
    findings: list[Finding] = []
    for rule in policy.rules:
        if not METRICS[rule.metric].groupable:
            findings.append(_credit_finding(rule, credit_sms))
            continue
        if frames is None:
            raise ValueError("the rules of messages need the sent frame")
        span, baselines = _spans(rule, now, zone)
        findings += _rule_findings(rule, frames, span, baselines, keywords, now)
    return CheckResult(tuple(findings))


def _credit_finding(rule: Rule, credit: int | None) -> Finding:
    value = None if credit is None else float(credit)
    note = "" if value is not None else "the account did not say its credit"
    return Finding(rule.name, rule.metric, None, None, value, rule.warning, rule.critical,
                   judge(value, rule), 0, note=note)  # fmt: skip


def _expected_values(rule: Rule, frames: _Frames, span: Span, now: datetime) -> pd.DataFrame:
    """The expected final delivery rate per group, as :func:`metric_values` lays out a
    metric's values, with the interval's bounds."""
    sent, _ = frames.of(span)
    estimate = expected_delivery(
        sent, frames.history(span), now=now, groups=check_groups(sent, rule.by)
    )
    frame = estimate.rename(columns={"expected_rate": "value"})
    keep = [*([rule.by] if rule.by else []), "value", "messages", "expected_low", "expected_high"]
    frame = frame[keep]
    return frame.sort_values("messages", ascending=False, kind="stable").reset_index(drop=True)


def _rule_findings(
    rule: Rule,
    frames: _Frames,
    span: Span,
    baselines: Sequence[Span],
    keywords: Keywords,
    now: datetime,
) -> list[Finding]:
    sent, received = frames.of(span)
    if rule.expected:
        values = _expected_values(rule, frames, span, now)
    else:
        values = metric_values(sent, received, rule.metric, rule.by, keywords=keywords)
    history: dict[str | None, float] = {}
    if baselines:
        past_sent = pd.concat([frames.of(base)[0] for base in baselines], ignore_index=True)
        past = metric_values(past_sent, received, rule.metric, rule.by, keywords=keywords)
        for row in past.itertuples(index=False):
            key = str(getattr(row, rule.by)) if rule.by else None
            if row.messages >= rule.min_messages:
                history[key] = float(row.value)
    findings = []
    for row in values.itertuples(index=False):
        group = str(getattr(row, rule.by)) if rule.by else None
        messages = int(row.messages)
        value = None if math.isnan(row.value) else float(row.value)
        note = ""
        if messages < rule.min_messages:
            if rule.by is not None:
                continue  # a small group never alarms, nor fills the report
            value, note = None, f"fewer than {rule.min_messages} messages"
        baseline = history.get(group)
        if rule.baseline is not None and baseline is None and value is not None:
            note = "no history to compare with"
        interval = None
        if rule.expected and value is not None:
            interval = (float(row.expected_low), float(row.expected_high))
        elif rule.expected and messages >= rule.min_messages:
            note = "too young or no history to tell"
        findings.append(Finding(rule.name, rule.metric, rule.by, group, value, rule.warning,
                                rule.critical, judge(value, rule, baseline), messages,
                                baseline, note, rule.expected, interval))  # fmt: skip
    if not findings:
        note = f"no group has {rule.min_messages} messages" if rule.by else "no messages"
        findings.append(Finding(rule.name, rule.metric, rule.by, None, None, rule.warning,
                                rule.critical, "OK", 0, note=note,
                                expected=rule.expected))  # fmt: skip
    return findings
