"""The MP3 encoded in parts at once, one ffmpeg per part, joined into one file and metered.

The signal comes once, front to back. Each part but the last is spooled to disk until it
is whole and then fed to its encoder by a thread of its own; the last is fed as it comes,
so every encoder is at work while the signal is still being made. The first encoder's tee
also pipes its frames out; a relay passes them to the meter's decoder as they come, then
each other part's frames once that part is done: the meter hears the joined file's frames
in order, and measures most of them while the encoders work. Where the parts are cut is
segments.py's; how they are joined, mp3_join.py's.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from broadcast.audio import ffmpeg
from broadcast.audio.loudness import Loudness, float_chunks, measure_chunks
from broadcast.audio.mix import _encoder_args
from broadcast.audio.mp3_join import frame_size, join
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
    found: list[Loudness] = []
    with ExitStack() as stack:
        # The parts are temporary files beside the spools, not in the episode's folder: its
        # disk holds the joined file alone, as it held the one encode.
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="broadcast-")))
        paths = [tmp / f"part-{n}.mp3" for n in range(len(parts))]
        args = [_encoder_args(rate, p, audio.bitrate_kbps, audio.channels, audio.sample_rate) for p in paths]
        codec = args[0][: args[0].index("-map_metadata") + 2]
        tee = f"[{_MUXER}:write_xing=1]{paths[0].name}|[{_MUXER}:write_xing=0]pipe:1"
        args[0] = [*codec, "-map", "0:a", "-f", "tee", tee]
        encoders = [stack.enter_context(ffmpeg.Running(a, feed=True, cwd=tmp)) for a in args]
        decoder = stack.enter_context(ffmpeg.Running(DECODER, feed=True))
        done = [threading.Event() for _ in parts]

        def relay() -> None:
            while data := encoders[0].read(_RELAY_BYTES):
                decoder.write(data)
            for n in range(1, len(parts)):
                if not threads.wait(done[n]):
                    return
                with open(paths[n], "rb") as fh:
                    fh.seek(frame_size(fh.read(4)))  # its Info frame: the joined file has one
                    while data := fh.read(_RELAY_BYTES):
                        decoder.write(data)
            decoder.finish()

        def meter() -> None:
            found.append(measure_chunks(float_chunks(decoder, audio.channels, LAME_DELAY_SAMPLES), audio.sample_rate))

        metering = [threads.start(relay, decoder.stop), threads.start(meter, decoder.stop)]
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
        decoder.finish()
    return found[0]


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
