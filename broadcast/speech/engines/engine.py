"""What every speech engine offers: its voices, a voice check, synthesis, and close."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from broadcast.model import VoiceProfile


@dataclass(frozen=True)
class VoiceInfo:
    engine: str
    id: str
    name: str
    languages: tuple[str, ...]
    gender: str


class Engine(Protocol):
    name: ClassVar[str]
    # Whether the engine reads espeak [[phonemes]] markup: the lexicon then gives it
    # phonemes instead of respellings.
    reads_phonemes: ClassVar[bool]

    def voices(self) -> list[VoiceInfo]: ...

    def check(self, profile: VoiceProfile) -> None:
        """Raise ConfigError when this engine cannot speak `profile` (missing voice or extra)."""

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        """Write `text` spoken in `profile` as a WAV file at `path`."""

    def cache_identity(self, profile: VoiceProfile) -> str:
        """What besides the text and the profile decides how `profile` sounds (library, model and
        their versions), for the clip cache's key. Must not start the engine: a build whose clips
        are all cached starts none."""

    def close(self) -> None: ...
