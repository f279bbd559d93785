"""A deterministic engine for fast tests of the mixer and pipeline; the shipped package does not know it.

It speaks nothing: each word becomes a short tone burst at the profile's rate,
so durations, pauses and timings behave like speech. Never used end to end.
Tests register it with broadcast.speech.engines.register_engine (conftest.py
does, and so does cli_with_fake_engine.py for the command line in a subprocess).
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np

from broadcast.model import VoiceProfile
from broadcast.speech.engines import VoiceInfo

RATE_HZ = 22050
TONE_HZ = 220
ON_SHARE = 0.7  # of each word's time; the rest is silence between words
# A file each synthesize call appends "voice<TAB>rate<TAB>text" to, when set: how tests
# count what the engine really spoke (and what came from the clip cache instead).
CALL_LOG = "BROADCAST_TEST_ENGINE_LOG"


class FakeEngine:
    name = "fake"
    reads_phonemes = False

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("fake", "tone", "Test tone", ("en",), "")]

    def check(self, profile: VoiceProfile) -> None:
        pass

    def cache_identity(self, profile: VoiceProfile) -> str:
        return "fake tones 1"

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        log = os.environ.get(CALL_LOG)
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"{profile.voice}\t{profile.rate}\t{' '.join(text.split())}\n")
        word_s = 60.0 / max(profile.rate, 1)
        on = int(word_s * ON_SHARE * RATE_HZ)
        off = int(word_s * RATE_HZ) - on
        burst = 12000 * profile.volume * np.sin(2 * np.pi * TONE_HZ * np.arange(on) / RATE_HZ)
        word = np.concatenate([burst, np.zeros(off)]).astype("<i2")  # truncates toward zero, like int()
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE_HZ)
            w.writeframes(np.tile(word, len(text.split())).tobytes())

    def close(self) -> None:
        pass
