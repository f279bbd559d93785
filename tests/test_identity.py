"""An episode's identity through the real command line: a corrected headline rebuilds the same folder,
the feed's pubDate is the first publication, and an episode number, once given, never changes."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import podcastparser
import pytest
from conftest import CLI

from broadcast.publish.feed import FeedEpisode
from broadcast.publish.record import AudioFacts, EpisodeRecord

T1 = "2024-03-01T10:00:00+00:00"
T2 = "2024-03-02T10:00:00+00:00"
T3 = "2024-03-05T10:00:00+00:00"
T4 = "2024-03-06T10:00:00+00:00"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"


def page(headline: str, day: str, slug: str) -> str:
    """An HTML article whose canonical URL (with a tracking parameter) is its identity."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{headline}</title>
<link rel="canonical" href="https://news.example/{day}/{slug}?utm_source=feed">
<meta property="og:site_name" content="Coast Public Radio">
<meta property="article:published_time" content="{day}T09:00:00+00:00">
</head><body><main><article><h1>{headline}</h1><p>By Sam Rivera</p>
<p>The {slug} carried its first passengers of the season on Monday after three months of repairs to its
engines and hull, the port authority said.</p>
<p>Commuters said the crossing saves them almost an hour each way compared with the road around the bay.</p>
</article></main></body></html>
"""


def cli(*args: str | Path, now: str = T1) -> subprocess.CompletedProcess[str]:
    """The real command line with the fake engine, its clock fixed by the documented testing hook."""
    env = os.environ | {"BROADCAST_NOW": now}
    return subprocess.run(
        [sys.executable, str(CLI), *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )


class Site:
    def __init__(self, base: Path) -> None:
        self.base, self.out = base, base / "out"
        voices = base / "voices"
        voices.mkdir()
        for role in ("host", "reporter"):
            (voices / f"{role}.toml").write_text('engine = "fake"\nvoice = "tone"\nrate = 180\nvolume = 0.8\n')
        (base / "plain.toml").write_text("")
        self.options = ("--voices", voices, "--config", base / "plain.toml", "--quiet")

    def article(self, name: str, headline: str, day: str, slug: str) -> Path:
        path = self.base / f"{name}.html"
        path.write_text(page(headline, day, slug), encoding="utf-8")
        return path

    def build(self, article: Path, *extra: str, now: str, out: Path | None = None) -> None:
        proc = cli("build", article, "--output", out or self.out, *self.options, *extra, now=now)
        assert proc.returncode == 0, proc.stderr


def folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))


def items(out: Path) -> dict[str, dict[str, Any]]:
    """The feed's items by title, as podcastparser and the raw tags give them."""
    data = (out / "feed.xml").read_bytes()
    parsed = podcastparser.parse("https://example.org/feed.xml", io.BytesIO(data))
    raw = {i.findtext("guid"): i for i in ET.fromstring(data).iter("item")}
    return {
        e["title"]: {
            "guid": e["guid"],
            "folder": e["enclosures"][0]["url"].rsplit("/", 2)[-2],
            "pubDate": parsedate_to_datetime(raw[e["guid"]].findtext("pubDate", "")).isoformat(),
            "published": e["published"],
            "episode": raw[e["guid"]].findtext(f"{{{ITUNES}}}episode"),
        }
        for e in parsed["episodes"]
    }


