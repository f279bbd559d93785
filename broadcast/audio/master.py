"""The mastering chain: music and room tone, loudness, MP3, and the meter on the result.

Streamed: the speech track and the mix live in spools on disk and every stage works a
chunk at a time, so memory stays put whatever the episode's length (see spool.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from broadcast.audio.loudness import Loudness, measure_mp3, plan_gain
from broadcast.audio.mix import Track, encode_mp3, shift_timeline, to_float
from broadcast.audio.music import arrangement
from broadcast.audio.spool import Spool
from broadcast.audio.targets import LAME_CBR_GAIN_DB, target_lufs
from broadcast.config import AudioSettings
from broadcast.model import Part, Timeline

Progress = Callable[[str], None]


def master(track: Track, audio: AudioSettings, mp3: Path, progress: Progress) -> tuple[Timeline, Loudness, float]:
    """Music, room tone and loudness on the speech track, then the MP3.

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
        encode_mp3(gain.apply(mixed.chunks()), rate, mp3, audio.bitrate_kbps, audio.channels, audio.sample_rate)
    progress("encoded MP3")
    loud = measure_mp3(mp3)
    progress("measured loudness of the MP3")
    return timeline, loud, target
