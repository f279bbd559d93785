"""The podcast feed: RSS 2.0 with iTunes and Podcasting 2.0 tags, from output/*/episode.json.

The XML comes from a tiny serializer of our own rather than ElementTree: it needs no global
namespace registration and its output (tag order, prefixes, indentation) is fixed, so the same
episodes always give byte-identical feeds. Which tags exist, and where their values come from,
lives in the tables _CHANNEL and _ITEM; what is read from episode.json, in _JSON_FIELDS.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from broadcast.config import ShowSettings
from broadcast.errors import ConfigError, OutputError
from broadcast.publish.files import write_atomic

FEED_NAME = "feed.xml"
GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # of podcast:guid
NAMESPACES = (
    ("atom", "http://www.w3.org/2005/Atom"),
    ("content", "http://purl.org/rss/1.0/modules/content/"),
    ("itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
    ("podcast", "https://podcastindex.org/namespace/1.0"),
)
DESCRIPTION_MAX_BYTES = 4000  # Apple's limit for the channel description
_CAPTION_TYPES = frozenset({"text/vtt", "application/x-subrip"})  # players show these as subtitles
# Characters XML 1.0 forbids (a parser rejects the whole feed for one) and the C1 controls it
# discourages: they only come from mis-decoded text, and feedparser turns them into cp1252 letters.
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class FeedEpisode:
    folder: str  # the episode's folder name under output/
    title: str
    description: str  # plain text (the lede)
    guid: str  # stable id, computed by the build
    published: datetime | None  # None: listed after all dated episodes, without pubDate
    duration_s: int
    size_bytes: int  # exact size of the audio file
    audio_file: str = "episode.mp3"
    image_file: str = ""
    transcripts: tuple[tuple[str, str], ...] = ()  # (file name, MIME type)
    chapters_file: str = ""
    language: str = ""
    authors: tuple[str, ...] = ()


# ---------------------------------------------------------------- reading episode.json


def _text(v: Any) -> str:
    if v is not None and not isinstance(v, str):
        raise ValueError(f"expected text, not {v!r}")
    return v or ""


def _required_text(v: Any) -> str:
    if not _text(v).strip():
        raise ValueError("missing or empty")
    return v


def _file_name(v: Any) -> str:
    # A plain name inside the episode folder: the feed must never point outside it.
    name = _text(v)
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"{name!r} is not a file name inside the episode folder")
    return name


def _count(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not v >= 0:  # also NaN
        raise ValueError(f"expected a non-negative number, not {v!r}")
    return int(v)


def _list(v: Any) -> list[Any]:
    if v is not None and not isinstance(v, list):
        raise ValueError(f"expected a list, not {v!r}")
    return v or []


def _transcripts(v: Any) -> tuple[tuple[str, str], ...]:
    if not all(isinstance(p, list) and len(p) == 2 for p in _list(v)):
        raise ValueError(f"expected [file, mime type] pairs, not {v!r}")
    return tuple((_file_name(f), _required_text(m)) for f, m in v or ())


# FeedEpisode field <- key path in episode.json (missing reads as null), converter.
_JSON_FIELDS: tuple[tuple[str, tuple[str, ...], Callable[[Any], Any]], ...] = (
    ("title", ("title",), _required_text),
    ("description", ("lede",), _text),
    ("guid", ("guid",), _required_text),
    ("published", ("published",), lambda v: _aware(datetime.fromisoformat(_text(v))) if v else None),
    ("authors", ("authors",), lambda v: tuple(_required_text(n) for n in _list(v))),
    ("language", ("language",), _text),
    ("audio_file", ("audio", "file"), lambda v: _file_name(v) or "episode.mp3"),
    ("size_bytes", ("audio", "size_bytes"), _count),
    # Half up: round() would turn both 1.5 s and 2.5 s into 2.
    ("duration_s", ("audio", "duration_ms"), lambda v: (_count(v) + 500) // 1000),
    ("image_file", ("files", "cover"), _file_name),
    ("transcripts", ("files", "transcripts"), _transcripts),
    ("chapters_file", ("files", "chapters"), _file_name),
)


def read_episode(path: Path) -> FeedEpisode:
    """One episode from its episode.json; OutputError names the file and the bad key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutputError(f"{path}: cannot read episode record: {exc}") from exc
    if not isinstance(data, dict):
        raise OutputError(f"{path}: episode record is not a JSON object")
    values: dict[str, Any] = {"folder": path.parent.name}
    for name, keys, convert in _JSON_FIELDS:
        value: Any = data
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        try:
            values[name] = convert(value)
        except ValueError as exc:
            raise OutputError(f"{path}: {'.'.join(keys)}: {exc}") from exc
    return _match_disk(FeedEpisode(**values), path.parent)


def _match_disk(ep: FeedEpisode, folder: Path) -> FeedEpisode:
    """The feed describes the files as published: the MP3's real size, no dangling links."""
    audio = folder / ep.audio_file
    size = audio.stat().st_size if audio.is_file() else ep.size_bytes
    keep = lambda name: name if name and (folder / name).is_file() else ""  # noqa: E731
    return replace(
        ep,
        size_bytes=size,
        image_file=keep(ep.image_file),
        chapters_file=keep(ep.chapters_file),
        transcripts=tuple(t for t in ep.transcripts if keep(t[0])),
    )


