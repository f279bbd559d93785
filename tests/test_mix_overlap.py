"""The audio work between the last spoken clip and the encoder, overlapped: the music files are
decoded while the clips are joined (not after), and the loudness analysis of the mix is fed as
the mix is made (not read back), its true-peak half in a thread. Same episode, same gain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from builds import fake_voices, write_story
from conftest import CLI, ROOT
from test_loudness import speech_like

from broadcast.audio.ffmpeg import find_tool
from broadcast.audio.loudness import GainAnalysis, plan_gain
from broadcast.audio.music import arrangement, decode_music
from broadcast.audio.spool import split
from broadcast.audio.sting import make_sting, write_wav
from broadcast.config import BUILTIN_MUSIC, shipped
from broadcast.model import MusicPlan

RATE = 22050

# The command line with the fake engine, each music decode and the start of mastering logged.
_LOGGED_CLI = """
import os, sys, threading, time
sys.path.insert(0, {tests!r})
sys.argv[0] = {cli!r}
import broadcast.audio.master as mastering, broadcast.audio.music as music
log = open(os.environ["MIX_LOG"], "a", encoding="utf-8")
decode, master = music.decode_music, mastering.master
def logged_decode(path, rate):
    log.write(f"decode {{path.name}} {{threading.current_thread() is threading.main_thread()}} {{time.monotonic()}}\\n")
    log.flush()
    return decode(path, rate)
def logged_master(*args, **kwargs):
    log.write(f"master - - {{time.monotonic()}}\\n")
    log.flush()
    return master(*args, **kwargs)
import broadcast.audio.ffmpeg as ffmpeg
run = ffmpeg.run
def logged_run(args, **kwargs):
    if "-i" in args:
        log.write(f"ffmpeg {{os.path.basename(str(args[args.index('-i') + 1]))}} - {{time.monotonic()}}\\n")
        log.flush()
    return run(args, **kwargs)
