"""The MP3 encoded in parts at once, one ffmpeg per part, joined into one file and metered.

The signal comes once, front to back. Each part but the last is spooled to disk until it
is whole and then fed to its encoder by a thread of its own; the last is fed as it comes,
so every encoder is at work while the signal is still being made. Every encoder's tee also
pipes its frames straight into a decoder of the part's own, read by the part's meter: each
part is measured while it is encoded, and little is left when the last encoder is done.

The meters' spans combine into exactly the joined file's measurement (loudness.measure_spans).
A decoder of part k alone gives the joined file's very samples from the part's second frame
on (each part starts with an empty bit reservoir, and a frame's samples depend on the frame
before it alone), and a K-weighting started from rest there has forgotten it SETTLE_S later.
The few milliseconds around each join are metered once the parts are done, from the joined
file's frames there, decoded from far enough back that the decoder has all it needs. Where
the parts are cut is segments.py's; how they are joined, mp3_join.py's.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from broadcast.audio import ffmpeg
from broadcast.audio.loudness import (
    SETTLE_S,
    Loudness,
    Span,
    float_chunks,
    measure_spans,
    meter_span,
)
from broadcast.audio.mix import tee_encoder_args
from broadcast.audio.mp3_join import FRAME_SAMPLES, frame_size, join, read_info
from broadcast.audio.segments import Segment
from broadcast.audio.spool import Spool
from broadcast.config import AudioSettings
from broadcast.errors import ToolError
from broadcast.stopping import scratch_folder

Progress = Callable[[str], None]
# LAME's delay before the first sample (576, plus the decoder's 529) at MPEG-1 rates
# (32-48 kHz): a decoder that finds no LAME header plays it as silence first.
LAME_DELAY_SAMPLES = 1105
DECODER: list[str | Path] = [
    *("ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-v", "error", "-f", "mp3", "-i", "pipe:0"),
    *("-f", "f32le", "-"),
]
# A meter reads its decoder's output in chunks this size: what is left when the last encoder
# ends is a chunk (3 s at 44.1 kHz mono); smaller chunks cost more than they save.
_METER_BYTES = 1 << 19


class _Threads:
    """Helper threads of one encode: the first failure is kept and stops the others."""

    def __init__(self) -> None:
        self.failed = threading.Event()
        self.errors: list[BaseException] = []

    def start(self, work: Callable[[], None], on_failure: Callable[[], None] = lambda: None) -> threading.Thread:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # noqa: BLE001 - raised in the building thread
                self.errors.append(exc)
                self.failed.set()
                on_failure()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def wait(self, event: threading.Event) -> bool:
        """Wait for `event`; False if a thread failed first."""
        while not event.wait(0.1):
            if self.failed.is_set():
                return False
        return not self.failed.is_set()

    def check(self) -> None:
        if self.errors:
            raise self.errors[0]


def encode_parts(
    chunks: Iterable[np.ndarray],
    rate: int,
    out: Path,
    audio: AudioSettings,
    parts: Sequence[Segment],
    progress: Progress,
) -> Loudness:
    """Write `out`, the MP3 of `chunks` (mono float at `rate`) encoded in `parts`, and return
    the loudness of its frames as decoded."""
    threads = _Threads()
    plan = _Plan(parts, audio.sample_rate)
    spans: list[Span | None] = [None] * (2 * len(parts) - 1)  # part 0, join 1, part 1, join 2, ...
    with ExitStack() as stack:
        # The parts are temporary files beside the spools, not in the episode's folder: its
        # disk holds the joined file alone, as it held the one encode.
        tmp = stack.enter_context(scratch_folder())
        paths = [tmp / f"part-{n}.mp3" for n in range(len(parts))]
        args = [tee_encoder_args(rate, p.name, audio.bitrate_kbps, audio.channels, audio.sample_rate) for p in paths]
        encoders = [stack.enter_context(ffmpeg.Running(a, feed=True, cwd=tmp)) for a in args]
        decoders = [stack.enter_context(ffmpeg.Running(DECODER, feed=False, fed_by=e)) for e in encoders]
        done = [threading.Event() for _ in parts]

        def meter(n: int) -> Callable[[], None]:
            def work() -> None:
                first, skip, keep = plan.part(n)
                samples = float_chunks(decoders[n], audio.channels, skip, _METER_BYTES)
                spans[2 * n] = _metered(samples, audio.sample_rate, first, keep, f"part {n}", decoders[n])

            return work

        def meter_join(n: int) -> Callable[[], None]:
            # Once both sides are encoded: a few frames, decoded by an ffmpeg of their own, in
            # a few ms (one started early would sit idle past its progress timeout on a long episode).
            def work() -> None:
                if not (threads.wait(done[n - 1]) and threads.wait(done[n])):
                    return
                data, frames_before = _join_frames(paths[n - 1], paths[n], plan)
                decoded = np.frombuffer(ffmpeg.run(DECODER, stdin=data).stdout, "<f4").reshape(-1, audio.channels)
                first, skip, keep = plan.join(n, frames_before)
                spans[2 * n - 1] = _metered([decoded[skip:]], audio.sample_rate, first, keep, f"join {n}")

            return work

        metering = [threads.start(meter(n), d.stop) for n, d in enumerate(decoders)]
        metering += [threads.start(meter_join(n)) for n in range(1, len(parts))]
        try:
            _feed(chunks, parts, encoders, done, threads, stack, rate, audio.channels)
        except BaseException:
            threads.failed.set()  # no helper waits for a part that will never be done
            raise
        threads.check()
        progress("encoded MP3")
        join(paths, out, [p.frames for p in parts])
        for thread in metering:
            thread.join()
        threads.check()
        for decoder in decoders:
            decoder.finish()
    return measure_spans([span for span in spans if span is not None])


def _metered(
    samples: Iterable[np.ndarray],
    rate: int,
    first: int,
    keep: tuple[int, int | None],
    what: str,
    decoder: ffmpeg.Running | None = None,
) -> Span:
    try:
        return meter_span(samples, rate, first, *keep)
    except ValueError as exc:  # the decoder gave fewer samples than were encoded
        if decoder is not None:
            decoder.finish()  # a decoder that failed says why
        raise ToolError(f"ffmpeg decoded too little of the MP3's {what} to measure it: {exc}") from exc


def _last_frames(path: Path) -> list[int]:
    """The sizes of the frames that end a part, as many as its last _TAIL_BYTES hold: found
    from the end, where a chain of frames of the part's layout lands exactly on the file's
    end, not by walking every frame of a long part (join() does that once already)."""
    first = len(read_info(path).frame)
    start = max(first, path.stat().st_size - _TAIL_BYTES)
    with open(path, "rb") as fh:
        fh.seek(first)
        head = fh.read(4)  # the first audio frame's (the Info frame's bitrate may differ)
        fh.seek(start)
        tail = fh.read()
    layout = (head[1], head[2] & 0xFC)  # version, layer, protection; bitrate, rate
    for at in range(len(tail) if start > first else 1):
        sizes: list[int] = []
        while at + 4 <= len(tail) and tail[at] == 0xFF and (tail[at + 1], tail[at + 2] & 0xFC) == layout:
            sizes.append(frame_size(tail[at : at + 4]))
            at += sizes[-1]
        if sizes and at == len(tail):
            return sizes
    raise ToolError(f"{path.name}: its last frames do not end the file")


# A part's last frames are looked for in this many bytes at its end: more than the join's
# decode needs (about 20 frames of at most 1441 bytes).
_TAIL_BYTES = 1 << 16
# MPEG-1 Layer III's bit reservoir: a frame's data starts at most this many bytes of frame
# data before it, not counting the frames' header, CRC and side information (at most 38 bytes).
_RESERVOIR_BYTES = 511
_FRAME_OVERHEAD = 38
# A meter's span ends this many samples before its decoded samples do: the true peak between
# samples needs the five after each.
_PEAK_GUARD = 8


class _Plan:
    """Where each meter's span starts and stops, in samples of the joined file as decoded
    (its encoder delay dropped): part k's meter from SETTLE_S after its second frame to
    just before part k+1's frames; join k's meter the samples in between."""

    def __init__(self, parts: Sequence[Segment], sample_rate: int) -> None:
        settle = math.ceil(SETTLE_S * sample_rate)
        self._edges = [-LAME_DELAY_SAMPLES]  # where each part's frames start
        for part in parts[:-1]:
            self._edges.append(self._edges[-1] + FRAME_SAMPLES * (part.frames or 0))
        self._from = [0] + [e + FRAME_SAMPLES + settle for e in self._edges[1:]]
        self._to = [e - _PEAK_GUARD for e in self._edges[1:]]
        # Join k's decode: frames of part k-1 whose samples settle the K-weighting before its
        # span, and of part k past its span's end.
        self.before = math.ceil((_PEAK_GUARD + settle) / FRAME_SAMPLES)
        self.after = math.ceil((FRAME_SAMPLES + settle + _PEAK_GUARD) / FRAME_SAMPLES)

    def part(self, n: int) -> tuple[int, int, tuple[int, int | None]]:
        """(first sample its meter is given, decoded samples dropped before it, its span)."""
        skip = LAME_DELAY_SAMPLES if n == 0 else FRAME_SAMPLES
        keep_to = self._to[n] if n < len(self._to) else None
        return self._edges[n] + skip if n else 0, skip, (self._from[n], keep_to)

    def join(self, n: int, frames_before: int) -> tuple[int, int, tuple[int, int | None]]:
        """The same for join n, whose decode starts `frames_before` frames before part n, of
        which all but the last `self.before` are only there to prime the decoder."""
        skip = (frames_before - self.before) * FRAME_SAMPLES
        first = self._edges[n] - self.before * FRAME_SAMPLES
        return first, skip, (self._to[n - 1], self._from[n])


def _join_frames(before: Path, after: Path, plan: _Plan) -> tuple[bytes, int]:
    """The joined file's frames around the join of two parts, and how many come from the
    first: the last `plan.before` frames of it, after the frames that prime the decoder for
    them (the one before, whose samples theirs overlap, and before that the bit reservoir's
    reach), then the first `plan.after` frames of the second."""
    sizes = _last_frames(before)
    take, held = plan.before + 1, 0
    while take < len(sizes) and held < _RESERVOIR_BYTES:
        take, held = take + 1, held + sizes[-take - 1] - _FRAME_OVERHEAD
    with open(before, "rb") as fh:
        fh.seek(-sum(sizes[-take:]), 2)
        head = fh.read()
    with open(after, "rb") as fh:
        data = fh.read(len(read_info(after).frame) + 2 * plan.after * 1441)  # frames are at most 1441 bytes
    at = frame_size(data[:4])
    tail = at
    for _ in range(plan.after):
        tail += frame_size(data[tail : tail + 4])
    return head + data[at:tail], take


def _feed(
    chunks: Iterable[np.ndarray],
    parts: Sequence[Segment],
    encoders: list[ffmpeg.Running],
    done: list[threading.Event],
    threads: _Threads,
    stack: ExitStack,
    rate: int,
    channels: int,
) -> None:
    """Each part's samples to its encoder; returns when every encoder has finished."""
    last = len(parts) - 1
    spools = [stack.enter_context(Spool("<f4", rate)) for _ in parts[:-1]]

    def spooled(n: int) -> Callable[[], None]:
        def work() -> None:
            try:
                for piece in spools[n].chunks():
                    encoders[n].write(mono_to_output(piece, channels))
                encoders[n].finish()
            finally:
                done[n].set()

        return work

    feeders: list[threading.Thread] = []
    position = 0
    for chunk in chunks:
        mono = np.asarray(chunk).reshape(-1)
        begin, position = position, position + mono.size
        for n, part in enumerate(parts[:-1]):
            lo, hi = max(begin, part.start), min(position, part.stop)
            if lo < hi:
                spools[n].append(mono[lo - begin : hi - begin])
        while len(feeders) < last and position >= parts[len(feeders)].stop:
            feeders.append(threads.start(spooled(len(feeders))))
        # Only now, with every other encoder fed, the last: writing to it waits on its pace.
        if position > parts[last].start:
            encoders[last].write(mono_to_output(mono[max(0, parts[last].start - begin) :], channels))
        if threads.failed.is_set():
            break
    while len(feeders) < last:  # never (every part ends inside the signal), but no thread may wait forever
        feeders.append(threads.start(spooled(len(feeders))))
    threads.check()
    encoders[last].finish()
    done[last].set()
    for thread in feeders:
        thread.join()


def mono_to_output(chunk: np.ndarray, channels: int) -> bytes:
    """Float samples as the encoder reads them; stereo is dual mono made here (see encode_mp3)."""
    mono = np.clip(np.asarray(chunk).reshape(-1), -1.0, 1.0).astype("<f4")
    return (np.repeat(mono, channels) if channels > 1 else mono).tobytes()
