"""episode.json: the record the build writes is the record the feed reads, and a bad one is named."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.config import load_settings
from broadcast.errors import OutputError
from broadcast.model import Article, Bio, Chapter, Part, VoiceProfile
from broadcast.pipeline import build_episode
from broadcast.publish.record import (
    MAX_DURATION_MS,
    AudioFacts,
    CueRecord,
    EpisodeFiles,
    EpisodeRecord,
    LoudnessRecord,
)

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "feed" / "episode.json"  # written before "format"
ARTICLE = Article(
    headline="Council approves new bridge & <more>",
    body=(
        "The city council approved a new footbridge on Tuesday after two years of debate.",
        "Construction is expected to start in the spring and last eighteen months.",
    ),
    site="Riverside Radio",
    dateline="SPRINGFIELD",
    published=datetime(2024, 3, 5, 9, 30, tzinfo=timezone(timedelta(hours=-5))),
    attribution=("Sam Lee contributed reporting.",),
    copyright="2024 Riverside Radio",
    authors=("Jo Park", "Ann Lee"),
    bios=(Bio("Jo Park", "Jo reports from city hall."),),
    source_url="https://example.org/bridge",
)


def test_the_build_writes_a_record_that_reads_back_byte_for_byte(fake_voices: Path, tmp_path: Path) -> None:
    ep = build_episode(ARTICLE, load_settings(None, fake_voices), tmp_path / "out")
    path = ep.folder / "episode.json"
    text = path.read_text(encoding="utf-8")
    record = EpisodeRecord.read(path)
    assert record.to_json() == text
    assert text.startswith('{\n  "format": 1,\n  "guid": ')
    assert record.title == "Council approves new bridge & <more>"
    assert record.published == datetime(2024, 3, 5, 14, 30, tzinfo=timezone.utc)
    assert record.authors == ("Jo Park", "Ann Lee")
    assert record.bios == (Bio("Jo Park", "Jo reports from city hall."),)
    assert record.audio.size_bytes == (ep.folder / "episode.mp3").stat().st_size
    assert record.audio.duration_ms == ep.duration_ms
    assert [c.part for c in record.cues] == [Part.INTRO, Part.BODY, Part.BODY, Part.ATTRIBUTION, Part.OUTRO]
    assert [c.title for c in record.chapters] == ["Introduction", "The story", "Credits", "Sign-off"]
    assert [role for role, _ in record.voices] == ["host", "reporter"]
    assert record.loudness is not None and record.loudness.target_lufs == -19.0
    assert record.files.transcripts == (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"))


def test_a_record_without_format_reads_as_format_1() -> None:
    record = EpisodeRecord.read(FIXTURE)
    assert record.format == 1
    assert record.guid == "broadcast:2023-09-11-russia-s-vladimir-putin-and-north-korea-s-kim-jong-un"
    assert record.audio == AudioFacts(size_bytes=999999, duration_ms=201640, bitrate_kbps=96, bitrate_mode="CBR")
    assert record.chapters == (Chapter("Intro", 0, 12000),)
    assert record.loudness is None and record.cues == ()


@pytest.mark.parametrize("version", [2, 17])
def test_a_newer_format_is_refused_with_a_clear_message(version: int) -> None:
    data = json.loads(FIXTURE.read_text()) | {"format": version}
    with pytest.raises(OutputError) as caught:
        EpisodeRecord.from_json(json.dumps(data), "output/x/episode.json")
    assert str(caught.value) == (
        f"output/x/episode.json: episode record format {version} is newer than this broadcast reads (up to 1); "
        "upgrade broadcast"
    )


FULL = {
    "format": 1,
    "guid": "g",
    "title": "T",
    "audio": {"size_bytes": 10, "duration_ms": 1500},
    "bios": [{"name": "A", "text": "b"}],
    "voices": {"host": {"name": "h", "engine": "pyttsx3", "voice": "en", "rate": 165, "volume": 0.8}},
    "cues": [
        {"index": 0, "part": "INTRO", "role": "host", "start_ms": 0, "end_ms": 900, "text": "Hi."},
        {"index": 1, "part": "BODY", "role": "reporter", "start_ms": 1000, "end_ms": 1400, "text": "News."},
    ],
    "chapters": [{"title": "Intro", "start_ms": 0, "end_ms": 1500}],
    "loudness": {
        "target_lufs": -19.0,
        "integrated_lufs": -19.1,
        "range_lu": 3.0,
        "true_peak_dbtp": -2.0,
        "true_peak_ceiling_dbtp": -1.0,
    },
}


def test_the_full_sample_reads() -> None:
    record = EpisodeRecord.from_json(json.dumps(FULL), "x.json")
    assert record.cues[1] == CueRecord(1, Part.BODY, "reporter", 1000, 1400, "News.")
    assert record.voices == (("host", VoiceProfile("h", "pyttsx3", "en", 165, 0.8)),)


DURATION = "field 'audio.duration_ms' must be a positive integer of at most 86400000"


@pytest.mark.parametrize(
    "where, raw, message",
    [
        (("audio", "duration_ms"), "NaN", DURATION + ", not nan"),
        (("audio", "duration_ms"), "Infinity", DURATION + ", not inf"),
        (("audio", "duration_ms"), "0", DURATION + ", not 0"),
        (("audio", "duration_ms"), "-5", DURATION + ", not -5"),
        (("audio", "duration_ms"), "1500.5", DURATION + ", not 1500.5"),
        (("audio", "duration_ms"), "86400001", DURATION + ", not 86400001"),
        (("audio", "duration_ms"), "true", DURATION + ", not True"),
        (("audio", "size_bytes"), "-1", "field 'audio.size_bytes' must be a non-negative integer, not -1"),
        (("format",), "0", "field 'format' must be a positive integer, not 0"),
        (("format",), '"1"', "field 'format' must be a positive integer, not '1'"),
        (("audio",), "[1]", "field 'audio' must be a JSON object"),
        (("voices", "host", "rate"), "0", "field 'voices.host.rate' must be a positive integer, not 0"),
        (("voices", "host", "volume"), "NaN", "field 'voices.host.volume' must be a finite number, not nan"),
        (("cues", 1, "part"), '"MIDDLE"', "field 'cues[1].part' must be one of INTRO, BODY, ATTRIBUTION, OUTRO"),
        (("cues", 0, "start_ms"), '"soon"', "field 'cues[0].start_ms' must be a non-negative integer, not 'soon'"),
        (("bios", 0), '"Jo"', "field 'bios[0]' must be a JSON object"),
        (("chapters", 0, "title"), "null", "field 'chapters[0].title' must be non-empty text, missing"),
        (("loudness", "target_lufs"), '"loud"', "field 'loudness.target_lufs' must be a finite number, not 'loud'"),
        (("published",), "2024", "field 'published' must be an ISO 8601 date and time, not 2024"),
    ],
)
def test_each_malformed_field_is_named_with_the_file(where: tuple[str | int, ...], raw: str, message: str) -> None:
    data = copy.deepcopy(FULL)
    parent: Any = data
    for key in where[:-1]:
        parent = parent[key]
    parent[where[-1]] = "@bad@"
    text = json.dumps(data).replace('"@bad@"', raw)  # raw JSON: NaN and Infinity are not Python values
    with pytest.raises(OutputError) as caught:
        EpisodeRecord.from_json(text, "output/x/episode.json")
    assert str(caught.value).startswith(f"output/x/episode.json: {message}")


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "null"])
def test_a_record_that_is_not_a_json_object_is_refused(content: str) -> None:
    with pytest.raises(OutputError, match=r"^output/x/episode\.json: "):
        EpisodeRecord.from_json(content, "output/x/episode.json")


# ---------------------------------------------------------------- round trip of any record

_text = st.text(max_size=20)
_name = st.text(min_size=1, max_size=20).filter(str.strip)
_file = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_. -]{0,15}", fullmatch=True)
_ms = st.integers(0, 10**9)
_number = st.floats(allow_nan=False, allow_infinity=False)
_offset = st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_profile = st.builds(VoiceProfile, _name, _name, _text, st.integers(1, 500), _number)

records = st.builds(
    EpisodeRecord,
    guid=_name,
    title=_name,
    lede=_text,
    site=_text,
    authors=st.tuples(_name, _name) | st.just(()),
    dateline=_text,
    published=st.none() | st.datetimes() | st.datetimes(timezones=_offset),
    language=_text,
    copyright=_text,
    source_url=_text,
    bios=st.lists(st.builds(Bio, _name, _text), max_size=2).map(tuple),
    attribution=st.lists(_text, max_size=2).map(tuple),
    show=_text,
    audio=st.builds(
        AudioFacts,
        file=_file,
        size_bytes=st.integers(0, 10**12),
        timeline_ms=_ms,
        duration_ms=st.integers(1, MAX_DURATION_MS),
        bitrate_kbps=st.integers(0, 320),
        bitrate_mode=_text,
        sample_rate=st.integers(0, 96000),
        channels=st.integers(0, 2),
    ),
    files=st.builds(
        EpisodeFiles,
        script=_file | st.just(""),
        cover=_file | st.just(""),
        transcripts=st.lists(st.tuples(_file, _name), max_size=2).map(tuple),
        chapters=_file | st.just(""),
    ),
    voices=st.dictionaries(_text, _profile, max_size=2).map(lambda d: tuple(d.items())),
    cues=st.lists(st.builds(CueRecord, _ms, st.sampled_from(Part), _name, _ms, _ms, _text), max_size=3).map(tuple),
    chapters=st.lists(st.builds(Chapter, _name, _ms, _ms), max_size=2).map(tuple),
    generator=_text,
    loudness=st.none() | st.builds(LoudnessRecord, _number, _number, _number, _number, _number),
)


@settings(max_examples=200, deadline=None, database=None)
@given(record=records)
def test_any_record_reads_back_as_written(record: EpisodeRecord) -> None:
    text = record.to_json()
    assert EpisodeRecord.from_json(text, "x.json") == record
    assert json.loads(text)["format"] == 1


def test_written_record_is_the_json_a_reader_expects(tmp_path: Path) -> None:
    record = EpisodeRecord(guid="g", title="T", audio=AudioFacts(size_bytes=3, duration_ms=1500))
    data: dict[str, Any] = json.loads(record.to_json())
    assert list(data)[:3] == ["format", "guid", "title"]
    assert data["audio"] == {
        "file": "episode.mp3",
        "size_bytes": 3,
        "timeline_ms": 0,
        "duration_ms": 1500,
        "bitrate_kbps": 0,
        "bitrate_mode": "",
        "sample_rate": 0,
        "channels": 0,
    }
    assert data["published"] is None and data["voices"] == {} and data["loudness"] is None
