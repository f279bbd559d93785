"""The podcast feed: RSS 2.0 with iTunes and Podcasting 2.0 tags, from output/*/episode.json.

Reading the episodes lives in feed_episodes, which tag comes from which value in feed_tags,
and the XML serializer in feed_xml; this module orders the episodes and writes output/feed.xml.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from broadcast.config import ShowSettings
from broadcast.errors import ConfigError, OutputError
from broadcast.publish.feed_episodes import FeedEpisode, aware, load_episodes, read_episode
from broadcast.publish.feed_tags import (
    CHANNEL,
    ITEM,
    NAMESPACES,
    Channel,
    Item,
    absolute_url,
    base_url,
    feed_guid,
    fill,
    one_line,
)
from broadcast.publish.feed_xml import Tag, xml_document
from broadcast.publish.files import write_atomic

__all__ = [
    "FEED_NAME",
    "FeedEpisode",
    "base_url",
    "feed_guid",
    "load_episodes",
    "read_episode",
    "render_feed",
    "write_feed",
]

FEED_NAME = "feed.xml"


def _newest_first(episodes: Sequence[FeedEpisode]) -> list[FeedEpisode]:
    by_guid = sorted(episodes, key=lambda e: e.guid)  # sorted() is stable: ties stay by guid
    dated = sorted((e for e in by_guid if e.published), key=lambda e: aware(e.published), reverse=True)
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
    link = absolute_url(show.link, "link") if show.link else base
    newest = ordered[0].published if ordered else None
    channel = Channel(show, base, base + FEED_NAME, base + quote(show_image), link, newest, now)
    items = tuple(
        ("item", Tag(children=fill(ITEM, Item(channel, ep, len(ordered) - n)))) for n, ep in enumerate(ordered)
    )  # itunes:episode 1 is the oldest
    content = Tag(children=fill(CHANNEL, channel) + items)
    return xml_document("rss", Tag((("version", "2.0"),), (("channel", content),)), NAMESPACES)


def write_feed(output_root: Path, show: ShowSettings, now: datetime | None = None) -> Path:
    """output_root/feed.xml for every episode there, replaced atomically."""
    data = render_feed(show, load_episodes(output_root), now=now)
    path = output_root / FEED_NAME
    write_atomic(path, data)
    return path
