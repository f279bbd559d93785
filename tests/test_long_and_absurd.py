"""Hostile and careless input that used to break a build late: a sentence of thousands of
words (espeak-ng crashed on it), and dates no article was ever published on."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from broadcast.script.sentences import MAX_CLIP_CHARS, MAX_CLIP_WORDS, clause_pieces

TESTS = Path(__file__).resolve().parent

# A made-up run-on sentence: clauses joined by commas, semicolons and "and", 3,000+ words.
_CLAUSES = (
    "the council met again on the north side of the river",
    "members argued about the budget for the new bridge",
    "residents waited outside in the cold for the vote",
    "and the mayor promised a decision before the end of the month",
    "while reporters asked why the plan had changed so often",
)


def _run_on(words: int) -> str:
    parts, n, i = [], 0, 0
    while n < words:
        clause = _CLAUSES[i % len(_CLAUSES)]
        parts.append(clause + (";" if i % 7 == 6 else ","))
        n += len(clause.split())
        i += 1
    text = " ".join(parts)
    return text[0].upper() + text[1:-1] + "."


RUN_ON = _run_on(3000)


@pytest.fixture
def run_on_article(tmp_path: Path) -> Path:
    path = tmp_path / "run-on.txt"
    path.write_text(
        "Council Argues All Night Over The Bridge\n\n"
        "The council met on Tuesday. It did not decide.\n\n" + RUN_ON + "\n",
        encoding="utf-8",
    )
    return path


def _spoken_blocks(printed: str) -> list[str]:
    """The clips `script --spoken` shows: each block starts at the four-space margin."""
    blocks: list[str] = []
    for line in printed.splitlines():
        if line.startswith("      ") and blocks:
            blocks[-1] += " " + line.strip()
        elif line.startswith("    "):
            blocks.append(line.strip())
    return blocks


def test_a_long_sentence_breaks_at_clauses_and_loses_nothing() -> None:
    pieces = clause_pieces(RUN_ON)
    assert len(RUN_ON.split()) >= 3000
    assert " ".join(pieces) == RUN_ON
    assert all(len(p.split()) <= MAX_CLIP_WORDS and len(p) <= MAX_CLIP_CHARS for p in pieces)
    # Every break is at a clause: after a comma or semicolon, or before "and"/"while".
    for before, after in zip(pieces, pieces[1:], strict=False):
        assert before[-1] in ",;" or after.split()[0] in ("and", "while"), (before[-30:], after[:30])
    short = "A short sentence, with a comma; and a semicolon."
    assert clause_pieces(short) == (short,)


def test_script_spoken_shows_a_run_on_sentence_as_pieces(run_on_article: Path, fake_voices: Path) -> None:
    result = run_cli("script", "--spoken", run_on_article, "--voices", fake_voices)
    assert result.returncode == 0, result.stderr
    blocks = _spoken_blocks(result.stdout)
    # The run-on sentence is shown as consecutive clips that together are the sentence.
    first = blocks.index(next(b for b in blocks if b.startswith("The council met again")))
    count = len(clause_pieces(RUN_ON))
    assert count > 3000 // MAX_CLIP_WORDS
    assert " ".join(blocks[first : first + count]) == RUN_ON
    assert max(len(b.split()) for b in blocks) <= MAX_CLIP_WORDS


def _recording_cli(tmp_path: Path, mode: str) -> Path:
    """The command line with a fake engine that logs what it is given, or crashes on long text as espeak did."""
    script = tmp_path / f"cli_{mode}.py"
    script.write_text(
        f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from fake_engine import FakeEngine
from broadcast.cli import main
from broadcast.errors import SynthesisError
from broadcast.speech.engines import register_engine

class Engine(FakeEngine):
    def synthesize(self, text, profile, path):
        with open({str(tmp_path / "heard.txt")!r}, "a", encoding="utf-8") as log:
            log.write(str(len(text.split())) + "\\n")
        if {mode!r} == "crash" and "bridge" in text:
            raise SynthesisError("speech engine exited with code -11")
        super().synthesize(text, profile, path)

register_engine(Engine)
sys.exit(main())
""",
        encoding="utf-8",
    )
    return script


def test_a_build_speaks_a_run_on_sentence_in_pieces_and_captions_follow(
    fake_voices: Path, empty_config: Path, tmp_path: Path
) -> None:
    # 600 words are ten clips' worth: enough to show the pieces, and quick to build.
    run_on = _run_on(600)
    run_on_article = tmp_path / "run-on-600.txt"
    run_on_article.write_text(
        "Council Argues All Night Over The Bridge\n\nThe council met on Tuesday. It did not decide.\n\n"
        + run_on
        + "\n",
        encoding="utf-8",
    )
    cli = _recording_cli(tmp_path, "log")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, cli, "build", run_on_article, "--voices", fake_voices, "--config", empty_config]
        + ["--output", out, "--date", "2024-03-05", "--quiet", "--no-cache"],  # count what the engine hears
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    heard = [int(n) for n in (tmp_path / "heard.txt").read_text().split()]
    assert max(heard) <= MAX_CLIP_WORDS
    assert sum(heard) >= 600
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    vtt = (folder / "transcript.vtt").read_text(encoding="utf-8")
    captions = re.findall(r"<v Reporter>(.*)", vtt)
    assert " ".join(captions).count("the council met again on the north side of the river") == run_on.count(
        "the council met again on the north side of the river"
    )


