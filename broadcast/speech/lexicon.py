"""The newsroom's pronunciation lexicon: names and words every engine must say right.

A lexicon maps a written word or phrase to a respelling ("KELL-uh-men") that any
engine can read, and optionally to espeak phonemes that the pyttsx3 (espeak-ng)
engine reads exactly, as [[...]] markup. The file format is documented at the top
of voices/lexicon.toml; W3C PLS 1.0 import and export let other tools share it.
"""

from __future__ import annotations

import functools
import re
import tomllib
import xml.etree.ElementTree as ET
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path

from broadcast.config_file import read_config_file
from broadcast.errors import ConfigError
from broadcast.speech.engines import reads_phonemes
from broadcast.speech.rules import Change

PLS_NS = "http://www.w3.org/2005/01/pronunciation-lexicon"
# PLS has no notion of case; this foreign attribute carries it, and other tools ignore it.
CASE_NS = "urn:broadcast:lexicon"
ESPEAK_ALPHABET = "x-espeak"  # PLS allows "x-" vendor alphabets; espeak-ng's own mnemonics

_KEYS = frozenset({"text", "say", "espeak", "case_sensitive"})
_MARKUP = re.compile(r"\[\[.*?\]\]")


@dataclass(frozen=True)
class Entry:
    text: str  # a word or phrase as written
    say: str  # respelling, used by every engine
    espeak: str = ""  # espeak-ng phoneme mnemonics, used by the pyttsx3 engine
    case_sensitive: bool = True

    def spoken(self, engine: str) -> str:
        if self.espeak and reads_phonemes(engine):
            return f"[[{self.espeak}]]"
        return self.say


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...] = ()


def _key(entry: Entry) -> str:
    return " ".join(entry.text.split())


def _duplicate(seen_by_folded_key: dict[str, list[Entry]], entry: Entry) -> Entry | None:
    # Only entries whose keys fold alike can clash, so each entry is compared with a handful,
    # not with every earlier one (10,000 entries would take a minute).
    for seen in seen_by_folded_key.get(_key(entry).casefold(), ()):
        # Two entries clash when some written form would match both.
        if _key(seen) == _key(entry) or not (seen.case_sensitive and entry.case_sensitive):
            return seen
    return None


def _build(items: list[dict[str, object]], where: str) -> Lexicon:
    entries: list[Entry] = []
    by_folded_key: dict[str, list[Entry]] = {}
    for n, item in enumerate(items, 1):
        label = f"{where}: entry {n}"
        if not isinstance(item, dict):
            raise ConfigError(f"{label} is not a table")
        unknown = sorted(set(item) - _KEYS)
        if unknown:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{label} has unknown key {unknown[0]!r} (known: {known})")
        for key in ("text", "say"):
            if key not in item:
                raise ConfigError(f"{label} is missing {key!r}")
        for key in ("text", "say", "espeak"):
            value = item.get(key, "")
            if not isinstance(value, str) or (key != "espeak" and not value.strip()):
                raise ConfigError(f"{label}: {key!r} must be a non-empty string")
            if "[[" in value or "]]" in value:
                raise ConfigError(f"{label}: {key!r} must not contain [[ or ]]")
        case = item.get("case_sensitive", True)
        if not isinstance(case, bool):
            raise ConfigError(f"{label}: 'case_sensitive' must be true or false")
        entry = Entry(str(item["text"]).strip(), str(item["say"]).strip(), str(item.get("espeak", "")).strip(), case)
        clash = _duplicate(by_folded_key, entry)
        if clash is not None:
            raise ConfigError(f"{label}: {entry.text!r} duplicates an earlier entry {clash.text!r}")
        entries.append(entry)
        by_folded_key.setdefault(_key(entry).casefold(), []).append(entry)
    return Lexicon(tuple(entries))


def load_lexicon(path: Path) -> Lexicon:
    """Read a lexicon TOML file; any problem is a one-line ConfigError naming the file."""
    try:
        raw = read_config_file(path, "lexicon").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from exc
    extra = sorted(set(data) - {"entry"})
    if extra:
        raise ConfigError(f"{path}: unknown key {extra[0]!r} (a lexicon holds only [[entry]] tables)")
    items = data.get("entry", [])
    if not isinstance(items, list):
        raise ConfigError(f"{path}: 'entry' must be an array of tables ([[entry]])")
    return _build(items, str(path))


# --- matching ------------------------------------------------------------------------


def _phrase(entry: Entry) -> str:
    # Any run of spaces or a line break may separate the words of a phrase.
    body = r"\s+".join(re.escape(w) for w in entry.text.split())
    return body if entry.case_sensitive else f"(?i:{body})"


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=32)
def _index(lexicon: Lexicon) -> tuple[dict[str, list[tuple[int, re.Pattern[str]]]], re.Pattern[str] | None]:
    """Entries by the first word they start with, longest phrase first; entries that start
    with a symbol go into one pattern of their own. Looking up the words of a sentence costs
    the same for 10 entries as for 10,000 (one alternation of them all cost 0.5 s a sentence)."""
    by_word: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
    others = []
    # Longest first, so at any position a phrase wins over a word it starts with.
    for i in sorted(range(len(lexicon.entries)), key=lambda i: -len(_key(lexicon.entries[i]))):
        entry = lexicon.entries[i]
        first = _WORD.match(entry.text)
        if first is None:
            others.append(f"(?P<e{i}>{_phrase(entry)})")
            continue
        # Whole words only: "Kuhn" is not inside "Kuhnert" (the index) nor "McKuhn" (word starts only).
        by_word.setdefault(first.group().casefold(), []).append((i, re.compile(rf"{_phrase(entry)}(?!\w)")))
    rest = re.compile(rf"(?<!\w)(?:{'|'.join(others)})(?!\w)") if others else None
    return by_word, rest


