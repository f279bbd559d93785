"""pyttsx3 (espeak-ng) engine: drives the worker process, with timeouts and restarts."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import Any

from broadcast.errors import ConfigError, SynthesisError
from broadcast.model import VoiceProfile
from broadcast.tts import VoiceInfo

_START_TIMEOUT_S = 30.0
# espeak runs at hundreds of times real time; a clip that takes longer than
# this has hung, whatever its length.
_BASE_TIMEOUT_S = 10.0
_PER_WORD_TIMEOUT_S = 0.05


class _Worker:
    def __init__(self) -> None:
        env = dict(os.environ)
        self._stderr: deque[str] = deque(maxlen=5)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "broadcast.tts.pyttsx3_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=env,
        )
        self._sel = selectors.DefaultSelector()
        assert self.proc.stdout and self.proc.stderr
        self._sel.register(self.proc.stdout, selectors.EVENT_READ, "out")
        self._sel.register(self.proc.stderr, selectors.EVENT_READ, "err")
        self.request(None, _START_TIMEOUT_S)

    def request(self, job: dict[str, Any] | None, timeout: float) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        if job is not None:
            try:
                self.proc.stdin.write(json.dumps(job) + "\n")
                self.proc.stdin.flush()
            except BrokenPipeError as exc:
                raise SynthesisError(f"speech engine died{self._tail()}") from exc
        while True:
            events = self._sel.select(timeout)
            if not events:
                self.kill()
                raise SynthesisError(f"speech engine hung (no answer in {timeout:.0f} s)")
            for key, _ in events:
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if key.data == "err":
                    if line.strip() and not line.startswith("Audio saved to"):
                        self._stderr.append(line.strip())
                    if line:
                        continue
                if not line:
                    code = self.proc.wait()
                    raise SynthesisError(f"speech engine exited with code {code}{self._tail()}")
                if key.data == "out":
                    reply: dict[str, Any] = json.loads(line)
                    if not reply.get("ok"):
                        raise SynthesisError(f"speech engine: {reply.get('error')}")
                    return reply

    def _tail(self) -> str:
        return f": {' / '.join(self._stderr)}" if self._stderr else ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self._sel.close()


class Pyttsx3Engine:
    name = "pyttsx3"

    def __init__(self) -> None:
        self._worker: _Worker | None = None
        self._voice_ids: set[str] | None = None

    def _ensure(self) -> _Worker:
        if self._worker is None or self._worker.proc.poll() is not None:
            self._worker = _Worker()
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
