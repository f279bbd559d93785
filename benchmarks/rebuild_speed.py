"""Rebuild speed with the clip cache: a one-paragraph edit against the full build, paired in one run.

For each voice cast (the shipped espeak-ng voices; the same with the reporter on
Piper), each run takes a fresh cache folder, builds the seed (`broadcast build`,
a fresh process, every output), then builds a copy of the seed with words changed
in one body paragraph into the same cache. Prints the medians of --runs runs, their
ratio (target: rebuild <= 0.3x full with espeak), and how the rebuild's time splits
across the stages of an in-process build.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "npr-wpsu-putin-kim-meeting.txt"
SHIPPED_VOICES = ROOT / "broadcast" / "voices"


def edited_copy(article: Path, dest: Path) -> str:
    """The article with words changed in its middle body paragraph; returns that paragraph."""
    from broadcast.input.plain import parse_article

    raw = article.read_text(encoding="utf-8")
    body = parse_article(raw, str(article)).body
    paragraph = body[len(body) // 2]
    word = next(w for w in paragraph.split() if w.isalpha() and len(w) >= 6)
    dest.write_text(raw.replace(paragraph, paragraph.replace(word, "remarkably " + word, 1), 1), encoding="utf-8")
    return paragraph


def piper_cast(folder: Path) -> Path:
    """The shipped voices with the reporter on Piper (roles.toml points at reporter-piper)."""
    voices = folder / "voices-piper"
    shutil.copytree(SHIPPED_VOICES, voices)
    roles = voices / "roles.toml"
    roles.write_text(roles.read_text().replace('reporter = "reporter"', 'reporter = "reporter-piper"'))
    return voices


def build_cmd(article: Path, voices: Path, out: Path, cache: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "broadcast", "build", str(article), "--quiet"),
        *("--voices", str(voices), "--output", str(out), "--cache", str(cache)),
    ]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def paired(article: Path, edited: Path, voices: Path, runs: int, tmp: Path) -> tuple[list[float], list[float], int]:
    full, rebuild, spoken = [], [], 0
    for n in range(runs):
        cache, out = tmp / f"cache-{voices.name}-{n}", tmp / f"out-{voices.name}-{n}"
        full.append(timed(build_cmd(article, voices, out, cache)))
        before = set(cache.iterdir())
        rebuild.append(timed(build_cmd(edited, voices, out, cache)))
        spoken = len(set(cache.iterdir()) - before)  # the clips the rebuild had to speak
    return full, rebuild, spoken


def rebuild_stages(article: Path, edited: Path, voices: Path, tmp: Path) -> dict[str, float]:
    """Seconds per stage of one in-process rebuild after the edit (imports excluded)."""
    from broadcast.config import load_settings
    from broadcast.input.source import load_article
    from broadcast.pipeline import build_episode
    from broadcast.speech.cache import open_clip_cache

    settings = load_settings(None, voices)
    cache = open_clip_cache(tmp / f"stages-{voices.name}", 500_000_000)
    build_episode(load_article(str(article)), settings, tmp / "stages-out", cache=cache)
    marks: list[tuple[str, float]] = [("start", time.perf_counter())]

    def progress(msg: str) -> None:
        if msg.startswith(("spoke cue", "clips from")):
            msg = "clips (cache reads, engine for the misses)"
        if marks[-1][0] == msg:
            marks.pop()
        marks.append((msg, time.perf_counter()))

    build_episode(load_article(str(edited)), settings, tmp / "stages-out", progress, cache)
    return {name: t1 - t0 for (_, t0), (name, t1) in zip(marks, marks[1:])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-piper", action="store_true", help="only the espeak-ng cast")
    parser.add_argument("article", nargs="?", type=Path, default=SEED)
    args = parser.parse_args()

    from broadcast.speech.engines.piper_engine import piper_available

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        edited = tmp / f"edited-{args.article.name}"
        paragraph = edited_copy(args.article, edited)
        print(f"article: {args.article.name}; edited paragraph: {paragraph[:60]!r}...; {args.runs} runs each")
        casts = [("espeak", SHIPPED_VOICES)]
        if not args.no_piper and piper_available():
            casts.append(("piper reporter", piper_cast(tmp)))
        for label, voices in casts:
            full, rebuild, spoken = paired(args.article, edited, voices, args.runs, tmp)
            f, r = statistics.median(full), statistics.median(rebuild)
            print(f"{label:<15} full    median {f:6.2f} s  [{min(full):.2f} .. {max(full):.2f}]")
            spread = f"[{min(rebuild):.2f} .. {max(rebuild):.2f}]"
            print(f"{label:<15} rebuild median {r:6.2f} s  {spread}  ({spoken} clips spoken)")
            print(f"{label:<15} ratio   rebuild / full: {r / f:.2f}")
            print(f"{label:<15} rebuild stages (one in-process run):")
            for name, seconds in rebuild_stages(args.article, edited, voices, tmp).items():
                print(f"  {name:<45} {seconds:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
