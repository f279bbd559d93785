"""The podcast feed: RSS 2.0 with iTunes and Podcasting 2.0 tags, from output/*/episode.json.

Reading the episodes lives in feed_episodes, which tag comes from which value in feed_tags,
and the XML serializer in feed_xml; this module orders the episodes and writes output/feed.xml.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from broadcast.config import ShowSettings
from broadcast.errors import ConfigError, OutputError
from broadcast.publish.feed_episodes import (
    FeedEpisode,
    Skipped,
    aware,
    load_episodes,
    read_episode,
    recorded_episodes,
    scan_episodes,
)
from broadcast.publish.feed_tags import (
    CHANNEL,
    ITEM,
    NAMESPACES,
    Channel,
    Item,
    base_url,
    feed_guid,
    fill,
)
from broadcast.publish.feed_xml import Tag, one_line, xml_document
from broadcast.publish.files import write_atomic
from broadcast.publish.show_rules import absolute_url, check_show, placeholder_warnings, show_problems

__all__ = [
    "FEED_NAME",
    "FeedEpisode",
    "PreparedFeed",
    "Skipped",
    "base_url",
    "check_feed",
    "check_show",
    "episode_numbers",
    "feed_guid",
    "load_episodes",
    "next_number",
    "placeholder_warnings",
    "prepare_feed",
    "read_episode",
    "recorded_episodes",
    "render_feed",
    "scan_episodes",
    "write_feed",
]

FEED_NAME = "feed.xml"


def _newest_first(episodes: Sequence[FeedEpisode]) -> list[FeedEpisode]:
    by_guid = sorted(episodes, key=lambda e: e.guid)  # sorted() is stable: ties stay by guid
    dated = sorted((e for e in by_guid if e.published), key=lambda e: aware(e.published), reverse=True)
    return dated + [e for e in by_guid if not e.published]


def episode_numbers(episodes: Sequence[FeedEpisode]) -> dict[str, int]:
    """itunes:episode by guid. A recorded number stands. Episodes recorded before numbers were take
    the lowest numbers no recorded one holds, oldest first: in a folder of only such records that is
    the numbering the feed always gave them, and neither a rebuild (which records the number it had)
    nor a new episode (which takes the next number) moves the others."""
    numbers = {e.guid: e.number for e in episodes if e.number}
    taken = set(numbers.values())
    free = (n for n in itertools.count(1) if n not in taken)
    for ep in reversed(_newest_first([e for e in episodes if not e.number])):
        numbers[ep.guid] = next(free)
    return numbers


def next_number(episodes: Sequence[FeedEpisode]) -> int:
    """The number a new episode gets: one more than the highest taken."""
    return max(episode_numbers(episodes).values(), default=0) + 1


def _check(show: ShowSettings, episodes: Sequence[FeedEpisode]) -> None:
    check_show(show)
    _check_episodes(episodes)


def _check_episodes(episodes: Sequence[FeedEpisode]) -> None:
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
    base, ordered, numbers = base_url(show), _newest_first(episodes), episode_numbers(episodes)
    link = absolute_url(show.link, "link") if show.link else base
    newest = ordered[0].published if ordered else None
    channel = Channel(show, base, base + FEED_NAME, base + quote(show_image), link, newest, now)
    items = tuple(("item", Tag(children=fill(ITEM, Item(channel, ep, numbers[ep.guid])))) for ep in ordered)
    content = Tag(children=fill(CHANNEL, channel) + items)
    return xml_document("rss", Tag((("version", "2.0"),), (("channel", content),)), NAMESPACES)


@dataclass(frozen=True)
class PreparedFeed:
    data: bytes  # the rendered, checked feed document
    skipped: tuple[Skipped, ...]  # folders left out, each with its reason


def prepare_feed(
    output_root: Path,
    show: ShowSettings,
    now: datetime | None = None,
    staged: FeedEpisode | None = None,
    removed: str = "",
) -> PreparedFeed:
    """The feed of every listable episode under output_root, with `staged` (an episode about to be
    swapped in) in place of its folder's current content, without the folder `removed`; nothing is written."""
    scan = scan_episodes(output_root)
    gone = {staged.folder if staged else "", removed} - {""}
    episodes = [e for e in scan.episodes if e.folder not in gone] + ([staged] if staged else [])
    skipped = tuple(s for s in scan.skipped if s.folder not in gone)
    return PreparedFeed(render_feed(show, episodes, now=now), skipped)


def check_feed(output_root: Path, show: ShowSettings, strict: bool = False) -> list[str]:
    """Every problem that keeps the feed from being written or listed, or an episode out of it:
    each show setting a directory would refuse (placeholders too when `strict`), then each folder."""
    scan = scan_episodes(output_root)
    show_wrong = show_problems(show, strict)
    problems = show_wrong + [s.reason for s in scan.skipped]
    try:
        _check_episodes(scan.episodes)
        if not show_wrong:
            render_feed(show, scan.episodes)
    except (ConfigError, OutputError) as exc:
        problems.append(str(exc))
    return problems


def write_feed(output_root: Path, show: ShowSettings, now: datetime | None = None) -> Path:
    """output_root/feed.xml for every listable episode there, replaced atomically."""
    path = output_root / FEED_NAME
    write_atomic(path, prepare_feed(output_root, show, now).data)
    return path
