"""Give every line of a page one role, from evidence that holds across sites.

Two kinds of evidence are combined. A line's own shape and the pattern tables of
`patterns` (chrome, dates, bylines, credits, copyright ...) say what a line looks like
on its own. Its position says the rest: the story is the best contiguous run of
body-like lines (short gaps for a caption or a widget allowed), found as the
highest-scoring segment; a prose line far from that run is a banner, an appeal
or a teaser, however sentence-like it is.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from broadcast.input.features import page_features
from broadcast.input.line_model import LineModel
from broadcast.input.lines import Line
from broadcast.input.speakers import speaker_label


class Role(enum.Enum):
    HEADLINE = "headline"
    BYLINE = "byline"
    DATE = "date"
    BODY = "body"
    ATTRIBUTION = "attribution"
    CAPTION = "caption"
    CREDIT = "credit"
    BIO = "bio"
    TEASER = "teaser"
    COPYRIGHT = "copyright"
    DONATION = "donation"
    BANNER = "banner"
    CHROME = "chrome"


@dataclass(frozen=True)
class Judged:
    line: Line
    role: Role
    reason: str  # the strongest evidence for the role, for `--explain`


# Fund-raising appeals: one phrase is a hint; with "you"/"your" and no dateline it is an appeal.
APPEAL = re.compile(
    r"\b(?:donat\w*|your (?:gift|support)|(?:become|join) (?:a )?(?:member|sustainer)|"
    r"support (?:local|public|independent|nonprofit|community|our)|membership|pledge|"
    r"contribut(?:e|ion) (?:today|now)|keep (?:\w+ )?(?:free|strong|independent))\b",
    re.IGNORECASE,
)
SECOND_PERSON = re.compile(r"\b(?:you|your|you're|us)\b", re.IGNORECASE)
# Station notices: reception trouble, archived copies, editors' notes to other newsrooms.
NOTICE = re.compile(
    r"\b(?:listeners may|experiencing (?:audio|technical|an outage)|outage|reduced power|"
    r"apologi[sz]e for the inconvenience|archive(?:d)? (?:site|news story|story)|"
    r"(?:translator|transmitter|signal)s? (?:is|are) (?:off|down)|ATTN:|editor'?s note)\b",
    re.IGNORECASE,
)
# Weather and emergency bulletins shout their labels and run them into dots:
# "...FLOOD WARNING IN EFFECT...", "* WHERE...", "PRECAUTIONARY ACTIONS...".
ALERT_LABEL = re.compile(r"^(?:[*•]\s*)?(?:\.\.\.)?[A-Z][A-Z0-9 /&',-]{2,}\.\.\.")
# A schedule's time slots: "• 6:04 am - local news", "7 p.m. - Jazz", "HD 1: Weekdays from 4AM-9AM".
TIME_SLOT = re.compile(
    r"^(?:[•·*]\s*)?(?:\d{1,2}(?::\d{2})?\s*[ap]\.?m\.?\b|.{0,40}\b\d{1,2}\s*[AP]M\s*[-\u2013]\s*\d{1,2}\s*[AP]M\b)",
    re.IGNORECASE,
)
# A show page sums up an episode: "On today's show, we hear from ...".
RUNDOWN = re.compile(
    r"\b(?:on|in) (?:today's|today\u2019s|tonight's|tonight\u2019s|this|this week's|this week\u2019s) "
    r"(?:show|episode|program|programme|edition|broadcast)\b",
    re.IGNORECASE,
)
# What an item of an introduced list adds to the story run: a little, so it bridges, never leads.
LIST_ITEM = 0.3
# How far one line's model log-odds may pull a story run down (measured by k-fold in
# benchmarks/train_line_model.py, as is the blend weight).
RUN_FLOOR = 1.0
MODEL_WEIGHT = 0.25
# A pointer to the outlet's other coverage: "For the latest, follow our live blog."
PROMO = re.compile(
    r"\b(?:follow|read|see|visit|check out)\b.{0,60}\b(?:live ?blog|live updates|latest updates|full coverage)\b"
    r"|\bfor (?:all )?the latest\b.{0,60}\b(?:follow|visit|read|see|check out)\b"
    # An invitation to write in: "Have questions? Send us a message."
    r"|(?:^|[.?!]\s+)(?:send|email|e-mail|contact|write to|message|text|call) us\b|\bcheck us out\b",
    re.IGNORECASE,
)
# Lines of a listing: "Posted on · ..." with the date left out.
LISTING = re.compile(r"^posted(?: on)?\s*[·•|]", re.IGNORECASE)
RELATIVE_DATE = re.compile(r"(?:\d+|an?) (?:minute|min|hour|day|week|month|year)s? ago", re.IGNORECASE)
BY = re.compile(r"^By\s+[A-Z]")
BY_PREFIX = re.compile(r"^By\s+", re.IGNORECASE)
# Wire captions name the photo: "In this Sept. 9, 1924 file photo, ...".
CAPTION_PHRASE = re.compile(r"^In this (?:[\w.,']+ ){0,8}?(?:file )?(?:photo|image|picture)\b", re.IGNORECASE)


def body_value(line: Line, kind: str, last: bool = False) -> float:
    """How much a line adds to a run of story paragraphs (negative: it breaks one)."""
    if kind == "end":
        return -100.0  # the related-stories rail: nothing after it is this story
    if kind == "copyright":
        return -3.0
    if kind == "bio":
        return 0.5 * _prose_value(line)  # a bio reads like prose; only its place says it is no story
    if kind in ("credit", "caption", "promo"):
        return -0.4  # photos sit inside stories: a gap, not an end
    if kind == "chrome":
        return -1.0
    if kind in ("banner", "date", "byline", "site"):
        return -1.5
    if kind == "attribution":
        return 0.5
    if not any(ch.isalpha() for ch in line.text):
        return -1.0  # punctuation, numbers and symbols say nothing
    if line.repeats > 1:
        return -0.4  # captions and titles repeat; paragraphs do not
    if (label := speaker_label(line.text)) and not label.rest:
        return 0.5  # a transcript's label on its own line: the turn below it is the speaker's
    if LISTING.match(line.text):
        return -2.0
    # A bulleted full sentence is a key point; bulleted titles (teaser links) are shorter and terser.
    if line.ends_sentence or _prose_shaped(line, 8 if last else 12 if line.bulleted else 20):
        return _prose_value(line)
    if kind == "heading":
        return -1.5  # a title: a subhead inside a long story, a headline or teaser outside one
    return -0.4  # a short label: a widget, or a one-word subhead


def _prose_value(line: Line) -> float:
    # Long sentences with many function words are prose; short ones still count.
    value = 0.3 + min(line.words, 80) / 12 * (0.5 + line.function_ratio)
    return value * 0.4 if line.bulleted else value


def _prose_shaped(line: Line, words: int) -> bool:
    """A long line full of function words is prose even when the copy cut it off mid-sentence.

    Not when most words are capitalized: that is a list of names and titles (a music or
    photo credit, a headline), which prose is not.
    """
    return line.words >= words and line.function_ratio >= 0.25 and line.capital_ratio < 0.5


def best_run(values: Sequence[float]) -> tuple[int, int]:
    """[start, stop) of the highest-scoring segment; (0, 0) when no segment scores above 0."""
    best, best_span = 0.0, (0, 0)
    total, start = 0.0, 0
    for i, value in enumerate(values):
        if total <= 0:
            total, start = 0.0, i
        total += value
        if total > best:
            best, best_span = total, (start, i + 1)
    return best_span


# The role a line's own pattern gives it when it is not part of the story.
_KIND_ROLES = {
    "site": Role.CHROME,
    "chrome": Role.CHROME,
    "banner": Role.BANNER,
    "date": Role.DATE,
    "copyright": Role.COPYRIGHT,
    "byline": Role.BYLINE,
    "credit": Role.CREDIT,
    "caption": Role.CAPTION,
    "attribution": Role.ATTRIBUTION,
    "bio": Role.BIO,
    "end": Role.TEASER,
    "promo": Role.TEASER,
}
_INSIDE = frozenset({"prose", "heading", "other"})  # kinds that are body when inside the run


def _evidence(lines: Sequence[Line], kinds: list[str]) -> list[str]:
    """Refine pattern kinds with content evidence: appeals, notices, bios that run on."""
    out = list(kinds)
    for i, line in enumerate(lines):
        if out[i] not in _INSIDE and out[i] != "banner":
            continue
        if APPEAL.search(line.text) and SECOND_PERSON.search(line.text):
            out[i] = "donation"
        elif NOTICE.search(line.text) or ALERT_LABEL.match(line.text):
            out[i] = "banner"
        elif BY.match(line.text) and line.words <= 10:
            out[i] = "byline"  # "By The Morning Team": a byline even when no person is named
        elif RELATIVE_DATE.fullmatch(line.text):
            out[i] = "date"
        elif CAPTION_PHRASE.match(line.text):
            out[i] = "caption"
        elif PROMO.search(line.text) and line.words <= 30:
            out[i] = "promo"
    return out


def evidence(lines: Sequence[Line], kinds: Sequence[str]) -> tuple[list[str], list[float]]:
    """Kinds refined by content evidence, and each line's hand-set value in a story run."""
    refined = _evidence(lines, list(kinds))
    values = [
        body_value(line, kind if kind != "donation" else "banner", last=i == len(lines) - 1)
        for i, (line, kind) in enumerate(zip(lines, refined, strict=True))
    ]
    _introduced_lists(lines, refined, values)
    return refined, values


