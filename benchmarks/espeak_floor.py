"""The floor of the job: text spoken by the espeak-ng library directly, encoded once by ffmpeg.

No pyttsx3, no pydub, no tags: ctypes straight into libespeak-ng (the system's,
else espeakng-loader's), then one ffmpeg run. Usage: espeak_floor.py TEXTFILE OUT.mp3
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

from broadcast.audio.ffmpeg import find_tool
from broadcast.speech.engines.espeak_library import system_library

_SYNCHRONOUS = 0x02  # AUDIO_OUTPUT_SYNCHRONOUS
_CHARS_UTF8 = 1
_POS_CHARACTER = 1


def speak(text: str, voice: bytes = b"gmw/en-us") -> tuple[bytes, int]:
    path = system_library()
    if not path:
        import espeakng_loader

        os.environ["ESPEAK_DATA_PATH"] = espeakng_loader.get_data_path()
        path = espeakng_loader.get_library_path()
    lib = ctypes.CDLL(path)
    rate = lib.espeak_Initialize(_SYNCHRONOUS, 0, None, 0)
    chunks: list[bytes] = []
    callback_type = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)

    def collect(wav: ctypes.POINTER(ctypes.c_short), n: int, _events: int) -> int:  # type: ignore[valid-type]
        if n > 0:
            chunks.append(ctypes.string_at(wav, n * 2))
        return 0

    callback = callback_type(collect)
    lib.espeak_SetSynthCallback(callback)
    lib.espeak_SetVoiceByName(voice)
    data = text.encode("utf-8")
    lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
    lib.espeak_Synchronize()
    return b"".join(chunks), rate


def main() -> int:
    text = Path(sys.argv[1]).read_text(encoding="utf-8")
    pcm, rate = speak(text)
    subprocess.run(
        [
            find_tool("ffmpeg"),
            "-v",
            "error",
            "-y",
            "-f",
            "s16le",
            "-ar",
            str(rate),
            "-ac",
            "1",
            "-i",
            "pipe:0",
            "-ar",
            "44100",
            "-c:a",
            "libmp3lame",
            "-b:a",
            "96k",
            sys.argv[2],
        ],
        input=pcm,
        check=True,
    )
    print(f"{len(pcm) / 2 / rate:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
