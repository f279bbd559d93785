"""Written text -> spoken text: what the TTS engine says, derived from the script.

The producer's script stays as written; this pure stage derives the words the engine
speaks so it sounds like a newsreader: "2019" -> "twenty nineteen", "U.S." -> "U S",
"Sen." -> "Senator", an em dash -> a comma's pause. It walks the ordered rule table in
`broadcast.speech.rules` over the ORIGINAL text: each rule claims spans nobody has
claimed yet, so no rule ever sees another rule's output and every change keeps the
offsets of the words it replaced. A script file's inline pronunciations ({Kuhn|k'u:n})
claim their spans first, then the lexicon, so names they respell are never re-normalized.
Text that no rule claims is passed through untouched.

Audit notation of `marked()`: every change is shown inline as `{written → spoken}`,
e.g. "met in {2019 → twenty nineteen}"; a change whose spoken side is empty shows as
`{written → }`. Braces already in the text are not escaped: the notation is for people.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from broadcast.model import Cue, Pronunciation, Script, VoiceProfile
from broadcast.script.script_file import clip_spans
from broadcast.script.sentences import clip_texts
from broadcast.speech.lexicon import Entry, Lexicon, lexicon_changes
from broadcast.speech.rules import RULES, Change, Rule

__all__ = ["Change", "Spoken", "SpokenCue", "SpokenScript", "marked", "speak_script", "to_spoken"]


@dataclass(frozen=True)
class Spoken:
    text: str  # what the engine is given
    changes: tuple[Change, ...]  # in order of position; offsets in the written text


@dataclass(frozen=True)
class SpokenCue:
    """A cue as the engine hears it: one Spoken per sentence (or piece of a long one), each one clip."""

    cue: Cue
    engine: str  # the engine of the cue's voice: it decides how the lexicon respells
    written: tuple[str, ...]  # the cue's sentences (long ones in pieces) as written
    spoken: tuple[Spoken, ...]  # the same sentences, as spoken


@dataclass(frozen=True)
class SpokenScript:
    """The one spoken form of a script: what `script --spoken` shows is what the build speaks."""

    script: Script
    cues: tuple[SpokenCue, ...]


def speak_script(script: Script, lexicon: Lexicon | None, profile: Callable[[str], VoiceProfile]) -> SpokenScript:
    """Split each cue into sentences first, then normalize each sentence on its own:
    the sentence is the unit the engine receives, so an abbreviation is expanded in
    the same piece of text that is spoken ("Maj. Gen." never straddles two clips).
    A sentence too long for one clip is broken at its clauses first, and each piece is
    a clip of its own, with its written side kept so captions follow the pieces.
    `profile` gives the voice of a role; its engine decides how the lexicon respells."""
    cues = []
    for cue in script.cues:
        engine = profile(cue.role).engine
        spans = clip_spans(cue) if cue.pronunciations else None
        written = tuple(cue.text[s:e] for s, e in spans) if spans is not None else clip_texts(cue.text)
        inline = _pronounced(cue, spans, lexicon, engine) if spans is not None else [[] for _ in written]
        spoken = tuple(to_spoken(s, lexicon, engine, said) for s, said in zip(written, inline, strict=True))
        cues.append(SpokenCue(cue, engine, written, spoken))
    return SpokenScript(script, tuple(cues))


def find_entry(lexicon: Lexicon | None, text: str) -> Entry | None:
    """The lexicon entry a script file names ({Kuhn|@Kuhn}), matched as the lexicon matches."""
    key = " ".join(text.split())
    for entry in lexicon.entries if lexicon else ():
        other = " ".join(entry.text.split())
        if other == key or (not entry.case_sensitive and other.casefold() == key.casefold()):
            return entry
    return None


def _pronounced(cue: Cue, spans: Sequence[tuple[int, int]], lexicon: Lexicon | None, engine: str) -> list[list[Change]]:
    """The cue's inline pronunciations as changes of each clip's text (offsets in the clip)."""
    out: list[list[Change]] = [[] for _ in spans]
    for k, (start, end) in enumerate(spans):
        for p in cue.pronunciations:
            if start <= p.start and p.end <= end:
                text = cue.text[p.start : p.end]
                said = _say(p, text, lexicon, engine)
                out[k].append(Change(p.start - start, p.end - start, text, said, "pronunciation"))
    return out


def _say(p: Pronunciation, text: str, lexicon: Lexicon | None, engine: str) -> str:
    entry = find_entry(lexicon, p.entry) if p.entry else Entry(text, p.say or text, p.espeak)
    return entry.spoken(engine) if entry else text


class _Claims:
    """Non-overlapping spans already owned by the lexicon or an earlier rule."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)
        if i and self._ends[i - 1] > start:
            return False
        return i == len(self._starts) or self._starts[i] >= end

    def next_start(self, start: int, end: int) -> int | None:
        """Where the first claimed span inside (start, end) begins, if one does."""
        i = bisect.bisect_right(self._starts, start)
        return self._starts[i] if i < len(self._starts) and self._starts[i] < end else None

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


def _walk(rule: Rule, text: str, claims: _Claims) -> list[Change]:
    changes = []
    pos = 0
    while (m := rule.pattern.search(text, pos)) is not None:
        start, end = m.span()
        if end > start and not claims.free(start, end) and (limit := claims.next_start(start, end)) is not None:
            # A longer match runs into a span another rule owns ("$20-11 September"): the
            # part before that span may still be this rule's ("$20"), as on a second pass.
            m = rule.pattern.match(text, start, limit) or m
            start, end = m.span()
        spoken = rule.speak(m) if end > start and claims.free(start, end) else None
        if spoken is None:  # taken, empty, or the rule is unsure: try one character on
            pos = start + 1
            continue
        claims.add(start, end)
        if spoken != m.group():
            changes.append(Change(start, end, m.group(), spoken, rule.name))
        pos = end
    return changes


def to_spoken(
    text: str, lexicon: Lexicon | None = None, engine: str = "pyttsx3", said: Sequence[Change] = ()
) -> Spoken:
    """The words the engine should say for `text`, `said` (a script file's pronunciations)
    taken first. Deterministic and idempotent."""
    claims = _Claims()
    changes = [c for c in said if c.spoken != c.written]
    for c in said:
        claims.add(c.start, c.end)
    for c in lexicon_changes(text, lexicon, engine):
        if claims.free(c.start, c.end):
            claims.add(c.start, c.end)
            changes.append(c)
    for rule in RULES:
        changes += _walk(rule, text, claims)
    changes.sort(key=lambda c: c.start)
    out, at = [], 0
    for c in changes:
        out += [text[at : c.start], c.spoken]
        at = c.end
    out.append(text[at:])
    return Spoken("".join(out), tuple(changes))


def marked(spoken: Spoken | str, lexicon: Lexicon | None = None, engine: str = "pyttsx3") -> str:
    """The written text with every change shown inline as {written → spoken}.

    Given a Spoken, the written text is rebuilt from it (the text between changes is
    the same in both); given a string, it is normalized first.
    """
    if isinstance(spoken, str):
        spoken = to_spoken(spoken, lexicon, engine)
    out, at, pos = [], 0, 0  # `at` walks the written text, `pos` the spoken text
    for c in spoken.changes:
        kept = c.start - at
        out += [spoken.text[pos : pos + kept], f"{{{c.written} → {c.spoken}}}"]
        pos += kept + len(c.spoken)
        at = c.end
    out.append(spoken.text[pos:])
    return "".join(out)
