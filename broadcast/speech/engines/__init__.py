"""Speech engines behind one interface, the table that names them, and the checks every clip must pass."""

from __future__ import annotations

from broadcast.speech.engines.clips import clip_problem, expected_ms, synthesize_checked, wav_duration_ms
from broadcast.speech.engines.engine import Engine, VoiceInfo
from broadcast.speech.engines.table import engine_names, open_engine, reads_phonemes, register_engine

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
