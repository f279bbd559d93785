"""Numbers in words, as an American newsreader says them: cardinals, ordinals, years, digits."""

from __future__ import annotations

from num2words import num2words

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _tidy(words: str) -> str:
    # num2words writes British "one hundred and five" and "one thousand, two hundred";
    # an American newsreader says neither the "and" nor the pause.
    return words.replace(",", "").replace(" and ", " ")


def cardinal(n: int) -> str:
    return _tidy(num2words(n, lang="en"))


def ordinal(n: int) -> str:
    return _tidy(num2words(n, lang="en", to="ordinal"))


def digits(s: str, zero: str = "zero") -> str:
    return " ".join(zero if d == "0" else DIGITS[int(d)] for d in s)


def number(written: str) -> str:
    """'1,200' -> 'one thousand two hundred'; '2.5' -> 'two point five'; '007' -> digits."""
    whole, _, frac = written.replace(",", "").partition(".")
    # A leading zero or a very long run is a code, not a quantity: read it digit by digit.
    if (len(whole) > 1 and whole.startswith("0")) or len(whole) > 15:
        words = digits(whole)
    else:
        words = cardinal(int(whole))
    return f"{words} point {digits(frac)}" if frac else words


def is_year(n: int) -> bool:
    return 1100 <= n <= 2099


def year(n: int) -> str:
    """1100..2099 as a year is said: 'nineteen oh five', 'two thousand seven', 'twenty nineteen'."""
    if 2000 <= n <= 2009:
        return cardinal(n)
    hi, lo = divmod(n, 100)
    if lo == 0:
        return f"{cardinal(hi)} hundred"
    if lo < 10:
        return f"{cardinal(hi)} oh {cardinal(lo)}"
    return f"{cardinal(hi)} {cardinal(lo)}"


def plural(words: str) -> str:
    """'nineteen ninety' -> 'nineteen nineties'; 'eighteen hundred' -> 'eighteen hundreds'."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return f"{head} {last}".strip()
