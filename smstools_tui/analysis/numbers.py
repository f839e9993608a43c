"""Phone numbers in reports: one canonical spelling per number, and where a number goes.

A reply is matched to the message that provoked it by the number, which the gateway writes
``393480000000`` for a recipient and ``+393480000000`` for a received message's sender:
:func:`normalise_numbers` turns a column of either into the same digits. The spelling of one
number and the country of each (:func:`destinations`) are the data layer's, in
:mod:`smstools_tui.msisdn`, so the query's country filter and these reports agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..msisdn import (
    NUMBER_TYPES,
    UNKNOWN_COUNTRY,
    UNPARSEABLE,
    destinations,
    distinct_numbers,
    normalise_number,
    normalised_values,
)

__all__ = [
    "NUMBER_TYPES",
    "UNKNOWN_COUNTRY",
    "UNPARSEABLE",
    "destinations",
    "normalise_number",
    "normalise_numbers",
]


def normalise_numbers(numbers: pd.Series) -> pd.Series:
    """:func:`normalise_number` on a column, as a ``category`` (NA stays NA).

    The work is done once per distinct value, so a categorical column of a million rows with
    a hundred thousand customers costs a hundred thousand normalisations.

    Example:
        >>> normalise_numbers(pd.Series(["+393480000000", "00393480000000", None])).tolist()
        ['393480000000', '393480000000', nan]
    """
    codes, uniques = distinct_numbers(numbers)
    canonical = normalised_values(uniques)
    # Two spellings of one number must become one category, not two equal ones.
    merged_codes, merged = pd.factorize(pd.array(canonical, dtype="str"))
    codes = np.append(merged_codes, -1)[np.where(codes >= 0, codes, len(merged_codes))]
    categories = pd.Index(merged, dtype="str")
    return pd.Series(
        pd.Categorical.from_codes(codes, categories=categories),
        index=numbers.index,
        name=numbers.name,
    )
