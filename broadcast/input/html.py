"""HTML of a news page -> Article.

trafilatura finds the main text; the metadata comes from tables of sources read
in order, first hit wins: the page's JSON-LD NewsArticle, then its meta tags, then
what trafilatura derived itself (it mixes sources: a WebSite name as the site, a
meta author next to the JSON-LD ones, a date without its time).

The extracted paragraphs then go through the plain-text rules of
`broadcast.input.plain`: chrome, bylines, date stamps, captions and credits are
dropped, the dateline is taken off, and attribution, copyright and bio lines at
the end of the story leave the body.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from broadcast.errors import ArticleError, ToolError
from broadcast.input.dates import plausible
from broadcast.input.lines import Line
from broadcast.input.plain import (
    BIO_START,
    ORG_WORDS,
    LineKind,
    byline_names,
    copyright_notice,
    first_url,
    line_kind,
    strip_dateline,
)
from broadcast.input.roles import evidence
from broadcast.input.title import lede_title
from broadcast.input.web_url import is_web_url
from broadcast.model import Article, Bio

# Elements removed before extraction. trafilatura drops most figures itself, but a
# credit <span> or a consent dialog with a full sentence in it can pass as a paragraph.
_PRUNE_TAGS = ("figure", "figcaption", "picture", "dialog", "form", "button", "noscript")
_PRUNE_MARKS = re.compile(
    r"(?:^|[\s_-])(?:caption|credit|photo-?credit|cookies?|consent|gdpr|cmp|newsletter|"
    r"signup|sign-up|paywall|share-tools|social-share|advert|ad-slot)(?:$|[\s_-])",
    re.IGNORECASE,
)
# A container marked like that but holding this much text is the article itself.
_PRUNE_MAX_CHARS = 600

# JSON-LD types that describe an article, news kinds first.
_ARTICLE_TYPES = (
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BackgroundNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "LiveBlogPosting",
    "Article",
    "BlogPosting",
    "Report",
    "WebPage",
)

_SPACES = re.compile(r"\s+")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_LANG = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]+)*", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|\u2013\u2014:-]\s+")
_PERSON = re.compile(r"[^\W\d_][\w'\u2019.-]*(?:\s+[\w'\u2019.-]+)+")
_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")


@dataclass(frozen=True)
class _Page:
    """What the metadata tables read from: the parsed tree and its JSON-LD article."""

    tree: Any  # lxml HtmlElement
    ld: dict[str, Any]  # the page's article object from JSON-LD, {} if none
    doc: Any  # trafilatura's Document (metadata and body), or None


def _meta(*keys: str) -> Callable[[_Page], list[str]]:
    """Values of <meta property|name|itemprop=key content=...>, in page order."""
    wanted = {k.lower() for k in keys}

    def read(page: _Page) -> list[str]:
        out = []
        for el in page.tree.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
            if key in wanted and (el.get("content") or "").strip():
                out.append(el.get("content").strip())
        return out

    return read


def _ld(key: str, sub: str = "name") -> Callable[[_Page], list[str]]:
    """The JSON-LD article's `key`: a string, an object's `sub`, or a list of either."""

    def read(page: _Page) -> list[str]:
        value = page.ld.get(key)
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if isinstance(item, dict):
                # An organisation named as author is the publisher, not a byline.
                if key == "author" and "Organization" in _types(item):
                    continue
                item = item.get(sub)
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
        return out

    return read


def _doc(attr: str) -> Callable[[_Page], list[str]]:
    def read(page: _Page) -> list[str]:
        value = getattr(page.doc, attr, None) if page.doc is not None else None
        return [value.strip()] if isinstance(value, str) and value.strip() else []

    return read


def _tree_text(xpath: str) -> Callable[[_Page], list[str]]:
    def read(page: _Page) -> list[str]:
        return [_clean(t) for t in page.tree.xpath(xpath) if isinstance(t, str) and t.strip()]

    return read


def _element_text(tag: str) -> Callable[[_Page], list[str]]:
    def read(page: _Page) -> list[str]:
        return [_clean(el.text_content()) for el in page.tree.iter(tag) if el.text_content().strip()]

    return read


# Each table: the sources of one field, first hit wins.
HEADLINE_SOURCES: tuple[Callable[[_Page], list[str]], ...] = (
    _ld("headline"),
    _meta("og:title", "twitter:title"),
    _doc("title"),
    _element_text("h1"),
    _element_text("title"),
)
SITE_SOURCES: tuple[Callable[[_Page], list[str]], ...] = (
    _ld("publisher"),
    _meta("og:site_name", "application-name"),
    _doc("sitename"),
)
AUTHOR_SOURCES: tuple[Callable[[_Page], list[str]], ...] = (
    _ld("author"),
    _meta("author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author"),
    _doc("author"),
)
PUBLISHED_SOURCES: tuple[Callable[[_Page], list[str]], ...] = (
    _ld("datePublished"),
    _meta(
        "article:published_time",
        "og:published_time",
        "datePublished",
        "pubdate",
        "publishdate",
        "publish-date",
        "dc.date.issued",
        "dc.date",
        "sailthru.date",
        "parsely-pub-date",
        "date",
    ),
    _tree_text("//time[@itemprop='datePublished' or @pubdate]/@datetime"),
    _ld("dateCreated"),
    _doc("date"),  # trafilatura (htmldate): a day without the time
)
URL_SOURCES: tuple[Callable[[_Page], list[str]], ...] = (
    _tree_text("//link[@rel='canonical']/@href"),
    _meta("og:url"),
    _ld("url"),
    _ld("mainEntityOfPage", "@id"),
    _doc("url"),
)
LANGUAGE_SOURCES: tuple[Callable[[_Page], list[str]], ...] = (
    _tree_text("/html/@lang"),
    _tree_text("/html/@xml:lang"),
    _ld("inLanguage"),
    _meta("og:locale", "content-language", "language", "dc.language"),
    _tree_text("//meta[translate(@http-equiv, 'CONTENT-LANGUAGE', 'content-language')='content-language']/@content"),
)


def parse_html(html: str, name: str, url: str = "") -> Article:
    """Read an Article from the HTML of a news page; ArticleError if there is no story."""
    trafilatura, load_html = _trafilatura(name)
    try:
        # trafilatura refuses a fragment ("<title>..<article>.." without <html>) that
        # lxml still reads as a document.
        tree = load_html(html)
        if tree is None:
            tree = _document(html)
    except Exception as exc:  # noqa: BLE001 - lxml on pathological input: any error
        raise ArticleError(f"{name}: cannot parse HTML ({type(exc).__name__}: {exc})") from None
    if tree is None:
        raise ArticleError(f"{name}: no article body found")
    ld = _json_ld_article(tree)
    _prune(tree)
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
        )
    except Exception as exc:  # noqa: BLE001 - a library bug must still be one error line
        raise ToolError(f"{name}: trafilatura failed ({type(exc).__name__}: {exc})") from None
    page = _Page(tree, ld, doc)
    paragraphs = list(_paragraphs(doc.body)) if doc is not None and doc.body is not None else []
    headline = _headline(page)
    story = _sort(paragraphs, headline)
    if not any(line_kind(p) == LineKind.PROSE for p in story.body):
        raise ArticleError(f"{name}: no article body found")
    body, dateline = strip_dateline(story.body)
    site = _first(page, SITE_SOURCES)
    copyright_text = story.copyright or _page_copyright(tree)
    authors = _authors(page) or story.authors or tuple(b.name for b in story.bios)
    return Article(
        headline=headline or lede_title(body[0]),  # no headline on the page: the lede's first clause
        title_derived=not headline,
        body=tuple(body),
        site=site,
        authors=authors,
        dateline=dateline,
        published=_published(page, name),
        attribution=tuple(story.attribution),
        copyright=copyright_notice(copyright_text),
        source_url=url or _page_url(page) or first_url(copyright_text),
        page_url=url or _page_url(page),
        bios=story.bios,
        language=_language(page),
    )


def _trafilatura(name: str) -> tuple[Any, Any]:
    """Imported on first use: it costs a tenth of a second that plain text need not pay."""
    try:
        import trafilatura
        from trafilatura.utils import load_html
    except ImportError as exc:
        hint = " (install lxml_html_clean)" if "clean" in str(exc) else ""
        raise ToolError(f"{name}: cannot read HTML: trafilatura fails to import ({exc}){hint}") from None
    # Its loggers warn on stderr for every page without a body; the error says it once.
    for logger in _LOGGERS:
        log = logging.getLogger(logger)
        if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
            log.addHandler(logging.NullHandler())
    return trafilatura, load_html


def _document(html: str) -> Any:
    from lxml import etree
    from lxml.html import document_fromstring

    try:
        return document_fromstring(html)
    except ValueError:  # a str with an encoding declaration: lxml wants bytes
        return document_fromstring(html.encode("utf-8"))
    except etree.ParserError:  # nothing to parse
        return None


def _prune(tree: Any) -> None:
    """Drop figures, captions, credits, consent banners and sign-up boxes before extraction."""
    doomed = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        marks = f"{el.get('class', '')} {el.get('id', '')} {el.get('aria-label', '')}"
        if el.tag == "figcaption" or (
            (el.tag in _PRUNE_TAGS or el.get("role") in ("dialog", "alertdialog") or _PRUNE_MARKS.search(marks))
            # Some sites wrap the whole page in a <form> or mark it "has-captions".
            and len(el.text_content()) <= _PRUNE_MAX_CHARS
        ):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _json_ld_article(tree: Any) -> dict[str, Any]:
    """The page's article object from its JSON-LD scripts, by _ARTICLE_TYPES order."""
    found: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        found.extend(_ld_objects(data))
    for wanted in _ARTICLE_TYPES:
        for obj in found:
            if wanted in _types(obj):
                return obj
    return {}


