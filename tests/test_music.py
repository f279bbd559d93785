"""The bed under the host intro ducks under speech; stings sit before and after the segment."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from broadcast.audio.music import arrange, bed_envelope
from broadcast.audio.sting import write_wav
from broadcast.model import MusicPlan

RATE = 22050


def level_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x**2)) + 1e-12))


def tone(path: Path, seconds: float, freq: float = 440.0) -> Path:
    t = np.arange(int(seconds * RATE)) / RATE
    write_wav(path, 0.5 * np.sin(2 * np.pi * freq * t), RATE)
    return path


def test_bed_ducks_at_least_12_db_under_speech_with_half_second_fades(tmp_path: Path) -> None:
    plan = MusicPlan(bed=tone(tmp_path / "bed.wav", 3.0), room_tone_db=-120)
    speech = np.zeros(RATE * 10, dtype=np.float32)  # silence stands in for speech: we measure the bed alone
    intro = (2000, 6000)  # ms in the speech track
    out = arrange(speech, RATE, intro, plan)
    start = out.speech_offset_ms + intro[0]
    end = out.speech_offset_ms + intro[1]
    ms = RATE // 1000
    full = out.samples[(start - 1800) * ms : (start - 700) * ms]  # bed alone, before the fade
    ducked = out.samples[(start + 200) * ms : (end - 200) * ms]  # under the host's words
    after = out.samples[(end + plan.bed_tail_ms + 200) * ms :]
    assert out.speech_offset_ms == plan.bed_lead_ms
    assert level_db(full) - level_db(ducked) >= 12.0
    assert level_db(after) < -100  # faded out after the intro
    env = bed_envelope(RATE * 8, RATE * 2, RATE * 6, RATE, plan)
    falling = np.flatnonzero((env < 0.99) & (env > 10 ** (-plan.duck_db / 20) * 1.01))
    first_fade = falling[falling < RATE * 2 + RATE // 10]
    fade_ms = (first_fade[-1] - first_fade[0]) * 1000 / RATE
    assert 400 <= fade_ms <= 700  # "about half a second"


def test_stings_frame_the_segment(tmp_path: Path) -> None:
    plan = MusicPlan(
        intro=tone(tmp_path / "in.wav", 1.0), outro=tone(tmp_path / "out.wav", 0.5, 660.0), room_tone_db=-120
    )
    speech = np.full(RATE * 2, 0.1, dtype=np.float32)
    out = arrange(speech, RATE, (0, 2000), plan)
    assert out.speech_offset_ms == 1250  # the sting, then a 250 ms gap
    assert abs(len(out.samples) - (1.0 + 0.25 + 2.0 + 0.25 + 0.5) * RATE) <= 2  # ms rounded to samples
    assert level_db(out.samples[: RATE // 2]) > -18  # the intro sting (-9 dBFS tone, music gain -6 dB)
    assert level_db(out.samples[-RATE // 4 :]) > -18  # the outro sting at the end


def test_room_tone_is_far_below_silence_threshold() -> None:
    out = arrange(np.zeros(RATE, dtype=np.float32), RATE, (0, 0), MusicPlan())
    assert -75 < level_db(out.samples) < -65