def _introduced_lists(lines: Sequence[Line], kinds: Sequence[str], values: list[float]) -> None:
    """A list a line introduces with a colon ("Our guests:") belongs to the paragraphs around it."""
    for i, line in enumerate(lines[:-1]):
        if not (line.text.endswith(":") and kinds[i] in _INSIDE and lines[i + 1].bulleted):
            continue
        values[i] = max(values[i], LIST_ITEM)
        for j in range(i + 1, len(lines)):
            if not (lines[j].bulleted and kinds[j] in _INSIDE):
                break
            values[j] = max(values[j], LIST_ITEM)


def judge(lines: Sequence[Line], kinds: Sequence[str], model: LineModel | None = None) -> tuple[Judged, ...]:
    """One role per line: the story run, the headline above it, the rest by its own pattern.

    With a `model`, a line's value in the run is the model's log-odds that it is story;
    without one, the hand-set `body_value`.
    """
    from broadcast.input.title import headline_index

    kinds, values = evidence(lines, kinds)
    if model is not None:
        odds = model.score(page_features(lines, kinds, values))
        # Alone, the log-odds are the values; blended, the model corrects the hand-set values.
        # Either way a line's pull down is capped, so a caption inside the story stays a gap.
        weight = 1.0 if model.alone else MODEL_WEIGHT
        base = [0.0] * len(values) if model.alone else values
        values = [b + weight * max(z, -RUN_FLOOR) for b, z in zip(base, odds, strict=True)]
    start, stop = best_run(values)
    if model is not None and sum(values[start:stop]) < model.min_run:
        start = stop = 0
    while stop - 1 > start and kinds[stop - 1] == "bio":
        stop -= 1  # bios follow the story they close; they are not its last paragraphs
    # "X reports from member station Y", "This report was first published ...": the story ends there.
    stop = next((i + 1 for i in range(start, stop) if kinds[i] == "attribution" and i > start), stop)
    stop = _author_box(lines, kinds, start, stop)
    if start < stop and (
        _is_listing(lines[start:stop], kinds[start:stop]) or _is_programme_page(lines, kinds, start, stop)
    ):
        start = stop = 0
    headline = headline_index(lines, kinds, start, stop) if start < stop else -1
    if headline < 0 and start < stop and (kinds[start] == "bio" or (start > 0 and kinds[start - 1] == "bio")):
        start = stop = 0  # a staff page: a bio and its paragraphs, no story

    def story(i: int) -> bool:
        line, kind = lines[i], kinds[i]
        if model is not None:
            return values[i] > 0 and (kind in _INSIDE or kind == "bio") and line.repeats == 1
        return (kind in _INSIDE or kind == "bio") and line.repeats == 1 and not LISTING.match(line.text)

    out: list[Judged] = []
    for i, (line, kind) in enumerate(zip(lines, kinds)):
        inside = start <= i < stop
        if i == headline:
            out.append(Judged(line, Role.HEADLINE, "title-shaped line closest above the story"))
        elif kind == "donation":
            out.append(Judged(line, Role.DONATION, "asks the reader for money"))
        elif inside and story(i):
            out.append(
                Judged(line, Role.BODY, f"inside the story run (lines {lines[start].number}-{lines[stop - 1].number})")
            )
        elif kind in _KIND_ROLES:
            out.append(Judged(line, _KIND_ROLES[kind], f"matches the {kind} patterns"))
        elif line.repeats > 1:
            out.append(Judged(line, Role.CAPTION, "printed more than once on the page (a caption or title)"))
        elif i >= stop and start < stop and (line.ends_sentence or kind == "heading"):
            out.append(Judged(line, Role.TEASER, "after the story run"))
        else:
            out.append(Judged(line, Role.CHROME, "outside the story run"))
    return tuple(out)


