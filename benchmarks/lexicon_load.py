"""Lexicon load time: a generated voices/lexicon.toml of 3,000 and 10,000 entries.

Each entry is a distinct name with a respelling, every fifth one case-insensitive and
every third one with espeak phonemes, as a newsroom's list of names would be. Prints the
median of --runs loads of each size (read, parse, check every entry and every duplicate).
The goal is 10,000 entries in well under 1 s; a timing is a figure to read, not a test to pass.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from broadcast.speech.lexicon import load_lexicon


def lexicon_text(count: int) -> str:
    lines = []
    for n in range(count):
        lines.append(f'[[entry]]\ntext = "Surname{n:05d}"\nsay = "SUR-naym {n}"')
        if n % 3 == 0:
            lines.append(f'espeak = "s\'3:neIm {n}"')
        if n % 5 == 0:
            lines.append("case_sensitive = false")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for count in (3_000, 10_000):
            path = Path(tmp) / f"lexicon-{count}.toml"
            path.write_text(lexicon_text(count), encoding="utf-8")
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                lexicon = load_lexicon(path)
                times.append(time.perf_counter() - start)
            assert len(lexicon.entries) == count
            size_kb = path.stat().st_size / 1024
            print(f"{count:>6} entries ({size_kb:.0f} KB): {statistics.median(times):.3f} s median of {args.runs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
