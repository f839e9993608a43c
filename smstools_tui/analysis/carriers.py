"""Delivery by the carrier a number was originally allocated to, and when to send.

- :func:`carrier_report`: per country and **original** carrier (phonenumbers' carrier data
  tells which carrier a number range was allocated to; with number portability, as in Italy, a
  customer may have moved since, so the carrier is labelled as the original one): messages,
  delivery rate, median delivery latency and cost. A group with fewer messages than
  ``min_volume`` keeps its count but its rates, latency and cost are masked (NaN): a rate over
  a handful of messages says nothing.
- :func:`send_time_heatmap`: per weekday and hour of sending, in a time zone: messages,
  delivery rate, median latency and reply rate.
"""

from __future__ import annotations

from datetime import tzinfo

import numpy as np
import pandas as pd

from ..dates import WEEKDAYS, resolve_zone
from ..msisdn import destinations, original_carriers
from .cost import from_micro, to_micro
from .grouping import STATUS_INDEX, Groups, received_typed, sent_typed
from .replies import DEFAULT_REPLY_WINDOW, Keywords, Matched, Window, as_window

__all__ = [
    "DEFAULT_MIN_VOLUME",
    "WEEKDAYS",
    "carrier_groups",
    "carrier_label",
    "carrier_report",
    "parse_carrier_label",
    "send_time_heatmap",
]

DEFAULT_MIN_VOLUME = 20
"""Fewer messages than this and a group's rates, latency and cost are not shown."""


_FINAL = (STATUS_INDEX["DELIVERED"], STATUS_INDEX["NOTDELIVERED"], STATUS_INDEX["NOSENT"])
_MASKED = ("delivery_rate", "median_delivery_seconds", "spend", "avg_price")


def _outcomes(sent: pd.DataFrame) -> pd.DataFrame:
    codes = sent["status"].cat.codes.to_numpy()
    latency = (sent["deliveryDate"] - sent["sentDate"]).dt.total_seconds()
    return pd.DataFrame(
        {
            "delivered": codes == STATUS_INDEX["DELIVERED"],
            "final": np.isin(codes, _FINAL),
            "latency": latency.to_numpy(dtype="float64", na_value=np.nan),
            # Whole micro-credits, summed exactly as the cost report sums them: a group's
            # spend is the same whatever order its messages come in.
            "micro": to_micro(sent["price"]),
            "priced": sent["price"].notna().to_numpy(dtype=bool),
        },
        index=sent.index,
    )


