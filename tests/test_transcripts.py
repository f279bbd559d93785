"""Transcript pages become a multi-voice segment: each speaker turn read by that speaker's voice."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, run_cli

from broadcast.errors import ConfigError
from broadcast.input.speakers import speaker_label
from broadcast.model import Article, Casting, Part
from broadcast.script.turns import display_name, speaker_turns
from broadcast.script.write import build_script

TRANSCRIPT = FIXTURES / "articles" / "transcript-harbor-ferry.txt"
NO_HEADLINE = FIXTURES / "articles" / "no-headline-donation.txt"
CASTING = Casting()


def who(paragraphs: tuple[str, ...], casting: Casting = CASTING) -> list[tuple[str, str, str]]:
    return [(t.role, t.speaker, t.text) for t in speaker_turns(paragraphs, casting)]


@pytest.mark.parametrize(
    ("paragraph", "name", "role", "rest"),
    [
        ("ANTHONY KUHN, BYLINE: The talks ended.", "ANTHONY KUHN", "BYLINE", "The talks ended."),
        ("INSKEEP: Good morning.", "INSKEEP", "", "Good morning."),
        ("MARA LINDQVIST, host:", "MARA LINDQVIST", "host", ""),
        ("J. ROWE, BYLINE: Storms moved east.", "J. ROWE", "BYLINE", "Storms moved east."),
        ("ODA GARCIA-VELE: Yes.", "ODA GARCIA-VELE", "", "Yes."),
        ("UNIDENTIFIED PERSON #2: Over here!", "UNIDENTIFIED PERSON #2", "", "Over here!"),
        ("PIA NORD, Mayor of Eastby: We will rebuild.", "PIA NORD", "Mayor of Eastby", "We will rebuild."),
    ],
)
def test_speaker_labels_are_recognized(paragraph: str, name: str, role: str, rest: str) -> None:
    label = speaker_label(paragraph)
    assert label is not None
    assert (label.name, label.role, label.rest) == (name, role, rest)


@pytest.mark.parametrize(
    "paragraph",
    [
        "UPDATE: The road reopened at noon.",
        "JUNE 27, 2024: Crews contained the fire.",
        "The mayor said: we will rebuild.",
        "Officials in Eastby: none would comment.",
        "A: The answer is no.",
    ],
)
def test_ordinary_paragraphs_have_no_speaker_label(paragraph: str) -> None:
    assert speaker_label(paragraph) is None


def test_names_are_shown_in_title_case() -> None:
    assert display_name("LULA GARCIA-NAVARRO") == "Lula Garcia-Navarro"
    assert display_name("J. O'BRIEN") == "J. O'Brien"
    assert display_name("McDONALD") == "McDONALD"


def test_an_article_without_labels_is_read_by_the_reporter_unchanged() -> None:
    body = ("The board met on Tuesday.", "UPDATE: It met again on Wednesday.")
    assert who(body) == [("reporter", "", body[0]), ("reporter", "", body[1])]


def test_one_labelled_speaker_is_not_a_transcript() -> None:
    body = ("TESS HALE: We will rebuild.", "The mayor spoke after the storm.")
    assert who(body)[0] == ("reporter", "", "TESS HALE: We will rebuild.")


def test_hosts_reporters_and_guests_get_their_voices_and_surnames_refer_back() -> None:
    body = (
        "MARA LINDQVIST, HOST:",
        "Good morning. The river rose overnight.",
        "Our correspondent is there.",
        "OWEN PIKE, BYLINE: The water is at the second step of the church.",
        "ELSA BRAND: We moved everything upstairs at midnight.",
        "PIKE: Her neighbor stayed put.",
        "TOMAS REYE: I have seen worse, in 1997.",
        "ADA QUILL: The pumps failed twice.",
        "LINDQVIST: Owen, thank you.",
    )
    assert who(body) == [
        ("host", "Mara Lindqvist", "Good morning. The river rose overnight."),
        ("host", "Mara Lindqvist", "Our correspondent is there."),
        ("reporter", "Owen Pike", "The water is at the second step of the church."),
        ("guest1", "Elsa Brand", "We moved everything upstairs at midnight."),
        ("reporter", "Owen Pike", "Her neighbor stayed put."),
        ("guest2", "Tomas Reye", "I have seen worse, in 1997."),
        ("guest1", "Ada Quill", "The pumps failed twice."),  # guests alternate over the guest voices
        ("host", "Mara Lindqvist", "Owen, thank you."),
    ]


def test_the_opening_is_the_hosts_and_a_self_introduction_names_them() -> None:
    body = (
        "This is Noon Report. I'm Hal Verne in Eastby.",
        "RUTH BELL, BYLINE: The bridge opened at dawn.",
        "VERNE: Ruth, who came?",
        "BELL: Half the town.",
    )
    assert [(r, s) for r, s, _ in who(body)] == [
        ("host", "Hal Verne"),
        ("reporter", "Ruth Bell"),
        ("host", "Hal Verne"),
        ("reporter", "Ruth Bell"),
    ]


def test_without_a_host_label_the_first_named_interviewer_hosts() -> None:
    body = (
        "KAI MORROW: What changed your mind about the dam?",
        "GOVERNOR ELLA FENN: The numbers did.",
        "MORROW: Which numbers?",
    )
    assert [(r, s) for r, s, _ in who(body)] == [
        ("host", "Kai Morrow"),
        ("guest1", "Governor Ella Fenn"),
        ("host", "Kai Morrow"),
    ]


def test_the_speakers_table_casts_a_speaker_by_name() -> None:
    body = ("NINA COLE, HOST: Welcome.", "IVO TALL: Thanks.", "JUNE OAK: Hello.")
    casting = Casting(speakers=(("June Oak", "guest1"), ("IVO TALL", "guest2")), guests=("guest1", "guest2"))
    assert [r for r, _, _ in who(body, casting)] == ["host", "guest2", "guest1"]


def test_guests_without_a_guest_voice_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="Ivo Tall needs a guest voice"):
        who(("NINA COLE, HOST: Welcome.", "IVO TALL: Thanks."), Casting(guests=()))


def test_the_script_frames_the_turns_with_intro_and_sign_off() -> None:
    article = Article(
        headline="Dam vote",
        body=("KAI MORROW, HOST: Why now?", "ELLA FENN: The numbers."),
        site="Eastby Radio",
    )
    script = build_script(article)
    assert [(c.part, c.role, c.speaker) for c in script.cues] == [
        (Part.INTRO, "host", ""),
        (Part.BODY, "host", "Kai Morrow"),
        (Part.BODY, "guest1", "Ella Fenn"),
        (Part.OUTRO, "host", ""),
    ]
    assert script.lede == "Why now?"


def test_script_command_shows_who_speaks_and_speaks_no_labels() -> None:
    printed = run_cli("script", TRANSCRIPT)
    assert printed.returncode == 0, printed.stderr
    assert "[04] BODY (reporter: Theo Marsh)" in printed.stdout
    assert "[05] BODY (guest1: Ruth Okafor)" in printed.stdout
    assert "[07] BODY (guest2: Glen Pardee)" in printed.stdout
    assert "[09] BODY (host: Dana Whitlock)" in printed.stdout
    spoken = run_cli("script", "--spoken", TRANSCRIPT)
    assert spoken.returncode == 0, spoken.stderr
    assert "Council member Glen Pardee voted against the subsidy." in spoken.stdout
    assert not re.search(r"\b(?:MARSH|OKAFOR|WHITLOCK|PARDEE|BYLINE|HOST)\b", spoken.stdout)


def test_derived_title_is_flagged_in_the_header_unless_given(tmp_path: Path) -> None:
    derived = run_cli("script", NO_HEADLINE)
    assert derived.returncode == 0, derived.stderr
    assert derived.stdout.splitlines()[0].endswith("(from the lede: the page has no headline)")
    given = run_cli("script", NO_HEADLINE, "--title", "Water rates rise")
    assert given.stdout.splitlines()[0] == "TITLE:   Water rates rise"


def test_derived_title_is_recorded_in_episode_json(tmp_path: Path, fake_voices: Path) -> None:
    for args, flag in (((), True), (("--title", "Water rates rise"), False)):
        out = tmp_path / f"out-{flag}"
        done = run_cli("build", NO_HEADLINE, "--voices", fake_voices, "--output", out, "--quiet", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        (record,) = out.glob("*/episode.json")
        assert json.loads(record.read_text())["title_derived"] is flag


def test_transcript_builds_with_at_least_three_voices_and_named_captions(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("build", TRANSCRIPT, "--voices", ROOT / "voices", "--output", out, "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (folder,) = (p for p in out.iterdir() if p.is_dir())
    record = json.loads((folder / "episode.json").read_text())
    body = [c for c in record["cues"] if c["part"] == "BODY"]
    used = {record["voices"][c["role"]]["voice"] for c in record["cues"]}
    assert len(used) >= 3
    assert {c["speaker"] for c in body} == {"Dana Whitlock", "Theo Marsh", "Ruth Okafor", "Glen Pardee"}
    vtt = (folder / "transcript.vtt").read_text()
    for name in ("Dana Whitlock", "Theo Marsh", "Ruth Okafor", "Glen Pardee"):
        assert f"<v {name}>" in vtt
    assert "<v Host>Harbor Town Votes On Keeping Its Last Ferry." in vtt  # the intro still frames it
    assert "MARSH:" not in vtt
    chapters = json.loads((folder / "chapters.json").read_text())["chapters"]
    assert len(chapters) <= len(Part)  # chapters stay per part, not per speaker


SOUNDBITES = FIXTURES / "articles" / "transcript-no-headline-soundbite.txt"


def test_stage_directions_are_not_spoken_and_labels_are_not_the_title() -> None:
    proc = run_cli("script", "--spoken", SOUNDBITES)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "SOUNDBITE" not in out and "LAUGHTER" not in out
    assert out.startswith("TITLE:   This is Evening Desk  (from the lede: the page has no headline)\n")
    assert "SOURCE:  Lakeshore Public Radio" in out  # the copyright holder, not the whole notice line
    assert "BODY (reporter: Owen Talbot)" in out and "BODY (guest1: Pearl Ashby)" in out
