"""Transcripts (WebVTT, SRT) and Podcasting 2.0 JSON chapters from measured timings.

No speech recognition: the text is the script, the times are where each
sentence clip was placed in the final audio.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from broadcast.model import Chapter, SentenceTiming
from broadcast.script.sentences import caption_pieces

# WebVTT voice names per role (<v Host>...).
SPEAKERS = {"host": "Host", "reporter": "Reporter", "guest1": "Guest", "guest2": "Guest"}

_VTT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))


@dataclass(frozen=True)
class Caption:
    start_ms: int
    end_ms: int
    speaker: str
    text: str


def captions(sentences: Sequence[SentenceTiming], names: Sequence[str] = ()) -> tuple[Caption, ...]:
    """Sentence-level captions; a long sentence is split and its time shared by length.
    `names[i]` is who speaks cue i when the page names them (a transcript's speakers);
    other cues are voiced by their role ("Host", "Reporter")."""
    out = []
    for s in sentences:
        pieces = caption_pieces(s.text)
        total = sum(len(p) for p in pieces)
        start = s.start_ms
        named = names[s.cue] if s.cue < len(names) else ""
        speaker = named or SPEAKERS.get(s.role, s.role.title())
        for n, piece in enumerate(pieces):
            end = s.end_ms if n == len(pieces) - 1 else start + round((s.end_ms - s.start_ms) * len(piece) / total)
            out.append(Caption(start, end, speaker, piece))
            start = end
    return tuple(out)


def _stamp(ms: int, sep: str) -> str:
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _clean(text: str) -> str:
    # A caption must not contain a blank line or "-->", which end or confuse a cue.
    return " ".join(text.split()).replace("-->", "->")


def _vtt_text(text: str) -> str:
    text = _clean(text)
    for raw, escaped in _VTT_ESCAPES:
        text = text.replace(raw, escaped)
    return text


def _vtt_voice(name: str) -> str:
    return _vtt_text(name).replace(">", "")


def render_vtt(caps: Sequence[Caption]) -> str:
    blocks = ["WEBVTT"]
    for n, c in enumerate(caps, 1):
        blocks.append(
            f"{n}\n{_stamp(c.start_ms, '.')} --> {_stamp(c.end_ms, '.')}\n"
            f"<v {_vtt_voice(c.speaker)}>{_vtt_text(c.text)}"
        )
    return "\n\n".join(blocks) + "\n"


def render_srt(caps: Sequence[Caption]) -> str:
    blocks = [
        f"{n}\n{_stamp(c.start_ms, ',')} --> {_stamp(c.end_ms, ',')}\n{_clean(c.text)}" for n, c in enumerate(caps, 1)
    ]
    return "\n\n".join(blocks) + "\n"


def render_chapters_json(chapters: Sequence[Chapter]) -> str:
    """JSON Chapters 1.2, startTime ascending, in seconds."""
    doc = {
        "version": "1.2",
        "chapters": [
            {"startTime": round(c.start_ms / 1000, 3), "endTime": round(c.end_ms / 1000, 3), "title": c.title}
            for c in sorted(chapters, key=lambda c: c.start_ms)
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
