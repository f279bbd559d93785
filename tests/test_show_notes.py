"""Show notes in the feed (issue 10, item 18): each item links to its article, carries notes an app
shows under the episode (content:encoded), and names the article's authors with podcast:person."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import podcastparser
import pytest
from builds import fake_voices, write_story
from conftest import SEED, run_cli

from broadcast.config import ShowSettings
from broadcast.publish.feed import FeedEpisode, render_feed
from broadcast.publish.show_notes import show_notes

PODCAST = "https://podcastindex.org/namespace/1.0"
FEED_URL = "http://localhost:8000/feed.xml"
SEED_TITLE = "Russia's Vladimir Putin and North Korean leader Kim Jong Un will meet this week"
SHOW = ShowSettings(base_url="https://station.org/pod/", owner_email="pod@station.org")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed (its page names a source URL) and a wire story that names none, in one feed."""
    base = tmp_path_factory.mktemp("notes")
    voices = fake_voices(base)
    config = base / "show.toml"
    config.write_text('[show]\nbase_url = "http://localhost:8000/"\nowner_email = "producer@localhost"\n')
    for article in (SEED, write_story(base, 1, words=24)):
        proc = run_cli("build", article, "--output", base / "out", "--voices", voices, "--config", config, "--quiet")
        assert proc.returncode == 0, proc.stderr
    return base / "out"


def seed_record(out: Path) -> dict:  # type: ignore[type-arg]
    [path] = [p for p in out.glob("*/episode.json") if "putin" in p.parent.name]
    return json.loads(path.read_text())


def test_feedparser_shows_the_link_and_the_notes(out: Path) -> None:
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    seed = next(e for e in parsed.entries if e.title == SEED_TITLE)
    record = seed_record(out)
    assert record["source_url"] == "https://www.npr.org"
    assert seed.link == "https://www.npr.org"
    notes = seed.content[0].value  # sanitized HTML, as a feedparser-based app shows it
    assert seed.content[0].type == "text/html"
    assert notes == (
        "<p>The Kremlin has confirmed a meeting between Russian President Vladimir Putin and North Korean leader "
        'Kim Jong Un will take place in Russia\'s Far East "in the coming days."</p>'
        "<p>Anthony Kuhn contributed reporting from Seoul; Michele Kelemen reported from Washington, D.C.</p>"
        '<p><a href="https://www.npr.org">Read the original story</a> at Public Media for Central Pennsylvania.</p>'
        "<p>Written by Anthony Kuhn and Michele Kelemen for Public Media for Central Pennsylvania. © 2023 NPR. "
        "Voiced by broadcast (host: tone, reporter: tone).</p>"
    )
    assert seed.summary == record["lede"]  # the description stays the plain lede


def test_podcastparser_shows_the_link_and_the_notes(out: Path) -> None:
    pod = podcastparser.parse(FEED_URL, io.BytesIO((out / "feed.xml").read_bytes()))
    seed = next(e for e in pod["episodes"] if e["title"] == SEED_TITLE)
    assert seed["link"] == "https://www.npr.org"
    html = seed["description_html"]
    assert html.startswith("<p>The Kremlin has confirmed")
    assert '<a href="https://www.npr.org">Read the original story</a>' in html
    assert "Written by Anthony Kuhn and Michele Kelemen" in html and "© 2023 NPR." in html


def test_each_author_is_a_podcast_person(out: Path) -> None:
    channel = ET.fromstring((out / "feed.xml").read_bytes()).find("channel")
    assert channel is not None
    people = {
        item.findtext("title"): [(p.text, p.get("group"), p.get("role")) for p in item.iter(f"{{{PODCAST}}}person")]
        for item in channel.iter("item")
    }
    assert people == {
        SEED_TITLE: [("Anthony Kuhn", "writing", "author"), ("Michele Kelemen", "writing", "author")],
        "Ferry schedule number 1 changes for the winter season": [("Sam Rivera", "writing", "author")],
    }


def test_an_article_without_a_web_address_gets_no_link(out: Path) -> None:
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    wire = next(e for e in parsed.entries if e.title.startswith("Ferry schedule"))
    item = next(
        i for i in ET.fromstring((out / "feed.xml").read_bytes()).iter("item") if i.findtext("title") == wire.title
    )
    assert item.find("link") is None
    notes = wire.content[0].value
    assert "Read the original story" not in notes
    assert "<p>Written by Sam Rivera. Voiced by broadcast (host: tone, reporter: tone).</p>" in notes


def episode(**fields: object) -> FeedEpisode:
    base = {"folder": "ep", "title": "T", "description": "Lede.", "guid": "g", "published": None}
    return FeedEpisode(**{**base, "duration_s": 1, "size_bytes": 1, **fields})  # type: ignore[arg-type]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "www.npr.org/story", ""])
def test_only_web_addresses_are_linked(url: str) -> None:
    xml = render_feed(SHOW, [episode(source_url=url)])
    entry = feedparser.parse(xml).entries[0]
    assert b"<link>" not in xml.split(b"<item>")[1]
    assert "Read the original story" not in entry.content[0].value


def test_markup_in_the_article_is_text_in_the_notes() -> None:
    ep = episode(description="Tags <b>stay</b> text ]]> & so on", copyright="Copyright 2024 WXYZ", site="<i>WXYZ</i>")
    assert show_notes(ep) == (
        "<p>Tags &lt;b&gt;stay&lt;/b&gt; text ]]&gt; &amp; so on</p>"
        "<p>From &lt;i&gt;WXYZ&lt;/i&gt;. Copyright 2024 WXYZ. Voiced by broadcast.</p>"
    )
    entry = feedparser.parse(render_feed(SHOW, [ep])).entries[0]
    assert entry.content[0].value.startswith("<p>Tags &lt;b&gt;stay&lt;/b&gt; text ]]&gt; &amp; so on</p>")


def test_a_person_name_is_cut_to_128_characters() -> None:
    xml = render_feed(SHOW, [episode(authors=("A" * 200, " "))])
    people = list(ET.fromstring(xml).iter(f"{{{PODCAST}}}person"))
    assert [p.text for p in people] == ["A" * 128]


def test_credits_end_each_sentence_once() -> None:
    from broadcast.publish.show_notes import show_notes

    ep = FeedEpisode(
        folder="x",
        title="t",
        description="The lede.",
        guid="g",
        published=None,
        duration_s=1,
        size_bytes=1,
        authors=("Ann Lee",),
        site="KXYZ Inc.",
        copyright="Copyright 2023 NPR. To see more, visit https://www.npr.org.",
    )
    notes = show_notes(ep)
    assert ".." not in notes, notes
    assert "Written by Ann Lee for KXYZ Inc. " in notes
