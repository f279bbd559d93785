"""A deterministic engine for fast unit tests of the mixer and pipeline.

It speaks nothing: each word becomes a short tone burst at the profile's rate,
so durations, pauses and timings behave like speech. Never used end to end.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from broadcast.model import VoiceProfile
from broadcast.speech.engines import VoiceInfo

RATE_HZ = 22050


class FakeEngine:
    name = "fake"

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("fake", "tone", "Test tone", ("en",), "")]

    def check(self, profile: VoiceProfile) -> None:
        pass

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        word_s = 60.0 / max(profile.rate, 1)
        samples: list[int] = []
        for _ in text.split():
            on = int(word_s * 0.7 * RATE_HZ)
            off = int(word_s * RATE_HZ) - on
            amp = 12000 * profile.volume
            samples += [int(amp * math.sin(2 * math.pi * 220 * i / RATE_HZ)) for i in range(on)]
            samples += [0] * off
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE_HZ)
            w.writeframes(struct.pack(f"<{len(samples)}h", *samples))

    def close(self) -> None:
        pass
