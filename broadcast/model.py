"""The values that pass between stages. All frozen: a stage returns new values."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


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
    source_url: str = ""  # the article's page, else the site the copyright notice points to
    page_url: str = ""  # the article's own page (fetched, or the HTML's canonical link); "" for a text copy
    bios: tuple[Bio, ...] = ()
    language: str = "en"
    title_derived: bool = False  # the page printed no headline: the title was made from the lede
    identity: str = ""  # the episode's identity when one was recorded (a script file's ID line)


class Part(enum.Enum):
    INTRO = "INTRO"
    BODY = "BODY"
    ATTRIBUTION = "ATTRIBUTION"
    OUTRO = "OUTRO"


@dataclass(frozen=True)
class Pronunciation:
    """How to say text[start:end] of a cue, set in a script file ({Kuhn|k'u:n}); the text stays as written."""

    start: int
    end: int
    espeak: str = ""  # espeak-ng phoneme mnemonics, for engines that read them
    say: str = ""  # a respelling, for engines that do not ("" = the written form)
    entry: str = ""  # the lexicon entry to say it as ({Kuhn|@Kuhn}); then espeak and say are ""


@dataclass(frozen=True)
class Cue:
    part: Part
    role: str  # a voice role: "host", "reporter", "guest1" ...
    text: str  # display text, as the producer reviews it
    speaker: str = ""  # who speaks it, when the page names them (a transcript's speaker label)
    # A script file's edits; every other stage reads `text`, which stays plain.
    voice: str = ""  # the role's engine's voice id for this cue ("" = the role's profile)
    rate: int = 0  # words per minute for this cue (0 = the role's profile)
    pause_ms: int | None = None  # silence before this cue instead of the computed gap
    pronunciations: tuple[Pronunciation, ...] = ()  # in order, not overlapping


@dataclass(frozen=True)
class Script:
    title: str
    source: str
    published: datetime | None
    authors: tuple[str, ...]
    cues: tuple[Cue, ...]
    lede: str = ""
    title_derived: bool = False  # the page had no headline: the title was made from the lede


@dataclass(frozen=True)
class Casting:
    """Who reads a transcript's speakers: names the producer cast, and the guest roles to deal out."""

    speakers: tuple[tuple[str, str], ...] = ()  # (speaker name, voice role), from voices/roles.toml
    guests: tuple[str, ...] = ("guest1", "guest2")  # voice roles for guests, in order of first appearance


@dataclass(frozen=True)
class VoiceProfile:
    name: str
    engine: str  # a name in the engine table: "pyttsx3" (espeak-ng), "piper" (optional extra)
    voice: str  # the engine's voice id
    rate: int  # words per minute
    volume: float  # 0.0 .. 1.0


@dataclass(frozen=True)
class Pauses:
    """Silence in milliseconds."""

    sentence: int = 300
    paragraph: int = 600
    part: int = 1100
    lead_in: int = 500  # room tone before the first word
    tail: int = 1500  # room tone after the last


@dataclass(frozen=True)
class MusicPlan:
    intro: Path | None = None  # sting before the segment
    outro: Path | None = None  # sting after it
    bed: Path | None = None  # music under the host intro
    bed_lead_ms: int = 2000  # bed alone at full level before the host speaks
    bed_tail_ms: int = 1000  # bed fading out after the host intro ends
    duck_db: float = 15.0  # bed level under speech, below its full level
    fade_ms: int = 500  # duck and fade ramps
    music_gain_db: float = -6.0  # music relative to its file level
    room_tone_db: float = -70.0  # RMS of room tone, dBFS; set -120 to turn off


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