def _author_box(lines: Sequence[Line], kinds: list[str], start: int, stop: int) -> int:
    """Where the story ends at the author box: the byline's name again, alone on a line, opens the bio."""
    names = {BY_PREFIX.sub("", lines[i].text).rstrip(",; ") for i in range(start) if kinds[i] == "byline"}
    cut = next((i for i in range(start + 1, stop) if lines[i].text.rstrip(",; ") in names), stop)
    for i in range(cut, stop):
        if kinds[i] in _INSIDE:
            kinds[i] = "bio"
    return cut


def _is_programme_page(lines: Sequence[Line], kinds: Sequence[str], start: int, stop: int) -> bool:
    """A station's schedule or show page: what a story run there holds is a blurb, not a story.

    A schedule has more time-slot lines than the run has paragraphs; a show page's run is one
    paragraph summing up "today's show".
    """
    paragraphs = [line for line, kind in zip(lines[start:stop], kinds[start:stop]) if kind in _INSIDE]
    if sum(bool(TIME_SLOT.match(line.text)) for line in lines) >= max(5, len(paragraphs) + 1):
        return True
    return len(paragraphs) == 1 and RUNDOWN.search(paragraphs[0].text) is not None


def _is_listing(lines: Sequence[Line], kinds: Sequence[str]) -> bool:
    """A run of story links: most lines bulleted, or a title over each one-line summary."""
    prose = [line for line, kind in zip(lines, kinds) if kind in _INSIDE and line.ends_sentence]
    bulleted = sum(line.bulleted for line in prose)
    if len(prose) >= 3 and bulleted >= 0.8 * len(prose) and len(prose) - bulleted < 3:
        return True
    # Title, one-line summary, title, summary ...: teasers, where a story has paragraphs under a subhead.
    pairs = sum(
        kinds[i] == "heading" and kinds[i + 1] == "prose" and (i + 2 == len(kinds) or kinds[i + 2] == "heading")
        for i in range(len(kinds) - 1)
    )
    return pairs >= 3 and pairs >= 0.5 * len(prose)


def describe_bodyless(judged: Sequence[Judged]) -> str:
    """What a page without a story looks like, for the refusal message."""
    lines = [j.line for j in judged]
    if not lines:
        return "the page is empty"
    if sum(bool(TIME_SLOT.match(line.text)) for line in lines) >= 5:
        return "looks like a program schedule, not an article"
    if sum(line.bulleted or bool(LISTING.match(line.text)) for line in lines) >= 3:
        return "looks like a list of stories, not an article"
    if any(RUNDOWN.search(line.text) for line in lines):
        return "looks like a show page, not an article"
    bios = sum(j.role == Role.BIO for j in judged)
    if bios >= 2 or (bios and len(judged) <= 6):
        return "looks like a staff or author bio, not an article"
    if any(j.line.ends_sentence and j.line.words >= 8 for j in judged):
        return "looks like a show or section page, not an article"
    return "only site navigation and labels"
