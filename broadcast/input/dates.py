"""Date stamps printed on news pages: "Updated September 11, 2023 at 2:59 PM ET".

Months, weekdays and time zones come from the vocabulary, so every zone a stamp may
carry is one the speech rules can say.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from broadcast.errors import ArticleError
from broadcast.input.overrides import YEARS
from broadcast.vocabulary import VOCABULARY, alternation

_I = re.IGNORECASE

# Lower-cased name or abbreviation -> month number: "sept" -> 9.
MONTHS: dict[str, int] = {
    written.lower(): m.number for m in VOCABULARY.months for written in (m.name, *m.abbreviations)
}
# Short zone names -> IANA zones; an IANA zone gets daylight saving right.
ZONES: dict[str, str] = {z.abbreviation: z.iana for z in VOCABULARY.zones.values()}


_LABEL = r"(?:(?P<label>first published|last updated|updated|published|posted)\b\s*(?:on\s+)?:?\s*)?"
_WEEKDAY = rf"(?:(?:{alternation(VOCABULARY.weekdays)}),?\s+)?"
_MONTH = rf"(?P<month>{alternation(MONTHS)})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_TIME = (
    r"(?:(?:\s*,|\s+at|\s*[|·•—\u2013-])?\s*(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?"
    rf"\s*(?P<ampm>[ap]\.?m\.?)?(?:\s+(?P<zone>{alternation(ZONES)}))?)?"
)
# Whole-line date stamps: "Updated September 11, 2023 at 2:59 PM ET", "11 Sept. 2023".
DATES: tuple[re.Pattern[str], ...] = (
    re.compile(rf"{_LABEL}{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+(?P<year>\d{{4}}){_TIME}", _I),
    re.compile(rf"{_LABEL}{_WEEKDAY}{_DAY}\s+{_MONTH},?\s+(?P<year>\d{{4}}){_TIME}", _I),
)

_FIRST = ("published", "posted", "first published")  # labels of the publication stamp


def stamps(text: str) -> tuple[tuple[str, datetime], ...]:
    """((label, datetime),) when the whole line is a date stamp; () for any other line."""
    for pattern in DATES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        month = MONTHS[match["month"].lower()]
        hour, minute = 0, 0
        if match["hour"] is not None:
            # A bare number after the year is no time unless it has minutes or AM/PM.
            if match["minute"] is None and match["ampm"] is None:
                continue
            hour, minute = int(match["hour"]), int(match["minute"] or 0)
            if match["ampm"] is not None:
                if not 1 <= hour <= 12:
                    continue
                hour = hour % 12 + (12 if match["ampm"][0].lower() == "p" else 0)
        try:
            stamp = datetime(int(match["year"]), month, int(match["day"]), hour, minute)
        except ValueError:
            continue
        if match["zone"] is not None:
            stamp = stamp.replace(tzinfo=ZoneInfo(ZONES[match["zone"].upper()]))
        return (((match["label"] or "").lower(), stamp),)
    return ()


def published(found: Iterable[tuple[str, datetime]], name: str = "<input>") -> datetime | None:
    """The publication stamp among the page's stamps in page order: the first one labelled
    published (an update is not the publication), else the first; None when there is none."""
    found = list(found)
    for label, stamp in found:
        if label in _FIRST:
            return plausible(stamp, stamp.date().isoformat(), name)
    return plausible(found[0][1], found[0][1].date().isoformat(), name) if found else None


def plausible(stamp: datetime, written: str, name: str) -> datetime:
    """`stamp` when a news page can have been published then; the year 1 or 9999 is a typo or
    a placeholder, and would break file names and feed dates: the article is refused before
    anything is written, not published under a made-up date."""
    if not YEARS[0] <= stamp.year <= YEARS[1]:
        raise ArticleError(
            f"{name}: the page's publication date {written} is outside {YEARS[0]}-{YEARS[1]} (correct the page's date)"
        )
    return stamp
