"""The mastering chain: music and room tone, loudness, MP3, and the meter on the result."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from broadcast.audio.loudness import Loudness, decode_mp3, measure, normalize
from broadcast.audio.mix import Track, encode_mp3, shift_timeline, to_float
from broadcast.audio.music import arrange
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
    rate = track.audio.frame_rate
    speech = to_float(track.audio)
    intro = next((c for c in track.timeline.cues if c.part is Part.INTRO), None)
    arranged = arrange(speech, rate, (intro.start_ms, intro.end_ms) if intro else (0, 0), audio.music)
    duration_ms = round(arranged.samples.size * 1000 / rate)
    timeline = shift_timeline(track.timeline, arranged.speech_offset_ms, duration_ms)
    progress("mixed")
    target = target_lufs(audio.loudness, audio.channels)
    # The track is mono; a dual-mono stereo file measures 3 LU louder than it. LAME
    # turns the signal down at most bitrates: aim above the target by that much.
    aim = target - 10 * math.log10(audio.channels) - LAME_CBR_GAIN_DB[audio.bitrate_kbps]
    samples = normalize(arranged.samples, rate, aim, audio.true_peak)
    progress("normalized loudness")
    encode_mp3(samples, rate, mp3, audio.bitrate_kbps, audio.channels, audio.sample_rate)
    progress("encoded MP3")
    loud = measure(*decode_mp3(mp3))
    progress("measured loudness of the MP3")
    return timeline, loud, target
