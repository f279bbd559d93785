"""Split display text into sentences, and long sentences into caption-sized pieces."""

from __future__ import annotations

import re

from broadcast.vocabulary import VOCABULARY

# Words ending in a period that do not end a sentence, lower-cased: the vocabulary's
# abbreviations, the same ones the speech rules expand ("Maj." is both).
_ABBREVIATIONS = frozenset(a.lower() for a in VOCABULARY.non_terminal())
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, space, then an opener.
_BOUNDARY = re.compile(r"""([.?!…]+["'”’)\]]*)\s+(?=["'“‘(\[]?[A-Z0-9])""")
_INITIALISM = re.compile(r"(?:\b[A-Za-z]\.){2,}$")  # U.S. D.C. a.m.


def _ends_sentence(before: str) -> bool:
    word = before.rsplit(None, 1)[-1] if before.split() else ""
    bare = word.rstrip(".").lstrip("\"'“‘(").lower()
    if word.endswith(".") and bare in _ABBREVIATIONS:
        return False
    # "U.S. officials": an initialism followed by a capital is usually mid-sentence;
    # at the end of a paragraph it still ends the sentence (handled by the caller).
    if _INITIALISM.search(word.rstrip("\"'”’)")):
        return False
    # A single capital initial ("John F. Kennedy").
    return not re.fullmatch(r"[A-Z]\.", word)


def split_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a cue, each one a clip; a piece with nothing to say (a lone dash
    or quote) is not a sentence."""
    text = " ".join(text.split())
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end(1)
        if _ends_sentence(text[start:end]):
            out.append(text[start:end])
            start = m.end()
    out.append(text[start:].strip())
    return tuple(s for s in out if any(ch.isalnum() for ch in s))


def caption_pieces(sentence: str, max_chars: int = 84) -> tuple[str, ...]:
    """Break a long sentence into pieces of similar length (two caption lines each),
    preferring breaks after commas, semicolons and dashes."""
    words = sentence.split(" ")
    pieces: list[str] = []
    current: list[str] = []
    for i, word in enumerate(words):
        if current:
            length = len(" ".join(current))
            rest = len(" ".join(words[i:]))
            total = length + 1 + rest
            target = total / -(-total // max_chars)  # even split of what is left
            at_pause = current[-1][-1:] in ",;:—" and length >= 0.6 * target and rest >= 0.5 * target
            if total > max_chars and (length + 1 + len(word) > max_chars or length >= target or at_pause):
                pieces.append(" ".join(current))
                current = []
        current.append(word)
    pieces.append(" ".join(current))
    return tuple(pieces)


# The longest piece of text one clip speaks. espeak-ng crashes on sentences of a few
# thousand words and slows down long before; a reader breathes at a clause anyway.
MAX_CLIP_WORDS = 60
MAX_CLIP_CHARS = 400
# Where a long sentence breaks, strongest first: after a semicolon, colon or dash, after a
# comma, before a conjunction; with none of those, at a word near the middle.
_STRONG_END = (";", ":", "—", "–")
_CONJUNCTIONS = frozenset(
    ("and", "but", "or", "nor", "so", "yet", "because", "while", "although", "though", "whereas")
    + ("which", "who", "when", "where", "after", "before", "since", "until", "unless")
)


def _break_rank(words: list[str], i: int) -> int:
    """How good a break before words[i] is: 0 best, 3 only as a last resort."""
    before = words[i - 1].rstrip("\"'”’)]")
    if before.endswith(_STRONG_END) or words[i - 1] in _STRONG_END:
        return 0
    if before.endswith(","):
        return 1
    if words[i].lower() in _CONJUNCTIONS:
        return 2
    return 3


def _fits(words: list[str], max_words: int, max_chars: int) -> bool:
    return len(words) <= max_words and sum(len(w) + 1 for w in words) - 1 <= max_chars


def clause_pieces(sentence: str, max_words: int = MAX_CLIP_WORDS, max_chars: int = MAX_CLIP_CHARS) -> tuple[str, ...]:
    """A sentence too long for one clip, broken at clause boundaries into pieces that fit;
    a sentence that fits is returned whole. The pieces joined by spaces are the sentence."""
    words = sentence.split(" ")
    if len(words) == 1 or _fits(words, max_words, max_chars):
        return (sentence,)
    # Break in the middle half when a boundary is there, so no piece is a stray word or two.
    n = len(words)
    middle = range(max(1, n // 4), max(2, n - n // 4 + 1))
    candidates = [i for i in middle if i < n]
    best = min(candidates, key=lambda i: (_break_rank(words, i), abs(2 * i - n)))
    return clause_pieces(" ".join(words[:best]), max_words, max_chars) + clause_pieces(
        " ".join(words[best:]), max_words, max_chars
    )


def clip_texts(text: str) -> tuple[str, ...]:
    """What the engine is given for a cue, one clip each: its sentences, the long ones in pieces."""
    return tuple(piece for sentence in split_sentences(text) for piece in clause_pieces(sentence))
