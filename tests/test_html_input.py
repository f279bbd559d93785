"""parse_html: main text by trafilatura, metadata by tables of sources, plain-text rules on top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from broadcast.errors import ArticleError, BroadcastError
from broadcast.input.html import parse_html
from broadcast.model import Article

HTML = Path(__file__).resolve().parent / "fixtures" / "html"


def parse(name: str, url: str = "") -> Article:
    return parse_html((HTML / name).read_text(encoding="utf-8"), name, url=url)


def words(article: Article) -> str:
    return "\n".join(article.body)


# --- (a) JSON-LD NewsArticle + meta tags, byline, chrome, figure ---------------------------

FERRY_BODY = (
    "Riders on the Gullport harbor ferry will pay a quarter more",
    "Board chair Odile Fenwick said the increase",
    '"Nobody on this board wanted to do this," Fenwick said.',
    "The two members who voted against the plan",
    "Monthly passes, used by about a third of riders",
    "The board plans to review the fares again next winter",
)


def test_json_ld_page_metadata_comes_from_json_ld_first() -> None:
    article = parse("jsonld-news.html")
    # og:title, og:site_name and the meta author differ: JSON-LD wins each.
    assert article.headline == "Harbor ferry fares to rise in spring, port board says"
    assert article.site == "The Gullport Herald"
    assert article.authors == ("Maren Oakes", "Tobias Lindqvist")
    assert article.published == datetime(2024, 3, 14, 9, 30, tzinfo=timezone(timedelta(hours=-4)))
    assert article.published.utcoffset() == timedelta(hours=-4)
    assert article.language == "en"
    assert article.source_url == "https://gullport-herald.example/news/2024/03/14/ferry-fares"
    assert article.copyright == "2024 The Gullport Herald"  # from the page footer
    assert article.dateline == ""
    assert article.attribution == ()


def test_json_ld_page_body_is_complete_and_in_order() -> None:
    article = parse("jsonld-news.html")
    assert len(article.body) == len(FERRY_BODY)
    for paragraph, start in zip(article.body, FERRY_BODY, strict=True):
        assert paragraph.startswith(start)
    assert article.body[2].endswith('the pier will not fix itself."')
    assert article.body[-1].endswith("the new fuel contract has been signed.")


@pytest.mark.parametrize(
    "chrome",
    [
        "Skip to content",
        "Sports",
        "Local News",
        "By Maren Oakes",  # the byline is metadata, not story text
        "March 14, 2024",
        "Facebook",
        "morning ferry from Gullport waits",  # figcaption
        "Ilse Brandt",  # photo credit
        "Advertisement",
        "South pier closed to cars",  # related links inside the story
        "Related",
        "morning newsletter",
        "School board delays vote",  # "More stories" rail
        "About us",
        "All rights reserved",
        "Harbor ferry fares to rise",  # the headline is not repeated in the body
    ],
)
def test_json_ld_page_chrome_and_captions_are_not_body(chrome: str) -> None:
    assert chrome not in words(parse("jsonld-news.html"))


def test_url_argument_is_the_source_url() -> None:
    article = parse("jsonld-news.html", url="https://gullport-herald.example/f?utm=x")
    assert article.source_url == "https://gullport-herald.example/f?utm=x"


# --- (b) only og:/article: meta tags --------------------------------------------------------


def test_meta_tags_only_page() -> None:
    article = parse("og-meta-only.html")
    assert article.headline == "Council approves new bike lanes on Mill Street"
    assert article.site == "The Valley Ledger"
    assert article.authors == ("Priya Raman",)  # article:author is a URL and is skipped
    assert article.published == datetime(2023, 11, 2, 14, 5, tzinfo=UTC)
    assert article.published.tzinfo is not None
    assert article.language == "en"  # from og:locale en_GB
    assert article.source_url == "https://valley-ledger.example/2023/11/02/mill-street-bike-lanes/"
    assert len(article.body) == 4
    assert article.body[0].startswith("The town council approved a plan on Thursday evening")
    assert article.body[-1].endswith("the hundreds of pupils who cycle it each day.")
    for chrome in ("Home", "Tags", "transport", "Popular this week", "Bakery", "independent local"):
        assert chrome not in words(article)


# --- (c) wire copy: dateline, attribution, copyright -----------------------------------------


def test_wire_page_dateline_attribution_copyright() -> None:
    article = parse("wire-dateline.html")
    assert article.headline == "Drought forces early end to Oregon salmon season"
    assert article.dateline == "RIVERTON, Ore."
    assert article.body[0].startswith("State wildlife officials closed the coastal salmon season")
    assert article.attribution == ("Associated Press writer Colm Ferris in Salem, Oregon, contributed to this report.",)
    assert article.copyright == "2023 The Associated Press"
    assert article.authors == ("Dana Whitcombe",)
    assert article.site == "Wire News Service"
    assert article.published == datetime(2023, 8, 21, 17, 45, 10, tzinfo=UTC)
    assert len(article.body) == 5
    assert article.body[-1] == (
        "The department said it would review the rules for next year once the autumn rains arrive."
    )
    text = words(article)
    for gone in ("(AP)", "___", "contributed", "Copyright", "Top News", "Terms of use", "Follow"):
        assert gone not in text


# --- (d) no article --------------------------------------------------------------------------


def test_page_without_body_is_an_article_error() -> None:
    with pytest.raises(ArticleError, match=r"^no-body\.html: no article body found$"):
        parse("no-body.html")


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Nothing here</title></head><body></body></html>",
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
        "<!doctype html>",
        "not really html at all",
        "<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body></html>",
    ],
)
def test_junk_pages_raise_only_broadcast_errors(html: str) -> None:
    with pytest.raises(BroadcastError) as info:
        parse_html(html, "junk.html")
    assert str(info.value).startswith("junk.html: ")


# --- smaller pages: fallbacks of the tables ----------------------------------------------------

PLAIN_PAGE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="de-AT">
<head><title>Neue Brücke über die Mur eröffnet | Grazer Blatt</title>
<meta property="og:site_name" content="Grazer Blatt"></head>
<body><article>
<h1>Neue Brücke über die Mur eröffnet</h1>
<p class="byline">By JANE DOE and JOHN ROE</p>
<p>Die neue Fußgängerbrücke über die Mur ist am Samstag nach zwei Jahren Bauzeit eröffnet worden.</p>
<p>Hunderte Menschen kamen schon am ersten Morgen, um die Brücke zu überqueren und den Blick zu genießen.</p>
<p>Die Stadt rechnet mit bis zu zehntausend Überquerungen am Tag, sobald die Radwege angeschlossen sind.</p>
<p>Jane Doe is a reporter for the Grazer Blatt who covers the city council and transport news.</p>
</article></body></html>
"""


