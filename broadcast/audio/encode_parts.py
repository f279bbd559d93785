"""The MP3 encoded in parts at once, one ffmpeg per part, joined into one file and metered.

The signal comes once, front to back. Each part but the last is spooled to disk until it
is whole and then fed to its encoder by a thread of its own; the last is fed as it comes,
so every encoder is at work while the signal is still being made. Every encoder's tee also
pipes its frames out, to a decoder and a meter of the part's own, so each part is measured
while it is encoded, and what is left when the last encoder is done is the last chunk.

The parts' measurements combine into exactly the joined file's (loudness.measure_spans),
because a decoder of part k alone gives the joined file's very samples from its second
frame on (each part starts with an empty bit reservoir, and the first frame's overlap
is all that a decoder carries), and a K-weighting started from rest there has forgotten
it SETTLE_S later. The samples before that are measured by part k-1's meter, whose decoder
goes on into part k's first frames as the joined file's does. Where the parts are cut is
segments.py's; how they are joined, mp3_join.py's.
"""

from __future__ import annotations

import math
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from broadcast.audio import ffmpeg
from broadcast.audio.loudness import SETTLE_S, Loudness, Span, float_chunks, measure_spans, meter_span
from broadcast.audio.mix import _encoder_args
from broadcast.audio.mp3_join import FRAME_SAMPLES, frame_size, join
from broadcast.audio.segments import Segment
from broadcast.audio.spool import Spool
from broadcast.config import AudioSettings

Progress = Callable[[str], None]
# LAME's delay before the first sample (576, plus the decoder's 529) at MPEG-1 rates
# (32-48 kHz): a decoder that finds no LAME header plays it as silence first.
LAME_DELAY_SAMPLES = 1105
DECODER: list[str | Path] = [
    *("ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-v", "error", "-f", "mp3", "-i", "pipe:0"),
    *("-f", "f32le", "-"),
]
_MUXER = "f=mp3:id3v2_version=0:write_id3v1=0"
_RELAY_BYTES = 1 << 16


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
    spans: list[Span | None] = [None] * len(parts)
    with ExitStack() as stack:
        # The parts are temporary files beside the spools, not in the episode's folder: its
        # disk holds the joined file alone, as it held the one encode.
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="broadcast-")))
        paths = [tmp / f"part-{n}.mp3" for n in range(len(parts))]
        args = [_encoder_args(rate, p, audio.bitrate_kbps, audio.channels, audio.sample_rate) for p in paths]
        for n, path in enumerate(paths):
            codec = args[n][: args[n].index("-map_metadata") + 2]
            tee = f"[{_MUXER}:write_xing=1]{path.name}|[{_MUXER}:write_xing=0]pipe:1"
            args[n] = [*codec, "-map", "0:a", "-f", "tee", tee]
        encoders = [stack.enter_context(ffmpeg.Running(a, feed=True, cwd=tmp)) for a in args]
        decoders = [stack.enter_context(ffmpeg.Running(DECODER, feed=True)) for _ in parts]
        done = [threading.Event() for _ in parts]
        plan = _Plan(parts, audio.sample_rate)
        heads = [b""] * len(parts)
        headed = [threading.Event() for _ in parts]

        def relay(n: int) -> Callable[[], None]:
            def work() -> None:
                head, need = bytearray(), plan.head_frames
                while data := encoders[n].read(_RELAY_BYTES):
                    decoders[n].write(data)
                    if not headed[n].is_set():
                        head += data
                        if (whole := _frames_bytes(head, need)) is not None:
                            heads[n] = bytes(head[:whole])
                            headed[n].set()
                if not headed[n].is_set():  # a part shorter than its head: all of it
                    heads[n] = bytes(head)
                    headed[n].set()
                if n + 1 < len(parts):
                    # The joined file's decoder goes on into the next part: so does this one.
                    if not threads.wait(headed[n + 1]):
                        return
                    decoders[n].write(heads[n + 1])
                decoders[n].finish()

            return work

        def meter(n: int) -> Callable[[], None]:
            def work() -> None:
                first, skip = plan.first(n)
                samples = float_chunks(decoders[n], audio.channels, skip)
                spans[n] = meter_span(samples, audio.sample_rate, first, plan.keep_from(n), plan.keep_from(n + 1))

            return work

        metering = [threads.start(relay(n), decoders[n].stop) for n in range(len(parts))]
        metering += [threads.start(meter(n), decoders[n].stop) for n in range(len(parts))]
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


class _Plan:
    """Where each part's meter starts and stops, in samples of the joined file as decoded
    (its encoder delay dropped)."""

    def __init__(self, parts: Sequence[Segment], sample_rate: int) -> None:
        self._settle = math.ceil(SETTLE_S * sample_rate)
        self._starts = [0]  # decoded sample where each part's frames start, the delay kept
        for part in parts[:-1]:
            self._starts.append(self._starts[-1] + FRAME_SAMPLES * (part.frames or 0))
        # A meter goes on a few samples past its span's end (the true peak between samples).
        self.head_frames = math.ceil((FRAME_SAMPLES + self._settle + 16) / FRAME_SAMPLES) + 1

    def first(self, n: int) -> tuple[int, int]:
        """The first sample a part's meter is given, and how many of its decoder's it drops:
        the first part's from the file's start, later ones' after their first frame."""
        if n == 0:
            return 0, LAME_DELAY_SAMPLES
        return self._starts[n] - LAME_DELAY_SAMPLES + FRAME_SAMPLES, FRAME_SAMPLES

    def keep_from(self, n: int) -> int | None:
        """Where part n's span starts (None: past the last part)."""
        if n >= len(self._starts):
            return None
        return 0 if n == 0 else self.first(n)[0] + self._settle


def _frames_bytes(data: bytearray, frames: int) -> int | None:
    """Bytes of the first `frames` whole MP3 frames in `data`, None while it holds fewer."""
    at = 0
    for _ in range(frames):
        if at + 4 > len(data):
            return None
        at += frame_size(bytes(data[at : at + 4]))
    return at if at <= len(data) else None


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
