"""How many SMS a text takes, and why: encoding and segments after GSM 03.38 and 3GPP TS 23.040.

The gateway bills per part: a text of the GSM 7-bit default alphabet fits 160 septets in one SMS
and 153 in each part of a long one (the user-data header of a concatenated message takes the
rest); a single character outside that alphabet switches the whole text to UCS-2, 70 UTF-16 code
units in one SMS and 67 per part. The extension table (``€ [ ] { } ^ ~ | \\`` and form feed)
costs two septets a character (an escape and the character), a character outside the Basic
Multilingual Plane (most emoji) two code units (a surrogate pair); neither pair is ever split
across two parts, so a part may hold one septet or unit less than its limit.

- :func:`segment` answers for one text: encoding, units, the parts and the characters that
  forced UCS-2.
- :func:`text_encodings` answers for a whole text column, once per distinct text (the sent
  frame's ``text`` is categorical); it is how the sent frame gets ``encoding`` and ``segments``.
- :func:`suggest` finds the smallest set of :data:`SUBSTITUTIONS` (typographic quotes, dashes,
  odd spaces, accented capitals, emoji) that brings a text back to GSM-7 or to fewer parts.

The alphabet is the ``gsm0338`` codec's: a character is GSM-7 when the codec encodes it, and its
septets are the bytes it encodes to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache

import emoji
import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import ConfigError

__all__ = [
    "ENCODINGS",
    "ENCODING_DTYPE",
    "GSM_7",
    "PART_LIMITS",
    "SEGMENTS_DTYPE",
    "SUBSTITUTIONS",
    "UCS_2",
    "Offending",
    "Segmentation",
    "Substitution",
    "Suggestion",
    "arrow_segments",
    "check_encoding",
    "gsm_septets",
    "parts_after_suggestion",
    "segment",
    "suggest",
    "text_encoding_names",
    "text_encodings",
]

GSM_7 = "GSM-7"
UCS_2 = "UCS-2"
ENCODINGS: tuple[str, ...] = (GSM_7, UCS_2)
ENCODING_DTYPE = pd.CategoricalDtype(list(ENCODINGS))
"""The dtype of the sent frame's ``encoding`` column."""
SEGMENTS_DTYPE = pd.Int16Dtype()
"""The dtype of the sent frame's ``segments`` column (missing where the text is)."""

PART_LIMITS: dict[str, tuple[int, int]] = {GSM_7: (160, 153), UCS_2: (70, 67)}
"""Per encoding: units in a single SMS, and units in each part of a concatenated one."""

_CODEC = "gsm03.38"


@cache
def gsm_septets() -> dict[str, int]:
    """Every character of the GSM 7-bit default alphabet and its extension table, with the
    septets it takes (1, or 2 for an escape and an extension character), read off the codec.

    Example:
        >>> septets = gsm_septets()
        >>> septets["a"], septets["€"], septets["\\f"], "’" in septets
        (1, 2, 2, False)
    """
    septets: dict[str, int] = {}
    for code in range(128):
        for encoded in (bytes([code]), bytes([0x1B, code])):
            try:
                character = encoded.decode(_CODEC)
            except UnicodeDecodeError:
                continue
            # The escape followed by a basic code decodes to two characters: not an extension.
            if len(character) == 1 and character.encode(_CODEC) == encoded:
                septets.setdefault(character, len(encoded))
    return septets


@dataclass(frozen=True)
class Offending:
    """A character that is not in the GSM-7 alphabet, and where: ``index`` is its position in
    the Python ``str``."""

    char: str
    index: int


