"""The editable script file: the script as a producer reviews it, which `build` reads back (pure).

It reads like the printed review script (a header, then `[03] BODY (reporter)` and the text
indented under it), with what the episode needs from the article in the header, per-cue
voice and rate overrides, `[pause 800ms]` lines and inline pronunciations. The format is
documented in the README ("Script files"); `parse_script_file(render_script_file(f)) == f`.
A malformed file is reported whole: every problem with its line number, in one error.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from broadcast.errors import ArticleError
from broadcast.input.identity import recorded_identity
from broadcast.model import Article, Bio, Cue, Part, Pronunciation, Script
from broadcast.script.sentences import clip_texts
from broadcast.script.write import copyright_holder

MARKER = "# broadcast script"
VERSION = 1
_GUIDE = '# Edit the cues, then build from this file: broadcast build FILE (README, "Script files").'
RATES = (60, 500)  # words per minute a cue may ask for
PAUSES = (0, 10_000)  # milliseconds a [pause] may ask for
YEARS = (1900, 2100)
_WRAP = 76
_INDENT = "    "
_BLANKS = " \t\r\f\v"  # blanks at the ends of a line or a value (the newline separates lines)


@dataclass(frozen=True)
class ScriptFile:
    """An episode as its script file holds it: the article's facts and the cues as edited."""

    title: str
    cues: tuple[Cue, ...]
    site: str = ""
    published: datetime | None = None
    authors: tuple[str, ...] = ()
    url: str = ""  # the article's own page (Article.page_url)
    link: str = ""  # the page, else the site the copyright points to (Article.source_url)
    identity: str = ""  # what keeps the guid and folder through every edit
    language: str = "en"
    copyright: str = ""
    dateline: str = ""  # metadata only: the first BODY cue already says it
    lede: str = ""  # the feed's and tags' description ("" = the first BODY cue)
    bios: tuple[Bio, ...] = field(default=())

    def article(self) -> Article:
        return Article(
            headline=self.title,
            body=tuple(c.text for c in self.cues if c.part is Part.BODY),
            site=self.site,
            authors=self.authors,
            dateline=self.dateline,
            published=self.published,
            attribution=tuple(c.text for c in self.cues if c.part is Part.ATTRIBUTION),
            copyright=self.copyright,
            source_url=self.link,
            page_url=self.url,
            bios=self.bios,
            language=self.language,
            identity=self.identity,
        )

    def script(self) -> Script:
        first_body = next((c.text for c in self.cues if c.part is Part.BODY), "")
        return Script(
            title=self.title,
            source=self.site or copyright_holder(self.copyright),
            published=self.published,
            authors=self.authors,
            cues=self.cues,
            lede=self.lede or first_body,
        )


def _one_line(value: str) -> str:
    return " ".join(value.split("\n")).strip(_BLANKS)


def script_file(article: Article, script: Script) -> ScriptFile:
    """The script file of an episode: its article's facts and its script's cues."""
    return ScriptFile(
        title=_one_line(script.title),
        cues=script.cues,
        site=_one_line(article.site),
        published=article.published,
        authors=tuple(_one_line(a) for a in article.authors),
        url=_one_line(article.page_url),
        link=_one_line(article.source_url),
        identity=recorded_identity(article),
        language=_one_line(article.language) or "en",
        copyright=_one_line(article.copyright),
        dateline=_one_line(article.dateline),
        lede=_one_line(script.lede),
        bios=tuple(Bio(_one_line(b.name), _one_line(b.text)) for b in article.bios),
    )


# --- the header: one table, read and written by the same entries ---------------------


_ZONE_NAME = re.compile(r"[A-Za-z]+")


def _write_date(when: datetime | None) -> str:
    if when is None:
        return ""
    # The zone's abbreviation ("EDT") rides along, so the review printout still says it.
    name = when.tzname() or ""
    return f"{when.isoformat()} {name}" if _ZONE_NAME.fullmatch(name) else when.isoformat()


