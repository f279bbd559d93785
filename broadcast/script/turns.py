"""A transcript's speaker turns: who says each body paragraph, and in which voice (pure).

Radio transcripts label each turn: "STEVE INSKEEP, HOST: ...", "ANTHONY KUHN, BYLINE: ...",
"JOANNE SILBERNER: ...", later just "INSKEEP: ...", sometimes a label on a line of its
own followed by paragraphs. A label is taken off the spoken text and decides the voice:
hosts read with the host profile, bylined correspondents with the reporter's, everyone
else with the guest profiles, dealt out in order of first appearance. A page is a
transcript only when at least two speakers take labelled turns; any other article is
read by the reporter, paragraph by paragraph, as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from broadcast.errors import ConfigError
from broadcast.input.speakers import Label, is_stage_direction, speaker_label
from broadcast.model import Casting

HOST_WORDS = re.compile(r"\bhost\b", re.IGNORECASE)  # "HOST", "host", "GUEST HOST"
BYLINE_WORDS = re.compile(r"\bbyline\b", re.IGNORECASE)
# The host introduces themselves in the unlabelled opening: "I'm Neal Conan in Washington."
SELF_INTRODUCTION = re.compile(r"\bI'm ((?:[A-Z][a-z'\-]+ ){1,2}[A-Z][a-z'\-]+)")
MIN_SPEAKERS = 2  # fewer labelled speakers than this is an article that happens to use a colon

HOST, REPORTER, GUEST = "host", "reporter", "guest"


@dataclass(frozen=True)
class Turn:
    text: str  # the paragraph, label taken off
    role: str  # the voice role that reads it
    speaker: str = ""  # display name ("Joanne Silberner"); "" when nobody is named


def display_name(name: str) -> str:
    """'JOANNE SILBERNER' -> 'Joanne Silberner', 'GARCIA-NAVARRO' -> 'Garcia-Navarro', 'J.' stays."""

    def word(w: str) -> str:
        if not w.isupper():  # "McDONALD": mixed case was typed on purpose
            return w
        return re.sub(r"[A-Za-z]+", lambda m: m[0].capitalize(), w)

    return " ".join(word(w) for w in name.split())


def _full_name(label: str, known: Sequence[str]) -> str:
    """A bare surname ("MARTIN", "VAN SANT") names the earlier speaker whose name ends with it."""
    for full in known:
        if full != label and full.endswith(" " + label):
            return full
    return label


@dataclass(frozen=True)
class _Said:
    speaker: str  # full upper-case name; "" for the unlabelled opening
    text: str
    label: Label | None


def _attribute(paragraphs: Sequence[str], labels: Sequence[Label | None]) -> list[_Said]:
    """Each paragraph with its speaker: a label holds until the next one. The unlabelled
    opening belongs to whoever introduces themselves in it ("I'm Neal Conan"), if anyone."""
    first = next(i for i, label in enumerate(labels) if label)
    intro = next((m[1].upper() for p in paragraphs[:first] if (m := SELF_INTRODUCTION.search(p))), "")
    known = [intro] if intro else []
    out = [_Said(intro, p, None) for p in paragraphs[:first]]
    speaker = intro
    for paragraph, label in zip(paragraphs[first:], labels[first:], strict=True):
        if label:
            speaker = _full_name(label.name, known)
            if speaker not in known:
                known.append(speaker)
            paragraph = label.rest
        out.append(_Said(speaker, paragraph, label))
    return out


def _kinds(said: Sequence[_Said]) -> dict[str, str]:
    """Each speaker's kind. A host is labelled HOST or introduces themselves ("I'm Amna Nawaz");
    a correspondent is labelled BYLINE; the rest are guests."""
    kinds: dict[str, str] = {}
    for s in said:
        kinds.setdefault(s.speaker, GUEST)
        intro = SELF_INTRODUCTION.search(s.text)
        if s.label and BYLINE_WORDS.search(s.label.role):
            kinds[s.speaker] = REPORTER
        elif (s.label and HOST_WORDS.search(s.label.role)) or (intro and intro[1].upper() == s.speaker):
            kinds[s.speaker] = HOST
    opening = said[0].label is None
    if opening:
        kinds[said[0].speaker] = HOST
    if HOST not in (k for name, k in kinds.items() if name):
        # Nobody is called host: the first named speaker is, when nothing precedes them or they
        # open with a question (an interview); otherwise the unnamed opening is the host's.
        first = next((s for s in said if s.label and kinds[s.speaker] != REPORTER), None)
        if first and (not opening or first.text.rstrip().endswith("?")):
            kinds[first.speaker] = HOST
    return kinds


def speaker_turns(paragraphs: Sequence[str], casting: Casting, reporter: str = REPORTER) -> tuple[Turn, ...]:
    """Who reads each paragraph. Not a transcript: the reporter reads every one, unchanged."""
    labels = [speaker_label(p) for p in paragraphs]
    found = [label for label in labels if label]
    if len(found) < MIN_SPEAKERS or len({label.name for label in found}) < MIN_SPEAKERS:
        return tuple(Turn(p, reporter) for p in paragraphs)
    said = _attribute(paragraphs, labels)
    cast = {name.upper(): role for name, role in casting.speakers}
    roles: dict[str, str] = {}
    guests = 0
    for full, kind in _kinds(said).items():
        named = cast.get(full) if full else None
        if named:
            roles[full] = named
        elif kind == GUEST:
            if not casting.guests:
                raise ConfigError(
                    f"the transcript's guest {display_name(full)} needs a guest voice: add guest1.toml to "
                    "the voices folder or name a guest role in roles.toml"
                )
            roles[full] = casting.guests[guests % len(casting.guests)]
            guests += 1
        else:
            roles[full] = kind
    # A label on a line of its own says who speaks the paragraphs after it, and nothing else;
    # "(SOUNDBITE OF ...)" directed the original broadcast: nobody says it.
    return tuple(
        Turn(s.text, roles[s.speaker], display_name(s.speaker))
        for s in said
        if s.text and not is_stage_direction(s.text)
    )
