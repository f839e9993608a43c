"""Phone numbers: as the API writes them, as people type them, and where they go.

The gateway writes a recipient as international digits without ``+`` (``393480000000``) and a
received message's sender with one (``+393480000000``); people and other systems also write
``0039…`` or put spaces in.

- :func:`to_msisdn` reduces what a user typed to the API's digits: searches, the store and the
  query's number filters all use it.
- :func:`normalise_number` is the canonical spelling reports match numbers by; unlike
  :func:`to_msisdn` it keeps an alphanumeric sender as it is, so it still matches itself.
- :func:`display_numbers` (a column) and :func:`display_number` (one value) write a number as
  people read it: E.164 (``+393480000000``), or spaced as :data:`NUMBER_FORMATS` allow
  (``+39 348 000 0000``, the config file's ``[display] number_format``, applied for a whole
  command with :func:`number_format`), when it is a valid phone number, otherwise as
  written with a mark saying what it is (:data:`NUMBER_MARKS`): an alphanumeric sender, a
  short code or an invalid number. The frames keep the API's own value; this is for the edge
  where people read (tables, CSV, the HTML report, the dashboard).
- :func:`destinations` and :func:`number_countries` read the country (and the kind of line) of
  each number with the ``phonenumbers`` library. A frame repeats each customer's number many
  times, so the work is done once per distinct number. For the common case (digits with a known
  country calling code) the library's own metadata patterns are applied to all numbers of a
  region at once (with Arrow's regular expressions) instead of number by number, which is what
  makes a million rows take a fraction of a second; every other number goes through
  ``phonenumbers.parse`` itself. Both ways give the library's answer: the tests check one
  against the other.

This is the data layer: the query's country filter (:class:`smstools_tui.query.Filters`) and the
analysis (:mod:`smstools_tui.analysis`) share it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, PhoneNumberType

from .errors import ConfigError

__all__ = [
    "NUMBER_FORMATS",
    "NUMBER_MARKS",
    "NUMBER_TYPES",
    "UNKNOWN_CARRIER",
    "UNKNOWN_COUNTRY",
    "UNPARSEABLE",
    "NumberFormat",
    "destinations",
    "display_number",
    "display_numbers",
    "distinct_numbers",
    "msisdn_digits",
    "normalise_number",
    "normalised_values",
    "number_carriers",
    "number_countries",
    "number_format",
    "original_carriers",
    "to_country",
    "to_msisdn",
]

_ASCII_DIGITS = frozenset("0123456789")


def msisdn_digits(number: str) -> str:
    """The ASCII digits of a typed number without an international ``00`` prefix; may be empty.

    Example:
        >>> msisdn_digits("+39 348 000 0000"), msisdn_digits("0039-348"), msisdn_digits("abc")
        ('393480000000', '39348', '')
    """
    digits = "".join(ch for ch in number if ch in _ASCII_DIGITS)
    return digits[2:] if digits.startswith("00") else digits


def to_msisdn(number: str) -> str:
    """:func:`msisdn_digits`, refusing a value with no digits at all with a clear error.

    Example:
        >>> to_msisdn("+39 348 000 0000")
        '393480000000'
    """
    digits = msisdn_digits(number)
    if not digits:
        raise ConfigError(f"{number!r} is not a phone number")
    return digits


UNKNOWN_COUNTRY = "(unknown)"
"""The country of a number that is not a phone number, or whose region cannot be told."""

UNPARSEABLE = "unparseable"
"""The number type of a value that is not a phone number at all (letters, too short, no
country calling code)."""

NUMBER_TYPES: tuple[str, ...] = (
    "mobile",
    "fixed_line",
    "fixed_line_or_mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "unknown",
    UNPARSEABLE,
)
"""Every value of the ``number_type`` column: phonenumbers' types in lower case, ``unknown`` for
a number that parses but matches no pattern of its country (invalid), and :data:`UNPARSEABLE`."""

# The characters themselves, not ``\s``: Python's and Arrow's regular expressions disagree on
# what ``\s`` covers, and the scalar and the column paths must normalise alike.
_SEPARATORS = "[\t\n\x0b\x0c\r \u00a0\u2007\u202f\\-.()/]"
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' bounds on a national significant number
_REGION_NON_GEO = "001"
_TYPE_NAMES = {
    getattr(PhoneNumberType, name.upper()): name for name in NUMBER_TYPES if name != UNPARSEABLE
}
# phonenumbers checks the special types first, in this order (``_number_type_helper``).
_SPECIAL_TYPES = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
_NO_TYPE = -1  # "not a phone number": no PhoneNumberType applies


def to_country(code: str) -> str:
    """A country as :func:`destinations` names it, from any case: an ISO 3166 region code,
    ``001`` for non-geographic numbers, or :data:`UNKNOWN_COUNTRY`; anything else is a clear
    error.

    Example:
        >>> to_country(" it "), to_country("001"), to_country("(unknown)")
        ('IT', '001', '(unknown)')
    """
    cleaned = code.strip()
    if cleaned.lower() == UNKNOWN_COUNTRY:
        return UNKNOWN_COUNTRY
    upper = cleaned.upper()
    if upper != _REGION_NON_GEO and upper not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(
            f"unknown country {code!r}: use an ISO 3166 code such as IT or CH, 001 for "
            f"non-geographic numbers, or {UNKNOWN_COUNTRY}"
        )
    return upper


def normalise_number(number: str) -> str:
    """The canonical spelling of one number: international digits, no ``+`` or ``00``.

    Spaces, dashes, dots, slashes and parentheses are dropped. A value that is still not all
    digits (an alphanumeric sender) is returned with only those separators removed, so it
    still matches itself. A national number (``0348…``) is not given a country: the gateway
    writes numbers internationally.

    Example:
        >>> [normalise_number(n) for n in ("+39 348 000 0000", "0039348-0000000", "393480000000")]
        ['393480000000', '393480000000', '393480000000']
    """
    cleaned = re.sub(_SEPARATORS, "", number)
    if cleaned.startswith("+"):
        return cleaned[1:]
    if cleaned.startswith("00"):
        return cleaned[2:]
    return cleaned


def destinations(numbers: pd.Series) -> pd.DataFrame:
    """Country and number type of each number (international digits; ``+`` or ``00`` allowed).

    Returns a frame aligned with ``numbers`` (same index) with the columns:

    - ``country``: the ISO 3166 region code (``IT``), ``001`` for non-geographic numbers
      (international freephone …), or :data:`UNKNOWN_COUNTRY` for a value that is not a phone
      number or whose region cannot be told (its calling code is shared and no region's
      patterns match);
    - ``country_code``: the calling code (``39``), NA when there is none;
    - ``number_type``: one of :data:`NUMBER_TYPES`;
    - ``valid``: ``True`` when ``phonenumbers.is_valid_number`` says so.

    Unparseable values and NA are kept, in the :data:`UNKNOWN_COUNTRY` group.

    Example:
        >>> dest = destinations(pd.Series(["393480000000", "41791234567", "39123", "3934B0"]))
        >>> dest.to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
        {'country': ['IT', 'CH', '(unknown)', '(unknown)'],
         'country_code': [39, 41, 39, None],
         'number_type': ['mobile', 'mobile', 'unknown', 'unparseable'],
         'valid': [True, True, False, False]}
    """
    codes, uniques = distinct_numbers(numbers)
    table = _describe(normalised_values(uniques))
    # Position len(uniques) holds the answer for NA.
    take = np.where(codes >= 0, codes, len(uniques))
    country_codes, countries = pd.factorize(np.append(table["country"], UNKNOWN_COUNTRY))
    calling = np.append(table["country_code"], 0)[take]
    return pd.DataFrame(
        {
            "country": pd.Categorical.from_codes(
                country_codes[take], categories=pd.Index(countries, dtype="str")
            ),
            "country_code": pd.arrays.IntegerArray(calling, mask=calling == 0),
            "number_type": pd.Categorical.from_codes(
                _type_positions(np.append(table["type"], _NO_TYPE))[take],
                categories=pd.Index(NUMBER_TYPES, dtype="str"),
            ),
            "valid": np.append(table["valid"], False)[take],
        },
        index=numbers.index,
    )


def number_countries(numbers: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The country of each number, as :func:`destinations` tells it, for an Arrow column of
    text (dictionary-encoded or not): what the query's country filter compares, in a frame and
    in the store alike. A missing number is of :data:`UNKNOWN_COUNTRY`.

    Example:
        >>> number_countries(pa.array(["+41 79 123 45 67", None, "393480000000"])).to_pylist()
        ['CH', '(unknown)', 'IT']
    """
    return _per_distinct(
        numbers,
        lambda uniques: pa.array(_describe(normalised_values(uniques))["country"], pa.string()),
        UNKNOWN_COUNTRY,
    )


