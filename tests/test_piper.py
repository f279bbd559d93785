"""The optional Piper engine: voices, WAV format, rate and volume, isolation, a real build.

Everything but the missing-extra checks is skipped when the extra is absent.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SEED, run_cli

from broadcast.errors import ConfigError, SynthesisError
from broadcast.model import VoiceProfile
from broadcast.speech.engines import clip_problem, open_engine, wav_duration_ms
from broadcast.speech.engines import piper_engine as pe

pytestmark = pytest.mark.e2e  # real speech end to end; the quick loop is -m "not e2e"
INSTALL = "pip install 'newsroom-broadcast[piper]'"
SKIP_REASON = f"Piper extra not installed: {INSTALL}"
VOICE = "en_US-joe-medium"
SENTENCE = "The Kremlin's press service said Monday that Kim's state visit comes by invitation of Putin."
LONG = (
    "Officials said the meeting would be held against the backdrop of an annual economic forum "
    "in the Russian Pacific port city of Vladivostok, eight time zones east of Moscow, where the "
    "president arrived early on Monday ahead of a scheduled address to the forum later this week."
)


def profile(rate: int = 170, volume: float = 1.0, voice: str = VOICE) -> VoiceProfile:
    return VoiceProfile(name="reporter", engine="piper", voice=voice, rate=rate, volume=volume)


def samples(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768


# --- without the extra (these run everywhere) ---------------------------------------------


def test_missing_extra_is_a_config_error_naming_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # import piper now fails, as when not installed
    assert not pe.piper_available()
    engine = open_engine("piper")  # opening works, so `broadcast voices` still lists the other engines
    try:
        assert engine.voices() == []
        with pytest.raises(ConfigError) as info:
            engine.synthesize("Hello there.", profile(), Path("unused.wav"))
    finally:
        engine.close()
    message = str(info.value)
    assert INSTALL in message and "\n" not in message


def test_build_without_the_extra_exits_5_with_the_install_command(tmp_path: Path) -> None:
    vdir = tmp_path / "voices"
    vdir.mkdir()
    (vdir / "host.toml").write_text('engine = "fake"\nvoice = "tone"\nrate = 165\nvolume = 0.9\n')
    (vdir / "reporter.toml").write_text(f'engine = "piper"\nvoice = "{VOICE}"\nrate = 170\nvolume = 1.0\n')
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    out = tmp_path / "out"
    # A fresh interpreter in which `import piper` fails, running the real command line.
    code = (
        "import sys; sys.modules['piper'] = None; sys.path.insert(0, 'tests');"
        "from fake_engine import FakeEngine; from broadcast.speech.engines import register_engine;"
        "register_engine(FakeEngine); from broadcast.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    args = ["build", str(SEED), "--voices", str(vdir), "--output", str(out), "--config", str(empty), "--quiet"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False
    )
    assert proc.returncode == ConfigError.exit_code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and INSTALL in lines[0], proc.stderr
    assert not out.exists() or not [p for p in out.iterdir() if p.is_dir()]


def test_length_scale_follows_the_calibration() -> None:
    assert pe.length_scale_for(pe.NATURAL_WPM) == pytest.approx(1.0, abs=0.01)
    rates = [60, 100, 130, 150, 170, 189, 210, 250, 300, 500]
    scales = [pe.length_scale_for(r) for r in rates]
    assert scales == sorted(scales, reverse=True)  # faster rate, shorter phonemes
    low, high = pe._LENGTH_SCALE_RANGE
    assert all(low <= s <= high for s in scales)


def test_piper_profile_loads_and_example_profile_is_valid() -> None:
    from broadcast.config import load_profile
    from broadcast.speech.engines import engine_names

    assert "piper" in engine_names()
    prof = load_profile(ROOT / "voices" / "reporter-piper.toml")
    assert (prof.engine, prof.voice, prof.rate, prof.volume) == ("piper", VOICE, 170, 1.0)


# --- with the extra ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    """One engine (one worker, one model load) shared by the tests that synthesize."""
    pytest.importorskip("piper", reason=SKIP_REASON)
    eng = open_engine("piper")
    yield eng
    eng.close()


def test_voices_lists_installed_piper_voices(engine: pe.PiperEngine) -> None:
    voices = {v.id: v for v in engine.voices()}
    assert VOICE in voices
    assert voices[VOICE].engine == "piper"
    assert voices[VOICE].languages == ("en-us",)


def test_unknown_voice_names_profile_and_known_ids(engine: pe.PiperEngine, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        engine.synthesize("Hello.", profile(voice="en_XX-nobody-low"), tmp_path / "x.wav")
    message = str(info.value)
    assert "'reporter'" in message and "'en_XX-nobody-low'" in message and VOICE in message


def test_sentence_is_16_bit_mono_22050_of_plausible_length(engine: pe.PiperEngine, tmp_path: Path) -> None:
    path = tmp_path / "clip.wav"
    engine.synthesize(SENTENCE, profile(), path)
    with wave.open(str(path), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
    assert clip_problem(path, SENTENCE, profile()) == ""
    assert np.max(np.abs(samples(path))) > 0.5  # speech, not silence


def test_rate_sets_words_per_minute(engine: pe.PiperEngine, tmp_path: Path) -> None:
    words = len(LONG.split())
    got = {}
    for rate in (140, 220):
        path = tmp_path / f"r{rate}.wav"
        engine.synthesize(LONG, profile(rate=rate), path)
        got[rate] = words * 60_000 / wav_duration_ms(path)
        assert clip_problem(path, LONG, profile(rate=rate)) == ""
    assert got[220] > got[140] * 1.3, got  # faster rate, shorter clip
    for rate, wpm in got.items():
        assert abs(wpm - rate) / rate < 0.2, got  # the calibration holds within noise


def test_volume_scales_the_level(engine: pe.PiperEngine, tmp_path: Path) -> None:
    peaks = {}
    for volume in (1.0, 0.5):
        path = tmp_path / f"v{volume}.wav"
        engine.synthesize(SENTENCE, profile(volume=volume), path)
        peaks[volume] = float(np.max(np.abs(samples(path))))
    assert peaks[0.5] / peaks[1.0] == pytest.approx(0.5, abs=0.01)
    assert peaks[1.0] < 0.95  # headroom: never driven into clipping


def test_model_loads_once_per_engine(engine: pe.PiperEngine, tmp_path: Path) -> None:
    engine.synthesize(SENTENCE, profile(), tmp_path / "a.wav")
    worker = engine._worker
    assert worker is not None
    for n in range(3):
        engine.synthesize(SENTENCE, profile(rate=150 + 20 * n), tmp_path / f"b{n}.wav")
    assert engine._worker is worker and worker.proc.poll() is None
    assert len(worker.loaded) == 1


def test_worker_crash_mid_clip_is_survived(tmp_path: Path) -> None:
    pytest.importorskip("piper", reason=SKIP_REASON)
    eng = open_engine("piper")
    try:
        eng.synthesize(SENTENCE, profile(), tmp_path / "warm.wav")
        first = eng._worker
        assert first is not None
        # Kill the worker while it speaks: the engine restarts it once and the clip still arrives.
        timer = threading.Timer(0.05, lambda: os.kill(first.proc.pid, signal.SIGKILL))
        timer.start()
        path = tmp_path / "long.wav"
        eng.synthesize(" ".join([LONG] * 3), profile(), path)
        timer.join()
        assert first.proc.poll() is not None
        assert eng._worker is not first
        assert wav_duration_ms(path) > 10_000
    finally:
        eng.close()


def test_hung_worker_is_a_synthesis_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("piper", reason=SKIP_REASON)
    eng = open_engine("piper")
    try:
        eng.synthesize(SENTENCE, profile(), tmp_path / "warm.wav")
        hung = eng._worker
        assert hung is not None
        os.kill(hung.proc.pid, signal.SIGSTOP)  # alive but never answers
        monkeypatch.setattr(eng, "base_timeout_s", 0.5)
        monkeypatch.setattr(eng, "per_word_timeout_s", 0.0)
        monkeypatch.setattr(eng, "start_timeout_s", 0.001)  # and the restart cannot come up in time
        start = time.monotonic()
        with pytest.raises(SynthesisError, match="hung"):
            eng.synthesize(SENTENCE, profile(), tmp_path / "x.wav")
        assert time.monotonic() - start < 10
        assert hung.proc.poll() is not None  # the hung process was killed, not left behind
    finally:
        eng.close()


def test_article_builds_with_piper_reporter_and_espeak_host(tmp_path: Path) -> None:
    pytest.importorskip("piper", reason=SKIP_REASON)
    from mutagen.mp3 import MP3

    vdir = tmp_path / "voices"
    vdir.mkdir()
    (vdir / "host.toml").write_text('engine = "pyttsx3"\nvoice = "gmw/en-us"\nrate = 165\nvolume = 0.9\n')
    (vdir / "reporter.toml").write_text(f'engine = "piper"\nvoice = "{VOICE}"\nrate = 170\nvolume = 1.0\n')
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    out = tmp_path / "out"
    start = time.monotonic()
    proc = run_cli(
        "build",
        "tests/fixtures/e2e/short-wire.txt",  # short: the seed adds time, not evidence
        "--voices",
        vdir,
        "--output",
        out,
        "--config",
        empty,
        "--quiet",
    )
    elapsed = time.monotonic() - start
    print(f"build with a Piper reporter: {elapsed:.1f} s")
    assert proc.returncode == 0, proc.stderr
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 1
    record = json.loads((folders[0] / "episode.json").read_text())
    assert record["voices"]["reporter"]["engine"] == "piper"
    assert record["voices"]["reporter"]["voice"] == VOICE
    assert record["voices"]["host"]["engine"] == "pyttsx3"
    assert 20 < MP3(folders[0] / "episode.mp3").info.length < 90
