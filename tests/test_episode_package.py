"""The player-ready package, end to end with real speech: loudness on the decoded MP3,
chapters and cover in the tags, transcripts, and the feed as podcast apps read it."""

from __future__ import annotations

import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import podcastparser
import pyloudnorm
import pytest
from audio_probe import container_info, decode
from conftest import FIXTURES, ROOT, SEED, run_cli
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image

from broadcast.audio.ffmpeg import find_tool

pytestmark = pytest.mark.e2e  # real speech end to end; the quick loop is -m "not e2e"
SECOND = FIXTURES / "e2e" / "second-wire.txt"
SHORT = FIXTURES / "e2e" / "short-wire.txt"
NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0"}
PODCASTPARSER_ALIAS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed (with the shipped show.toml: intro sting, podcast loudness) and a second article."""
    root = tmp_path_factory.mktemp("package")
    for article in (SEED, SECOND):
        proc = run_cli("build", article, "--output", root, "--config", ROOT / "show.toml", "--quiet")
        assert proc.returncode == 0, proc.stderr
    return root


def seed_folder(out: Path) -> Path:
    return out / "2023-09-11-russia-s-vladimir-putin-and-north-korean-leader-kim-jong-un"


def ebur128(path: Path) -> tuple[float, float]:
    """ffmpeg's own EBU R128 meter (BS.1770, true peak by oversampling): an independent reading."""
    proc = subprocess.run(
        [find_tool("ffmpeg"), "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])  # type: ignore[index]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)[1])  # type: ignore[index]
    return integrated, peak


def test_seed_loudness_on_the_decoded_mp3(out: Path) -> None:
    mp3 = seed_folder(out) / "episode.mp3"
    integrated, true_peak = ebur128(mp3)
    assert abs(integrated - (-19.0)) <= 1.0  # podcast target, mono
    assert true_peak <= -1.0
    samples, _ = decode(mp3, rate=44100)
    assert abs(pyloudnorm.Meter(44100).integrated_loudness(samples) - (-19.0)) <= 1.0
    record = json.loads((seed_folder(out) / "episode.json").read_text())["loudness"]
    assert record["target_lufs"] == -19.0
    assert abs(record["integrated_lufs"] - integrated) <= 0.3
    assert abs(record["true_peak_dbtp"] - true_peak) <= 0.3
    assert record["range_lu"] > 0


def test_broadcast_preset_and_stereo(tmp_path: Path) -> None:
    cfg = tmp_path / "show.toml"
    cfg.write_text('[audio]\nloudness = "broadcast"\n')
    proc = run_cli("build", SHORT, "--output", tmp_path / "o", "--config", cfg, "--stereo", "--quiet")
    assert proc.returncode == 0, proc.stderr
    mp3 = next((tmp_path / "o").glob("*/episode.mp3"))
    assert MP3(mp3).info.channels == 2
    integrated, true_peak = ebur128(mp3)
    assert abs(integrated - (-23.0)) <= 1.0
    assert true_peak <= -1.0


def test_chapters_in_tags_match_the_audio(out: Path) -> None:
    folder = seed_folder(out)
    record = json.loads((folder / "episode.json").read_text())
    tags = ID3(folder / "episode.mp3")
    toc = tags.getall("CTOC")[0]
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    ordered = [chaps[eid] for eid in toc.child_element_ids]
    assert [str(c.sub_frames["TIT2"]) for c in ordered] == ["Introduction", "The story", "Credits", "Sign-off"]
    cues = record["cues"]
    body_start = next(c["start_ms"] for c in cues if c["part"] == "BODY")
    assert abs(ordered[1].start_time - body_start) <= 50
    probed = container_info(folder / "episode.mp3")["chapters"]
    assert [c["title"] for c in probed] == ["Introduction", "The story", "Credits", "Sign-off"]
    for seen, ours in zip(probed, ordered):
        assert abs(seen["start_ms"] - ours.start_time) <= 50
    chapters = json.loads((folder / "chapters.json").read_text())
    assert chapters["version"] == "1.2"
    starts = [c["startTime"] for c in chapters["chapters"]]
    assert starts == sorted(starts) and starts[0] == 0


def test_speech_starts_where_the_timeline_says(out: Path) -> None:
    """The first cue starts after the intro sting: the audio there must turn from quiet to speech."""
    folder = seed_folder(out)
    record = json.loads((folder / "episode.json").read_text())
    first = record["cues"][0]["start_ms"]
    samples, _ = decode(folder / "episode.mp3", rate=22050)
    win = 220  # 10 ms

    def level(ms: int) -> float:
        seg = samples[ms * 22 : ms * 22 + 5 * win]
        return float((seg**2).mean() ** 0.5)

    assert first > 2000  # after the sting
    assert level(first - 200) < level(first + 100) / 4


def test_cover_embedded_and_shipped(out: Path) -> None:
    tags = ID3(seed_folder(out) / "episode.mp3")
    apic = tags.getall("APIC")[0]
    assert apic.mime == "image/jpeg" and len(apic.data) < 300_000
    with Image.open(io.BytesIO(apic.data)) as img:
        assert img.width == img.height <= 600
    with Image.open(out / "cover.jpg") as img:
        assert img.format == "JPEG" and img.mode == "RGB"
        assert img.width == img.height and 1400 <= img.width <= 3000


def test_podcast_tags(out: Path) -> None:
    tags = ID3(seed_folder(out) / "episode.mp3")
    record = json.loads((seed_folder(out) / "episode.json").read_text())
    assert tags.getall("PCST")[0].value == 1
    assert str(tags["TGID"]) == record["guid"]
    assert tags.getall("WFED")[0].url == "http://localhost:8000/feed.xml"


def test_transcripts_have_sentence_cues_with_voices(out: Path) -> None:
    folder = seed_folder(out)
    vtt = (folder / "transcript.vtt").read_text()
    assert vtt.startswith("WEBVTT\n")
    assert "<v Host>Russia's Vladimir Putin and North Korean leader Kim Jong Un will meet this week." in vtt
    assert "<v Reporter>In Moscow, the Kremlin has confirmed" in vtt
    texts = re.findall(r"^<v [^>]+>(.*)$", vtt, flags=re.M)
    assert all(len(t) <= 90 for t in texts)
    srt = (folder / "transcript.srt").read_text()
    assert srt.startswith("1\n00:00:0")
    assert srt.count("\n\n") + 1 == len(texts)
    record = json.loads((folder / "episode.json").read_text())
    first = re.search(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) -->", vtt, flags=re.M)
    assert first is not None
    h, m, s, ms = map(int, first.groups())
    assert ((h * 60 + m) * 60 + s) * 1000 + ms == record["cues"][0]["start_ms"]


def test_feed_as_podcast_apps_read_it(out: Path) -> None:
    data = (out / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    # newest first publication first: the wire story was built after the seed
    assert [e.title for e in parsed.entries] == [
        "Rail line to reopen after storm repairs & <upgrades>",
        "Russia's Vladimir Putin and North Korean leader Kim Jong Un will meet this week",
    ]
    pod = podcastparser.parse("http://localhost:8000/feed.xml", io.BytesIO(data))
    by_title = {e["title"]: e for e in pod["episodes"]}
    seed = by_title["Russia's Vladimir Putin and North Korean leader Kim Jong Un will meet this week"]
    folder = seed_folder(out)
    record = json.loads((folder / "episode.json").read_text())
    enclosure = seed["enclosures"][0]
    assert enclosure["url"] == f"http://localhost:8000/{folder.name}/episode.mp3"
    assert enclosure["file_size"] == (folder / "episode.mp3").stat().st_size
    assert enclosure["mime_type"] == "audio/mpeg"
    assert seed["total_time"] == round(MP3(folder / "episode.mp3").info.length)
    assert seed["guid"] == record["guid"]
    # pubDate is the first build; the article's date (2023-09-11 14:59 EDT) stays in the record
    assert seed["published"] == datetime.fromisoformat(record["first_published"]).timestamp()
    assert record["published"] == "2023-09-11T14:59:00-04:00"


def test_feed_item_tags(out: Path) -> None:
    root = ET.fromstring((out / "feed.xml").read_bytes())
    channel = root.find("channel")
    assert channel is not None
    for tag in (
        "title",
        "description",
        "link",
        "language",
        "itunes:image",
        "itunes:category",
        "itunes:explicit",
        "itunes:author",
        "itunes:owner",
        "podcast:guid",
        "podcast:locked",
    ):
        assert channel.find(tag, NS) is not None, tag
    item = next(i for i in channel.findall("item") if i.findtext("title", "").startswith("Russia"))
    date = parsedate_to_datetime(item.findtext("pubDate", ""))
    record = json.loads((seed_folder(out) / "episode.json").read_text())
    assert date == datetime.fromisoformat(record["first_published"])
    assert item.findtext("itunes:duration", namespaces=NS).isdigit()
    transcripts = {t.get("type"): t.get("url") for t in item.findall("podcast:transcript", NS)}
    assert set(transcripts) == {"text/vtt", "application/x-subrip"}
    assert item.find("podcast:chapters", NS).get("type") == "application/json+chapters"
    # podcastparser sees them under the namespace alias it knows
    aliased = (out / "feed.xml").read_bytes().replace(NS["podcast"].encode(), PODCASTPARSER_ALIAS.encode())
    pod = podcastparser.parse("http://localhost:8000/feed.xml", io.BytesIO(aliased))
    seed = next(e for e in pod["episodes"] if e["title"].startswith("Russia"))
    base = f"http://localhost:8000/{seed_folder(out).name}/"
    assert seed["chapters_json_url"] == base + "chapters.json"
    assert seed["transcript_url"] in (base + "transcript.vtt", base + "transcript.srt")  # it keeps one


def test_rebuild_keeps_two_items_and_their_guids(out: Path) -> None:
    before = feedparser.parse((out / "feed.xml").read_bytes())
    guids = sorted(e.id for e in before.entries)
    proc = run_cli("build", SECOND, "--output", out, "--config", ROOT / "show.toml", "--quiet")
    assert proc.returncode == 0, proc.stderr
    after = feedparser.parse((out / "feed.xml").read_bytes())
    assert len(after.entries) == 2
    assert sorted(e.id for e in after.entries) == guids


def test_feed_command_rebuilds_the_same_feed(out: Path) -> None:
    before = (out / "feed.xml").read_bytes()
    (out / "feed.xml").unlink()
    proc = run_cli("feed", "--output", out, "--config", ROOT / "show.toml")
    assert proc.returncode == 0, proc.stderr
    assert (out / "feed.xml").read_bytes() == before
