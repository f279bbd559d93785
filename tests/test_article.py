"""parse_article on the NPR seed, on made-up fixtures of other page shapes, and on junk."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.errors import ArticleError
from broadcast.input.plain import parse_article
from broadcast.model import Article, Bio

TESTS = Path(__file__).parent
SEED = TESTS.parent / "seeds" / "npr-wpsu-putin-kim-meeting.txt"
FIXTURES = TESTS / "fixtures" / "articles"

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")

SEED_CAPTION = "Russian President Vladimir Putin last met with North Korean leader Kim Jong Un"


def parse_file(path: Path) -> Article:
    return parse_article(path.read_text(encoding="utf-8"), path.name)


@pytest.fixture(scope="module")
def seed() -> Article:
    return parse_file(SEED)


def test_seed_headline_site_and_date(seed: Article) -> None:
    assert seed.headline == ("Russia's Vladimir Putin and North Korean leader Kim Jong Un will meet this week")
    assert seed.site == "Public Media for Central Pennsylvania"
    assert seed.published == datetime(2023, 9, 11, 14, 59, tzinfo=NEW_YORK)
    assert seed.published.utcoffset() is not None


def test_seed_dateline_and_body(seed: Article) -> None:
    assert seed.dateline == "MOSCOW"
    assert seed.body[0].startswith("The Kremlin has confirmed a meeting")
    # The seed holds eight story paragraphs between the date stamp and the attribution.
    assert len(seed.body) == 8
    assert seed.body[1].startswith("The Kremlin's press service said Monday")
    assert seed.body[6].startswith('"A year and a half later')
    assert seed.body[-1] == (
        "Kim's visit will mark his first trip outside North Korea since the start of the "
        "pandemic. Kim last met Putin in 2019, also in Vladivostok."
    )


def test_seed_credits_people_and_rights(seed: Article) -> None:
    assert seed.attribution == (
        "Anthony Kuhn contributed reporting from Seoul; Michele Kelemen reported from Washington, D.C.",
    )
    assert seed.copyright == "2023 NPR"
    assert seed.source_url == "https://www.npr.org"
    assert seed.authors == ("Anthony Kuhn", "Michele Kelemen")
    assert [bio.name for bio in seed.bios] == ["Anthony Kuhn", "Michele Kelemen"]
    assert seed.bios[0].text.startswith("Anthony Kuhn is NPR's correspondent based in Seoul")
    assert seed.bios[0].text.endswith("the Fukushima earthquake and nuclear disaster.")
    assert seed.bios[1].text.startswith("Michele Kelemen has been with NPR for two decades")
    assert seed.bios[1].text.endswith("including Morning Edition and All Things Considered.")


@pytest.mark.parametrize(
    "dropped",
    [
        "Play Live Radio",
        "Next Up:",
        "0:00",
        "Available On Air Stations",
        SEED_CAPTION,
        "Alexey Nikolsky",
        "SPUTNIK/AFP via Getty Images",
        "Updated September",
        "MOSCOW",
        "Copyright",
        "contributed reporting",
        "is NPR's correspondent",
    ],
)
def test_seed_body_has_no_page_furniture(seed: Article, dropped: str) -> None:
    assert all(dropped not in paragraph for paragraph in seed.body)
    assert "/" not in seed.body


def test_seed_without_trailing_newline_or_with_crlf_parses_the_same(seed: Article) -> None:
    text = SEED.read_text(encoding="utf-8")
    assert parse_article(text.rstrip("\n")) == seed
    assert parse_article(text.replace("\n", "\r\n")) == seed


# Expected fields per fixture; fields not named keep the Article default.
CASES: dict[str, dict[str, Any]] = {
    "station-no-caption.txt": {
        "headline": "County commissioners approve new bridge over the Millbrook River",
        "site": "Lakeshore Public Radio",
        "published": datetime(2024, 3, 4, 6, 15, tzinfo=CHICAGO),
        "dateline": "HARBOR CITY",
        "authors": ("Dana Whitfield",),
        "copyright": "2024 Lakeshore Public Radio",
        "source_url": "https://www.lakeshoreradio.example",
        "attribution": (),
        "bios": ("Dana Whitfield",),
        "body_len": 4,
        "first": "County commissioners voted 4-1 on Tuesday",
        "last": "A temporary ferry service will not be offered.",
        "absent": ("Donate", "0:00", "WLKR", "is a reporter covering"),
    },
    "several-photos.txt": {
        "headline": "Flood waters recede as valley towns begin a long cleanup",
        "site": "Valley News Radio",
        "published": datetime(2023, 9, 18, 9, 5, tzinfo=NEW_YORK),
        "dateline": "RIVERTON, Ore.",
        "authors": (),
        "copyright": "2023 Valley News Radio",
        "source_url": "",
        "attribution": ("Sam Ortiz contributed reporting.",),
        "bios": (),
        "body_len": 5,
        "first": "The river dropped below flood stage early Monday",
        "last": '"It will take months, not weeks," said Riverton Mayor Ellen Cho.',
        "absent": (
            "sandbags",
            "Maria Lopez",
            "pickup truck",
            "Tom Becker",
            "Cleanup crews work along Main Street",
            "Jill Park",
            "Sam Ortiz",
        ),
    },
    "bios-and-teasers.txt": {
        "headline": "Wind farm workers vote to join a union",
        "site": "Northern Plains Public Media",
        "published": datetime(2023, 10, 2, 16, 30, tzinfo=CHICAGO),
        "dateline": "GRANDVIEW",
        "authors": ("Priya Raman", "Tomasz Nowak"),
        "copyright": "",
        "attribution": (),
        "bios": ("Priya Raman", "Tomasz Nowak"),
        "body_len": 4,
        "first": "Technicians at the state's largest wind farm voted Friday",
        "last": "will begin talks next month.",
        "absent": (
            "business reporter",
            "data reporter",
            "Related Stories",
            "Grain elevator",
            "Elm Junction",
            "four-day week",
            "Lineman",
        ),
    },
    "banner-before-headline.txt": {
        "headline": "City library extends weekend hours starting in June",
        "site": "",
        "published": datetime(2024, 5, 20),
        "dateline": "",
        "authors": ("Alex Morgan",),
        "copyright": "2024 Coastal Public Radio",
        "body_len": 3,
        "first": "The city library will stay open until 8 p.m.",
        "last": "paid for by a state grant.",
        "absent": ("Support local journalism", "Breaking news", "Storm warning", "Posted"),
    },
    "wire-ap.txt": {
        "headline": "Senate passes bill to extend rural broadband grants",
        "site": "",
        "published": None,
        "dateline": "WASHINGTON",
        "authors": ("Jane Doe", "John Roe"),
        "copyright": "2024 The Associated Press",
        "source_url": "",
        "attribution": ("Associated Press writer Sam Lee contributed to this report.",),
        "bios": (),
        "body_len": 5,
        "first": "The Senate voted 68-31 on Thursday",
        "last": "The House is expected to take up the measure next week.",
        "absent": ("(AP)", "JANE DOE", "All rights reserved", "Sam Lee"),
    },
    "wire-single-byline.txt": {
        "headline": "Museum returns carved masks to island community",
        "dateline": "SAN DIEGO, Calif.",
        "authors": ("Jane Doe",),
        "copyright": "2024 The Associated Press",
        "body_len": 3,
        "first": "A natural history museum returned six carved wooden masks",
        "last": "would be used again in ceremonies.",
        "absent": ("(AP)", "--", "By Jane Doe"),
    },
}

CHECKS = ("body_len", "first", "last", "absent", "bios")


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_fixture_fields(fixture: str) -> None:
    expected = CASES[fixture]
    article = parse_file(FIXTURES / fixture)
    for field, value in expected.items():
        if field not in CHECKS:
            assert getattr(article, field) == value, field
    assert len(article.body) == expected["body_len"], article.body
    assert article.body[0].startswith(expected["first"])
    assert article.body[-1].endswith(expected["last"])
    assert tuple(bio.name for bio in article.bios) == expected.get("bios", ())
    for dropped in expected["absent"]:
        assert all(dropped not in paragraph for paragraph in article.body), dropped


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_fixture_body_is_prose_only(fixture: str) -> None:
    article = parse_file(FIXTURES / fixture)
    assert article.headline not in article.body
    assert all(p.rstrip("\"\u201d'\u2019")[-1] in ".!?" for p in article.body)
    assert len(set(article.body)) == len(article.body)


def test_page_with_only_chrome_bio_and_teasers_has_no_body() -> None:
    path = FIXTURES / "only-chrome-bio-teasers.txt"
    with pytest.raises(ArticleError, match=r"^only-chrome-bio-teasers\.txt: no article body found \(looks like "):
        parse_file(path)


@pytest.mark.parametrize(
    ("text", "looks"),
    [
        ("", "the page is empty"),
        ("   \n\n", "the page is empty"),
        ("Play Live Radio\n0:00\nDonate\n", "only site navigation and labels"),
    ],
)
def test_empty_or_chrome_only_text_has_no_body(text: str, looks: str) -> None:
    with pytest.raises(ArticleError, match=rf"^<input>: no article body found \({looks}\)$"):
        parse_article(text)


def test_body_without_headline_gets_a_title_from_its_lede() -> None:
    """A page with no headline line is no error (issue 9): the lede's first sentence is the title."""
    text = "The council met on Tuesday and approved the budget for next year. It passed 5 to 2.\n"
    article = parse_article(text, "story.txt")
    assert article.headline == "The council met on Tuesday and approved the budget for next year"
    assert article.title_derived
    assert article.body == ("The council met on Tuesday and approved the budget for next year. It passed 5 to 2.",)