def test_title_tag_byline_and_bio_fallbacks() -> None:
    article = parse_html(PLAIN_PAGE, "graz.html")
    assert article.headline == "Neue Brücke über die Mur eröffnet"  # site suffix stripped
    assert article.site == "Grazer Blatt"
    assert article.language == "de"
    assert article.authors == ("Jane Doe", "John Roe")  # from the in-page byline
    assert article.published is None
    assert len(article.body) == 3
    assert article.body[0].startswith("Die neue Fußgängerbrücke")
    assert [b.name for b in article.bios] == ["Jane Doe"]


def test_contributed_mid_story_stays_in_the_body() -> None:
    html = """<html><head><title>Fund drive ends</title></head><body><article>
    <h1>Fund drive ends</h1>
    <p>The hospital fund drive closed on Friday with more money than its organizers had hoped for.</p>
    <p>Acme Shipping contributed the largest single gift, a check for two hundred thousand dollars.</p>
    <p>The new wing is expected to open its doors to the first patients next summer.</p>
    </article></body></html>"""
    article = parse_html(html, "fund.html")
    assert len(article.body) == 3
    assert article.attribution == ()


def test_page_without_headline_takes_its_title_from_the_lede() -> None:
    html = "<html><body><article><p>A long enough sentence of story text stands here alone.</p>"
    html += "<p>And a second sentence follows it, so there is a body to read.</p></article></body></html>"
    article = parse_html(html, "bare.html")
    assert article.headline == "A long enough sentence of story text stands here alone"
    assert article.title_derived
    assert len(article.body) == 2


def test_json_ld_author_organisation_and_person_with_accents() -> None:
    html = """<html><head><title>Ice fishing season opens</title>
    <script type="application/ld+json">[{"@type": ["NewsArticle"], "headline": "Ice fishing season opens",
      "datePublished": "2024-01-05",
      "author": [{"@type": "Organization", "name": "Northern Wire"}, {"@type": "Person", "name": "Øyvind Ås"}]}]
    </script></head><body><article><h1>Ice fishing season opens</h1>
    <p>The lake froze thick enough for fishing this week, two weeks later than in most years.</p>
    <p>Wardens said anglers should still stay away from the inlet, where the ice is thin.</p>
    </article></body></html>"""
    article = parse_html(html, "ice.html")
    assert article.authors == ("Øyvind Ås",)
    assert article.published == datetime(2024, 1, 5)  # a day only: no zone to give it


def test_bad_json_ld_is_ignored() -> None:
    html = """<html><head><title>Rain returns to the valley</title>
    <script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>
    <meta property="article:published_time" content="2022-05-01T08:00:00+0200"></head>
    <body><article><h1>Rain returns to the valley</h1>
    <p>After six dry weeks, steady rain fell across the valley overnight, easing the fire risk.</p>
    </article></body></html>"""
    article = parse_html(html, "rain.html")
    assert article.headline == "Rain returns to the valley"
    assert article.published == datetime(2022, 5, 1, 8, tzinfo=timezone(timedelta(hours=2)))


def test_appeals_promos_and_wire_captions_inside_the_main_text_are_not_story() -> None:
    html = """<html><head><title>Bridge repairs begin</title></head><body><article>
    <h1>Bridge repairs begin</h1>
    <p>Crews began replacing the deck of the Mill Street bridge on Monday, closing it to cars until spring.</p>
    <p>In this March 3, 2023 file photo, traffic crosses the Mill Street bridge at dusk.</p>
    <p>For the latest on road closures, follow our live blog.</p>
    <p>The city says buses will detour along Front Street while the work goes on.</p>
    <p>Local news needs you. Make your donation today and keep our newsroom strong.</p>
    </article></body></html>"""
    article = parse_html(html, "bridge.html")
    assert article.body == (
        "Crews began replacing the deck of the Mill Street bridge on Monday, closing it to cars until spring.",
        "The city says buses will detour along Front Street while the work goes on.",
    )
