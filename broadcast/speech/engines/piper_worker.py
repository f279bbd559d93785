"""Child process that owns Piper (onnxruntime and piper's built-in espeak-ng).

A native crash or a hang in the model must not end the build, so Piper never
runs inside the build process. Protocol: one JSON object per line on stdin,
one JSON reply per line on the protocol pipe:

    {"load": MODEL}                                        -> {"ok", "sample_rate"}
    {"text", "model", "length_scale", "volume", "path"}    -> {"ok", "frames"}

The first reply ({"ok": true, "ready": true}) comes once piper is imported; a
missing import is answered with {"ok": false, "missing": true, ...} so the
parent can name the install command. Libraries may print to stdout, so the
protocol uses a private copy of fd 1 and fd 1 itself is sent to stderr.
"""

from __future__ import annotations

import sys
import wave
from typing import Any

from broadcast.speech.engines.worker_loop import Handler, serve

# Each clip is peak-normalized to this level times the profile's volume: -1 dBFS,
# where Piper's speech sits at about -21 dBFS RMS, the level of espeak-ng at
# volume 1.0, so a Piper voice and an espeak voice match in one episode.
PEAK = 0.891
# Between the sentences of one clip (Piper returns one chunk per sentence).
SENTENCE_GAP_S = 0.25
# Written when the text has nothing to say ("—"): a clip, not an error.
EMPTY_S = 0.1


class Speaker:
    def __init__(self) -> None:
        import numpy as np
        from piper import PiperVoice, SynthesisConfig

        self._np = np
        self._load = PiperVoice.load
        self._config = SynthesisConfig
        self._voices: dict[str, Any] = {}

    def load(self, model: str) -> Any:
        if model not in self._voices:
            self._voices[model] = self._load(model)
        return self._voices[model]

    def say(self, text: str, model: str, length_scale: float, volume: float, path: str) -> int:
        np = self._np
        voice = self.load(model)
        rate = int(voice.config.sample_rate)
        config = self._config(length_scale=length_scale, normalize_audio=False)
        gap = np.zeros(int(SENTENCE_GAP_S * rate), dtype=np.float32)
        parts: list[Any] = []
        for chunk in voice.synthesize(text, config):
            if parts:
                parts.append(gap)
            parts.append(np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1))
        audio = np.concatenate(parts) if parts else np.zeros(int(EMPTY_S * rate), dtype=np.float32)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 1e-6:
            audio = audio * (PEAK * volume / peak)
        samples = np.clip(np.round(audio * 32767.0), -32767, 32767).astype("<i2")
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(samples.tobytes())
        return len(samples)


def start() -> Handler:
    speaker = Speaker()

    def handle(job: dict[str, Any]) -> dict[str, Any]:
        if "load" in job:
            return {"sample_rate": int(speaker.load(job["load"]).config.sample_rate)}
        args = (job["text"], job["model"], float(job["length_scale"]), float(job["volume"]), job["path"])
        return {"frames": speaker.say(*args)}

    return handle


def main() -> int:
    return serve(start)


if __name__ == "__main__":
    sys.exit(main())
