"""The checks every synthesized clip must pass, and one retry for a bad clip."""

from __future__ import annotations

import wave
from pathlib import Path

from broadcast.errors import SynthesisError
from broadcast.model import VoiceProfile
from broadcast.speech.engines.engine import Engine

# A clip this far from the duration its word count predicts is broken audio
# (a truncated file, or audio meant for another clip), not a slow reader.
_PLAUSIBLE_RATIO = (0.3, 3.0)
_RETRIES = 2


def wav_duration_ms(path: Path) -> int:
    try:
        with wave.open(str(path), "rb") as w:
            return round(w.getnframes() * 1000 / w.getframerate())
    except (OSError, EOFError, wave.Error):
        return 0


def expected_ms(text: str, rate_wpm: int) -> int:
    return round(len(text.split()) * 60_000 / max(rate_wpm, 1))


def clip_problem(path: Path, text: str, profile: VoiceProfile) -> str:
    """Why the clip at `path` is unusable, or "" when it is fine."""
    got = wav_duration_ms(path)
    if got == 0:
        return "no audio"
    want = expected_ms(text, profile.rate)
    low, high = _PLAUSIBLE_RATIO
    # Very short texts ("D.C.") have a large fixed overhead: compare from 1 s up.
    if want >= 1000 and not (low * want <= got <= high * want):
        return f"{got} ms of audio for {len(text.split())} words (expected about {want} ms)"
    return ""


def synthesize_checked(engine: Engine, text: str, profile: VoiceProfile, path: Path) -> int:
    """Synthesize and verify one clip, retrying a bad one; returns its length in ms."""
    problem = ""
    for _ in range(1 + _RETRIES):
        path.unlink(missing_ok=True)
        engine.synthesize(text, profile, path)
        problem = clip_problem(path, text, profile)
        if not problem:
            return wav_duration_ms(path)
    preview = text if len(text) <= 40 else text[:37] + "..."
    raise SynthesisError(f"voice {profile.name!r} gave unusable audio for {preview!r}: {problem}")
