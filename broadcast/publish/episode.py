"""What an episode folder holds: its name, guid, number, tags, text files and episode.json.

Pure except `episode_name` and `episode_folder`, which read the output folder to find the folder
an episode already has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from broadcast import __version__
from broadcast.config import Settings
from broadcast.errors import UsageError
from broadcast.input.identity import episode_guid
from broadcast.model import Article, Script, Timeline
from broadcast.publish.feed import FeedEpisode, episode_numbers, next_number
from broadcast.publish.files import slugify
from broadcast.publish.record import (
    RECORD_NAME,
    AudioFacts,
    CueRecord,
    EpisodeFiles,
    EpisodeRecord,
    LoudnessRecord,
    recorded_guid,
)
from broadcast.publish.tags import TagValues
from broadcast.publish.timed_text import captions, render_chapters_json, render_srt, render_vtt


def episode_name(article: Article, output_root: Path) -> str:
    """The folder that already holds this episode (a corrected headline or date does not move it),
    else <date>-<slug>; a different article that would land on the same name gets a suffix."""
    day = article.published.strftime("%Y-%m-%d") if article.published else "undated"
    name = f"{day}-{slugify(article.headline)}"
    guid = episode_guid(article)
    existing = output_root / name / RECORD_NAME
    if existing.exists() and recorded_guid(existing) == guid:
        return name
    found = folder_of_guid(output_root, guid)
    if found:
        return found
    if existing.exists():
        name = f"{name}-{guid[:8]}"
    return name


def folder_of_guid(output_root: Path, guid: str) -> str:
    """The episode folder under output_root whose record holds guid, "" if none. Cheap: a record is
    parsed only when its bytes contain the guid; a broken one is passed over, not fatal."""
    if not output_root.is_dir():
        return ""
    for path in sorted(output_root.glob(f"*/{RECORD_NAME}")):
        folder = path.parent
        if folder.name.startswith(".") or folder.is_symlink():
            continue
        try:
            if guid.encode() not in path.read_bytes():
                continue
        except OSError:
            continue
        if recorded_guid(path) == guid:
            return folder.name
    return ""


def episode_folder(output_root: Path, which: str) -> str:
    """The name of the episode folder `which` names under output_root: a folder name (or a path
    to it inside output_root) or an episode's guid. UsageError for anything else."""
    path = Path(which)
    if len(path.parts) > 1 and path.parent.resolve() != output_root.resolve():
        raise UsageError(f"{which}: not a folder of the output directory {output_root}")
    name = path.name
    if not name or name.startswith("."):
        raise UsageError(f"{which}: not an episode folder (names starting with '.' are not episodes)")
    folder = output_root / name
    if folder.is_symlink():
        raise UsageError(f"{folder}: is a symbolic link, not an episode folder; remove it by hand")
    if folder.is_dir():
        if not (folder / RECORD_NAME).is_file():
            raise UsageError(f"{folder}: not an episode folder (no {RECORD_NAME})")
        return name
    found = folder_of_guid(output_root, which) if len(path.parts) == 1 else ""
    if not found:
        raise UsageError(f"{which}: no episode folder or guid of that name in {output_root}")
    return found


def utc(when: datetime) -> datetime:
    """An aware UTC time; a naive one is read as UTC, so a record never depends on the machine's zone."""
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


def published_record(
    record: EpisodeRecord,
    earlier: Sequence[FeedEpisode],
    built_at: datetime | None,
    pub_date: datetime | None = None,
) -> EpisodeRecord:
    """The record as it is published among `earlier` (every record in the output folder): an episode
    published before keeps its number and first publication; a new one takes the next number and
    built_at (None: no first publication, so the feed dates it by the article). pub_date wins."""
    same = next((e for e in earlier if e.guid == record.guid), None)
    number = episode_numbers(earlier)[same.guid] if same else next_number(earlier)
    first = pub_date or (same.published if same else None) or built_at
    return replace(record, first_published=utc(first) if first else None, episode_number=number)


def _date_tag(article: Article) -> str:
    return article.published.strftime("%Y-%m-%dT%H:%M") if article.published else ""


COVER_FILE = "cover.jpg"
SCRIPT_FILE = "episode.script"  # the episode's editable source, beside script.txt
TRANSCRIPTS = (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"))


def episode_record(
    article: Article,
    script: Script,
    settings: Settings,
    timeline: Timeline,
    facts: dict[str, Any],
    size: int,
    loudness: LoudnessRecord | None = None,
) -> EpisodeRecord:
    """Everything known about the episode, as written to episode.json (no clock, no paths)."""
    return EpisodeRecord(
        guid=episode_guid(article),
        title=article.headline,
        title_derived=article.title_derived,
        lede=script.lede,
        site=article.site,
        authors=article.authors,
        dateline=article.dateline,
        published=article.published,
        language=article.language,
        copyright=article.copyright,
        source_url=article.source_url,
        bios=article.bios,
        attribution=article.attribution,
        show=settings.show.name,
        audio=AudioFacts(
            size_bytes=size,
            timeline_ms=timeline.duration_ms,
            duration_ms=facts["duration_ms"],
            bitrate_kbps=facts["bitrate_kbps"],
            bitrate_mode=facts["bitrate_mode"],
            sample_rate=facts["sample_rate"],
            channels=facts["channels"],
        ),
        files=EpisodeFiles(script="script.txt", cover=COVER_FILE, transcripts=TRANSCRIPTS, chapters="chapters.json"),
        voices=settings.voices,
        cues=tuple(
            CueRecord(t.index, t.part, t.role, t.start_ms, t.end_ms, cue.text, cue.speaker)
            for t, cue in zip(timeline.cues, script.cues, strict=True)
        ),
        chapters=timeline.chapters,
        generator=f"broadcast {__version__}",
        loudness=loudness,
    )


def text_outputs(script_text: str, timeline: Timeline, script: Script | None = None) -> dict[str, str]:
    caps = captions(timeline.sentences, [cue.speaker for cue in script.cues] if script else ())
    return {
        "script.txt": script_text,
        "transcript.vtt": render_vtt(caps),
        "transcript.srt": render_srt(caps),
        "chapters.json": render_chapters_json(timeline.chapters),
    }


def loudness_record(loud: Any, target: float, ceiling: float) -> LoudnessRecord:
    return LoudnessRecord(
        target_lufs=round(target, 2),
        integrated_lufs=round(loud.integrated_lufs, 2),
        range_lu=round(loud.range_lu, 2),
        true_peak_dbtp=round(loud.true_peak_dbtp, 2),
        true_peak_ceiling_dbtp=ceiling,
    )


def tag_values(
    article: Article,
    script: Script,
    settings: Settings,
    timeline: Timeline,
    script_text: str,
    cover_jpeg: bytes,
    feed_url: str,
) -> TagValues:
    return TagValues(
        title=article.headline,
        artist=", ".join(article.authors) or article.site,
        album=settings.show.name,
        date=_date_tag(article),
        comment=script.lede,
        lyrics=script_text,
        copyright=article.copyright,
        source_url=article.source_url,
        length_ms=timeline.duration_ms,
        encoder=f"broadcast {__version__}",
        chapters=timeline.chapters,
        cover_jpeg=cover_jpeg,
        podcast=True,
        feed_url=feed_url,
        episode_guid=episode_guid(article),
        description=script.lede,
    )
