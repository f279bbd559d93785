"""The base of engines whose library runs in a worker process (pyttsx3, Piper).

It owns the worker's life: starting it, the voice check, replacing a worker that
dies, hangs or fails, and closing it. A worker is replaced once per request, the
same way whether it failed while starting, during a voice check or mid-article,
so a single crash never ends a build; a second failure is the error.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from broadcast.errors import BroadcastError, SynthesisError
from broadcast.model import VoiceProfile
from broadcast.speech.engines.engine import VoiceInfo
from broadcast.speech.engines.worker_client import WorkerProcess


def voice_label(profile: VoiceProfile) -> str:
    return f"voice {profile.name!r} ({profile.engine} {profile.voice})"


class WorkerEngine(ABC):
    name: ClassVar[str]
    reads_phonemes: ClassVar[bool] = False
    worker_module: ClassVar[str]  # run as `python -m worker_module`
    label: ClassVar[str]  # how errors name the worker
    start_timeout_s: ClassVar[float]  # start-up, voice lists and model loads
    base_timeout_s: ClassVar[float]  # a clip taking longer than these has hung
    per_word_timeout_s: ClassVar[float]
    ignore_stderr: ClassVar[tuple[str, ...]] = ()  # stderr lines that are not errors

    def __init__(self) -> None:
        self._worker: WorkerProcess | None = None
        self._aborted = False

    # --- what an engine defines ------------------------------------------------------

    @abstractmethod
    def voices(self) -> list[VoiceInfo]: ...

    @abstractmethod
    def check(self, profile: VoiceProfile) -> None:
        """Raise ConfigError when this engine cannot speak `profile`."""

    @abstractmethod
    def cache_identity(self, profile: VoiceProfile) -> str:
        """The library and model versions behind `profile`'s sound, found without starting the worker."""

    @abstractmethod
    def job(self, text: str, profile: VoiceProfile, path: Path) -> dict[str, Any]:
        """The worker's request for one clip."""

    def reply_error(self, reply: dict[str, Any]) -> BroadcastError | None:
        """The error for a special failure reply (a missing extra), else None for a SynthesisError."""
        return None

    def prepare(self, worker: WorkerProcess, job: dict[str, Any]) -> None:
        """Ready a running worker for `job` (Piper loads the job's model once per worker)."""
        return None  # most workers are ready once started

    # --- the worker's life -----------------------------------------------------------

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        self.check(profile)
        timeout = self.base_timeout_s + self.per_word_timeout_s * len(text.split())
        self.request(self.job(text, profile, path), timeout, voice_label(profile))

    def request(self, job: dict[str, Any], timeout: float, who: str) -> dict[str, Any]:
        """The worker's reply to `job`. A worker that dies, hangs or fails (while starting,
        preparing or answering) is replaced by a fresh one once; `who` names the voice
        in the error when the fresh one fails too."""
        try:
            return self._attempt(job, timeout)
        except SynthesisError as first:
            self.close()
            try:
                return self._attempt(job, timeout)
            except SynthesisError as second:
                self.close()
                raise SynthesisError(f"{who}: {first}; a fresh worker failed too: {second}") from second

    def _attempt(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        if self._aborted:
            raise SynthesisError(f"{self.label} stopped")
        if self._worker is not None and self._worker.booted and self._worker.proc.poll() is not None:
            self.close()  # died between requests (one that died booting fails its ready, as a new one would)
        if self._worker is None:
            self._worker = self._spawn()
        self.prepare(self._worker, job)
        return self._worker.request(job, timeout)

    def _spawn(self, wait: bool = True) -> WorkerProcess:
        return WorkerProcess(
            self.worker_module,
            self.label,
            self.start_timeout_s,
            reply_error=self.reply_error,
            ignore_stderr=self.ignore_stderr,
            wait=wait,
        )

    def start(self) -> None:
        """Start the worker without waiting for it: it boots while the build reads the article.
        A worker that fails to start fails the first request, which replaces it as always."""
        if self._worker is None and not self._aborted:
            self._worker = self._spawn(wait=False)

    def abort(self) -> None:
        """End the worker now, from another thread, and start no fresh one (the build is ending)."""
        self._aborted = True
        worker = self._worker
        if worker is not None:
            worker.kill()

    def release(self) -> None:
        """No more jobs: the worker exits while the build goes on (its interpreter's teardown
        takes 0.02-0.03 s); close() reaps it."""
        if self._worker is not None:
            self._worker.end_input()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None
