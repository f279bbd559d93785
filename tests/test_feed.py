"""The podcast feed, checked as podcast apps read it: feedparser, podcastparser, ElementTree."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import feedparser
import podcastparser
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from broadcast.config import ShowSettings
from broadcast.errors import ConfigError, OutputError
from broadcast.publish.feed import FeedEpisode, feed_guid, load_episodes, render_feed, scan_episodes, write_feed

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "feed" / "episode.json"
SHOW = ShowSettings(base_url="https://example.org/pod")  # no trailing slash: the feed adds it
BASE = "https://example.org/pod/"
FEED_URL = BASE + "feed.xml"
NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
    "atom": "http://www.w3.org/2005/Atom",
}
# podcastparser 0.6.11 only knows podcast:* under this old alias of the namespace.
PODCASTPARSER_ALIAS = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
TRICKY = "Fish & chips <b>\"quoted\"</b> 'apos' 🎙️ 中文 עברית ]]>"
UTC = timezone.utc


def sample() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


EXTRA_FILES = ("cover.jpg", "transcript.vtt", "transcript.srt", "chapters.json")


def make_folder(
    root: Path, name: str, record: dict[str, Any], mp3: bytes = b"ID3\x03abc", extra: tuple[str, ...] = EXTRA_FILES
) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    if isinstance(record.get("audio"), dict) and record["audio"].get("size_bytes") == 999999:
        record = record | {"audio": record["audio"] | {"size_bytes": len(mp3)}}  # as a build records it
    (folder / "episode.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    (folder / "episode.mp3").write_bytes(mp3)
    for file in extra:
        (folder / file).write_bytes(b"x")
    return folder


def make_root(root: Path) -> Path:
    """Three episodes on three days, written oldest last, with MP3s of different sizes."""
    for day, title, size in ((11, TRICKY, 7), (13, "Newest", 12), (12, "Middle", 3)):
        record = sample() | {"title": title, "guid": f"guid-{day}", "published": f"2023-09-{day}T06:00:00-04:00"}
        make_folder(root, f"2023-09-{day}-episode", record, mp3=b"\xff" * size)
    return root


def episode(n: int, **changes: Any) -> FeedEpisode:
    base = FeedEpisode(
        folder=f"ep-{n}",
        title=f"Episode {n}",
        description=f"Lede {n}",
        guid=f"g-{n}",
        published=datetime(2023, 9, n, 10, tzinfo=UTC),
        duration_s=60 + n,
        size_bytes=1000 + n,
    )
    return replace(base, **changes)


def channel(xml: bytes) -> ET.Element:
    root = ET.fromstring(xml)
    assert root.tag == "rss" and root.get("version") == "2.0"
    ch = root.find("channel")
    assert ch is not None
    return ch


def podcastparse(xml: bytes) -> dict[str, Any]:
    return podcastparser.parse(FEED_URL, io.BytesIO(xml))


# ---------------------------------------------------------------- reading episode.json


def test_load_episodes_reads_the_sample_record(tmp_path: Path) -> None:
    make_folder(tmp_path, "2023-09-11-putin", sample(), mp3=b"12345")
    make_folder(tmp_path, ".staging-2023-09-12-other-99", sample())  # a build in progress
    (tmp_path / "feed.xml").write_text("old")
    [ep] = load_episodes(tmp_path)
    assert ep.folder == "2023-09-11-putin"
    assert ep.title == "Russia's Vladimir Putin & North Korea's Kim Jong Un to meet"
    assert ep.description.startswith("Kim Jong Un is expected")
    assert ep.guid == "broadcast:2023-09-11-russia-s-vladimir-putin-and-north-korea-s-kim-jong-un"
    assert ep.published == datetime(2023, 9, 11, 10, 0, tzinfo=UTC)
    assert ep.size_bytes == 5
    assert ep.duration_s == 202  # 201.64 s
    assert ep.authors == ("Charles Maynes", "Anthony Kuhn")
    assert ep.language == "en"
    assert (ep.audio_file, ep.image_file, ep.chapters_file) == ("episode.mp3", "cover.jpg", "chapters.json")
    assert ep.transcripts == (("transcript.vtt", "text/vtt"), ("transcript.srt", "application/x-subrip"))


def test_missing_files_are_not_linked(tmp_path: Path) -> None:
    make_folder(tmp_path, "ep", sample(), extra=("transcript.vtt",))
    [ep] = load_episodes(tmp_path)
    assert (ep.image_file, ep.chapters_file) == ("", "")
    assert ep.transcripts == (("transcript.vtt", "text/vtt"),)


def test_episodes_without_their_mp3_as_recorded_are_skipped_with_the_reason(tmp_path: Path) -> None:
    make_folder(tmp_path, "a-good", sample(), mp3=b"12345")
    (make_folder(tmp_path, "b-moved", sample()) / "episode.mp3").unlink()
    (make_folder(tmp_path, "c-resized", sample(), mp3=b"12345") / "episode.mp3").write_bytes(b"123")
    (make_folder(tmp_path, "d-broken", sample()) / "episode.json").write_text('{"title": "tru')
    scan = scan_episodes(tmp_path)
    assert [e.folder for e in scan.episodes] == ["a-good"]
    assert [s.folder for s in scan.skipped] == ["b-moved", "c-resized", "d-broken"]
    reasons = [s.reason.removeprefix(str(tmp_path) + "/") for s in scan.skipped]
    assert reasons[0] == "b-moved/episode.mp3: the episode's MP3 is missing"
    assert reasons[1] == "c-resized/episode.mp3: 3 bytes, but episode.json records 5"
    assert reasons[2].startswith("d-broken/episode.json: cannot read episode record")


def test_minimal_record_and_null_date(tmp_path: Path) -> None:
    record = {"title": "T", "guid": "g", "published": None, "audio": {"size_bytes": 3, "duration_ms": 1500}}
    make_folder(tmp_path, "ep", record, mp3=b"abc", extra=())
    [ep] = load_episodes(tmp_path)
    assert (ep.published, ep.duration_s, ep.description, ep.transcripts) == (None, 2, "", ())


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda r: r.pop("guid"), "field 'guid' must be non-empty text, missing"),
        (lambda r: r.update(title="  "), "field 'title' must be non-empty text, not '  '"),
        (lambda r: r.update(published="last tuesday"), "field 'published' must be an ISO 8601 date and time"),
        (lambda r: r["audio"].update(size_bytes="big"), "field 'audio.size_bytes' must be a non-negative integer"),
        (lambda r: r["audio"].pop("duration_ms"), "field 'audio.duration_ms' must be a positive integer"),
        (lambda r: r["files"].update(cover="../../etc/passwd"), "field 'files.cover' must be a file name inside"),
        (lambda r: r["files"].update(transcripts=[["a.vtt"]]), "field 'files.transcripts[0]' must be a [file name"),
        (lambda r: r.update(authors="Jane Doe"), "field 'authors' must be a list of texts, not 'Jane Doe'"),
        (lambda r: r.update(authors=["Jane", 7]), "field 'authors[1]' must be non-empty text, not 7"),
    ],
)
def test_bad_record_is_an_output_error_naming_file_and_field(tmp_path: Path, mutate: Any, message: str) -> None:
    record = sample()
    mutate(record)
    make_folder(tmp_path, "broken-ep", record)
    with pytest.raises(OutputError, match=rf"broken-ep/episode\.json: {re.escape(message)}"):
        load_episodes(tmp_path)


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_unreadable_record_raises_output_error(tmp_path: Path, content: bytes) -> None:
    folder = make_folder(tmp_path, "broken-ep", sample())
    (folder / "episode.json").write_bytes(content)
    with pytest.raises(OutputError, match=r"broken-ep/episode\.json"):
        load_episodes(tmp_path)


# ---------------------------------------------------------------- what podcast apps see


def test_feedparser_sees_every_episode_newest_first(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    parsed = feedparser.parse(write_feed(root, SHOW).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == SHOW.name
    assert [e.title for e in parsed.entries] == ["Newest", "Middle", TRICKY]
    assert [e.id for e in parsed.entries] == ["guid-13", "guid-12", "guid-11"]
    for entry in parsed.entries:
        folder = f"2023-09-{entry.id[-2:]}-episode"
        [enc] = entry.enclosures
        assert enc.href == f"{BASE}{folder}/episode.mp3"
        assert int(enc.length) == (root / folder / "episode.mp3").stat().st_size
        assert enc.type == "audio/mpeg"
        assert entry.itunes_duration == "202"
        assert entry.published_parsed[:3] == (2023, 9, int(entry.id[-2:]))
    assert parsed.entries[2].author == "Charles Maynes, Anthony Kuhn"


def test_podcastparser_sees_every_episode(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    parsed = podcastparse(write_feed(root, SHOW).read_bytes())
    assert parsed["title"] == SHOW.name
    assert parsed["explicit"] is False
    by_guid = {e["guid"]: e for e in parsed["episodes"]}
    assert sorted(by_guid) == ["guid-11", "guid-12", "guid-13"]
    for day, title in ((11, TRICKY), (12, "Middle"), (13, "Newest")):
        ep = by_guid[f"guid-{day}"]
        folder = root / f"2023-09-{day}-episode"
        assert ep["title"] == title
        assert ep["published"] == int(datetime(2023, 9, day, 10, tzinfo=UTC).timestamp())
        assert ep["total_time"] == 202
        assert ep["number"] == day - 10  # 1 = oldest
        assert ep["type"] == "full"
        assert ep["episode_art_url"] == f"{BASE}{folder.name}/cover.jpg"
        [enc] = ep["enclosures"]
        assert enc["url"] == f"{BASE}{folder.name}/episode.mp3"
        assert enc["file_size"] == (folder / "episode.mp3").stat().st_size
        assert enc["mime_type"] == "audio/mpeg"


def test_podcastparser_sees_transcript_and_chapters_under_its_namespace_alias() -> None:
    ep = episode(1, transcripts=(("transcript.vtt", "text/vtt"),), chapters_file="chapters.json")
    xml = render_feed(SHOW, [ep]).replace(NS["podcast"].encode(), PODCASTPARSER_ALIAS.encode())
    [parsed] = podcastparse(xml)["episodes"]
    assert parsed["transcript_url"] == f"{BASE}ep-1/transcript.vtt"
    assert parsed["chapters_json_url"] == f"{BASE}ep-1/chapters.json"


def test_transcripts_and_chapters_under_the_canonical_namespace() -> None:
    ep = episode(
        1,
        language="en",
        chapters_file="chapters.json",
        transcripts=(
            ("transcript.vtt", "text/vtt"),
            ("transcript.srt", "application/x-subrip"),
            ("notes.txt", "text/plain"),
        ),
    )
    item = channel(render_feed(SHOW, [ep])).find("item")
    got = [t.attrib for t in item.findall("podcast:transcript", NS)]
    assert got == [
        {"url": f"{BASE}ep-1/transcript.vtt", "type": "text/vtt", "language": "en", "rel": "captions"},
        {"url": f"{BASE}ep-1/transcript.srt", "type": "application/x-subrip", "language": "en", "rel": "captions"},
        {"url": f"{BASE}ep-1/notes.txt", "type": "text/plain", "language": "en"},
    ]
    chapters = item.find("podcast:chapters", NS)
    assert chapters.attrib == {"url": f"{BASE}ep-1/chapters.json", "type": "application/json+chapters"}


REQUIRED_CHANNEL = {  # tag -> attribute that must be set ("" = non-empty text)
    "title": "",
    "description": "",
    "link": "",
    "language": "",
    "itunes:image": "href",
    "itunes:category": "text",
    "itunes:explicit": "",
    "atom:link": "href",
    "itunes:author": "",
    "itunes:owner/itunes:name": "",
    "itunes:owner/itunes:email": "",
    "podcast:guid": "",
    "podcast:locked": "owner",
    "image/url": "",
    "itunes:type": "",
}
REQUIRED_ITEM = {
    "title": "",
    "enclosure": "url",
    "guid": "",
    "pubDate": "",
    "description": "",
    "itunes:duration": "",
    "itunes:episode": "",
    "itunes:episodeType": "",
    "itunes:explicit": "",
}


def test_required_tags_of_the_standard_are_present(tmp_path: Path) -> None:
    ch = channel(write_feed(make_root(tmp_path), SHOW).read_bytes())
    for table, elements in ((REQUIRED_CHANNEL, [ch]), (REQUIRED_ITEM, ch.findall("item"))):
        for el in elements:
            for tag, attr in table.items():
                found = el.find(tag, NS)
                assert found is not None, tag
                assert found.get(attr) if attr else (found.text or "").strip(), tag
    assert ch.find("itunes:explicit", NS).text == "false"
    assert ch.find("podcast:locked", NS).text == "yes"
    assert ch.find("itunes:category/itunes:category", NS).get("text") == SHOW.subcategory
    self_link = ch.find("atom:link", NS)
    assert self_link.attrib == {"href": FEED_URL, "rel": "self", "type": "application/rss+xml"}
    assert ch.find("itunes:image", NS).get("href") == BASE + "cover.jpg"
    assert ch.find("link").text == BASE


def test_show_flags_and_link() -> None:
    show = replace(SHOW, explicit=True, locked=False, link="https://example.org/")
    ch = channel(render_feed(show, [episode(1)]))
    assert ch.find("itunes:explicit", NS).text == "true"
    assert ch.find("item/itunes:explicit", NS).text == "true"
    assert ch.find("podcast:locked", NS).text == "no"
    assert ch.find("link").text == "https://example.org/"


def test_podcast_guid_is_the_uuid5_of_the_feed_url() -> None:
    # Pinned: a different value would make apps see a new podcast.
    expected = "8aa0692c-04e5-512f-ade5-e8788219ab95"
    assert feed_guid("https://example.org/pod/feed.xml") == expected
    assert feed_guid("http://example.org/pod/feed.xml//") == expected
    assert channel(render_feed(SHOW, [])).find("podcast:guid", NS).text == expected
    # The value the Podcast Index documents for its own example feed.
    podcast_index_example = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert feed_guid("https://mp3s.nashownotes.com/pc20rss.xml") == podcast_index_example


def test_dates_weekday_and_build_date() -> None:
    ep = episode(1, published=datetime(2023, 9, 11, 6, 0, tzinfo=timezone(timedelta(hours=-4))))
    ch = channel(render_feed(SHOW, [ep]))
    assert ch.find("item/pubDate").text == "Mon, 11 Sep 2023 10:00:00 +0000"
    assert ch.find("lastBuildDate").text == "Mon, 11 Sep 2023 10:00:00 +0000"
    assert ch.find("pubDate").text == "Mon, 11 Sep 2023 10:00:00 +0000"
    now = datetime(2024, 2, 29, 23, 59, 1, tzinfo=UTC)
    ch = channel(render_feed(SHOW, [ep], now=now))
    assert ch.find("lastBuildDate").text == "Thu, 29 Feb 2024 23:59:01 +0000"
    assert ch.find("pubDate").text == "Mon, 11 Sep 2023 10:00:00 +0000"
    empty = channel(render_feed(SHOW, []))
    assert empty.find("lastBuildDate") is None and empty.find("item") is None


def test_order_ties_by_guid_undated_last_and_episode_numbers() -> None:
    same = datetime(2023, 9, 3, tzinfo=UTC)
    eps = [
        episode(1, published=None, guid="undated"),
        episode(2, guid="b", published=same),
        episode(3, guid="a", published=same),
        episode(4, guid="newest"),
    ]
    items = channel(render_feed(SHOW, eps)).findall("item")
    assert [i.find("guid").text for i in items] == ["newest", "a", "b", "undated"]
    assert [i.find("itunes:episode", NS).text for i in items] == ["4", "3", "2", "1"]
    assert items[-1].find("pubDate") is None


def test_output_is_deterministic_and_independent_of_input_order() -> None:
    eps = [episode(n) for n in range(1, 6)]
    first = render_feed(SHOW, eps)
    assert render_feed(SHOW, eps) == first
    assert render_feed(SHOW, list(reversed(eps))) == first
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')


def test_escaping_control_characters_and_urls() -> None:
    ep = episode(
        1,
        title="A\x00B\x1b & C\r\nD",
        description='x < y & "z"\r\nline 2\x07',
        folder="ep #1 ünï",
        authors=("O'Brien & Co",),
    )
    item = channel(render_feed(SHOW, [ep])).find("item")
    assert item.find("title").text == "AB & C D"
    assert item.find("description").text == 'x < y & "z"\r\nline 2'
    assert item.find("enclosure").get("url") == BASE + "ep%20%231%20%C3%BCn%C3%AF/episode.mp3"
    assert item.find("itunes:author", NS).text == "O'Brien & Co"


def test_channel_description_is_cut_to_4000_bytes_on_a_character_boundary() -> None:
    show = replace(SHOW, description="é" * 1999 + "中文" * 10)
    xml = render_feed(show, [])
    text = channel(xml).find("description").text
    assert len(text.encode("utf-8")) <= 4000
    assert text == "é" * 1999  # 3998 bytes: the next 3-byte character does not fit


@pytest.mark.parametrize("url", ["", "example.org/pod/", "/pod/", "ftp://example.org/pod/", "https:///pod"])
def test_bad_base_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="base_url must be an absolute http"):
        render_feed(replace(SHOW, base_url=url), [episode(1)])


def test_bad_show_settings_and_duplicate_guids() -> None:
    with pytest.raises(ConfigError, match="link"):
        render_feed(replace(SHOW, link="www.example.org"), [])
    with pytest.raises(ConfigError, match="category"):
        render_feed(replace(SHOW, category=""), [])
    with pytest.raises(OutputError, match="ep-1 and ep-2 share guid"):
        render_feed(SHOW, [episode(1, guid="same"), episode(2, guid="same")])
    with pytest.raises(OutputError, match="no title"):
        render_feed(SHOW, [episode(1, title=" \x00 ")])


# ---------------------------------------------------------------- writing


def test_write_feed_is_atomic_and_matches_render(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    (root / "feed.xml").write_bytes(b"old feed")
    path = write_feed(root, SHOW)
    assert path == root / "feed.xml"
    assert path.read_bytes() == render_feed(SHOW, load_episodes(root))
    # No temp file left beside it.
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == ["feed.xml"]
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert b"<lastBuildDate>Mon, 01 Jan 2024" in write_feed(root, SHOW, now=now).read_bytes()


def test_write_feed_without_output_root_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="not found"):
        write_feed(tmp_path / "missing", SHOW)


# ---------------------------------------------------------------- any text at all


def kept(text: str) -> str:
    """The text a feed can carry, defined from the XML 1.0 Char production and Unicode categories
    (not the implementation's pattern): no controls but tab, LF and CR (DEL and C1 are controls too,
    which feedparser would read as cp1252 letters), no surrogates, no U+FFFE or U+FFFF."""
    return "".join(
        c for c in text if c in "\t\n\r" or (unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff")
    )


def test_kept_agrees_with_the_xml_spec_on_known_characters() -> None:
    assert kept("a\x00\x08\t\n\x0b\r\x1f \x7f\x85\x9f\xa0\ud7ff\ufffd\ufffe\uffff\U0001f399") == (
        "a\t\n\r \xa0\ud7ff\ufffd\U0001f399"
    )


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(), description=st.text(), show_name=st.text(min_size=1))
def test_any_text_gives_a_well_formed_feed(title: str, description: str, show_name: str) -> None:
    assume(kept(title).strip() and kept(show_name).strip())
    ep = episode(1, title=title, description=description)
    show_description = description if kept(description).strip() else "d"
    xml = render_feed(replace(SHOW, name=show_name, description=show_description), [ep])
    item = channel(xml).find("item")  # ElementTree raises on anything not well-formed
    shown = item.find("title").text
    # One line, as clients list it: the same visible characters in order, whitespace runs as one space.
    assert shown == shown.strip() and "  " not in shown and not set(shown) & set("\t\n\r")
    assert "".join(shown.split()) == "".join(kept(title).split())
    assert (item.findtext("description") or "") == kept(description)
    [parsed] = podcastparse(xml)["episodes"]
    assert parsed["title"] == shown
    # feedparser is asked only for well-formedness: it "repairs" what looks like mojibake
    # ("Â¡" becomes "¡").
    assert not feedparser.parse(xml).bozo
