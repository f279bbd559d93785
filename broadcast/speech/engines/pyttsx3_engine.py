"""pyttsx3 (espeak-ng) engine: the voices of the pyttsx3 worker process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from broadcast.errors import ConfigError
from broadcast.model import VoiceProfile
from broadcast.speech.engines.engine import VoiceInfo
from broadcast.speech.engines.espeak_library import library_version
from broadcast.speech.engines.worker_engine import WorkerEngine, voice_label

_LIST_VOICES = {"list_voices": True}


class Pyttsx3Engine(WorkerEngine):
    name = "pyttsx3"
    reads_phonemes = True  # the worker sets espeak's PHONEMES flag
    worker_module = "broadcast.speech.engines.pyttsx3_worker"
    label = "speech engine"
    start_timeout_s = 30.0
    # espeak runs at hundreds of times real time; a clip that takes longer than
    # this has hung, whatever its length.
    base_timeout_s = 10.0
    per_word_timeout_s = 0.05
    lanes = 2  # a worker is small and espeak uses one core: two workers use both
    ignore_stderr = ("Audio saved to",)  # pyttsx3 prints it for every file: not an error

    def __init__(self) -> None:
        super().__init__()
        self._voice_ids: set[str] | None = None

    def start(self) -> None:
        """Start the worker and ask it for its voices at once: check() needs them before the
        first clip, and the worker lists them (10 ms) right after it boots."""
        super().start()
        if self._worker is not None and not self._worker.booted:
            self._worker.ask_ahead(_LIST_VOICES)

    def _list(self, who: str) -> list[VoiceInfo]:
        reply = self.request(_LIST_VOICES, self.start_timeout_s, who)
        return [
            VoiceInfo("pyttsx3", v["id"], v["name"], tuple(v["languages"]), v["gender"] or "") for v in reply["voices"]
        ]

    def voices(self) -> list[VoiceInfo]:
        return self._list("the pyttsx3 engine")

    def check(self, profile: VoiceProfile) -> None:
        """Fail before anything is spoken: the voice id exists."""
        if self._voice_ids is None:
            self._voice_ids = {v.id for v in self._list(voice_label(profile))}
        # espeak accepts variants such as "gmw/en-us+f3": check the base voice.
        base = profile.voice.split("+", 1)[0].lower()
        if base not in self._voice_ids:
            raise ConfigError(
                f"voice profile {profile.name!r}: unknown pyttsx3 voice {profile.voice!r} (see: broadcast voices)"
            )

    def cache_identity(self, profile: VoiceProfile) -> str:
        import importlib.metadata  # only for the clip cache's key: a build without the cache does without it

        try:
            driver = importlib.metadata.version("pyttsx3")
        except importlib.metadata.PackageNotFoundError:
            driver = "?"
        return f"pyttsx3 {driver}; espeak-ng {library_version()}"

    def job(self, text: str, profile: VoiceProfile, path: Path) -> dict[str, Any]:
        return {"text": text, "voice": profile.voice, "rate": profile.rate, "volume": profile.volume, "path": str(path)}
