"""The pattern tables: what a line of a news page looks like on its own.

Each table holds the phrasings of one kind of line (player chrome, banners,
bylines, photo credits, captions, attributions, copyright, bios, datelines).
A pattern hit is evidence about a line, not its verdict: `roles` weighs it with
the line's shape and its place on the page.
"""

from __future__ import annotations

import enum
import re
from collections import Counter

from broadcast.input.dates import stamps as _stamps
from broadcast.input.lines import Line

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
        r"advertisement|sponsor(?:ed)?(?: message| content)?|loading\W*",
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
        # "Jane Doe/Agency Name": a photographer and an agency (or the photographer twice).
        r"^[A-Z][\w.'\u2019-]+(?: [A-Z][\w.'\u2019-]+){1,3}\s*/\s*[A-Z][\w.'\u2019-]+(?: [A-Z][\w.'\u2019-]+){1,3}$",
    )
)
_SEPARATOR = re.compile(r"\s*/\s*")

# Captions that carry their credit inline: "... on Monday. (AP Photo/Jane Doe)", or that
# place the people in the picture: "L-R: ...", "... (left) ...".
CAPTIONS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\((?:[A-Z]{2,6}\s+)?Photo(?:/|\s+by\s+)[^)]*\)\s*$"),
    re.compile(r"\((?:Photo|Image|Credit|Courtesy)\b[^)]*\)\s*$", _I),
    re.compile(r"^(?:Photo|Image|Caption):\s", _I),
    # "(Jane Doe/Agency)" closing the line: a photographer and an agency.
    re.compile(r"\([A-Z][\w.'\u2019-]*(?: [A-Z][\w.'\u2019-]*){0,3}\s*/\s*[A-Z][^()]{1,60}\)\s*$"),
    re.compile(r"\((?:AP|AFP|EPA|Reuters|REUTERS|Getty Images|Shutterstock|UPI|Xinhua)\)\s*$"),
    # Copies of a photo widget keep its button text after the caption: "... Jane Doe/NPR hide caption".
    re.compile(r"\bhide caption\s*$", _I),
    re.compile(r"^(?:L-R|R-L|From left|Left to right|Clockwise from (?:top )?left)\b", _I),
    re.compile(r"\((?:left|right|center|centre|(?:second|third) from (?:left|right))\)"),
)
# Weaker caption evidence, counted only when a neighbour in the same block is caption-like too.
# Alt text names what a picture shows without a finite verb: "People standing in a hallway."
_ALT_TEXT = re.compile(r"^[A-Z][\w'\u2019-]*(?: [\w'\u2019-]+){0,3} [a-z]+ing\b")
_FINITE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|could|should|can|may|might|says?|said|\w{2,}ed)\b", _I
)
# A caption describes a past moment in the present tense: "Patients walk the halls in 2006."
_PAST_MOMENT = re.compile(
    r"\b(?:in|on) (?:(?:19|20)\d{2}|"
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, (?:19|20)\d{2})\b"
)
_FIRST_SENTENCE = re.compile(r"^.*?[.!?](?=\s+[A-Z\"“]|$)")

ATTRIBUTIONS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, _I)
    for p in (
        # "contributed" must be about the report: "Acme contributed the largest gift" is news.
        rf"^(?-i:{_NAME})\b.*\bcontributed(?: reporting\b| to (?:this|the) (?:report|story)\b|\W*$)",
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

# Editors' labels written like a dateline ("UPDATE - Aug. 13: ..."): no place, and the
# paragraphs above them are the story, not a dek.
NOT_PLACES = re.compile(r"(?:UPDATED?|CORRECTION|CLARIFICATION|EDITOR'?S NOTE|NOTE|CORRECTED|WATCH|LISTEN)", _I)

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


def line_kind(text: str) -> LineKind:
    """The kind of one line on its own; the order of the checks is the priority."""
    if is_chrome(text):
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


def is_chrome(text: str) -> bool:
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


def mark_credits(lines: tuple[Line, ...], kinds: list[LineKind]) -> None:
    """A "/" line joins a photographer and an agency: both neighbours are credits too."""
    for i, line in enumerate(lines):
        if not _SEPARATOR.fullmatch(line.text):
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(lines) and lines[j].block == line.block and _short_label(lines[j].text):
                kinds[j] = LineKind.CREDIT


def _short_label(text: str) -> bool:
    return len(text.split()) <= 6 and not _SENTENCE_END.search(text)


def mark_captions(lines: tuple[Line, ...], kinds: list[LineKind]) -> None:
    """Captions sit next to their credit in the same block, and pages often print them twice."""
    for i, kind in enumerate(kinds):
        if kind != LineKind.CREDIT:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(lines) and lines[j].block == lines[i].block and kinds[j] in _LOOSE:
                kinds[j] = LineKind.CAPTION
    weak = [kinds[i] in _LOOSE and caption_hint(line.text) for i, line in enumerate(lines)]
    for i, line in enumerate(lines):
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(lines) and lines[j].block == line.block]
        if weak[i] and any(weak[j] or kinds[j] == LineKind.CAPTION for j in neighbours):
            kinds[i] = LineKind.CAPTION
    counts = Counter(line.text for line, kind in zip(lines, kinds, strict=True) if kind == LineKind.PROSE)
    for i, line in enumerate(lines):
        if kinds[i] == LineKind.PROSE and counts[line.text] > 1:
            kinds[i] = LineKind.CAPTION


_LOOSE = (LineKind.PROSE, LineKind.HEADING, LineKind.OTHER)


def caption_hint(text: str) -> bool:
    """Weak evidence of a photo caption: alt text without a finite verb, or a past moment told in the present."""
    match = _FIRST_SENTENCE.match(text)
    first = match.group() if match else text
    if len(first.split()) > 30 or _FINITE.search(first):
        return False
    return _ALT_TEXT.match(first) is not None or _PAST_MOMENT.search(first) is not None


def strip_dateline(body: list[str]) -> tuple[list[str], str]:
    """Take the dateline off the paragraph that has it; paragraphs above it were a dek."""
    for k, paragraph in enumerate(body[: MAX_DEK_PARAGRAPHS + 1]):
        match = DATELINE.match(paragraph)
        if match and sum(ch.isalpha() for ch in match["place"]) >= 3 and not NOT_PLACES.fullmatch(match["place"]):
            return [match["rest"], *body[k + 1 :]], match["place"]
    return body, ""


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


def copyright_notice(text: str) -> str:
    """'Copyright 2023 NPR. To see more, ...' -> '2023 NPR'; "" when the line is no notice."""
    match = COPYRIGHT.fullmatch(text)
    return _RIGHTS.sub("", match["holder"]).strip() if match else ""


def first_url(text: str) -> str:
    """The first URL in the text, without trailing punctuation; "" when there is none."""
    match = URL.search(text)
    return match.group().rstrip(".,;:)") if match else ""
