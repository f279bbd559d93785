"""Cost and memory against article length: does a build stay linear and bounded?

Generates distinct articles of about 1,000, 5,000 and 20,000 words (every paragraph
its own, from varied sentences: the parser drops repeated paragraphs as duplicates),
builds each with the real engine (`broadcast build` in a fresh process, --output in a
temp dir), with the built-in settings (no music) and then with the repository's
show.toml (an intro sting), and prints per build: words, audio minutes, wall seconds,
seconds per audio minute and peak resident memory.

Memory: "tree" is GNU time's maximum resident set size of the build, the largest of
the process and every child it waited for (the espeak worker, ffmpeg); "main" and
"worker" are each process's own high-water mark (VmHWM), read from /proc while it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LENGTHS = (1_000, 5_000, 20_000)
_TIME = "/usr/bin/time"

_SUBJECTS = (
    "The council",
    "The mayor",
    "A spokesperson for the agency",
    "Local residents",
    "The committee",
    "Several engineers",
    "The governor",
    "Teachers at the school",
    "The hospital board",
    "Farmers in the valley",
    "The transit authority",
    "A group of volunteers",
    "The company",
    "Officials in the capital",
    "The union",
    "Researchers at the university",
    "The fire department",
    "Shop owners downtown",
    "The water utility",
    "Parents of young children",
)
_VERBS = (
    "said on Tuesday that",
    "argued in a long meeting that",
    "warned reporters that",
    "confirmed that",
    "told a public hearing that",
    "wrote in a letter that",
    "suggested that",
    "insisted that",
    "announced late in the evening that",
    "admitted that",
    "explained in an interview that",
    "claimed that",
)
_CLAUSES = (
    "the budget for the new bridge would rise again",
    "the old library should stay open through the winter",
    "the plan for the harbor had changed too often",
    "a decision on the school roof could wait until spring",
    "the bus routes across the river would be redrawn",
    "the cost of heating public buildings kept growing",
    "the report on air quality would be published soon",
    "nobody had expected the storm to flood the market",
    "the vote on the housing project was delayed once more",
    "the clinic needed more nurses for the night shift",
    "the road repairs would close the main street for weeks",
    "the festival in the park drew a record crowd",
    "the new recycling rules confused many households",
    "the reservoir was lower than in any recent summer",
    "the railway station would get a second platform",
    "the police had opened an inquiry into the fire",
    "the price of bread had doubled since the drought",
    "the ferry service would resume after the repairs",
    "the museum planned to show the collection again",
    "the town hall clock had stopped for the third time",
)
_TAILS = (
    "",
    "",
    "",
    " after months of debate",
    " despite strong objections",
    " according to people at the meeting",
    " while critics called for patience",
    " and promised more details next week",
    " before the end of the year",
    " in a statement to the press",
    " although the figures were disputed",
    " as the crowd outside grew",
)


def generated_article(words: int, seed: int = 1770) -> str:
    """A plain-text article of about `words` body words; the same `seed` gives the same text."""
    rng = random.Random(seed * 100_003 + words)
    paragraphs, count, n = [], 0, 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            sentence = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_CLAUSES)}{rng.choice(_TAILS)}."
            sentences.append(sentence)
        n += 1
        # A paragraph number in words keeps even a chance repeat of sentences distinct.
        paragraph = f"In part {n}, " + sentences[0][0].lower() + sentences[0][1:] + " " + " ".join(sentences[1:])
        if paragraphs and count + len(paragraph.split()) > words:
            break
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "Town Council Debates The Year Ahead\n\n" + "\n\n".join(paragraphs) + "\n"


@dataclass(frozen=True)
class Run:
    words: int
    config: str
    audio_min: float
    wall_s: float
    tree_mb: float
    main_mb: float
    worker_mb: float


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        found += [int(k) for k in kids]
        todo += [int(k) for k in kids]
    return found


def _hwm_kb(pid: int) -> tuple[str, int] | None:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return (cmd, int(found.group(1))) if found else None


def _watch(root_pid: int, peaks: dict[int, tuple[str, int]], done: threading.Event) -> None:
    """Each process's own peak, polled until the build ends (the last reading is its peak so far)."""
    while not done.is_set():
        for pid in _descendants(root_pid):
            seen = _hwm_kb(pid)
            if seen:
                peaks[pid] = (seen[0], max(seen[1], peaks.get(pid, ("", 0))[1]))
        done.wait(0.1)


