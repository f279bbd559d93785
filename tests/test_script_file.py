"""The script file format: it round-trips exactly, and a malformed file reports every problem at once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import SEED
from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.errors import ArticleError
from broadcast.input.source import load_article
from broadcast.model import Bio, Cue, Part, Pronunciation
from broadcast.script.script_file import ScriptFile, parse_script_file, render_script_file, script_file
from broadcast.script.write import build_script

ROLES = ("host", "reporter", "guest1", "guest2")
_BLANKS = " \t\r\f\v\n"

# Any character but the ones that separate words and lines; braces and bars are literal in plain text.
# (A script file's text has one space between words: other spaces, NBSP among them, read as one.)
_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
_plain_word = st.one_of(st.text(_CHARS, min_size=1, max_size=12), st.text(_CHARS, min_size=77, max_size=120))
# A pronounced word is a name: letters, inside one sentence.
_name_word = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo")), min_size=1, max_size=10)
_phonemes = st.from_regex(r"[@a-zA-Z',:3]{1,8}( [@a-zA-Z',:3]{1,8}){0,2}", fullmatch=True)
_respelling = st.from_regex(r"[A-Za-z]{1,6}(-[A-Za-z]{1,6}){0,2}", fullmatch=True)
_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=40).map(
    lambda s: s.strip(_BLANKS)
)


@st.composite
def cue_texts(draw: st.DrawFn) -> tuple[str, tuple[Pronunciation, ...]]:
    text, spans = "", []
    for _ in range(draw(st.integers(1, 6))):
        joint = " " if text else ""
        if draw(st.booleans()):
            text += joint + " ".join(draw(st.lists(_plain_word, min_size=1, max_size=5)))
            continue
        if text and draw(st.booleans()):
            joint = ""  # a pronunciation may touch its neighbours: {Kuhn|k'u:n}'s
        written = " ".join(draw(st.lists(_name_word, min_size=1, max_size=3)))
        start = len(text) + len(joint)
        text += joint + written
        kind = draw(st.sampled_from(["espeak", "both", "say", "entry"]))
        if kind == "entry":
            spans.append(Pronunciation(start, len(text), entry=" ".join(draw(st.lists(_name_word, min_size=1)))))
        else:
            espeak = draw(_phonemes) if kind != "say" else ""
            say = draw(_respelling) if kind != "espeak" else ""
            spans.append(Pronunciation(start, len(text), espeak=espeak, say=say))
    return text, tuple(spans)


@st.composite
def cues(draw: st.DrawFn) -> Cue:
    text, spans = draw(cue_texts())
    speaker = draw(st.one_of(st.just(""), _line.filter(lambda s: s and "(" not in s and ")" not in s)))
    return Cue(
        draw(st.sampled_from(list(Part))),
        draw(st.sampled_from(ROLES)),
        text,
        speaker,
        voice=draw(st.one_of(st.just(""), st.from_regex(r"[a-z]{2,4}/[a-z-]{2,12}", fullmatch=True))),
        rate=draw(st.one_of(st.just(0), st.integers(60, 500))),
        pause_ms=draw(st.one_of(st.none(), st.integers(0, 10_000))),
        pronunciations=spans,
    )


_zones = st.one_of(
    st.none(),
    st.timedeltas(timedelta(hours=-23, minutes=-59), timedelta(hours=23, minutes=59)).map(
        lambda d: timezone(timedelta(minutes=d // timedelta(minutes=1)))
    ),
    st.builds(
        lambda m, name: timezone(timedelta(minutes=m), name),
        st.integers(-12 * 60, 14 * 60),
        st.from_regex(r"[A-Za-z]{1,5}", fullmatch=True),
    ),
)
_names = st.from_regex(r"[A-Z][a-zé'.-]{0,8}( [A-Z][a-zé'.-]{0,10}){0,2}", fullmatch=True)
_authors = st.from_regex(r"[A-Z][a-zé'.-]{0,8}( [A-Z][a-zé'.-]{0,10}){0,2}(, Jr\.)?", fullmatch=True)

script_files = st.builds(
    ScriptFile,
    title=_line.filter(bool),
    cues=st.lists(cues(), min_size=1, max_size=6).map(tuple),
    site=_line,
    published=st.one_of(st.none(), st.datetimes(datetime(1900, 1, 2), datetime(2100, 12, 30), timezones=_zones)),
    authors=st.lists(_authors, max_size=3).map(tuple),  # a comma in a name ("Sam Doe, Jr.") too
    url=_line,
    link=_line,
    identity=_line,
    language=st.from_regex(r"[a-z]{2,3}", fullmatch=True),
    copyright=_line,
    dateline=_line,
    lede=_line,
    bios=st.lists(st.builds(Bio, _names, _line.filter(bool)), max_size=2).map(tuple),
)


@settings(max_examples=200, deadline=None)
@given(script_files)
def test_parse_undoes_render(sf: ScriptFile) -> None:
    text = render_script_file(sf)
    assert parse_script_file(text, "x.script", ROLES) == sf
    assert render_script_file(parse_script_file(text, "x.script", ROLES)) == text


def test_the_seed_round_trips_and_keeps_its_identity() -> None:
    article = load_article(str(SEED))
    sf = script_file(article, build_script(article))
    text = render_script_file(sf)
    again = parse_script_file(text, "seed.script", ROLES)
    assert again == sf
    assert render_script_file(again) == text
    assert again.script().cues == build_script(article).cues
    assert text.splitlines()[7].startswith("[01] INTRO (host)") or "[01] INTRO (host)" in text
    assert all(len(line) <= 76 for line in text.split("\n\n", 1)[1].splitlines() if line.startswith("    "))


def test_the_format_as_documented() -> None:
    text = (
        "# broadcast script 1\n"
        "TITLE: A headline\n"
        "DATE: 2023-09-11T14:59:00-04:00 EDT\n"
        "AUTHORS: Ann Lee, Bo Park\n"
        "ID: story-17\n"
        "# a comment\n"
        "\n"
        "[1] INTRO (host)\n"
        "    Good evening.\n"
        "[pause 800ms]\n"
        "[] BODY (guest1: Sharon Watson) voice=gmw/en-gb-scotland rate=150\n"
        "  Professor {Kuhn|k'u:n} met {Ms. Kelemen||KELL-uh-men}\n"
        "\tand {KUHN|@Kuhn} {{not a pronunciation}} | a bar.\n"
    )
    sf = parse_script_file(text, "s.script", ROLES)
    intro, body = sf.cues
    assert sf.title == "A headline" and sf.authors == ("Ann Lee", "Bo Park") and sf.identity == "story-17"
    assert sf.published == datetime(2023, 9, 11, 18, 59, tzinfo=timezone.utc)
    assert (intro.part, intro.role, intro.text, intro.pause_ms) == (Part.INTRO, "host", "Good evening.", None)
    assert (body.role, body.speaker, body.voice, body.rate, body.pause_ms) == (
        "guest1",
        "Sharon Watson",
        "gmw/en-gb-scotland",
        150,
        800,
    )
    assert body.text == "Professor Kuhn met Ms. Kelemen and KUHN {not a pronunciation} | a bar."
    assert [body.text[p.start : p.end] for p in body.pronunciations] == ["Kuhn", "Ms. Kelemen", "KUHN"]
    assert body.pronunciations[0].espeak == "k'u:n" and body.pronunciations[1].say == "KELL-uh-men"
    assert body.pronunciations[2].entry == "Kuhn"
    article = sf.article()
    assert article.body == (body.text,) and article.identity == "story-17"
    rendered = render_script_file(sf)
    assert "[02] BODY (guest1: Sharon Watson) voice=gmw/en-gb-scotland rate=150" in rendered
    assert "[pause 800ms]\n\n[02]" in rendered


def test_every_problem_is_reported_at_once_with_its_line() -> None:
    text = (
        "# broadcast script 1\n"  # 1
        "TITLE: One\n"  # 2
        "TITLE: Two\n"  # 3
        "COLOR: red\n"  # 4
        "DATE: yesterday\n"  # 5
        "[01] INTRO (host)\n"  # 6
        "    Fine.\n"  # 7
        "[02] BODY (hots) rate=900\n"  # 8
        "    Also fine.\n"  # 9
        "[03] BDY (reporter)\n"  # 10
        "    Words.\n"  # 11
        "[04] BODY (reporter)\n"  # 12
        "    A stray } and an {unclosed brace and {Kuhn|@Nobody}.\n"  # 13
        "[pause 20s]\n"  # 14
        "[05] OUTRO (host)\n"  # 15
        "[pause 100ms]\n"  # 16
    )
    with pytest.raises(ArticleError) as caught:
        parse_script_file(text, "story.script", ROLES, has_entry=lambda t: t == "Kuhn")
    assert str(caught.value).splitlines() == [
        "story.script:3: TITLE is given twice (first on line 2)",
        "story.script:4: unknown header key 'COLOR' (keys: TITLE, SOURCE, DATE, AUTHORS, URL, LINK, ID, "
        "LANGUAGE, COPYRIGHT, DATELINE, LEDE, BIO)",
        "story.script:5: DATE 'yesterday' is not ISO 8601 (write 2023-09-11T14:59:00-04:00)",
        "story.script:8: unknown role 'hots' (roles: host, reporter, guest1, guest2)",
        "story.script:8: bad rate '900' (words per minute, 60 to 500)",
        "story.script:10: unknown part 'BDY' (parts: INTRO, BODY, ATTRIBUTION, OUTRO)",
        "story.script:13: '}' without '{' (write }} for a brace in the text)",
        "story.script:13: unclosed '{' (write {written|phonemes}, or {{ for a brace in the text)",
        "story.script:13: {Kuhn|@Nobody}: the lexicon has no entry 'Nobody'",
        "story.script:14: bad pause '[pause 20s]' (write [pause 800ms], 0 to 10000 ms)",
        "story.script:15: the cue has no text (remove its heading to drop it)",
        "story.script:16: a pause with no cue after it",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("TITLE: x\n", "2: no cues"),
        ("TITLE: x\n[01] BODY (host)\n    a {b} c\n", "4: {b} has no '|'"),
        ("[01] BODY (host)\n    a\n", "1: no TITLE"),
        ("TITLE: x\n    stray\n[01] BODY (host)\n    a\n", "3: text before the first cue heading"),
        ("TITLE: x\n[01] BODY (host)\n    a\nTITLE: y\n", "5: unexpected line 'TITLE: y'"),
        ("TITLE: x\n[01] BODY (host) speed=2\n    a\n", "3: unknown setting 'speed=2'"),
        ("TITLE: x\n[pause 1ms]\n[pause 2ms]\n[01] BODY (host)\n    a\n", "4: a second pause"),
    ],
)
def test_one_problem(text: str, problem: str) -> None:
    with pytest.raises(ArticleError, match="x.script:") as caught:
        parse_script_file("# broadcast script 1\n" + text, "x.script", ROLES)
    assert problem in str(caught.value)


def test_a_file_without_the_marker_or_of_a_later_format() -> None:
    with pytest.raises(ArticleError, match=r"x.script:1: not a script file"):
        parse_script_file("TITLE: x\n", "x.script")
    with pytest.raises(ArticleError, match=r"format '2'; this broadcast reads format 1"):
        parse_script_file("# broadcast script 2\nTITLE: x\n", "x.script")


def test_a_pronunciation_is_never_split_between_clips() -> None:
    from broadcast.model import Script, VoiceProfile
    from broadcast.speech.spoken import speak_script

    words = " ".join(f"word{n}," for n in range(40))
    sf = parse_script_file(
        f"# broadcast script 1\nTITLE: t\n[01] BODY (host)\n    {words} {{Kim Jong Un|k'Im dZ,0N 'u:n}} {words} end.\n",
        "x.script",
    )
    script: Script = sf.script()
    spoken = speak_script(script, None, lambda _r: VoiceProfile("h", "pyttsx3", "v", 165, 1.0)).cues[0]
    assert len(spoken.written) > 1  # a long sentence, spoken in pieces
    assert " ".join(spoken.written) == script.cues[0].text
    said = [c for s in spoken.spoken for c in s.changes if c.rule == "pronunciation"]
    assert [(c.written, c.spoken) for c in said] == [("Kim Jong Un", "[[k'Im dZ,0N 'u:n]]")]
