"""Speech engines behind one interface, the table that names them, and the checks every clip must pass.

The names load on first use: a worker process (python -m broadcast.speech.engines.pyttsx3_worker)
imports this package before its own module and needs none of them (0.04 s a worker).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from broadcast.speech.engines.clips import clip_problem, expected_ms, synthesize_checked, wav_duration_ms
    from broadcast.speech.engines.engine import Engine, VoiceInfo
    from broadcast.speech.engines.table import engine_names, open_engine, reads_phonemes, register_engine

_HOMES = {
    "Engine": "engine",
    "VoiceInfo": "engine",
    "clip_problem": "clips",
    "expected_ms": "clips",
    "synthesize_checked": "clips",
    "wav_duration_ms": "clips",
    "engine_names": "table",
    "open_engine": "table",
    "reads_phonemes": "table",
    "register_engine": "table",
}

__all__ = [
    "Engine",
    "VoiceInfo",
    "clip_problem",
    "engine_names",
    "expected_ms",
    "open_engine",
    "reads_phonemes",
    "register_engine",
    "synthesize_checked",
    "wav_duration_ms",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
