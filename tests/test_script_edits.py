"""Editing a script file and building from it, through the command line as a producer does it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLI, ROOT, SEED, run_cli
from fake_engine import CALL_LOG

PAUSE = "[pause 800ms]"
RESPELLED = "{Kremlin||KREMM-linn}"


def _cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CLI), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def edit_seed_script(text: str, voice: str = "") -> tuple[str, str, str]:
    """The issue's edits: cue 05 removed, cue 08 given to the host, a pause before cue 04, a name
    respelled in cue 03 (which also gets its own voice and rate). Returns the new text, the
    removed cue's text and the recast cue's text."""
    header, *blocks = re.split(r"\n\n(?=\[\d\d\])", text)
    removed = " ".join(blocks[4].split("\n", 1)[1].split())
    recast = " ".join(blocks[7].split("\n", 1)[1].split())
    assert blocks[2].startswith("[03] BODY (reporter)\n") and "The Kremlin's press" in blocks[2]
    overrides = f" voice={voice} rate=120" if voice else ""
    blocks[2] = blocks[2].replace("(reporter)", f"(reporter){overrides}", 1).replace("Kremlin", RESPELLED, 1)
    blocks[3] = f"{PAUSE}\n\n{blocks[3]}"
    blocks[7] = blocks[7].replace("BODY (reporter)", "BODY (host)", 1)
    del blocks[4]
    return "\n\n".join([header, *blocks]), removed, recast


def _voices(folder: Path) -> Path:
    folder.mkdir()
    for role, rate in (("host", 165), ("reporter", 180)):
        (folder / f"{role}.toml").write_text(f'engine = "fake"\nvoice = "tone"\nrate = {rate}\nvolume = 0.8\n')
    return folder


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The seed built as an article and, edited, as a script file (fake engine, one build each)."""
    d = tmp_path_factory.mktemp("edits")
    voices = _voices(d / "voices")
    config = d / "plain.toml"
    config.write_text("")
    story = d / "story.script"
    made = _cli("script", SEED, "--voices", voices, "-o", story)
    assert made.returncode == 0, made.stderr
    text, removed, recast = edit_seed_script(story.read_text(encoding="utf-8"), voice="tone2")
    story.write_text(text, encoding="utf-8")
    common = ["--voices", voices, "--config", config, "--quiet"]
    seed = _cli("build", SEED, "--output", d / "seed-out", *common)
    assert seed.returncode == 0, seed.stderr
    log = d / "engine.log"
    built = _cli("build", story, "--output", d / "out", *common, env={CALL_LOG: str(log)})
    assert built.returncode == 0, built.stderr
    (seed_folder,) = [p for p in (d / "seed-out").iterdir() if p.is_dir()]
    folders = [p for p in (d / "out").iterdir() if p.is_dir()]
    assert len(folders) == 1
    return {
        "dir": d,
        "story": story,
        "voices": voices,
        "seed": seed_folder,
        "folder": folders[0],
        "removed": removed,
        "recast": recast,
        "engine": [
            dict(zip(("voice", "rate", "text"), line.split("\t", 2), strict=True))
            for line in log.read_text().splitlines()
        ],
    }


def _record(folder: Path) -> dict:
    return json.loads((folder / "episode.json").read_text())


def test_build_follows_every_edit(edited: dict) -> None:
    seed, record = _record(edited["seed"]), _record(edited["folder"])
    texts = [c["text"] for c in record["cues"]]
    assert len(texts) == len(seed["cues"]) - 1
    assert edited["removed"] not in texts
    assert [c["role"] for c in record["cues"] if c["text"] == edited["recast"]] == ["host"]
    assert any(t.startswith("The Kremlin's press service") for t in texts)  # the written form, not the respelling
    vtt = (edited["folder"] / "transcript.vtt").read_text()
    assert edited["removed"].split(",")[0] not in vtt
    assert "KREMM-linn" not in vtt and "The Kremlin's press service" in vtt
    recast_first_words = edited["recast"].split(",")[0][:30]
    assert re.search(rf"<v Host>{re.escape(recast_first_words)}", vtt), vtt


def test_same_guid_and_folder_as_the_article(edited: dict) -> None:
    assert edited["folder"].name == edited["seed"].name
    assert _record(edited["folder"])["guid"] == _record(edited["seed"])["guid"]