def test_an_engine_crash_names_the_cue_and_sentence(
    run_on_article: Path, fake_voices: Path, empty_config: Path, tmp_path: Path
) -> None:
    cli = _recording_cli(tmp_path, "crash")
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, cli, "build", run_on_article, "--voices", fake_voices, "--config", empty_config]
        + ["--output", out, "--quiet", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 7
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    # The message says where: the cue number as `script` prints it, and the sentence's first words.
    assert lines[0] == (
        "broadcast: error: cue 3, sentence 1 ('The council met again on the north side ...'): "
        "speech engine exited with code -11"
    )
    assert not out.exists() or not any(p.is_dir() for p in out.iterdir())


_PAGE = (
    "Council Argues All Night Over The Bridge\n\n{stamp}\n\n"
    "The council met on Tuesday to argue about the bridge. It did not decide anything at all.\n\n"
    "Residents waited outside in the cold for hours, and the mayor promised a decision soon.\n"
)
_HTML = (
    "<html><head><title>Council Argues All Night Over The Bridge</title>"
    '<meta property="article:published_time" content="{stamp}"></head><body><article>'
    "<h1>Council Argues All Night Over The Bridge</h1>"
    "<p>The council met on Tuesday to argue about the bridge. It did not decide anything at all, "
    "and residents waited outside in the cold for hours.</p>"
    "<p>The mayor promised a decision before the end of the month, and reporters asked why the plan "
    "had changed so often.</p></article></body></html>"
)


@pytest.mark.parametrize(
    ("name", "page", "said"),
    [
        (
            "year-1.txt",
            _PAGE.format(stamp="Published January 5, 0001 at 2:59 PM ET"),
            "0001-01-05 is outside 1900-2100",
        ),
        ("year-9999.txt", _PAGE.format(stamp="Published January 5, 9999"), "9999-01-05 is outside 1900-2100"),
        ("year-1.html", _HTML.format(stamp="0001-01-05T10:00:00Z"), "0001-01-05T10:00:00Z is outside 1900-2100"),
        ("no-such-day.html", _HTML.format(stamp="2023-13-45T10:00:00Z"), "'2023-13-45T10:00:00Z' is not a real date"),
        ("no-such-day-only.html", _HTML.format(stamp="2023-13-45"), "'2023-13-45' is not a real date"),
    ],
)
def test_an_absurd_page_date_is_refused_before_anything_is_written(
    name: str, page: str, said: str, fake_voices: Path, empty_config: Path, tmp_path: Path
) -> None:
    article = tmp_path / name
    article.write_text(page, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("build", article, "--voices", fake_voices, "--config", empty_config, "--output", out)
    assert result.returncode == 4, result.stderr
    assert result.stderr.strip() == f"broadcast: error: {article}: the page's publication date {said}" + (
        " (correct the page's date)" if "outside" in said else ""
    )
    assert not out.exists()
    # `script` reads the page the same way: no made-up date is shown for review either.
    assert run_cli("script", article, "--voices", fake_voices).returncode == 4


def test_a_page_date_at_the_edge_of_the_span_is_kept(fake_voices: Path, tmp_path: Path) -> None:
    article = tmp_path / "old.txt"
    article.write_text(_PAGE.format(stamp="Published January 5, 1900"), encoding="utf-8")
    result = run_cli("script", article, "--voices", fake_voices)
    assert result.returncode == 0, result.stderr
    assert "DATE:    1900-01-05 00:00" in result.stdout


@pytest.mark.parametrize("duration", ["NaN", "Infinity", "-1", "1e30", "99999999999999"])
def test_feed_refuses_a_record_with_an_absurd_duration(
    duration: str, fake_voices: Path, empty_config: Path, tmp_path: Path
) -> None:
    article = tmp_path / "story.txt"
    article.write_text(_PAGE.format(stamp="Published January 5, 2024"), encoding="utf-8")
    out = tmp_path / "out"
    built = run_cli("build", article, "--voices", fake_voices, "--config", empty_config, "--output", out, "--quiet")
    assert built.returncode == 0, built.stderr
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    record = folder / "episode.json"
    text = record.read_text(encoding="utf-8")
    record.write_text(re.sub(r'"duration_ms": \d+', f'"duration_ms": {duration}', text, count=1), encoding="utf-8")
    assert f'"duration_ms": {duration}' in record.read_text(encoding="utf-8")

    result = run_cli("feed", "--output", out, "--config", empty_config)
    # Not a crash: the record is refused by name (whether the feed then stops or skips it).
    assert result.returncode != 1, result.stderr
    assert "Traceback" not in result.stderr
    assert str(record) in result.stderr and "duration_ms" in result.stderr
    assert "episode.mp3" not in (out / "feed.xml").read_text(encoding="utf-8") or result.returncode != 0
