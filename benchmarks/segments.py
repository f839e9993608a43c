"""Encoding and segments benchmark: the sent frame's ``encoding`` and ``segments`` columns on 1M
sandbox messages, against the 1-second target, and what they add to the frame's memory.

Run: ``python benchmarks/segments.py`` (about a minute, most of it generating the data).
Every figure is measured in this one run, each the best of ``--runs`` repetitions (the machines
are shared and noisy). The reference is the same answer computed message by message with
:func:`smstools_tui.segments.segment`: the ratio says what computing once per distinct text,
with Arrow's regular expressions, is worth.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from common import best_of  # benchmarks/common.py, beside this script

from smstools_tui.analysis import encoding_report, text_savings
from smstools_tui.sandbox import AccountSpec, generate_account
from smstools_tui.segments import segment, text_encodings

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
TARGET_SECONDS = 1.0
BUDGET_BYTES_PER_ROW = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="sent messages")
    parser.add_argument(
        "--sample",
        type=int,
        default=100_000,
        help="messages the per-message reference walks (scaled to --rows)",
    )
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the best counts")
    args = parser.parse_args()  # fmt: skip

    started = time.perf_counter()
    sent = generate_account(AccountSpec(seed=5, sent=args.rows, received=0, now=NOW)).sent_frame()
    print(f"generated {len(sent):,} sent messages in {time.perf_counter() - started:.1f} s")
    text = sent["text"]
    rows = len(sent)

    columns = best_of(args.runs, lambda: text_encodings(text))
    sample = [str(value) for value in text.iloc[: args.sample].dropna()]
    per_message = best_of(1, lambda: [segment(value).segments for value in sample])
    reference = per_message * rows / max(len(sample), 1)
    report = best_of(args.runs, lambda: encoding_report(sent, "campaign"))
    savings = best_of(args.runs, lambda: text_savings(sent))

    added = sent[["encoding", "segments"]].memory_usage(deep=True, index=False).sum() / rows
    whole = sent.memory_usage(deep=True).sum() / rows

    width = 52
    print()
    print(f"{rows:,} sent messages, {text.cat.categories.size:,} distinct texts")
    print(f"{'encoding + segments columns (s)':<{width}}{columns:>10.3f}")
    print(f"{'the same, message by message (s, scaled)':<{width}}{reference:>10.3f}")
    print(f"{'ratio: message by message / columns':<{width}}{reference / columns:>10.1f}")
    print(f"{'report encoding --by campaign (s)':<{width}}{report:>10.3f}")
    print(f"{'report text-savings (s)':<{width}}{savings:>10.3f}")
    print(f"{'memory of the two columns (bytes/row)':<{width}}{added:>10.1f}")
    print(f"{'memory of the whole sent frame (bytes/row)':<{width}}{whole:>10.1f}")
    print()
    verdict = "met" if columns <= TARGET_SECONDS else "MISSED"
    print(f"target: the columns on {rows:,} messages in at most {TARGET_SECONDS:.0f} s: "
          f"{verdict} ({columns:.3f} s)")  # fmt: skip
    verdict = "met" if whole <= BUDGET_BYTES_PER_ROW else "MISSED"
    print(f"budget: the sent frame within {BUDGET_BYTES_PER_ROW} bytes a row: {verdict} "
          f"({whole:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
