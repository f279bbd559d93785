"""Real speech (pyttsx3 + espeak-ng), real ffmpeg, tags read back by mutagen and ffprobe."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from audio_probe import container_info, decode, longest_silence_ms
from conftest import EPISODE_FILES, FIXTURES, ROOT, SEED, run_cli
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from broadcast.model import Pauses

pytestmark = pytest.mark.e2e  # real speech end to end; the quick loop is -m "not e2e"
SHORT = FIXTURES / "e2e" / "short-wire.txt"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    empty = out / "defaults.toml"  # the built-in defaults: no music
    empty.write_text("")
    proc = run_cli("build", SHORT, "--output", out, "--config", empty)
    empty.unlink()
    assert proc.returncode == 0, proc.stderr
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 1
    return folders[0]


def test_episode_folder_holds_every_output(built: Path) -> None:
    assert built.name == "undated-harbor-town-opens-a-floating-library-for-the-summer"
    assert {p.name for p in built.iterdir()} == EPISODE_FILES
    assert sorted(p.name for p in built.parent.iterdir()) == sorted([".feed.lock", built.name, "cover.jpg", "feed.xml"])


def test_mp3_is_cbr_mono_44k_with_info_header_and_decodes_cleanly(built: Path) -> None:
    mp3 = built / "episode.mp3"
    info = MP3(mp3).info
    assert (info.sample_rate, info.channels, info.bitrate) == (44100, 1, 96000)
    assert str(info.bitrate_mode).endswith("CBR")
    first_frame = mp3.read_bytes()[ID3(mp3).size :][:200]  # right after the ID3 tag
    assert first_frame[:2] == b"\xff\xfb"
    assert b"Info" in first_frame  # the LAME/Info header: players get the duration right
    samples, errors = decode(mp3)
    assert errors == ""
    assert len(samples) > 22050 * 5


def test_recorded_timings_match_the_decoded_audio(built: Path) -> None:
    """ffmpeg's decode is the oracle: the file is as long as the record says, there is speech
    inside every cue the record lists and silence in the pause between two cues."""
    record = json.loads((built / "episode.json").read_text())
    rate = 22050
    samples, _ = decode(built / "episode.mp3", rate=rate)
    assert abs(len(samples) * 1000 / rate - record["audio"]["duration_ms"]) <= 50

    def level_db(start_ms: int, end_ms: int) -> float:
        seg = samples[start_ms * rate // 1000 : end_ms * rate // 1000]
        return 20 * math.log10(float(np.sqrt(np.mean(seg**2))) + 1e-12)

    cues = record["cues"]
    for cue in cues:
        assert level_db(cue["start_ms"], cue["end_ms"]) > -35, cue
    for prev, cur in zip(cues, cues[1:]):
        middle = (prev["end_ms"] + cur["start_ms"]) // 2
        assert level_db(middle - 50, middle + 50) < -50, (prev["index"], cur["index"])


def test_cue_timings_are_ordered_and_match_the_script(built: Path) -> None:
    record = json.loads((built / "episode.json").read_text())
    parts = [c["part"] for c in record["cues"]]
    assert parts == ["INTRO", "BODY", "BODY", "BODY", "OUTRO"]
    for prev, cur in zip(record["cues"], record["cues"][1:]):
        assert prev["end_ms"] < cur["start_ms"]
    for cue in record["cues"]:
        # spoken at a plausible newsreader pace: 100 to 260 words a minute
        words = len(cue["text"].split())
        minutes = (cue["end_ms"] - cue["start_ms"]) / 60000
        assert 100 <= words / minutes <= 260, cue


def test_no_silence_longer_than_the_configured_pauses(built: Path) -> None:
    samples, _ = decode(built / "episode.mp3")
    pauses = Pauses()
    longest = longest_silence_ms(samples, 22050, skip_edges_ms=pauses.tail + 100)
    assert longest <= pauses.part + 50


def test_tags_read_back_with_mutagen(built: Path) -> None:
    tags = ID3(built / "episode.mp3")
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Harbor town opens a floating library for the summer"
    assert str(tags["TPE1"]) == "Dana Whitfield"
    assert str(tags["TCON"]) == "Podcast"
    assert str(tags["TCOP"]) == "2024 The Associated Press"
    assert tags.getall("COMM")[0].text[0].startswith("A converted ferry")
    lyrics = tags.getall("USLT")[0].text
    assert lyrics == (built / "script.txt").read_text()
    # TLEN is the mixed track; the file adds only the encoder's padding
    file_ms = json.loads((built / "episode.json").read_text())["audio"]["duration_ms"]
    assert 0 <= file_ms - int(str(tags["TLEN"])) < 100
    assert "broadcast" in str(tags["TSSE"])
    assert not [k for k in tags if "Lav" in str(tags[k])], "ffmpeg's own tags must be gone"


def test_tags_and_chapters_read_back_with_ffprobe(built: Path) -> None:
    info = container_info(built / "episode.mp3")
    tags = info["tags"]
    assert tags["title"] == "Harbor town opens a floating library for the summer"
    assert tags["artist"] == "Dana Whitfield"
    assert tags["genre"] == "Podcast"
    record = json.loads((built / "episode.json").read_text())
    chapters = info["chapters"]
    assert [c["title"] for c in chapters] == [c["title"] for c in record["chapters"]]
    for seen, ours in zip(chapters, record["chapters"]):
        assert abs(seen["start_ms"] - ours["start_ms"]) <= 50


def test_script_printed_and_saved(built: Path) -> None:
    text = (built / "script.txt").read_text()
    assert text.startswith("TITLE:   Harbor town opens a floating library for the summer\n")
    assert "[02] BODY (reporter)\n    In Portland, Maine, a converted ferry" in text


def test_seed_builds_with_real_speech(tmp_path: Path) -> None:
    proc = run_cli("build", SEED, "--output", tmp_path, "--id3", "2.4")
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "2023-09-11-russia-s-vladimir-putin-and-north-korean-leader-kim-jong-un"
    assert proc.stdout.startswith((ROOT / "tests" / "golden" / "seed-script.txt").read_text())
    assert f"episode: {folder / 'episode.mp3'}" in proc.stdout
    tags = ID3(folder / "episode.mp3")
    assert tags.version[:2] == (2, 4)
    assert str(tags["TDRC"]) == "2023-09-11 14:59"
    assert str(tags["WOAS"]) == "https://www.npr.org"
    record = json.loads((folder / "episode.json").read_text())
    assert record["published"] == "2023-09-11T14:59:00-04:00"
    assert [b["name"] for b in record["bios"]] == ["Anthony Kuhn", "Michele Kelemen"]
    assert 100_000 < record["audio"]["duration_ms"] < 240_000
