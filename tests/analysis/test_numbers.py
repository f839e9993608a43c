from __future__ import annotations

import pandas as pd

from smstools_tui.analysis import normalise_number, normalise_numbers

from ..test_msisdn import _fast, _library


def test_three_notations_are_one_number() -> None:
    values = pd.Series(["+393480000000", "00393480000000", "393480000000", "+39 348-000.0000"])
    normalised = normalise_numbers(values)
    assert normalised.tolist() == ["393480000000"] * 4
    assert list(normalised.cat.categories) == ["393480000000"]
    assert {normalise_number(value) for value in values} == {"393480000000"}


def test_normalise_keeps_na_and_index_and_odd_values() -> None:
    values = pd.Series(["+41 79 123 45 67", None, "MyShop"], index=[10, 20, 30], name="from")
    normalised = normalise_numbers(values)
    assert normalised.index.tolist() == [10, 20, 30]
    assert normalised.name == "from"
    assert normalised.iloc[0] == "41791234567"
    assert pd.isna(normalised.iloc[1])
    assert normalised.iloc[2] == "MyShop"


def test_normalise_categorical_merges_spellings_into_one_category() -> None:
    values = pd.Series(["+393480000000", "393480000000", "+41791234567"], dtype="category")
    normalised = normalise_numbers(values)
    assert normalised.cat.codes.tolist() == [0, 0, 1]


def test_normalise_empty_and_all_missing() -> None:
    assert normalise_numbers(pd.Series([], dtype="str")).tolist() == []
    assert normalise_numbers(pd.Series([None, None], dtype="str")).isna().all()


def test_destinations_of_the_sandbox_numbers_are_phonenumbers_own(
    sandbox_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    sent, _ = sandbox_frames
    digits = [value for value in sent["to"].cat.categories if value.isdigit()]
    assert _fast(digits) == [_library(value) for value in digits]