def _per_distinct(
    numbers: pa.Array | pa.ChunkedArray, answer: Callable[[pa.Array], pa.Array], missing: str
) -> pa.Array:
    """``answer`` (of an array of distinct texts) for each number of an Arrow column, asked
    once per distinct number; ``missing`` for a missing one."""
    if isinstance(numbers, pa.ChunkedArray):
        numbers = numbers.combine_chunks()
    encoded = numbers if pa.types.is_dictionary(numbers.type) else pc.dictionary_encode(numbers)
    answers = answer(encoded.dictionary.cast(pa.string()))
    return pc.fill_null(answers.take(encoded.indices), missing)


NUMBER_MARKS: dict[str, str] = {
    "alias": "(alias)",
    "short_code": "(short code)",
    "invalid": "(invalid)",
}
"""The mark after a value that is not a valid phone number, by what it is: ``alias`` (it has
letters: an alphanumeric sender), ``short_code`` (:data:`SHORT_CODE_DIGITS` digits or fewer: a
service code) or ``invalid`` (digits no numbering plan has)."""

SHORT_CODE_DIGITS = 6
"""The longest a short code (a service number such as ``4030``) is, in digits."""


NumberFormat: TypeAlias = Literal["e164", "international"]
NUMBER_FORMATS: tuple[NumberFormat, ...] = ("e164", "international")
"""How a valid number is written for people: ``e164`` (``+393398408223``) or ``international``
(``+39 339 840 8223``, grouped as the country writes it)."""
_FORMAT: ContextVar[NumberFormat] = ContextVar("smstools_tui_number_format", default="e164")