STORY = "Ferry service resumes after winter storm\n\n{stamp}\n\nThe ferry ran again on Monday.\n"


@pytest.mark.parametrize(
    ("stamp", "published"),
    [
        (
            "Updated September 11, 2023 at 2:59 PM ET",
            datetime(2023, 9, 11, 14, 59, tzinfo=NEW_YORK),
        ),
        (
            "Published Sept. 11, 2023 at 9:05 a.m. PDT",
            datetime(2023, 9, 11, 9, 5, tzinfo=ZoneInfo("America/Los_Angeles")),
        ),
        (
            "Sep 11, 2023 12:30 AM MT",
            datetime(2023, 9, 11, 0, 30, tzinfo=ZoneInfo("America/Denver")),
        ),
        ("Published January 2, 2024 at 11:00 PM CDT", datetime(2024, 1, 2, 23, 0, tzinfo=CHICAGO)),
        ("Feb. 29, 2024 at 10:15 AM GMT", datetime(2024, 2, 29, 10, 15, tzinfo=ZoneInfo("UTC"))),
        (
            "Updated 11 September 2023, 14:59 UTC",
            datetime(2023, 9, 11, 14, 59, tzinfo=ZoneInfo("UTC")),
        ),
        ("Published March 4, 2024", datetime(2024, 3, 4)),
        ("Monday, Sept. 11, 2023 at 3 p.m. HT", datetime(2023, 9, 11, 15, 0, tzinfo=ZoneInfo("Pacific/Honolulu"))),
        ("Updated Sept. 11, 2023 at 9:00 AM AKDT", datetime(2023, 9, 11, 9, 0, tzinfo=ZoneInfo("America/Anchorage"))),
        ("11 Sept. 2023, 18:30 CEST", datetime(2023, 9, 11, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))),
        ("Jul 4, 2024 06:00 Z", datetime(2024, 7, 4, 6, 0, tzinfo=ZoneInfo("UTC"))),
    ],
)
def test_date_stamps(stamp: str, published: datetime) -> None:
    article = parse_article(STORY.format(stamp=stamp))
    assert article.published == published
    assert article.body == ("The ferry ran again on Monday.",)


