"""pyttsx3 (espeak-ng) engine: drives the worker process, with timeouts and restarts."""

from __future__ import annotations

from pathlib import Path

from broadcast.errors import ConfigError, SynthesisError
from broadcast.model import VoiceProfile
from broadcast.speech.engines import VoiceInfo
from broadcast.speech.engines.worker_client import WorkerProcess

_START_TIMEOUT_S = 30.0
# espeak runs at hundreds of times real time; a clip that takes longer than
# this has hung, whatever its length.
_BASE_TIMEOUT_S = 10.0
_PER_WORD_TIMEOUT_S = 0.05


def _worker() -> WorkerProcess:
    # pyttsx3 prints "Audio saved to ..." for every file: not an error.
    return WorkerProcess(
        "broadcast.speech.engines.pyttsx3_worker", "speech engine", _START_TIMEOUT_S, ignore_stderr=("Audio saved to",)
    )


class Pyttsx3Engine:
    name = "pyttsx3"

    def __init__(self) -> None:
        self._worker: WorkerProcess | None = None
        self._voice_ids: set[str] | None = None

    def _ensure(self) -> WorkerProcess:
        if self._worker is None or self._worker.proc.poll() is not None:
            self._worker = _worker()
        return self._worker

    def voices(self) -> list[VoiceInfo]:
        reply = self._ensure().request({"list_voices": True}, _START_TIMEOUT_S)
        return [
            VoiceInfo("pyttsx3", v["id"], v["name"], tuple(v["languages"]), v["gender"] or "") for v in reply["voices"]
        ]

    def check(self, profile: VoiceProfile) -> None:
        """Fail before anything is spoken: the voice id exists."""
        if self._voice_ids is None:
            self._voice_ids = {v.id for v in self.voices()}
        # espeak accepts variants such as "gmw/en-us+f3": check the base voice.
        base = profile.voice.split("+", 1)[0].lower()
        if base not in self._voice_ids:
            raise ConfigError(
                f"voice profile {profile.name!r}: unknown pyttsx3 voice {profile.voice!r} (see: broadcast voices)"
            )

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        self.check(profile)
        job = {
            "text": text,
            "voice": profile.voice,
            "rate": profile.rate,
            "volume": profile.volume,
            "path": str(path),
        }
        timeout = _BASE_TIMEOUT_S + _PER_WORD_TIMEOUT_S * len(text.split())
        try:
            self._ensure().request(job, timeout)
        except SynthesisError:
            # A crashed or hung worker gets one fresh process before we give up.
            self.close()
            self._ensure().request(job, timeout)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