def load_episodes(output_root: Path) -> list[FeedEpisode]:
    """Every published episode under output_root (dot folders are staging or retired)."""
    if not output_root.is_dir():
        raise OutputError(f"{output_root}: output directory not found")
    records = sorted(p for p in output_root.glob("*/episode.json") if not p.parent.name.startswith("."))
    return [read_episode(p) for p in records]


# ---------------------------------------------------------------- the feed's values


def _aware(dt: datetime) -> datetime:
    # A naive time read as local time would make the feed depend on the machine: read it as UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _rfc2822(dt: datetime | None) -> str | None:
    return format_datetime(_aware(dt).astimezone(timezone.utc)) if dt else None


def one_line(text: str) -> str:
    """A title as clients show it: no XML-illegal characters, whitespace runs as one space."""
    return " ".join(_ILLEGAL_XML.sub("", text).split())


def feed_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(GUID_NAMESPACE, bare))


def _absolute(url: str, what: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"show {what} must be an absolute http(s) URL, not {url!r}")
    return url.strip()


def base_url(show: ShowSettings) -> str:
    """show.base_url checked, ending in '/' so that file names can be appended."""
    return _absolute(show.base_url, "base_url").rstrip("/") + "/"


@dataclass(frozen=True)
class _Tag:
    """Attributes and content of one element; its name comes from the table row."""

    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[tuple[str, _Tag], ...] = ()
    text: str = ""


# A getter gives text, a _Tag, several _Tags (a repeated element) or None (element left out).
_Value = str | _Tag | tuple[_Tag, ...] | None


@dataclass(frozen=True)
class _Channel:
    show: ShowSettings
    base: str
    image: str  # URL of the show's cover
    link: str
    newest: datetime | None
    now: datetime | None


@dataclass(frozen=True)
class _Item:
    ch: _Channel
    ep: FeedEpisode
    number: int

    def url(self, name: str) -> str:
        return self.ch.base + quote(self.ep.folder, safe="") + "/" + quote(name, safe="")


def _transcript(it: _Item, name: str, mime: str) -> _Tag:
    lang = it.ep.language or it.ch.show.language
    return _Tag(
        (("url", it.url(name)), ("type", mime))
        + ((("language", lang),) if lang else ())
        + ((("rel", "captions"),) if mime in _CAPTION_TYPES else ())
    )


def _attrs(*pairs: tuple[str, str]) -> _Tag:
    return _Tag(pairs)


def _parent(*children: tuple[str, str | _Tag]) -> _Tag:
    return _Tag(children=tuple((n, _Tag(text=c) if isinstance(c, str) else c) for n, c in children))


_CHANNEL: tuple[tuple[str, Callable[[_Channel], _Value]], ...] = (
    ("title", lambda c: one_line(c.show.name)),
    # Cut on a byte count; "ignore" drops only a multi-byte character the cut splits.
    (
        "description",
        lambda c: _ILLEGAL_XML.sub("", c.show.description).encode()[:DESCRIPTION_MAX_BYTES].decode("utf-8", "ignore"),
    ),
    ("link", lambda c: c.link),
    ("language", lambda c: c.show.language),
    ("atom:link", lambda c: _attrs(("href", c.base + FEED_NAME), ("rel", "self"), ("type", "application/rss+xml"))),
    ("generator", lambda c: "broadcast"),
    ("pubDate", lambda c: _rfc2822(c.newest)),
    # No hidden clock: without a `now` the feed was last built when its newest episode came out.
    ("lastBuildDate", lambda c: _rfc2822(c.now or c.newest)),
    ("image", lambda c: _parent(("url", c.image), ("title", one_line(c.show.name)), ("link", c.link))),
    ("itunes:image", lambda c: _attrs(("href", c.image))),
    (
        "itunes:category",
        lambda c: _Tag(
            (("text", c.show.category),),
            ((("itunes:category", _attrs(("text", c.show.subcategory))),) if c.show.subcategory else ()),
        ),
    ),
    ("itunes:explicit", lambda c: "true" if c.show.explicit else "false"),
    ("itunes:author", lambda c: c.show.author or None),
    ("itunes:owner", lambda c: _parent(("itunes:name", c.show.owner_name), ("itunes:email", c.show.owner_email))),
    ("itunes:type", lambda c: "episodic"),
    ("podcast:guid", lambda c: feed_guid(c.base + FEED_NAME)),
    ("podcast:locked", lambda c: _Tag((("owner", c.show.owner_email),), text="yes" if c.show.locked else "no")),
)

