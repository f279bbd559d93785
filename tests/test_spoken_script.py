"""One spoken form: what `script --spoken` prints is what the engine receives, sentence by sentence."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from broadcast import pipeline
from broadcast.cli import main
from broadcast.config import load_settings
from broadcast.input.source import load_article
from broadcast.model import Article, VoiceProfile
from broadcast.script.write import build_script
from broadcast.speech.spoken import speak_script

# Paragraphs where sentence splitting and normalization interact: abbreviations that
# end or do not end a sentence, initialisms, clocks, units, money, quotes, lexicon names.
TRICKY = (
    "Officials said Maj. Gen. Ivan Petrov arrived at 3 p.m. HT on Sept. 5. He left at 9.",
    "The U.S. Rep. from Texas met Dr. Smith at 1600 Pennsylvania Ave. in Washington, D.C. Then he left.",
    "Temperatures hit 72°F in St. Louis on Jan. 3, 2024 — a record. Winds reached 60 mph!",
    'He said, "We won the vote 52-48." Then the crowd cheered. Was it $1.2 billion? Yes.',
    "At 10:30 a.m. EDT, Kuhn spoke in Seoul. Sens. Warren and Sanders were asked by Atty. Gen. Jones.",
)


class RecordingEngine:
    """Writes a silent clip of the length the text's word count predicts, and remembers each text."""

    name = "recording"

    def __init__(self, heard: list[str]) -> None:
        self.heard = heard

    def check(self, profile: VoiceProfile) -> None:
        pass

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        self.heard.append(text)
        rate = 22050
        frames = max(rate // 2, round(len(text.split()) * 60 * rate / profile.rate))
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes((np.sin(np.arange(frames) * 0.05) * 3000).astype("<i2").tobytes())

    def close(self) -> None:
        pass


def _printed_clips(printed: str) -> list[list[str]]:
    """Per cue, the sentences `script --spoken` shows, with each change's spoken side kept."""
    cues: list[list[str]] = []
    for line in printed.splitlines():
        if re.match(r"\[\d\d\] ", line):
            cues.append([])
        elif cues and line.startswith("      "):
            cues[-1][-1] += " " + line.strip()
        elif cues and line.startswith("    "):
            cues[-1].append(line.strip())
    return [[re.sub(r"\{(.*?) → (.*?)\}", r"\2", s) for s in cue] for cue in cues]


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "tricky.txt"
    path.write_text("Officials Meet Again In The Capital\n\n" + "\n\n".join(TRICKY) + "\n", encoding="utf-8")
    return path


def test_spoken_review_is_exactly_what_the_engine_receives(
    article_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    voices = ROOT / "voices"
    assert main(["script", "--spoken", str(article_file), "--voices", str(voices)]) == 0
    printed = _printed_clips(capsys.readouterr().out)

    heard: list[str] = []
    monkeypatch.setattr(pipeline, "open_engine", lambda name: RecordingEngine(heard))
    settings = load_settings(None, voices)
    article = load_article(str(article_file), None)
    assert article.body == TRICKY
    pipeline.build_episode(article, settings, tmp_path / "out")

    body_printed = [s for cue in printed[1 : 1 + len(TRICKY)] for s in cue]
    spoken_script = speak_script(build_script(article), settings.lexicon, settings.profile)
    body_heard = [s.text for cue in spoken_script.cues[1 : 1 + len(TRICKY)] for s in cue.spoken]
    assert body_printed == body_heard
    # The engine heard those same clips, in order, inside the whole build.
    assert [s for cue in printed for s in cue] == heard
    assert len(heard) >= 2 * len(TRICKY)


def test_spoken_form_keeps_sentences_and_normalizes_each_one() -> None:
    settings = load_settings(None, ROOT / "voices")
    article = Article(headline="A headline for the test", body=TRICKY)
    spoken = speak_script(build_script(article), settings.lexicon, settings.profile)
    for cue in spoken.cues:
        assert len(cue.written) == len(cue.spoken)
        assert cue.engine == settings.profile(cue.cue.role).engine
        # Every change points at the written sentence it came from.
        for written, said in zip(cue.written, cue.spoken, strict=True):
            for change in said.changes:
                assert written[change.start : change.end] == change.written
    first = spoken.cues[1]
    assert not any(re.search(r"\d", s.text) for s in first.spoken)
    # The abbreviation is expanded in the same clip that speaks the name after it.
    assert first.spoken[0].text.startswith("Officials said Major General Ivan Petrov arrived at three p.m. Hawaii")
    assert [s.text for s in spoken.cues[5].spoken][
        1
    ] == "Senators Warren and Sanders were asked by Attorney General Jones."