def test_zoned_stamps_are_the_right_instant() -> None:
    # What a reader of the page would check: the same moment in UTC.
    for stamp, utc in [
        ("Sept. 11, 2023 at 3 p.m. HT", datetime(2023, 9, 12, 1, 0, tzinfo=UTC)),
        ("Sept. 11, 2023 at 9:00 AM AKDT", datetime(2023, 9, 11, 17, 0, tzinfo=UTC)),
        ("Jan. 15, 2024 at 9:00 AM AKST", datetime(2024, 1, 15, 18, 0, tzinfo=UTC)),
        ("Sept. 11, 2023 at 18:30 CEST", datetime(2023, 9, 11, 16, 30, tzinfo=UTC)),
        ("Sept. 11, 2023 at 2:59 PM ET", datetime(2023, 9, 11, 18, 59, tzinfo=UTC)),
    ]:
        published = parse_article(STORY.format(stamp=stamp)).published
        assert published is not None and published.astimezone(UTC) == utc, stamp


def test_unknown_zone_or_weekday_is_no_stamp() -> None:
    for stamp in ("Sept. 11, 2023 at 2:59 PM XT", "Today, Sept. 11, 2023"):
        assert parse_article(STORY.format(stamp=stamp)).published is None, stamp


def test_published_stamp_wins_over_updated() -> None:
    stamps = "Updated May 2, 2024 at 1:00 PM ET\nPublished May 1, 2024 at 8:00 AM ET"
    article = parse_article(STORY.format(stamp=stamps))
    assert article.published == datetime(2024, 5, 1, 8, 0, tzinfo=NEW_YORK)


