"""Quiet hours: the customer's own policy of when marketing messages are not sent.

A policy (:class:`QuietHours`, the config file's ``[quiet_hours]``) is off unless enabled. It
says which hours of every day are quiet (``start`` to ``end``, across midnight when ``start``
is later), which weekdays are quiet all day, and whether the public holidays of a country (from
the ``holidays`` package) are, all read in its time zone. It is a policy the customer sets, not
a statement of what any law requires. :func:`quiet_hour_messages` lists the marketing messages
sent inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..dates import WEEKDAYS, resolve_zone
from .compliance import MessageClasses, classify_messages
from .grouping import sent_typed

if TYPE_CHECKING:
    from datetime import tzinfo

__all__ = ["QuietHours", "quiet_hour_messages"]


@dataclass(frozen=True)
class QuietHours:
    """A quiet-hours policy.

    Attributes:
        enabled: off by default: nothing is quiet.
        start, end: the quiet part of every day, ``end`` excluded (``21:00`` to ``09:00``
            crosses midnight); equal times: no quiet part of the day.
        days: weekdays quiet all day (``Mon`` … ``Sun``).
        holidays: a country code (``IT``) whose public holidays are quiet all day, or ``""``.
        time_zone: the zone the hours, days and holidays are read in.

    Example:
        >>> QuietHours(enabled=True, days=("Sun",)).describe()
        "the customer's policy: 21:00 to 09:00, Sun all day (Europe/Rome)"
    """

    enabled: bool = False
    start: time = time(21, 0)
    end: time = time(9, 0)
    days: tuple[str, ...] = ()
    holidays: str = ""
    time_zone: str = "Europe/Rome"
    classes: MessageClasses = field(default_factory=MessageClasses)

    def __post_init__(self) -> None:
        unknown = [day for day in self.days if day not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r}: use {', '.join(WEEKDAYS)}")
        if self.holidays:
            import holidays

            if self.holidays.upper() not in holidays.list_supported_countries():
                raise ValueError(f"no public holidays known for the country {self.holidays!r}")

    def describe(self) -> str:
        """The policy in a line, saying it is the customer's."""
        parts = [f"{self.start:%H:%M} to {self.end:%H:%M}"]
        if self.days:
            parts.append(f"{', '.join(self.days)} all day")
        if self.holidays:
            parts.append(f"public holidays of {self.holidays.upper()}")
        return f"the customer's policy: {', '.join(parts)} ({self.time_zone})"


def quiet_hour_messages(sent: pd.DataFrame, policy: QuietHours | None = None) -> pd.DataFrame:
    """The marketing messages (by ``policy.classes``) inserted inside the quiet hours, oldest
    first; none when the policy is off.

    Returns:
        ``id``, ``to``, ``from``, ``transactionId``, ``insertDate``, ``status``, ``text``,
        ``local_time`` (the insert time in the policy's zone, as text) and ``quiet_reason``
        (``hours``, ``weekday`` or the holiday's name).

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> sent = sent_frame([{"id": 1, "transactionId": "promo",
        ...                     "insertDate": "2026-11-24T22:30:00+0000"}])
        >>> policy = QuietHours(enabled=True, time_zone="Europe/Rome")
        >>> quiet_hour_messages(sent, policy)[["id", "local_time", "quiet_reason"]].to_dict("list")
        {'id': [1], 'local_time': ['2026-11-24 23:30'], 'quiet_reason': ['hours']}
    """
    sent = sent_typed(sent)
    policy = policy or QuietHours()
    columns = ["id", "to", "from", "transactionId", "insertDate", "status", "text"]
    marketing = classify_messages(sent, policy.classes)["message_class"].to_numpy() == "marketing"
    zone: tzinfo = resolve_zone(policy.time_zone)
    local = sent["insertDate"].dt.tz_convert(zone)
    present = local.notna().to_numpy()
    minutes = (local.dt.hour * 60 + local.dt.minute).to_numpy(dtype="float64", na_value=np.nan)
    start = policy.start.hour * 60 + policy.start.minute
    end = policy.end.hour * 60 + policy.end.minute
    if start > end:
        in_hours = (minutes >= start) | (minutes < end)
    else:
        in_hours = (minutes >= start) & (minutes < end)
    reason = np.where(in_hours, "hours", "").astype(object)
    weekday = local.dt.day_of_week.to_numpy(dtype="float64", na_value=np.nan)
    quiet_days = [WEEKDAYS.index(day) for day in policy.days]
    reason[np.isin(weekday, quiet_days) & (reason == "")] = "weekday"
    if policy.holidays and present.any():
        import holidays

        years = range(int(local.dt.year.min()), int(local.dt.year.max()) + 1)
        calendar = holidays.country_holidays(policy.holidays.upper(), years=years)
        # Once per distinct local day, not per message.
        days = local.dt.strftime("%Y-%m-%d")
        codes, distinct = pd.factorize(days, use_na_sentinel=True)
        names = np.array([calendar.get(str(day)) or "" for day in distinct] + [""], dtype=object)
        found = names[np.where(codes >= 0, codes, len(distinct))]
        named = (found != "") & (reason == "")
        reason[named] = found[named]
    flagged = policy.enabled & marketing & present & (reason != "")
    out = sent[columns][flagged].copy()
    out["local_time"] = local[flagged].dt.strftime("%Y-%m-%d %H:%M").to_numpy()
    out["quiet_reason"] = pd.Series(reason[flagged], dtype="str").to_numpy()
    return out.sort_values(["insertDate", "id"], kind="stable").reset_index(drop=True)
