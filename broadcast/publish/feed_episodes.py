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
    published: datetime | None  # None: listed after all dated episodes, without pubDate
    duration_s: int
    size_bytes: int  # exact size of the audio file
    audio_file: str = "episode.mp3"
    image_file: str = ""
    transcripts: tuple[tuple[str, str], ...] = ()  # (file name, MIME type)
    chapters_file: str = ""
    language: str = ""
    authors: tuple[str, ...] = ()


def aware(dt: datetime) -> datetime:
    # A naive time read as local time would make the feed depend on the machine: read it as UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def feed_episode(record: EpisodeRecord, folder: str) -> FeedEpisode:
    return FeedEpisode(
        folder=folder,
        title=record.title,
        description=record.lede,
        guid=record.guid,
        published=aware(record.published) if record.published else None,
        # Half up: round() would turn both 1.5 s and 2.5 s into 2.
        duration_s=(record.audio.duration_ms + 500) // 1000,
        size_bytes=record.audio.size_bytes,
        audio_file=record.audio.file,
        image_file=record.files.cover,
        transcripts=record.files.transcripts,
        chapters_file=record.files.chapters,
        language=record.language,
        authors=record.authors,
    )


def read_episode(path: Path) -> FeedEpisode:
    """One episode from its episode.json; OutputError names the file and the bad field."""
    return _match_disk(feed_episode(EpisodeRecord.read(path), path.parent.name), path.parent)


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
    records = sorted(p for p in output_root.glob(f"*/{RECORD_NAME}") if not p.parent.name.startswith("."))
    return [read_episode(p) for p in records]
