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
