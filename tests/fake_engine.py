"""A deterministic engine for fast tests of the mixer and pipeline; the shipped package does not know it.

It speaks nothing: each word becomes a short tone burst at the profile's rate,
so durations, pauses and timings behave like speech. Never used end to end.
Tests register it with broadcast.speech.engines.register_engine (conftest.py
does, and so does cli_with_fake_engine.py for the command line in a subprocess).
"""

from __future__ import annotations

import json
import os
import wave
from pathlib import Path

import numpy as np

from broadcast.model import VoiceProfile
from broadcast.speech.engines import VoiceInfo

# When set, every clip's text and voice are appended here as a JSON line, so a test
# run through the command line can see what the engine was given.
LOG_ENV = "BROADCAST_FAKE_ENGINE_LOG"
RATE_HZ = 22050
TONE_HZ = 220
ON_SHARE = 0.7  # of each word's time; the rest is silence between words


class FakeEngine:
    name = "fake"
    reads_phonemes = False

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo("fake", "tone", "Test tone", ("en",), "")]

    def check(self, profile: VoiceProfile) -> None:
        pass

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        if log := os.environ.get(LOG_ENV):
            with open(log, "a", encoding="utf-8") as f:
                f.write(json.dumps({"text": text, "voice": profile.voice, "rate": profile.rate}) + "\n")
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
