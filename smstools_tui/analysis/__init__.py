"""The analysis core: pure functions from the sent and received frames to tidy result frames.

No I/O and no user interface here: only pandas, numpy and phonenumbers, so the same functions
serve the command line, the dashboard, the HTML report and notebooks::

    from smstools_tui.analysis import delivery_report, cost_report

    delivery_report(sent, by="week", tz="Europe/Rome")
    cost_report(sent, by=["month", "country"])

Every report that can be grouped takes ``by`` (see :data:`BY_CHOICES`, one key or a list) and,
for calendar groups, ``tz`` (default: the local zone).
"""

from .campaigns import campaign_report
from .carriers import (
    DEFAULT_MIN_VOLUME,
    WEEKDAYS,
    carrier_groups,
    carrier_label,
    carrier_report,
    parse_carrier_label,
    send_time_heatmap,
)
from .compliance import (
    DEFAULT_OPT_IN_KEYWORDS,
    MESSAGE_CLASSES,
    ComplianceRules,
    KeywordMatch,
    MessageClasses,
    classify_messages,
)
from .cost import (
    MICRO,
    billing_report,
    billing_total,
    cost_report,
    cost_total,
    from_micro,
    to_micro,
)
from .delivery import delivery_report, status_counts, status_funnel
from .encoding import encoding_report, suggested_segments, text_savings
from .expected import (
    DEFAULT_HORIZON,
    DEFAULT_MIN_HISTORY,
    EXPECTED_COLUMNS,
    DeliveryCurve,
    expected_delivery,
    expected_rates,
    history_before,
)
from .failing import failing_numbers
from .grouping import (
    BY_CHOICES,
    CHART_BARS,
    NO_VALUE,
    TIME_BUCKETS,
    Groups,
    TimeBuckets,
    bucket_span,
    group_key,
    local_zone,
    resolve_zone,
    time_buckets,
)
from .headline import HEADLINE_LABELS, compare_headlines, headline_figures
from .latency import HISTOGRAM_EDGES, STAGES, latencies, latency_histogram, latency_report
from .monitoring import CHECK_GROUPINGS, METRICS, Metric, check_groups, metric_values
from .numbers import (
    NUMBER_TYPES,
    UNKNOWN_COUNTRY,
    UNPARSEABLE,
    destinations,
    normalise_number,
    normalise_numbers,
)
from .quiet_hours import QuietHours, quiet_hour_messages
from .replies import (
    DEFAULT_OPT_OUT_KEYWORDS,
    DEFAULT_REPLY_WINDOW,
    Keywords,
    compliance_list,
    is_opt_in,
    is_opt_out,
    match_replies,
    opt_out_report,
    reply_report,
)
from .select import relation_mask, select
from .senders import sender_ids

__all__ = [
    "BY_CHOICES",
    "CHART_BARS",
    "CHECK_GROUPINGS",
    "DEFAULT_HORIZON",
    "DEFAULT_MIN_HISTORY",
    "DEFAULT_MIN_VOLUME",
    "DEFAULT_OPT_IN_KEYWORDS",
    "DEFAULT_OPT_OUT_KEYWORDS",
    "DEFAULT_REPLY_WINDOW",
    "EXPECTED_COLUMNS",
    "HEADLINE_LABELS",
    "HISTOGRAM_EDGES",
    "MESSAGE_CLASSES",
    "METRICS",
    "MICRO",
    "NO_VALUE",
    "NUMBER_TYPES",
    "STAGES",
    "TIME_BUCKETS",
    "UNKNOWN_COUNTRY",
    "UNPARSEABLE",
    "WEEKDAYS",
    "ComplianceRules",
    "DeliveryCurve",
    "Groups",
    "KeywordMatch",
    "Keywords",
    "MessageClasses",
    "Metric",
    "QuietHours",
    "TimeBuckets",
    "billing_report",
    "billing_total",
    "bucket_span",
    "campaign_report",
    "carrier_groups",
    "carrier_label",
    "carrier_report",
    "check_groups",
    "classify_messages",
    "compare_headlines",
    "compliance_list",
    "cost_report",
    "cost_total",
    "delivery_report",
    "destinations",
    "encoding_report",
    "expected_delivery",
    "expected_rates",
    "failing_numbers",
    "from_micro",
    "group_key",
    "headline_figures",
    "history_before",
    "is_opt_in",
    "is_opt_out",
    "latencies",
    "latency_histogram",
    "latency_report",
    "local_zone",
    "match_replies",
    "metric_values",
    "normalise_number",
    "normalise_numbers",
    "opt_out_report",
    "parse_carrier_label",
    "quiet_hour_messages",
    "relation_mask",
    "reply_report",
    "resolve_zone",
    "select",
    "send_time_heatmap",
    "sender_ids",
    "status_counts",
    "status_funnel",
    "suggested_segments",
    "text_savings",
    "time_buckets",
    "to_micro",
]
