"""Numbers in words: our own English, checked against num2words (a test-only reference)."""

from __future__ import annotations

import random

import pytest
from num2words import num2words

from broadcast.speech.numbers import cardinal, number, ordinal, year


def _american(words: str) -> str:
    """num2words writes the British "one hundred and five" and "one thousand, two hundred"."""
    return words.replace(",", "").replace(" and ", " ")


@pytest.mark.parametrize(
    ("n", "said"),
    [
        (0, "zero"),
        (15, "fifteen"),
        (40, "forty"),
        (105, "one hundred five"),
        (1200, "one thousand two hundred"),
        (1_000_021, "one million twenty-one"),
        (-3, "minus three"),
    ],
)
def test_cardinals_as_a_newsreader_says_them(n: int, said: str) -> None:
    assert cardinal(n) == said


@pytest.mark.parametrize(
    ("n", "said"),
    [(1, "first"), (2, "second"), (3, "third"), (12, "twelfth"), (20, "twentieth"), (21, "twenty-first")]
    + [(100, "one hundredth"), (1009, "one thousand ninth"), (1_000_000, "one millionth")],
)
def test_ordinals(n: int, said: str) -> None:
    assert ordinal(n) == said


def test_every_number_up_to_a_quadrillion_reads_as_num2words_reads_it() -> None:
    rng = random.Random(7)
    numbers = list(range(0, 3000)) + [rng.randrange(10 ** rng.randint(4, 18)) for _ in range(4000)]
    numbers += [10**k for k in range(19)] + [10**k - 1 for k in range(1, 19)]
    for n in numbers:
        assert cardinal(n) == _american(num2words(n, lang="en")), n
        assert ordinal(n) == _american(num2words(n, lang="en", to="ordinal")), n


def test_years_and_written_numbers() -> None:
    assert [year(1905), year(2007), year(2019), year(1800)] == [
        "nineteen oh five",
        "two thousand seven",
        "twenty nineteen",
        "eighteen hundred",
    ]
    assert number("1,200") == "one thousand two hundred"
    assert number("2.5") == "two point five"
    assert number("007") == "zero zero seven"
