"""The ordered rule table that turns written news copy into words a TTS engine reads well.

Each rule is (name, compiled regex, speak function). `broadcast.speech.spoken` walks the
table in order over the ORIGINAL text; the first rule to claim a span owns it, so
specific formats (money, dates, times) sit before the general ones (plain numbers).
A speak function returns the spoken words, or None when it is unsure: the span is
then left for a later rule, or left alone. Speak functions may read context around
the match through `m.string`, which is always the original text.

The words the rules know (titles, months, time zones, units, initialisms) come from
`broadcast.vocabulary`, which the sentence splitter and the date parser read too; the
number words come from `broadcast.speech.numbers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from broadcast.speech.numbers import DIGITS, cardinal, digits, is_year, number, ordinal, plural, year
from broadcast.vocabulary import VOCABULARY, Place, alternation


@dataclass(frozen=True)
class Change:
    start: int  # offsets in the ORIGINAL text
    end: int
    written: str
    spoken: str
    rule: str


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    speak: Callable[[re.Match[str]], str | None]


# --- shared pieces of patterns -------------------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+|\d+"  # grouped thousands first, so "1,200" is one number
_DEC = rf"(?:{_NUM})(?:\.\d+)?"
_NOT_AFTER_NUM = r"(?![\w:]|[.,]\d)"  # not glued to a word, a clock or more digits
_NOT_BEFORE_NUM = r"(?<![\w.,:$£€¥])(?<!\w['’])"  # nor inside a word ("A'00")

_MONTHS = [m.name for m in VOCABULARY.months]
_MONTH_ABBR = {abbr: m.name for m in VOCABULARY.months for abbr in m.abbreviations}
_MONTH_NAME = "|".join(_MONTHS)
_MONTH = rf"(?P<month>{_MONTH_NAME}|(?:{alternation(_MONTH_ABBR)})\.?)"


def _month(m: re.Match[str]) -> str:
    written = m.group("month").rstrip(".")
    return _MONTH_ABBR.get(written, written)


def _at_end(m: re.Match[str]) -> bool:
    """Nothing but space follows: a period here also ends the sentence."""
    return not m.string[m.end() :].strip()


def _before_capital(text: str, pos: int) -> bool:
    return re.match(r"\s+[\"“‘']?[A-Z]", text[pos:]) is not None


def _word_before(m: re.Match[str]) -> tuple[str, int]:
    """The word before the match and where it ends. Found past any punctuation (commas,
    dashes, parentheses): the pause and symbol rules rewrite those, and the word must be
    found the same way in the written and in the spoken text."""
    start = max(0, m.start() - 60)
    # Symbols that are spoken as words ("%", "&", "/") are part of the word before them.
    window = m.string[start : m.start()]
    found = re.search(r"([\w.'’%&/°#$£€¥]+)[\s,;:—―–()\"“”-]*$", window)
    return (found.group(1), start + found.end(1)) if found else ("", m.start())


# Space, or a pause the pause rules rewrite: context looks past it the same way in the
# written text and in the spoken text, so a second pass decides as the first did.
_GAP = r"(?:\s|,|[—―–(\"“‘']|--)+"

# --- protected spans -----------------------------------------------------------------

# Phoneme markup from the lexicon, addresses: spoken exactly as written (claimed, unchanged).
_PROTECT = r"\[\[.*?\]\]|\bhttps?://\S+|\bwww\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"

# Fixed expressions whose digits are not numbers.
_SET_PHRASES = {
    "9/11": "nine eleven",
    "24/7": "twenty-four seven",
    "50/50": "fifty-fifty",
} | {u.written: u.many for u in VOCABULARY.units.values() if "/" in u.written}  # or the slash rule says "km or h"

# --- telephone numbers --------------------------------------------------------------

_PHONE = (
    r"(?<![\w.,-])(?:1[-. ])?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-.]\d{4}(?![\w-]|[.,]\d)"
    r"|(?<![\w.,-])[2-9]\d\d-\d{4}(?![\w-]|[.,]\d)"
)
_PHONE_CUE = re.compile(r"\b(?:call|dial|phone|telephone|number|line|hotline|text|fax)\b\D{0,12}$", re.IGNORECASE)


def _phone(m: re.Match[str]) -> str | None:
    groups = re.findall(r"\d+", m.group())
    # Seven digits alone may be a range ("200-1000"); only a phone cue makes them a number.
    if len(groups) == 2 and not _PHONE_CUE.search(m.string[max(0, m.start() - 40) : m.start()]):
        return None
    # "800" in a toll-free number is said "eight hundred"; other groups digit by digit.
    said = [
        f"{DIGITS[int(g[0])]} hundred" if len(g) == 3 and g.endswith("00") and g[0] != "0" else digits(g, zero="oh")
        for g in groups
    ]
    return ", ".join(said)


# --- dates ---------------------------------------------------------------------------


def _date_words(month: str, day: int, yr: str | None) -> str | None:
    if not 1 <= day <= 31 or (yr is not None and not is_year(int(yr))):
        return None
    said = f"{month} {ordinal(day)}"
    return f"{said}, {year(int(yr))}" if yr else said


def _iso_date(m: re.Match[str]) -> str | None:
    y, mo, d = (int(g) for g in m.groups())
    return _date_words(_MONTHS[mo - 1], d, str(y)) if 1 <= mo <= 12 else None


def _us_date(m: re.Match[str]) -> str | None:
    # Numeric dates are read the American way, month first: an American newsroom.
    mo, d, y = m.groups()
    return _date_words(_MONTHS[int(mo) - 1], int(d), y) if 1 <= int(mo) <= 12 else None


def _month_day(m: re.Match[str]) -> str | None:
    return _date_words(_month(m), int(m.group("day")), m.group("year"))


def _day_month(m: re.Match[str]) -> str | None:
    day, yr = int(m.group("day")), m.group("year")
    if not 1 <= day <= 31 or (yr and not is_year(int(yr))):
        return None
    said = f"the {ordinal(day)} of {m.group('month')}"
    return f"{said}, {year(int(yr))}" if yr else said


def _month_year(m: re.Match[str]) -> str | None:
    yr = int(m.group("year"))
    return f"{_month(m)} {year(yr)}" if is_year(yr) else None


# --- clock times ----------------------------------------------------------------------

_ZONES = {z.abbreviation: z.spoken for z in VOCABULARY.zones.values()}
_ZONE = rf"(?:\s+(?P<zone>{alternation(_ZONES)})(?!\w))?"


def _zone(m: re.Match[str]) -> str:
    return f" {_ZONES[m.group('zone')]}" if m.group("zone") else ""


def _minutes(mm: str | None) -> str:
    if not mm or mm == "00":
        return ""
    return f" oh {cardinal(int(mm))}" if mm.startswith("0") else f" {cardinal(int(mm))}"


def _clock_12h(m: re.Match[str]) -> str | None:
    hour, mm = int(m.group("h")), m.group("m")
    if not 1 <= hour <= 12 or (mm and int(mm) > 59):
        return None
    pm = m.group("ap").lower() == "p"
    if hour == 12 and not _minutes(mm):
        return ("noon" if pm else "midnight") + _zone(m)
    return f"{cardinal(hour)}{_minutes(mm)} {'p.m.' if pm else 'a.m.'}{_zone(m)}"


def _clock_24h(m: re.Match[str]) -> str:
    hh, mm = m.group("h"), m.group("m")
    if (len(hh) == 2 and hh.startswith("0")) or int(hh) > 12 or hh == "0":
        # Twenty-four-hour style: "zero nine thirty", "fourteen hundred".
        hour = digits(hh) if hh.startswith("0") else cardinal(int(hh))
        return f"{hour}{_minutes(mm) or ' hundred'}{_zone(m)}"
    oclock = " o'clock"
    return f"{cardinal(int(hh))}{_minutes(mm) or oclock}{_zone(m)}"


# --- decades, ranges, money, percentages, degrees ----------------------------------


def _decade(m: re.Match[str]) -> str:
    if m.group("full"):
        return plural(year(int(m.group("full"))))
    return plural(cardinal(int(m.group("short"))))


def _year_range(m: re.Match[str]) -> str:
    a, b = m.group("a"), m.group("b")
    end = year(int(b)) if len(b) == 4 else _minutes(b).strip()
    return f"{year(int(a))} to {end}"


def _number_range(m: re.Match[str]) -> str:
    return f"{number(m.group('a'))} to {number(m.group('b'))}"


_CURRENCIES = {  # symbol: (one, many, one hundredth, many hundredths)
    "$": ("dollar", "dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "", ""),
}
_SCALES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion", "tn": "trillion"}


def _money(m: re.Match[str]) -> str:
    one, many, cent, cents = _CURRENCIES[m.group("cur")]
    if m.group("us"):
        one, many = f"U S {one}", f"U S {many}"
    amount, frac, to = m.group("amount"), m.group("frac"), m.group("to")
    scale = m.group("scale") or _SCALES.get((m.group("abbr") or "").lower())
    if scale:  # "$1.5 million" -> "one point five million dollars"
        return f"{number(amount + ('.' + frac if frac else ''))} {scale} {many}"
    if to:
        return f"{number(amount)} to {number(to)} {many}"
    whole = int(amount.replace(",", ""))
    if frac and (len(frac) != 2 or not cent):
        return f"{number(amount + '.' + frac)} {many}"
    parts = []
    if whole or not frac or frac == "00":
        parts.append(f"{number(amount)} {one if whole == 1 else many}")
    if frac and frac != "00":
        parts.append(f"{cardinal(int(frac))} {cent if int(frac) == 1 else cents}")
    return " and ".join(parts)


def _percent(m: re.Match[str]) -> str:
    return f"{number(m.group('n'))} percent"


_UNITS = VOCABULARY.units


def _degrees(m: re.Match[str]) -> str:
    unit = _UNITS["°" + (m.group("unit") or "")]
    n = m.group("n")
    return f"{'minus ' if m.group('neg') else ''}{number(n)} {unit.one if n == '1' else unit.many}"


def _measure(m: re.Match[str]) -> str:
    """'5 km' -> 'five kilometers', '1 km' -> 'one kilometer', '5-10 kg' -> 'five to ten kilograms'."""
    unit, a, n = _UNITS[m.group("unit")], m.group("a"), m.group("n")
    amount = f"{number(a)} to {number(n)}" if a else number(n)
    # "6 ft. tall": the period belongs to the unit, unless it also ends the sentence.
    dot = "." if m.group("dot") and _keeps_period(m.string, m.end()) else ""
    return f"{amount} {unit.one if n == '1' and not a else unit.many}{dot}"


# --- years, fractions, ordinals, plain numbers -------------------------------------

# A four-digit number is a year only in a year context; "1500 troops" stays a quantity.
_YEAR_CUE = re.compile(
    r"(?:\b(?:in|since|by|from|until|till|through|before|after|during|of|circa|early|mid|late"
    r"|spring|summer|fall|autumn|winter|year|copyright|between)|©"
    r"|\b(?:1[1-9]|20)\d\d\s+(?:and|or|to|through|until))\s+$",
    re.IGNORECASE,
)


def _year(m: re.Match[str]) -> str | None:
    glued = m.string[max(0, m.start() - 5) : m.start()].lower().endswith(("mid-", "pre-", "post-"))
    if glued or _YEAR_CUE.search(m.string[max(0, m.start() - 40) : m.start()]):
        return year(int(m.group("y")))
    return None


def _fraction(m: re.Match[str]) -> str | None:
    a, b = int(m.group("a")), int(m.group("b"))
    if not (2 <= b <= 10 and 0 < a < b):
        return None
    names = {2: ("half", "halves"), 4: ("quarter", "quarters")}
    one, many = names.get(b, (ordinal(b), ordinal(b) + "s"))
    said = f"{cardinal(a)} {one if a == 1 else many}"
    return f"{number(m.group('whole'))} and {said}" if m.group("whole") else said


# --- abbreviations, titles, initialisms ------------------------------------------

# Before a capitalized name only: "Gen. Milley" is a general, "gen." alone is unknown.
_TITLES = VOCABULARY.at(Place.BEFORE_NAME)
# After a capitalized word or a number ("5th Ave.") only.
_SUFFIXES = VOCABULARY.at(Place.AFTER_NAME)
# Anywhere; these may end a sentence, so the period is kept before a capital.
_PLAIN = VOCABULARY.at(Place.ANYWHERE)
# "St. Louis" or "Main St.": which one depends on the words around it.
_SAINT_OR_STREET = {a.written: a for a in VOCABULARY.abbreviations if a.place == Place.SAINT_OR_STREET}
_NUMBER_SIGNS = VOCABULARY.at(Place.BEFORE_NUMBER)  # "#" is said "number" too

_NAME_OR_NUMBER = re.compile(r"^(?:[A-Z][\w'’&-]*,?|\d\S*)$")  # "AT&T": its spoken "T" is a name too


# A word before an abbreviation is judged as it will be spoken, so the judgement is the
# same on the written text and on the spoken one ("St. Jr." and "Saint Jr.").
_EXPANSIONS = {
    f"{k}.": v.split()[-1]
    for k, v in (_TITLES | _SUFFIXES | {a.written: a.spoken for a in _SAINT_OR_STREET.values()}).items()
}


def _spoken_word_before(m: re.Match[str]) -> str:
    word, end = _word_before(m)
    if re.fullmatch(r"(?:[A-Z]\.){2,}", word):  # "U.S." will be "U S"
        return word[-2]
    if word[:-1] in _PLAIN and word.endswith("."):  # "Aug." will be "August" or "August."
        return _PLAIN[word[:-1]].split()[-1] + ("." if _keeps_period(m.string, end) else "")
    return _EXPANSIONS.get(word, word)


def _title(m: re.Match[str]) -> str:
    return _TITLES[m.group("abbr")]


def _suffix(m: re.Match[str]) -> str | None:
    abbr, prev = m.group("abbr"), _spoken_word_before(m)
    if not _NAME_OR_NUMBER.match(prev):
        return None
    return _SUFFIXES[abbr] + ("." if _at_end(m) else "")


def _saint_or_street(m: re.Match[str]) -> str | None:
    # A name follows, perhaps past a pause that a later rule turns into a comma.
    nxt = re.match(rf"{_GAP}[A-Z]", m.string[m.end() :]) is not None
    entry = _SAINT_OR_STREET[m.group("abbr")]
    prev = _spoken_word_before(m)
    if prev.rstrip(".") in (entry.written, entry.spoken, entry.street):  # "St. St.": this rule's own output
        return None
    prev_is_name = bool(_NAME_OR_NUMBER.match(prev))
    if prev_is_name and prev[0].isdigit():
        return entry.street + ("." if _at_end(m) or nxt else "")
    if nxt and not prev_is_name:  # "in St. Louis", "St. Petersburg" at the start
        return entry.spoken
    if prev_is_name and not nxt:  # "Main St. in Boston"
        return entry.street + ("." if _at_end(m) else "")
    return None  # "Main St. Louis": unsure


def _keeps_period(text: str, pos: int) -> bool:
    return not text[pos:].strip() or _before_capital(text, pos)


def _plain_abbreviation(m: re.Match[str]) -> str:
    return _PLAIN[m.group("abbr")] + ("." if _keeps_period(m.string, m.end()) else "")


def _spell(letters: str) -> str:
    return " ".join(letters)


def _dotted(m: re.Match[str]) -> str:
    # "U.S." -> "U S": single capitals are read as letter names by every engine.
    return _spell(m.group().replace(".", "")) + ("." if _at_end(m) else "")


# Known all-capital words read as letters even though they hold a vowel, and acronyms
# said as words.
_LETTERS = VOCABULARY.letters
_WORDS = VOCABULARY.words
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def _initialism(m: re.Match[str]) -> str | None:
    word, plural = m.group("w"), m.group("pl")
    if word in _WORDS:
        return None
    if word not in _LETTERS and (re.search("[AEIOUY]", word) or _ROMAN.fullmatch(word)):
        return None  # pronounceable, or a regnal number ("Louis XV"): the engine decides
    return _spell(word) + ("'s" if plural else "")


# --- symbols and pauses -----------------------------------------------------------


def _slash(m: re.Match[str]) -> str:
    # Between words "/" is a choice ("his/her" -> "his or her"); anywhere else it is
    # read as a symbol, since "3/16" is not a choice.
    around = m.string[m.start() - 1] + m.string[m.end()]
    return " or " if around.isalpha() else " slash "


# The space before a dash goes with it ("Ukraine — perhaps" -> "Ukraine, perhaps"), but only
# after a word or punctuation: a space beside a symbol stays, so the symbol reads the same.
_SPACE_BEFORE_PAUSE = r"(?:(?<=[\w\"”’'.,;:!?)\]])\s+)?"


def _pause(m: re.Match[str]) -> str:
    """A dash or an opening parenthesis becomes a comma, the engine's short pause."""
    before, after = m.string[: m.start()].rstrip(), m.string[m.end() :]
    if not after.strip():
        return ""
    # The space after a dash is kept as written; one is added only before a word, so
    # a symbol that follows keeps its (lack of) spacing.
    gap = " " if after[0].isalnum() or after[0] in "\"“‘'" else ""
    # After punctuation (or a closing parenthesis, itself a comma) one pause is enough.
    if not before:
        return ""
    return gap if before[-1] in ",;:.!?—()" else "," + gap


