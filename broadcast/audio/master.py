"""The mastering chain: music and room tone, loudness, MP3, and the meter on the result.

Streamed: the speech track and the mix live in spools on disk and every stage works a
chunk at a time, so memory stays put whatever the episode's length (see spool.py).
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from broadcast.audio import ffmpeg
from broadcast.audio.encode_parts import DECODER, LAME_DELAY_SAMPLES, encode_parts, mono_to_output
from broadcast.audio.loudness import GainAnalysis, Loudness, float_chunks, measure_chunks, plan_gain
from broadcast.audio.mix import Track, shift_timeline, tee_encoder_args, to_float
from broadcast.audio.music import Arrangement, MusicDecoding, arrangement
from broadcast.audio.segments import Segment, plan_segments, quiet_spans
from broadcast.audio.spool import Spool
from broadcast.audio.targets import LAME_CBR_GAIN_DB, target_lufs
from broadcast.config import AudioSettings
from broadcast.errors import OutputError, ToolError
from broadcast.model import Part, Timeline

Progress = Callable[[str], None]
_ENCODING = "encoding.mp3"


def master(
    track: Track,
    audio: AudioSettings,
    mp3: Path,
    progress: Progress,
    cores: int | None = None,
    music: MusicDecoding | None = None,
) -> tuple[Timeline, Loudness, float]:
    """Music, room tone and loudness on the speech track, then the MP3, encoded in as many
    parts at once as this build has `cores` (default: all of the machine's). `music`: the
    music files, already being decoded (see MusicDecoding).

    Returns the final timeline, the loudness measured on the decoded MP3 and the target.
    """
    # Speech, music and loudness are worked at the speech's own rate (22.05 kHz for
    # espeak); ffmpeg's resampler brings it to the output rate while encoding. That
    # halves the cost of the loudness stage, and the true peak is checked on the MP3.
    speech = track.audio
    rate = speech.rate
    intro = next((c for c in track.timeline.cues if c.part is Part.INTRO), None)
    layout = arrangement(speech.size, rate, (intro.start_ms, intro.end_ms) if intro else (0, 0), audio.music, music)
    cores = cores or os.cpu_count() or 1
    with Spool("<f4", rate) as mixed, GainAnalysis(rate, background=cores > 1) as analysis:
        for chunk in layout.chunks(lambda start, stop: to_float(speech.read(start, stop))):
            mixed.append(chunk)
            analysis.feed(chunk)  # as it is made: the mix is not read back for it
        speech.close()  # its disk space is not needed any more
        duration_ms = round(mixed.size * 1000 / rate)
        timeline = shift_timeline(track.timeline, round(layout.offset * 1000 / rate), duration_ms)
        progress("mixed")
        target = target_lufs(audio.loudness, audio.channels)
        # The track is mono; a dual-mono stereo file measures 3 LU louder than it. LAME
        # turns the signal down at most bitrates: aim above the target by that much.
        aim = target - 10 * math.log10(audio.channels) - LAME_CBR_GAIN_DB[audio.bitrate_kbps]
        gain = plan_gain(mixed.chunks, rate, aim, audio.true_peak, analysis)
        progress("normalized loudness")
        quiet = quiet_spans(_speech_spans(timeline, rate), _music_spans(layout), mixed.size)
        parts = plan_segments(mixed.size, rate, audio.sample_rate, quiet, cores)
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

    Several `parts` (segments.py) are encoded at once, one ffmpeg each, and each metered as it
    is encoded, the readings combined into the joined file's (encode_parts.py).
    """
    work = mp3.with_name(_ENCODING)  # a fixed name: the tee's syntax would read some path characters
    args = tee_encoder_args(rate, _ENCODING, audio.bitrate_kbps, audio.channels, audio.sample_rate)
    found: list[Loudness | BaseException] = []
    try:
        if len(parts) > 1:
            loud = encode_parts(chunks, rate, work, audio, parts, progress)
            os.replace(work, mp3)
            return loud
        with (
            ffmpeg.Running(args, feed=True, cwd=mp3.parent) as encoder,
            ffmpeg.Running(DECODER, feed=False, fed_by=encoder) as decoder,
        ):

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
            for chunk in chunks:
                encoder.write(mono_to_output(chunk, audio.channels))
            encoder.finish()
            progress("encoded MP3")
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
