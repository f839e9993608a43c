"""Fuzzing what reads numbers and texts from outside: normalisation, destinations, opt-out
detection and the terminal-safe rendering of texts never crash, whatever the unicode."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smstools_tui.analysis import destinations, is_opt_out, normalise_number, normalise_numbers
from smstools_tui.report.tables import printable

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
numbers = st.one_of(
    st.text(max_size=25),
    st.text("+0123456789 -()./", max_size=25),
    st.from_regex(r"(\+|00)?39 ?3[0-9]{2} ?[0-9]{6,7}", fullmatch=True),
)


@FUZZ
@given(values=st.lists(st.none() | numbers, max_size=12))
@example(values=["+393480000000", "00393480000000", "393480000000", None, "3934B0000000", "", "+"])
def test_normalisation_and_destinations_never_crash(values: list[str | None]) -> None:
    series = pd.Series(values, dtype="object")
    normalised = normalise_numbers(series)
    assert len(normalised) == len(values)
    for raw, canonical in zip(values, normalised, strict=True):
        if raw is None:
            assert pd.isna(canonical)
        else:
            assert canonical == normalise_number(raw)
    found = destinations(series)
    assert len(found) == len(values)
    assert found["country"].notna().all()  # unparseable numbers form their own group


@FUZZ
@given(texts=st.lists(st.none() | st.text(max_size=60), max_size=10))
@example(texts=["STOP", "stop.", "STÒP", "stopper", "Cancellami", "annulla iscrizione", "ＳＴＯＰ"])
def test_opt_out_detection_never_crashes(texts: list[str | None]) -> None:
    flags = is_opt_out(pd.Series(texts, dtype="object"))
    assert len(flags) == len(texts)


@FUZZ
@given(text=st.text(max_size=200))
@example(text="\x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \x1b]0;title\x07")
@example(text="\u202egnp.exe\u2066 \x00\x07\x08\r\n\t")
def test_printable_text_holds_no_control_character(text: str) -> None:
    shown = printable(text, limit=10_000)
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in shown)
    assert not any(ch in shown for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_the_dashboard_and_the_reports_reveal_the_same_characters() -> None:
    """Every character the CLI tables and the HTML report make visible, the dashboard does too
    (zero-width and tag characters included), whatever it draws them as."""
    from smstools_tui.report.tables import INVISIBLE_RANGES
    from smstools_tui.tui.safe_text import visible

    hidden = "".join(chr(code) for low, high in INVISIBLE_RANGES for code in range(low, high + 1))
    for shown in (
        visible(hidden),
        visible(hidden, keep_newlines=True).replace("\n", ""),
        printable(hidden),
    ):
        assert not any(low <= ord(ch) <= high for ch in shown for low, high in INVISIBLE_RANGES), (
            "an invisible character got through"
        )