def test_hard_wrapped_paragraph_is_joined() -> None:
    text = (
        "Ferry service resumes after winter storm\n\n"
        "The ferry ran again on Monday after crews cleared ice from\n"
        "the landing, officials said.\n"
    )
    assert parse_article(text).body == (
        "The ferry ran again on Monday after crews cleared ice from the landing, officials said.",
    )


def test_impossible_date_is_not_a_date() -> None:
    article = parse_article(STORY.format(stamp="February 31, 2023 at 2:59 PM ET"))
    assert article.published is None


def outcome(text: str) -> Article | ArticleError:
    """The article, or the ArticleError; any other exception fails the test."""
    try:
        return parse_article(text)
    except ArticleError as exc:
        return exc


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_raises_only_article_error(text: str) -> None:
    result = outcome(text)
    if isinstance(result, ArticleError):
        assert str(result).startswith("<input>: no ")
    else:
        assert result.body
        assert result.headline


PARTS = st.sampled_from(
    [
        "Play Live Radio",
        "0:00",
        "/",
        "Jane Doe",
        "SPUTNIK/AFP via Getty Images",
        "Updated September 11, 2023 at 2:59 PM ET",
        "By JANE DOE and JOHN ROE",
        "WASHINGTON (AP) — The Senate voted on Thursday to pass the bill.",
        "Copyright 2023 NPR. To see more, visit https://www.npr.org.",
        "Jane Doe is a reporter for NPR who covers science.",
        "Council approves new budget for the schools",
        "The vote was close, officials said.",
        "Related Stories",
        "",
        "Support local journalism. Donate today.",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PARTS, max_size=25))
def test_page_shaped_text_raises_only_article_error(parts: list[str]) -> None:
    result = outcome("\n".join(parts))
    if isinstance(result, Article):
        assert all(isinstance(p, str) and p for p in result.body)
        assert all(isinstance(b, Bio) for b in result.bios)


# Issue 9: the ways real pages went wrong, each on a made-up page.


