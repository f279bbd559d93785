"""Article -> on-air Script, and the Script as a producer reviews it (pure)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence

from broadcast.model import Article, Casting, Cue, Part, Pauses, Script
from broadcast.script.sentences import split_sentences
from broadcast.script.turns import speaker_turns

# Who reads each part. A table, so recasting a part is a one-line change.
PART_ROLES: dict[Part, str] = {
    Part.INTRO: "host",
    Part.BODY: "reporter",
    Part.ATTRIBUTION: "host",
    Part.OUTRO: "host",
}

# Opening words that can follow "In <place>," in lower case without changing meaning.
_LOWERABLE_OPENERS = frozenset({"The", "A", "An", "This", "That", "These", "Those", "Officials"})
_SMALL_WORDS = frozenset({"of", "the", "and", "de", "la", "on", "upon"})
_WRAP = 76


def place_name(dateline: str) -> str:
    """'MOSCOW' -> 'Moscow', 'WASHINGTON, D.C.' -> 'Washington, D.C.', 'ST. LOUIS' -> 'St. Louis'."""
    words = []
    for i, word in enumerate(dateline.split(" ")):
        if not word.isupper() or re.fullmatch(r"(?:[A-Z]\.)+,?", word):  # initials stay as they are
            words.append(word)
        elif i and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append("-".join(p.capitalize() for p in word.split("-")))
    return " ".join(words)


def _with_dateline(dateline: str, paragraph: str) -> str:
    if not dateline:
        return paragraph
    place = place_name(dateline)
    first, _, rest = paragraph.partition(" ")
    if first in _LOWERABLE_OPENERS and rest:
        return f"In {place}, {first.lower()} {rest}"
    return f"From {place}: {paragraph}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".?!" else text + "."


def _names(names: tuple[str, ...]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


def copyright_holder(notice: str) -> str:
    """'2023 NPR' -> 'NPR'."""
    return re.sub(r"^(?:©|\(c\)|copyright)?\s*\d{4}(?:\s*[-–]\s*\d{4})?,?\s*", "", notice, flags=re.I).strip()


def intro_text(article: Article) -> str:
    parts = [_sentence(article.headline)]
    lead = f"From {article.site}" if article.site else "Here"
    if article.authors:
        reporting = f"with reporting by {_names(article.authors)}"
        handoff = f"{lead}, {reporting}, here is the story." if article.site else f"Here is the story, {reporting}."
    else:
        handoff = f"{lead}, here is the story." if article.site else "Here is the story."
    parts.append(handoff)
    return " ".join(parts)


def outro_text(article: Article) -> str:
    holder = copyright_holder(article.copyright)
    if article.site and holder and holder.lower() not in article.site.lower():
        return f"That story was from {article.site}, with reporting from {holder}."
    if article.site or holder:
        return f"That story was from {article.site or holder}."
    return "That was the story."


SHIPPED_CASTING = Casting()  # the guest roles the shipped voices have, nobody cast by name


def build_script(article: Article, casting: Casting = SHIPPED_CASTING) -> Script:
    """A transcript's body is read turn by turn in its speakers' voices (see turns.py)."""
    cues = [Cue(Part.INTRO, PART_ROLES[Part.INTRO], intro_text(article))]
    turns = speaker_turns(article.body, casting, PART_ROLES[Part.BODY])
    for i, turn in enumerate(turns):
        text = _with_dateline(article.dateline, turn.text) if i == 0 else turn.text
        cues.append(Cue(Part.BODY, turn.role, text, turn.speaker))
    for line in article.attribution:
        cues.append(Cue(Part.ATTRIBUTION, PART_ROLES[Part.ATTRIBUTION], line))
    cues.append(Cue(Part.OUTRO, PART_ROLES[Part.OUTRO], outro_text(article)))
    return Script(
        title=article.headline,
        source=article.site or copyright_holder(article.copyright),
        published=article.published,
        authors=article.authors,
        cues=tuple(cues),
        lede=turns[0].text if turns else "",  # a transcript's lede without its speaker label
        title_derived=article.title_derived,
    )


def gaps_ms(script: Script, pauses: Pauses) -> tuple[int, ...]:
    """Silence before each cue: none before the first, longer where the part changes;
    a script file's [pause] before a cue replaces its gap."""
    out = []
    for i, cue in enumerate(script.cues):
        if cue.pause_ms is not None:
            out.append(cue.pause_ms)
        elif i == 0:
            out.append(0)
        elif cue.part is script.cues[i - 1].part:
            out.append(pauses.paragraph)
        else:
            out.append(pauses.part)
    return tuple(out)


def estimate_ms(script: Script, rates: Mapping[str, int], pauses: Pauses) -> int:
    speech = sum(len(c.text.split()) * 60_000 // (c.rate or rates[c.role]) for c in script.cues)
    inside = sum(len(split_sentences(c.text)) - 1 for c in script.cues) * pauses.sentence
    return speech + inside + sum(gaps_ms(script, pauses)) + pauses.lead_in + pauses.tail


def clock(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


def render_script(
    script: Script, rates: Mapping[str, int], pauses: Pauses, blocks: Sequence[Sequence[str]] | None = None
) -> str:
    """The script as printed for review and saved as script.txt. `blocks` may show
    another form of each cue as separately wrapped blocks (the spoken form shows one
    block per sentence, each one a clip, with its changes marked; a block's wrapped
    lines hang under its first, so each clip starts at the margin)."""
    when = script.published.strftime("%Y-%m-%d %H:%M %Z").strip() if script.published else "unknown"
    used = {cue.role for cue in script.cues}  # a guest voice the script never uses is not news
    rate_note = ", ".join(f"{role} {rate} wpm" for role, rate in rates.items() if role in used)
    derived = "  (from the lede: the page has no headline)" if script.title_derived else ""
    lines = [
        f"TITLE:   {script.title}{derived}",
        f"SOURCE:  {script.source or 'unknown'}",
        f"DATE:    {when}",
        f"AUTHORS: {', '.join(script.authors) or 'unknown'}",
        f"RUNNING TIME: about {clock(estimate_ms(script, rates, pauses))} ({rate_note})",
    ]
    for n, cue in enumerate(script.cues, 1):
        who = f"{cue.role}: {cue.speaker}" if cue.speaker else cue.role
        # A script file's edits show as it writes them (see script_file.py).
        overrides = (f" voice={cue.voice}" if cue.voice else "") + (f" rate={cue.rate}" if cue.rate else "")
        if cue.pause_ms is not None:
            lines += ["", f"[pause {cue.pause_ms}ms]"]
        lines += ["", f"[{n:02d}] {cue.part.value} ({who}){overrides}"]
        hang = "      " if blocks is not None else "    "
        for block in blocks[n - 1] if blocks is not None else (cue.text,):
            lines += textwrap.wrap(block, _WRAP, initial_indent="    ", subsequent_indent=hang)
    return "\n".join(lines) + "\n"