def test_the_pause_is_in_the_audio(edited: dict) -> None:
    cues = _record(edited["folder"])["cues"]
    after = next(i for i, c in enumerate(cues) if c["text"].startswith("U.S. officials"))
    assert cues[after]["start_ms"] - cues[after - 1]["end_ms"] >= 800
    other = next(i for i, c in enumerate(cues) if c["text"].startswith("The Kremlin's press"))
    assert cues[other]["start_ms"] - cues[other - 1]["end_ms"] < 800  # the configured gap elsewhere


def test_chapters_follow_the_cues(edited: dict) -> None:
    record, seed = _record(edited["folder"]), _record(edited["seed"])
    chapters = json.loads((edited["folder"] / "chapters.json").read_text())["chapters"]
    starts = [c["startTime"] for c in chapters]
    firsts = [
        c["start_ms"] / 1000
        for i, c in enumerate(record["cues"])
        if not i or c["part"] != record["cues"][i - 1]["part"]
    ]
    assert starts[1:] == firsts[1:]
    seed_story = next(c for c in seed["chapters"] if c["title"] == "The story")
    story = next(c for c in record["chapters"] if c["title"] == "The story")
    assert story["end_ms"] - story["start_ms"] < seed_story["end_ms"] - seed_story["start_ms"]


def test_pronunciation_and_overrides_reach_the_engine(edited: dict) -> None:
    said = edited["engine"]
    respelled = [s for s in said if "KREMM-linn" in s["text"]]
    assert [s["text"] for s in respelled] == [
        "The KREMM-linn's press service said Monday that Kim's state visit comes by invitation of Putin."
    ]
    assert {(s["voice"], s["rate"]) for s in respelled} == {("tone2", "120")}
    assert not any("Kremlin's press" in s["text"] for s in said)
    assert {(s["voice"], s["rate"]) for s in said if "Kremlin" not in s["text"] and "KREMM" not in s["text"]} <= {
        ("tone", "165"),
        ("tone", "180"),
    }


def test_the_episode_folder_holds_its_editable_source(edited: dict, tmp_path: Path) -> None:
    normalized = _cli("script", edited["story"], "--voices", edited["voices"], "-o", "-")
    assert normalized.returncode == 0, normalized.stderr
    source = (edited["folder"] / "episode.script").read_text(encoding="utf-8")
    assert source == normalized.stdout
    assert PAUSE in source and RESPELLED in source and "[07] BODY (host)" in source
    assert "[03] BODY (reporter) voice=tone2 rate=120" in source


def test_script_prints_the_review_form_of_a_script_file(edited: dict) -> None:
    proc = _cli("script", edited["story"], "--voices", edited["voices"])
    assert proc.returncode == 0, proc.stderr
    assert "{" not in proc.stdout  # the printed script shows the written form
    assert "\n[pause 800ms]\n\n[04] BODY (reporter)\n" in proc.stdout
    assert "[03] BODY (reporter) voice=tone2 rate=120\n    The Kremlin's press" in proc.stdout
    spoken = _cli("script", edited["story"], "--voices", edited["voices"], "--spoken")
    assert spoken.returncode == 0, spoken.stderr
    assert "The {Kremlin → KREMM-linn}'s press" in spoken.stdout


def test_the_review_printout_of_an_unedited_script_file_is_the_articles(tmp_path: Path) -> None:
    story = tmp_path / "seed.script"
    assert run_cli("script", SEED, "-o", story).returncode == 0
    golden = (ROOT / "tests" / "golden" / "seed-script.txt").read_text(encoding="utf-8")
    assert run_cli("script", story).stdout == golden
    assert run_cli("script", SEED).stdout == golden


def test_o_writes_to_stdout_and_refuses_a_directory(tmp_path: Path) -> None:
    proc = run_cli("script", SEED, "-o", "-")
    assert (
        proc.returncode == 0
        and proc.stdout.startswith("# broadcast script 1\n")
        and "\nTITLE:     Russia's" in proc.stdout
    )
    proc = run_cli("script", SEED, "-o", tmp_path)
    assert proc.returncode == 8
    assert proc.stderr.strip() == f"broadcast: error: {tmp_path}: is a directory (give a file name for the script file)"
    assert list(tmp_path.iterdir()) == []


