"""The feed's tag table: which RSS 2.0, iTunes and Podcasting 2.0 element comes from which value.

Each row is an element name and a getter; a getter gives text, a Tag, several Tags (a repeated
element) or None (element left out). The channel rows read the show, the item rows an episode.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote

from broadcast.config import ShowSettings
from broadcast.input.web_url import is_web_url
from broadcast.publish.feed_episodes import FeedEpisode, aware
from broadcast.publish.feed_xml import ILLEGAL_XML, Tag, one_line
from broadcast.publish.show_notes import show_notes
from broadcast.publish.show_rules import absolute_url

GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # of podcast:guid
NAMESPACES = (
    ("atom", "http://www.w3.org/2005/Atom"),
    ("content", "http://purl.org/rss/1.0/modules/content/"),
    ("itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
    ("podcast", "https://podcastindex.org/namespace/1.0"),
)
PERSON_AUTHOR = (("group", "writing"), ("role", "author"))  # podcast:person, 128 characters at most
DESCRIPTION_MAX_BYTES = 4000  # Apple's limit for the channel description
_CAPTION_TYPES = frozenset({"text/vtt", "application/x-subrip"})  # players show these as subtitles

Value = str | Tag | tuple[Tag, ...] | None


def _rfc2822(dt: datetime | None) -> str | None:
    return format_datetime(aware(dt).astimezone(timezone.utc)) if dt else None


def feed_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url.strip()).rstrip("/")
    return str(uuid.uuid5(GUID_NAMESPACE, bare))


def base_url(show: ShowSettings) -> str:
    """show.base_url checked, ending in '/' so that file names can be appended."""
    return absolute_url(show.base_url, "base_url").rstrip("/") + "/"


@dataclass(frozen=True)
class Channel:
    show: ShowSettings
    base: str
    feed_url: str
    image: str  # URL of the show's cover
    link: str
    newest: datetime | None
    now: datetime | None


@dataclass(frozen=True)
class Item:
    ch: Channel
    ep: FeedEpisode
    number: int

    def url(self, name: str) -> str:
        return self.ch.base + quote(self.ep.folder, safe="") + "/" + quote(name, safe="")


def _transcript(it: Item, name: str, mime: str) -> Tag:
    lang = it.ep.language or it.ch.show.language
    return Tag(
        (("url", it.url(name)), ("type", mime))
        + ((("language", lang),) if lang else ())
        + ((("rel", "captions"),) if mime in _CAPTION_TYPES else ())
    )


def _attrs(*pairs: tuple[str, str]) -> Tag:
    return Tag(pairs)


def _parent(*children: tuple[str, str | Tag]) -> Tag:
    return Tag(children=tuple((n, Tag(text=c) if isinstance(c, str) else c) for n, c in children))


CHANNEL: tuple[tuple[str, Callable[[Channel], Value]], ...] = (
    ("title", lambda c: one_line(c.show.name)),
    # Cut on a byte count; "ignore" drops only a multi-byte character the cut splits.
    (
        "description",
        lambda c: ILLEGAL_XML.sub("", c.show.description).encode()[:DESCRIPTION_MAX_BYTES].decode("utf-8", "ignore"),
    ),
    ("link", lambda c: c.link),
    ("language", lambda c: c.show.language),
    ("atom:link", lambda c: _attrs(("href", c.feed_url), ("rel", "self"), ("type", "application/rss+xml"))),
    ("generator", lambda c: "broadcast"),
    ("pubDate", lambda c: _rfc2822(c.newest)),
    # No hidden clock: without a `now` the feed was last built when its newest episode came out.
    ("lastBuildDate", lambda c: _rfc2822(c.now or c.newest)),
    ("image", lambda c: _parent(("url", c.image), ("title", one_line(c.show.name)), ("link", c.link))),
    ("itunes:image", lambda c: _attrs(("href", c.image))),
    (
        "itunes:category",
        lambda c: Tag(
            (("text", c.show.category),),
            ((("itunes:category", _attrs(("text", c.show.subcategory))),) if c.show.subcategory else ()),
        ),
    ),
    ("itunes:explicit", lambda c: "true" if c.show.explicit else "false"),
    ("itunes:author", lambda c: c.show.author or None),
    ("itunes:owner", lambda c: _parent(("itunes:name", c.show.owner_name), ("itunes:email", c.show.owner_email))),
    ("itunes:type", lambda c: "episodic"),
    ("podcast:guid", lambda c: feed_guid(c.feed_url)),
    ("podcast:locked", lambda c: Tag((("owner", c.show.owner_email),), text="yes" if c.show.locked else "no")),
)

ITEM: tuple[tuple[str, Callable[[Item], Value]], ...] = (
    ("title", lambda i: one_line(i.ep.title)),
    ("description", lambda i: i.ep.description or None),
    ("guid", lambda i: Tag((("isPermaLink", "false"),), text=i.ep.guid)),
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
    ("link", lambda i: i.ep.source_url.strip() if is_web_url(i.ep.source_url) else None),
    ("content:encoded", lambda i: show_notes(i.ep) or None),
    # The article's authors wrote the words read on air: "author" in the Podcast Taxonomy's writing group.
    (
        "podcast:person",
        lambda i: tuple(Tag(PERSON_AUTHOR, text=one_line(a)[:128]) for a in i.ep.authors if one_line(a)),
    ),
)


def fill(table: Sequence[tuple[str, Callable[[Any], Value]]], ctx: Any) -> tuple[tuple[str, Tag], ...]:
    """The elements a table gives for one channel or item, in table order."""
    out: list[tuple[str, Tag]] = []
    for name, getter in table:
        value = getter(ctx)
        if isinstance(value, (str, Tag)):
            value = (Tag(text=value) if isinstance(value, str) else value,)
        out.extend((name, tag) for tag in value or ())
    return tuple(out)
