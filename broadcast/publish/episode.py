"""What an episode folder holds: its name, guid, tags, text files and episode.json.

Pure except `episode_name`, which reads the output folder to see whether its name is taken.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

from broadcast import __version__
from broadcast.config import Settings
from broadcast.model import Article, Script, Timeline
from broadcast.publish.files import slugify
from broadcast.publish.tags import TagValues
from broadcast.publish.timed_text import captions, render_chapters_json, render_srt, render_vtt


def episode_guid(article: Article) -> str:
    """Stable across rebuilds of the same article; different for another article,
    even one with the same headline (the byline and the opening words differ)."""
    published = article.published.isoformat() if article.published else ""
    opening = article.body[0][:200] if article.body else ""
    identity = "|".join((article.site, article.headline, published, ",".join(article.authors), opening))
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"broadcast:{identity}"))


def episode_name(article: Article, output_root: Path) -> str:
    """<date>-<slug>; a different article that would land on the same name gets a suffix."""
    day = article.published.strftime("%Y-%m-%d") if article.published else "undated"
    name = f"{day}-{slugify(article.headline)}"
    guid = episode_guid(article)
    existing = output_root / name / "episode.json"
    if existing.exists():
        try:
            other = json.loads(existing.read_text(encoding="utf-8")).get("guid")
        except (OSError, ValueError):
            other = None
        if other != guid:
            name = f"{name}-{guid[:8]}"
    return name


def _date_tag(article: Article) -> str:
    return article.published.strftime("%Y-%m-%dT%H:%M") if article.published else ""


COVER_FILE = "cover.jpg"
TRANSCRIPTS = (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"))


def episode_record(
    article: Article, script: Script, settings: Settings, timeline: Timeline, facts: dict[str, Any], size: int
) -> dict[str, Any]:
    """Everything known about the episode, as written to episode.json (no clock, no paths)."""
    return {
        "guid": episode_guid(article),
        "title": article.headline,
        "lede": script.lede,
        "site": article.site,
        "authors": list(article.authors),
        "dateline": article.dateline,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
        "copyright": article.copyright,
        "source_url": article.source_url,
        "bios": [asdict(b) for b in article.bios],
        "attribution": list(article.attribution),
        "show": settings.show.name,
        "audio": {"file": "episode.mp3", "size_bytes": size, "timeline_ms": timeline.duration_ms, **facts},
        "files": {
            "script": "script.txt",
            "cover": COVER_FILE,
            "transcripts": [list(t) for t in TRANSCRIPTS],
            "chapters": "chapters.json",
        },
        "voices": {role: asdict(p) for role, p in settings.voices},
        "cues": [
            {
                "index": t.index,
                "part": t.part.value,
                "role": t.role,
                "start_ms": t.start_ms,
                "end_ms": t.end_ms,
                "text": cue.text,
            }
            for t, cue in zip(timeline.cues, script.cues, strict=True)
        ],
        "chapters": [asdict(c) for c in timeline.chapters],
        "generator": f"broadcast {__version__}",
    }


def text_outputs(script_text: str, timeline: Timeline) -> dict[str, str]:
    caps = captions(timeline.sentences)
    return {
        "script.txt": script_text,
        "transcript.vtt": render_vtt(caps),
        "transcript.srt": render_srt(caps),
        "chapters.json": render_chapters_json(timeline.chapters),
    }


def loudness_record(loud: Any, target: float, ceiling: float) -> dict[str, float]:
    return {
        "target_lufs": round(target, 2),
        "integrated_lufs": round(loud.integrated_lufs, 2),
        "range_lu": round(loud.range_lu, 2),
        "true_peak_dbtp": round(loud.true_peak_dbtp, 2),
        "true_peak_ceiling_dbtp": ceiling,
    }


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
