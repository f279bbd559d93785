from __future__ import annotations

import pytest
from conftest import ROOT, SEED

from broadcast.config import load_settings
from broadcast.input.plain import parse_article
from broadcast.model import Article, Part, Pauses
from broadcast.script.write import build_script, estimate_ms, place_name, render_script

GOLDEN = ROOT / "tests" / "golden" / "seed-script.txt"


def seed_script_text() -> str:
    settings = load_settings(None, ROOT / "voices")
    script = build_script(parse_article(SEED.read_text(encoding="utf-8"), str(SEED)))
    return render_script(script, settings.rates, settings.audio.pauses)


def test_seed_script_matches_golden_file() -> None:
    assert seed_script_text() == GOLDEN.read_text(encoding="utf-8")


def test_seed_script_parts_and_roles() -> None:
    script = build_script(parse_article(SEED.read_text(encoding="utf-8"), str(SEED)))
    parts = [c.part for c in script.cues]
    assert parts[0] is Part.INTRO and parts[-1] is Part.OUTRO
    assert parts.count(Part.BODY) == 8
    assert [c.text for c in script.cues if c.part is Part.ATTRIBUTION] == [
        "Anthony Kuhn contributed reporting from Seoul; Michele Kelemen reported from Washington, D.C."
    ]
    assert {c.role for c in script.cues if c.part is Part.BODY} == {"reporter"}
    assert {c.role for c in script.cues if c.part is not Part.BODY} == {"host"}
    everything = " ".join(c.text for c in script.cues)
    for chrome in ("Play Live Radio", "0:00", "Getty Images", "Alexey Nikolsky", "Copyright", "Next Up"):
        assert chrome not in everything
    assert script.cues[1].text.startswith("In Moscow, the Kremlin has confirmed")


@pytest.mark.parametrize(
    ("dateline", "spoken"),
    [
        ("MOSCOW", "Moscow"),
        ("WASHINGTON, D.C.", "Washington, D.C."),
        ("ST. LOUIS", "St. Louis"),
        ("RIO DE JANEIRO", "Rio de Janeiro"),
        ("PORTLAND, Maine", "Portland, Maine"),
    ],
)
def test_place_names(dateline: str, spoken: str) -> None:
    assert place_name(dateline) == spoken


def test_dateline_before_a_name_is_not_lowercased() -> None:
    art = Article(headline="H", body=("Putin arrived early.",), dateline="MOSCOW")
    assert build_script(art).cues[1].text == "From Moscow: Putin arrived early."


def test_article_without_site_authors_or_copyright() -> None:
    script = build_script(Article(headline="Quiet day", body=("Nothing happened.",)))
    assert script.cues[0].text == "Quiet day. Here is the story."
    assert script.cues[-1].text == "That was the story."


def test_estimate_counts_words_at_role_rates_and_pauses() -> None:
    script = build_script(Article(headline="One two three", body=("Four five six seven.",)))
    assert [c.text for c in script.cues] == [
        "One two three. Here is the story.",
        "Four five six seven.",
        "That was the story.",
    ]
    rates = {"host": 60, "reporter": 120}
    # The host says 7 + 4 words at one a second (11 s), the reporter 4 at two a second
    # (2 s), and the part changes from INTRO to BODY to OUTRO add 1 s each.
    assert estimate_ms(script, rates, Pauses(sentence=0, paragraph=0, part=1000, lead_in=0, tail=0)) == 15_000
    # One sentence break (in the intro), the lead-in and the tail; no paragraph break.
    assert estimate_ms(script, rates, Pauses(sentence=300, paragraph=700, part=1000, lead_in=500, tail=900)) == 16_700
