"""A radio transcript's speaker labels and stage directions: one home for what they look
like, read by the line roles (a label line belongs to the story), the title from the lede
(the label is not the title) and the script's speaker turns (the label decides the voice)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# One word of a name as transcripts print it: upper case ("GARCIA-NAVARRO", "O'BRIEN",
# "McDONALD"), an initial ("J."), or a number ("UNIDENTIFIED PERSON #1").
_NAME_WORD = r"(?:[A-Z](?:[A-Za-z'’\-]*[A-Z])?\.?|#?\d+)"
LABEL = re.compile(
    rf"(?P<name>{_NAME_WORD}(?: {_NAME_WORD}){{0,4}})"  # the speaker
    r"(?:, (?P<role>[^:\n]{1,80}))?"  # what they are: "HOST", "BYLINE", "Artistic Director, ..."
    r":(?:\s+(?P<rest>.*)|$)",
    re.DOTALL,
)
# Upper-case words with a colon that head a paragraph without naming a speaker.
NOT_SPEAKERS = frozenset(
    {
        "UPDATE",
        "UPDATED",
        "NOTE",
        "EDITOR'S NOTE",
        "EDITORS NOTE",
        "CORRECTION",
        "CLARIFICATION",
        "RELATED",
        "READ MORE",
        "WATCH",
        "LISTEN",
        "TRANSCRIPT",
        "PHOTOS",
        "VIDEO",
        "SOURCE",
        "SOURCES",
        "BREAKING",
        "ALSO",
        "ATTN",
        "FILE",
    }
)
# A direction for the listener of the original broadcast, not words anyone says:
# "(SOUNDBITE OF ARCHIVED BROADCAST)", "(LAUGHTER)", "(BEGIN VIDEO CLIP)".
STAGE_DIRECTION = re.compile(r"\((?=[^)]*[A-Z]{3})[A-Z0-9 ,.'’&/#-]+\)")


@dataclass(frozen=True)
class Label:
    name: str  # as printed, upper case: "ANTHONY KUHN"
    role: str  # the descriptor after the comma: "BYLINE", "host", ""
    rest: str  # the paragraph after the label ("" when the label stands on its own line)


def speaker_label(paragraph: str) -> Label | None:
    """The speaker label that opens a paragraph; None when it opens with ordinary text."""
    match = LABEL.match(paragraph.strip())
    if (
        not match
        or match["name"].upper() in NOT_SPEAKERS
        or sum(c.isalpha() for c in match["name"]) < 2
        or any(w.isdigit() for w in match["name"].split())  # "JUNE 27, 2024:" is a live blog's time stamp
    ):
        return None
    return Label(match["name"], (match["role"] or "").strip(), (match["rest"] or "").strip())


def is_stage_direction(paragraph: str) -> bool:
    return STAGE_DIRECTION.fullmatch(paragraph.strip()) is not None


def without_label(paragraph: str) -> str:
    """The words of a paragraph without the speaker label that opens it ("" for a label line)."""
    label = speaker_label(paragraph)
    return label.rest if label else paragraph.strip()
