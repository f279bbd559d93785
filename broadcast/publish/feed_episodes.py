"""The feed's view of the episodes under output/: their records, checked against the files on disk."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from broadcast.errors import OutputError
from broadcast.publish.record import RECORD_NAME, EpisodeRecord


@dataclass(frozen=True)
class FeedEpisode:
    folder: str  # the episode's folder name under output/
    title: str
    description: str  # plain text (the lede)
    guid: str  # stable id, computed by the build
    published: datetime | None  # the pubDate: first publication; None: listed last, without pubDate
    duration_s: int
    size_bytes: int  # exact size of the audio file
    number: int | None = None  # the recorded itunes:episode; None: numbered by order (feed.episode_numbers)
    audio_file: str = "episode.mp3"
    image_file: str = ""
    transcripts: tuple[tuple[str, str], ...] = ()  # (file name, MIME type)
    chapters_file: str = ""
    language: str = ""
    authors: tuple[str, ...] = ()
    # The show notes' sources (content:encoded, link, podcast:person).
    source_url: str = ""  # the article's page
    site: str = ""
    copyright: str = ""
    attribution: tuple[str, ...] = ()
    voices: tuple[tuple[str, str], ...] = ()  # (role, voice id) that spoke the episode


def aware(dt: datetime) -> datetime:
    # A naive time read as local time would make the feed depend on the machine: read it as UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def feed_episode(record: EpisodeRecord, folder: str) -> FeedEpisode:
    # A record older than first_published was dated by its article, and keeps that pubDate.
    pub_date = record.first_published or record.published
    return FeedEpisode(
        folder=folder,
        title=record.title,
        description=record.lede,
        guid=record.guid,
        published=aware(pub_date) if pub_date else None,
        # Half up: round() would turn both 1.5 s and 2.5 s into 2.
        duration_s=(record.audio.duration_ms + 500) // 1000,
        size_bytes=record.audio.size_bytes,
        number=record.episode_number,
        audio_file=record.audio.file,
        image_file=record.files.cover,
        transcripts=record.files.transcripts,
        chapters_file=record.files.chapters,
        language=record.language,
        authors=record.authors,
        source_url=record.source_url,
        site=record.site,
        copyright=record.copyright,
        attribution=record.attribution,
        voices=tuple((role, profile.voice or profile.name) for role, profile in record.voices),
    )


@dataclass(frozen=True)
class Skipped:
    folder: str  # the episode folder left out of the feed
    reason: str  # one line naming the file and what is wrong


@dataclass(frozen=True)
class EpisodeScan:
    """What the feed can list under output/, and every folder it has to leave out."""

    episodes: tuple[FeedEpisode, ...]
    skipped: tuple[Skipped, ...]


def read_episode(path: Path, folder: str = "") -> FeedEpisode:
    """One episode from its episode.json, checked against its MP3; OutputError names the file
    and what is wrong. `folder` is the name it is published under (default: its folder's name)."""
    return _match_disk(feed_episode(EpisodeRecord.read(path), folder or path.parent.name), path.parent)


def _match_disk(ep: FeedEpisode, folder: Path) -> FeedEpisode:
    """The feed describes the files as published: an MP3 of the recorded size, no dangling links."""
    audio = folder / ep.audio_file
    if not audio.is_file():
        raise OutputError(f"{audio}: the episode's MP3 is missing")
    size = audio.stat().st_size
    if size != ep.size_bytes:
        raise OutputError(f"{audio}: {size} bytes, but episode.json records {ep.size_bytes}")
    keep = lambda name: name if name and (folder / name).is_file() else ""  # noqa: E731
    return replace(
        ep,
        image_file=keep(ep.image_file),
        chapters_file=keep(ep.chapters_file),
        transcripts=tuple(t for t in ep.transcripts if keep(t[0])),
    )


def _record_paths(output_root: Path) -> list[Path]:
    """The episode records under output_root (dot folders are this tool's temporary ones)."""
    if not output_root.is_dir():
        raise OutputError(f"{output_root}: output directory not found")
    return sorted(p for p in output_root.glob(f"*/{RECORD_NAME}") if not p.parent.name.startswith("."))


def recorded_episodes(output_root: Path) -> list[FeedEpisode]:
    """Every readable record under output_root, whatever state its MP3 is in: what numbers and
    first publications are taken. An unreadable record is left out (the feed reports it)."""
    found = []
    for path in _record_paths(output_root):
        try:
            found.append(feed_episode(EpisodeRecord.read(path), path.parent.name))
        except OutputError:
            continue
    return found


def scan_episodes(output_root: Path) -> EpisodeScan:
    """Every published episode under output_root (dot folders are this tool's temporary ones);
    a folder whose record or MP3 is broken is skipped, not fatal, so it cannot block new builds."""
    records = _record_paths(output_root)
    episodes, skipped = [], []
    for path in records:
        try:
            episodes.append(read_episode(path))
        except OutputError as exc:
            skipped.append(Skipped(path.parent.name, str(exc)))
    return EpisodeScan(tuple(episodes), tuple(skipped))


def load_episodes(output_root: Path) -> list[FeedEpisode]:
    """Every published episode under output_root; OutputError on the first broken one."""
    scan = scan_episodes(output_root)
    if scan.skipped:
        raise OutputError(scan.skipped[0].reason)
    return list(scan.episodes)
