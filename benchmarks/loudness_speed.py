"""Loudness speed: normalize + measure three minutes of speech, against ffmpeg's loudnorm.

ours:     broadcast.audio.loudness.normalize then measure, on 180 s of 22050 Hz mono
          speech-like signal (the generator of tests/test_loudness.py), in process.
baseline: ffmpeg's loudnorm filter (one pass, same target and ceiling) on the same
          samples, piped through the one runner; what the mastering chain used before.
Prints medians of --runs runs and the ratio ours / baseline. The goal for ours is well
under 1 s on a quiet machine; a timing is a figure to read, not a test to pass.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

RATE = 22050
TARGET = -19.0
CEILING = -1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=180.0)
    args = parser.parse_args()

    import numpy as np
    from test_loudness import speech_like

    from broadcast.audio import ffmpeg
    from broadcast.audio.loudness import measure, normalize

    x = speech_like(args.seconds, RATE)
    normalize(x[: RATE * 10], RATE, TARGET)  # warm up imports and caches

    ours = []
    for _ in range(args.runs):
        start = time.perf_counter()
        measure(normalize(x, RATE, TARGET, CEILING), RATE)
        ours.append(time.perf_counter() - start)
    result = measure(normalize(x, RATE, TARGET, CEILING), RATE)

    loudnorm = f"loudnorm=I={TARGET}:TP={CEILING}:LRA=11"
    cmd: list[str | Path] = ["ffmpeg", "-v", "error", "-nostdin", "-f", "f32le", "-ar", str(RATE), "-ac", "1"]
    cmd += ["-i", "-", "-af", loudnorm, "-ar", str(RATE), "-f", "f32le", "-"]
    raw = x.astype("<f4").tobytes()
    baseline = []
    for _ in range(args.runs):
        start = time.perf_counter()
        out = ffmpeg.run(cmd, stdin=raw, timeout=600)
        baseline.append(time.perf_counter() - start)
    theirs = measure(np.frombuffer(out.stdout, dtype="<f4"), RATE)

    o, b = statistics.median(ours), statistics.median(baseline)
    print(f"signal: {args.seconds:.0f} s mono {RATE} Hz speech-like, target {TARGET} LUFS, ceiling {CEILING} dBTP")
    print(
        f"ours     (normalize + measure): median {o:6.3f} s  [{min(ours):.3f} .. {max(ours):.3f}]"
        f"  -> {result.integrated_lufs:.2f} LUFS, {result.true_peak_dbtp:.2f} dBTP"
    )
    print(
        f"baseline (ffmpeg loudnorm):     median {b:6.3f} s  [{min(baseline):.3f} .. {max(baseline):.3f}]"
        f"  -> {theirs.integrated_lufs:.2f} LUFS, {theirs.true_peak_dbtp:.2f} dBTP"
    )
    print(f"ratio    ours / baseline: {o / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