@contextmanager
def number_format(chosen: NumberFormat) -> Iterator[None]:
    """Write numbers for people in the format ``chosen`` inside the block (the command line
    and the dashboard apply the config file's ``[display] number_format`` so).

    Example:
        >>> with number_format("international"):
        ...     display_number("393398408223")
        '+39 339 840 8223'
        >>> display_number("393398408223")
        '+393398408223'
    """
    if chosen not in NUMBER_FORMATS:
        raise ConfigError(f"unknown number format {chosen!r}: use {' or '.join(NUMBER_FORMATS)}")
    token = _FORMAT.set(chosen)
    try:
        yield
    finally:
        _FORMAT.reset(token)


def display_numbers(numbers: pd.Series, style: NumberFormat | None = None) -> pd.Series:
    """Each number as people read it: E.164 (or ``style``, default the
    :func:`number_format` in force) when it is a valid phone number, otherwise as written
    followed by its :data:`NUMBER_MARKS` mark. Done once per distinct value; the result is
    categorical, aligned with ``numbers``, NA where ``numbers`` is NA.

    Example:
        >>> shown = display_numbers(pd.Series(["393398408223", "+39 328 974 0902", "MyShop",
        ...                                    "4030", "391234567890", None]))
        >>> shown.tolist()  # doctest: +NORMALIZE_WHITESPACE
        ['+393398408223', '+393289740902', 'MyShop (alias)', '4030 (short code)',
         '391234567890 (invalid)', nan]
        >>> display_numbers(pd.Series(["41791234567"]), "international").tolist()
        ['+41 79 123 45 67']
    """
    codes, uniques = distinct_numbers(numbers)
    labels = _labels(uniques)
    if (style or _FORMAT.get()) == "international":
        labels = np.array([_spaced(label) for label in labels], dtype=object)
    labels, positions = np.unique(labels, return_inverse=True)
    # Two spellings of one number share a label: the categories must be distinct.
    mapped = np.where(codes >= 0, positions[np.maximum(codes, 0)] if len(uniques) else -1, -1)
    return pd.Series(
        pd.Categorical.from_codes(mapped, categories=pd.Index(labels, dtype="str")),
        index=numbers.index,
        name=numbers.name,
    )