def _matches(text: str, lexicon: Lexicon) -> list[tuple[int, int, int]]:
    """(start, end, entry index) of every entry found in `text`: leftmost first, longest at
    a position, none overlapping."""
    by_word, rest = _index(lexicon)
    found = []
    for m in _WORD.finditer(text):
        for i, pattern in by_word.get(m.group().casefold(), ()):
            if (hit := pattern.match(text, m.start())) is not None:
                found.append((hit.start(), hit.end(), i))
                break
    if rest is not None:
        found += [(m.start(), m.end(), int(m.lastgroup[1:])) for m in rest.finditer(text)]  # type: ignore[index]
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, int]] = []
    for start, end, i in found:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, i))
    return kept


def lexicon_changes(text: str, lexicon: Lexicon | None, engine: str = "pyttsx3") -> list[Change]:
    """Where the lexicon applies in `text`, with offsets in `text`."""
    if not lexicon or not lexicon.entries:
        return []
    # Phoneme markup already in the text is spoken as is, never matched into.
    protected = [m.span() for m in _MARKUP.finditer(text)]
    changes = []
    for start, end, i in _matches(text, lexicon):
        if any(s < end and start < e for s, e in protected):
            continue
        entry = lexicon.entries[i]
        changes.append(Change(start, end, text[start:end], entry.spoken(engine), "lexicon"))
    return changes


# --- W3C Pronunciation Lexicon Specification 1.0 ------------------------------------


def export_pls(lexicon: Lexicon) -> str:
    """PLS 1.0 XML: <alias> holds the respelling, <phoneme> the espeak mnemonics."""
    from xml.sax.saxutils import escape  # only here: it loads urllib.request, which a build does not need

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<lexicon version="1.0" xmlns="{PLS_NS}" xmlns:bc="{CASE_NS}"',
        f'         alphabet="{ESPEAK_ALPHABET}" xml:lang="en-US">',
    ]
    for e in lexicon.entries:
        case = "" if e.case_sensitive else ' bc:case-sensitive="false"'
        lines.append(f"  <lexeme{case}>")
        lines.append(f"    <grapheme>{escape(e.text)}</grapheme>")
        if e.espeak:
            lines.append(f"    <phoneme>{escape(e.espeak)}</phoneme>")
        lines.append(f"    <alias>{escape(e.say)}</alias>")
        lines.append("  </lexeme>")
    lines.append("</lexicon>")
    return "\n".join(lines) + "\n"


def _refuse_dtd(data: bytes, path: Path) -> None:
    """A lexicon has no business declaring a DOCTYPE or entities (billion laughs, XXE)."""

    def refuse(*_: object) -> None:
        raise ConfigError(f"{path}: DOCTYPE and entity declarations are not allowed in a lexicon")

    parser = xml.parsers.expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ConfigError(f"{path}: malformed XML: {exc}") from exc


def import_pls(path: Path) -> Lexicon:
    """Read a PLS 1.0 file. Phonemes are kept only in the x-espeak alphabet; a lexeme
    with neither an alias nor espeak phonemes cannot be spoken and is an error."""
    data = read_config_file(path, "lexicon")
    _refuse_dtd(data, path)
    root = ET.fromstring(data)
    q = f"{{{PLS_NS}}}"
    if root.tag != f"{q}lexicon":
        raise ConfigError(f"{path}: not a PLS lexicon (root element {root.tag!r})")
    alphabet = root.get("alphabet", "")
    items: list[dict[str, object]] = []
    for n, lexeme in enumerate(root.iter(f"{q}lexeme"), 1):
        graphemes = [(g.text or "").strip() for g in lexeme.findall(f"{q}grapheme")]
        alias = next(((a.text or "").strip() for a in lexeme.findall(f"{q}alias")), "")
        espeak = next(
            (
                (p.text or "").strip()
                for p in lexeme.findall(f"{q}phoneme")
                if p.get("alphabet", alphabet) == ESPEAK_ALPHABET
            ),
            "",
        )
        if not any(graphemes):
            raise ConfigError(f"{path}: lexeme {n} has no grapheme")
        if not alias and not espeak:
            raise ConfigError(f"{path}: lexeme {graphemes[0]!r} has neither an alias nor {ESPEAK_ALPHABET} phonemes")
        case = lexeme.get(f"{{{CASE_NS}}}case-sensitive", "true").strip().lower() != "false"
        for g in filter(None, graphemes):
            item: dict[str, object] = {"text": g, "say": alias or g, "case_sensitive": case}
            if espeak:
                item["espeak"] = espeak
            items.append(item)
    return _build(items, str(path))
