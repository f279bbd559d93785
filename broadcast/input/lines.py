"""The lines of a page copy and the shape evidence each one carries.

Evidence here is about the shape of text, not about any one site: how many words,
whether the line ends like a sentence, how many of its words are function words
(prose is full of "the", "of", "and"; menus, names and labels are not), how it is
capitalized, and whether the page prints the same line twice (captions and titles repeat).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
SENTENCE_END = re.compile(r"(?:[.!?…]|\.\.\.)[\"'”\u2019)\]]*$")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f'\u2019]+")
_ABBREVIATION_END = re.compile(r"\b(?:[A-Z]\.){2,}$")
BULLET = re.compile(r"^[•·▪◦‣*]\s*")

# The commonest English function words: prose is about half of them, labels almost none.
_FUNCTION_WORDS = """a an the and or but if of to in on at by for from with as into about over after before
    than then that this these those there here it its he she they we you i his her their our
    your is are was were be been being has have had do does did will would can could should
    may might must not no so up out who whom which what when where while how all some more
    most other such only also just very says said"""
FUNCTION_WORDS = frozenset(_FUNCTION_WORDS.split())


@dataclass(frozen=True)
class Line:
    text: str
    number: int  # 1-based line number in the input, of the line's first source line
    block: int  # lines of one block have no blank line between them
    repeats: int = 1  # how many lines of the page have exactly this text

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def ends_sentence(self) -> bool:
        # "Severe Weather Hits Central U.S." ends in an abbreviation, not a sentence.
        if _ABBREVIATION_END.search(self.text) and self.capital_ratio >= 0.8:
            return False
        return SENTENCE_END.search(self.text) is not None

    @property
    def function_ratio(self) -> float:
        words = _WORD.findall(self.text.lower())
        return sum(w in FUNCTION_WORDS for w in words) / len(words) if words else 0.0

    @property
    def capital_ratio(self) -> float:
        """Share of words that start with a capital: near 1 in Title Case, about 0.15 in prose."""
        words = _WORD.findall(self.text)
        return sum(w[0].isupper() for w in words) / len(words) if words else 0.0

    @property
    def bulleted(self) -> bool:
        return BULLET.match(self.text) is not None


def page_lines(text: str) -> tuple[Line, ...]:
    """Non-blank lines with their number and block; hard-wrapped prose is re-joined."""
    out: list[Line] = []
    block = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _SPACES.sub(" ", _INVISIBLE.sub("", raw)).strip()
        if not line:
            block += 1
            continue
        prev = out[-1] if out else None
        # A long line without an end, continued in lower case, is one wrapped paragraph.
        if (
            prev is not None
            and prev.block == block
            and len(prev.text.split()) >= 8
            and not SENTENCE_END.search(prev.text)
            and (line[0].islower() or prev.text[-1] in ",;\u2014\u2013-")
        ):
            out[-1] = Line(f"{prev.text} {line}", prev.number, block)
            continue
        out.append(Line(line, number, block))
    counts = Counter(line.text for line in out)
    return tuple(Line(line.text, line.number, line.block, counts[line.text]) for line in out)
