"""Loudness: measure (ITU-R BS.1770-4, EBU Tech 3342) and normalize with a true-peak limiter.

Everything is vectorized numpy: normalizing and measuring three minutes of
speech takes a fraction of a second, where ffmpeg's loudnorm or alimiter took 4-8 s.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np

from broadcast.audio import ffmpeg
from broadcast.audio.filters import SEGMENT, Iir, lowpass_fir, moving_max, moving_mean
from broadcast.audio.spool import split
from broadcast.errors import ToolError

# MP3 encoding reshapes the waveform (quantisation noise, lowpass, resampling to
# 44.1 kHz): decoded peaks land up to ~0.8 dB above the PCM ones. The limiter aims
# this far below the ceiling so that the ceiling holds on the decoded final MP3,
# where players see it. Measured with espeak speech and a -1.0 ceiling, 64-320k CBR:
# -1.16 dBTP at worst (96k, -16 LUFS mono, the heaviest limiting).
MP3_MARGIN_DB = 0.5

# Limiter timing. The look-ahead is how early the gain starts to fall before a
# peak (short enough not to duck whole syllables, long enough for a smooth S-ramp);
# the release is the time constant with which the reduction (in dB) decays, long
# enough not to flutter on speech.
LOOKAHEAD_S = 0.005
RELEASE_S = 0.080
_OVERSAMPLE = 4  # BS.1770-4 Annex 2: 4x oversampling for true peak
# 40 taps in all (Annex 2 shows 48): numpy's convolve is 4x faster up to 10 taps, and
# the reading stays within 0.01 dB of scipy's 80-tap resample_poly on speech (0.07 dB
# on white noise reaching Nyquist, which speech does not).
_TAPS_PER_PHASE = 10
# Phase p of the 4x interpolator is taps[p::4]; with an odd length and an even
# _TAPS_PER_PHASE, phase 0 is a unit impulse, so only phases 1-3 need filtering.
_INTERPOLATOR = _OVERSAMPLE * lowpass_fir(_OVERSAMPLE * _TAPS_PER_PHASE + 1, 1.0 / _OVERSAMPLE, 5.0).astype(np.float32)
_GAIN_STEP_S = 0.001  # resolution of the limiter's gain curve
_PASSES, _CHECKS = 6, 3  # cheap estimated re-aims per real measurement; real measurements
_TOLERANCE_LU = 0.05

# BS.1770 gating: 400 ms blocks every 100 ms, absolute gate -70 LUFS, relative -10 LU.
# Tech 3342 loudness range: 3 s windows (same 100 ms hop), relative gate -20 LU.
_BLOCK_S, _SHORT_S, _HOP_S = 0.4, 3.0, 0.1
_ABS_GATE, _REL_GATE, _LRA_GATE = -70.0, -10.0, -20.0
_CHANNEL_WEIGHTS = (1.0, 1.0, 1.0, 1.41, 1.41)  # L, R, C, Ls, Rs; others 1.0
# K-weighting started from rest this long before a span (meter_span) has forgotten the
# rest: its 38 Hz high-pass decays below float32's resolution in about 0.08 s.
SETTLE_S = 0.1

# K-weighting stages as analog prototypes (kind, fc Hz, Q, gain dB), fitted by
# Brecht De Man to the BS.1770 48 kHz biquads, so any sample rate gets the same curve.
_K_WEIGHTING = (
    ("shelf", 1681.974450955533, 0.7071752369554196, 3.999843853973347),
    ("highpass", 38.13547087602444, 0.5003270373238773, 0.0),
)
_SHELF_VB_EXPONENT = 0.4996667741545416


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    range_lu: float
    true_peak_dbtp: float


def _as_2d(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples)
    if x.ndim not in (1, 2):
        raise ValueError(f"samples must be (n,) or (n, channels), not {x.shape}")
    return x[:, None] if x.ndim == 1 else x


def _biquads(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """K-weighting for any rate: bilinear designs that reproduce the 48 kHz coefficients."""
    stages = []
    for kind, fc, q, gain_db in _K_WEIGHTING:
        k = np.tan(np.pi * fc / rate)
        a0 = 1.0 + k / q + k * k
        a = np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0])
        if kind == "shelf":
            vh = 10.0 ** (gain_db / 20.0)
            vb = vh**_SHELF_VB_EXPONENT
            b = np.array([vh + vb * k / q + k * k, 2 * (k * k - vh), vh - vb * k / q + k * k]) / a0
        else:
            b = np.array([1.0, -2.0, 1.0])
        stages.append((b, a))
    return stages


class _KWeighting:
    """Per-sample channel-weighted power of the K-weighted signal, chunk by chunk: the
    filters work in fixed segments (see filters.Iir), so any split gives the same values,
    and each chunk's energy reaches as far as its last whole segment; `flush` gives the rest."""

    def __init__(self, rate: int, channels: int) -> None:
        self._filters = [Iir(_biquads(rate)) for _ in range(channels)]

    def energy(self, x: np.ndarray) -> np.ndarray:
        return self._weigh([k_weighting(x[:, ch]) for ch, k_weighting in enumerate(self._filters)])

    def flush(self) -> np.ndarray:
        return self._weigh([k_weighting.flush() for k_weighting in self._filters])

    @staticmethod
    def _weigh(filtered: list[np.ndarray]) -> np.ndarray:
        energy = np.zeros(0)
        for ch, y in enumerate(filtered):
            # Filtering in float32 is faster than in float64 and moved the integrated
            # loudness of speech by less than 0.001 LU (tests pin pyloudnorm).
            np.square(y, out=y)
            y *= np.float32(_CHANNEL_WEIGHTS[ch] if ch < len(_CHANNEL_WEIGHTS) else 1.0)
            energy = y.astype(np.float64) if ch == 0 else energy + y
        return energy


