"""ID3 tags via mutagen: one table from episode fields to frames, plus chapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TCOP,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TLEN,
    TPE1,
    TSSE,
    USLT,
    WFED,
    WOAS,
    CTOCFlags,
    Frame,
    ID3NoHeaderError,
)
from mutagen.mp3 import MP3

from broadcast.errors import OutputError
from broadcast.model import Chapter


@dataclass(frozen=True)
class TagValues:
    title: str
    artist: str
    album: str
    date: str  # ISO 8601: "2023-09-11" or "2023-09-11T14:59"
    comment: str
    lyrics: str
    copyright: str
    source_url: str
    length_ms: int
    encoder: str
    language: str = "eng"  # ISO 639-2, for COMM and USLT
    genre: str = "Podcast"
    chapters: tuple[Chapter, ...] = ()
    cover_jpeg: bytes = b""
    podcast: bool = False  # iTunes podcast flag (PCST)
    feed_url: str = ""
    episode_guid: str = ""
    description: str = ""


# field -> frame builder; empty values are left out rather than written blank.
_FRAMES: tuple[tuple[str, Callable[[TagValues], Frame]], ...] = (
    ("title", lambda v: TIT2(encoding=3, text=v.title)),
    ("artist", lambda v: TPE1(encoding=3, text=v.artist)),
    ("album", lambda v: TALB(encoding=3, text=v.album)),
    ("date", lambda v: TDRC(encoding=3, text=v.date)),
    ("genre", lambda v: TCON(encoding=3, text=v.genre)),
    ("comment", lambda v: COMM(encoding=3, lang=v.language, desc="", text=v.comment)),
    ("lyrics", lambda v: USLT(encoding=3, lang=v.language, desc="", text=v.lyrics)),
    ("copyright", lambda v: TCOP(encoding=3, text=v.copyright)),
    ("source_url", lambda v: WOAS(url=v.source_url)),
    ("length_ms", lambda v: TLEN(encoding=3, text=str(v.length_ms))),
    ("encoder", lambda v: TSSE(encoding=3, text=v.encoder)),
    ("podcast", lambda v: PCST(value=1)),
    ("feed_url", lambda v: WFED(url=v.feed_url)),
    ("episode_guid", lambda v: TGID(encoding=3, text=v.episode_guid)),
    ("description", lambda v: TDES(encoding=3, text=v.description)),
    ("cover_jpeg", lambda v: APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=v.cover_jpeg)),
)


def _chapter_frames(chapters: tuple[Chapter, ...]) -> list[Frame]:
    if not chapters:
        return []
    ids = [f"chp{n}" for n in range(len(chapters))]
    frames: list[Frame] = [
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text="Chapters")],
        )
    ]
    for eid, ch in zip(ids, chapters, strict=True):
        frames.append(
            CHAP(
                element_id=eid,
                start_time=ch.start_ms,
                end_time=ch.end_ms,
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=3, text=ch.title)],
            )
        )
    return frames


def write_tags(path: Path, values: TagValues, id3_version: int = 3) -> None:
    """Replace every tag in the MP3 at `path` (ffmpeg's included) with ours."""
    try:
        try:
            ID3(str(path)).delete(str(path))
        except ID3NoHeaderError:
            pass
        tags = ID3()
        for name, build in _FRAMES:
            if getattr(values, name):
                tags.add(build(values))
        for frame in _chapter_frames(values.chapters):
            tags.add(frame)
        if id3_version == 3:
            tags.update_to_v23()
        tags.save(str(path), v2_version=id3_version)
    except (OSError, MutagenError) as exc:
        raise OutputError(f"{path}: cannot write tags: {exc}") from exc


def mp3_facts(path: Path) -> dict[str, object]:
    """What a player learns from the file: duration, bitrate, mode, sample rate."""
    audio = MP3(str(path))
    info = audio.info
    return {
        "duration_ms": round(info.length * 1000),
        "bitrate_kbps": info.bitrate // 1000,
        "bitrate_mode": str(info.bitrate_mode).rsplit(".", 1)[-1],
        "sample_rate": info.sample_rate,
        "channels": info.channels,
    }