def build(article: Path, words: int, config: Path | None, voices: Path) -> Run:
    with tempfile.TemporaryDirectory(prefix="length-") as tmp:
        out = Path(tmp) / "out"
        cmd = [_TIME, "-v", sys.executable, "-m", "broadcast", "build", str(article), "--output", str(out)]
        cmd += ["--voices", str(voices), "--quiet", "--no-cache"]  # the cache would flatter every run after the first
        cmd += ["--config", str(config)] if config else []
        peaks: dict[int, tuple[str, int]] = {}
        done = threading.Event()
        start = time.perf_counter()
        # cwd is the empty temp dir: no ./show.toml there, so no config means the built-in one.
        proc = subprocess.Popen(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        watcher = threading.Thread(target=_watch, args=(proc.pid, peaks, done), daemon=True)
        watcher.start()
        stdout, stderr = proc.communicate()
        wall = time.perf_counter() - start
        done.set()
        watcher.join()
        if proc.returncode != 0:
            raise SystemExit(f"build failed ({proc.returncode}): {stderr[-2000:]}")
        tree = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
        record = json.loads(next(out.glob("*/episode.json")).read_text())
    main = max((kb for cmd, kb in peaks.values() if " build " in cmd), default=0)
    worker = max((kb for cmd, kb in peaks.values() if "worker" in cmd), default=0)
    duration_ms = record["audio"]["duration_ms"]
    return Run(
        words,
        "show.toml" if config else "built-in",
        duration_ms / 60_000,
        wall,
        int(tree.group(1)) / 1024 if tree else float("nan"),
        main / 1024,
        worker / 1024,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, nargs="+", default=list(LENGTHS), help="article lengths to build")
    parser.add_argument("--voices", type=Path, default=ROOT / "voices")
    parser.add_argument(
        "--configs",
        nargs="+",
        choices=("built-in", "show.toml"),
        default=["built-in", "show.toml"],
        help="built-in settings (no music) and/or the repository's show.toml (an intro sting)",
    )
    parser.add_argument("--write", type=Path, help="only write the generated article of --words[0] words here")
    args = parser.parse_args()
    if args.write:
        args.write.write_text(generated_article(args.words[0]), encoding="utf-8")
        return 0
    if not os.access(_TIME, os.X_OK):
        raise SystemExit(f"{_TIME} not found: install GNU time (apt-get install time)")
    configs = [ROOT / "show.toml" if name == "show.toml" else None for name in args.configs]
    print(
        f"{'words':>6} {'config':>9} {'audio min':>9} {'wall s':>7} {'s/audio min':>11} "
        f"{'tree MB':>8} {'main MB':>8} {'worker MB':>9}"
    )
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="length-articles-") as tmp:
        for config in configs:
            for words in args.words:
                article = Path(tmp) / f"article-{words}.txt"
                text = generated_article(words)
                article.write_text(text, encoding="utf-8")
                body = sum(len(p.split()) for p in text.split("\n\n")[1:])
                run = build(article, body, config, args.voices)
                runs.append(run)
                print(
                    f"{run.words:>6} {run.config:>9} {run.audio_min:>9.1f} {run.wall_s:>7.1f} "
                    f"{run.wall_s / run.audio_min:>11.2f} {run.tree_mb:>8.0f} {run.main_mb:>8.0f} "
                    f"{run.worker_mb:>9.0f}",
                    flush=True,
                )
    for config in dict.fromkeys(r.config for r in runs):
        mine = [r for r in runs if r.config == config]
        if len(mine) > 1:
            first, last = mine[0], mine[-1]
            ratio = (last.wall_s / last.audio_min) / (first.wall_s / first.audio_min)
            print(f"{config}: per-minute cost at {last.words} words / at {first.words} words = {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
