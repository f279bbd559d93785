"""The sound of the package: room tone, intro/outro stings, a ducked bed under the host intro.

Not pure: the user's music files are decoded by ffmpeg (through the one runner,
`broadcast.audio.ffmpeg`). The rest is numpy on mono float samples at the output
rate: `arrange` takes the speech track and the intro's span and returns new samples
and the offset by which speech moved.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from broadcast.audio import ffmpeg, spool
from broadcast.audio.filters import SEGMENT, Iir, moving_mean
from broadcast.audio.sting import make_sting
from broadcast.config import BUILTIN_MUSIC, shipped
from broadcast.errors import ConfigError, ToolError
from broadcast.model import MusicPlan

# Room tone under everything, far below the silence threshold a listener (or a
# test) uses: it keeps pauses from sounding like dropouts. A fixed seed makes it
# the same in every build.
_ROOM_SEED = 1770
_GAP_AFTER_STING_MS = 250
# A sting lasts seconds and a bed loops, so a longer file is a mistake (a whole album, an
# hour's mix) that would make an episode of music and take gigabytes to mix.
MAX_MUSIC_SECONDS = 600


@dataclass(frozen=True)
class Arranged:
    samples: np.ndarray
    speech_offset_ms: int  # where the speech track now starts


def decode_music(path: Path, rate: int) -> np.ndarray:
    """Any audio file ffmpeg reads, as mono float32 at `rate`."""
    if not path.is_file():
        raise ConfigError(f"{path}: music file not found")
    if path == shipped(BUILTIN_MUSIC["sting"]):
        # The shipped sting is the file make_sting writes (tests/test_sting.py pins it). Made
        # at `rate`, it needs no ffmpeg process and no resampling, and differs from the file
        # decoded and resampled by 16-bit rounding (-78 dB, the seed's 22.05 kHz).
        return make_sting(rate)
    # Decode one second past the cap, never the whole of an over-long file; a container's
    # stated duration can lie, the decoded samples cannot.
    limit = ["-t", str(MAX_MUSIC_SECONDS + 1)]
    out = ["-ac", "1", "-ar", str(rate), "-f", "f32le", "-"]
    try:
        proc = ffmpeg.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, *limit, *out])
    except ToolError as exc:
        raise ConfigError(f"{path}: not a readable audio file ({exc})") from exc
    samples = np.frombuffer(proc.stdout, dtype="<f4").copy()
    if samples.size == 0:
        raise ConfigError(f"{path}: audio file holds no samples")
    if samples.size > (MAX_MUSIC_SECONDS + 0.1) * rate:  # resampling may add a few samples
        minutes = MAX_MUSIC_SECONDS // 60
        raise ConfigError(f"{path}: lasts over {minutes} minutes; a sting or bed is at most {minutes} (a bed loops)")
    return samples


class MusicDecoding:
    """The plan's music files decoded in background threads (ffmpeg, on the core the mix
    leaves idle), started by `start` once the speech's rate is known: the decode overlaps
    the work before the mix (joining the clips) instead of delaying it. A failure is
    raised where the music is asked for, as decode_music would raise it."""

    def __init__(self, plan: MusicPlan) -> None:
        self.plan = plan
        self.rate = 0  # not started
        self._found: dict[Path, np.ndarray | BaseException] = {}
        self._threads: list[threading.Thread] = []

    def start(self, rate: int) -> None:
        if self.rate:
            return
        self.rate = rate
        for path in dict.fromkeys(p for p in (self.plan.intro, self.plan.outro, self.plan.bed) if p):
            thread = threading.Thread(target=self._decode, args=(path,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _decode(self, path: Path) -> None:
        try:
            self._found[path] = decode_music(path, self.rate)
        except BaseException as exc:  # noqa: BLE001 - raised by samples(), in the building thread
            self._found[path] = exc

    def samples(self, path: Path) -> np.ndarray:
        for thread in self._threads:
            thread.join()
        found = self._found[path]
        if isinstance(found, BaseException):
            raise found
        return found


# RMS of the one-pole low-pass below on unit white noise, sqrt(b^2 / (1 - a^2)): the
# tone is scaled by the filter's known RMS, not by a measurement of the whole tone, so
# it can be made a piece at a time.
_TONE_B, _TONE_A = 0.05, 0.95
_TONE_RMS = _TONE_B / np.sqrt(1.0 - _TONE_A**2)
_UNIFORM_TO_UNIT = np.sqrt(12.0)  # uniform on [-0.5, 0.5) has variance 1/12


class RoomTone:
    """Room tone made a piece at a time: the pieces joined are the same whatever their sizes
    (the noise is drawn and filtered in fixed segments, and kept until it is asked for)."""

    def __init__(self, level_db: float) -> None:
        self._off = level_db <= -120
        self._rng = np.random.default_rng(_ROOM_SEED)
        self._lowpass = Iir([([_TONE_B], [1.0, -_TONE_A])])
        self._ready = np.zeros(0, np.float32)
        self._scale = np.float32(10 ** (level_db / 20) / _TONE_RMS * _UNIFORM_TO_UNIT)

    def next(self, n: int) -> np.ndarray:
        if self._off:
            return np.zeros(n, dtype=np.float32)
        pieces, have = [self._ready], self._ready.size
        while have < n:
            # A one-pole low-pass darkens white noise towards the hum of a quiet room. The
            # noise is uniform, scaled to unit variance (and the level): the same level and
            # spectrum as Gaussian noise, drawn 8x faster; the low-pass sums it to near-Gaussian.
            noise = self._rng.random(SEGMENT, dtype=np.float32)
            noise -= np.float32(0.5)
            noise *= self._scale
            pieces.append(self._lowpass(noise))
            have += SEGMENT
        ready = np.concatenate(pieces) if len(pieces) > 1 else self._ready
        out, self._ready = ready[:n], ready[n:]
        return out


def _ms(ms: float, rate: int) -> int:
    return int(round(ms * rate / 1000))


def bed_envelope(length: int, speech_start: int, speech_end: int, rate: int, plan: MusicPlan) -> np.ndarray:
    """Gain (linear) of the bed: full, ducked by duck_db under speech, then faded out.

    The duck ramps end where speech starts and begin where it ends, so no word is
    spoken over the bed at full level.
    """
    fade = max(1, _ms(plan.fade_ms, rate))
    ducked = 10 ** (-plan.duck_db / 20)
    env = np.ones(length, dtype=np.float32)
    env[speech_start:] = ducked
    down_from = max(0, speech_start - fade)
    env[down_from:speech_start] = np.linspace(1.0, ducked, speech_start - down_from, dtype=np.float32)
    tail_end = min(length, speech_end + _ms(plan.bed_tail_ms, rate))
    env[speech_end:tail_end] = np.linspace(ducked, 0.0, tail_end - speech_end, dtype=np.float32)
    env[tail_end:] = 0.0
    # Soften the corners of the ramps.
    return moving_mean(env, max(1, fade // 10), mode="nearest")


@dataclass(frozen=True)
class Arrangement:
    """Where speech, stings, bed and room tone go in the episode, made from lengths
    alone; `chunks` renders it a piece at a time from a reader of the speech track."""

    total: int  # samples
    offset: int  # where the speech starts
    speech_size: int
    intro: np.ndarray
    outro: np.ndarray
    bed: np.ndarray | None  # looped over [bed_from, bed_from + bed_env.size)
    bed_from: int
    bed_env: np.ndarray
    room_tone_db: float

    def chunks(self, speech: Callable[[int, int], np.ndarray], size: int | None = None) -> Iterator[np.ndarray]:
        """The episode as float32 chunks; `speech(start, stop)` gives speech samples."""
        tone = RoomTone(self.room_tone_db)
        size = size or spool.CHUNK_SAMPLES
        for start in range(0, self.total, size):
            stop = min(self.total, start + size)
            out = tone.next(stop - start)
            _add(out, start, self.intro, 0)
            lo, hi = max(start, self.offset), min(stop, self.offset + self.speech_size)
            if lo < hi:
                out[lo - start : hi - start] += speech(lo - self.offset, hi - self.offset)
            _add(out, start, self.outro, self.total - self.outro.size)
            if self.bed is not None:
                lo, hi = max(start, self.bed_from), min(stop, self.bed_from + self.bed_env.size)
                if lo < hi:
                    at = np.arange(lo - self.bed_from, hi - self.bed_from)
                    out[lo - start : hi - start] += self.bed[at % self.bed.size] * self.bed_env[at]
            yield out


def _add(out: np.ndarray, start: int, piece: np.ndarray, at: int) -> None:
    """Add `piece`, placed at sample `at` of the episode, to `out`, which starts at `start`."""
    lo, hi = max(start, at), min(start + out.size, at + piece.size)
    if lo < hi:
        out[lo - start : hi - start] += piece[lo - at : hi - at]


def arrangement(
    speech_size: int,
    rate: int,
    intro_span_ms: tuple[int, int],
    plan: MusicPlan,
    music: MusicDecoding | None = None,
) -> Arrangement:
    """Place speech after the intro sting (and the bed's lead), lay the bed under
    the host intro span (start, end in the speech track), add the outro sting and
    room tone under everything. `music`: the plan's files, already being decoded."""
    if music is None or music.plan != plan or music.rate != rate:
        music = MusicDecoding(plan)
        music.start(rate)
    gain = np.float32(10 ** (plan.music_gain_db / 20))
    intro = music.samples(plan.intro) * gain if plan.intro else np.zeros(0, np.float32)
    outro = music.samples(plan.outro) * gain if plan.outro else np.zeros(0, np.float32)
    bed = music.samples(plan.bed) * gain if plan.bed else None

    offset = intro.size + (_ms(_GAP_AFTER_STING_MS, rate) if intro.size else 0)
    if bed is not None:
        offset += _ms(plan.bed_lead_ms, rate)
    tail_gap = _ms(_GAP_AFTER_STING_MS, rate) if outro.size else 0
    total = offset + speech_size + tail_gap + outro.size
    bed_from, env = 0, np.zeros(0, np.float32)
    if bed is not None:
        start, end = (offset + _ms(t, rate) for t in intro_span_ms)
        bed_from = max(0, start - _ms(plan.bed_lead_ms, rate))
        span = min(total, end + _ms(plan.bed_tail_ms, rate)) - bed_from
        env = bed_envelope(span, start - bed_from, end - bed_from, rate, plan)
    return Arrangement(total, offset, speech_size, intro, outro, bed, bed_from, env, plan.room_tone_db)


def arrange(speech: np.ndarray, rate: int, intro_span_ms: tuple[int, int], plan: MusicPlan) -> Arranged:
    """The arrangement (see `arrangement`) of a speech track in memory."""
    layout = arrangement(speech.size, rate, intro_span_ms, plan)
    pieces = list(layout.chunks(lambda start, stop: speech[start:stop]))
    samples = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    return Arranged(samples, round(layout.offset * 1000 / rate))
