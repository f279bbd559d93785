"""Child process that owns pyttsx3 and the espeak-ng library.

espeak-ng can end the whole process (exit 1 on missing data) or hang, so it
never runs inside the build process. Protocol: one JSON object per line on
stdin ({"text", "voice", "rate", "volume", "path"} or {"list_voices": true});
one JSON reply per line on the protocol pipe. pyttsx3 prints to stdout, so the
protocol uses a private copy of fd 1 and fd 1 itself is sent to stderr.
"""

from __future__ import annotations

import sys
import threading
import time
import wave
from typing import Any

from broadcast.speech.engines.espeak_library import load_espeak
from broadcast.speech.engines.worker_loop import Handler, serve

_PLAYING_WAIT_S = 5.0


def _wait_idle(espeak: Any) -> None:
    # Driver fault: properties and runAndWait() return before the library is idle.
    deadline = time.monotonic() + _PLAYING_WAIT_S
    while espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.002)


def _frames(path: str) -> int:
    try:
        with wave.open(path, "rb") as w:
            return w.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


def _accept_phonemes(espeak: Any) -> None:
    """Let [[...]] spans be read as espeak phonemes (the lexicon's pronunciations);
    without the PHONEMES flag espeak reads the brackets' contents as letters."""
    synth = espeak.Synth

    def synth_with_phonemes(*args: Any, **kwargs: Any) -> Any:
        kwargs["flags"] = kwargs.get("flags", 0) | espeak.PHONEMES
        return synth(*args, **kwargs)

    espeak.Synth = synth_with_phonemes


def _wake_when_the_utterance_ends(driver: Any) -> None:
    """Driver fault: the espeak driver polls for the end of an utterance (which espeak speaks in
    its own thread) every 10 ms, so every clip took at least 10 ms and a seven-second sentence
    11 ms where espeak needs 8. Its loop's sleep now ends when the utterance does."""
    ended = threading.Event()
    start_loop, end_loop = driver.startLoop, driver.endLoop

    def start() -> None:
        ended.clear()
        start_loop()

    def end() -> None:
        end_loop()
        ended.set()

    class Clock:
        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            ended.wait(seconds)

    driver.startLoop, driver.endLoop = start, end
    sys.modules[type(driver).__module__].time = Clock()  # type: ignore[attr-defined]


class Speaker:
    def __init__(self) -> None:
        load_espeak()
        import pyttsx3
        from pyttsx3.drivers import _espeak

        self._espeak = _espeak
        _accept_phonemes(_espeak)
        self._engine = pyttsx3.init("espeak")
        self._driver = self._engine.proxy._driver
        _wake_when_the_utterance_ends(self._driver)
        # Driver fault: the first runAndWait() after init returns early and its
        # audio lands in the next file. Spend it on nothing.
        self._engine.runAndWait()
        _wait_idle(_espeak)

    def voices(self) -> list[dict[str, Any]]:
        return [
            {"id": v.id, "name": v.name, "languages": list(v.languages or []), "gender": v.gender}
            for v in self._engine.getProperty("voices")
        ]

    def say(self, text: str, voice: str, rate: int, volume: float, path: str) -> int:
        # Driver fault: properties set through the engine queue are dropped;
        # set them on the driver and wait for the library to settle.
        self._driver.setProperty("voice", voice)
        self._driver.setProperty("rate", rate)
        self._driver.setProperty("volume", volume)
        _wait_idle(self._espeak)
        # Driver fault: several save_to_file calls per runAndWait keep only the last.
        self._engine.save_to_file(text, path)
        self._engine.runAndWait()
        _wait_idle(self._espeak)
        return _frames(path)


def start() -> Handler:
    speaker = Speaker()

    def handle(job: dict[str, Any]) -> dict[str, Any]:
        if job.get("list_voices"):
            return {"voices": speaker.voices()}
        return {"frames": speaker.say(job["text"], job["voice"], job["rate"], job["volume"], job["path"])}

    return handle


def main() -> int:
    return serve(start)


if __name__ == "__main__":
    sys.exit(main())