class _Windows:
    """Mean energy over windows of `seconds`, one every 100 ms, fed chunk by chunk.

    Only the running sum at each window's two edges is kept (a few values a second),
    so the gating of a two-hour episode needs kilobytes, not the per-sample energy.
    """

    def __init__(self, rate: float, seconds: float, start: int = 0) -> None:
        self.size = int(round(seconds * rate))
        self._hop = _HOP_S * rate
        self._edges: list[list[np.ndarray]] = [[], []]  # sums at window starts, at window ends
        # Index of the next window whose start / end is to be seen: the first at or after
        # `start`, where the signal fed begins (a span of a longer one, see meter_span).
        self._next = [self._first(which, start) for which in (0, 1)]

    def _first(self, which: int, start: int) -> int:
        k = max(0, int((start - (self.size if which else 0)) / self._hop) - 2)
        while self._edge(which, np.array([k]))[0] < start:
            k += 1
        return k

    def _edge(self, which: int, k: np.ndarray) -> np.ndarray:
        return np.floor(k * self._hop).astype(np.int64) + (self.size if which else 0)

    def feed(self, position: int, total: float, csum: np.ndarray) -> None:
        """`csum` holds the running sums after each of the chunk's samples, `total` the one before it."""
        stop = position + csum.size
        for which in (0, 1):
            k0 = self._next[which]
            k1 = max(k0, int((stop - (self.size if which else 0)) / self._hop) + 2)
            at = self._edge(which, np.arange(k0, k1))
            at = at[at < stop]
            if at.size:
                self._edges[which].append(np.where(at == position, total, csum[np.maximum(at - position - 1, 0)]))
                self._next[which] = k0 + at.size

    def power(self, length: int, total: float) -> np.ndarray:
        if length < self.size:
            return np.zeros(0)
        count = int((length - self.size) // self._hop) + 1
        # The last windows may end exactly at the end of the signal.
        ends = self._edge(1, np.arange(self._next[1], count))
        self._edges[1].append(np.full(ends.size, total))
        starts, stops = (np.concatenate(e)[:count] if e else np.zeros(0) for e in self._edges)
        return (stops - starts) / self.size


class _EnergyMeter:
    """K-weighted energy fed to any number of windows; the running sum is carried. The
    energy comes out as the K-weighting gives it (see _KWeighting); `flush` gives the rest."""

    def __init__(
        self, rate: int, channels: int, windows: tuple[float, ...], span: tuple[int, int, int | None] = (0, 0, None)
    ) -> None:
        self._k = _KWeighting(rate, channels)
        # (first, keep_from, keep_to): the signal fed starts at sample `first` of a longer
        # one, and only the energy of samples [keep_from, keep_to) is summed (meter_span).
        self._at, keep_from, self._keep_to = span
        self._keep_from = keep_from
        self.windows = [_Windows(rate, s, keep_from) for s in windows]
        self.length, self.total = keep_from, 0.0

    def feed(self, x: np.ndarray) -> np.ndarray:
        return self._sum(self._kept(self._k.energy(x)))

    def flush(self) -> np.ndarray:
        return self._sum(self._kept(self._k.flush()))

    def _kept(self, energy: np.ndarray) -> np.ndarray:
        at, self._at = self._at, self._at + energy.size
        stop = energy.size if self._keep_to is None else max(0, min(energy.size, self._keep_to - at))
        return energy[max(0, min(stop, self._keep_from - at)) : stop]

    def _sum(self, energy: np.ndarray) -> np.ndarray:
        # Summed a segment at a time, as the filters give it: the same sums whatever the chunks.
        for at in range(0, energy.size, SEGMENT):
            csum = np.cumsum(energy[at : at + SEGMENT])
            csum += self.total
            for w in self.windows:
                w.feed(self.length, self.total, csum)
            self.length += csum.size
            self.total = float(csum[-1])
        return energy

    def powers(self) -> list[np.ndarray]:
        self.flush()
        return [w.power(self.length, self.total) for w in self.windows]


def _window_power(energy: np.ndarray, rate: float, seconds: float) -> np.ndarray:
    """Mean of `energy` over windows of `seconds`, one every 100 ms."""
    size = int(round(seconds * rate))
    if energy.size < size:
        return np.zeros(0)
    csum = np.zeros(energy.size + 1)
    np.cumsum(energy, out=csum[1:])
    count = int((energy.size - size) // (_HOP_S * rate)) + 1
    starts = np.floor(np.arange(count) * (_HOP_S * rate)).astype(np.int64)
    return (csum[starts + size] - csum[starts]) / size


def _lufs(power: np.ndarray | float) -> np.ndarray | float:
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(power)


def _gated_power(power: np.ndarray) -> float:
    """BS.1770-4 two-stage gating of 400 ms block powers; -inf for silence."""
    kept = power[_lufs(power) > _ABS_GATE]
    if kept.size == 0:
        return float("-inf")
    kept = kept[_lufs(kept) > _lufs(kept.mean()) + _REL_GATE]
    return float(_lufs(kept.mean())) if kept.size else float("-inf")


def _gated(energy: np.ndarray, rate: float) -> float:
    """BS.1770-4 two-stage gating over 400 ms blocks; -inf for silence."""
    return _gated_power(_window_power(energy, rate, _BLOCK_S))


def _range_power(power: np.ndarray) -> float:
    """EBU Tech 3342 LRA: spread (10th-95th percentile) of gated short-term loudness."""
    short = _lufs(power)
    short = short[short > _ABS_GATE]
    if short.size == 0:
        return 0.0
    short = short[short > _lufs(np.mean(10.0 ** ((short + 0.691) / 10.0))) + _LRA_GATE]
    return _percentile(short, 95) - _percentile(short, 10)


def _percentile(values: np.ndarray, q: float) -> float:
    """np.percentile's default (linear between the closest ranks), without the 18 ms of
    importing numpy.ma that np.percentile costs on its first call."""
    position = (values.size - 1) * q / 100
    low = int(position)
    ranks = np.partition(values, [low, min(low + 1, values.size - 1)])
    return float(ranks[low] + (ranks[min(low + 1, values.size - 1)] - ranks[low]) * (position - low))


def _chunks_2d(chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    for chunk in chunks:
        if len(chunk):
            yield _as_2d(chunk)


def integrated_chunks(chunks: Iterable[np.ndarray], rate: int) -> float:
    """Integrated loudness in LUFS of a signal given in pieces, in one pass."""
    meter: _EnergyMeter | None = None
    for x in _chunks_2d(chunks):
        meter = meter or _EnergyMeter(rate, x.shape[1], (_BLOCK_S,))
        meter.feed(x)
    return _gated_power(meter.powers()[0]) if meter else float("-inf")


def integrated(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS alone (the cheap part of measure)."""
    return integrated_chunks(split(_as_2d(samples)), rate)


def _peak_envelope(x: np.ndarray) -> np.ndarray:
    """Per input sample n, the largest |value| of the 4x oversampled signal on [n, n+1)."""
    taps = _INTERPOLATOR
    delay = _TAPS_PER_PHASE // 2
    env = np.abs(x).max(axis=1, initial=0.0)
    for ch in range(x.shape[1] if x.shape[0] else 0):
        for phase in range(1, _OVERSAMPLE):
            # Full convolution output i is the oversampled value at input time
            # i - delay + phase/4; slicing from `delay` aligns it with sample n.
            y = np.convolve(x[:, ch], taps[phase::_OVERSAMPLE])[delay : delay + x.shape[0]]
            np.maximum(env, np.abs(y, out=y), out=env)
    return env


class _PeakEnvelope:
    """_peak_envelope of a signal fed in chunks, the same values whatever the split.

    An oversampled value between samples n and n+1 needs x[n-4 .. n+5], so each chunk
    is worked with the last samples of the one before, and the envelope comes out five
    samples late; `flush` gives the last five, as if silence followed the signal.
    """

    _BEFORE, _AFTER = _TAPS_PER_PHASE // 2 - 1, _TAPS_PER_PHASE // 2
    _KEEP = _BEFORE + _AFTER

    def __init__(self, channels: int) -> None:
        self._tail = np.zeros((self._KEEP, channels), np.float32)  # silence before the start
        self._skip = self._AFTER  # the first outputs are for samples before the start

    def feed(self, x: np.ndarray) -> np.ndarray:
        joined = np.concatenate((self._tail, x.astype(np.float32, copy=False)))
        self._tail = joined[-self._KEEP :]
        env = _peak_envelope(joined)[self._BEFORE : joined.shape[0] - self._AFTER]
        skip, self._skip = min(self._skip, env.size), self._skip - min(self._skip, env.size)
        return env[skip:]

    def flush(self) -> np.ndarray:
        return self.feed(np.zeros((self._AFTER, self._tail.shape[1]), np.float32))


def true_peak(samples: np.ndarray) -> float:
    """BS.1770-4 Annex 2 true peak in dBTP (4x oversampling)."""
    x = _as_2d(samples).astype(np.float32)
    with np.errstate(divide="ignore"):
        return float(20.0 * np.log10(_peak_envelope(x).max(initial=0.0)))


def measure_chunks(chunks: Iterable[np.ndarray], rate: int) -> Loudness:
    """Integrated loudness, loudness range and true peak of float samples in [-1, 1],
    given in pieces of (n,) or (n, channels): one pass, memory of one piece."""
    meter: _EnergyMeter | None = None
    peaks: _PeakEnvelope | None = None
    peak = 0.0
    for x in _chunks_2d(chunks):
        if meter is None or peaks is None:
            meter = _EnergyMeter(rate, x.shape[1], (_BLOCK_S, _SHORT_S))
            peaks = _PeakEnvelope(x.shape[1])
        meter.feed(x)
        peak = max(peak, float(peaks.feed(x).max(initial=0.0)))
    if meter is None or peaks is None:
        return Loudness(float("-inf"), 0.0, float("-inf"))
    peak = max(peak, float(peaks.flush().max(initial=0.0)))
    block, short = meter.powers()
    with np.errstate(divide="ignore"):
        return Loudness(_gated_power(block), _range_power(short), float(20.0 * np.log10(peak)))


@dataclass(frozen=True)
class Span:
    """measure_chunks' sums over samples [start, stop) of a longer signal (see meter_span)."""

    start: int
    stop: int
    meter: _EnergyMeter
    peak: float


def meter_span(chunks: Iterable[np.ndarray], rate: int, first: int, keep_from: int, keep_to: int | None) -> Span:
    """The meter's sums over samples [keep_from, keep_to) of a signal, given in pieces from
    its sample `first` on (to its end when `keep_to` is None). Spans that tile the signal
    combine into its measurement (measure_spans).

    The K-weighting starts from rest at `first`, where the signal does not: it must have
    forgotten that by `keep_from` (SETTLE_S before it). A span that stops before the signal's end
    must be given a few samples past `keep_to`, which the true peak between samples needs."""
    meter: _EnergyMeter | None = None
    peaks: _PeakEnvelope | None = None
    peak, at = 0.0, first

    def kept(env: np.ndarray) -> float:
        nonlocal at
        lo, at = at, at + env.size
        stop = env.size if keep_to is None else max(0, min(env.size, keep_to - lo))
        return float(env[max(0, min(stop, keep_from - lo)) : stop].max(initial=0.0))

    for x in _chunks_2d(chunks):
        if meter is None or peaks is None:
            meter = _EnergyMeter(rate, x.shape[1], (_BLOCK_S, _SHORT_S), (first, keep_from, keep_to))
            peaks = _PeakEnvelope(x.shape[1])
        meter.feed(x)
        peak = max(peak, kept(peaks.feed(x)))
    if meter is None or peaks is None or (keep_to is not None and at < keep_to):
        raise ValueError(f"the span [{keep_from}, {keep_to}) was given samples up to {at} only")
    if keep_to is None:
        peak = max(peak, kept(peaks.flush()))
    meter.flush()
    return Span(keep_from, meter.length, meter, peak)


def measure_spans(spans: list[Span]) -> Loudness:
    """measure_chunks of a signal from its spans, in order: the running sums of each go on
    from where the one before ended, and the peak is the largest."""
    if not spans or spans[0].start != 0:
        raise ValueError("the spans must start at the signal's first sample")
    for before, after in zip(spans, spans[1:], strict=False):
        if before.stop != after.start:
            raise ValueError(f"a span ends at {before.stop}, the next starts at {after.start}")
    last = spans[-1].meter
    powers = []
    for n, window in enumerate(last.windows):
        merged = _Windows(1.0, 0.0)
        merged.size, merged._hop, merged._next = window.size, window._hop, window._next
        base = 0.0
        for span in spans:
            for which, edges in enumerate(span.meter.windows[n]._edges):
                if edges:
                    merged._edges[which].append(np.concatenate(edges) + base)
            base += span.meter.total
        powers.append(merged.power(last.length, base))
    block, short = powers
    peak = max(span.peak for span in spans)
    with np.errstate(divide="ignore"):
        return Loudness(_gated_power(block), _range_power(short), float(20.0 * np.log10(peak)))


def measure(samples: np.ndarray, rate: int) -> Loudness:
    """Integrated loudness, loudness range and true peak of float samples in [-1, 1]."""
    return measure_chunks(split(_as_2d(samples)), rate)


def _levels(step_peaks_db: np.ndarray, gain_db: float, threshold: float, step: int, rate: int) -> np.ndarray:
    """Level (dB) per gain step: `gain_db` less the reduction that holds every step's
    peak at `threshold`. Guarantee: every step gets at least its own excess, so no
    true peak passes.

    The work is in place on few arrays: a two-hour episode has 7.8 million steps,
    62 MB per float64 array.
    """
    need = step_peaks_db + (gain_db - threshold)
    np.maximum(need, 0.0, out=need)
    if not need.any():
        need += gain_db
        return need
    ahead = max(2, int(round(LOOKAHEAD_S * rate / step)))
    # Hold each step's reduction over the look-ahead window before it ...
    held = moving_max(need, ahead + 1, origin=-((ahead + 1) // 2), mode="reflect")
    del need
    # ... let it decay exponentially afterwards: out[n] = max_k held[k] * a**(n-k) is a
    # running maximum in the log domain, so no Python loop is needed ...
    ramp = np.arange(held.size) * (step / (RELEASE_S * rate))
    with np.errstate(divide="ignore"):
        decay = np.log(held)
    decay += ramp
    np.maximum.accumulate(decay, out=decay)
    decay -= ramp
    del ramp
    np.exp(decay, out=decay)
    np.maximum(held, decay, out=held)
    del decay
    # ... and smooth the attack with two trailing boxes (an S-ramp). Each output is a
    # mean of values from the look-ahead window before it, all of which are at least
    # the reduction that step needs, so smoothing never lets a peak through.
    half = ahead // 2
    for _ in range(2):
        held = moving_mean(held, half + 1, origin=half // 2, mode="nearest")
    np.subtract(gain_db, held, out=held)
    return held


class _Steps:
    """A per-sample signal fed in chunks, reduced to one value per `step` samples
    (the last step padded with zeros)."""

    def __init__(self, step: int, reduce: Callable[[np.ndarray], np.ndarray]) -> None:
        self._step, self._reduce = step, reduce
        self._carry: np.ndarray | None = None
        self._out: list[np.ndarray] = []

    def feed(self, values: np.ndarray) -> None:
        joined = values if self._carry is None else np.concatenate((self._carry, values))
        whole = joined.size // self._step * self._step
        self._out.append(self._reduce(joined[:whole].reshape(-1, self._step)))
        self._carry = joined[whole:].copy()

    def result(self) -> np.ndarray:
        if self._carry is not None and self._carry.size:
            self.feed(np.zeros(self._step - self._carry.size, self._carry.dtype))
        return np.concatenate(self._out) if self._out else np.zeros(0)


class Gain:
    """A gain curve in steps of `step` samples, applied to a signal chunk by chunk:
    linear between step edges, never above its step's level. No levels: unity gain."""

    def __init__(self, level_db: np.ndarray | None, step: int) -> None:
        self._step = step
        self._edges = None
        if level_db is not None:
            level = level_db / 20.0
            np.power(10.0, level, out=level)
            # Each edge takes the smaller gain of the two steps meeting there, so every
            # sample interpolates between two values at or below its own step's gain.
            edges = np.empty(level.size + 1, np.float32)
            edges[0], edges[-1] = level[0], level[-1]
            np.minimum(level[:-1], level[1:], out=edges[1:-1], casting="same_kind")
            self._edges = edges

    def apply(self, chunks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
        """The chunks (n,) or (n, channels) with the gain applied, as float32 (n, channels)."""
        position = 0
        for chunk in _chunks_2d(chunks):
            if self._edges is None:
                x = chunk.astype(np.float32)
            else:  # one pass: no copy to multiply in place
                x = np.multiply(chunk, self.curve(position, chunk.shape[0])[:, None], dtype=np.float32)
            position += x.shape[0]
            yield x

    def curve(self, start: int, n: int) -> np.ndarray:
        """The gain of samples start .. start + n (float32): each step's edge values joined by
        a line, worked a step per row (a per-sample gather took 3x longer)."""
        edges = self._edges
        if edges is None:
            return np.ones(n, np.float32)
        step = self._step
        first, last = start // step, -(-(start + n) // step)
        low = edges[first:last]
        rise = edges[first + 1 : last + 1] - low
        ramp = np.arange(step, dtype=np.float32) / np.float32(step)
        rows = rise[:, None] * ramp
        rows += low[:, None]
        offset = start - first * step
        return rows.reshape(-1)[offset : offset + n]


class GainAnalysis:
    """plan_gain's one pass over the signal, fed chunk by chunk as the signal is made (the
    mix analysed as it is written, not read back): the K-weighted energy and the true-peak
    envelope, each reduced to the limiter's steps, and the gated loudness.

    With `background`, the peak envelope (the costlier half) is worked in a thread while
    the caller goes on (numpy releases the interpreter's lock), on the core that sits idle
    between the speech and the encoders; the values are the same either way.
    """

    def __init__(self, rate: int, background: bool = False) -> None:
        self.rate = rate
        self.step = max(1, int(round(_GAIN_STEP_S * rate)))
        self._meter: _EnergyMeter | None = None
        self._peaks: _PeakEnvelope | None = None
        self._energy = _Steps(self.step, lambda rows: rows.mean(axis=1))
        self._step_peaks = _Steps(self.step, lambda rows: rows.max(axis=1))
        self._worker = ThreadPoolExecutor(1, "broadcast-peaks") if background else None
        self._pending: deque[Future[None]] = deque()

    def feed(self, chunk: np.ndarray) -> None:
        """Analyse the next chunk, (n,) or (n, channels); it must not change afterwards."""
        if not len(chunk):
            return
        x = _as_2d(chunk).astype(np.float32, copy=False)
        if self._meter is None or self._peaks is None:
            self._meter, self._peaks = _EnergyMeter(self.rate, x.shape[1], (_BLOCK_S,)), _PeakEnvelope(x.shape[1])
        if self._worker is None:
            self._feed_peaks(x)
        else:
            # At most one chunk waits for the thread: a thread slower than the caller
            # (the other core busy) must not queue the whole episode in memory.
            while len(self._pending) > 1:
                self._pending.popleft().result()
            self._pending.append(self._worker.submit(self._feed_peaks, x))
        self._energy.feed(self._meter.feed(x))

    def __enter__(self) -> GainAnalysis:
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the thread, if any (a failed build leaves no work behind)."""
        if self._worker is not None:
            self._worker.shutdown(cancel_futures=True)

    def _feed_peaks(self, x: np.ndarray) -> None:
        assert self._peaks is not None
        self._step_peaks.feed(self._peaks.feed(x))

    def result(self) -> tuple[float, np.ndarray, np.ndarray]:
        """The gated loudness (-inf for silence or no signal), and per step the mean
        energy and the largest true peak (linear)."""
        with self:
            while self._pending:
                self._pending.popleft().result()
        if self._meter is None or self._peaks is None:
            return float("-inf"), np.zeros(0), np.zeros(0)
        self._energy.feed(self._meter.flush())
        self._step_peaks.feed(self._peaks.flush())
        measured = _gated_power(self._meter.powers()[0])
        return measured, self._energy.result(), self._step_peaks.result()


def plan_gain(
    source: Callable[[], Iterable[np.ndarray]],
    rate: int,
    target: float,
    ceiling_dbtp: float = -1.0,
    analysis: GainAnalysis | None = None,
) -> Gain:
    """The gain to `target` LUFS with true peaks held at `ceiling_dbtp - MP3_MARGIN_DB`,
    for the signal that each call of `source` gives afresh, in chunks.

    Limiting takes a little loudness away, so the gain is re-aimed until the result
    is within 0.05 LU of the target. Peaks and K-weighted energy scale with the gain,
    so both are reduced once (one pass over the signal, or `analysis` already fed with
    it) to 1 ms steps; each pass then rebuilds the gain curve and estimates the loudness
    on those steps. The estimate drifts under heavy limiting (0.4 LU at 7 dB of
    reduction), so the output is measured for real (another pass) and the aim of the
    estimate corrected by the difference (one to three real measurements).
    """
    if analysis is None:
        analysis = GainAnalysis(rate)
        for chunk in source():
            analysis.feed(chunk)
    step = analysis.step
    measured, energy, peaks = analysis.result()
    if not np.isfinite(measured):
        return Gain(None, step)  # silence (or nothing) has no loudness to set
    with np.errstate(divide="ignore"):
        step_peaks_db = 20.0 * np.log10(peaks.astype(np.float64))
    # A hair under the threshold: the gain curve itself slightly reshapes the
    # waveform between samples.
    threshold = ceiling_dbtp - MP3_MARGIN_DB - 0.02
    aim, gain_db, previous = target, target - measured, None
    level_db = np.zeros(0)
    for _ in range(_CHECKS):
        for _ in range(_PASSES):
            del level_db  # before the next is made: 50 MB at the length limit
            level_db = _levels(step_peaks_db, gain_db, threshold, step, rate)
            weighted = level_db / 10.0
            np.power(10.0, weighted, out=weighted)
            weighted *= energy
            estimate = _gated(weighted, rate / step)
            del weighted
            if abs(aim - estimate) < _TOLERANCE_LU / 2:
                break
            # Secant step: under heavy limiting 1 dB of gain buys well under 1 LU.
            slope = 1.0
            if previous is not None and gain_db != previous[0]:
                slope = float(np.clip((estimate - previous[1]) / (gain_db - previous[0]), 0.2, 1.0))
            previous = (gain_db, estimate)
            gain_db += (aim - estimate) / slope
        gain = Gain(level_db, step)
        error = target - integrated_chunks(gain.apply(source()), rate)
        if abs(error) < _TOLERANCE_LU:
            break
        aim += error
    return gain


def normalize(samples: np.ndarray, rate: int, target: float, ceiling_dbtp: float = -1.0) -> np.ndarray:
    """Gain to `target` LUFS with true peaks held at `ceiling_dbtp - MP3_MARGIN_DB` (see plan_gain)."""
    original = np.asarray(samples)
    x = _as_2d(original).astype(np.float32)
    gain = plan_gain(lambda: split(x), rate, target, ceiling_dbtp)
    y = np.concatenate(list(gain.apply(split(x)))) if x.shape[0] else x
    return y[:, 0] if original.ndim == 1 else y


# Without ffprobe, rate and layout come from ffmpeg's report on its output stream.
_STREAM = re.compile(r"Stream #\S+ Audio: pcm_f32le, (\d+) Hz, (mono|stereo),")
_CHANNELS = {"mono": 1, "stereo": 2}
_READ_BYTES = 1 << 22


def decoded_chunks(path: Path) -> Iterator[tuple[np.ndarray, int]]:
    """An MP3 (mono or stereo) decoded by ffmpeg as it goes: float32 (n, channels) chunks
    and the rate, never the whole file in memory."""
    args: list[str | Path] = ["ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-i", path, "-f", "f32le", "-"]
    with ffmpeg.Running(args, feed=False, watch=_STREAM) as tool:
        # ffmpeg describes its output stream before it writes a sample of it.
        found = tool.wait_for_line()
        if found is None:
            tool.finish()  # a failure says why
            raise ToolError(f"ffmpeg did not report a mono or stereo stream in {Path(path).name}")
        rate, channels = int(found[1]), _CHANNELS[found[2]]
        for chunk in float_chunks(tool, channels):
            yield chunk, rate
        tool.finish()


def float_chunks(
    tool: ffmpeg.Running, channels: int, skip_samples: int = 0, size: int = _READ_BYTES
) -> Iterator[np.ndarray]:
    """A decoder's f32le output in float32 (n, channels) chunks of about `size` bytes, its
    first `skip_samples` frames dropped (an encoder's delay)."""
    frame = 4 * channels
    skip = skip_samples * frame
    pieces: list[bytes] = []
    held, ended = 0, False
    while not ended:
        # A pipe gives 64 KB at a time; chunks of a few MB keep the meter's work in numpy.
        data = tool.read(size)
        ended = not data
        if skip and data:
            data, skip = data[skip:], max(0, skip - len(data))
        pieces.append(data)
        held += len(data)
        if held >= size or ended:
            joined = b"".join(pieces)
            whole = len(joined) // frame * frame
            if whole:
                yield np.frombuffer(joined[:whole], dtype="<f4").reshape(-1, channels)
            pieces, held = [joined[whole:]], len(joined) - whole


def measure_mp3(path: Path) -> Loudness:
    """The loudness of an MP3 as players will hear it, decoded and measured in one pass."""
    chunks = decoded_chunks(path)
    first = next(chunks, None)
    if first is None:
        return Loudness(float("-inf"), 0.0, float("-inf"))
    samples, rate = first
    return measure_chunks(chain([samples], (chunk for chunk, _ in chunks)), rate)


def decode_mp3(path: Path) -> tuple[np.ndarray, int]:
    """Decode an MP3 (mono or stereo) to float32 (n,) or (n, 2) and its rate, with ffmpeg."""
    pieces, rate = [], 0
    for chunk, rate in decoded_chunks(path):  # noqa: B007
        pieces.append(chunk)
    if not pieces:
        raise ToolError(f"ffmpeg decoded no audio from {Path(path).name}")
    samples = np.concatenate(pieces)
    return (samples[:, 0].copy() if samples.shape[1] == 1 else samples), rate
