from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from smstools_tui.report import export_frame, neutralise_formulas, safe_csv_frame, write_safe_csv


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_prefixes_get_a_quote(prefix: str) -> None:
    assert neutralise_formulas(pd.Series([prefix + "1+1"])).tolist() == ["'" + prefix + "1+1"]


@pytest.mark.parametrize("text", ["1+1", " =1", "ok=1", "'=1", "", "393480000000", "0039348"])
def test_other_text_is_untouched(text: str) -> None:
    assert neutralise_formulas(pd.Series([text])).tolist() == [text]


def test_na_stays_empty_and_categories_work() -> None:
    values = pd.Series(["=x", None, "y"], dtype="category")
    assert neutralise_formulas(values).tolist()[::2] == ["'=x", "y"]
    assert pd.isna(neutralise_formulas(values).iloc[1])


def test_timestamps_are_iso_with_offset_and_numbers_stay_numbers() -> None:
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2026-03-29T01:30:00Z", None], utc=True),
            "price": [0.0945, None],
            "id": pd.array([1, None], dtype="Int64"),
        }
    )
    safe = safe_csv_frame(frame)
    assert safe["when"].tolist() == ["2026-03-29T01:30:00+00:00", ""]
    buffer = io.StringIO()
    write_safe_csv(frame, buffer)
    assert buffer.getvalue().splitlines() == [
        "when,price,id",
        "2026-03-29T01:30:00+00:00,0.0945,1",
        ",,",
    ]


def test_texts_with_line_breaks_and_quotes_survive(tmp_path: Path) -> None:
    texts = ["two\nlines", 'say "hi", ok', "emoji 🎉 è", "\x1b[31mred"]
    target = export_frame(pd.DataFrame({"text": texts}), tmp_path / "t.csv")
    with open(target, encoding="utf-8-sig", newline="") as handle:
        assert [row[0] for row in csv.reader(handle)][1:] == texts


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "t.csv"
    target.write_text("previous")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(pd.DataFrame, "to_csv", explode)
    with pytest.raises(RuntimeError):
        export_frame(pd.DataFrame({"a": [1]}), target)
    assert target.read_text() == "previous"
    assert list(tmp_path.iterdir()) == [target]


def test_exports_get_the_usual_permissions(tmp_path: Path) -> None:
    import os

    previous = os.umask(0o022)
    try:
        target = export_frame(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    finally:
        os.umask(previous)
    assert target is not None
    assert target.stat().st_mode & 0o777 == 0o644


def test_phone_numbers_are_written_in_e164_as_text(tmp_path: Path) -> None:
    sent = pd.DataFrame(
        {
            "to": pd.Categorical(["393398408223", "41791234567", "39123"]),
            "from": pd.Categorical(["MyShop", "393331112222", "MyShop"]),
            "price": [0.0945, 0.1, 0.0],
        }
    )
    target = tmp_path / "sent.csv"
    export_frame(sent, target)
    # The bytes: a BOM, then each number in E.164 behind the quote that keeps it text.
    assert target.read_bytes() == (
        b"\xef\xbb\xbfto,from,price\r\n"
        b"'+393398408223,MyShop (alias),0.0945\r\n"
        b"'+41791234567,'+393331112222,0.1\r\n"
        b"39123 (short code),MyShop (alias),0.0\r\n"
    )
    # A reader that guesses types keeps every character: no number, no 3.93398E+11.
    guessed = pd.read_csv(target, encoding="utf-8-sig")
    assert not pd.api.types.is_numeric_dtype(guessed["to"])
    assert guessed["to"].tolist() == ["'+393398408223", "'+41791234567", "39123 (short code)"]
    assert [value.removeprefix("'") for value in guessed["to"]][:2] == [
        "+393398408223",
        "+41791234567",
    ]
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == ["'+393398408223", "'+41791234567", "39123 (short code)"]
    assert sent["to"].tolist()[0] == "393398408223"  # the frame keeps the API's digits


def test_a_column_of_numbers_alone_is_still_read_as_text() -> None:
    buffer = io.StringIO()
    write_safe_csv(pd.DataFrame({"number": ["393398408223", "393289740902"]}), buffer)
    guessed = pd.read_csv(io.StringIO(buffer.getvalue()))
    assert guessed["number"].tolist() == ["'+393398408223", "'+393289740902"]


def test_a_column_of_no_phone_kind_is_left_as_it_is() -> None:
    frame = pd.DataFrame({"note": ["393398408223"]})
    assert safe_csv_frame(frame)["note"].tolist() == ["393398408223"]
