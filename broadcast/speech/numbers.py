"""Numbers in words, as an American newsreader says them: cardinals, ordinals, years, digits."""

from __future__ import annotations

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# Short scale, as American English counts; number() reads 16 digits and more digit by digit.
_SCALES = ("", "thousand", "million", "billion", "trillion", "quadrillion", "quintillion")
# The ordinals that are not the cardinal plus "th" ("twenty" -> "twentieth" is the "y" rule).
_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def _below_thousand(n: int) -> list[str]:
    words = [DIGITS[n // 100], "hundred"] if n >= 100 else []
    n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{DIGITS[n % 10]}" if n % 10 else ""))
    elif n >= 10:
        words.append(_TEENS[n - 10])
    elif n or not words:
        words.append(DIGITS[n])
    return words


def cardinal(n: int) -> str:
    """1205 -> 'one thousand two hundred five': as an American newsreader says it, without the
    British "and" or the pause after "thousand"."""
    if n < 0:
        return "minus " + cardinal(-n)
    if n >= 1000 ** len(_SCALES):
        return digits(str(n))
    groups = []
    scale = 0
    while n or not groups:
        n, group = divmod(n, 1000)
        if group or (n == 0 and not groups):
            groups.append(" ".join(_below_thousand(group) + ([_SCALES[scale]] if scale else [])))
        scale += 1
    return " ".join(reversed(groups))


def ordinal(n: int) -> str:
    """21 -> 'twenty-first'; 100 -> 'one hundredth'."""
    words = cardinal(n)
    head, last = words[: len(words) - len(_last_word(words))], _last_word(words)
    if last in _ORDINALS:
        return head + _ORDINALS[last]
    return head + (last[:-1] + "ieth" if last.endswith("y") else last + "th")


def _last_word(words: str) -> str:
    return words.replace("-", " ").rpartition(" ")[2]


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
