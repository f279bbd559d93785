"""The mastering chain: music and room tone, loudness, MP3, and the meter on the result.

Streamed: the speech track and the mix live in spools on disk and every stage works a
chunk at a time, so memory stays put whatever the episode's length (see spool.py).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from pathlib import Path

import numpy as np

from broadcast.audio import ffmpeg
from broadcast.audio.loudness import Loudness, float_chunks, measure_chunks, plan_gain
from broadcast.audio.mix import Track, _encoder_args, shift_timeline, to_float
from broadcast.audio.mp3_join import frame_size, join
from broadcast.audio.music import Arrangement, arrangement
from broadcast.audio.segments import Segment, plan_segments, quiet_spans
from broadcast.audio.spool import Spool
from broadcast.audio.targets import LAME_CBR_GAIN_DB, target_lufs
from broadcast.config import AudioSettings
from broadcast.errors import OutputError, ToolError
from broadcast.model import Part, Timeline

Progress = Callable[[str], None]
_ENCODING = "encoding.mp3"
_RELAY_BYTES = 1 << 16
# LAME's delay before the first sample (576, plus the decoder's 529) at MPEG-1 rates
# (32-48 kHz): a decoder that finds no LAME header plays it as silence first.
LAME_DELAY_SAMPLES = 1105


def master(
    track: Track, audio: AudioSettings, mp3: Path, progress: Progress, cores: int | None = None
) -> tuple[Timeline, Loudness, float]:
    """Music, room tone and loudness on the speech track, then the MP3, encoded in as many
    parts at once as this build has `cores` (default: all of the machine's).

    Returns the final timeline, the loudness measured on the decoded MP3 and the target.
    """
    # Speech, music and loudness are worked at the speech's own rate (22.05 kHz for
    # espeak); ffmpeg's resampler brings it to the output rate while encoding. That
    # halves the cost of the loudness stage, and the true peak is checked on the MP3.
    speech = track.audio
    rate = speech.rate
    intro = next((c for c in track.timeline.cues if c.part is Part.INTRO), None)
    layout = arrangement(speech.size, rate, (intro.start_ms, intro.end_ms) if intro else (0, 0), audio.music)
    with Spool("<f4", rate) as mixed:
        for chunk in layout.chunks(lambda start, stop: to_float(speech.read(start, stop))):
            mixed.append(chunk)
        speech.close()  # its disk space is not needed any more
        duration_ms = round(mixed.size * 1000 / rate)
        timeline = shift_timeline(track.timeline, round(layout.offset * 1000 / rate), duration_ms)
        progress("mixed")
        target = target_lufs(audio.loudness, audio.channels)
        # The track is mono; a dual-mono stereo file measures 3 LU louder than it. LAME
        # turns the signal down at most bitrates: aim above the target by that much.
        aim = target - 10 * math.log10(audio.channels) - LAME_CBR_GAIN_DB[audio.bitrate_kbps]
        gain = plan_gain(mixed.chunks, rate, aim, audio.true_peak)
        progress("normalized loudness")
        quiet = quiet_spans(_speech_spans(timeline, rate), _music_spans(layout), mixed.size)
        parts = plan_segments(mixed.size, rate, audio.sample_rate, quiet, cores or os.cpu_count() or 1)
        loud = encode_metered(gain.apply(mixed.chunks()), rate, mp3, audio, progress, parts)
    progress("measured loudness of the MP3")
    return timeline, loud, target


def _speech_spans(timeline: Timeline, rate: int) -> list[tuple[int, int]]:
    """Each sentence's clip, in samples of the mix (its trimmed silence margins included)."""
    return [(s.start_ms * rate // 1000, -(-s.end_ms * rate // 1000)) for s in timeline.sentences]


def _music_spans(layout: Arrangement) -> list[tuple[int, int]]:
    spans = [(0, layout.intro.size), (layout.total - layout.outro.size, layout.total)]
    if layout.bed is not None:
        spans.append((layout.bed_from, layout.bed_from + layout.bed_env.size))
    return spans


def encode_metered(
    chunks: Iterable[np.ndarray],
    rate: int,
    mp3: Path,
    audio: AudioSettings,
    progress: Progress,
    parts: Sequence[Segment] = (),
) -> Loudness:
    """Encode the MP3 (as encode_mp3 does) and measure it as players will hear it, at once.

    ffmpeg's tee muxer writes the file and the very same MP3 frames to a pipe; a second
    ffmpeg decodes those, and this module's meter (measure_chunks, as measure_mp3 uses)
    reads them in a thread while the encoder works, on the other core. The pipe's copy
    lacks only the file's LAME header, so its decoder keeps the encoder's delay (dropped
    here, so the samples line up with the file's) and its last frame's padding (a few ms
    of the codec's tail). Readings agree with measure_mp3 on the finished file within
    0.05 LU and dB (tests/test_build_speed_parts.py).

    With several `parts` (segments.py), each is encoded by its own ffmpeg at once and the
    parts are joined into one stream (mp3_join.py). The first part's frames reach the
    decoder as they are made, the others' as each part is done: the meter hears every
    frame of the joined file, in order.
    """
    parts = tuple(parts) or (Segment(0, -1, None),)
    work = mp3.with_name(_ENCODING)  # a fixed name: the tee's syntax would read some path characters
    names = [_ENCODING] if len(parts) == 1 else [f"encoding-{n}.mp3" for n in range(len(parts))]
    args = _encoder_args(rate, work, audio.bitrate_kbps, audio.channels, audio.sample_rate)
    codec = args[: args.index("-map_metadata") + 2]  # input and codec; the muxers are the tee's
    muxer = "f=mp3:id3v2_version=0:write_id3v1=0"
    tee = f"[{muxer}:write_xing=1]{names[0]}|[{muxer}:write_xing=0]pipe:1"
    decoder_args: list[str | Path] = [
        *("ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-v", "error", "-f", "mp3", "-i", "pipe:0"),
        *("-f", "f32le", "-"),
    ]
    found: list[Loudness | BaseException] = []
    try:
        with ExitStack() as stack:
            encoder = stack.enter_context(
                ffmpeg.Running([*codec, "-map", "0:a", "-f", "tee", tee], feed=True, cwd=mp3.parent)
            )
            encoders = [encoder] + [
                stack.enter_context(
                    ffmpeg.Running(
                        _encoder_args(rate, mp3.parent / name, audio.bitrate_kbps, audio.channels, audio.sample_rate),
                        feed=True,
                    )
                )
                for name in names[1:]
            ]
            if len(parts) == 1:
                decoder = stack.enter_context(ffmpeg.Running(decoder_args, feed=False, fed_by=encoder))
            else:
                decoder = stack.enter_context(ffmpeg.Running(decoder_args, feed=True))

            def meter() -> None:
                try:
                    found.append(
                        measure_chunks(float_chunks(decoder, audio.channels, LAME_DELAY_SAMPLES), audio.sample_rate)
                    )
                except BaseException as exc:  # noqa: BLE001 - raised in the building thread
                    found.append(exc)
                    decoder.stop()  # unblocks the encoder, and with it the building thread

            reader = threading.Thread(target=meter, daemon=True)
            reader.start()
            if len(parts) == 1:
                for chunk in chunks:
                    encoder.write(mono_to_output(chunk, audio.channels))
                encoder.finish()
                progress("encoded MP3")
            else:
                paths = [mp3.parent / name for name in names]
                stack.callback(lambda: [p.unlink(missing_ok=True) for p in paths])
                _encode_parts(chunks, parts, encoders, decoder, paths, audio.channels, rate, stack)
                progress("encoded MP3")
                join(paths, work, [p.frames for p in parts])
            reader.join()
            decoder.finish()
    except ToolError as exc:
        # ffmpeg exits with 256 - ENOSPC when the disk fills up.
        if "No space left" in str(exc) or "(exit 228)" in str(exc):
            raise OutputError(f"{mp3.parent}: disk full while writing {mp3.name}") from exc
        raise
    if isinstance(found[0], BaseException):
        raise found[0]
    os.replace(work, mp3)
    return found[0]


def _encode_parts(
    chunks: Iterable[np.ndarray],
    parts: Sequence[Segment],
    encoders: list[ffmpeg.Running],
    decoder: ffmpeg.Running,
    paths: list[Path],
    channels: int,
    rate: int,
    stack: ExitStack,
) -> None:
    """Feed each part's samples to its encoder, all encoders at once, and the frames to the decoder.

    The signal comes once, front to back. Each part but the last is spooled to disk until it
    is whole and then fed by its own thread; the last is fed as it comes, so all encoders run
    while the signal is still being made. A relay thread passes the frames on to the decoder
    in the joined file's order (the first part's live from its tee, the others' from their
    files once done)."""
    last = len(parts) - 1
    spools = [stack.enter_context(Spool("<f4", rate)) for _ in parts[:-1]]
    done = [threading.Event() for _ in parts]
    failed = threading.Event()
    errors: list[BaseException] = []

    def feed(n: int) -> None:
        try:
            for piece in spools[n].chunks():
                encoders[n].write(mono_to_output(piece, channels))
            encoders[n].finish()
        except BaseException as exc:  # noqa: BLE001 - raised in the building thread
            errors.append(exc)
            failed.set()
        finally:
            done[n].set()

    def relay() -> None:
        try:
            while data := encoders[0].read(_RELAY_BYTES):
                decoder.write(data)
            for n in range(1, len(parts)):
                while not done[n].wait(0.1):
                    if failed.is_set():
                        return
                if failed.is_set():
                    return
                with open(paths[n], "rb") as fh:
                    fh.seek(frame_size(fh.read(4)))  # its Info frame: the joined file has one
                    while data := fh.read(_RELAY_BYTES):
                        decoder.write(data)
            decoder.finish()
        except BaseException as exc:  # noqa: BLE001 - raised in the building thread
            errors.append(exc)
            failed.set()
            decoder.stop()

    threads = [threading.Thread(target=relay, daemon=True)]
    threads[0].start()
    position, started = 0, 0
    try:
        for chunk in chunks:
            mono = np.asarray(chunk).reshape(-1)
            begin, position = position, position + mono.size
            for n, part in enumerate(parts):
                lo, hi = max(begin, part.start), min(position, part.stop)
                if lo < hi:
                    piece = mono[lo - begin : hi - begin]
                    if n == last:
                        encoders[n].write(mono_to_output(piece, channels))
                    else:
                        spools[n].append(piece)
            while started < last and position >= parts[started].stop:
                threads.append(threading.Thread(target=feed, args=(started,), daemon=True))
                threads[-1].start()
                started += 1
            if failed.is_set():
                break
        while started < last:  # a signal shorter than planned: never, but no thread may wait forever
            threads.append(threading.Thread(target=feed, args=(started,), daemon=True))
            threads[-1].start()
            started += 1
        if not failed.is_set():
            encoders[last].finish()
        done[last].set()
        for thread in threads[1:]:
            thread.join()
        threads[0].join()
    except BaseException:
        failed.set()
        raise
    if errors:
        raise errors[0]


def mono_to_output(chunk: np.ndarray, channels: int) -> bytes:
    """Float samples as the encoder reads them; stereo is dual mono made here (see encode_mp3)."""
    mono = np.clip(np.asarray(chunk).reshape(-1), -1.0, 1.0).astype("<f4")
    return (np.repeat(mono, channels) if channels > 1 else mono).tobytes()
