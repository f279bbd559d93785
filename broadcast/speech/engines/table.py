"""The engine table: the one list of engines a voice profile may name.

Engine adapters are light to import (their libraries load only inside worker
processes), so the table holds the classes themselves and what an engine is,
such as whether it reads phoneme markup, is read from its class.

register_engine() is the one way to add an engine; the test suite uses it for
its fake engine, which the shipped package does not know.
"""

from __future__ import annotations

from broadcast.errors import ConfigError
from broadcast.speech.engines.engine import Engine
from broadcast.speech.engines.piper_engine import PiperEngine
from broadcast.speech.engines.pyttsx3_engine import Pyttsx3Engine

_TABLE: dict[str, type[Engine]] = {cls.name: cls for cls in (Pyttsx3Engine, PiperEngine)}


def register_engine(cls: type[Engine]) -> None:
    """Make `cls` available under `cls.name` to voice profiles in this process."""
    _TABLE[cls.name] = cls


def engine_names() -> tuple[str, ...]:
    return tuple(_TABLE)


def _engine_class(name: str) -> type[Engine]:
    if name not in _TABLE:
        raise ConfigError(f"unknown engine {name!r} (known: {', '.join(sorted(_TABLE))})")
    return _TABLE[name]


def open_engine(name: str) -> Engine:
    return _engine_class(name)()


def reads_phonemes(name: str) -> bool:
    """Whether engine `name` reads espeak [[phonemes]]; an engine not in the table reads none."""
    cls = _TABLE.get(name)
    return cls is not None and cls.reads_phonemes


def engine_lanes(name: str) -> int:
    """How many of engine `name`'s workers may speak at once (its class's `lanes`, else 1)."""
    return int(getattr(_engine_class(name), "lanes", 1))