def _read_date(value: str) -> datetime | None:
    if not value:
        return None
    stamp, _, name = value.partition(" ")
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        raise ValueError(f"DATE {value!r} is not ISO 8601 (write 2023-09-11T14:59:00-04:00)") from None
    if not YEARS[0] <= when.year <= YEARS[1]:
        raise ValueError(f"DATE {value!r} is outside {YEARS[0]}-{YEARS[1]}")
    offset = when.utcoffset()
    if name and (offset is None or not _ZONE_NAME.fullmatch(name)):
        raise ValueError(f"DATE {value!r}: a zone name ({name!r}) needs an offset before it and only letters")
    return when.replace(tzinfo=timezone(offset, name)) if name and offset is not None else when


def _read_bio(value: str) -> Bio:
    name, sep, text = value.partition(": ")
    name, text = name.strip(_BLANKS), text.strip(_BLANKS)
    if not sep or not name or not text:
        raise ValueError(f"BIO {value!r} is not 'Name: text'")
    return Bio(name, text)


def _write_authors(authors: tuple[str, ...]) -> str:
    """Names separated by commas; by semicolons when a name holds a comma ("Sam Doe, Jr.;" for
    one such name, so that reading it back sees the semicolon)."""
    if any("," in a for a in authors):
        return "; ".join(authors) + (";" if len(authors) == 1 else "")
    return ", ".join(authors)


def _read_authors(value: str) -> tuple[str, ...]:
    names = value.split(";") if ";" in value else value.split(",")
    return tuple(a.strip(_BLANKS) for a in names if a.strip(_BLANKS))


@dataclass(frozen=True)
class _Key:
    key: str
    field: str
    write: Callable[[object], str] = str
    read: Callable[[str], object] = str
    repeats: bool = False  # one line per item (BIO)


HEADER: tuple[_Key, ...] = (
    _Key("TITLE", "title"),
    _Key("SOURCE", "site"),
    _Key("DATE", "published", _write_date, _read_date),  # type: ignore[arg-type]
    _Key("AUTHORS", "authors", _write_authors, _read_authors),  # type: ignore[arg-type]
    _Key("URL", "url"),
    _Key("LINK", "link"),
    _Key("ID", "identity"),
    _Key("LANGUAGE", "language", read=lambda v: v or "en"),
    _Key("COPYRIGHT", "copyright"),
    _Key("DATELINE", "dateline"),
    _Key("LEDE", "lede"),
    _Key("BIO", "bios", lambda b: f"{b.name}: {b.text}", _read_bio, repeats=True),  # type: ignore[attr-defined]
)
_BY_KEY = {k.key: k for k in HEADER}
_WIDTH = max(len(k.key) for k in HEADER) + 2


# --- writing ---------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _mark(p: Pronunciation, written: str) -> str:
    if p.entry:
        return f"{{{written}|@{p.entry}}}"
    # Phonemes that start with @ (a schwa) would read as a lexicon entry: the empty
    # respelling field after them says they are phonemes.
    if p.say or p.espeak.startswith("@"):
        return f"{{{written}|{p.espeak}|{p.say}}}"
    return f"{{{written}|{p.espeak}}}"


def marked_text(cue: Cue) -> str:
    """The cue's text with its pronunciations inline, braces in the text doubled."""
    out, at = [], 0
    for p in cue.pronunciations:
        out += [_escape(cue.text[at : p.start]), _mark(p, cue.text[p.start : p.end])]
        at = p.end
    out.append(_escape(cue.text[at:]))
    return "".join(out)


def heading(cue: Cue, number: int) -> str:
    who = f"{cue.role}: {cue.speaker}" if cue.speaker else cue.role
    overrides = (f" voice={cue.voice}" if cue.voice else "") + (f" rate={cue.rate}" if cue.rate else "")
    return f"[{number:02d}] {cue.part.value} ({who}){overrides}"


def pause_line(ms: int) -> str:
    return f"[pause {ms}ms]"


