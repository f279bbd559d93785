"""Compose the stages for one article and publish the episode atomically."""

from __future__ import annotations

import json
from datetime import datetime
import math
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from broadcast import __version__
from broadcast.config import AudioSettings, Settings
from broadcast.cover import embedded_copy, generate_cover, validate_cover
from broadcast.feed import FEED_NAME, base_url, write_feed
from broadcast.loudness import LAME_CBR_GAIN_DB, Loudness, decode_mp3, measure, normalize, target_lufs
from broadcast.mix import Track, assemble, encode_mp3, shift_timeline, to_float
from broadcast.music import arrange
from broadcast.model import Article, Part, Script, Timeline
from broadcast.publish import (
    clean_leftovers, feed_lock, prepare_root, slugify, staged_episode, write_atomic,
)
from broadcast.sentences import split_sentences
from broadcast.script import build_script, gaps_ms, render_script
from broadcast.tags import TagValues, mp3_facts, write_tags
from broadcast.timed_text import captions, render_chapters_json, render_srt, render_vtt
from broadcast.tts import Engine, open_engine, synthesize_checked

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Episode:
    folder: Path
    mp3: Path
    script_text: str
    timeline: Timeline
    size_bytes: int
    duration_ms: int


def episode_guid(article: Article) -> str:
    """Stable across rebuilds of the same article; different for another article."""
    published = article.published.isoformat() if article.published else ""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"broadcast:{article.site}|{article.headline}|{published}"))


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


def synthesize_script(
    sentences: Sequence[Sequence[str]], script: Script, settings: Settings, workdir: Path, progress: Progress
) -> list[list[Path]]:
    """One clip per sentence, so captions and timings are measured, not guessed."""
    engines: dict[str, Engine] = {}
    clips: list[list[Path]] = []
    try:
        for n, (cue, texts) in enumerate(zip(script.cues, sentences, strict=True)):
            profile = settings.profile(cue.role)
            if profile.engine not in engines:
                engines[profile.engine] = open_engine(profile.engine)
            clips.append([])
            for k, text in enumerate(texts):
                path = workdir / f"cue-{n:03d}-{k:03d}.wav"
                synthesize_checked(engines[profile.engine], text, profile, path)
                clips[-1].append(path)
            progress(f"spoke cue {n + 1}/{len(script.cues)}")
    finally:
        for engine in engines.values():
            engine.close()
    return clips


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
                "index": t.index, "part": t.part.value, "role": t.role,
                "start_ms": t.start_ms, "end_ms": t.end_ms, "text": cue.text,
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


def _loudness_record(loud: Loudness, target: float, ceiling: float) -> dict[str, float]:
    return {
        "target_lufs": round(target, 2),
        "integrated_lufs": round(loud.integrated_lufs, 2),
        "range_lu": round(loud.range_lu, 2),
        "true_peak_dbtp": round(loud.true_peak_dbtp, 2),
        "true_peak_ceiling_dbtp": ceiling,
    }


def show_cover(settings: Settings) -> bytes:
    """The user's cover (validated) or one generated from the show's name."""
    if settings.show.cover:
        path = Path(settings.show.cover)
        validate_cover(path)
        return path.read_bytes()
    return generate_cover(settings.show.name, settings.show.author)


def mix_and_encode(
    track: Track, audio: AudioSettings, mp3: Path, progress: Progress
) -> tuple[Timeline, Loudness, float]:
    """Music, room tone and loudness on the speech track, then the MP3.

    Returns the final timeline, the loudness measured on the decoded MP3 and the target.
    """
    # Speech, music and loudness are worked at the speech's own rate (22.05 kHz for
    # espeak); ffmpeg's resampler brings it to the output rate while encoding. That
    # halves the cost of the loudness stage, and the true peak is checked on the MP3.
    rate = track.audio.frame_rate
    speech = to_float(track.audio, rate)
    intro = next((c for c in track.timeline.cues if c.part is Part.INTRO), None)
    arranged = arrange(speech, rate, (intro.start_ms, intro.end_ms) if intro else (0, 0), audio.music)
    duration_ms = round(arranged.samples.size * 1000 / rate)
    timeline = shift_timeline(track.timeline, arranged.speech_offset_ms, duration_ms)
    progress("mixed")
    target = target_lufs(audio.loudness, audio.channels)
    # The track is mono; a dual-mono stereo file measures 3 LU louder than it. LAME
    # turns the signal down at most bitrates: aim above the target by that much.
    aim = target - 10 * math.log10(audio.channels) - LAME_CBR_GAIN_DB[audio.bitrate_kbps]
    samples = normalize(arranged.samples, rate, aim, audio.true_peak)
    progress("normalized loudness")
    encode_mp3(samples, rate, mp3, audio.bitrate_kbps, audio.channels, audio.sample_rate)
    progress("encoded MP3")
    loud = measure(*decode_mp3(mp3))
    progress("measured loudness of the MP3")
    return timeline, loud, target


def build_episode(
    article: Article, settings: Settings, output_root: Path, progress: Progress = lambda _: None
) -> Episode:
    script = build_script(article)
    audio = settings.audio
    text = render_script(script, settings.rates, audio.pauses)
    cover = show_cover(settings)
    prepare_root(output_root)
    clean_leftovers(output_root)
    with tempfile.TemporaryDirectory(prefix="broadcast-") as tmp:
        sentences = [split_sentences(cue.text) for cue in script.cues]
        clips = synthesize_script(sentences, script, settings, Path(tmp), progress)
        track = assemble(script.cues, sentences, clips, gaps_ms(script, audio.pauses), audio.pauses)
        name = episode_name(article, output_root)
        with staged_episode(output_root, name) as stage:
            mp3 = stage / "episode.mp3"
            timeline, loud, target = mix_and_encode(track, audio, mp3, progress)
            values = TagValues(
                title=article.headline,
                artist=", ".join(article.authors) or article.site,
                album=settings.show.name,
                date=_date_tag(article),
                comment=script.lede,
                lyrics=text,
                copyright=article.copyright,
                source_url=article.source_url,
                length_ms=timeline.duration_ms,
                encoder=f"broadcast {__version__}",
                chapters=timeline.chapters,
                cover_jpeg=embedded_copy(cover),
                podcast=True,
                feed_url=base_url(settings.show) + FEED_NAME,
                episode_guid=episode_guid(article),
                description=script.lede,
            )
            write_tags(mp3, values, audio.id3_version)
            facts = mp3_facts(mp3)
            size = mp3.stat().st_size
            record = episode_record(article, script, settings, timeline, facts, size)
            record["loudness"] = _loudness_record(loud, target, audio.true_peak)
            outputs = text_outputs(text, timeline)
            outputs["episode.json"] = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
            for filename, content in outputs.items():
                (stage / filename).write_text(content, encoding="utf-8")
            (stage / COVER_FILE).write_bytes(cover)
            progress("wrote episode files")
    publish_feed(output_root, settings, cover)
    progress("updated feed")
    folder = output_root / name
    return Episode(folder, folder / "episode.mp3", text, timeline, size, int(facts["duration_ms"]))


def publish_feed(output_root: Path, settings: Settings, cover: bytes, now: datetime | None = None) -> Path:
    """Rewrite output/feed.xml (and the show cover) from every episode folder, under a lock."""
    with feed_lock(output_root):
        cover_path = output_root / COVER_FILE
        if not cover_path.exists() or cover_path.read_bytes() != cover:
            write_atomic(cover_path, cover)
        return write_feed(output_root, settings.show, now)
