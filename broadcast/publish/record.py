"""episode.json: the one schema of an episode's record, written by the build and read by the feed.

EpisodeRecord writes and reads itself. Reading checks every field against its type and names the
file and the field that is wrong, so a hand-edited or truncated record is reported, not half-used.
Records written before the "format" field existed have today's shape: they read as format 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from broadcast.errors import OutputError
from broadcast.model import Bio, Chapter, Part, VoiceProfile
from broadcast.publish.json_fields import JsonFields, is_datetime, is_file_name, is_int, is_text

# Bump when a field changes meaning or a required field is added. Optional fields whose absence
# means their default (title_derived, a cue's speaker, first_published, episode_number) keep
# format 1: older records read the same.
FORMAT = 1
RECORD_NAME = "episode.json"
# A day: far beyond what 20,000 words take to say, so a longer duration is a corrupt record.
MAX_DURATION_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True, kw_only=True)
class AudioFacts:
    """The MP3 as a player sees it; timeline_ms is the mix before encoding."""

    file: str = "episode.mp3"
    size_bytes: int
    timeline_ms: int = 0
    duration_ms: int
    bitrate_kbps: int = 0
    bitrate_mode: str = ""
    sample_rate: int = 0
    channels: int = 0


@dataclass(frozen=True, kw_only=True)
class EpisodeFiles:
    """Names of the episode's other files, all inside its folder ("" = none)."""

    script: str = ""
    cover: str = ""
    transcripts: tuple[tuple[str, str], ...] = ()  # (file name, MIME type)
    chapters: str = ""


@dataclass(frozen=True)
class CueRecord:
    index: int
    part: Part
    role: str
    start_ms: int
    end_ms: int
    text: str
    speaker: str = ""  # a transcript's speaker, by name


@dataclass(frozen=True)
class LoudnessRecord:
    target_lufs: float
    integrated_lufs: float
    range_lu: float
    true_peak_dbtp: float
    true_peak_ceiling_dbtp: float


