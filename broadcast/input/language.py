"""Which language an article is in, roughly: enough to refuse to read Spanish in an English voice.

Function words per language and Unicode script ranges, counted; a table, not a model.
"""

from __future__ import annotations

import re

# The most frequent short words of each language; few are shared across the table.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "in",
            "is",
            "that",
            "was",
            "for",
            "with",
            "on",
            "as",
            "by",
            "at",
            "from",
            "his",
            "her",
            "it",
            "be",
            "are",
            "this",
            "have",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "del",
            "que",
            "y",
            "en",
            "un",
            "una",
            "por",
            "con",
            "para",
            "es",
            "se",
            "al",
            "lo",
            "su",
            "como",
            "pero",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "et",
            "est",
            "un",
            "une",
            "que",
            "dans",
            "pour",
            "pas",
            "sur",
            "au",
            "avec",
            "ce",
            "qui",
            "il",
            "elle",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "zu",
            "den",
            "dem",
            "mit",
            "von",
            "auf",
            "für",
            "sich",
            "des",
            "im",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "lo",
            "gli",
            "della",
            "che",
            "e",
            "di",
            "un",
            "una",
            "per",
            "non",
            "sono",
            "con",
            "del",
            "nel",
            "alla",
            "anche",
            "come",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "os",
            "as",
            "do",
            "da",
            "dos",
            "das",
            "que",
            "e",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "por",
            "mais",
            "foi",
            "ao",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "is",
            "dat",
            "niet",
            "op",
            "te",
            "zijn",
            "met",
            "voor",
            "ook",
            "aan",
            "er",
            "maar",
        ]
    ),
}
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian or another Cyrillic-script language",
    "el": "Greek",
    "ar": "Arabic",
    "he": "Hebrew",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "hi": "Hindi",
    "th": "Thai",
}
# Letters of non-Latin scripts, by the language a newsroom most likely meant.
SCRIPTS: tuple[tuple[str, str], ...] = (
    ("ru", "\u0400-\u04ff"),
    ("el", "\u0370-\u03ff"),
    ("ar", "\u0600-\u06ff"),
    ("he", "\u0590-\u05ff"),
    ("ja", "\u3040-\u30ff"),
    ("ko", "\uac00-\ud7af"),
    ("zh", "\u4e00-\u9fff"),
    ("hi", "\u0900-\u097f"),
    ("th", "\u0e00-\u0e7f"),
)
_WORD = re.compile(r"[^\W\d_]+")
_MIN_WORDS = 20  # below this, any guess is noise: assume the voices' language


def guess_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of the text's language, or `default` when there is too little to tell."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return default
    for code, span in SCRIPTS:
        if len(re.findall(f"[{span}]", text)) > 0.3 * len(letters):
            return code
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < _MIN_WORDS:
        return default
    hits = {code: sum(w in table for w in words) for code, table in FUNCTION_WORDS.items()}
    best = max(hits, key=lambda code: hits[code])
    # Decide only on a clear majority: news English quotes foreign names and phrases.
    if best != default and hits[best] > 1.5 * hits.get(default, 0) and hits[best] >= 0.08 * len(words):
        return best
    return default


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


_VOICE_LANGUAGE = re.compile(r"(?:^|/)([a-z]{2,3})(?:[-_+]|$)", re.I)


def voice_language(voice_id: str) -> str:
    """'gmw/en-us' -> 'en', 'en_US-joe-medium' -> 'en'; '' when the id does not say."""
    match = _VOICE_LANGUAGE.search(voice_id)
    return match[1].lower() if match else ""


def language_problem(body: str, voice_ids: list[str]) -> str:
    """Why these voices should not read this body, or "" when they can."""
    spoken = {voice_language(v) for v in voice_ids} - {""}
    if not spoken:
        return ""
    found = guess_language(body, default=sorted(spoken)[0])
    if found in spoken:
        return ""
    voices = ", ".join(language_name(code) for code in sorted(spoken))
    return f"the article looks like {language_name(found)}, but the voices speak {voices}"
