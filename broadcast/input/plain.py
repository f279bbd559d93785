"""Plain text of a news page -> Article.

The input is a raw text copy of a web page (player chrome, photo captions and
credits, bios and teasers included) or plain wire copy. Each line is given one
kind from tables of patterns, a few rules use the neighbours of a line (photo
credits, captions), and the article is then read off the kinds in order:
headline, date and byline, body, attribution and copyright, bios.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from broadcast.errors import ArticleError
from broadcast.input.dates import published
from broadcast.input.dates import stamps as _stamps
from broadcast.input.lines import BULLET, Line, page_lines
from broadcast.input.roles import Judged, Role, describe_bodyless, judge
from broadcast.input.title import lede_title
from broadcast.model import Article, Bio

_I = re.IGNORECASE

# Lines of player, menu and sharing widgets. Matched against the whole line.
CHROME: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        r"play live radio",
        r"next up:?",
        # Player clocks: "0:00", "0:00 0:00", "1:02:03 / 4:05". A separator is required
        # between clocks so the pattern cannot backtrack exponentially on long lines.
        r"\d{1,2}(?::\d{2}){1,2}(?:(?:\s+|\s*/\s*)\d{1,2}(?::\d{2}){1,2})*+",
        r"available on air stations",
        r"(?:on air|playing) now|now playing|all streams|live radio",
        r"donate(?: now| today)?|give now|support(?: us)?",
        r"listen(?: live| now)?(?:\s*[·•]\s*\d{1,2}:\d{2})?",
        r"(?:main )?menu|search|close|home|more|less|pause|play|download|embed",
        r"skip to (?:main )?content|sign (?:in|up)|log ?in|subscribe|newsletters?",
        r"share(?: this(?: story| article)?)?|copy link|print|e-?mail",
        r"facebook|twitter|x|linkedin|reddit|flipboard|whatsapp|threads|bluesky",
        r"advertisement|sponsor(?:ed)? message|loading\W*",
        r"(?:view|hide|toggle|enlarge) (?:this )?(?:image|caption|transcript)|caption|transcript",
        r"watch live|schedule|podcasts?",
    )
)

# Fund-raising and alert banners a page shows above (or inside) the story.
BANNERS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        r"support (?:local|public|independent|nonprofit|community) "
        r"(?:journalism|news|media|radio)\b.*",
        r"(?:breaking(?: news)?|developing(?: story)?|live updates?|just in|news alert|alert)"
        r"\s*[:|—\u2013-]+.*",
        r"(?:breaking news|developing story|live updates)",
        r"(?:donate|give) (?:today|now)\b.*",
        r"(?:become|join) (?:a |as a )?(?:member|sustainer|supporter)\b.*",
        r"(?:your|make a) (?:gift|donation)\b.*",
        r"(?:sign up|subscribe) (?:for|to) .*newsletter.*",
    )
)

# Headings that open the related-stories rail; nothing after one is the story.
SECTION_ENDS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        r"(?:more|related|top|latest|popular|recommended) (?:stories|news|content|coverage)\W*",
        r"related:?|see also:?|read more|trending|in other news|explore more|comments?",
        r"more from .{1,40}|you (?:may|might) also like\W*|most (?:read|popular|viewed)",
    )
)

# A person's name: 2-4 capitalized words, not starting with a function word
# (so "The Kremlin has ..." is not a person).
_NAME = (
    r"(?!(?:The|A|An|This|That|These|Those|His|Her|Its|Their|Our|In|On|At|But|And|For|If|"
    r"When|While|After|Before|As|It|He|She|They|We|Officials|Meanwhile)\b)"
    r"[A-Z][\w'\u2019.-]*(?:\s+(?:[A-Z][\w'\u2019.-]*|(?:de|da|del|der|van|von|la|le|bin|al)(?=\s+[A-Z]))){1,3}"
)
NAME = re.compile(_NAME)

# Words that make a "name" an organisation ("Jane Doe, Associated Press").
ORG_WORDS = re.compile(
    r"\b(?:NPR|AP|Press|News|Radio|Media|Public|Times|Post|Journal|Tribune|Herald|Reuters|"
    r"Bloomberg|Network|Broadcasting|Correspondent|Reporter|Writer|Staff|Station)\b"
)

_ACRONYM = re.compile(r"[A-Z]{2,6}")  # a call sign or agency: "WPSU", "NPR"
_NAME_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")

BYLINES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:By|BY)\s+(?P<names>.+)"),
    # "Anthony Kuhn, NPR" / "Jane Doe and John Roe, WXYZ News"
    re.compile(
        rf"(?P<names>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*,\s*"
        r"(?P<org>(?:[A-Z]{2,6}|[A-Z][\w&.'\u2019-]*)(?:\s+[A-Z][\w&.'\u2019-]*){0,4})"
    ),
)

# Photo credits, searched in short lines: agencies, "via Getty Images", "for NPR".
CREDITS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"\bvia (?:Getty Images|AP|Reuters|AFP|Shutterstock|Bloomberg|Wikimedia Commons|Flickr)\b",
        r"\b(?:Getty Images|Shutterstock|AP Photo|AP Images)\b",
        r"(?:^|/)\s*(?:AP|AFP|EPA(?:-EFE)?|Reuters|REUTERS|UPI|Xinhua|Pool|POOL|TASS|NPR|"
        r"Bloomberg|Sputnik|SPUTNIK)\s*$",
        r"^(?:AP|AFP|EPA|UPI|Reuters)\b",
        r"\bAFP\b",
        r"\bfor (?:NPR|The [A-Z][\w'\u2019-]*(?: [A-Z][\w'\u2019-]*){0,3})$",
        r"(?i)^(?:photo|image|illustration|graphic|video)s?\s*(?:by\b|:|courtesy\b)",
        r"(?i)^courtesy(?: of)?\b",
        r"^\s*/\s*$",
    )
)
_SEPARATOR = re.compile(r"\s*/\s*")

# Captions that carry their credit inline: "... on Monday. (AP Photo/Jane Doe)".
CAPTIONS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\((?:[A-Z]{2,6}\s+)?Photo(?:/|\s+by\s+)[^)]*\)\s*$"),
    re.compile(r"\((?:Photo|Image|Credit|Courtesy)\b[^)]*\)\s*$", _I),
    re.compile(r"^(?:Photo|Image|Caption):\s", _I),
)

ATTRIBUTIONS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        rf"^(?-i:{_NAME})\b.*\bcontributed(?: reporting| to (?:this|the) (?:report|story))?\b",
        rf"^(?-i:{_NAME})\b.*\breported from\b",
        r"^(?:additional )?reporting (?:by|from)\b",
        r"^this (?:report|story|article)\b.{0,60}\b(?:first|originally) published\b",
    )
)

COPYRIGHT = re.compile(
    r"(?:copyright|©|\(c\))[\s©]*(?:copyright\s*)?"
    r"(?P<holder>(?:19|20)\d{2}(?:\s*[-\u2013]\s*\d{2,4})?,?\s+.+?)\s*(?:\.(?:\s.*)?)?",
    _I,
)
_RIGHTS = re.compile(r"[.,;]?\s*all rights reserved\W*$", _I)
URL = re.compile(r"https?://[^\s<>\"']+")

BIO_START = re.compile(
    rf"(?P<name>{_NAME})\s+(?:is|was|has been|has|had|joined|covers|covered|serves|served|"
    r"reports|hosts|hosted|writes|edits|leads|anchors|produces|began|spent|works|worked|"
    r"previously)\b"
)
# A bio is about journalism; without this "Jane Doe is the mayor." would end a story.
BIO_TOPIC = re.compile(
    r"\b(?:NPR|correspondent|reporter|journalist|editor|host|producer|anchor|bureau|newsroom|"
    r"reporting|covers|covering|coverage|station|radio|podcast|newspaper|news)\b",
    _I,
)

# "MOSCOW — The Kremlin ...", "WASHINGTON (AP) — ...", "ST. LOUIS, Mo. -- ..."
DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'\u2019-]+(?:\s+[A-Z][A-Z.'\u2019-]+){0,3}(?:,\s+[A-Z][A-Za-z.]{1,15}"
    r"(?:\s+[A-Z][A-Za-z.]{1,15})?)?)\s*(?:\([A-Z][A-Za-z]{1,12}\)\s*)?(?:—|\u2013|--|-)\s+"
    r"(?P<rest>\S.*)",
    re.S,
)

_SENTENCE_END = re.compile(r"(?:[.!?…]|\.\.\.)[\"'”\u2019)\]]*$")
_HEADLINE_END = re.compile(r"[^.,;:\s]$")  # prose ends with a period; a headline does not
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")

# A body paragraph has at least this many words; shorter lines are labels.
MIN_PROSE_WORDS = 5
HEADLINE_WORDS = (3, 60)
# Photo credit lines are short; a sentence is never a credit.
MAX_CREDIT_WORDS = 12
# A dek or two may sit between headline and byline/date; more prose means the story began.
MAX_DEK_PARAGRAPHS = 2


class LineKind(enum.Enum):
    """What a line of the page is; one per line, read off in page order."""

    SITE = "site"  # the station or publication name heading the page
    CHROME = "chrome"  # player, menu and sharing widgets
    BANNER = "banner"  # fund-raising or alert banner
    DATE = "date"  # a whole-line date stamp
    COPYRIGHT = "copyright"
    BYLINE = "byline"
    CREDIT = "credit"  # photo credit
    CAPTION = "caption"  # photo caption
    ATTRIBUTION = "attribution"  # "X contributed reporting"
    BIO = "bio"
    END = "end"  # heading of the related-stories rail
    PROSE = "prose"  # a sentence-like paragraph: body candidate
    HEADING = "heading"  # headline-like: headline, subhead or teaser
    OTHER = "other"


def parse_article(text: str, name: str = "<input>") -> Article:
    """Read an Article from page text; ArticleError (saying what the page looks like) without a body."""
    judged = judge_lines(text)
    body = [j.line.text for j in judged if j.role == Role.BODY]
    if not body:
        raise ArticleError(f"{name}: no article body found ({describe_bodyless(judged)})")
    lines = tuple(j.line for j in judged)
    roles = [j.role for j in judged]
    texts = [line.text for line in lines]
    kinds = [line_kind(t) for t in texts]
    stop = 1 + max(i for i, r in enumerate(roles) if r in (Role.BODY, Role.ATTRIBUTION))
    body, dateline = strip_dateline(body)
    headline = next((texts[i] for i, r in enumerate(roles) if r == Role.HEADLINE), "")
    copyright_text = next((texts[i] for i, r in enumerate(roles) if r == Role.COPYRIGHT), "")
    bios = _bios(lines, kinds, stop)
    bylines = [byline_names(texts[i]) for i in range(stop) if roles[i] == Role.BYLINE]
    authors = _unique(n for names in bylines for n in names) or tuple(b.name for b in bios)
    return Article(
        headline=BULLET.sub("", headline) or lede_title(body[0]),
        title_derived=not headline,
        body=tuple(body),
        site=_site(lines),
        authors=authors,
        dateline=dateline,
        published=_published(texts, kinds),
        attribution=tuple(texts[i] for i, r in enumerate(roles) if r == Role.ATTRIBUTION),
        copyright=copyright_notice(copyright_text),
        source_url=first_url(copyright_text),
        bios=bios,
    )


def _site(lines: tuple[Line, ...]) -> str:
    """A member-station page opens with the station name, right above the player chrome."""
    if (
        len(lines) >= 2
        and _is_chrome(lines[1].text)
        and not _is_chrome(lines[0].text)
        and len(lines[0].text.split()) <= 8
    ):
        return lines[0].text
    return ""


def judge_lines(text: str) -> tuple[Judged, ...]:
    """Every non-blank line of the page with its role and the strongest reason for it."""
    lines = page_lines(text)
    kinds = _kinds(lines, skip_first=bool(_site(lines)))
    return judge(lines, [k.value for k in kinds])


def _kinds(lines: tuple[Line, ...], skip_first: bool) -> list[LineKind]:
    kinds = [line_kind(line.text) for line in lines]
    if skip_first:
        kinds[0] = LineKind.SITE
    _mark_credits(lines, kinds)
    _mark_captions(lines, kinds)
    return kinds


def line_kind(text: str) -> LineKind:
    """The kind of one line on its own; the order of the checks is the priority."""
    if _is_chrome(text):
        return LineKind.CHROME
    if any(p.fullmatch(text) for p in BANNERS):
        return LineKind.BANNER
    if _stamps(text):
        return LineKind.DATE
    words = len(text.split())
    if words <= 40 and COPYRIGHT.fullmatch(text):
        return LineKind.COPYRIGHT
    if byline_names(text):
        return LineKind.BYLINE
    if words <= MAX_CREDIT_WORDS and not _SENTENCE_END.search(text) and any(p.search(text) for p in CREDITS):
        return LineKind.CREDIT
    if any(p.search(text) for p in CAPTIONS):
        return LineKind.CAPTION
    if words <= 60 and any(p.search(text) for p in ATTRIBUTIONS):
        return LineKind.ATTRIBUTION
    if words >= 8 and BIO_START.match(text) and BIO_TOPIC.search(text):
        return LineKind.BIO
    if any(p.fullmatch(text) for p in SECTION_ENDS):
        return LineKind.END
    if words >= MIN_PROSE_WORDS and _SENTENCE_END.search(text):
        return LineKind.PROSE
    if _looks_like_headline(text):
        return LineKind.HEADING
    return LineKind.OTHER


def _is_chrome(text: str) -> bool:
    return any(p.fullmatch(text) for p in CHROME)


def _looks_like_headline(text: str) -> bool:
    low, high = HEADLINE_WORDS
    words = text.split()
    return (
        low <= len(words) <= high
        and not text[0].islower()  # capitals, digits, quotes, emoji, scripts without case
        and _HEADLINE_END.search(text) is not None
        and "http" not in text
    )


def _mark_credits(lines: tuple[Line, ...], kinds: list[LineKind]) -> None:
    """A "/" line joins a photographer and an agency: both neighbours are credits too."""
    for i, line in enumerate(lines):
        if not _SEPARATOR.fullmatch(line.text):
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(lines) and lines[j].block == line.block and _short_label(lines[j].text):
                kinds[j] = LineKind.CREDIT


def _short_label(text: str) -> bool:
    return len(text.split()) <= 6 and not _SENTENCE_END.search(text)


def _mark_captions(lines: tuple[Line, ...], kinds: list[LineKind]) -> None:
    """Captions sit next to their credit in the same block, and pages often print them twice."""
    for i, kind in enumerate(kinds):
        if kind != LineKind.CREDIT:
            continue
        for j in (i - 1, i + 1):
            if (
                0 <= j < len(lines)
                and lines[j].block == lines[i].block
                and kinds[j] in (LineKind.PROSE, LineKind.HEADING, LineKind.OTHER)
            ):
                kinds[j] = LineKind.CAPTION
    counts = Counter(line.text for line, kind in zip(lines, kinds, strict=True) if kind == LineKind.PROSE)
    for i, line in enumerate(lines):
        if kinds[i] == LineKind.PROSE and counts[line.text] > 1:
            kinds[i] = LineKind.CAPTION


def strip_dateline(body: list[str]) -> tuple[list[str], str]:
    """Take the dateline off the paragraph that has it; paragraphs above it were a dek."""
    for k, paragraph in enumerate(body[: MAX_DEK_PARAGRAPHS + 1]):
        match = DATELINE.match(paragraph)
        if match and sum(ch.isalpha() for ch in match["place"]) >= 3:
            return [match["rest"], *body[k + 1 :]], match["place"]
    return body, ""


def _published(texts: list[str], kinds: list[LineKind]) -> datetime | None:
    """The publication stamp; None when the page prints no date."""
    return published(s for i, k in enumerate(kinds) if k == LineKind.DATE for s in _stamps(texts[i]))


def byline_names(text: str) -> tuple[str, ...]:
    """The author names a byline line gives; () when the line is no byline."""
    for pattern in BYLINES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        # "Name, Org" needs a real organisation after the comma, or "Jane Doe, Texas" is a byline.
        if "org" in match.groupdict() and not (ORG_WORDS.search(match["org"]) or _ACRONYM.fullmatch(match["org"])):
            continue
        parts = [p for p in _NAME_SPLIT.split(match["names"]) if p]
        names = [p for p in parts if NAME.fullmatch(p) and not ORG_WORDS.search(p)]
        # Every part must be a name or an organisation, or this is a sentence starting "By".
        if names and all(NAME.fullmatch(p) or ORG_WORDS.search(p) for p in parts):
            return tuple(n.title() if n.isupper() else n for n in names)
    return ()


def _bios(lines: tuple[Line, ...], kinds: list[LineKind], stop: int) -> tuple[Bio, ...]:
    """Bios after the story: a bio line, plus prose paragraphs directly continuing it."""
    bios: list[Bio] = []
    open_bio = False
    for i in range(stop, len(lines)):
        text = lines[i].text
        match = BIO_START.match(text) if kinds[i] == LineKind.BIO else None
        if match is not None:
            bios.append(Bio(match["name"], text))
            open_bio = True
        elif kinds[i] == LineKind.PROSE and open_bio:
            bios[-1] = Bio(bios[-1].name, f"{bios[-1].text}\n\n{text}")
        else:
            open_bio = False
    # A page that repeats the bio block must not give a person two bios.
    first: dict[str, Bio] = {}
    for bio in bios:
        first.setdefault(bio.name, bio)
    return tuple(first.values())


def copyright_notice(text: str) -> str:
    """'Copyright 2023 NPR. To see more, ...' -> '2023 NPR'; "" when the line is no notice."""
    match = COPYRIGHT.fullmatch(text)
    return _RIGHTS.sub("", match["holder"]).strip() if match else ""


def first_url(text: str) -> str:
    """The first URL in the text, without trailing punctuation; "" when there is none."""
    match = URL.search(text)
    return match.group().rstrip(".,;:)") if match else ""


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