def render_script_file(sf: ScriptFile) -> str:
    lines = [f"{MARKER} {VERSION}", _GUIDE]
    for key in HEADER:
        value = getattr(sf, key.field)
        for item in value if key.repeats else (value,):
            lines.append(f"{key.key + ':':<{_WIDTH}}{key.write(item)}".rstrip(" "))
    for n, cue in enumerate(sf.cues, 1):
        if cue.pause_ms is not None:
            lines += ["", pause_line(cue.pause_ms)]
        lines += ["", heading(cue, n)]
        lines += _wrap(marked_text(cue))
    return "\n".join(lines) + "\n"


def _wrap(text: str) -> list[str]:
    """Greedy fill at spaces only, as textwrap fills the review printout, but exact: no word
    is broken at a hyphen or for length, and no character is dropped or changed."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= _WRAP:
            lines[-1] += " " + word
        else:
            lines.append(_INDENT + word)
    return lines


_KEEP = "\ue000"  # stands for a space inside a pronunciation while a cue is split into clips


def clip_spans(cue: Cue) -> tuple[tuple[int, int], ...] | None:
    """Where each clip of a cue lies in its text, no pronunciation split between two clips
    (its spaces do not break a long sentence, nor does a period end one). None when the
    clips are no slices of the text (not a script file's: more than one space somewhere)."""
    text = cue.text
    for p in cue.pronunciations:
        text = text[: p.start] + text[p.start : p.end].replace(" ", _KEEP) + text[p.end :]
    spans, at = [], 0
    for piece in clip_texts(text):
        at = text.find(piece, at)
        if at < 0:
            return None
        spans.append((at, at + len(piece)))
        at += len(piece)
    return tuple(spans)


# --- reading ---------------------------------------------------------------------------


def is_script_file(text: str) -> bool:
    return text.lstrip("\ufeff").startswith(MARKER)


_HEADER_LINE = re.compile(r"([A-Za-z]+):(.*)")
_HEADING = re.compile(r"\[\s*\d*\s*\]\s*(\S+)\s*\((.*)\)([^)]*)")
_PAUSE = re.compile(r"\[pause\b(.*)\]", re.I)
_PAUSE_VALUE = re.compile(r"\s*(\d+)\s*ms\s*")
_ROLE = re.compile(r"[\w-]+")
_VOICE = re.compile(r"[^\s()=]+")


@dataclass
class _Draft:
    line: int
    part: Part
    role: str
    speaker: str
    voice: str
    rate: int
    pause_ms: int | None
    pieces: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)
    ok: bool = True  # a bad heading still owns its text lines, so they land in no other cue