def _untouched_build(tmp_path: Path, story: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    proc = run_cli("build", story, "--output", out, *extra)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert "Traceback" not in proc.stderr
    return proc


def test_a_malformed_script_file_builds_nothing_and_says_everything(tmp_path: Path) -> None:
    story = tmp_path / "story.script"
    assert run_cli("script", SEED, "-o", story).returncode == 0
    text = story.read_text().replace("[02] BODY (reporter)", "[02] BODY (hots) rate=5", 1)
    story.write_text(text.replace("Monday", "{Monday", 1).replace("[09] BODY", "[09] BDY", 1))
    proc = _untouched_build(tmp_path, story)
    assert proc.returncode == 4
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("broadcast: error: ")
    problems = [line.removeprefix("broadcast: error: ") for line in lines]
    assert [p.split(": ", 1)[1] for p in problems] == [
        "unknown role 'hots' (roles: host, reporter, guest1, guest2)",
        "bad rate '5' (words per minute, 60 to 500)",
        "unclosed '{' (write {written|phonemes}, or {{ for a brace in the text)",
        "unknown part 'BDY' (parts: INTRO, BODY, ATTRIBUTION, OUTRO)",
    ]
    assert all(re.match(rf"{re.escape(str(story))}:\d+: ", p) for p in problems)


def test_a_script_suffix_without_the_marker_is_refused(tmp_path: Path) -> None:
    story = tmp_path / "story.script"
    story.write_text(SEED.read_text())
    proc = _untouched_build(tmp_path, story)
    assert proc.returncode == 4
    assert (
        proc.stderr
        == f"broadcast: error: {story}:1: not a script file (its first line must be '# broadcast script 1')\n"
    )


def test_a_script_file_is_recognised_whatever_its_name(tmp_path: Path) -> None:
    story = tmp_path / "story.txt"
    assert run_cli("script", SEED, "-o", story).returncode == 0
    story.write_text(story.read_text().replace("[02] BODY (reporter)", "[02] BODY (host)", 1))
    assert "[02] BODY (host)\n" in run_cli("script", story).stdout


def test_header_options_are_refused_for_a_script_file(tmp_path: Path) -> None:
    story = tmp_path / "story.script"
    assert run_cli("script", SEED, "-o", story).returncode == 0
    proc = _untouched_build(tmp_path, story, "--title", "Another")
    assert proc.returncode == 2
    assert proc.stderr == "broadcast: error: --title: a script file's header says it; edit the file instead\n"


def test_an_unknown_voice_is_refused_before_anything_is_spoken(tmp_path: Path) -> None:
    story = tmp_path / "story.script"
    assert run_cli("script", SEED, "-o", story).returncode == 0
    story.write_text(story.read_text().replace("[04] BODY (reporter)", "[04] BODY (reporter) voice=gmw/nowhere", 1))
    proc = _untouched_build(tmp_path, story)  # the shipped voices: the real engine checks the id
    assert proc.returncode == 5, proc.stderr
    assert proc.stderr.startswith("broadcast: error: cue 4 (BODY, voice=gmw/nowhere): ")
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.e2e
def test_the_issues_check_with_real_speech(tmp_path: Path) -> None:
    """The issue's "How to check it" with espeak-ng: edit the seed's script file and build it."""
    from broadcast.input.source import load_article
    from broadcast.publish.episode import episode_guid, episode_name

    story = tmp_path / "story.script"
    assert run_cli("script", SEED, "-o", story).returncode == 0
    text, removed, recast = edit_seed_script(story.read_text(encoding="utf-8"))
    story.write_text(text.replace(RESPELLED, "{Kremlin|kr'Eml@n}"), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "broadcast", "build", str(story), "--output", str(out), "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    article = load_article(str(SEED))
    folder = out / episode_name(article, out)
    record = _record(folder)
    assert record["guid"] == episode_guid(article)
    texts = [c["text"] for c in record["cues"]]
    assert removed not in texts and [c["role"] for c in record["cues"] if c["text"] == recast] == ["host"]
    after = next(i for i, t in enumerate(texts) if t.startswith("U.S. officials"))
    assert record["cues"][after]["start_ms"] - record["cues"][after - 1]["end_ms"] >= 800
    vtt = (folder / "transcript.vtt").read_text()
    assert "The Kremlin's press service" in vtt and "kr'Eml@n" not in vtt and removed[:40] not in vtt
    chapters = json.loads((folder / "chapters.json").read_text())["chapters"]
    assert [round(c["startTime"] * 1000) for c in chapters] == [c["start_ms"] for c in record["chapters"]]
    assert "{Kremlin|kr'Eml@n}" in (folder / "episode.script").read_text()
