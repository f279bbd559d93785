"""Written -> spoken text: the table of what a newsreader says, and its properties."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from broadcast.speech.rules import RULES
from broadcast.speech.spoken import Change, Spoken, marked, to_spoken
from broadcast.vocabulary import VOCABULARY

GOLDEN = Path(__file__).resolve().parent / "golden" / "seed-script.txt"

CASES: list[tuple[str, str, str]] = [
    # (family, written, spoken)
    ("cardinal", "3 people", "three people"),
    ("cardinal", "1,200 troops", "one thousand two hundred troops"),
    ("cardinal", "about 101 cases", "about one hundred one cases"),
    ("cardinal", "2.5 times", "two point five times"),
    ("cardinal", "0.75 inches", "zero point seven five inches"),
    ("cardinal", "1,000,000 votes", "one million votes"),
    ("cardinal", "code 007", "code zero zero seven"),
    ("cardinal", "a 10-year-old boy", "a ten-year-old boy"),
    ("cardinal", "1500 troops", "one thousand five hundred troops"),
    ("cardinal", "COVID-19 rules", "COVID-nineteen rules"),
    ("ordinal", "the 3rd time", "the third time"),
    ("ordinal", "his 21st birthday", "his twenty-first birthday"),
    ("ordinal", "the 1st and 2nd", "the first and second"),
    ("ordinal", "the 100th day", "the one hundredth day"),
    ("number sign", "No. 1 seed", "number one seed"),
    ("number sign", "ranked #2", "ranked number two"),
    ("year", "in 2019", "in twenty nineteen"),
    ("year", "since 2000", "since two thousand"),
    ("year", "in 2007", "in two thousand seven"),
    ("year", "by 1905", "by nineteen oh five"),
    ("year", "in 1900", "in nineteen hundred"),
    ("year", "during 1776", "during seventeen seventy-six"),
    ("year", "mid-2024", "mid-twenty twenty-four"),
    ("year", "between 2019 and 2023", "between twenty nineteen and twenty twenty-three"),
    ("year", "Copyright 2023 NPR", "Copyright twenty twenty-three N P R"),
    ("year", "in 2099", "in twenty ninety-nine"),
    ("decade", "the 1990s", "the nineteen nineties"),
    ("decade", "the '90s", "the nineties"),
    ("decade", "the 1900s", "the nineteen hundreds"),
    ("decade", "the 2000s", "the two thousands"),
    ("decade", "the 2010s", "the twenty tens"),
    ("decade", "in their 30s", "in their thirties"),
    ("money", "$1.5 million", "one point five million dollars"),
    ("money", "$20", "twenty dollars"),
    ("money", "$1", "one dollar"),
    ("money", "$3.50", "three dollars and fifty cents"),
    ("money", "$0.99", "ninety-nine cents"),
    ("money", "$1.01", "one dollar and one cent"),
    ("money", "$1,200", "one thousand two hundred dollars"),
    ("money", "$3bn", "three billion dollars"),
    ("money", "$5-10", "five to ten dollars"),
    ("money", "£20", "twenty pounds"),
    ("money", "£1.50", "one pound and fifty pence"),
    ("money", "€3.50", "three euros and fifty cents"),
    ("money", "€2 billion", "two billion euros"),
    ("money", "US$5", "five U S dollars"),
    ("percent", "12%", "twelve percent"),
    ("percent", "12 percent", "twelve percent"),
    ("percent", "2.5%", "two point five percent"),
    ("percent", "5-10%", "five to ten percent"),
    ("time", "2:59 PM ET", "two fifty-nine p.m. Eastern"),
    ("time", "10 a.m.", "ten a.m."),
    ("time", "at 9:05 a.m. PT", "at nine oh five a.m. Pacific"),
    ("time", "7pm", "seven p.m."),
    ("time", "12 p.m.", "noon"),
    ("time", "12 a.m.", "midnight"),
    ("time", "12 noon", "noon"),
    ("time", "at noon", "at noon"),
    ("time", "14:30 GMT", "fourteen thirty G M T"),
    ("time", "at 3:00", "at three o'clock"),
    ("time", "3 p.m. HT", "three p.m. Hawaii"),
    ("time", "9 a.m. AKDT", "nine a.m. Alaska"),
    ("time", "18:30 CEST", "eighteen thirty Central European Summer Time"),
    ("date", "Sept. 11", "September eleventh"),
    ("date", "Sept. 11, 2023", "September eleventh, twenty twenty-three"),
    (
        "date",
        "September 11, 2023 at 2:59 PM ET",
        "September eleventh, twenty twenty-three at two fifty-nine p.m. Eastern",
    ),
    ("date", "Jan. 6", "January sixth"),
    ("date", "Oct. 7th", "October seventh"),
    ("date", "May 2019", "May twenty nineteen"),
    ("date", "11 September 2001", "the eleventh of September, two thousand one"),
    ("date", "2023-09-11", "September eleventh, twenty twenty-three"),
    ("date", "9/12/2023", "September twelfth, twenty twenty-three"),
    ("range", "2019-2023", "twenty nineteen to twenty twenty-three"),
    ("range", "1998-99", "nineteen ninety-eight to ninety-nine"),
    ("range", "5-10 people", "five to ten people"),
    ("range", "pages 10–12", "pages ten to twelve"),
    ("phone", "call 555-1234", "call five five five, one two three four"),
    ("phone", "(202) 555-0123", "two oh two, five five five, oh one two three"),
    ("phone", "1-800-273-8255", "one, eight hundred, two seven three, eight two five five"),
    ("abbreviation", "the U.S. Army", "the U S Army"),
    ("abbreviation", "Washington, D.C.", "Washington, D C."),
    ("abbreviation", "Gen. Mark Milley", "General Mark Milley"),
    ("abbreviation", "Sen. Warren", "Senator Warren"),
    ("abbreviation", "Rep. Pelosi", "Representative Pelosi"),
    ("abbreviation", "Gov. Newsom", "Governor Newsom"),
    ("abbreviation", "Dr. Fauci", "Doctor Fauci"),
    ("abbreviation", "Lt. Gen. Smith", "Lieutenant General Smith"),
    ("abbreviation", "Maj. Gen. Ivan Petrov", "Major General Ivan Petrov"),
    ("abbreviation", "Sens. Warren and Sanders", "Senators Warren and Sanders"),
    ("abbreviation", "Supt. Jones", "Superintendent Jones"),
    ("abbreviation", "on Pennsylvania Ave. today", "on Pennsylvania Avenue today"),
    ("abbreviation", "Sunset Blvd. traffic", "Sunset Boulevard traffic"),
    ("abbreviation", "in St. Louis", "in Saint Louis"),
    ("abbreviation", "Main St. in Boston", "Main Street in Boston"),
    ("abbreviation", "on 5th St.", "on fifth Street."),
    ("abbreviation", "Mt. Everest", "Mount Everest"),
    ("abbreviation", "Martin Luther King Jr. said", "Martin Luther King Junior said"),
    ("abbreviation", "Apple Inc. said", "Apple Incorporated said"),
    ("abbreviation", "in Aug.", "in August."),
    ("abbreviation", "Dec. was cold", "December was cold"),
    ("abbreviation", "red vs. blue", "red versus blue"),
    ("abbreviation", "fruit, e.g. apples", "fruit, for example apples"),
    ("initialism", "the FBI", "the F B I"),
    ("initialism", "NPR reported", "N P R reported"),
    ("initialism", "the NTSB", "the N T S B"),
    ("initialism", "NATO allies", "NATO allies"),
    ("initialism", "NASA and UNICEF", "NASA and UNICEF"),
    ("initialism", "the FBI's agents", "the F B I's agents"),
    ("initialism", "three CEOs", "three C E O's"),
    ("initialism", "AT&T", "A T and T"),
    ("initialism", "World War II", "World War II"),
    ("symbol", "Johnson & Johnson", "Johnson and Johnson"),
    ("symbol", "his/her", "his or her"),
    ("symbol", "9/11", "nine eleven"),
    ("symbol", "3/4 of voters", "three quarters of voters"),
    ("symbol", "1 1/2 cups", "one and one half cups"),
    ("symbol", "24/7", "twenty-four seven"),
    ("unit", "75°F", "seventy-five degrees Fahrenheit"),
    ("unit", "72 °F", "seventy-two degrees Fahrenheit"),
    ("unit", "-5°C", "minus five degrees Celsius"),
    ("unit", "a 5 km run", "a five kilometers run"),
    ("unit", "1 km", "one kilometer"),
    ("unit", "60 mph winds", "sixty miles per hour winds"),
    ("unit", "10 kg of rice", "ten kilograms of rice"),
    ("unit", "5-10 kg", "five to ten kilograms"),
    ("unit", "a 5 m wall", "a five m wall"),  # meters or million: the unit is left to the engine
    ("unit", "90km/h", "ninety kilometers per hour"),
    ("unit", "in km/h", "in kilometers per hour"),
    ("unit", "He is 6 ft. tall.", "He is six feet tall."),
    ("unit", "It ran 26 mi.", "It ran twenty-six miles."),
    ("pause", "Ukraine — perhaps", "Ukraine, perhaps"),
    ("pause", "Ukraine—perhaps", "Ukraine, perhaps"),
    ("pause", "one -- two", "one, two"),
    ("pause", "He said (in 2019) that", "He said, in twenty nineteen, that"),
    ("pause", "the city (Moscow).", "the city, Moscow."),
    ("untouched", "The Kremlin confirmed Monday.", "The Kremlin confirmed Monday."),
    ("untouched", "visit https://www.npr.org/2023", "visit https://www.npr.org/2023"),
]


def test_every_rule_of_the_table_speaks_in_some_case() -> None:
    # A rule no case exercises is a rule nobody has heard; "protect" changes nothing by design.
    fired = {c.rule for _, written, _ in CASES for c in to_spoken(written).changes}
    assert fired == {rule.name for rule in RULES} - {"protect"}


@pytest.mark.parametrize(("family", "written", "spoken"), CASES, ids=[f"{f}:{w}" for f, w, _ in CASES])
def test_written_to_spoken(family: str, written: str, spoken: str) -> None:
    assert to_spoken(written).text == spoken


# --- properties ---------------------------------------------------------------------

_FRAGMENTS = [w for _, w, _ in CASES if _ != "untouched"] + [
    "St.",
    "U.S.",
    "Sept.",
    "in",
    "FBI",
    "a.m.",
    "Gen.",
    "Louis",
    "Main",
    "—",
    "(",
    ")",
    "&",
    "%",
    "the",
    "Dr.",
    "D.C.",
    "Jr.",
    "said",
    ",",
    ".",
    "5th",
    "Aug.",
    "-",
]
_text = st.lists(
    st.tuples(
        st.one_of(
            st.sampled_from(_FRAGMENTS),
            st.integers(0, 3000).map(str),
            st.decimals(0, 10000, places=2).map(str),
            st.from_regex(r"[A-Za-z0-9.,:'-]{1,6}", fullmatch=True),
        ),
        st.sampled_from([" ", ", ", " — ", "-", ". ", " ("]),
    ),
    max_size=12,
).map(lambda xs: "".join(a + b for a, b in xs))


@settings(max_examples=400, suppress_health_check=list(HealthCheck), deadline=None)
@given(_text)
@example("Dr. 2023-09-11 ")  # the date's spoken month once made the title look like one before a name
@example("AT&T St. ")  # "AT&T" was no name, its spoken "T" was
@example("$20-11 September 2001 ")  # the date took "11", so "$20" was left for a second pass
def test_idempotent(text: str) -> None:
    once = to_spoken(text).text
    assert to_spoken(once).text == once


@settings(max_examples=200, deadline=None)
@given(_text)
def test_deterministic_and_offsets_point_at_the_written_text(text: str) -> None:
    spoken = to_spoken(text)
    assert to_spoken(text) == spoken
    for c in spoken.changes:
        assert text[c.start : c.end] == c.written
    starts = [c.start for c in spoken.changes]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(spoken.changes, spoken.changes[1:]))


# Fragments every one of which some rule claims completely.
_NUMERIC = st.one_of(
    st.integers(0, 10**9).map(str),
    st.integers(1000, 10**9).map(lambda n: f"{n:,}"),
    st.decimals(0, 10000, places=2).map(str),
    st.integers(1, 200).map(
        lambda n: f"{n}th" if 10 <= n % 100 <= 20 else f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"
    ),
    st.integers(1100, 2099).map(lambda y: f"in {y}"),
    st.integers(1100, 2099).map(lambda y: f"the {y // 10 * 10}s"),
    st.integers(1, 9).map(lambda d: f"the '{d}0s"),
    st.tuples(st.sampled_from("$£€"), st.integers(0, 10**6), st.integers(0, 99)).map(
        lambda t: f"{t[0]}{t[1]}.{t[2]:02d}"
    ),
    st.tuples(st.integers(1, 999), st.sampled_from(["million", "billion"])).map(lambda t: f"${t[0] / 10} {t[1]}"),
    st.decimals(0, 100, places=1).map(lambda d: f"{d}%"),
    st.tuples(
        st.integers(1, 12),
        st.integers(0, 59),
        st.sampled_from(["a.m.", "PM", "pm"]),
        st.sampled_from(["", " ET", " PT"]),
    ).map(lambda t: f"{t[0]}:{t[1]:02d} {t[2]}{t[3]}"),
    st.tuples(
        st.sampled_from(["Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Dec.", "March", "May"]),
        st.integers(1, 31),
        st.integers(1100, 2099),
    ).map(lambda t: f"{t[0]} {t[1]}, {t[2]}"),
    st.tuples(st.integers(1100, 2099), st.integers(1100, 2099)).map(lambda t: f"{t[0]}-{t[1]}"),
    st.tuples(st.integers(0, 999), st.integers(0, 999)).map(lambda t: f"{t[0]}-{t[1]}"),
    st.tuples(st.integers(200, 999), st.integers(200, 999), st.integers(0, 9999)).map(
        lambda t: f"({t[0]}) {t[1]}-{t[2]:04d}"
    ),
    st.integers(1, 150).map(lambda n: f"{n}°F"),
    st.tuples(st.integers(0, 10**6), st.sampled_from(["", " "]), st.sampled_from(sorted(VOCABULARY.units))).map(
        lambda t: f"{t[0]}{t[1]}{t[2]}"
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_NUMERIC, st.sampled_from([" and ", ", ", " to the ", "; then "])), min_size=1, max_size=6).map(
        lambda xs: "".join(a + b for a, b in xs)
    )
)
def test_no_digits_left_where_a_rule_applies(text: str) -> None:
    spoken = to_spoken(text).text
    assert not re.search(r"\d", spoken), (text, spoken)


# Words that are abbreviations when a period follows ("Mr.", "Dec.", "St.") are not plain.
_ABBREVIATIONS = VOCABULARY.non_terminal()
_PLAIN_WORD = st.from_regex(r"[a-z]{1,10}|[A-Z][a-z]{1,10}", fullmatch=True).filter(lambda w: w not in _ABBREVIATIONS)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_PLAIN_WORD, st.sampled_from([" ", " ", ", ", ". ", "; ", "\n"])), max_size=20).map(
        lambda xs: "".join(a + b for a, b in xs)
    )
)
def test_plain_words_pass_through_unchanged(text: str) -> None:
    assert to_spoken(text) == Spoken(text, ())


# --- the seed ------------------------------------------------------------------------


def _cues(golden: str) -> list[str]:
    """The cue texts of the golden script, one string each."""
    blocks = golden.split("\n\n")[1:]
    return [" ".join(line.strip() for line in b.splitlines()[1:]) for b in blocks]


def test_seed_script_normalizes_sensibly() -> None:
    cues = _cues(GOLDEN.read_text(encoding="utf-8"))
    spoken = [to_spoken(c) for c in cues]
    changes = {(c.written, c.spoken, c.rule) for s in spoken for c in s.changes}
    assert ("2019", "twenty nineteen", "year") in changes
    assert ("U.S.", "U S", "initialism") in changes
    assert ("D.C.", "D C.", "initialism") in changes  # ends the cue: the period stays
    assert ("NPR", "N P R", "initialism") in changes
    assert (" —", ",", "pause") in changes
    text = "\n".join(s.text for s in spoken)
    assert "Ukraine, perhaps in exchange" in text
    assert "U S officials last week" in text
    assert "U S claims that Putin" in text
    assert "Kim last met Putin in twenty nineteen, also in Vladivostok." in text
    assert "Washington, D C." in text
    assert not re.search(r"\d|—|U\.S\.", text)
    for s in spoken:  # every other word is as written
        assert to_spoken(s.text).text == s.text


def test_marked_pinned() -> None:
    text = "U.S. officials met in 2019 — at 2:59 PM ET — with the FBI."
    assert marked(text) == (
        "{U.S. → U S} officials met in {2019 → twenty nineteen}{ — → ,} at "
        "{2:59 PM ET → two fifty-nine p.m. Eastern}{ — → ,} with the {FBI → F B I}."
    )
    assert marked(to_spoken(text)) == marked(text)
    assert marked("Nothing to change.") == "Nothing to change."


def test_changes_record_rule_and_offsets() -> None:
    spoken = to_spoken("Sen. Warren, in 2019")
    assert spoken.changes == (
        Change(0, 4, "Sen.", "Senator", "title"),
        Change(16, 20, "2019", "twenty nineteen", "year"),
    )
    assert spoken.text == "Senator Warren, in twenty nineteen"


@pytest.mark.parametrize(
    "written",
    [
        "Main St. Louis",  # street or saint: unsure
        "Gen. said",  # no name follows
        "C$5",  # a currency the table does not know
        "ratio 3:1",
        "version 3.5.1",
        "the 5G network",
    ],
)
def test_unsure_rules_leave_text_alone(written: str) -> None:
    assert to_spoken(written).text == written
