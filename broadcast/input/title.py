"""The headline: the best title-shaped line above the story, or one made from its lede."""

from __future__ import annotations

import re
from collections.abc import Sequence

from broadcast.input.lines import BULLET, FUNCTION_WORDS, Line

MAX_TITLE_CHARS = 90
_WORD = re.compile(r"[a-z\u00c0-\u024f'\u2019]+")
TITLE_WORDS = (3, 30)
_ABBREVIATION = re.compile(r"\b(?:[A-Z]\.){2,}$")
_TITLE_END = re.compile(r"[^.,;:\s]$")  # a headline does not end like a sentence or a label
# Lines that introduce metadata: a title right above them is the page's headline.
_META_KINDS = frozenset({"byline", "date"})
# Where a long first sentence can be cut and still read as a title.
_CLAUSE = re.compile(r"\s*(?:[,;:]|\s[—\u2013-]{1,2})\s")


def title_shaped(line: Line) -> bool:
    low, high = TITLE_WORDS
    text = BULLET.sub("", line.text)
    return (
        low <= len(text.split()) <= high
        and len(_WORD.findall(text.lower())) >= 2
        and not text[0].islower()
        # "... Central U.S." ends in an abbreviation, which a title may.
        and (_TITLE_END.search(text) is not None or (_ABBREVIATION.search(text) is not None and not line.ends_sentence))
        and "http" not in text
        and "@" not in text
    )


def content_words(text: str) -> set[str]:
    """Lower-cased stems of the words that carry meaning: what a headline shares with its story."""
    return {w[:5] for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in FUNCTION_WORDS}


def headline_index(lines: Sequence[Line], kinds: Sequence[str], body_start: int, body_stop: int) -> int:
    """Index of the headline among lines[:body_start]; -1 when no line is title-shaped and on topic."""
    story = set().union(*(content_words(line.text) for line in lines[body_start : min(body_stop, body_start + 4)]))
    best, best_score = -1, float("-inf")
    for i in range(body_start):
        if kinds[i] not in ("heading", "other", "prose") or not title_shaped(lines[i]):
            continue
        words = content_words(lines[i].text)
        # A headline shares words with the lede; a widget label or a show name rarely does.
        overlap = len(words & story) / len(words) if words else 0.0
        score = 4.0 * overlap - 0.1 * (body_start - i)
        following = [k for k in kinds[i + 1 : body_start] if k not in ("chrome", "credit", "caption")][:2]
        if any(k in _META_KINDS for k in following):
            score += 2.0  # "Headline / By Jane Doe / Published ..."
        if i > 0 and kinds[i - 1] == "byline":
            score -= 2.0  # a second author line, not a title
        if kinds[i] == "prose" and not lines[i].text.endswith("?"):
            score -= 1.0  # a sentence above the story is a dek; a question is a headline
        if any(lines[j].text != lines[i].text and lines[i].text.endswith(lines[j].text) for j in range(i)):
            score -= 3.0  # "SHARE <headline>": a widget that quotes the title
        nearest = all(k in ("chrome", "credit", "caption") for k in kinds[i + 1 : body_start])
        if overlap == 0 and not nearest and not any(k in _META_KINDS for k in following):
            continue
        if score > best_score:
            best, best_score = i, score
    return best


def lede_title(lede: str) -> str:
    """A title from the story's first paragraph: its first sentence, cut at a clause if too long."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", lede.strip(), maxsplit=1)[0].rstrip(".!? ")
    if len(sentence) <= MAX_TITLE_CHARS:
        return sentence or lede.strip()[:MAX_TITLE_CHARS]
    cuts = [m.start() for m in _CLAUSE.finditer(sentence) if 20 <= m.start() <= MAX_TITLE_CHARS]
    if cuts:
        return sentence[: cuts[-1]]
    words = sentence[:MAX_TITLE_CHARS].split()[:-1]
    while len(words) > 3 and words[-1].lower().strip(",;:") in FUNCTION_WORDS:
        words.pop()  # "... in the morning over the" reads better as "... in the morning"
    return " ".join(words).rstrip(",;:") + "…"