def record(out: Path, folder: str) -> dict[str, Any]:
    return json.loads((out / folder / "episode.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A (dated 2023-05-01) built at T1, then B (dated 2022-01-01, an older article) at T2, then A
    rebuilt with a corrected headline at T3, then A's page rebuilt with its own headline changed at T4."""
    site = Site(tmp_path_factory.mktemp("identity"))
    a = site.article("a", "Harbor ferry returns after winter repairs", "2023-05-01", "harbor-ferry")
    b = site.article("b", "Bridge toll rises for trucks", "2022-01-01", "bridge-toll")
    seen: dict[str, Any] = {"site": site}
    site.build(a, now=T1)
    site.build(b, now=T2)
    seen["two"] = (folders(site.out), items(site.out))
    site.build(a, "--title", "Corrected headline", now=T3)
    seen["corrected"] = (folders(site.out), items(site.out))
    edited = site.article("a-edited", "Harbor ferry is back after winter repairs", "2023-05-01", "harbor-ferry")
    site.build(edited, now=T4)
    seen["edited"] = (folders(site.out), items(site.out))
    return seen


def test_numbers_and_pub_dates_follow_publication_not_the_article(history: dict[str, Any]) -> None:
    names, feed = history["two"]
    a, b = feed["Harbor ferry returns after winter repairs"], feed["Bridge toll rises for trucks"]
    assert (a["episode"], a["pubDate"]) == ("1", T1)
    # The older article, added later, is episode 2 and new in the feed: nothing was renumbered.
    assert (b["episode"], b["pubDate"]) == ("2", T2)
    assert list(feed) == ["Bridge toll rises for trucks", "Harbor ferry returns after winter repairs"]
    assert names == ["2022-01-01-bridge-toll-rises-for-trucks", "2023-05-01-harbor-ferry-returns-after-winter-repairs"]
    # The article's own date stays in the metadata.
    assert record(history["site"].out, a["folder"])["published"] == "2023-05-01T09:00:00+00:00"


def test_a_corrected_headline_rebuilds_the_same_episode(history: dict[str, Any]) -> None:
    names, before = history["two"]
    for step in ("corrected", "edited"):
        now_names, feed = history[step]
        assert now_names == names, step
        assert len(feed) == 2, step
    corrected = history["corrected"][1]["Corrected headline"]
    edited = history["edited"][1]["Harbor ferry is back after winter repairs"]
    first = before["Harbor ferry returns after winter repairs"]
    for again in (corrected, edited):
        assert {k: again[k] for k in ("folder", "guid", "episode", "pubDate")} == {
            k: first[k] for k in ("folder", "guid", "episode", "pubDate")
        }
    rec = record(history["site"].out, first["folder"])
    assert (rec["title"], rec["episode_number"], rec["first_published"]) == (
        "Harbor ferry is back after winter repairs",
        1,
        T1,
    )


def test_pub_date_overrides_the_first_publication(history: dict[str, Any], tmp_path: Path) -> None:
    site = history["site"]
    out = tmp_path / "out"
    shutil.copytree(site.out, out)
    site.build(site.base / "b.html", "--pub-date", "2021-06-01T08:00+02:00", now=T4, out=out)
    b = items(out)["Bridge toll rises for trucks"]
    assert (b["pubDate"], b["episode"]) == ("2021-06-01T06:00:00+00:00", "2")
    assert len(items(out)) == 2


@pytest.mark.parametrize(
    ("value", "says"), [("1066-10-14", "outside 1900-2100"), ("next tuesday", "is not a date"), ("", "is not a date")]
)
def test_a_bad_pub_date_is_refused_before_anything_is_written(
    history: dict[str, Any], tmp_path: Path, value: str, says: str
) -> None:
    site = history["site"]
    proc = cli("build", site.base / "a.html", "--output", tmp_path / "out", *site.options, "--pub-date", value)
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert line.startswith("broadcast: error: --pub-date: ") and says in line
    assert not (tmp_path / "out").exists()


def test_older_records_keep_their_dates_and_numbers(history: dict[str, Any], tmp_path: Path) -> None:
    """Records written before first_published and episode_number: dated by the article and numbered
    by order, as before; a new episode takes the next number and leaves theirs alone."""
    site = history["site"]
    out = tmp_path / "out"
    shutil.copytree(site.out, out)
    for name in folders(out):
        path = out / name / "episode.json"
        data = json.loads(path.read_text())
        del data["first_published"], data["episode_number"]
        path.write_text(json.dumps(data))
    site.build(site.article("c", "Library opens on Sundays", "2020-02-02", "library-hours"), now=T4, out=out)
    feed = items(out)
    assert feed["Bridge toll rises for trucks"]["episode"] == "1"  # the oldest article: 1, as before
    assert feed["Bridge toll rises for trucks"]["pubDate"] == "2022-01-01T09:00:00+00:00"
    assert feed["Harbor ferry is back after winter repairs"]["episode"] == "2"
    assert feed["Library opens on Sundays"]["episode"] == "3"
    assert feed["Library opens on Sundays"]["pubDate"] == T4


def test_a_rebuilt_older_record_keeps_the_number_and_date_the_feed_gave_it() -> None:
    from broadcast.publish.episode import published_record

    def old(guid: str, day: int) -> FeedEpisode:
        return FeedEpisode(guid, "t", "", guid, datetime(2020, 1, day, tzinfo=timezone.utc), 1, 1)

    earlier = [old("a", 3), old("b", 1), old("c", 2)]
    rebuilt = EpisodeRecord(guid="c", title="T", audio=AudioFacts(size_bytes=1, duration_ms=1))
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    settled = published_record(rebuilt, earlier, now)
    assert (settled.episode_number, settled.first_published) == (2, datetime(2020, 1, 2, tzinfo=timezone.utc))
    new = published_record(EpisodeRecord(guid="d", title="T", audio=rebuilt.audio), earlier, now)
    assert (new.episode_number, new.first_published) == (4, now)


def test_concurrent_builds_never_share_a_number(history: dict[str, Any], tmp_path: Path) -> None:
    site = history["site"]
    out = tmp_path / "out"
    env = os.environ | {"BROADCAST_NOW": T1}
    stories = [
        site.article(f"c{n}", f"Story number {n} of the day", "2023-06-0" + str(n), f"story-{n}") for n in (1, 2)
    ]
    runs = [
        subprocess.Popen(
            [sys.executable, str(CLI), "build", story, "--output", out, *map(str, site.options)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for story in stories
    ]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read() if run.stderr else ""
    assert sorted(e["episode"] for e in items(out).values()) == ["1", "2"]


def test_a_bad_testing_clock_is_refused(history: dict[str, Any], tmp_path: Path) -> None:
    site = history["site"]
    proc = cli("build", site.base / "a.html", "--output", tmp_path / "out", *site.options, now="2024-03-01T10:00")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "broadcast: error: BROADCAST_NOW: '2024-03-01T10:00' is not an ISO 8601 date and time with an offset"
    )
    assert not (tmp_path / "out").exists()


def test_a_script_file_records_a_short_identity_that_keeps_the_guid() -> None:
    """The ID line is the page URL when there is one, else the guid as urn:uuid: never the
    article's content, which is long and which a producer's edits would change."""
    from dataclasses import replace

    from broadcast.input.identity import episode_guid, recorded_identity
    from broadcast.model import Article

    article = Article(headline="Bridge vote delayed", body=("The council  met\non Tuesday.",), site="WXYZ")
    recorded = recorded_identity(article)
    assert recorded == f"urn:uuid:{episode_guid(article)}"
    edited = replace(article, headline="Bridge vote delayed again", body=("Cut.",), identity=recorded)
    assert episode_guid(edited) == episode_guid(article)
    from_url = replace(article, page_url="https://wxyz.org/news/bridge-vote/?utm_source=x")
    assert recorded_identity(from_url) == "https://wxyz.org/news/bridge-vote"
    assert episode_guid(replace(from_url, headline="Other", identity=recorded_identity(from_url))) == episode_guid(
        from_url
    )
