"""The pronunciation lexicon: matching, engines, the shipped file, errors, PLS."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from broadcast.errors import ConfigError
from broadcast.speech.lexicon import Entry, Lexicon, export_pls, import_pls, load_lexicon
from broadcast.speech.spoken import to_spoken

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "voices" / "lexicon.toml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lexicon"
PLS = "http://www.w3.org/2005/01/pronunciation-lexicon"

LEX = Lexicon(
    (
        Entry("Kuhn", "KOON", "k'u:n"),
        Entry("Kim", "KIMM"),
        Entry("Kim Jong Un", "Kim Jong Oon", "k'Im dZ,0N 'u:n"),
        Entry("Vladivostok", "vlad-dih-vuh-STOCK", case_sensitive=False),
    )
)


def said(text: str, engine: str = "piper", lexicon: Lexicon = LEX) -> str:
    """What the engine is given: the public path, lexicon and rules together."""
    return to_spoken(text, lexicon, engine).text


def test_whole_words_only() -> None:
    assert said("Kuhnert and McKuhn met Kuhn.") == "Kuhnert and McKuhn met KOON."
    assert said("Kuhn's report, Kuhn-led") == "KOON's report, KOON-led"


def test_case_sensitive_by_default_and_insensitive_on_request() -> None:
    assert said("KUHN and kuhn") == "KUHN and kuhn"
    assert said("VLADIVOSTOK, vladivostok") == "vlad-dih-vuh-STOCK, vlad-dih-vuh-STOCK"


def test_phrase_wins_over_the_word_it_starts_with() -> None:
    assert said("Kim Jong Un met Kim.") == "Kim Jong Oon met KIMM."
    assert said("Kim Jong\n  Un") == "Kim Jong Oon"  # any spacing between the words


def test_engine_specific_output() -> None:
    text = "Kuhn in Vladivostok"
    assert said(text, "pyttsx3") == "[[k'u:n]] in vlad-dih-vuh-STOCK"  # no phonemes: respelling
    assert said(text, "piper") == "KOON in vlad-dih-vuh-STOCK"
    assert said(text, "fake") == "KOON in vlad-dih-vuh-STOCK"


def test_changes_carry_offsets_in_the_input() -> None:
    spoken = to_spoken("Ask Kuhn.", LEX, "pyttsx3")
    assert spoken.text == "Ask [[k'u:n]]."
    assert [(c.start, c.end, c.written, c.spoken, c.rule) for c in spoken.changes] == [
        (4, 8, "Kuhn", "[[k'u:n]]", "lexicon")
    ]


def test_no_lexicon_changes_nothing() -> None:
    for lexicon in (None, Lexicon()):
        spoken = to_spoken("Ask Kuhn.", lexicon)
        assert (spoken.text, spoken.changes) == ("Ask Kuhn.", ())


def test_lexicon_runs_first_and_its_output_is_not_renormalized() -> None:
    lex = Lexicon((Entry("G7", "gee seven", "dZ'i: s'Ev@n"), Entry("AARP", "A-A-R-P")))
    spoken = to_spoken("The G7 and AARP met in 2019.", lex, "pyttsx3")
    assert spoken.text == "The [[dZ'i: s'Ev@n]] and A-A-R-P met in twenty nineteen."
    assert [c.rule for c in spoken.changes] == ["lexicon", "lexicon", "year"]
    # Phoneme markup is spoken as is: its digits are not numbers.
    assert to_spoken(spoken.text, lex, "pyttsx3").text == spoken.text


def test_shipped_lexicon_loads_and_covers_the_seed() -> None:
    lex = load_lexicon(SHIPPED)
    texts = {e.text for e in lex.entries}
    assert {"Kelemen", "Kuhn", "Vladivostok", "Yonhap", "Kim Jong Un", "Putin"} <= texts
    assert all(e.say and e.espeak for e in lex.entries)
    seed = (ROOT / "tests" / "golden" / "seed-script.txt").read_text(encoding="utf-8")
    for engine in ("pyttsx3", "piper"):
        once = to_spoken(seed, lex, engine).text
        assert to_spoken(once, lex, engine).text == once
    assert "[[k'El@m@n]]" in to_spoken("Michele Kelemen", lex, "pyttsx3").text
    # A respelling is itself left alone by every rule: it reaches the engine as written.
    for e in lex.entries:
        assert to_spoken(e.say).text == e.say


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "lexicon.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[[entry]]\ntext = "Kuhn"\nsay = ', "malformed TOML"),
        ('[[entry]]\ntext = "Kuhn"\n', "missing 'say'"),
        ('[[entry]]\nsay = "KOON"\n', "missing 'text'"),
        ('[[entry]]\ntext = "Kuhn"\nsay = "KOON"\nipa = "kuːn"\n', "unknown key 'ipa'"),
        ('title = "x"\n', "unknown key 'title'"),
        ('entry = "Kuhn"\n', "array of tables"),
        ('[[entry]]\ntext = "Kuhn"\nsay = ""\n', "non-empty string"),
        ('[[entry]]\ntext = "Kuhn"\nsay = "KOON"\ncase_sensitive = "yes"\n', "true or false"),
        ('[[entry]]\ntext = "Kuhn"\nsay = "[[k]]"\n', "must not contain"),
        (
            '[[entry]]\ntext = "Kuhn"\nsay = "KOON"\n[[entry]]\ntext = "Kuhn"\nsay = "KUHN"\n',
            "duplicates an earlier entry 'Kuhn'",
        ),
        (
            (
                '[[entry]]\ntext = "Kuhn"\nsay = "KOON"\n'
                '[[entry]]\ntext = "KUHN"\nsay = "KUHN"\ncase_sensitive = false\n'
            ),
            "duplicates",
        ),
    ],
)
def test_bad_files_are_one_line_config_errors(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as err:
        load_lexicon(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_case_variants_are_not_duplicates_when_both_are_case_sensitive(tmp_path: Path) -> None:
    path = _write(
        tmp_path, '[[entry]]\ntext = "Polish"\nsay = "POH-lish"\n[[entry]]\ntext = "polish"\nsay = "POLL-ish"\n'
    )
    assert said("Polish polish", lexicon=load_lexicon(path)) == "POH-lish POLL-ish"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope.toml: no such file"):
        load_lexicon(tmp_path / "nope.toml")


def test_empty_file_is_an_empty_lexicon(tmp_path: Path) -> None:
    assert load_lexicon(_write(tmp_path, "# nothing yet\n")) == Lexicon()


def test_pls_round_trip(tmp_path: Path) -> None:
    original = load_lexicon(SHIPPED)
    xml = export_pls(original)
    assert '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"' in xml
    assert 'xml:lang="en-US"' in xml and 'alphabet="x-espeak"' in xml
    path = tmp_path / "out.pls"
    path.write_text(xml, encoding="utf-8")
    assert import_pls(path) == original
    tricky = Lexicon((Entry("AT&T <Co>", "A T and T", "'eI t'i: @n t'i:", case_sensitive=False),))
    path.write_text(export_pls(tricky), encoding="utf-8")
    assert import_pls(path) == tricky


def test_import_handwritten_pls() -> None:
    lex = import_pls(FIXTURES / "handwritten.pls")
    assert lex.entries == (
        Entry("Zelenskyy", "zuh-LENSS-kee"),  # the IPA phoneme is not espeak: dropped
        Entry("Zelensky", "zuh-LENSS-kee"),
        Entry("Kyiv", "KEEV", "k'i:v", case_sensitive=False),
        Entry("Qatar", "Qatar", "k'Vt@"),  # phonemes only: the respelling is the word
    )
    assert said("KYIV and Qatar", "pyttsx3", lex) == "[[k'i:v]] and [[k'Vt@]]"


def test_pls_with_doctype_or_entities_is_refused() -> None:
    with pytest.raises(ConfigError, match="DOCTYPE and entity declarations are not allowed"):
        import_pls(FIXTURES / "doctype.pls")


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<lexicon", "malformed XML"),
        ('<lexicon xmlns="urn:other"/>', "not a PLS lexicon"),
        (
            (
                f'<lexicon version="1.0" xmlns="{PLS}" alphabet="ipa">'
                "<lexeme><grapheme>Kuhn</grapheme><phoneme>kuːn</phoneme></lexeme></lexicon>"
            ),
            "neither an alias nor x-espeak phonemes",
        ),
        (
            (f'<lexicon version="1.0" xmlns="{PLS}" alphabet="ipa"><lexeme><alias>x</alias></lexeme></lexicon>'),
            "has no grapheme",
        ),
    ],
)
def test_bad_pls(tmp_path: Path, xml: str, message: str) -> None:
    path = tmp_path / "bad.pls"
    path.write_text(xml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        import_pls(path)


def test_pls_import_refuses_a_fifo_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "names.pls"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="names.pls: is a FIFO, not a lexicon"):
        import_pls(fifo)
