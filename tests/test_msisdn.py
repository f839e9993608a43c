"""Numbers as the API writes them, and where they go (the fast path against phonenumbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smstools_tui.errors import ConfigError
from smstools_tui.msisdn import (
    NUMBER_TYPES,
    UNKNOWN_COUNTRY,
    UNPARSEABLE,
    _describe,
    destinations,
    display_number,
    display_numbers,
    msisdn_digits,
    number_countries,
    original_carriers,
    to_msisdn,
)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("+39 348 000 0000", "393480000000"), ("0039-348", "39348"), ("393480000000", "393480000000")],
)
def test_a_typed_number_becomes_the_apis_digits(typed: str, digits: str) -> None:
    assert to_msisdn(typed) == digits


@pytest.mark.parametrize("typed", ["abc", "", "٣٩٣٤٨", "²³"])
def test_a_value_without_ascii_digits_is_not_a_number(typed: str) -> None:
    # Other scripts' digits are not the API's: they would match nothing, silently.
    assert msisdn_digits(typed) == ""
    with pytest.raises(ConfigError, match="is not a phone number"):
        to_msisdn(typed)


def test_destinations_known_numbers() -> None:
    numbers = pd.Series(
        [
            "393480000000",  # Italian mobile
            "390612345678",  # Rome fixed line
            "41791234567",  # Swiss mobile
            "12125550123",  # New York: fixed line or mobile
            "447400123456",  # UK mobile
            "80012345678",  # international freephone: non-geographic
            "39123",  # a calling code and too few digits
            "3934B0000000",  # letters
            "0000000000",  # no calling code
            None,
        ],
        index=range(100, 110),
    )
    dest = destinations(numbers)
    assert dest.index.tolist() == list(range(100, 110))
    assert dest["country"].tolist() == [
        "IT", "IT", "CH", "US", "GB", "001",
        UNKNOWN_COUNTRY, UNKNOWN_COUNTRY, UNKNOWN_COUNTRY, UNKNOWN_COUNTRY,
    ]  # fmt: skip
    assert dest["number_type"].tolist() == [
        "mobile", "fixed_line", "mobile", "fixed_line_or_mobile", "mobile", "toll_free",
        "unknown", UNPARSEABLE, UNPARSEABLE, UNPARSEABLE,
    ]  # fmt: skip
    assert dest["valid"].tolist() == [True] * 6 + [False] * 4
    assert dest["country_code"].tolist()[:7] == [39, 39, 41, 1, 44, 800, 39]
    assert dest["country_code"].isna().tolist()[7:] == [True, True, True]
    assert list(dest["number_type"].cat.categories) == list(NUMBER_TYPES)


def test_destinations_of_categorical_works_per_distinct_number() -> None:
    numbers = pd.Series(["393480000000", "41791234567"] * 3, dtype="category")
    dest = destinations(numbers)
    assert dest["country"].tolist() == ["IT", "CH"] * 3


def test_destinations_accepts_plus_and_00() -> None:
    dest = destinations(pd.Series(["+393480000000", "00393480000000"]))
    assert dest["country"].tolist() == ["IT", "IT"]


def test_destinations_empty() -> None:
    dest = destinations(pd.Series([], dtype="str"))
    assert dest.empty
    assert dest.columns.tolist() == ["country", "country_code", "number_type", "valid"]


def _library(digits: str) -> tuple[str, int, int]:
    """What phonenumbers itself says of ``+digits``."""
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return UNKNOWN_COUNTRY, 0, -1
    region = phonenumbers.region_code_for_number(number) or UNKNOWN_COUNTRY
    return region, int(number.country_code), int(phonenumbers.number_type(number))


def _fast(digits: list[str]) -> list[tuple[str, int, int]]:
    table = _describe(np.array(digits, dtype=object))
    return [
        (str(country), int(code), int(kind))
        for country, code, kind in zip(
            table["country"], table["country_code"], table["type"], strict=True
        )
    ]


# Shared calling codes (1, 7, 44, 39, 61, 590 …), national prefixes after the calling code
# (UK 0, US 1), non-geographic codes, Italian leading zeros, lengths at the limits.
TRICKY = [
    "12125550123", "12042345678", "18092345678", "16135550123", "14415550123",
    "79123456789", "77012345678", "447911123456", "441481123456", "441534123456",
    "441624123456", "4407911123456", "390612345678", "3906698123456", "39066981234",
    "61412345678", "61891621234", "590690123456", "590590271234", "262692123456",
    "80012345678", "88213456789", "870123456789", "35818123456", "358181234567",
    "4915112345678", "33612345678", "33698765432", "3434", "11", "1", "39",
    "391234567890123456", "3912345678901234567", "0039348", "97250123456",
    "5999123456", "59971234567", "2126123456789", "21252123456",
]  # fmt: skip


def test_fast_path_agrees_with_phonenumbers_on_tricky_numbers() -> None:
    assert _fast(TRICKY) == [_library(digits) for digits in TRICKY]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["1", "7", "39", "44", "33", "41", "49", "61", "590", "800", "882", "0"]
        ).flatmap(lambda code: st.text("0123456789", min_size=0, max_size=15).map(code.__add__)),
        min_size=1,
        max_size=20,
    )
)
def test_fast_path_agrees_with_phonenumbers_on_any_digits(digits: list[str]) -> None:
    assert _fast(digits) == [_library(value) for value in digits]


@pytest.mark.parametrize("value", ["39 348 123", "3934B0000000", "+", ""])
def test_unparseable_values_are_kept_as_their_own_group(value: str) -> None:
    dest = destinations(pd.Series([value, "393480000000"]))
    assert dest["country"].tolist() == [UNKNOWN_COUNTRY, "IT"]
    assert not dest["valid"].iloc[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["+41 79 123 45 67", "0039348000000", "MyShop", "", "80012345678"]),
            st.text("0123456789+ ", max_size=14),
        ),
        max_size=12,
    )
)
def test_number_countries_is_destinations_country_for_arrow_columns(
    numbers: list[str | None],
) -> None:
    expected = destinations(pd.Series(numbers, dtype="str"))["country"].astype(str).tolist()
    plain = pa.array(numbers, type=pa.string())
    assert number_countries(plain).to_pylist() == expected
    assert number_countries(plain.dictionary_encode()).to_pylist() == expected
    chunked = pa.chunked_array([plain[:3], plain[3:]], type=pa.string())
    assert number_countries(chunked).to_pylist() == expected


# -- numbers as people read them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("393398408223", "+393398408223"),  # the API's recipient: digits, no +
        ("+393289740902", "+393289740902"),  # a received message's sender: already E.164
        ("0039 339 840 8223", "+393398408223"),
        ("41791234567", "+41791234567"),
        ("4402079460000", "+442079460000"),  # the UK's national 0 after the calling code
        ("MyShop", "MyShop (alias)"),
        ("MyShop OTP", "MyShop OTP (alias)"),
        ("4030", "4030 (short code)"),
        ("39123", "39123 (short code)"),
        ("3934800000001234567", "3934800000001234567 (invalid)"),
        ("", ""),
    ],
)
def test_a_number_is_shown_in_e164_or_as_written_and_marked(written: str, shown: str) -> None:
    assert display_number(written) == shown
    assert display_numbers(pd.Series([written])).tolist() == [shown]


def test_display_numbers_keeps_the_index_na_and_one_category_per_label() -> None:
    numbers = pd.Series(
        ["393398408223", None, "+39 339 840 8223", "MyShop"], index=[7, 8, 9, 10], dtype="category"
    )
    shown = display_numbers(numbers)
    assert shown.index.tolist() == [7, 8, 9, 10]
    assert shown.isna().tolist() == [False, True, False, False]
    assert shown.cat.categories.tolist() == ["+393398408223", "MyShop (alias)"]
    assert numbers.tolist()[0] == "393398408223"  # the frame's own value is untouched


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["39", "44", "41", "1", "882"]).flatmap(
                lambda code: st.text("0123456789", max_size=13).map(code.__add__)
            ),
            st.text("0123456789+ -ABCxyz", max_size=12),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_the_column_and_the_single_value_agree(values: list[str]) -> None:
    assert display_numbers(pd.Series(values)).tolist() == [display_number(v) for v in values]


def test_a_valid_number_is_phonenumbers_e164() -> None:
    for digits in ("393480000000", "12024561111", "33612345678", "8613800138000"):
        parsed = phonenumbers.parse("+" + digits, None)
        assert phonenumbers.is_valid_number(parsed)
        expected = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        assert display_number(digits) == expected == "+" + digits


def test_original_carriers_are_phonenumbers_carrier_data_per_distinct_number() -> None:
    from phonenumbers import carrier

    numbers = pd.Series(["393398408223", "+39 339 840 8223", "41791234567", "MyShop", None])
    found = original_carriers(numbers)
    expected = carrier.name_for_number(phonenumbers.parse("+393398408223"), "en")
    assert found.tolist()[:4] == [
        expected,
        expected,
        carrier.name_for_number(phonenumbers.parse("+41791234567"), "en"),
        "(unknown)",
    ]
    assert found.tolist()[4] == "(unknown)"


def test_original_carriers_agree_with_phonenumbers_on_tricky_numbers() -> None:
    from phonenumbers import carrier

    def library(digits: str) -> str:
        try:
            parsed = phonenumbers.parse("+" + digits, None)
        except phonenumbers.NumberParseException:
            return "(unknown)"
        return carrier.name_for_number(parsed, "en") or "(unknown)"

    assert original_carriers(pd.Series(TRICKY)).tolist() == [library(d) for d in TRICKY]