def _spaced(label: str) -> str:
    """An E.164 label as the international format writes it; any other label as it is."""
    if not label.startswith("+") or not label[1:].isdigit():
        return label
    parsed = phonenumbers.parse(label, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def display_number(number: str, style: NumberFormat | None = None) -> str:
    """One number as people read it (see :func:`display_numbers`, which gives the same answer
    for a column).

    Example:
        >>> display_number("0039 339 840 8223"), display_number("MyShop OTP")
        ('+393398408223', 'MyShop OTP (alias)')
        >>> display_number("0039 339 840 8223", "international")
        '+39 339 840 8223'
    """
    canonical = normalise_number(number)
    if not canonical:
        return number
    if not set(canonical) <= _ASCII_DIGITS:
        return f"{number} {NUMBER_MARKS['alias']}"
    try:
        parsed = phonenumbers.parse("+" + canonical, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        written = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        return _spaced(written) if (style or _FORMAT.get()) == "international" else written
    if len(canonical) <= SHORT_CODE_DIGITS:
        return f"{number} {NUMBER_MARKS['short_code']}"
    return f"{number} {NUMBER_MARKS['invalid']}"


def _labels(values: pa.Array) -> np.ndarray:
    """The label of each value of a string array (no nulls), as an object array."""
    written = np.asarray(values.to_numpy(zero_copy_only=False), dtype=object)
    if len(written) == 0:
        return written
    canonical = normalised_values(values)
    table = _describe(canonical)
    valid = table["valid"]
    labels = np.empty(len(written), dtype=object)
    labels[valid] = "+" + canonical[valid].astype(str).astype(object)
    for code in np.unique(table["country_code"][valid]):
        prefix = _parsing_prefix(int(code))
        rows = np.flatnonzero(valid & (table["country_code"] == code))
        if not prefix or not len(rows):
            continue
        nsn = pc.utf8_slice_codeunits(pa.array(canonical[rows], type=pa.string()), len(str(code)))
        # phonenumbers strips a national prefix after the calling code (``44 0 20…``): E.164
        # is then not the digits as written, so it writes those few itself.
        for row in rows[_matches(nsn, prefix, full=False)]:
            parsed = phonenumbers.parse("+" + str(canonical[row]), None)
            labels[row] = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    digits = pc.fill_null(pc.match_substring_regex(pa.array(canonical), r"^[0-9]+$"), False)
    all_digits = np.asarray(digits.to_numpy(zero_copy_only=False), dtype=bool)
    lengths = np.asarray(pc.utf8_length(pa.array(canonical)).to_numpy(zero_copy_only=False))
    for row in np.flatnonzero(~valid):
        if not canonical[row]:
            labels[row] = written[row]  # nothing there to mark
            continue
        if not all_digits[row]:
            mark = NUMBER_MARKS["alias"]
        elif lengths[row] <= SHORT_CODE_DIGITS:
            mark = NUMBER_MARKS["short_code"]
        else:
            mark = NUMBER_MARKS["invalid"]
        labels[row] = f"{written[row]} {mark}"
    return labels


UNKNOWN_CARRIER = "(unknown)"
"""The original carrier of a number whose range phonenumbers' carrier data does not know."""


def original_carriers(numbers: pd.Series, *, language: str = "en") -> pd.Series:
    """The carrier each number's range was originally allocated to, from phonenumbers' carrier
    data, as a category aligned with ``numbers``; :data:`UNKNOWN_CARRIER` for a number the data
    does not know (or not a phone number). In countries with number portability (Italy among
    them) a number may have moved to another carrier since: this is the original one. Done
    once per distinct number.

    Example:
        >>> original_carriers(pd.Series(["393398408223", "+41791234567", "MyShop"])).tolist()
        ['TIM', 'Swisscom', '(unknown)']
    """
    from phonenumbers import carrier

    codes, uniques = distinct_numbers(numbers)
    canonical = normalised_values(uniques)
    names = np.full(len(canonical) + 1, UNKNOWN_CARRIER, dtype=object)
    # phonenumbers names a carrier for mobile numbers only, and finding the type is the slow
    # part of name_for_number: the types come from _describe, for all numbers at once.
    described = _describe(canonical)
    mobile = np.isin(
        described["type"],
        [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.PAGER],
    )
    for row in np.flatnonzero(mobile):
        digits = str(canonical[row])
        code = int(described["country_code"][row])
        national = digits[len(str(code)) :]
        # The number is made from its known parts; parsing it again (most of the time this
        # took) is needed only where a leading zero or a national prefix follows the code.
        if national and national[0] != "0":
            parsed = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
        else:
            parsed = phonenumbers.parse("+" + digits, None)
        names[row] = carrier.name_for_valid_number(parsed, language) or UNKNOWN_CARRIER
    labels, positions = np.unique(names.astype(str), return_inverse=True)
    return pd.Series(
        pd.Categorical.from_codes(
            positions[np.where(codes >= 0, codes, len(canonical))],
            categories=pd.Index(labels, dtype="str"),
        ),
        index=numbers.index,
    )


def number_carriers(numbers: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The original carrier of each number, as :func:`original_carriers` tells it, for an Arrow
    column of text: what the query's carrier filter compares, in a frame and in the store alike.
    A missing number is of :data:`UNKNOWN_CARRIER`.

    Example:
        >>> number_carriers(pa.array(["393398408223", None, "MyShop"])).to_pylist()
        ['TIM', '(unknown)', '(unknown)']
    """

    def carriers(uniques: pa.Array) -> pa.Array:
        named = original_carriers(pd.Series(uniques.to_pylist(), dtype="str"))
        return pa.array(named.astype("str").tolist(), type=pa.string())

    return _per_distinct(numbers, carriers, UNKNOWN_CARRIER)


# -- per distinct number ---------------------------------------------------------------------


def distinct_numbers(numbers: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Codes into the distinct values of a column (``-1`` for NA), and those values as an Arrow
    string array: the work on numbers is done once per distinct value.

    Example:
        >>> codes, values = distinct_numbers(pd.Series(["39348", None, "39348", "41791"]))
        >>> codes.tolist(), values.to_pylist()
        ([0, -1, 0, 1], ['39348', '41791'])
    """
    if isinstance(numbers.dtype, pd.CategoricalDtype):
        codes = numbers.cat.codes.to_numpy(dtype=np.int64)
        uniques: Any = numbers.cat.categories
    else:
        codes, uniques = pd.factorize(numbers, use_na_sentinel=True)
    values = pa.array(pd.array(uniques, dtype="str").to_numpy(na_value=None), type=pa.string())
    return np.asarray(codes, dtype=np.int64), values


def normalised_values(values: pa.Array) -> np.ndarray:
    """:func:`normalise_number` on each value of an Arrow string array, as an object array.

    Example:
        >>> normalised_values(pa.array(["+39 348-000", "0041 79", "MyShop"])).tolist()
        ['39348000', '4179', 'MyShop']
    """
    cleaned = pc.replace_substring_regex(values, _SEPARATORS, "")
    cleaned = pc.replace_substring_regex(cleaned, r"^(\+|00)", "", max_replacements=1)
    return np.asarray(cleaned.to_numpy(zero_copy_only=False), dtype=object)


def _type_positions(type_codes: np.ndarray) -> np.ndarray:
    """PhoneNumberType values (and :data:`_NO_TYPE`) → positions in :data:`NUMBER_TYPES`."""
    lookup = np.full(max(_TYPE_NAMES) + 2, NUMBER_TYPES.index(UNPARSEABLE), dtype=np.int64)
    for value, name in _TYPE_NAMES.items():
        lookup[value] = NUMBER_TYPES.index(name)
    return lookup[np.where(type_codes == _NO_TYPE, len(lookup) - 1, type_codes)]


def _describe(canonical: np.ndarray) -> dict[str, np.ndarray]:
    """country (object), country_code (int, 0: none), type (int), valid (bool) per value."""
    n = len(canonical)
    country = np.full(n, UNKNOWN_COUNTRY, dtype=object)
    calling = np.zeros(n, dtype=np.int64)
    kind = np.full(n, _NO_TYPE, dtype=np.int64)
    if n == 0:
        return {"country": country, "country_code": calling, "type": kind, "valid": kind >= 0}
    strings = pa.array(canonical, type=pa.string())
    digits = pc.fill_null(pc.match_substring_regex(strings, r"^[0-9]+$"), False)
    digits = np.asarray(digits.to_numpy(zero_copy_only=False), dtype=bool)
    code_of = _calling_codes(strings, digits)
    lengths = np.asarray(pc.utf8_length(strings).to_numpy(zero_copy_only=False))
    fast = digits & (code_of > 0)
    for code in np.unique(code_of[fast]):
        rows = np.flatnonzero(fast & (code_of == code))
        nsn = pc.utf8_slice_codeunits(strings.take(pa.array(rows)), len(str(code)))
        nsn_length = lengths[rows] - len(str(code))
        ok = (nsn_length >= _MIN_NSN) & (nsn_length <= _MAX_NSN)
        prefix = _parsing_prefix(int(code))
        if prefix:
            ok &= ~_matches(nsn, prefix, full=False)
        # The rest (too short or long, or a national prefix after the calling code) is left to
        # phonenumbers.parse, which knows when to strip that prefix.
        fast[rows[~ok]] = False
        rows, nsn = rows[ok], nsn.filter(pa.array(ok))
        regions, types = _regions_and_types(int(code), nsn, nsn_length[ok])
        country[rows], calling[rows], kind[rows] = regions, code, types
    for row in np.flatnonzero(digits & ~fast):
        country[row], calling[row], kind[row] = _parse_one(str(canonical[row]))
    valid = (kind >= 0) & (kind != PhoneNumberType.UNKNOWN) & (country != UNKNOWN_COUNTRY)
    return {"country": country, "country_code": calling, "type": kind, "valid": valid}


def _calling_codes(strings: pa.Array, digits: np.ndarray) -> np.ndarray:
    """The country calling code each digit string starts with (1 to 3 digits), 0 for none."""
    found = np.zeros(len(strings), dtype=np.int64)
    known_codes = np.fromiter(COUNTRY_CODE_TO_REGION_CODE, dtype=np.int64)
    only_digits = pc.if_else(pa.array(digits), strings, "0")
    for width in (3, 2, 1):  # calling codes are prefix-free: at most one width fits
        heads = pc.utf8_slice_codeunits(only_digits, 0, width)
        as_int = np.asarray(pc.cast(heads, pa.int64()).to_numpy(zero_copy_only=False))
        known = np.isin(as_int, known_codes) & digits & ~_starts_with_zero(heads)
        found = np.where(known, as_int, found)
    return found


def _starts_with_zero(heads: pa.Array) -> np.ndarray:
    return np.asarray(
        pc.fill_null(pc.starts_with(heads, "0"), True).to_numpy(zero_copy_only=False), dtype=bool
    )


@cache
def _parsing_prefix(code: int) -> str | None:
    """The national prefix phonenumbers may strip after this calling code (``0`` in the UK)."""
    metadata = _metadata(code, COUNTRY_CODE_TO_REGION_CODE[code][0])
    return metadata.national_prefix_for_parsing if metadata is not None else None


def _metadata(code: int, region: str) -> Any:
    return PhoneMetadata.metadata_for_region_or_calling_code(code, region)


def _regions_and_types(
    code: int, nsn: pa.Array, lengths: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``region_code_for_number`` and ``number_type`` of phonenumbers, for many numbers."""
    regions_list: Sequence[str] = COUNTRY_CODE_TO_REGION_CODE[code]
    region = np.full(len(nsn), UNKNOWN_COUNTRY, dtype=object)
    kind = np.full(len(nsn), PhoneNumberType.UNKNOWN, dtype=np.int64)
    if len(regions_list) == 1:
        region[:] = regions_list[0]
        metadata = _metadata(code, regions_list[0])
        if metadata is not None:
            kind = _types(nsn, lengths, metadata)
        return region, kind
    open_rows = np.ones(len(nsn), dtype=bool)
    for candidate in regions_list:
        metadata = _metadata(code, candidate)
        if metadata is None:
            continue
        rows = np.flatnonzero(open_rows)
        if len(rows) == 0:
            break
        subset = nsn.take(pa.array(rows))
        if metadata.leading_digits is not None:
            hit = _matches(subset, metadata.leading_digits, full=False)
            found = np.full(len(rows), PhoneNumberType.UNKNOWN, dtype=np.int64)
            if hit.any():
                found[hit] = _types(subset.filter(pa.array(hit)), lengths[rows][hit], metadata)
        else:
            found = _types(subset, lengths[rows], metadata)
            hit = found != PhoneNumberType.UNKNOWN
        region[rows[hit]] = candidate
        kind[rows[hit]] = found[hit]
        open_rows[rows[hit]] = False
    return region, kind


def _types(nsn: pa.Array, lengths: np.ndarray, metadata: Any) -> np.ndarray:
    """phonenumbers' ``_number_type_helper``, for many national significant numbers."""
    kind = np.full(len(nsn), PhoneNumberType.UNKNOWN, dtype=np.int64)
    open_rows = _matches_desc(nsn, lengths, metadata.general_desc, np.ones(len(nsn), bool))
    for attribute, value in _SPECIAL_TYPES:
        hit = _matches_desc(nsn, lengths, getattr(metadata, attribute), open_rows)
        kind[hit] = value
        open_rows &= ~hit
    fixed = _matches_desc(nsn, lengths, metadata.fixed_line, open_rows)
    if metadata.same_mobile_and_fixed_line_pattern:
        kind[fixed] = PhoneNumberType.FIXED_LINE_OR_MOBILE
        return kind
    mobile = _matches_desc(nsn, lengths, metadata.mobile, open_rows)
    kind[fixed & mobile] = PhoneNumberType.FIXED_LINE_OR_MOBILE
    kind[fixed & ~mobile] = PhoneNumberType.FIXED_LINE
    kind[~fixed & mobile] = PhoneNumberType.MOBILE
    return kind


def _matches_desc(nsn: pa.Array, lengths: np.ndarray, desc: Any, among: np.ndarray) -> np.ndarray:
    """phonenumbers' ``_is_number_matching_desc`` for the rows in ``among``."""
    out = np.zeros(len(nsn), dtype=bool)
    if desc is None or not desc.national_number_pattern:
        return out
    candidates = among.copy()
    if desc.possible_length:
        candidates &= np.isin(lengths, np.array(desc.possible_length))
    rows = np.flatnonzero(candidates)
    if len(rows):
        out[rows] = _matches(nsn.take(pa.array(rows)), desc.national_number_pattern, full=True)
    return out


def _matches(values: pa.Array, pattern: str, *, full: bool) -> np.ndarray:
    """Whether each value matches ``pattern`` from its start (to its end with ``full``)."""
    anchored = f"^(?:{pattern}){'$' if full else ''}"
    try:
        hits = pc.match_substring_regex(values, anchored)
        return np.asarray(pc.fill_null(hits, False).to_numpy(zero_copy_only=False), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # A pattern Arrow's engine cannot compile: Python's, value by value.
        compiled = re.compile(anchored + (r"\Z" if full else ""))
        return np.array(
            [value is not None and bool(compiled.match(value)) for value in values.to_pylist()],
            dtype=bool,
        )


def _parse_one(digits: str) -> tuple[str, int, int]:
    """Country, calling code and type of one number, straight from phonenumbers."""
    try:
        number = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return UNKNOWN_COUNTRY, 0, _NO_TYPE
    region = phonenumbers.region_code_for_number(number)
    code = int(number.country_code or 0)
    return region or UNKNOWN_COUNTRY, code, int(phonenumbers.number_type(number))