music.decode_music, mastering.master, ffmpeg.run = logged_decode, logged_master, logged_run
import runpy
runpy.run_path({cli!r}, run_name="__main__")
"""


def _logged_build(root: Path, music: str) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    cfg = root / "show.toml"
    cfg.write_text(f"[audio.music]\n{music}", encoding="utf-8")
    script = root / "logged_cli.py"
    script.write_text(_LOGGED_CLI.format(tests=str(CLI.parent), cli=str(CLI)), encoding="utf-8")
    log = root / "mix.log"
    args = ["build", write_story(root, 1, words=60), "--output", root / "out", "--voices", fake_voices(root)]
    proc = subprocess.run(
        [sys.executable, str(script), *map(str, args), "--config", str(cfg), "--quiet", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "MIX_LOG": str(log)},
    )
    assert proc.returncode == 0, proc.stderr
    (folder,) = [p for p in (root / "out").iterdir() if p.is_dir()]
    return proc, log, folder


@pytest.fixture(scope="module")
def music_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """A build with an intro, an outro and a bed, each its own file, and its log."""
    root = tmp_path_factory.mktemp("overlap")
    for name, seconds in (("in.wav", 1.5), ("out.wav", 1.0), ("bed.wav", 2.5)):
        write_wav(root / name, make_sting(44100, seconds), 44100)
    return _logged_build(root, 'intro = "in.wav"\noutro = "out.wav"\nbed = "bed.wav"\n')


def _events(log: Path) -> list[list[str]]:
    return [line.split() for line in log.read_text(encoding="utf-8").splitlines()]


def _intro_level_db(folder: Path) -> float:
    """RMS of the episode's first half second (the intro sting's first notes)."""
    out = subprocess.run(
        [find_tool("ffmpeg"), "-v", "error", "-i", str(folder / "episode.mp3"), "-ac", "1", "-f", "f32le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    start = np.frombuffer(out, "<f4")[: 44100 // 2]
    return float(20 * np.log10(np.sqrt(np.mean(np.square(start, dtype=np.float64)))))


def test_music_is_decoded_while_the_clips_are_joined(
    music_build: tuple[subprocess.CompletedProcess[str], Path, Path],
) -> None:
    proc, log, _ = music_build
    assert proc.returncode == 0, proc.stderr
    events = _events(log)
    decodes = {name: (main, float(at)) for kind, name, main, at in events if kind == "decode"}
    (mastering,) = [float(at) for kind, _, _, at in events if kind == "master"]
    assert sorted(decodes) == ["bed.wav", "in.wav", "out.wav"]  # each once, at the speech's rate
    for name, (in_main_thread, started) in decodes.items():
        assert in_main_thread == "False", name  # in the background ...
        assert started < mastering, name  # ... begun before the mix, not by it


def test_the_music_decoded_early_is_in_the_episode(
    music_build: tuple[subprocess.CompletedProcess[str], Path, Path],
) -> None:
    _, log, folder = music_build
    record = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    first_word_ms = min(c["start_ms"] for c in record["cues"])
    # The intro sting (1.5 s), the gap after it and the bed's 2 s lead come before the first word.
    assert first_word_ms >= 1500 + 250 + 2000
    assert _intro_level_db(folder) > -35  # the sting, not room tone
    # Each music file is decoded once (the MP3's own decoders read pipes and files of the build).
    decoded = sorted(name for kind, name, _, _ in _events(log) if kind == "ffmpeg" and name.endswith(".wav"))
    assert decoded == ["bed.wav", "in.wav", "out.wav"]


def test_the_builtin_sting_is_made_at_the_speech_rate_not_decoded(tmp_path: Path) -> None:
    proc, log, folder = _logged_build(tmp_path, 'intro = "builtin:sting"\noutro = "builtin:sting"\n')
    assert proc.returncode == 0, proc.stderr
    events = _events(log)
    assert [name for kind, name, _, _ in events if kind == "decode"] == ["sting.wav"]  # one file, asked once
    assert not [name for kind, name, _, _ in events if kind == "ffmpeg" and name == "sting.wav"]
    assert _intro_level_db(folder) > -35
    # What ffmpeg made of the shipped file, to within its 16-bit rounding.
    shipped_sting = shipped(BUILTIN_MUSIC["sting"])
    decoded = subprocess.run(
        [find_tool("ffmpeg"), "-v", "error", "-i", str(shipped_sting), "-ar", "22050", "-f", "f32le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    resampled = np.frombuffer(decoded, "<f4").astype(np.float64)
    made = decode_music(shipped_sting, 22050)
    assert made.size == resampled.size
    assert 10 * np.log10(np.mean((made - resampled) ** 2) / np.mean(resampled**2)) < -70


def test_an_unreadable_music_file_still_fails_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio at all" * 10)
    cfg = tmp_path / "show.toml"
    cfg.write_text('[audio.music]\nintro = "broken.wav"\n', encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", write_story(tmp_path, 1, words=30), "--output", out, "--voices", fake_voices(tmp_path)]
    proc = subprocess.run(
        [sys.executable, str(CLI), *map(str, args), "--config", str(cfg), "--quiet", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 5, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("broadcast: error: "), proc.stderr
    assert "broken.wav: not a readable audio file" in lines[0]
    assert not out.exists() or not any(p.is_dir() for p in out.iterdir())


@pytest.mark.parametrize("background", [False, True])
def test_analysis_fed_as_the_mix_is_made_plans_the_same_gain(background: bool) -> None:
    speech = speech_like(12.0, seed=4)
    layout = arrangement(speech.size, RATE, (0, 0), MusicPlan())  # room tone under it
    mixed = np.concatenate(list(layout.chunks(lambda start, stop: speech[start:stop])))
    expected = plan_gain(lambda: split(mixed), RATE, -12.0)  # the limiter works
    for size in (1 << 20, 4_099):
        with GainAnalysis(RATE, background=background) as analysis:
            for chunk in layout.chunks(lambda start, stop: speech[start:stop], size):
                analysis.feed(chunk)
            gain = plan_gain(lambda size=size: split(mixed, size), RATE, -12.0, analysis=analysis)
        assert np.array_equal(gain.curve(0, mixed.size), expected.curve(0, mixed.size))
    with GainAnalysis(RATE, background=background) as nothing:
        assert plan_gain(lambda: [], RATE, -12.0, analysis=nothing).curve(0, 5).tolist() == [1.0] * 5


def test_a_slow_peak_thread_holds_back_the_mix_not_the_episode_in_memory() -> None:
    analysis = GainAnalysis(RATE, background=True)
    feed_peaks = analysis._feed_peaks

    def slow(x: np.ndarray) -> None:
        time.sleep(0.02)  # the other core busy with something else
        feed_peaks(x)

    analysis._feed_peaks = slow  # type: ignore[method-assign]
    waiting = []
    for chunk in split(speech_like(3.0, seed=2), 4_096):
        analysis.feed(chunk)
        waiting.append(len(analysis._pending))
    assert max(waiting) <= 2  # chunks queued for the thread: never the whole signal
    assert np.isfinite(analysis.result()[0])
