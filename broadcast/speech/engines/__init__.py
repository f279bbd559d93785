"""Speech engines behind one interface, and the checks every clip must pass."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from broadcast.errors import ConfigError, SynthesisError
from broadcast.model import VoiceProfile

# A clip this far from the duration its word count predicts is broken audio
# (a truncated file, or audio meant for another clip), not a slow reader.
_PLAUSIBLE_RATIO = (0.3, 3.0)
_RETRIES = 2


@dataclass(frozen=True)
class VoiceInfo:
    engine: str
    id: str
    name: str
    languages: tuple[str, ...]
    gender: str


class Engine(Protocol):
    name: str

    def voices(self) -> list[VoiceInfo]: ...

    def check(self, profile: VoiceProfile) -> None:
        """Raise ConfigError when this engine cannot speak `profile` (missing voice or extra)."""

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        """Write `text` spoken in `profile` as a WAV file at `path`."""

    def close(self) -> None: ...


def _engine_table() -> dict[str, type]:
    # Imported late: an engine's dependencies load only when it is chosen.
    from broadcast.speech.engines.fake import FakeEngine
    from broadcast.speech.engines.piper_engine import PiperEngine
    from broadcast.speech.engines.pyttsx3_engine import Pyttsx3Engine

    return {"pyttsx3": Pyttsx3Engine, "piper": PiperEngine, "fake": FakeEngine}


ENGINE_NAMES = ("pyttsx3", "piper", "fake")


def open_engine(name: str) -> Engine:
    table = _engine_table()
    if name not in table:
        raise ConfigError(f"unknown engine {name!r} (known: {', '.join(sorted(table))})")
    engine: Engine = table[name]()
    return engine


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
