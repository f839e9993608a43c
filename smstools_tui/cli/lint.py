"""``smstools-tui lint``: what a draft text will cost before it is sent."""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

import click

from ..report.tables import printable
from ..segments import GSM_7, Segmentation, Suggestion, segment, suggest
from .common import read_text_input

__all__ = ["lint_command", "lint_result"]

_UNIT_NAMES = {GSM_7: "septets"}


def lint_result(text: str) -> dict[str, Any]:
    """The ``--json`` answer for ``text``: exactly these keys.

    Example:
        >>> lint_result("Ciao ’")  # doctest: +NORMALIZE_WHITESPACE
        {'encoding': 'UCS-2', 'units': 6, 'segments': 1,
         'offending': [{'char': '’', 'index': 5}], 'suggestion': "Ciao '",
         'suggestion_segments': 1}
    """
    result = segment(text)
    suggestion = suggest(text)
    return {
        "encoding": result.encoding,
        "units": result.units,
        "segments": result.segments,
        "offending": [{"char": found.char, "index": found.index} for found in result.offending],
        "suggestion": None if suggestion is None else suggestion.text,
        "suggestion_segments": None if suggestion is None else suggestion.segmentation.segments,
    }


def _character(char: str) -> str:
    name = unicodedata.name(char, "")
    shown = printable(char)
    return f"{shown}  U+{ord(char):04X}{' ' + name if name else ''}"


def _units(result: Segmentation) -> str:
    return _UNIT_NAMES.get(result.encoding, "UTF-16 code units")


def _describe(result: Segmentation, suggestion: Suggestion | None) -> list[str]:
    lines = [
        f"encoding    {result.encoding}",
        f"characters  {len(result.text)}",
        f"units       {result.units} {_units(result)}",
        f"parts       {result.segments}",
    ]
    if result.offending:
        lines.append("forced UCS-2 by:")
        counts: dict[str, list[int]] = {}
        for found in result.offending:
            counts.setdefault(found.char, []).append(found.index)
        for char, positions in counts.items():
            shown = ", ".join(map(str, positions[:8])) + (" …" if len(positions) > 8 else "")
            lines.append(f"  {_character(char)}  at {shown}")
    if result.segments > 1:
        lines.append("parts as sent:")
        for number, (part, units) in enumerate(
            zip(result.parts, result.part_units, strict=True), start=1
        ):
            lines.append(f"  {number}  ({units} {_units(result)})  {printable(part)}")
    if suggestion is not None:
        after = suggestion.segmentation
        lines.append(
            f"suggested   {after.encoding}, {after.segments} part"
            f"{'s' if after.segments != 1 else ''} instead of {result.segments}:"
        )
        for edit in suggestion.substitutions:
            lines.append(f"  {edit.name}: {printable(edit.characters)} → "
                         f"{printable(edit.replacement) or '(removed)'}")  # fmt: skip
        lines.append(f"  {printable(suggestion.text)}")
    elif result.offending:
        lines.append("suggested   none: no allowed edit brings it back to GSM-7 or fewer parts")
    return lines


@click.command("lint")
@click.argument("text", required=False)
@click.option(
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Read the text from FILE (UTF-8; one final line break is not part of it).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the answer as JSON: encoding, units, segments, offending, suggestion, "
    "suggestion_segments.",
)
@click.option("--max-segments", type=click.IntRange(1), metavar="N",
              help="Exit with 1 when the text needs more than N parts (for checking templates "
              "in CI).")  # fmt: skip
def lint_command(
    text: str | None, file: Path | None, as_json: bool, max_segments: int | None
) -> None:
    """Check a draft SMS: its encoding (GSM-7 or UCS-2), length, parts, the characters that
    forced UCS-2 and a cheaper spelling.

    TEXT is the draft; - reads it from standard input.

    \b
    Examples:
      smstools-tui lint "Saldi d’inverno: fino al 50%"
      smstools-tui lint --file templates/black-friday.txt --max-segments 1
      echo "Ciao" | smstools-tui lint - --json
    """
    draft = read_text_input(
        text, file,
        missing="give the text to check, or --file FILE, or - to read standard input",
        both="give the text or --file, not both",
    )  # fmt: skip
    result = segment(draft)
    if as_json:
        click.echo(json.dumps(lint_result(draft), ensure_ascii=False))
    else:
        click.echo("\n".join(_describe(result, suggest(draft))))
    if max_segments is not None and result.segments > max_segments:
        click.echo(f"{result.segments} parts, more than the {max_segments} allowed", err=True)
        sys.exit(1)