@dataclass(frozen=True, kw_only=True)
class EpisodeRecord:
    """Everything known about one episode; field order is the key order of episode.json."""

    format: int = FORMAT
    guid: str
    title: str
    title_derived: bool = False  # the page had no headline: the title was made from the lede
    lede: str = ""
    site: str = ""
    authors: tuple[str, ...] = ()
    dateline: str = ""
    published: datetime | None = None  # the article's own date
    # When the guid was first published (the feed's pubDate) and its itunes:episode: both given at
    # its first build and kept by every rebuild. None in records older than these fields: the feed
    # then dates the item by `published` and numbers it by order, as it did when they were written.
    first_published: datetime | None = None
    episode_number: int | None = None
    language: str = ""
    copyright: str = ""
    source_url: str = ""
    bios: tuple[Bio, ...] = ()
    attribution: tuple[str, ...] = ()
    show: str = ""
    audio: AudioFacts
    files: EpisodeFiles = EpisodeFiles()
    voices: tuple[tuple[str, VoiceProfile], ...] = ()  # (role, profile) in settings order
    cues: tuple[CueRecord, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    generator: str = ""
    loudness: LoudnessRecord | None = None

    def to_json(self) -> str:
        return json.dumps(_plain(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str, path: Path | str) -> EpisodeRecord:
        """The record in text (read from path, which error messages name)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise OutputError(f"{path}: cannot read episode record: {exc}") from exc
        if not isinstance(data, dict):
            raise OutputError(f"{path}: episode record is not a JSON object")
        return _read_record(JsonFields(data, str(path), ""))

    @classmethod
    def read(cls, path: Path) -> EpisodeRecord:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise OutputError(f"{path}: cannot read episode record: {exc}") from exc
        return cls.from_json(text, path)


def recorded_guid(path: Path) -> str | None:
    """The guid in an existing record, or None when there is no readable one.

    Deliberately lenient: a rebuild of the same article must be able to replace a broken record.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    guid = data.get("guid") if isinstance(data, dict) else None
    return guid if isinstance(guid, str) else None


# ---------------------------------------------------------------- writing


def _plain(value: Any) -> Any:
    """The JSON value of a record field: dataclasses as objects, in field order."""
    if isinstance(value, EpisodeRecord):
        out = {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
        out["voices"] = {role: _plain(profile) for role, profile in value.voices}
        return out
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Part):
        return value.value
    return value


# ---------------------------------------------------------------- reading


def _texts(f: JsonFields, key: str, non_empty: bool = True) -> tuple[str, ...]:
    for name, v in f.each(key, "texts"):
        if not (is_text(v) if non_empty else isinstance(v, str)):
            raise f.fail(name, "non-empty text" if non_empty else "text", v)
    return tuple(v for _, v in f.each(key, "texts"))


def _transcripts(f: JsonFields) -> tuple[tuple[str, str], ...]:
    pairs = f.each("transcripts", "[file name, MIME type] pairs")
    for name, v in pairs:
        if not (isinstance(v, list) and len(v) == 2 and v[0] and is_file_name(v[0]) and is_text(v[1])):
            raise f.fail(name, "a [file name, MIME type] pair", v)
    return tuple((v[0], v[1]) for _, v in pairs)


def _audio(f: JsonFields) -> AudioFacts:
    return AudioFacts(
        file=f.file_name("file", "episode.mp3") or "episode.mp3",
        size_bytes=f.integer("size_bytes", "a non-negative integer", 0, required=True),
        timeline_ms=f.integer("timeline_ms", "a non-negative integer", 0),
        duration_ms=f.integer(
            "duration_ms", f"a positive integer of at most {MAX_DURATION_MS}", 1, MAX_DURATION_MS, required=True
        ),
        bitrate_kbps=f.integer("bitrate_kbps", "a non-negative integer", 0),
        bitrate_mode=f.text("bitrate_mode"),
        sample_rate=f.integer("sample_rate", "a non-negative integer", 0),
        channels=f.integer("channels", "a non-negative integer", 0),
    )


def _files(f: JsonFields | None) -> EpisodeFiles:
    if f is None:
        return EpisodeFiles()
    return EpisodeFiles(
        script=f.file_name("script"),
        cover=f.file_name("cover"),
        transcripts=_transcripts(f),
        chapters=f.file_name("chapters"),
    )


def _voices(f: JsonFields | None) -> tuple[tuple[str, VoiceProfile], ...]:
    if f is None:
        return ()
    out = []
    for role in f.data:
        v = JsonFields(f.data[role], f.path, f.name(role))
        profile = VoiceProfile(
            name=v.text("name", required=True),
            engine=v.text("engine", required=True),
            voice=v.text("voice"),
            rate=v.integer("rate", "a positive integer", 1, required=True),
            volume=v.number("volume"),
        )
        out.append((role, profile))
    return tuple(out)


def _cue(f: JsonFields) -> CueRecord:
    parts = [p.value for p in Part]
    return CueRecord(
        index=f.integer("index", "a non-negative integer", 0, required=True),
        part=Part(f.get("part", lambda v: v in parts, f"one of {', '.join(parts)}", required=True)),
        role=f.text("role", required=True),
        start_ms=f.integer("start_ms", "a non-negative integer", 0, required=True),
        end_ms=f.integer("end_ms", "a non-negative integer", 0, required=True),
        text=f.text("text"),
        speaker=f.text("speaker"),
    )


def _chapter(f: JsonFields) -> Chapter:
    return Chapter(
        title=f.text("title", required=True),
        start_ms=f.integer("start_ms", "a non-negative integer", 0, required=True),
        end_ms=f.integer("end_ms", "a non-negative integer", 0, required=True),
    )


def _bio(f: JsonFields) -> Bio:
    return Bio(name=f.text("name", required=True), text=f.text("text"))


def _loudness(f: JsonFields | None) -> LoudnessRecord | None:
    if f is None:
        return None
    # Measurements of silence are -inf (Python's JSON writes -Infinity); they are reported, not refused.
    return LoudnessRecord(
        target_lufs=f.number("target_lufs"),
        integrated_lufs=f.number("integrated_lufs", finite=False),
        range_lu=f.number("range_lu", finite=False),
        true_peak_dbtp=f.number("true_peak_dbtp", finite=False),
        true_peak_ceiling_dbtp=f.number("true_peak_ceiling_dbtp"),
    )


def _read_record(f: JsonFields) -> EpisodeRecord:
    version = f.integer("format", "a positive integer", 1) or 1
    if version > FORMAT:
        raise OutputError(
            f"{f.path}: episode record format {version} is newer than this broadcast reads (up to {FORMAT}); "
            "upgrade broadcast"
        )
    published = f.get("published", is_datetime, "an ISO 8601 date and time")
    first_published = f.get("first_published", is_datetime, "an ISO 8601 date and time")
    audio = f.obj("audio")
    if audio is None:
        raise f.fail("audio", "an object with size_bytes and duration_ms")

    return EpisodeRecord(
        format=version,
        guid=f.text("guid", required=True),
        title=f.text("title", required=True),
        title_derived=f.get("title_derived", lambda v: isinstance(v, bool), "true or false", False),
        lede=f.text("lede"),
        site=f.text("site"),
        authors=_texts(f, "authors"),
        dateline=f.text("dateline"),
        published=datetime.fromisoformat(published) if published else None,
        first_published=datetime.fromisoformat(first_published) if first_published else None,
        episode_number=f.get("episode_number", lambda v: is_int(v) and v >= 1, "a positive integer"),
        language=f.text("language"),
        copyright=f.text("copyright"),
        source_url=f.text("source_url"),
        bios=f.objects("bios", "bios", _bio),
        attribution=_texts(f, "attribution", non_empty=False),
        show=f.text("show"),
        audio=_audio(audio),
        files=_files(f.obj("files")),
        voices=_voices(f.obj("voices")),
        cues=f.objects("cues", "cues", _cue),
        chapters=f.objects("chapters", "chapters", _chapter),
        generator=f.text("generator"),
        loudness=_loudness(f.obj("loudness")),
    )