def test_page_without_headline_line_takes_its_title_from_the_lede_and_drops_the_appeal() -> None:
    article = parse_file(FIXTURES / "no-headline-donation.txt")
    assert article.title_derived
    assert article.headline == "The county water board voted on Tuesday to raise rates by four percent"
    assert article.body[0].startswith("The county water board voted")
    assert article.body[-1].startswith("The new rates take effect in January")
    assert not any("donation" in p for p in article.body)


def test_one_line_paragraph_is_kept() -> None:
    assert "The vote was unanimous." in parse_file(FIXTURES / "no-headline-donation.txt").body
    assert "Yes." in parse_file(FIXTURES / "outage-captions-teasers.txt").body


def test_outage_banner_duplicated_caption_and_teasers_are_not_the_story() -> None:
    article = parse_file(FIXTURES / "outage-captions-teasers.txt")
    assert article.headline == "Library opens a new branch in the old mill"
    assert not article.title_derived
    assert article.authors == ("Dana Whitfield",)
    assert article.body[0].startswith("The city library opened its fifth branch")
    assert article.body[-1].startswith("The branch will be open seven days a week")
    spoken = "\n".join(article.body)
    for dropped in ("static", "A crowd lines up", "Bridge repairs", "Crews will start work", "Parents and teachers"):
        assert dropped not in spoken


def test_listing_page_is_refused_as_a_list_of_stories() -> None:
    with pytest.raises(ArticleError, match=r"^listing-page\.txt: no article body found \(looks like a list of stories"):
        parse_file(FIXTURES / "listing-page.txt")


def test_long_first_sentence_title_is_cut_at_a_clause() -> None:
    text = (
        "Play Live Radio\n\nCity officials, after a long night of debate that ran past two in the morning over "
        "the cost of new buses, voted to keep the old routes. Riders cheered.\n"
    )
    article = parse_article(text)
    assert article.title_derived
    assert article.headline == "City officials, after a long night of debate that ran past two in the morning…"


def test_photographer_credit_caption_and_live_blog_promo_are_not_the_story() -> None:
    article = parse_file(FIXTURES / "promo-slash-credit.txt")
    assert article.headline == "Library reopens after a year of repairs"
    assert article.body[0].startswith("The Riverbend library opened its doors again")
    assert article.body[-1].startswith("The library will keep its longer summer hours")
    assert "Staff cheered." in article.body
    text = "\n".join(article.body)
    assert "Sam Ortega" not in text
    assert "Volunteers carry boxes" not in text
    assert "live blog" not in text


def test_transcript_keeps_every_speaker_turn_as_its_own_paragraph_with_its_label() -> None:
    article = parse_file(FIXTURES / "transcript-speakers.txt")
    assert article.headline == "Farmers wait for the rain that did not come"
    assert article.body[0] == "STEVE MARLOW, HOST:"
    assert article.body[1].startswith("Farmers across the valley planted late")
    assert article.body[2:] == (
        "MARLOW: Our correspondent Jane Ruiz has been talking to them.",
        "JANE RUIZ, BYLINE: Steve, the fields here are dry as dust.",
        "TOM BECK: We have never seen it this bad.",
        "RUIZ: Beck farms 300 acres of wheat.",
        "MARLOW: Thanks, Jane.",
    )


def test_an_update_note_is_no_dateline_and_the_paragraphs_above_it_stay() -> None:
    article = parse_file(FIXTURES / "update-note-after-lede.txt")
    assert article.dateline == ""
    assert article.body[0].startswith("As growers across the valley count their losses")
    assert article.body[1].startswith("Today's program is the first of two")
    assert article.body[2].startswith("UPDATE - May 20: We aired")


def test_alt_text_and_present_tense_caption_are_not_the_story_and_a_question_is_the_headline() -> None:
    article = parse_file(FIXTURES / "question-headline-alt-text.txt")
    assert article.headline == "Why did the ferry schedule shrink?"
    assert article.body[0].startswith("The county cut three ferry crossings")
    assert len(article.body) == 3
    assert not any("deckhands coiling" in p or "Pier 4" in p for p in article.body)