class _Reader:
    def __init__(self, name: str, roles: Sequence[str] | None, has_entry: Callable[[str], bool] | None) -> None:
        self.name = name
        self.roles = roles
        self.has_entry = has_entry
        self.errors: list[tuple[int, str]] = []

    def error(self, line: int, problem: str) -> None:
        self.errors.append((line, f"{self.name}:{line}: {problem}"))

    def heading(self, n: int, m: re.Match[str], pause: int | None) -> _Draft:
        part_name, who, rest = m.group(1), m.group(2), m.group(3)
        ok = True
        part = next((p for p in Part if p.value == part_name), None)
        if part is None:
            self.error(n, f"unknown part {part_name!r} (parts: {', '.join(p.value for p in Part)})")
            ok = False
        role, _, speaker = who.partition(":")
        role, speaker = role.strip(_BLANKS), speaker.strip(_BLANKS)
        if not _ROLE.fullmatch(role) or (self.roles is not None and role not in self.roles):
            known = f" (roles: {', '.join(self.roles)})" if self.roles is not None else ""
            self.error(n, f"unknown role {role!r}{known}")
            ok = False
        voice, rate = "", 0
        seen: set[str] = set()
        for token in rest.split():
            key, eq, value = token.partition("=")
            if not eq or key not in ("voice", "rate"):
                self.error(n, f"unknown setting {token!r} after the heading (write voice=ID rate=WPM)")
            elif key in seen:
                self.error(n, f"{key} is given twice")
            elif key == "voice" and not _VOICE.fullmatch(value):
                self.error(n, f"bad voice {value!r} (an engine voice id, as `broadcast voices` lists)")
            elif key == "rate" and not (value.isdigit() and RATES[0] <= int(value) <= RATES[1]):
                self.error(n, f"bad rate {value!r} (words per minute, {RATES[0]} to {RATES[1]})")
            elif key == "voice":
                voice = value
            else:
                rate = int(value)
            seen.add(key)
        return _Draft(n, part or Part.BODY, role, speaker, voice, rate, pause, ok=ok)

    def cue(self, draft: _Draft) -> Cue | None:
        if not draft.pieces:
            self.error(draft.line, "the cue has no text (remove its heading to drop it)")
            return None
        raw, starts = "", []
        for n, piece in draft.pieces:
            starts.append((len(raw) + (1 if raw else 0), n))
            # One space between words, as the sentence splitter sees them, so each
            # sentence is a slice of the text and a pronunciation's offsets hold in it.
            piece = " ".join(piece.split())
            raw = f"{raw} {piece}" if raw else piece
        line_of = lambda at: starts[bisect.bisect_right([s for s, _ in starts], at) - 1][1]  # noqa: E731
        text, spans = self.inline(raw, line_of)
        if text is None:
            return None
        return Cue(
            draft.part,
            draft.role,
            text,
            draft.speaker,
            draft.voice,
            draft.rate,
            draft.pause_ms,
            tuple(p for p, _ in spans),
        )

    def inline(self, raw: str, line_of: Callable[[int], int]) -> tuple[str | None, list[tuple[Pronunciation, int]]]:
        """The plain text of a cue and its pronunciations (each with where it was written)."""
        out: list[str] = []
        size = 0
        spans: list[tuple[Pronunciation, int]] = []
        before = len(self.errors)
        i = 0
        while i < len(raw):
            c = raw[i]
            if raw.startswith(("{{", "}}"), i):
                out.append(c)
                size += 1
                i += 2
                continue
            if c == "}":
                self.error(line_of(i), "'}' without '{' (write }} for a brace in the text)")
                i += 1
                continue
            if c != "{":
                out.append(c)
                size += 1
                i += 1
                continue
            close = raw.find("}", i)
            reopen = raw.find("{", i + 1)
            if close < 0 or 0 <= reopen < close:
                self.error(line_of(i), "unclosed '{' (write {written|phonemes}, or {{ for a brace in the text)")
                i += 1
                continue
            p = self.pronunciation(raw[i + 1 : close], line_of(i), size)
            if p is not None:
                out.append(raw[i + 1 : close].split("|")[0].strip(" "))
                size = p.end
                spans.append((p, i))
            i = close + 1
        if len(self.errors) > before:
            return None, []
        return "".join(out), spans

    def pronunciation(self, body: str, line: int, at: int) -> Pronunciation | None:
        fields = [f.strip(" ") for f in body.split("|")]
        written = fields[0]
        shown = "{" + body + "}"
        if len(fields) == 1:
            self.error(line, f"{shown} has no '|' (write {{written|phonemes}} or {{written|@entry}})")
            return None
        if not written:
            self.error(line, f"{shown} has no written form")
            return None
        if len(fields) > 3:
            self.error(line, f"{shown} has more than two '|' (write {{written|phonemes|respelling}})")
            return None
        if len(fields) == 2 and fields[1].startswith("@"):
            entry = fields[1][1:].strip(" ") or written
            if self.has_entry is not None and not self.has_entry(entry):
                self.error(line, f"{shown}: the lexicon has no entry {entry!r}")
                return None
            return Pronunciation(at, at + len(written), entry=entry)
        espeak, say = fields[1], fields[2] if len(fields) == 3 else ""
        if not espeak and not say:
            self.error(line, f"{shown} says nothing (write {{written|phonemes}} or {{written||respelling}})")
            return None
        if any(mark in f for f in (espeak, say) for mark in ("[[", "]]")):
            self.error(line, f"{shown} must not contain [[ or ]]")
            return None
        return Pronunciation(at, at + len(written), espeak=espeak, say=say)


