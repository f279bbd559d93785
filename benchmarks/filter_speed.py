"""K-weighting speed: broadcast.audio.filters.Iir against scipy.signal.lfilter (float32), paired.

Filters the seed episode's length of noise (1:54: 2.5 M samples at 22.05 kHz, 5 M at 44.1 kHz)
through the two K-weighting biquads, alternating the two in each run, and prints medians and
the largest difference of each from lfilter in float64. scipy comes with the `test` extra.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from scipy.signal import lfilter

from broadcast.audio.filters import Iir
from broadcast.audio.loudness import _biquads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for rate in (22050, 44100):
        sections = _biquads(rate)
        x = (0.1 * np.random.default_rng(0).standard_normal(int(114 * rate))).astype(np.float32)

        def scipy32(x: np.ndarray, sections=sections) -> np.ndarray:
            for b, a in sections:
                x = lfilter(b.astype(np.float32), a.astype(np.float32), x)
            return x

        def ours(x: np.ndarray, sections=sections) -> np.ndarray:
            f = Iir(sections)
            return np.concatenate((f(x), f.flush()))

        exact = x.astype(np.float64)
        for b, a in sections:
            exact = lfilter(b, a, exact)
        times: dict[str, list[float]] = {"scipy lfilter float32": [], "filters.Iir": []}
        for run in range(args.runs):
            for name, f in (("scipy lfilter float32", scipy32), ("filters.Iir", ours))[:: 1 if run % 2 else -1]:
                start = time.perf_counter()
                y = f(x)
                times[name].append(time.perf_counter() - start)
                if run == 0:
                    print(f"{rate} Hz {name:22s} max |error| vs float64 lfilter: {np.abs(y - exact).max():.1e}")
        for name, t in times.items():
            print(f"{rate} Hz {name:22s} median {statistics.median(t) * 1000:6.1f} ms over {x.size:,} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