def test_a_caption_with_an_inline_credit_is_dropped_even_as_the_first_line() -> None:
    article = parse_file(FIXTURES / "caption-first-line.txt")
    assert article.body[0].startswith("The Eastfield farmers market will stay open")
    assert len(article.body) == 3


def test_a_line_placing_people_in_a_photo_is_a_caption_not_the_headline() -> None:
    article = parse_file(FIXTURES / "names-caption-under-headline.txt")
    assert article.headline == "It was a week to remember in the county"
    assert len(article.body) == 2
    assert not any(p.startswith("From left") for p in article.body)


def test_a_long_capitalized_credit_line_after_the_story_is_not_spoken() -> None:
    article = parse_file(FIXTURES / "music-credit-after-story.txt")
    assert article.headline == "What Changes at City Hall in the New Year"
    assert len(article.body) == 1
    assert article.body[0].startswith("Starting January 1, residents will pay")


def test_the_byline_name_again_after_the_story_opens_the_author_box() -> None:
    article = parse_file(FIXTURES / "team-byline-author-box.txt")
    assert article.headline == "Tue 8:10 | Why the bridge toll went up, and where the money goes"
    assert len(article.body) == 3
    assert article.body[-1].startswith("Drivers who cross every day")


def test_a_weather_bulletin_above_the_story_is_a_banner_not_the_story() -> None:
    article = parse_file(FIXTURES / "weather-alert-block.txt")
    assert article.headline == "Museum returns stolen painting to the family that lost it"
    assert article.dateline == "GLENFORD"
    assert len(article.body) == 3
    assert not any("fog" in p.lower() or "driving" in p for p in article.body)


@pytest.mark.parametrize(
    ("fixture", "looks"),
    [
        ("schedule-page.txt", "looks like a program schedule, not an article"),
        ("show-episode-page.txt", "looks like a show page, not an article"),
    ],
)
def test_schedule_and_show_pages_are_refused_for_what_they_are(fixture: str, looks: str) -> None:
    with pytest.raises(ArticleError, match=looks):
        parse_file(FIXTURES / fixture)


def test_a_list_the_story_introduces_is_kept_and_the_invitation_to_write_in_is_not() -> None:
    article = parse_file(FIXTURES / "guest-list-and-key-points.txt")
    assert "Our guests:" in article.body
    assert "• Dee Harlan, county emergency manager" in article.body
    assert article.body[-1] == "Broadcast at noon Friday, February 2, 2024."
    assert not any("Send us a message" in p for p in article.body)


def test_a_live_blogs_closing_key_points_are_the_story() -> None:
    article = parse_file(FIXTURES / "live-blog-closing-summary.txt")
    assert article.headline == "Talks on the river treaty stall for a second day, officials say"
    assert article.body[-1].endswith("before the talks resume on Monday")
    assert not any(p.startswith("Follow our live blog") for p in article.body)


def test_a_caption_carrying_the_photo_widgets_button_text_is_not_the_story() -> None:
    article = parse_file(FIXTURES / "photo-widget-captions.txt")
    assert article.headline == "A town's oldest diner closes after sixty years"
    assert len(article.body) == 2
    assert article.body[0].startswith("The Maple Street Diner served")


def test_a_company_that_contributed_money_is_news_not_an_attribution() -> None:
    page = (
        "Fund drive ends at the county hospital\n\nBy Dana Lee\n\n"
        "The hospital fund drive closed on Friday with more money than its organizers had hoped for.\n\n"
        "Acme Shipping contributed the largest single gift, a check for two hundred thousand dollars.\n\n"
        "The new wing is expected to open its doors to the first patients next summer.\n\n"
        "Sam Ortiz contributed reporting.\n"
    )
    article = parse_article(page)
    assert len(article.body) == 3  # the paragraph after "contributed" is not dropped
    assert article.body[1].startswith("Acme Shipping contributed")
    assert article.attribution == ("Sam Ortiz contributed reporting.",)
