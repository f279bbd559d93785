"""The mastering chain's own filters agree with scipy's, and a build no longer imports scipy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import CLI, ROOT, SEED
from scipy.ndimage import maximum_filter1d, uniform_filter1d
from scipy.signal import firwin, lfilter
from test_loudness import speech_like

from broadcast.audio.filters import SEGMENT, Iir, lowpass_fir, moving_max, moving_mean
from broadcast.audio.loudness import _biquads, measure_chunks, plan_gain
from broadcast.audio.music import _TONE_A, _TONE_B, RoomTone, arrangement
from broadcast.audio.spool import split
from broadcast.model import MusicPlan

ODD_PIECES = (1, 2, 63, 64, 65, 127, 1_000, 4_097, 77_777)


def reference(sections: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray) -> np.ndarray:
    y = x.astype(np.float64)
    for b, a in sections:
        y = lfilter(b, a, y)
    return y


def in_pieces(f: Iir, x: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
    out, at = [], 0
    while at < x.size:
        for size in sizes:
            out.append(f(x[at : at + size]))
            at += size
    return np.concatenate([*out, f.flush()])


def whole(f: Iir, x: np.ndarray) -> np.ndarray:
    return np.concatenate((f(x), f.flush()))


def random_sections(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Two stable biquads with complex poles up to 0.999 from the unit circle's centre."""
    sections = []
    for _ in range(2):
        r, angle = rng.uniform(0.3, 0.999), rng.uniform(0.0, np.pi)
        sections.append((rng.normal(size=3), np.array([1.0, -2 * r * np.cos(angle), r * r])))
    return sections


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_k_weighting_matches_lfilter_whole_and_in_odd_pieces(rate: int) -> None:
    sections = _biquads(rate)
    rng = np.random.default_rng(rate)
    x = (0.3 * rng.standard_normal(3 * SEGMENT + 1_003)).clip(-1, 1).astype(np.float32)
    expected = reference(sections, x)
    at_once = whole(Iir(sections), x)
    assert at_once.dtype == np.float32 and at_once.shape == x.shape
    # scipy's own lfilter in float32 is 2-6e-5 off here.
    assert np.abs(at_once - expected).max() < 1e-5
    assert np.array_equal(in_pieces(Iir(sections), x, ODD_PIECES), at_once)


def test_any_stable_cascade_impulse_and_silence() -> None:
    rng = np.random.default_rng(7)
    for _ in range(5):
        sections = random_sections(rng)
        x = rng.uniform(-1, 1, 30_001).astype(np.float32)
        expected = reference(sections, x)
        scale = np.abs(expected).max()
        assert np.abs(in_pieces(Iir(sections), x, (5, 300, 71)) - expected).max() < 1e-5 * scale
    impulse = np.zeros(20_000, np.float32)
    impulse[0] = 1.0
    sections = _biquads(44100)
    assert np.abs(in_pieces(Iir(sections), impulse, ODD_PIECES) - reference(sections, impulse)).max() < 1e-6
    assert not whole(Iir(sections), np.zeros(100_000, np.float32)).any()
    assert whole(Iir(sections), np.zeros(0, np.float32)).size == 0
    short = Iir(sections)
    assert short(np.ones(1_000, np.float32)).size == 0  # less than a segment: kept for later
    assert short.flush().size == 1_000


def test_one_pole_room_tone_filter_matches_lfilter() -> None:
    x = np.random.default_rng(3).standard_normal(100_000).astype(np.float32)
    expected = lfilter([_TONE_B], [1.0, -_TONE_A], x.astype(np.float64))
    assert np.abs(in_pieces(Iir([([_TONE_B], [1.0, -_TONE_A])]), x, ODD_PIECES) - expected).max() < 1e-6


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 100, 2_001])
@pytest.mark.parametrize("mode", ["reflect", "nearest"])
def test_moving_windows_match_ndimage(n: int, mode: str) -> None:
    x = np.random.default_rng(n).uniform(0, 12, n)
    # (size, origin) as the limiter uses them (look-ahead max, trailing boxes), centred ones
    # as the bed's fades use, and long windows that take the cumulative-sum path.
    for size, origin in ((6, -3), (3, 1), (2, -1), (1, 0), (4, 0), (5, 2), (17, -8), (40, 0), (1_102, 0)):
        assert np.array_equal(moving_max(x, size, origin, mode), maximum_filter1d(x, size, origin=origin, mode=mode))
        expected = uniform_filter1d(x, size, origin=origin, mode=mode)
        assert np.abs(moving_mean(x, size, origin, mode) - expected).max() < 1e-12
    x32 = x.astype(np.float32)
    assert moving_mean(x32, 3, 0, mode).dtype == np.float32  # as ndimage: the input's type
    assert np.abs(moving_mean(x32, 3, 0, mode) - uniform_filter1d(x32, 3, mode=mode)).max() < 1e-5


