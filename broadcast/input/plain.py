"""Plain text of a news page -> Article.

The input is a raw text copy of a web page (player chrome, photo captions and
credits, bios and teasers included) or plain wire copy. Each line gets a kind from
the pattern tables (`patterns`), `roles` turns kinds and line shape into one role
per line (the story is the best run of body-like lines), and the article is read
off the roles: headline, date and byline, body, attribution and copyright, bios.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from broadcast.errors import ArticleError
from broadcast.input.dates import published
from broadcast.input.dates import stamps as _stamps
from broadcast.input.line_model import LineModel
from broadcast.input.lines import BULLET, Line, page_lines
from broadcast.input.patterns import (
    BIO_START,
    ORG_WORDS,
    LineKind,
    byline_names,
    copyright_notice,
    first_url,
    is_chrome,
    line_kind,
    mark_captions,
    mark_credits,
    strip_dateline,
)
from broadcast.input.roles import Judged, Role, describe_bodyless, evidence, judge
from broadcast.input.speakers import is_stage_direction, without_label
from broadcast.input.title import lede_title
from broadcast.model import Article, Bio

RULES_ONLY = None

# html.py reads these through this module.
__all__ = [
    "BIO_START",
    "ORG_WORDS",
    "LineKind",
    "byline_names",
    "copyright_notice",
    "first_url",
    "judge_lines",
    "line_kind",
    "parse_article",
    "strip_dateline",
]


def parse_article(text: str, name: str = "<input>", model: LineModel | None = RULES_ONLY) -> Article:
    """Read an Article from page text; ArticleError (saying what the page looks like) without a body."""
    judged = judge_lines(text, model)
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
        headline=BULLET.sub("", headline) or lede_title(_lede(body)),
        title_derived=not headline,
        body=tuple(body),
        site=_site(lines),
        authors=authors,
        dateline=dateline,
        published=_published(texts, kinds, name),
        attribution=tuple(texts[i] for i, r in enumerate(roles) if r == Role.ATTRIBUTION),
        copyright=copyright_notice(copyright_text),
        source_url=first_url(copyright_text),
        bios=bios,
    )


def _site(lines: tuple[Line, ...]) -> str:
    """A member-station page opens with the station name, right above the player chrome."""
    if (
        len(lines) >= 2
        and is_chrome(lines[1].text)
        and not is_chrome(lines[0].text)
        and len(lines[0].text.split()) <= 8
        and line_kind(lines[0].text) is not LineKind.COPYRIGHT  # "Copyright 2015 NPR. To see more, ..."
    ):
        return lines[0].text
    return ""


def line_evidence(text: str) -> tuple[tuple[Line, ...], list[str], list[float]]:
    """The page's lines, their pattern kinds and hand-set run values: what the line model is trained on."""
    lines = page_lines(text)
    kinds = [k.value for k in _kinds(lines, skip_first=bool(_site(lines)))]
    return (lines, *evidence(lines, kinds))


def _lede(body: list[str]) -> str:
    """The first words of the story: a transcript's speaker labels and stage directions are not."""
    said = (without_label(p) for p in body)
    return next((p for p in said if p and not is_stage_direction(p)), body[0])


def judge_lines(text: str, model: LineModel | None = RULES_ONLY) -> tuple[Judged, ...]:
    """Every non-blank line of the page with its role and the strongest reason for it."""
    lines = page_lines(text)
    kinds = _kinds(lines, skip_first=bool(_site(lines)))
    return judge(lines, [k.value for k in kinds], model)


def _kinds(lines: tuple[Line, ...], skip_first: bool) -> list[LineKind]:
    kinds = [line_kind(line.text) for line in lines]
    if skip_first:
        kinds[0] = LineKind.SITE
    mark_credits(lines, kinds)
    mark_captions(lines, kinds)
    return kinds


def _published(texts: list[str], kinds: list[LineKind], name: str) -> datetime | None:
    """The publication stamp; None when the page prints no date."""
    return published((s for i, k in enumerate(kinds) if k == LineKind.DATE for s in _stamps(texts[i])), name)


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


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
