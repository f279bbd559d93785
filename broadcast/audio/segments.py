"""Where to cut an episode so that its parts, encoded at once on several cores and joined
(mp3_join.py), play exactly as one encode would.

A part of F frames decodes, after the joined file's single encoder delay, to F * 1152
samples of the stream: its audio, then the encoder's padding, then the next part's
encoder delay. So every part starts on the single encode's frame grid, at the very
output sample where one encode would have put that audio, and the last 1152 samples
before each cut (576 of padding, 576 of the next part's delay) are left out of the
parts: the cut goes where only room tone plays, and those 26 ms of room tone are all a
listener could miss. Cuts also sit where the resampler's phase is whole (speech at
22.05 kHz to 48 kHz: every 147 input samples), so each part is resampled in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from broadcast.audio.mp3_join import FRAME_SAMPLES

# A part shorter than this costs more in starting an encoder than it saves.
MIN_PART_SECONDS = 10.0
# Room tone kept clear on both sides of the samples left out: the encoder's window and the
# resampler's filter reach a few milliseconds past a part's edges.
_CLEAR_MS = 15


@dataclass(frozen=True)
class Segment:
    start: int  # first input sample (at the mix's rate)
    stop: int  # one past the last
    frames: int | None  # MP3 frames the encode must make (None: the last part, whatever it makes)


def plan_segments(
    total: int, rate: int, out_rate: int, quiet: list[tuple[int, int]], count: int
) -> tuple[Segment, ...]:
    """Up to `count` parts of a `total`-sample signal at `rate`, encoded at `out_rate`, cut
    only inside the `quiet` spans [start, stop) of input samples (room tone alone), each
    cut as near as it can be to an even share of the episode. One part when no cut fits."""
    whole = (Segment(0, total, None),)
    if count < 2 or total < 2 * MIN_PART_SECONDS * rate:
        return whole
    step = out_rate // math.gcd(rate, out_rate)  # output samples per whole resampler phase
    grid = FRAME_SAMPLES * step // math.gcd(FRAME_SAMPLES, step)
    clear = math.ceil(_CLEAR_MS * out_rate / 1000)
    cuts = []  # output samples where a part may start
    for lo, hi in quiet:
        first = math.ceil((_out(lo, rate, out_rate) + FRAME_SAMPLES + clear) / grid)
        last = (_out(hi, rate, out_rate) - clear) // grid
        cuts.extend(k * grid for k in range(first, last + 1))
    out_total = _out(total, rate, out_rate)
    least = MIN_PART_SECONDS * out_rate
    chosen: list[int] = []
    for n in range(1, count):
        aim = out_total * n / count
        fits = [c for c in cuts if c - (chosen[-1] if chosen else 0) >= least and out_total - c >= least]
        if fits:
            best = min(fits, key=lambda c: abs(c - aim))
            if not chosen or best > chosen[-1]:
                chosen.append(best)
    if not chosen:
        return whole
    parts = []
    starts = [0, *chosen]
    for begin, end in zip(starts, [*chosen, None], strict=True):
        start = _in(begin, rate, out_rate)
        if end is None:
            parts.append(Segment(start, total, None))
        else:
            # The input that resamples to no more than the part's share of its frames.
            stop = (end - FRAME_SAMPLES) * rate // out_rate
            parts.append(Segment(start, stop, (end - begin) // FRAME_SAMPLES))
    return tuple(parts)


def _out(samples: int, rate: int, out_rate: int) -> int:
    return samples * out_rate // rate


def _in(samples: int, rate: int, out_rate: int) -> int:
    return samples * rate // out_rate  # exact on the grid


def quiet_spans(speech: list[tuple[int, int]], music: list[tuple[int, int]], total: int) -> list[tuple[int, int]]:
    """The spans of [0, total) that hold neither speech nor music: room tone alone."""
    busy = sorted(s for s in [*speech, *music] if s[1] > s[0])
    spans, at = [], 0
    for lo, hi in busy:
        if lo > at:
            spans.append((at, min(lo, total)))
        at = max(at, hi)
    if at < total:
        spans.append((at, total))
    return spans