def _close_paren(m: re.Match[str]) -> str | None:
    if "(" not in m.string[: m.start()]:
        return None
    after = m.string[m.end() :]
    return "" if not after.strip() or after[0] in ',.;:!?)"”’' else ","


def _rule(name: str, pattern: str, speak: Callable[[re.Match[str]], str | None]) -> Rule:
    return Rule(name, re.compile(pattern), speak)


_YEAR4 = r"(?:1[1-9]|20)\d\d"  # 1100..2099
_DATE_YEAR = rf"(?:,?\s+(?P<year>\d{{4}}){_NOT_AFTER_NUM})?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_SCALE = r"(?:\s?(?P<scale>thousand|million|billion|trillion)\b|(?P<abbr>[kKmMbB]|mn|bn|tn)\b)?"

# Order matters: the first rule to claim a span owns it, so specific formats come first.
RULES: tuple[Rule, ...] = (
    _rule("protect", _PROTECT, lambda m: m.group()),
    # Before the set phrases, so "1 km/h" is one kilometer per hour.
    _rule(
        "unit",
        rf"{_NOT_BEFORE_NUM}(?:(?P<a>{_DEC})[-–])?(?P<n>{_DEC})\s?"
        rf"(?P<unit>{alternation(u for u in _UNITS if not u.startswith('°'))})(?P<dot>\.)?(?![\w/]|\.\w)",
        _measure,
    ),
    _rule(
        "set-phrase",
        rf"(?<![\w/.,])(?:{alternation(_SET_PHRASES)})(?![\w/]|[.,]\d)",
        lambda m: _SET_PHRASES[m.group()],
    ),
    _rule("phone", _PHONE, _phone),
    _rule("date", r"(?<![\w.,-])(\d{4})-(\d{2})-(\d{2})(?![\w-]|[.,]\d)", _iso_date),
    _rule("date", r"(?<![\w/.,])(\d{1,2})/(\d{1,2})/(\d{4})(?![\w/]|[.,]\d)", _us_date),
    _rule("time", r"(?<![\w:.])(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s?(?P<ap>[AaPp])\.?\s?[Mm]\b\.?" + _ZONE, _clock_12h),
    _rule("time", r"(?<![\w:.])12(?::00)?\s+(noon|midnight)\b", lambda m: m.group(1)),
    _rule("time", r"(?<![\w:.])(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?![\w:]|[.,]\d)" + _ZONE, _clock_24h),
    _rule("date", rf"\b{_MONTH}\s+{_DAY}{_NOT_AFTER_NUM}{_DATE_YEAR}", _month_day),
    _rule("date", rf"{_NOT_BEFORE_NUM}{_DAY}\s+(?P<month>{_MONTH_NAME})\b{_DATE_YEAR}", _day_month),
    _rule("date", rf"\b{_MONTH}\s+(?P<year>\d{{4}}){_NOT_AFTER_NUM}", _month_year),
    _rule("decade", r"(?<![\w.,'’])(?:(?P<full>(?:1[1-9]|20)\d0)|['’]?(?P<short>[1-9]0))['’]?s(?!\w)", _decade),
    _rule("range", rf"(?<![\w.,/$£€¥-])(?P<a>{_YEAR4})[-–](?P<b>{_YEAR4}|\d\d)(?![\w/-]|[.,]\d)", _year_range),
    _rule("range", rf"(?<![\w.,/$£€¥-])(?P<a>{_DEC})[-–](?P<b>{_DEC})(?![\w/-]|[.,]\d)", _number_range),
    _rule(
        "money",
        rf"(?<![\w.,])(?P<us>US)?(?P<cur>[$£€¥])\s?(?P<amount>{_NUM})"
        rf"(?:\.(?P<frac>\d+))?(?:[-–](?P<to>{_NUM})(?![.,]\d))?{_SCALE}{_NOT_AFTER_NUM}",
        _money,
    ),
    _rule("percent", rf"{_NOT_BEFORE_NUM}(?P<n>{_DEC})\s?%", _percent),
    _rule("degrees", rf"(?<![\w.,])(?P<neg>-)?(?P<n>{_DEC})\s?°\s?(?P<unit>[FC])?(?!\w)", _degrees),
    _rule("year", rf"(?<![\w.,:$£€¥'’])(?P<y>{_YEAR4})(?![\w%°:]|[.,]\d|[-–/]\d)", _year),
    _rule("fraction", rf"{_NOT_BEFORE_NUM}(?:(?P<whole>\d+)\s)?(?P<a>\d+)/(?P<b>\d+)(?![\w/]|[.,]\d)", _fraction),
    _rule(
        "ordinal",
        rf"{_NOT_BEFORE_NUM}(?P<n>{_NUM})(?:st|nd|rd|th|ST|ND|RD|TH)(?!\w)",
        lambda m: ordinal(int(m.group("n").replace(",", ""))),
    ),
    _rule(
        "number-sign",
        rf"(?:\b(?P<sign>{alternation(_NUMBER_SIGNS)})\.\s?|#\s?)(?P<n>{_NUM}){_NOT_AFTER_NUM}",
        lambda m: f"{_NUMBER_SIGNS[m.group('sign')] if m.group('sign') else 'number'} {number(m.group('n'))}",
    ),
    _rule("number", rf"{_NOT_BEFORE_NUM}(?P<n>{_DEC}){_NOT_AFTER_NUM}", lambda m: number(m.group("n"))),
    # Before a name; a month that starts a date ("Dr. September 11") is not one, and the
    # date's spoken form ("September eleventh") must not turn into one on a second pass.
    _rule(
        "title",
        rf"\b(?P<abbr>{alternation(_TITLES)})\.(?={_GAP}[A-Z])(?!{_GAP}(?:{_MONTH_NAME})\b,?\s+[\da-z])",
        _title,
    ),
    _rule("abbreviation", rf"\b(?P<abbr>{alternation(_SAINT_OR_STREET)})\.(?!\w)", _saint_or_street),
    _rule("abbreviation", rf"\b(?P<abbr>{alternation(_SUFFIXES)})\.(?!\w)", _suffix),
    _rule("abbreviation", rf"(?<![\w.])(?P<abbr>{alternation(_PLAIN)})\.(?!\w)", _plain_abbreviation),
    _rule("initialism", r"(?<![\w.])(?:[A-Z]\.){2,}(?!\w)", _dotted),
    _rule(
        "initialism",
        r"(?<![\w&])([A-Z]{1,3})&([A-Z]{1,3})(?![\w&])",
        lambda m: f"{_spell(m.group(1))} and {_spell(m.group(2))}",
    ),
    # Not inside a hyphenated respelling ("KELL-uh-men") or a dotted name ("NPR.org").
    _rule("initialism", r"(?<![\w'’.])(?<!\w-)(?P<w>[A-Z]{2,5})(?P<pl>s)?(?![\w]|[-.]\w)", _initialism),
    _rule("symbol", r"\s*&\s*", lambda m: " and "),
    _rule("symbol", r"\s?%", lambda m: " percent"),
    _rule("symbol", r"(?<=\S)/(?=\S)", _slash),
    # An en dash left over from the ranges, or a typed "--", is a dash too.
    _rule("pause", rf"{_SPACE_BEFORE_PAUSE}(?:[—―–]|--)", _pause),
    _rule("pause", rf"{_SPACE_BEFORE_PAUSE}\((?=[^()]*\))", _pause),
    _rule("pause", r"\)", _close_paren),
)
