"""Failing numbers: recipients that keep failing, to clean from the lists.

A number is on the list when at least ``min_failures`` messages to it ended NOTDELIVERED or
NOSENT **after its last delivered message** (or ever, if none was delivered). A number that
failed twice and then received a message again is fine and is not listed; a message still
pending neither clears nor condemns a number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cost import from_micro, to_micro
from .grouping import NAT, STATUS_INDEX, lookup, micros, sent_typed, status_codes, take, timestamps
from .numbers import destinations, normalise_numbers

__all__ = ["failing_numbers"]


def failing_numbers(sent: pd.DataFrame, *, min_failures: int = 2) -> pd.DataFrame:
    """Numbers with ``min_failures`` or more failures since their last delivery.

    Numbers are compared normalised (``+39…``, ``0039…``, ``39…`` are one number); messages
    are ordered by ``insertDate``.

    Returns:
        ``number``, ``country``, ``failures`` (since the last delivery), ``first_failure``,
        ``last_failure``, ``last_delivered`` (NaT when never), ``messages`` (all messages to
        the number), ``wasted_spend`` (credits spent on those failures), ``last_status`` and
        ``last_status_detail`` (of the last failure); most failures first.

    Example:
        >>> from smstools_tui.frames import sent_frame
        >>> rows = [("391", "DELIVERED", 1), ("391", "NOTDELIVERED", 2), ("391", "NOSENT", 3),
        ...         ("392", "NOTDELIVERED", 1), ("392", "NOTDELIVERED", 2),
        ...         ("392", "DELIVERED", 3)]
        >>> sent = sent_frame([{"id": i, "to": to, "status": s, "price": 0.1,
        ...                     "insertDate": f"2026-11-0{day}T10:00:00+0000"}
        ...                    for i, (to, s, day) in enumerate(rows)])
        >>> failing_numbers(sent)[["number", "failures", "messages"]].to_dict("list")
        {'number': ['391'], 'failures': [2], 'messages': [3]}
    """
    if min_failures < 1:
        raise ValueError("min_failures must be at least 1")
    sent = sent_typed(sent)
    numbers = normalise_numbers(sent["to"])
    key = numbers.cat.codes.to_numpy(np.int64)
    n = len(numbers.cat.categories)
    inserted = micros(sent["insertDate"])
    codes = status_codes(sent)
    known = key >= 0
    delivered = known & (codes == STATUS_INDEX["DELIVERED"])
    last_delivered = np.full(n, NAT, dtype=np.int64)
    np.maximum.at(last_delivered, key[delivered], inserted[delivered])
    failed = known & np.isin(codes, (STATUS_INDEX["NOTDELIVERED"], STATUS_INDEX["NOSENT"]))
    failed &= inserted > lookup(last_delivered, key, NAT)
    failures = np.bincount(key[failed], minlength=n)
    listed = np.flatnonzero(failures >= min_failures)
    if len(listed) == 0:
        return _empty(sent)
    rows = np.flatnonzero(failed & np.isin(key, listed))
    # The last failure of each number: sort its failures by time, keep the last row.
    order = rows[np.lexsort((rows, inserted[rows], key[rows]))]
    is_last = np.append(key[order][1:] != key[order][:-1], True)
    last_rows = order[is_last]
    first_rows = order[np.append(True, key[order][1:] != key[order][:-1])]
    position = np.full(n, -1, dtype=np.int64)
    position[key[last_rows]] = np.arange(len(last_rows))
    wasted = np.zeros(len(last_rows), dtype=np.int64)
    np.add.at(wasted, position[key[rows]], to_micro(sent["price"].to_numpy()[rows]))
    listed_keys = key[last_rows]
    frame = pd.DataFrame(
        {
            "number": pd.Series(numbers.cat.categories[listed_keys], dtype="str"),
            "country": destinations(pd.Series(numbers.cat.categories[listed_keys]))["country"],
            "failures": failures[listed_keys].astype(np.int64),
            "first_failure": take(sent["insertDate"], first_rows),
            "last_failure": take(sent["insertDate"], last_rows),
            "last_delivered": timestamps(last_delivered[listed_keys]),
            "messages": np.bincount(key[known], minlength=n)[listed_keys].astype(np.int64),
            "wasted_spend": from_micro(wasted),
            "last_status": take(sent["status"], last_rows),
            "last_status_detail": take(sent["statusDetail"], last_rows),
        }
    )
    return frame.sort_values(
        ["failures", "last_failure", "number"], ascending=[False, False, True], kind="stable"
    ).reset_index(drop=True)


def _empty(sent: pd.DataFrame) -> pd.DataFrame:
    stamp = sent["insertDate"].iloc[:0]
    return pd.DataFrame(
        {
            "number": pd.Series([], dtype="str"),
            "country": pd.Categorical([], categories=pd.Index([], dtype="str")),
            "failures": np.array([], dtype=np.int64),
            "first_failure": stamp.array,
            "last_failure": stamp.array,
            "last_delivered": stamp.array,
            "messages": np.array([], dtype=np.int64),
            "wasted_spend": np.array([], dtype=float),
            "last_status": sent["status"].iloc[:0].array,
            "last_status_detail": sent["statusDetail"].iloc[:0].array,
        }
    )
