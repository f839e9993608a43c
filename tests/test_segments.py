"""Segments after GSM 03.38 / 3GPP TS 23.040: a table of cases around every boundary, properties,
and a cross-check against an independent implementation (``smsutil``)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import smsutil
from hypothesis import given, settings
from hypothesis import strategies as st

from smstools_tui.segments import (
    GSM_7,
    PART_LIMITS,
    SUBSTITUTIONS,
    UCS_2,
    Offending,
    gsm_septets,
    parts_after_suggestion,
    segment,
    suggest,
    text_encodings,
)

BASIC = "a"  # one septet
ESCAPED = "€"  # two septets: escape + character
WIDE = "È"  # forces UCS-2, one code unit
ASTRAL = "🎉"  # forces UCS-2, two code units (a surrogate pair)
EXTENSION = "\f^{}\\[~]|€"


def _expected_parts(weights: list[int], single: int, multi: int) -> int:
    """Parts by the rule of the standard, written out: everything in one SMS when it fits,
    else greedy parts of ``multi`` units where a pair never straddles two parts."""
    if sum(weights) <= single:
        return 1
    parts, used = 1, 0
    for weight in weights:
        if used + weight > multi:
            parts, used = parts + 1, 0
        used += weight
    return parts


def _cases() -> list[tuple[str, str, int, int]]:
    """``(text, encoding, units, parts)`` around every boundary of both encodings."""
    cases: list[tuple[str, str, int, int]] = []
    for encoding, filler, pair, force in ((GSM_7, BASIC, ESCAPED, ""), (UCS_2, "a", ASTRAL, WIDE)):
        single, multi = PART_LIMITS[encoding]
        pair_units = 2
        boundaries = [single, *(multi * k for k in range(2, 7))]
        for boundary in boundaries:
            for delta in (-2, -1, 0, 1, 2):
                length = boundary + delta
                # Only plain characters.
                text = force + filler * (length - len(force))
                cases.append(
                    (text, encoding, length, 1 if length <= single else math.ceil(length / multi))
                )
                # A pair ending exactly at, or straddling, the boundary of a part.
                for before in (multi - 2, multi - 1, multi, single - 2, single - 1):
                    rest = length - len(force) - before - pair_units
                    if rest < 0:
                        continue
                    text = force + filler * before + pair + filler * rest
                    weights = [1] * (len(force) + before) + [2] + [1] * rest
                    cases.append((text, encoding, length, _expected_parts(weights, single, multi)))
    # Every extension character alone, and each at the last septet of a single SMS.
    for char in EXTENSION:
        cases.append((char, GSM_7, 2, 1))
        cases.append((BASIC * 158 + char, GSM_7, 160, 1))
        cases.append((BASIC * 159 + char, GSM_7, 161, 2))
    cases.append(("", GSM_7, 0, 1))
    return cases


CASES = _cases()


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 300
    assert {encoding for _, encoding, _, _ in CASES} == {GSM_7, UCS_2}


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts"),
    CASES,
    ids=[f"{encoding}-{units}u-{index}" for index, (_, encoding, units, _) in enumerate(CASES)],
)
def test_boundaries(text: str, encoding: str, units: int, parts: int) -> None:
    result = segment(text)
    assert (result.encoding, result.units, result.segments) == (encoding, units, parts)
    assert "".join(result.parts) == text
    independent = smsutil.split(text)
    assert len(independent.parts) == parts
    if text:  # smsutil calls the empty text UCS-2; it is one GSM-7 SMS either way
        assert (independent.encoding == "gsm0338") == (encoding == GSM_7)


def test_the_alphabet_is_the_standard_one() -> None:
    septets = gsm_septets()
    assert len([c for c, n in septets.items() if n == 1]) == 127  # 128 codes, one the escape
    assert sorted(c for c, n in septets.items() if n == 2) == sorted(EXTENSION)
    for char in "’“”–…\u00a0\u202fÈçá🎉":
        assert char not in septets, repr(char)
    for char in "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà":
        assert septets[char] == 1, repr(char)


def test_offending_characters_are_named_with_their_python_index() -> None:
    result = segment("Caffè’ 🎉 È")
    assert result.offending == (Offending("’", 5), Offending("🎉", 7), Offending("È", 9))
    assert result.units == len("Caffè’ 🎉 È") + 1  # the emoji is a surrogate pair


_gsm_text = st.text(alphabet=st.sampled_from(sorted(gsm_septets())), max_size=700)
_any_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x1b"), max_size=400
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_gsm_text, _any_text))
def test_parts_rebuild_the_text_and_respect_the_limits(text: str) -> None:
    result = segment(text)
    assert "".join(result.parts) == text
    assert sum(result.part_units) == result.units
    single, multi = PART_LIMITS[result.encoding]
    if result.segments == 1:
        assert result.units <= single
    else:
        assert result.units > single
        for part in result.parts:
            units = (
                segment(part).units
                if result.encoding == GSM_7
                else len(part.encode("utf-16-le")) // 2
            )
            assert 0 < units <= multi
            # A part is cut only where the next character would not fit.
        for part, following in zip(result.parts, result.parts[1:], strict=False):
            first = following[0]
            weight = (
                gsm_septets()[first]
                if result.encoding == GSM_7
                else len(first.encode("utf-16-le")) // 2
            )
            used = sum(
                gsm_septets()[c] if result.encoding == GSM_7 else len(c.encode("utf-16-le")) // 2
                for c in part
            )
            assert used + weight > multi
    assert (result.encoding == UCS_2) == bool(result.offending)
    assert len(smsutil.split(text).parts) == result.segments


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_gsm_text, _any_text, st.none()), max_size=30))
def test_the_column_agrees_with_one_text_at_a_time(texts: list[str | None]) -> None:
    for dtype in ("category", object):
        column = pd.Series(texts, dtype=dtype)
        encoding, segments = text_encodings(column)
        for text, got_encoding, got_segments in zip(texts, encoding, segments, strict=True):
            if text is None:
                assert pd.isna(got_encoding) and pd.isna(got_segments)
            else:
                expected = segment(text)
                assert (got_encoding, got_segments) == (expected.encoding, expected.segments)


def test_the_column_dtypes() -> None:
    encoding, segments = text_encodings(pd.Series([], dtype="category"))
    assert list(encoding.dtype.categories) == [GSM_7, UCS_2]
    assert str(segments.dtype) == "Int16"
    assert len(encoding) == len(segments) == 0


# -- suggestions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "suggested", "names"),
    [
        ("Saldi d’inverno", "Saldi d'inverno", ["curly apostrophes"]),
        ("Il “Black Friday”", 'Il "Black Friday"', ["curly quotes"]),
        ("«Offerta»", '"Offerta"', ["curly quotes"]),
        ("10–12 e 14—16", "10-12 e 14-16", ["dashes"]),
        ("Aspetta…", "Aspetta...", ["ellipsis"]),
        ("10\u00a0€ e 5\u202f%", "10 € e 5 %", ["non-breaking and narrow spaces"]),
        ("È arrivato", "E' arrivato", ["accented capitals"]),
        ("PERCHÉ NON È", "PERCHÉ NON E'", ["accented capitals"]),
        ("Buon Natale 🎄 da noi", "Buon Natale da noi", ["emoji"]),
        ("🎉 Saldi", "Saldi", ["emoji"]),
        ("Saldi 🎉", "Saldi", ["emoji"]),
        ("Ok 👍🏽!", "Ok !", ["emoji"]),
        ("a\u200bb", "ab", ["invisible characters"]),
    ],
)
def test_each_substitution(text: str, suggested: str, names: list[str]) -> None:
    suggestion = suggest(text)
    assert suggestion is not None
    assert suggestion.text == suggested
    assert suggestion.segmentation.encoding == GSM_7
    assert [substitution.name for substitution in suggestion.substitutions] == names


def test_a_suggestion_names_the_characters_it_touches() -> None:
    suggestion = suggest("L’offerta “VIP” – solo oggi")
    assert suggestion is not None
    touched = {sub.name: sub.touched for sub in suggestion.substitutions}
    assert touched == {
        "curly apostrophes": (Offending("’", 1),),
        "curly quotes": (Offending("“", 10), Offending("”", 14)),
        "dashes": (Offending("–", 16),),
    }


def test_no_suggestion_when_nothing_is_gained() -> None:
    assert suggest("Tutto GSM qui") is None
    assert suggest("Привет, мир") is None  # Cyrillic has no GSM-7 form
    # A curly apostrophe beside Cyrillic: still UCS-2 and as long, so nothing to suggest.
    assert suggest("Привет’") is None


def test_fewer_parts_without_reaching_gsm() -> None:
    # Cyrillic keeps it UCS-2, but removing 3 emoji (6 units) brings 72 units to 66: one part.
    text = "Привет" * 11 + "🎉🎉🎉"
    assert segment(text).segments == 2
    suggestion = suggest(text)
    assert suggestion is not None
    assert suggestion.segmentation.encoding == UCS_2
    assert suggestion.segmentation.segments == 1
    assert [sub.name for sub in suggestion.substitutions] == ["emoji"]


def test_only_the_edits_the_gain_needs() -> None:
    # Cyrillic keeps it UCS-2; the apostrophe changes nothing there, so only the emoji go.
    text = "Привет’" * 10 + "🎉🎉"  # 74 units: two parts; 70 without the emoji
    suggestion = suggest(text)
    assert suggestion is not None
    assert [sub.name for sub in suggestion.substitutions] == ["emoji"]
    assert "’" in suggestion.text


@settings(max_examples=300, deadline=None)
@given(_any_text)
def test_a_suggestion_changes_only_what_the_substitutions_name(text: str) -> None:
    suggestion = suggest(text)
    if suggestion is None:
        return
    assert suggestion.segmentation.segments <= segment(text).segments
    assert suggestion.substitutions
    touched = {o.index for sub in suggestion.substitutions for o in sub.touched}
    kept = "".join(char for index, char in enumerate(text) if index not in touched)
    # Every character not touched is still there, in order (spaces may merge where emoji went).
    remaining = iter(suggestion.text)
    assert all(char in remaining for char in kept if char != " ")
    names = {sub.name for sub in SUBSTITUTIONS}
    assert {sub.name for sub in suggestion.substitutions} <= names


def test_parts_after_suggestion() -> None:
    assert parts_after_suggestion("Ciao") == 1
    assert parts_after_suggestion("Ciao’" * 20) == 1  # 100 units of UCS-2 → 100 septets
    assert segment("Ciao’" * 20).segments == 2
