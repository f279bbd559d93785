"""The values that pass between stages. All frozen: a stage returns new values."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Bio:
    name: str
    text: str


@dataclass(frozen=True)
class Article:
    headline: str
    body: tuple[str, ...]  # paragraphs in order; the dateline is removed from the first
    site: str = ""  # station or publication the page belongs to
    authors: tuple[str, ...] = ()
    dateline: str = ""  # as printed, e.g. "MOSCOW"
    published: datetime | None = None  # timezone-aware when the page names a zone
    attribution: tuple[str, ...] = ()  # "X contributed reporting from Y" lines
    copyright: str = ""  # e.g. "2023 NPR"
    source_url: str = ""  # the site or page the copyright notice points to
    bios: tuple[Bio, ...] = ()
    language: str = "en"


class Part(enum.Enum):
    INTRO = "INTRO"
    BODY = "BODY"
    ATTRIBUTION = "ATTRIBUTION"
    OUTRO = "OUTRO"


@dataclass(frozen=True)
class Cue:
    part: Part
    role: str  # a voice role: "host", "reporter"
    text: str  # display text, as the producer reviews it


@dataclass(frozen=True)
class Script:
    title: str
    source: str
    published: datetime | None
    authors: tuple[str, ...]
    cues: tuple[Cue, ...]
    lede: str = ""


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    engine: str  # "pyttsx3" (espeak-ng), "fake"
    voice: str  # the engine's voice id
    rate: int  # words per minute
    volume: float  # 0.0 .. 1.0


@dataclass(frozen=True)
class Pauses:
    """Silence in milliseconds."""

    sentence: int = 300
    paragraph: int = 600
    part: int = 1100
    lead_in: int = 0
    tail: int = 0


@dataclass(frozen=True)
class CueTiming:
    index: int
    part: Part
    role: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class SentenceTiming:
    cue: int  # index of the cue the sentence belongs to
    role: str
    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Chapter:
    title: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Timeline:
    """Where each cue lands in the final audio."""

    cues: tuple[CueTiming, ...]
    duration_ms: int
    chapters: tuple[Chapter, ...] = field(default=())
    sentences: tuple[SentenceTiming, ...] = field(default=())