def parse_script_file(
    text: str,
    name: str,
    roles: Sequence[str] | None = None,
    has_entry: Callable[[str], bool] | None = None,
) -> ScriptFile:
    """Read a script file. `roles` are the voice roles a cue may name, `has_entry` says whether
    the lexicon has an entry ({Kuhn|@Kuhn}); None accepts any. Every problem is collected and
    raised at once, one line each, as an ArticleError."""
    reader = _Reader(name, roles, has_entry)
    lines = text.lstrip("\ufeff").split("\n")
    first = lines[0].strip(_BLANKS)
    if not first.startswith(MARKER):
        raise ArticleError(f"{name}:1: not a script file (its first line must be '{MARKER} {VERSION}')")
    version = first[len(MARKER) :].strip()
    if version != str(VERSION):
        raise ArticleError(f"{name}:1: script file format {version!r}; this broadcast reads format {VERSION}")
    header: dict[str, object] = {}
    seen: dict[str, int] = {}
    drafts: list[_Draft] = []
    pause: tuple[int, int] | None = None  # (line, ms) of a [pause] waiting for its cue
    for n, line in enumerate(lines[1:], 2):
        line = line.rstrip(_BLANKS)
        if not line or line.startswith("#"):
            continue
        if line[0] in _BLANKS:
            if drafts:
                drafts[-1].pieces.append((n, line.strip(_BLANKS)))
            else:
                reader.error(
                    n, "text before the first cue heading (a cue starts with a line like [01] BODY (reporter))"
                )
            continue
        if m := _PAUSE.fullmatch(line):
            value = _PAUSE_VALUE.fullmatch(m.group(1))
            if pause is not None:
                reader.error(n, f"a second pause after the one on line {pause[0]} (one pause before a cue)")
            elif value is None or not PAUSES[0] <= int(value.group(1)) <= PAUSES[1]:
                reader.error(n, f"bad pause {line!r} (write [pause 800ms], {PAUSES[0]} to {PAUSES[1]} ms)")
            else:
                pause = (n, int(value.group(1)))
            continue
        if line.startswith("["):
            if m := _HEADING.fullmatch(line):
                drafts.append(reader.heading(n, m, pause[1] if pause else None))
                pause = None
            else:
                reader.error(n, f"unreadable heading {line!r} (write [NN] PART (role) or [NN] PART (role: Speaker))")
            continue
        m = _HEADER_LINE.fullmatch(line)
        if m is None or drafts:
            reader.error(n, f"unexpected line {line[:40]!r} (header lines come first; text lines are indented)")
            continue
        key = _BY_KEY.get(m.group(1).upper())
        if key is None:
            reader.error(n, f"unknown header key {m.group(1)!r} (keys: {', '.join(k.key for k in HEADER)})")
            continue
        if key.key in seen and not key.repeats:
            reader.error(n, f"{key.key} is given twice (first on line {seen[key.key]})")
            continue
        seen.setdefault(key.key, n)
        try:
            value = key.read(m.group(2).strip(_BLANKS))
        except ValueError as exc:
            reader.error(n, str(exc))
            continue
        if key.repeats:
            header[key.field] = (*header.get(key.field, ()), value)  # type: ignore[misc]
        else:
            header[key.field] = value
    if pause is not None:
        reader.error(pause[0], "a pause with no cue after it")
    cues = [reader.cue(d) for d in drafts if d.ok]
    if not header.get("title"):
        reader.error(seen.get("TITLE", 1), "no TITLE (the episode's headline)")
    if not drafts:
        reader.error(len(text.rstrip("\n").split("\n")), "no cues (a cue starts with a line like [01] BODY (reporter))")
    if reader.errors:
        raise ArticleError("\n".join(message for _, message in sorted(reader.errors, key=lambda e: e[0])))
    return ScriptFile(cues=tuple(c for c in cues if c is not None), **header)  # type: ignore[arg-type]
