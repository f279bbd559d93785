"""The one vocabulary: abbreviations, months, weekdays, time zones, units, initialisms.

The sentence splitter, the speech rules and the date parser all read these words, and
they must read them the same way: an abbreviation the rules expand must not end a
sentence, and a zone the date parser accepts must be spoken. So the words live once,
in vocabulary.toml shipped inside the package, loaded once at import into frozen values.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any


class Place(enum.Enum):
    """Where an abbreviation is expanded; the same table names in vocabulary.toml."""

    BEFORE_NAME = "before_name"  # titles: "Gen. Milley"
    AFTER_NAME = "after_name"  # "King Jr.", "Apple Inc.", "5th Ave."
    SAINT_OR_STREET = "saint_or_street"  # "St. Louis", "Main St."
    BEFORE_NUMBER = "before_number"  # "No. 1"
    ANYWHERE = "anywhere"  # "vs.", "etc.", month abbreviations


@dataclass(frozen=True)
class Abbreviation:
    written: str  # without its period
    spoken: str  # for SAINT_OR_STREET, the saint; `street` is the other reading
    place: Place
    street: str = ""


@dataclass(frozen=True)
class Month:
    number: int  # 1 = January
    name: str
    abbreviations: tuple[str, ...]


@dataclass(frozen=True)
class Zone:
    abbreviation: str
    iana: str  # for zoneinfo.ZoneInfo
    spoken: str


@dataclass(frozen=True)
class Unit:
    written: str
    one: str
    many: str


@dataclass(frozen=True)
class Vocabulary:
    abbreviations: tuple[Abbreviation, ...]
    months: tuple[Month, ...]
    weekdays: tuple[str, ...]  # from Monday
    zones: MappingProxyType[str, Zone]
    units: MappingProxyType[str, Unit]
    letters: frozenset[str]  # capital words read letter by letter
    words: frozenset[str]  # capital words said as words

    def at(self, place: Place) -> dict[str, str]:
        """Written form -> spoken form of the abbreviations expanded at `place`."""
        found = {a.written: a.spoken for a in self.abbreviations if a.place == place}
        if place == Place.ANYWHERE:  # "Sept." is spoken "September" wherever it stands
            found |= {abbr: m.name for m in self.months for abbr in m.abbreviations}
        return found

    def non_terminal(self) -> frozenset[str]:
        """Every abbreviation whose period ends no sentence, without the period."""
        return frozenset(a.written for a in self.abbreviations) | frozenset(
            abbr for m in self.months for abbr in m.abbreviations
        )


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of the words, longest first: "Sept" before "Sep", "Sens" before "Sen"."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _abbreviations(tables: dict[str, dict[str, Any]]) -> tuple[Abbreviation, ...]:
    out = []
    for table, entries in tables.items():
        place = Place(table)
        for written, spoken in entries.items():
            if place == Place.SAINT_OR_STREET:
                saint, street = spoken
                out.append(Abbreviation(written, saint, place, street))
            else:
                out.append(Abbreviation(written, spoken, place))
    seen = [a.written for a in out]
    repeated = sorted({w for w in seen if seen.count(w) > 1})
    if repeated:  # one abbreviation, one reading: the rules could not choose
        raise ValueError(f"vocabulary.toml: abbreviation listed twice: {repeated[0]}")
    return tuple(out)


def _load() -> Vocabulary:
    data = tomllib.loads(resources.files("broadcast").joinpath("vocabulary.toml").read_text(encoding="utf-8"))
    return Vocabulary(
        abbreviations=_abbreviations(data["abbreviations"]),
        months=tuple(Month(n, m["name"], tuple(m["abbreviations"])) for n, m in enumerate(data["months"], start=1)),
        weekdays=tuple(data["weekdays"]["names"]),
        zones=MappingProxyType({k: Zone(k, z["iana"], z["say"]) for k, z in data["zones"].items()}),
        units=MappingProxyType({k: Unit(k, one, many) for k, (one, many) in data["units"].items()}),
        letters=frozenset(data["initialisms"]["letters"]),
        words=frozenset(data["initialisms"]["words"]),
    )


VOCABULARY = _load()