def _figures(grouped: pd.api.typing.DataFrameGroupBy) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "messages": grouped.size(),
            "delivered": grouped["delivered"].sum(),
            "final": grouped["final"].sum(),
            "median_delivery_seconds": grouped["latency"].median(),
        }
    )
    priced = grouped["priced"].sum().to_numpy(dtype="float64")
    spend = from_micro(grouped["micro"].sum().to_numpy(dtype=np.int64))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["spend"] = np.where(priced > 0, spend, np.nan)
        out["avg_price"] = np.where(priced > 0, spend / priced, np.nan)
    final = out["final"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(final > 0, out["delivered"].to_numpy(dtype="float64") / final, np.nan)
    out.insert(2, "delivery_rate", rate)
    return out.drop(columns=["final", "delivered"])


def carrier_report(sent: pd.DataFrame, *, min_volume: int = DEFAULT_MIN_VOLUME) -> pd.DataFrame:
    """Messages, delivery rate, median delivery latency and cost per country and original
    carrier, most messages first.

    Returns:
        ``country``, ``original_carrier``, ``messages``, ``delivery_rate``,
        ``median_delivery_seconds``, ``spend``, ``avg_price`` and ``masked`` (fewer than
        ``min_volume`` messages: the figures after ``messages`` are NaN).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "to": "393398408223", "status": "DELIVERED",
        ...                     "price": 0.1} for i in range(3)]
        ...                   + [{"id": 9, "to": "41791234567", "status": "NOTDELIVERED"}])
        >>> report = carrier_report(sent, min_volume=2)
        >>> report[["original_carrier", "messages", "delivery_rate", "masked"]].to_dict("list")
        ... # doctest: +NORMALIZE_WHITESPACE
        {'original_carrier': ['TIM', 'Swisscom'], 'messages': [3, 1],
         'delivery_rate': [1.0, nan], 'masked': [False, True]}
    """
    sent = sent_typed(sent)
    frame = _outcomes(sent)
    frame["country"] = destinations(sent["to"])["country"].to_numpy()
    frame["original_carrier"] = original_carriers(sent["to"]).to_numpy()
    grouped = frame.groupby(["country", "original_carrier"], observed=True, sort=True)
    out = _figures(grouped).reset_index()
    masked = out["messages"].to_numpy() < min_volume
    for name in _MASKED:
        out[name] = out[name].where(~masked)
    out["masked"] = masked
    out["country"] = out["country"].astype("str")
    out["original_carrier"] = out["original_carrier"].astype("str")
    ordered = out.sort_values(
        ["messages", "country", "original_carrier"], ascending=[False, True, True], kind="stable"
    )
    return ordered.reset_index(drop=True)


def carrier_label(carrier: str, country: str) -> str:
    """The label of an original carrier's group: a carrier's name may be the same in two
    countries (Vodafone), so the country goes with it.

    Example:
        >>> carrier_label("TIM", "IT")
        'TIM (IT)'
    """
    return f"{carrier} ({country})"


def parse_carrier_label(label: str) -> tuple[str, str]:
    """The carrier and the country of a :func:`carrier_label`.

    Example:
        >>> parse_carrier_label("Wind (Tre) (IT)")
        ('Wind (Tre)', 'IT')
    """
    carrier, _, country = label.rpartition(" (")
    return carrier, country.removesuffix(")")


def carrier_groups(sent: pd.DataFrame) -> Groups:
    """The messages of ``sent`` grouped by original carrier and country, as
    :func:`carrier_report` groups them, in one ``carrier`` key labelled by
    :func:`carrier_label`.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": i, "to": to} for i, to in
        ...                    enumerate(["393398408223", "41791234567", "393398408224"])])
        >>> groups = carrier_groups(sent)
        >>> groups.frame({"messages": groups.count()}).to_dict("list")
        {'carrier': ['Swisscom (CH)', 'TIM (IT)'], 'messages': [1, 2]}
    """
    sent = sent_typed(sent)
    country = destinations(sent["to"])["country"].astype("category")
    carrier = original_carriers(sent["to"])
    width = len(carrier.cat.categories) + 1
    flat = country.cat.codes.to_numpy(np.int64) * width + carrier.cat.codes.to_numpy(np.int64)
    present, codes = np.unique(flat, return_inverse=True)
    countries = country.cat.categories.astype(str)[present // width]
    carriers = carrier.cat.categories.astype(str)[present % width]
    labels = np.array([carrier_label(c, k) for c, k in zip(carriers, countries, strict=True)])
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    key = pd.Categorical.from_codes(
        np.arange(len(order)), categories=pd.Index(labels[order], dtype="str")
    )
    return Groups(rank[codes.reshape(-1)], pd.DataFrame({"carrier": key}))


def send_time_heatmap(
    sent: pd.DataFrame,
    received: pd.DataFrame | None = None,
    *,
    tz: str | tzinfo | None = None,
    window: Window = DEFAULT_REPLY_WINDOW,
    keywords: Keywords | None = None,
) -> pd.DataFrame:
    """Messages, delivery rate, median delivery latency and reply rate per weekday and hour
    the messages were inserted, in the zone ``tz`` (default: the machine's): one row per cell
    with messages, Monday 0h first.

    ``reply_rate`` is the share of the messages handed to the operator that got a reply within
    ``window``. ``keywords`` is accepted so that every report takes the same options; replies
    of any kind count.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "status": "DELIVERED",
        ...                     "insertDate": "2026-11-23T08:30:00+0000"}])
        >>> send_time_heatmap(sent, tz="Europe/Rome")[["weekday", "hour", "messages"]].to_dict(
        ...     "records")
        [{'weekday': 'Mon', 'hour': 9, 'messages': 1}]
    """
    del keywords  # every reply counts, an opt-out too
    sent = sent_typed(sent)
    zone = resolve_zone(tz)
    frame = _outcomes(sent)
    local = sent["insertDate"].dt.tz_convert(zone)
    frame["weekday"] = local.dt.day_of_week.to_numpy(dtype="float64", na_value=np.nan)
    frame["hour"] = local.dt.hour.to_numpy(dtype="float64", na_value=np.nan)
    handed = sent["sentDate"].notna().to_numpy()
    replied = np.zeros(len(sent), dtype=bool)
    if received is not None and len(received):
        matched = Matched(sent, received_typed(received))
        replied[matched.row[matched.in_window(as_window(window))]] = True
    frame["handed"] = handed
    frame["replied"] = replied & handed
    frame = frame.dropna(subset=["weekday", "hour"])
    grouped = frame.groupby(["weekday", "hour"], sort=True)
    out = _figures(grouped)
    handed_count = grouped["handed"].sum().to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["reply_rate"] = np.where(
            handed_count > 0, grouped["replied"].sum().to_numpy() / handed_count, np.nan
        )
    out = out.drop(columns=["spend", "avg_price"]).reset_index()
    out["weekday"] = pd.Categorical.from_codes(
        out["weekday"].to_numpy(dtype=np.int64), categories=pd.Index(WEEKDAYS, dtype="str")
    )
    out["hour"] = out["hour"].astype(np.int64)
    return out