def _ld_objects(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _ld_objects(data.get("@graph"))


def _types(obj: dict[str, Any]) -> tuple[str, ...]:
    kind = obj.get("@type", ())
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    names = tuple(k for k in kinds if isinstance(k, str))
    return tuple(n.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names)


def _first(page: _Page, sources: Iterable[Callable[[_Page], list[str]]]) -> str:
    for source in sources:
        for value in source(page):
            if _clean(value):
                return _clean(value)
    return ""


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _paragraphs(body: Any) -> Iterator[tuple[str, str]]:
    """(tag, text) of each block of trafilatura's output tree, in order."""
    for child in body:
        if child.tag == "list":
            for item in child.iter("item"):
                text = _clean("".join(item.itertext()))
                if text:
                    yield "item", text
            continue
        text = _clean("".join(child.itertext()))
        if text:
            yield child.tag, text


@dataclass
class _Story:
    body: list[str]
    authors: tuple[str, ...]
    attribution: list[str]
    copyright: str
    bios: tuple[Bio, ...]


# Kinds that are never story text, wherever they stand.
_NOT_STORY = frozenset({"donation", "banner", "promo", "caption"})  # refined kinds (roles.evidence)
_DROP = (LineKind.CHROME, LineKind.BANNER, LineKind.DATE, LineKind.CREDIT, LineKind.CAPTION)


def _sort(paragraphs: list[tuple[str, str]], headline: str) -> _Story:
    """Split trafilatura's blocks into body and end matter, by the plain-text line kinds."""
    blocks = [(tag, text) for tag, text in paragraphs if any(ch.isalnum() for ch in text)]
    kinds = [line_kind(text) for _, text in blocks]
    # The plain-text reader's content evidence: appeals, station notices, live-blog promos
    # and wire captions that trafilatura keeps inside the main text are no story.
    counts = Counter(text for _, text in blocks)
    lines = [Line(text, i + 1, i, counts[text]) for i, (_, text) in enumerate(blocks)]
    refined, _ = evidence(lines, [k.value for k in kinds])
    kinds = [LineKind.CHROME if r in _NOT_STORY else k for k, r in zip(kinds, refined, strict=True)]
    # The rail of other stories ends the story, once the story has begun.
    for i, kind in enumerate(kinds):
        if kind == LineKind.END and any(k == LineKind.PROSE for k in kinds[:i]):
            blocks, kinds = blocks[:i], kinds[:i]
            break
    # End matter follows the last sentence of the story: only there is "X contributed" a
    # credit line and "X is a reporter" a bio, not a sentence of the story. Short lines
    # after the end matter ("Follow our coverage at https://...") are not story text.
    tail = 1 + max((i for i, k in enumerate(kinds) if k == LineKind.PROSE), default=-1)
    ended = False
    body: list[str] = []
    authors: list[str] = []
    attribution: list[str] = []
    copyright_text = ""
    bios: dict[str, Bio] = {}
    for i, ((tag, text), kind) in enumerate(zip(blocks, kinds, strict=True)):
        if kind == LineKind.BYLINE:
            authors.extend(byline_names(text))
        elif kind == LineKind.COPYRIGHT:
            copyright_text = copyright_text or text
            ended = ended or i >= tail
        elif kind in _DROP or kind == LineKind.END:
            continue
        elif i >= tail and kind == LineKind.ATTRIBUTION:
            attribution.append(text)
            ended = True
        elif i >= tail and kind == LineKind.BIO:
            match = BIO_START.match(text)
            if match is not None:
                bios.setdefault(match["name"], Bio(match["name"], text))
            ended = True
        elif ended:
            continue
        elif tag == "head" or (not body and _same_text(text, headline)):
            continue  # the headline again, or a subhead: not read as story text
        else:
            body.append(text)
    return _Story(body, _unique(authors), attribution, copyright_text, tuple(bios.values()))


def _same_text(a: str, b: str) -> bool:
    return _clean(a).casefold() == _clean(b).casefold()


def _headline(page: _Page) -> str:
    headline = _first(page, HEADLINE_SOURCES)
    site = _first(page, SITE_SOURCES)
    return _strip_site(headline, site) if headline else ""


def _strip_site(title: str, site: str) -> str:
    """ "Headline | The Herald" -> "Headline": a <title> or og:title often carries the site."""
    seps = list(_TITLE_SEPARATORS.finditer(title))
    if not site or not seps:
        return title
    key = _site_key(site)
    if _site_key(title[seps[-1].end() :]) == key:
        return title[: seps[-1].start()].strip()
    if _site_key(title[: seps[0].start()]) == key:
        return title[seps[0].end() :].strip()
    return title


def _site_key(name: str) -> str:
    return _clean(name).casefold().removeprefix("the ")


def _authors(page: _Page) -> tuple[str, ...]:
    """Person names from the first source that has any; URLs and organisations skipped."""
    for source in AUTHOR_SOURCES:
        names: list[str] = []
        for value in source(page):
            for part in re.split(r"\s*;\s*", value):
                names.extend(_person_names(part))
        if names:
            return _unique(names)
    return ()


def _person_names(value: str) -> list[str]:
    value = _clean(value)
    if not value or "://" in value or value.startswith(("/", "@")):
        return []
    # "Jane Doe and John Roe", "By JANE DOE", "Jane Doe, Associated Press": the plain-text
    # byline rule splits them, title-cases capitals and leaves organisations out.
    names = byline_names(value if value.lower().startswith("by ") else f"By {value}")
    if names:
        return list(names)
    # That rule knows ASCII capitals only; a structured field still names one person.
    if _PERSON.fullmatch(value) and len(value.split()) <= 5 and not ORG_WORDS.search(value):
        return [value]
    return []


def _page_url(page: _Page) -> str:
    for source in URL_SOURCES:
        for value in source(page):
            if is_web_url(value):  # a malformed one ("http://[oops/") is no address
                return value.strip()
    return ""


def _published(page: _Page, name: str) -> datetime | None:
    for source in PUBLISHED_SOURCES:
        for value in source(page):
            match = _ISO_DATE.match(value.strip())
            if match is not None:
                return plausible(_parse_date(match.group(), name), match.group(), name)
    return None


def _parse_date(text: str, name: str) -> datetime:
    """A date the page states in ISO form. "2023-13-45" is refused: falling through to the
    next source would publish under a date the page never gave (htmldate's 2023-01-01)."""
    # Python 3.11 reads "+0400" but not every page writes the colon; normalize first.
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ArticleError(f"{name}: the page's publication date {text!r} is not a real date") from None


def _language(page: _Page) -> str:
    for source in LANGUAGE_SOURCES:
        for value in source(page):
            match = _LANG.fullmatch(value.strip())
            if match is not None:
                return match[1].lower()
    return "en"


def _page_copyright(tree: Any) -> str:
    """A copyright line anywhere on the page (usually its footer), as the plain-text rule reads it."""
    for el in tree.iter("p", "div", "span", "small", "footer", "li"):
        if len(el) > 4:  # a container: its lines are checked one by one
            continue
        text = _clean(el.text_content())
        if text and len(text.split()) <= 40 and line_kind(text) == LineKind.COPYRIGHT:
            return text
    return ""


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
