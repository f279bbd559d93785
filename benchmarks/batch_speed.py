"""Batch speed: 8 distinct seed-sized articles built with -j 1 and -j 2, paired in one run.

The articles are the seed's story rewritten 8 ways (another headline, another date, the body's
paragraphs rotated), so the parser keeps each one whole and each is its own episode. Both runs
use the shipped espeak-ng voices, no clip cache (each run speaks everything) and a fresh output
folder. Prints both wall times, their ratio (target: -j 2 at least 1.7x faster than -j 1), and
the peak resident memory of the whole process tree (the batch, its workers and their speech
workers, sampled every 0.1 s) and of its largest single process.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "npr-wpsu-putin-kim-meeting.txt"
ANGLES = ("as talks near", "officials say", "in Vladivostok", "amid arms fears", "after years apart")
ANGLES += ("as the forum opens", "by armored train", "with Moscow's invitation")


def variants(folder: Path, count: int = 8) -> list[Path]:
    from broadcast.input.plain import parse_article

    seed = parse_article(SEED.read_text(encoding="utf-8"), str(SEED))
    paths = []
    for k in range(count):
        body = list(seed.body[k % len(seed.body) :] + seed.body[: k % len(seed.body)])
        text = (
            f"Putin and Kim will meet this week {ANGLES[k]}\n\n"
            f"By {' and '.join(seed.authors)}\n\n"
            f"Updated September {11 + k}, 2023 at 2:59 PM ET\n\n"
            f"MOSCOW — {body[0]}\n\n" + "\n\n".join(body[1:]) + "\n"
        )
        path = folder / f"story-{k + 1}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """The summed and the largest resident size (kB) of root and its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
        except OSError:
            continue
        parents[int(entry)] = int(fields.get("PPid", "0").strip() or 0)
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    sizes = [rss.get(pid, 0) for pid in tree]
    return sum(sizes), max(sizes, default=0)


def run_batch(articles: list[Path], jobs: int, out: Path) -> tuple[float, int, int]:
    cmd = [sys.executable, "-m", "broadcast", "build", *map(str, articles), "-j", str(jobs), "--no-cache"]
    cmd += ["--voices", str(ROOT / "broadcast" / "voices"), "--output", str(out)]
    peak = [0, 0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sample() -> None:
        while proc.poll() is None:
            total, largest = _tree_rss_kb(proc.pid)
            peak[0], peak[1] = max(peak[0], total), max(peak[1], largest)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"-j {jobs} failed ({proc.returncode}):\n{stderr}{stdout}")
    built = len([p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")])
    if built != len(articles):
        sys.exit(f"-j {jobs} built {built} episodes of {len(articles)}")
    return elapsed, peak[0], peak[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        folder = Path(tmp)
        articles = variants(folder, args.articles)
        load = os.getloadavg()[0]
        print(f"{len(articles)} articles, seed-sized; load before: {load:.2f} (1 min), {os.cpu_count()} cores")
        results = {}
        for jobs in (1, 2):
            elapsed, total_kb, largest_kb = run_batch(articles, jobs, folder / f"out-j{jobs}")
            results[jobs] = elapsed
            print(
                f"-j {jobs}: {elapsed:6.1f} s  ({elapsed / len(articles):.1f} s an article)  "
                f"peak RSS: {total_kb / 1024:.0f} MB the whole tree, {largest_kb / 1024:.0f} MB the largest process"
            )
        print(f"-j 2 vs -j 1: {results[1] / results[2]:.2f}x faster (target >= 1.7x)")
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"load after: {os.getloadavg()[0]:.2f} (1 min); largest process of both runs (getrusage): {largest:.0f} MB"
        )


if __name__ == "__main__":
    main()
