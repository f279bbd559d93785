"""Build speed against the floor of the job, measured in the same run.

floor: the seed's script text spoken by the espeak-ng library directly and
encoded once by ffmpeg (benchmarks/espeak_floor.py, in a fresh process).
build: `broadcast build --no-cache` of the seed, every output, in a fresh process
(the clip cache would skip the speech: a build is measured speaking every sentence).
Prints medians of --runs runs, the ratio build / floor, and where a real command
line build's wall clock goes: its progress lines, read through a terminal and
stamped as they come, split the run into stages (the last one is the final
loudness check of the MP3).
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "npr-wpsu-putin-kim-meeting.txt"


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def wall_stages(cmd: list[str]) -> dict[str, float]:
    """Seconds per stage of one command line build, from its start to its exit. Progress is
    printed only to a terminal, so stderr is a pseudo-terminal read as the build goes."""
    main, side = pty.openpty()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=side)
    os.close(side)
    marks: list[tuple[str, float]] = [("start", start)]
    pending = b""
    while True:
        ready, _, _ = select.select([main], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(main, 4096)
        except OSError:  # the build closed the terminal: it exited
            break
        if not data:
            break
        now = time.perf_counter()
        pending += data
        *lines, pending = pending.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("spoke cue 1/"):
                marks.append(("start-up, parsing, first clip", now))
            elif line.startswith("spoke cue"):
                marks = [m for m in marks if m[0] != "rest of the speech"] + [("rest of the speech", now)]
            elif line:
                marks.append((line, now))
    proc.wait()
    os.close(main)
    marks.append(("exit (process end)", time.perf_counter()))
    return {name: t1 - t0 for (_, t0), (name, t1) in zip(marks, marks[1:])}


def stage_times(article: Path, runs: int, out: Path, voices: Path) -> dict[str, float]:
    """Median seconds per stage of an in-process build, from the build's progress messages."""
    from broadcast.config import load_settings
    from broadcast.input.source import load_article
    from broadcast.pipeline import build_episode

    settings = load_settings(ROOT / "show.toml", voices)
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        art = load_article(str(article))
        marks: list[tuple[str, float]] = [("start", time.perf_counter())]

        def progress(msg: str, marks: list[tuple[str, float]] = marks) -> None:
            if msg.startswith("spoke cue"):
                msg = "synthesized speech (engine workers)"
            if marks[-1][0] == msg:
                marks.pop()
            marks.append((msg, time.perf_counter()))

        build_episode(art, settings, out, progress)
        for (_, t0), (name, t1) in zip(marks, marks[1:]):
            samples.setdefault(name, []).append(t1 - t0)
    return {name: statistics.median(v) for name, v in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--voices", type=Path, default=ROOT / "voices", help="voice profiles (to compare engines)")
    parser.add_argument("article", nargs="?", type=Path, default=SEED)
    args = parser.parse_args()

    from broadcast.input.plain import parse_article
    from broadcast.script.write import build_script

    script = build_script(parse_article(args.article.read_text(encoding="utf-8"), str(args.article)))
    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "script.txt"
        text.write_text("\n\n".join(c.text for c in script.cues), encoding="utf-8")
        floor_cmd = [sys.executable, str(ROOT / "benchmarks" / "espeak_floor.py"), str(text), f"{tmp}/floor.mp3"]
        build_cmd = [
            *(sys.executable, "-m", "broadcast", "build", str(args.article)),
            *("--output", f"{tmp}/out", "--voices", str(args.voices), "--quiet", "--no-cache"),
        ]
        timed(floor_cmd), timed(build_cmd)  # warm the file cache
        # Interleaved, floor then build, run after run: a machine whose speed drifts over the
        # minutes of the benchmark (a shared host does) slows both sides alike.
        floor, build = [], []
        for _ in range(args.runs):
            floor.append(timed(floor_cmd))
            build.append(timed(build_cmd))
        walls = [wall_stages(build_cmd) for _ in range(args.runs)]
    f, b = statistics.median(floor), statistics.median(build)
    print(
        f"article: {args.article.name} ({sum(len(c.text.split()) for c in script.cues)} words), {args.runs} runs each"
    )
    print(f"floor  (espeak-ng library + one ffmpeg encode): median {f:6.3f} s  [{min(floor):.3f} .. {max(floor):.3f}]")
    print(f"build  (broadcast build, every output):         median {b:6.3f} s  [{min(build):.3f} .. {max(build):.3f}]")
    pairs = sorted(x / y for x, y in zip(build, floor, strict=True))
    print(
        f"ratio  build / floor: {b / f:.2f}  "
        f"(run by run: median {statistics.median(pairs):.2f}, {pairs[0]:.2f} .. {pairs[-1]:.2f})"
    )
    print("where a command line build's wall clock goes (median seconds per stage, stamped progress lines):")
    for name in walls[0]:
        print(f"  {name:<40} {statistics.median(w.get(name, 0.0) for w in walls):6.3f}")
    print(f"  {'total':<40} {statistics.median(sum(w.values()) for w in walls):6.3f}")
    check = statistics.median(w.get("measured loudness of the MP3", 0.0) for w in walls)
    print(f"final loudness check of the MP3 (decode + BS.1770 meter): {check:.3f} s, {check / b:.0%} of the build")
    with tempfile.TemporaryDirectory() as tmp:
        stages = stage_times(args.article, args.runs, Path(tmp) / "out", args.voices)
    print("stages of an in-process build (median seconds; imports excluded):")
    for name, seconds in stages.items():
        print(f"  {name:<40} {seconds:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
