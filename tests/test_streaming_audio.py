"""The audio stage works in chunks: any split gives the same loudness, the same limiter
output and the same mix as the whole signal, and a long build stays small in memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import CLI, ROOT
from test_loudness import sine, speech_like

from broadcast.audio import loudness
from broadcast.audio.loudness import decode_mp3, measure, measure_chunks, measure_mp3, plan_gain
from broadcast.audio.mix import encode_mp3, load_clip
from broadcast.audio.music import arrangement, decode_music
from broadcast.audio.spool import Spool, split
from broadcast.config import load_profile
from broadcast.model import MusicPlan
from broadcast.speech.engines import open_engine

RATE = 22050
STING = ROOT / "broadcast" / "audio" / "sting.wav"
# Chunk sizes that cut 400 ms blocks (8,820 samples), 100 ms hops (2,205), 1 ms gain
# steps (22) and the peak detector's 10-sample window at awkward places.
AWKWARD = (1_000, 2_204, 8_821, 22_049, 65_537)


def _loudness_close(a: loudness.Loudness, b: loudness.Loudness) -> None:
    assert a.integrated_lufs == pytest.approx(b.integrated_lufs, abs=0.05)
    assert a.range_lu == pytest.approx(b.range_lu, abs=0.05)
    assert a.true_peak_dbtp == pytest.approx(b.true_peak_dbtp, abs=0.05)


@pytest.fixture(scope="module")
def espeak_speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """Real speech: a few sentences from espeak-ng with the shipped host voice, then the shipped sting."""
    wav = tmp_path_factory.mktemp("espeak") / "clip.wav"
    engine = open_engine("pyttsx3")
    try:
        text = (
            "The council met on Tuesday night to argue about the budget for the new bridge. "
            "Residents waited outside in the cold, and the mayor promised a decision within a month."
        )
        engine.synthesize(text, load_profile(ROOT / "voices" / "host.toml"), wav)
    finally:
        engine.close()
    clip = load_clip(wav)
    speech = np.frombuffer(clip.set_frame_rate(RATE).raw_data, dtype="<i2").astype(np.float32) / 32768
    return np.concatenate([speech, decode_music(STING, RATE), speech * 0.5])


@pytest.fixture(scope="module")
def synthetic() -> np.ndarray:
    return speech_like(25.0, seed=3)


@pytest.mark.parametrize("chunk", AWKWARD)
def test_chunked_measurement_equals_the_whole_signal(
    espeak_speech: np.ndarray, synthetic: np.ndarray, chunk: int
) -> None:
    for signal in (espeak_speech, synthetic, np.stack([synthetic, 0.5 * synthetic], axis=1)):
        whole = measure_chunks([signal], RATE)
        assert np.isfinite(whole.integrated_lufs)
        _loudness_close(measure_chunks(split(signal, chunk), RATE), whole)


def test_chunked_measurement_of_reference_signals() -> None:
    # EBU Tech 3341/3342 style: a -23 dBFS 1 kHz sine in both channels reads -23 LUFS, a
    # 10 dB step in the middle gives 10 LU of range; cut in pieces shorter than a 400 ms block.
    tone = np.stack([sine(1000.0, -23.0, 20.0, 48000)] * 2, axis=1)
    steps = np.concatenate([sine(1000.0, -30.0, 20.0, 48000), sine(1000.0, -20.0, 20.0, 48000)])
    for chunk in (4_799, 19_201):
        assert measure_chunks(split(tone, chunk), 48000).integrated_lufs == pytest.approx(-23.0, abs=0.05)
        assert measure_chunks(split(steps, chunk), 48000).range_lu == pytest.approx(10.0, abs=0.2)
    # Chunks shorter than the peak detector's window and a signal shorter than a block.
    short = speech_like(1.0, seed=5)[: int(0.3 * RATE)]
    _loudness_close(measure_chunks(split(short, 3), RATE), measure(short, RATE))


@pytest.mark.parametrize("chunk", AWKWARD)
def test_limiter_output_is_the_same_across_chunk_sizes(synthetic: np.ndarray, chunk: int) -> None:
    target = -16.0  # 5 dB up: the limiter works on the clicks and the speech's peaks
    whole = plan_gain(lambda: [synthetic], RATE, target)
    expected = np.concatenate(list(whole.apply([synthetic])))[:, 0]
    gain = plan_gain(lambda: split(synthetic, chunk), RATE, target)
    out = np.concatenate(list(gain.apply(split(synthetic, chunk))))[:, 0]
    assert out.shape == synthetic.shape
    assert np.max(np.abs(out - expected)) < 1e-5
    after = measure(out, RATE)
    assert after.integrated_lufs == pytest.approx(target, abs=0.05)
    assert after.true_peak_dbtp <= -1.0 - loudness.MP3_MARGIN_DB + 0.01
    # No click where one chunk meets the next: the jump between samples there is no
    # larger than the largest jump anywhere else in the limited signal.
    jumps = np.abs(np.diff(out))
    boundaries = np.arange(chunk, out.size, chunk) - 1
    interior = np.delete(jumps, boundaries)
    assert jumps[boundaries].max() <= interior.max()


def test_mix_is_the_same_across_chunk_sizes(tmp_path: Path) -> None:
    plan = MusicPlan(intro=STING, bed=STING, outro=STING)
    speech = speech_like(8.0, seed=4)
    layout = arrangement(speech.size, RATE, (1000, 5000), plan)

    def read(start: int, stop: int) -> np.ndarray:
        return speech[start:stop]

    whole = np.concatenate(list(layout.chunks(read, layout.total)))
    assert whole.size == layout.total
    for chunk in (1_001, 30_000):
        pieces = np.concatenate(list(layout.chunks(read, chunk)))
        assert np.max(np.abs(pieces - whole)) < 1e-6


def test_spooled_mix_and_streamed_mp3_measure_like_the_decoded_file(synthetic: np.ndarray, tmp_path: Path) -> None:
    with Spool("<f4", RATE) as mixed:
        for piece in split(synthetic, 7_777):
            mixed.append(piece)
        assert np.array_equal(np.concatenate(list(mixed.chunks(10_000))), synthetic)
        gain = plan_gain(lambda: mixed.chunks(9_999), RATE, -19.0)
        encode_mp3(gain.apply(mixed.chunks(9_999)), RATE, tmp_path / "x.mp3", 96, 1, 44100)
    streamed = measure_mp3(tmp_path / "x.mp3")
    _loudness_close(streamed, measure(*decode_mp3(tmp_path / "x.mp3")))
    assert streamed.integrated_lufs == pytest.approx(-19.0 - 0.45, abs=0.15)  # LAME turns 96k down 0.45 dB


# --- a long build through the command line -----------------------------------------------

_MEMORY_LIMIT_MB = 400
_RUN_MEASURED = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stderr.write(proc.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
sys.exit(proc.returncode)
"""
_SMALL_CHUNKS = """
import runpy, sys
sys.path.insert(0, {tests!r})
import broadcast.audio.spool as spool
spool.CHUNK_SAMPLES = 4_099
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _length_scaling() -> object:
    import importlib.util

    spec = importlib.util.spec_from_file_location("length_scaling", ROOT / "benchmarks" / "length_scaling.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _build(article: Path, out: Path, voices: Path, config: Path, *, small_chunks: bool) -> int:
    """Build with the fake engine in a fresh process; returns the peak resident MB of the build."""
    cli = [sys.executable, str(CLI)]
    if small_chunks:
        cli = [sys.executable, "-c", _SMALL_CHUNKS.format(tests=str(CLI.parent)), str(CLI)]
    cmd = [*cli, "build", str(article), "--output", str(out), "--voices", str(voices), "--config", str(config)]
    cmd.append("--quiet")
    result = subprocess.run(
        [sys.executable, "-c", _RUN_MEASURED, *cmd], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


@pytest.fixture(scope="module")
def long_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int]]:
    """A generated 2,500-word article (about 16 minutes at the fake voices' pace), built
    with the default chunks and with tiny ones; an intro sting, room tone and limiting in both."""
    tmp = tmp_path_factory.mktemp("long")
    voices = tmp / "voices"
    voices.mkdir()
    for role, rate in (("host", 165), ("reporter", 180)):
        (voices / f"{role}.toml").write_text(f'engine = "fake"\nvoice = "tone"\nrate = {rate}\nvolume = 0.8\n')
    config = tmp / "show.toml"
    # Loud enough that the true-peak limiter works on every word of the fake voices' tones.
    config.write_text('[audio]\nloudness = -8.0\n\n[audio.music]\nintro = "builtin:sting"\n')
    article = tmp / "long.txt"
    article.write_text(_length_scaling().generated_article(2_500), encoding="utf-8")  # type: ignore[attr-defined]
    builds = {}
    for name, small in (("default", False), ("small", True)):
        out = tmp / name
        peak = _build(article, out, voices, config, small_chunks=small)
        builds[name] = (next(p for p in out.iterdir() if p.is_dir()), peak)
    return builds


def test_long_build_holds_loudness_and_true_peak_with_small_chunks(long_builds: dict[str, tuple[Path, int]]) -> None:
    folder, _ = long_builds["small"]
    record = json.loads((folder / "episode.json").read_text())
    assert record["audio"]["duration_ms"] > 14 * 60_000
    heard = measure(*decode_mp3(folder / "episode.mp3"))  # the whole file, decoded at once: the oracle
    assert heard.integrated_lufs == pytest.approx(-8.0, abs=0.3)
    assert heard.true_peak_dbtp <= -1.0
    recorded = record["loudness"]
    assert recorded["integrated_lufs"] == pytest.approx(heard.integrated_lufs, abs=0.05)
    assert recorded["true_peak_dbtp"] == pytest.approx(heard.true_peak_dbtp, abs=0.05)


def test_chunk_size_changes_neither_timeline_nor_loudness(long_builds: dict[str, tuple[Path, int]]) -> None:
    (default, _), (small, _) = long_builds["default"], long_builds["small"]
    for name in ("chapters.json", "transcript.vtt", "transcript.srt", "script.txt"):
        assert (small / name).read_bytes() == (default / name).read_bytes(), name
    a, b = (json.loads((f / "episode.json").read_text()) for f in (default, small))
    assert a["audio"]["duration_ms"] == b["audio"]["duration_ms"]
    assert a.get("cues") == b.get("cues")
    for key in ("integrated_lufs", "true_peak_dbtp", "range_lu"):
        assert a["loudness"][key] == pytest.approx(b["loudness"][key], abs=0.05), key


def test_long_build_stays_small_in_memory(long_builds: dict[str, tuple[Path, int]]) -> None:
    # The whole episode at 22.05 kHz is 210 MB as float32; the build used to hold it
    # several times over (over 1.5 GB here). Now a few chunks and the 1 ms gain steps.
    for name, (_, peak_mb) in long_builds.items():
        assert peak_mb < _MEMORY_LIMIT_MB, (name, peak_mb)


def test_spool_reads_back_what_was_written() -> None:
    with Spool("<i2", RATE) as track:
        track.write_at(5, np.array([1, 2, 3], dtype="<i2"))
        track.write_at(2, np.array([9], dtype="<i2"))
        track.resize(10)
        assert track.read(0, 100).tolist() == [0, 0, 9, 0, 0, 1, 2, 3, 0, 0]
        assert [c.tolist() for c in track.chunks(4)] == [[0, 0, 9, 0], [0, 1, 2, 3], [0, 0]]


def test_a_reader_that_dies_stops_the_tool_feeding_it_at_once() -> None:
    """The encoder feeds the decoder through a pipe; when the decoder dies the encoder must get a
    broken pipe, not block on a reading end this process still holds (a 120 s stall, misreported)."""
    import time

    from broadcast.audio import ffmpeg
    from broadcast.errors import ToolError

    started = time.monotonic()
    with (
        pytest.raises(ToolError) as caught,
        ffmpeg.Running(["cat"], feed=True, timeout=20) as writer,
        ffmpeg.Running(["head", "-c", "10"], feed=False, fed_by=writer),
    ):
        for _ in range(2000):
            writer.write(b"x" * 65536)
        writer.finish()
    assert time.monotonic() - started < 10
    assert "made no progress" not in str(caught.value)