_ITEM: tuple[tuple[str, Callable[[_Item], _Value]], ...] = (
    ("title", lambda i: one_line(i.ep.title)),
    ("description", lambda i: i.ep.description or None),
    ("guid", lambda i: _Tag((("isPermaLink", "false"),), text=i.ep.guid)),
    ("pubDate", lambda i: _rfc2822(i.ep.published)),
    (
        "enclosure",
        lambda i: _attrs(("url", i.url(i.ep.audio_file)), ("length", str(i.ep.size_bytes)), ("type", "audio/mpeg")),
    ),
    ("itunes:duration", lambda i: str(i.ep.duration_s)),
    ("itunes:episode", lambda i: str(i.number)),
    ("itunes:episodeType", lambda i: "full"),
    ("itunes:image", lambda i: _attrs(("href", i.url(i.ep.image_file))) if i.ep.image_file else None),
    ("itunes:explicit", lambda i: "true" if i.ch.show.explicit else "false"),
    ("itunes:author", lambda i: ", ".join(i.ep.authors) or None),
    ("podcast:transcript", lambda i: tuple(_transcript(i, *t) for t in i.ep.transcripts)),
    (
        "podcast:chapters",
        lambda i: (
            _attrs(("url", i.url(i.ep.chapters_file)), ("type", "application/json+chapters"))
            if i.ep.chapters_file
            else None
        ),
    ),
)


# ---------------------------------------------------------------- writing the XML


def _escape(text: str, attr: bool = False) -> str:
    text = _ILLEGAL_XML.sub("", text).replace("&", "&amp;").replace("<", "&lt;")
    # ">" guards "]]>"; a raw CR (and in attributes tab and newline) would be normalised away.
    text = text.replace(">", "&gt;").replace("\r", "&#13;")
    if attr:
        text = text.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return text


def _emit(name: str, tag: _Tag, depth: int, out: list[str], extra: str = "") -> None:
    pad = "  " * depth
    attrs = extra + "".join(f' {k}="{_escape(v, attr=True)}"' for k, v in tag.attrs)
    if tag.children:
        out.append(f"{pad}<{name}{attrs}>")
        for child_name, child in tag.children:
            _emit(child_name, child, depth + 1, out)
        out.append(f"{pad}</{name}>")
    elif tag.text:
        out.append(f"{pad}<{name}{attrs}>{_escape(tag.text)}</{name}>")
    else:
        out.append(f"{pad}<{name}{attrs}/>")


def _fill(
    table: Sequence[tuple[str, Callable[[Any], _Value]]],
    ctx: Any,
) -> tuple[tuple[str, _Tag], ...]:
    out: list[tuple[str, _Tag]] = []
    for name, getter in table:
        value = getter(ctx)
        if isinstance(value, (str, _Tag)):
            value = (_Tag(text=value) if isinstance(value, str) else value,)
        out.extend((name, tag) for tag in value or ())
    return tuple(out)


def _newest_first(episodes: Sequence[FeedEpisode]) -> list[FeedEpisode]:
    by_guid = sorted(episodes, key=lambda e: e.guid)  # sorted() is stable: ties stay by guid
    dated = sorted((e for e in by_guid if e.published), key=lambda e: _aware(e.published), reverse=True)
    return dated + [e for e in by_guid if not e.published]


def _check(show: ShowSettings, episodes: Sequence[FeedEpisode]) -> None:
    for key in ("name", "description", "language", "category", "owner_email"):
        if not one_line(getattr(show, key)):
            raise ConfigError(f"show {key} is empty; the feed requires it")
    seen: dict[str, str] = {}
    for ep in episodes:
        if not one_line(ep.title):
            raise OutputError(f"episode {ep.folder}: no title; a feed item requires one")
        if ep.guid in seen:
            raise OutputError(f"episodes {seen[ep.guid]} and {ep.folder} share guid {ep.guid!r}")
        seen[ep.guid] = ep.folder


def render_feed(
    show: ShowSettings, episodes: Sequence[FeedEpisode], show_image: str = "cover.jpg", now: datetime | None = None
) -> bytes:
    """The feed document as UTF-8 bytes; the same arguments always give the same bytes."""
    _check(show, episodes)
    base, ordered = base_url(show), _newest_first(episodes)
    link = _absolute(show.link, "link") if show.link else base
    channel = _Channel(show, base, base + quote(show_image), link, ordered[0].published if ordered else None, now)
    items = tuple(
        ("item", _Tag(children=_fill(_ITEM, _Item(channel, ep, len(ordered) - n)))) for n, ep in enumerate(ordered)
    )  # itunes:episode 1 is the oldest
    content = _Tag(children=_fill(_CHANNEL, channel) + items)
    rss = _Tag((("version", "2.0"),), (("channel", content),))
    out = ['<?xml version="1.0" encoding="UTF-8"?>']
    _emit("rss", rss, 0, out, extra="".join(f' xmlns:{p}="{uri}"' for p, uri in NAMESPACES))
    return ("\n".join(out) + "\n").encode("utf-8")


def write_feed(output_root: Path, show: ShowSettings, now: datetime | None = None) -> Path:
    """output_root/feed.xml for every episode there, replaced atomically."""
    data = render_feed(show, load_episodes(output_root), now=now)
    path = output_root / FEED_NAME
    write_atomic(path, data)
    return path