def test_moving_window_must_cover_its_sample() -> None:
    with pytest.raises(ValueError):
        moving_max(np.ones(5), 3, origin=2)


def test_true_peak_interpolator_is_firwin() -> None:
    assert np.abs(lowpass_fir(41, 0.25, 5.0) - firwin(41, 0.25, window=("kaiser", 5.0))).max() < 1e-15
    assert np.abs(lowpass_fir(80, 0.1, 8.6) - firwin(80, 0.1, window=("kaiser", 8.6))).max() < 1e-15


def test_room_tone_keeps_its_level_and_spectrum_in_any_pieces() -> None:
    n = 1 << 18
    whole = RoomTone(-70.0).next(n)
    tone = RoomTone(-70.0)
    pieces = np.concatenate([tone.next(size) for size in (1, 4_099, 65_536, n - 4_100 - 65_536)])
    assert np.array_equal(pieces, whole)
    assert 20 * np.log10(np.sqrt(np.mean(whole.astype(np.float64) ** 2))) == pytest.approx(-70.0, abs=0.2)
    # Averaged periodogram against the one-pole's |H|^2 (normalised to its mean), in octaves.
    frames = whole.reshape(-1, 1024).astype(np.float64)
    power = (np.abs(np.fft.rfft(frames * np.hanning(1024), axis=1)) ** 2).mean(axis=0)
    w = np.linspace(0, np.pi, power.size)
    theory = _TONE_B**2 / (1 - 2 * _TONE_A * np.cos(w) + _TONE_A**2)
    for lo in (4, 8, 16, 32, 64, 128, 256):
        band = slice(lo, 2 * lo)
        measured, expected = power[band].sum() / power.sum(), theory[band].sum() / theory.sum()
        assert measured == pytest.approx(expected, rel=0.1), lo


def test_mix_meter_and_limiter_give_the_same_samples_in_any_chunks() -> None:
    speech = speech_like(12.0, seed=9)
    layout = arrangement(speech.size, 22050, (0, 0), MusicPlan())  # room tone under it
    results = []
    for size in (1 << 20, 4_099, 65_537):
        mixed = np.concatenate(list(layout.chunks(lambda start, stop: speech[start:stop], size)))
        gain = plan_gain(lambda mixed=mixed, size=size: split(mixed, size), 22050, -12.0)  # the limiter works
        results.append((mixed, np.concatenate(list(gain.apply(split(mixed, size))))))
        results.append(measure_chunks(split(results[-1][1], size), 22050))
    (mix, out), loud = results[0], results[1]
    for other_mix, other_out in results[2::2]:
        assert np.array_equal(other_mix, mix) and np.array_equal(other_out, out)
    assert all(other == loud for other in results[3::2])


# --- through the command line ------------------------------------------------------------------


@pytest.fixture(scope="module")
def build_imports(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    """A build with an intro sting, a bed and room tone, every import of every process timed."""
    tmp = tmp_path_factory.mktemp("noscipy")
    voices = tmp / "voices"
    voices.mkdir()
    for role in ("host", "reporter"):
        (voices / f"{role}.toml").write_text('engine = "fake"\nvoice = "tone"\nrate = 170\nvolume = 0.8\n')
    config = tmp / "show.toml"
    config.write_text('[audio.music]\nintro = "builtin:sting"\nbed = "builtin:sting"\n')
    cmd = [sys.executable, str(CLI), "build", str(SEED), "--output", str(tmp / "out"), "--voices", str(voices)]
    cmd += ["--config", str(config), "--no-cache"]
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    return proc, next((tmp / "out").glob("*/episode.json"))


def test_a_build_imports_no_scipy(build_imports: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, record = build_imports
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = [line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert "broadcast.audio.loudness" in imported  # the profile did see the mastering chain
    assert not [m for m in imported if m.split(".")[0] == "scipy"]
    loudness = json.loads(record.read_text())["loudness"]
    assert loudness["integrated_lufs"] == pytest.approx(-19.0, abs=0.2)  # the mono podcast target
    assert loudness["true_peak_dbtp"] <= -1.0