@dataclass(frozen=True)
class Segmentation:
    """How a text travels.

    Attributes:
        text: the text.
        encoding: :data:`GSM_7` or :data:`UCS_2`.
        units: septets for GSM-7, UTF-16 code units for UCS-2.
        parts: the text of each part, in order (one part for a text that fits one SMS, the
            empty text included).
        offending: the characters outside the GSM-7 alphabet (empty for GSM-7).

    Example:
        >>> s = segment("Ciao! Sconto del 20% sull’ordine")
        >>> s.encoding, s.units, s.segments, s.offending
        ('UCS-2', 32, 1, (Offending(char='’', index=25),))
    """

    text: str
    encoding: str
    units: int
    parts: tuple[str, ...]
    offending: tuple[Offending, ...]

    @property
    def segments(self) -> int:
        """How many SMS the text is billed as."""
        return len(self.parts)

    @property
    def part_units(self) -> tuple[int, ...]:
        """The septets or code units (as :attr:`units` counts them) of each part.

        Example:
            >>> segment("a" * 152 + "€" + "a" * 10).part_units
            (152, 12)
        """
        if self.encoding == GSM_7:
            septets = gsm_septets()
            return tuple(sum(septets[char] for char in part) for part in self.parts)
        return tuple(len(part.encode("utf-16-le")) // 2 for part in self.parts)

    @property
    def part_starts(self) -> tuple[int, ...]:
        """The index in :attr:`text` where each part begins."""
        starts, position = [], 0
        for part in self.parts:
            starts.append(position)
            position += len(part)
        return tuple(starts)


def _weights(text: str) -> tuple[str, list[int], tuple[Offending, ...]]:
    septets = gsm_septets()
    offending = tuple(
        Offending(char, index) for index, char in enumerate(text) if char not in septets
    )
    if not offending:
        return GSM_7, [septets[char] for char in text], offending
    return UCS_2, [2 if ord(char) > 0xFFFF else 1 for char in text], offending


def segment(text: str) -> Segmentation:
    """The encoding, units and parts of one text.

    Example:
        >>> [segment(text).segments for text in ("a" * 160, "a" * 161, "€" * 80, "€" * 81)]
        [1, 2, 1, 2]
        >>> [segment(text).segments for text in ("è" * 160, "È" * 70, "È" * 71, "🎉" * 35)]
        [1, 1, 2, 1]
        >>> [len(part) for part in segment("a" * 152 + "€" + "a" * 10).parts]  # never split
        [152, 11]
    """
    encoding, weights, offending = _weights(text)
    single, multi = PART_LIMITS[encoding]
    units = sum(weights)
    if units <= single:
        return Segmentation(text, encoding, units, (text,), offending)
    parts: list[str] = []
    start = used = 0
    for index, weight in enumerate(weights):
        if used + weight > multi:
            parts.append(text[start:index])
            start, used = index, 0
        used += weight
    parts.append(text[start:])
    return Segmentation(text, encoding, units, tuple(parts), offending)


# -- a whole column -------------------------------------------------------------------------------


def _class(characters: Iterable[str]) -> str:
    """A regular-expression class of ``characters`` in RE2's syntax, every one escaped."""
    return "".join(f"\\x{{{ord(char):x}}}" for char in sorted(set(characters)))


@cache
def _patterns() -> tuple[str, str]:
    septets = gsm_septets()
    not_gsm = f"[^{_class(septets)}]"
    extension = f"[{_class(char for char, count in septets.items() if count == 2)}]"
    return not_gsm, extension


def _distinct_encodings(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(is_ucs2, segments)`` of each of ``texts`` (no nulls), computed with Arrow's regular
    expressions: a text needs the character walk of :func:`segment` only where a pair could
    straddle a part boundary (a long text with an escape or a surrogate pair)."""
    not_gsm, extension = _patterns()
    ucs2 = pc.match_substring_regex(texts, not_gsm).to_numpy(zero_copy_only=False)
    characters = pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)
    single = np.where(ucs2, PART_LIMITS[UCS_2][0], PART_LIMITS[GSM_7][0])
    multi = np.where(ucs2, PART_LIMITS[UCS_2][1], PART_LIMITS[GSM_7][1])
    units = characters.copy()
    # Pairs (escapes, surrogates) can only matter where twice the characters exceed one SMS:
    # count them there alone.
    long = np.flatnonzero(characters * 2 > single)
    if len(long):
        chosen = texts.take(pa.array(long))
        escapes = pc.count_substring_regex(chosen, extension).to_numpy(zero_copy_only=False)
        surrogates = pc.count_substring_regex(chosen, r"[\x{10000}-\x{10FFFF}]").to_numpy(
            zero_copy_only=False
        )
        units[long] += np.where(ucs2[long], surrogates, escapes)
    segments = np.where(units <= single, 1, -(-units // multi)).astype(np.int64)
    # Where a pair may straddle a boundary, walk the characters.
    walk = long[(units[long] > single[long]) & (units[long] > characters[long])]
    for index in walk:
        segments[index] = segment(texts[int(index)].as_py()).segments
    return ucs2, segments


def _arrow_strings(values: pd.Index) -> pa.Array:
    """The distinct texts as an Arrow string array, without a copy where pandas holds them in
    Arrow already."""
    array = values.array
    if isinstance(array, pd.arrays.ArrowStringArray):
        arrow = pa.array(array)
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        return arrow.cast(pa.string()) if arrow.type != pa.string() else arrow
    return pa.array(np.asarray(values, dtype=object), pa.string())


def check_encoding(name: str) -> str:
    """An encoding's name as :data:`ENCODINGS` spell it, however it was typed.

    Example:
        >>> check_encoding("ucs2"), check_encoding("gsm 7")
        ('UCS-2', 'GSM-7')
    """
    key = "".join(char for char in name.upper() if char.isalnum())
    for encoding in ENCODINGS:
        if key == encoding.replace("-", ""):
            return encoding
    raise ConfigError(f"unknown encoding {name!r}: use {' or '.join(ENCODINGS)}")


def text_encoding_names(texts: pa.Array) -> pa.Array:
    """The encoding of each text of an Arrow string array, as strings (null for a null text).

    Example:
        >>> text_encoding_names(pa.array(["Ciao", None, "Caffè ☕"])).to_pylist()
        ['GSM-7', None, 'UCS-2']
    """
    present = pc.is_valid(texts)
    names = pa.array(ENCODINGS, pa.string())
    ucs2 = pc.match_substring_regex(pc.fill_null(texts, ""), _patterns()[0])
    chosen = pc.take(names, pc.cast(ucs2, pa.int8()))
    return pc.if_else(present, chosen, pa.scalar(None, pa.string()))


def arrow_segments(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The segments of each text of an Arrow string array, as ``int16`` (null for a null
    text), computed once per distinct text: what SQL's ``segments`` column is over the store.

    Example:
        >>> arrow_segments(pa.array(["Ciao", None, "a" * 161])).to_pylist()
        [1, None, 2]
    """
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    encoded = pc.dictionary_encode(texts.cast(pa.string()))
    if len(encoded.dictionary) == 0:
        return pa.nulls(len(texts), pa.int16())
    _, segments = _distinct_encodings(encoded.dictionary)
    return pc.take(pa.array(segments.astype(np.int16)), encoded.indices)


def text_encodings(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The ``encoding`` (:data:`ENCODING_DTYPE`) and ``segments`` (:data:`SEGMENTS_DTYPE`) of
    every text of a column, computed once per distinct text; missing where the text is.

    Example:
        >>> encoding, segments = text_encodings(pd.Series(["Ciao", "Caffè ☕", None, "Ciao"],
        ...                                                dtype="category"))
        >>> encoding.tolist(), segments.tolist()
        (['GSM-7', 'UCS-2', nan, 'GSM-7'], [1, 1, <NA>, 1])
    """
    if isinstance(text.dtype, pd.CategoricalDtype):
        codes = text.cat.codes.to_numpy(np.int64)
        distinct = text.cat.categories
    else:
        codes, distinct = pd.factorize(text, use_na_sentinel=True)
        codes = codes.astype(np.int64)
    values = _arrow_strings(pd.Index(distinct)) if len(distinct) else None
    ucs2, segments = (
        _distinct_encodings(values) if values is not None else (np.zeros(0, bool), np.zeros(0))
    )
    missing = codes < 0
    safe = np.where(missing, 0, codes)
    encoding_codes = np.where(missing, -1, ucs2[safe].astype(np.int8) if len(ucs2) else -1)
    encoding = pd.Series(
        pd.Categorical.from_codes(encoding_codes, dtype=ENCODING_DTYPE),
        index=text.index,
        name="encoding",
    )
    counts = segments[safe] if len(segments) else np.zeros(len(codes), np.int64)
    segment_column = pd.Series(
        pd.arrays.IntegerArray(counts.astype(np.int16), missing), index=text.index, name="segments"
    )
    return encoding, segment_column


# -- back to GSM-7 --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Substitution:
    """One kind of edit a suggestion may make, and (in a :class:`Suggestion`) where it made it.

    Attributes:
        name: what it replaces, for people (``curly apostrophes``).
        replacement: what it writes instead (``'``; empty: removed).
        touched: the characters it replaced in the original text, with their positions.
    """

    name: str
    replacement: str
    touched: tuple[Offending, ...] = ()

    @property
    def characters(self) -> str:
        """The distinct characters it replaced, in order of first appearance."""
        return "".join(dict.fromkeys(offending.char for offending in self.touched))


@dataclass(frozen=True)
class _Rule:
    name: str
    replacement: str
    matches: Callable[[str], list[tuple[int, int]]]  # spans [start, end) it replaces


def _characters(characters: str) -> Callable[[str], list[tuple[int, int]]]:
    chosen = frozenset(characters)
    return lambda text: [(index, index + 1) for index, char in enumerate(text) if char in chosen]


def _accents(text: str) -> list[tuple[int, int]]:
    return [(index, index + 1) for index, char in enumerate(text) if char in _ACCENTED]


def _emoji(text: str) -> list[tuple[int, int]]:
    """Each emoji (a whole sequence: skin tones, joiners, flags) with one space beside it where
    removing it alone would leave two spaces or a space at an end of the text."""
    spans = []
    for found in emoji.emoji_list(text):
        start, end = found["match_start"], found["match_end"]
        before = start == 0 or text[start - 1] == " "
        if end < len(text) and text[end] == " " and before:
            end += 1
        elif end == len(text) and start > 0 and text[start - 1] == " ":
            start -= 1
        spans.append((start, end))
    return spans


_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_SPACES += "\u2009\u200a\u202f\u205f\u3000"  # no-break, en/em, thin, hair, narrow
_ACCENTED = {"È": "E'", "À": "A'", "Ì": "I'", "Ò": "O'", "Ù": "U'"}
_RULES: tuple[_Rule, ...] = (
    _Rule("curly apostrophes", "'", _characters("’‘‚‛′`")),
    _Rule("curly quotes", '"', _characters("“”„‟«»″")),
    _Rule("dashes", "-", _characters("‐‑‒–—―−")),
    _Rule("ellipsis", "...", _characters("…")),
    _Rule("non-breaking and narrow spaces", " ", _characters(_SPACES)),
    _Rule("invisible characters", "", _characters("\u00ad\u200b\u200c\u2060\ufeff")),
    _Rule("accented capitals", "'", _accents),
    _Rule("emoji", "", _emoji),
)

SUBSTITUTIONS: tuple[Substitution, ...] = tuple(
    Substitution(rule.name, rule.replacement) for rule in _RULES
)
"""Every edit a suggestion may make: nothing else about a text is ever changed. Accented capitals
become the letter and an apostrophe, as Italian writes them without the accent key (``È`` →
``E'``); emoji are removed, with a space beside them where two would be left."""


@dataclass(frozen=True)
class Suggestion:
    """A cheaper way to write a text.

    Attributes:
        text: the suggested text.
        substitutions: the edits made (none of them can be left out without losing the gain).
        segmentation: how the suggested text travels.
    """

    text: str
    substitutions: tuple[Substitution, ...]
    segmentation: Segmentation


def _apply(text: str, rules: Iterable[_Rule]) -> tuple[str, tuple[Substitution, ...]]:
    edits: list[tuple[int, int, str]] = []
    made: list[Substitution] = []
    for rule in rules:
        spans = rule.matches(text)
        if not spans:
            continue
        touched = []
        for start, end in spans:
            for index in range(start, end):
                if text[index] != " ":
                    touched.append(Offending(text[index], index))
            replacement = _ACCENTED[text[start]] if rule.matches is _accents else rule.replacement
            edits.append((start, end, replacement))
        made.append(Substitution(rule.name, rule.replacement, tuple(touched)))
    pieces: list[str] = []
    position = 0
    for start, end, replacement in sorted(edits):
        if start < position:  # two rules never claim one character; an emoji span may
            continue
        pieces.extend((text[position:start], replacement))
        position = end
    pieces.append(text[position:])
    return "".join(pieces), tuple(made)


def _better(candidate: Segmentation, original: Segmentation) -> bool:
    if candidate.segments < original.segments:
        return True
    return (
        candidate.encoding == GSM_7
        and original.encoding == UCS_2
        and (candidate.segments <= original.segments)
    )


@lru_cache(maxsize=1024)  # a report asks for the same templates again (per group, savings)
def suggest(text: str) -> Suggestion | None:
    """The smallest set of :data:`SUBSTITUTIONS` that brings ``text`` back to GSM-7 or to fewer
    parts, or ``None`` when none does (a GSM-7 text, or a UCS-2 text that stays as long).

    Example:
        >>> s = suggest("Saldi d’inverno – fino al 50%… Ti aspettiamo! 🎉")
        >>> s.text, s.segmentation.encoding
        ("Saldi d'inverno - fino al 50%... Ti aspettiamo!", 'GSM-7')
        >>> [(sub.name, sub.characters) for sub in s.substitutions]
        [('curly apostrophes', '’'), ('dashes', '–'), ('ellipsis', '…'), ('emoji', '🎉')]
        >>> suggest("Ciao") is None, suggest("Привет") is None
        (True, True)
    """
    original = segment(text)
    if original.encoding == GSM_7:
        return None
    rules = [rule for rule in _RULES if rule.matches(text)]
    best_text, _ = _apply(text, rules)
    best = segment(best_text)
    if not _better(best, original):
        return None
    # Leave out every edit the gain does not need: the rules touch different characters, so
    # what is left is a smallest set.
    for rule in list(rules):
        fewer = [kept for kept in rules if kept is not rule]
        candidate = segment(_apply(text, fewer)[0])
        if (candidate.encoding, candidate.segments) == (best.encoding, best.segments) or (
            candidate.segments < best.segments
        ):
            rules, best = fewer, candidate
    suggested, made = _apply(text, rules)
    return Suggestion(suggested, made, segment(suggested))


def parts_after_suggestion(text: str) -> int:
    """How many parts ``text`` takes once :func:`suggest` is applied (its own parts when there
    is no suggestion).

    Example:
        >>> parts_after_suggestion("È" * 100), parts_after_suggestion("Ciao")
        (2, 1)
    """
    suggestion = suggest(text)
    return segment(text).segments if suggestion is None else suggestion.segmentation.segments
