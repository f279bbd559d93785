"""The splitter, the speech rules and the date parser read the one vocabulary the same way.

Every test walks the vocabulary itself, so a word added to vocabulary.toml is checked
by every stage that reads it.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest

from broadcast.input.dates import stamps
from broadcast.script.sentences import split_sentences
from broadcast.speech.spoken import to_spoken
from broadcast.vocabulary import VOCABULARY, Place

# Each place with a sentence that puts the abbreviation where the rules expand it, and a
# capital or a digit right after its period, where the splitter must decide.
_CONTEXT = {
    Place.BEFORE_NAME: ("Officials said {}. Smith arrived.", "said {} Smith arrived."),
    Place.AFTER_NAME: ("Officials said Harbor {}. Bridge reopened.", "said Harbor {} Bridge reopened."),
    Place.SAINT_OR_STREET: ("Officials said {}. Louis reopened.", "said {} Louis reopened."),
    Place.BEFORE_NUMBER: ("Officials said {}. 5 arrived.", "said {} five arrived."),
    Place.ANYWHERE: ("Officials said {}. 5 arrived.", "said {} five arrived."),
}
_ABBREVIATIONS = [(a.written, a.spoken, a.place) for a in VOCABULARY.abbreviations] + [
    (abbr, m.name, Place.ANYWHERE) for m in VOCABULARY.months for abbr in m.abbreviations
]


@pytest.mark.parametrize(("written", "spoken", "place"), _ABBREVIATIONS, ids=[a for a, _, _ in _ABBREVIATIONS])
def test_splitter_and_rules_agree_on_every_abbreviation(written: str, spoken: str, place: Place) -> None:
    text, said = _CONTEXT[place]
    sentence = text.format(written)
    assert split_sentences(sentence) == (sentence,)
    result = to_spoken(sentence).text
    if written in {m for month in VOCABULARY.months for m in month.abbreviations}:
        said = "said {} fifth arrived."  # "Sept. 5" is a date
    assert result.endswith(said.format(spoken)), result


def test_maj_gen_is_one_sentence_and_spoken_in_full() -> None:
    text = "Officials said Maj. Gen. Ivan Petrov arrived. Talks began Monday."
    assert split_sentences(text) == ("Officials said Maj. Gen. Ivan Petrov arrived.", "Talks began Monday.")
    assert to_spoken(text).text == "Officials said Major General Ivan Petrov arrived. Talks began Monday."


def test_a_zone_abbreviation_ends_a_sentence() -> None:
    # "EST." is no abbreviation of the splitter's: the vocabulary knows it as a zone.
    assert split_sentences("Polls close at 8 p.m. EST. Results follow.") == (
        "Polls close at 8 p.m. EST.",
        "Results follow.",
    )


@pytest.mark.parametrize("zone", sorted(VOCABULARY.zones))
def test_every_zone_the_date_parser_accepts_is_spoken(zone: str) -> None:
    stamp = f"September 11, 2023 at 3:05 PM {zone}"
    ((_, when),) = stamps(stamp)
    assert when.tzinfo == ZoneInfo(VOCABULARY.zones[zone].iana)
    said = to_spoken(stamp).text
    assert said == f"September eleventh, twenty twenty-three at three oh five p.m. {VOCABULARY.zones[zone].spoken}"
    # Not left to the engine to spell out: no capital abbreviation of the zone is left.
    assert zone not in said.split()
    assert to_spoken(f"at 14:30 {zone}").text == f"at fourteen thirty {VOCABULARY.zones[zone].spoken}"


@pytest.mark.parametrize("unit", sorted(VOCABULARY.units))
def test_every_unit_is_spoken_after_a_number(unit: str) -> None:
    one, many = VOCABULARY.units[unit].one, VOCABULARY.units[unit].many
    assert to_spoken(f"about 1 {unit} away").text == f"about one {one} away"
    assert to_spoken(f"about 25 {unit} away").text == f"about twenty-five {many} away"
    assert to_spoken(f"about 2.5{unit} away").text == f"about two point five {many} away"
    assert not re.search(r"\d", to_spoken(f"from 5-10 {unit}").text)


def test_every_month_abbreviation_reads_as_its_month() -> None:
    for month in VOCABULARY.months:
        for abbr in month.abbreviations:
            assert to_spoken(f"on {abbr}. 3, 2021").text == f"on {month.name} third, twenty twenty-one"
            ((_, when),) = stamps(f"{abbr}. 3, 2021")
            assert when.month == month.number
