from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import lfilter, resample_poly

from broadcast.audio import loudness, mix
from broadcast.audio.loudness import MP3_MARGIN_DB, Loudness, decode_mp3, measure, normalize, true_peak
from broadcast.audio.targets import LAME_CBR_GAIN_DB, target_lufs
from broadcast.errors import ConfigError

RATE = 22050


def speech_like(seconds: float, rate: int = RATE, seed: int = 0) -> np.ndarray:
    """Voiced syllables, fricatives and pauses, scaled like raw TTS (about -21 LUFS,
    peaks near 0 dBFS), with a sharp click every few seconds at -0.2 dBFS."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    # Glottal pulses at a wandering pitch, shaped by three formant resonators.
    f0 = 125 + 25 * np.sin(2 * np.pi * 0.3 * t) + 8 * np.sin(2 * np.pi * 2.1 * t)
    cycles = np.cumsum(f0) / rate
    source = np.diff(np.floor(cycles), prepend=0.0)
    voiced = np.zeros(n)
    for formant, bw in ((700, 90), (1200, 110), (2600, 160)):
        r = np.exp(-np.pi * bw / rate)
        voiced += lfilter([1.0], [1.0, -2 * r * np.cos(2 * np.pi * formant / rate), r * r], source)
    hiss = lfilter([1.0, -0.95], [1.0], rng.standard_normal(n)) * 0.05
    # Syllables at ~4 Hz with random strength, words separated by pauses.
    syllables = int(seconds * 4) + 1
    strength = rng.uniform(0.3, 1.0, syllables) * (rng.random(syllables) > 0.2)
    env = np.repeat(strength, int(rate / 4) + 1)[:n] * np.sin(np.pi * (t * 4 % 1)) ** 2
    fricative = rng.random(syllables).repeat(int(rate / 4) + 1)[:n] > 0.6
    x = voiced * env + hiss * np.roll(env, rate // 8) * fricative
    x *= 10 ** ((-21.0 - pyloudnorm.Meter(rate).integrated_loudness(x)) / 20)
    # Plosive-like bursts with intersample peaks above their sample peaks.
    width = int(0.002 * rate)
    burst = np.hanning(width) * np.sin(2 * np.pi * 3100 * np.arange(width) / rate)
    for start in range(rate, n - rate, int(3.7 * rate)):
        x[start : start + burst.size] += 0.98 * burst / np.abs(burst).max()
    return np.clip(x, -1.0, 1.0).astype(np.float32)


def sine(freq: float, dbfs: float, seconds: float, rate: int, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (10 ** (dbfs / 20) * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def encode_mp3(samples: np.ndarray, rate: int, path: Path) -> Path:
    """What the pipeline ships (its own encoder): libmp3lame, 96 kbit/s CBR, mono, 44.1 kHz."""
    mix.encode_mp3(samples, rate, path, 96, 1, 44100)
    return path


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return speech_like(60.0)


# --- targets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "channels", "expected"),
    [
        ("podcast", 2, -16.0),
        ("podcast", 1, -19.0),
        ("Podcast", 1, -19.0),
        ("broadcast", 2, -23.0),
        ("broadcast", 1, -23.0),
        (-18, 1, -18.0),
        (-14.5, 2, -14.5),
        ("-18", 1, -18.0),
    ],
)
def test_target_lufs(preset: str | float, channels: int, expected: float) -> None:
    assert target_lufs(preset, channels) == expected


@pytest.mark.parametrize("preset", ["radio", "", True, 3.0, -80])
def test_target_lufs_rejects(preset: object) -> None:
    with pytest.raises(ConfigError):
        target_lufs(preset, 1)  # type: ignore[arg-type]


# --- measuring -----------------------------------------------------------------------


def test_k_weighting_reproduces_the_bs1770_48k_coefficients() -> None:
    (b1, a1), (b2, a2) = loudness._biquads(48000)
    assert np.allclose(b1, [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-8)
    assert np.allclose(a1, [1.0, -1.69065929318241, 0.73248077421585], atol=1e-8)
    assert np.allclose(b2, [1.0, -2.0, 1.0])
    assert np.allclose(a2, [1.0, -1.99004745483398, 0.99007225036621], atol=1e-8)


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_sine_reference_levels(rate: int) -> None:
    # A 997 Hz sine at -20 dBFS is -20 LUFS per the BS.1770 calibration when played in
    # both channels (K-weighting adds ~0.69 dB there, cancelled by the -0.691 offset);
    # in one channel it carries half the power: -23.01 LUFS.
    mono = sine(997, -20.0, 10.0, rate)
    stereo = np.stack([mono, mono], axis=1)
    assert measure(mono, rate).integrated_lufs == pytest.approx(-23.01, abs=0.05)
    assert measure(stereo, rate).integrated_lufs == pytest.approx(-20.0, abs=0.05)
    assert pyloudnorm.Meter(rate).integrated_loudness(stereo) == pytest.approx(-20.0, abs=0.1)
    assert measure(mono, rate).range_lu == pytest.approx(0.0, abs=0.1)


def test_integrated_agrees_with_pyloudnorm(speech: np.ndarray) -> None:
    ours = measure(speech, RATE)
    # pyloudnorm's default K-weighting is a cookbook approximation (0.04-0.09 LU off on
    # this signal at 22.05-48 kHz); its "DeMan" filters are the ones used here.
    reference = pyloudnorm.Meter(RATE).integrated_loudness(speech)
    assert ours.integrated_lufs == pytest.approx(reference, abs=0.1)
    exact = pyloudnorm.Meter(RATE, filter_class="DeMan").integrated_loudness(speech)
    assert ours.integrated_lufs == pytest.approx(exact, abs=0.001)
    stereo = np.stack([speech, 0.5 * speech], axis=1)
    assert measure(stereo, RATE).integrated_lufs == pytest.approx(
        pyloudnorm.Meter(RATE).integrated_loudness(stereo), abs=0.1
    )


def test_loudness_range_agrees_with_pyloudnorm(speech: np.ndarray) -> None:
    # pyloudnorm pads 1.5 s of silence; both follow Tech 3342's gating and percentiles.
    reference = pyloudnorm.Meter(RATE).loudness_range(speech)
    assert measure(speech, RATE).range_lu == pytest.approx(reference, abs=0.3)
    steps = np.concatenate([sine(997, -30, 20, RATE), sine(997, -20, 20, RATE)])
    assert measure(steps, RATE).range_lu == pytest.approx(10.0, abs=0.2)  # Tech 3342 test case 1


def test_true_peak_sees_between_samples() -> None:
    # A quarter-rate sine sampled 45 degrees off its crests: every sample is 3 dB
    # below the true peak.
    x = sine(RATE / 4, -6.0, 2.0, RATE, phase=np.pi / 4)
    assert 20 * np.log10(np.abs(x).max()) == pytest.approx(-9.01, abs=0.05)
    assert true_peak(x) == pytest.approx(-6.0, abs=0.1)


def test_true_peak_agrees_with_long_resampler(speech: np.ndarray) -> None:
    reference = 20 * np.log10(np.abs(resample_poly(speech.astype(np.float64), 4, 1)).max())
    assert true_peak(speech) == pytest.approx(reference, abs=0.05)


def test_silence_and_short_input() -> None:
    quiet = np.zeros(RATE * 2, dtype=np.float32)
    assert measure(quiet, RATE) == Loudness(float("-inf"), 0.0, float("-inf"))
    assert np.array_equal(normalize(quiet, RATE, -16.0), quiet)
    assert measure(np.zeros(100, dtype=np.float32), RATE).integrated_lufs == float("-inf")
    assert measure(np.zeros(0, dtype=np.float32), RATE).true_peak_dbtp == float("-inf")


# --- normalizing ---------------------------------------------------------------------


@pytest.mark.parametrize("target", [-16.0, -19.0, -23.0])
def test_normalize_reaches_target_under_the_ceiling(speech: np.ndarray, target: float) -> None:
    before = measure(speech, RATE)
    assert before.true_peak_dbtp > -0.5  # the input really needs limiting
    out = normalize(speech, RATE, target)
    after = measure(out, RATE)
    assert out.dtype == np.float32 and out.shape == speech.shape
    assert after.integrated_lufs == pytest.approx(target, abs=0.5)
    assert after.true_peak_dbtp <= -1.0 - MP3_MARGIN_DB + 0.01
    assert np.abs(out).max() < 1.0


def test_normalize_stereo_and_custom_ceiling(speech: np.ndarray) -> None:
    stereo = np.stack([speech, np.roll(speech, 300) * 0.8], axis=1)
    out = normalize(stereo, RATE, -16.0, ceiling_dbtp=-2.0)
    after = measure(out, RATE)
    assert out.shape == stereo.shape
    assert after.integrated_lufs == pytest.approx(-16.0, abs=0.5)
    assert after.true_peak_dbtp <= -2.0 - MP3_MARGIN_DB + 0.01


def test_normalize_only_turns_down_peaks(speech: np.ndarray) -> None:
    # Far from the ceiling the limiter does nothing: plain gain, bit for bit the shape.
    out = normalize(speech, RATE, -30.0)
    ratio = out[np.abs(speech) > 1e-3] / speech[np.abs(speech) > 1e-3]
    assert np.ptp(ratio) < 1e-5


@pytest.mark.parametrize(("preset", "target"), [("podcast", -19.0), ("broadcast", -23.0)])
def test_mp3_round_trip_holds_the_ceiling(speech: np.ndarray, tmp_path: Path, preset: str, target: float) -> None:
    assert target_lufs(preset, 1) == target
    mp3 = encode_mp3(normalize(speech, RATE, target), RATE, tmp_path / "episode.mp3")
    decoded, rate = decode_mp3(mp3)
    assert rate == 44100 and decoded.ndim == 1
    assert decoded.size == pytest.approx(speech.size * 2, rel=0.01)
    final = measure(decoded, rate)
    print(
        f"\n{preset}: decoded MP3 {final.integrated_lufs:.2f} LUFS, "
        f"{final.true_peak_dbtp:.2f} dBTP, LRA {final.range_lu:.1f} LU"
    )
    assert final.true_peak_dbtp <= -1.0
    assert final.integrated_lufs == pytest.approx(target, abs=1.0)


def test_lame_gain_compensation_lands_on_target(speech: np.ndarray, tmp_path: Path) -> None:
    out = normalize(speech, RATE, -19.0 - LAME_CBR_GAIN_DB[96])
    final = measure(*decode_mp3(encode_mp3(out, RATE, tmp_path / "c.mp3")))
    print(f"\ncompensated 96k: {final.integrated_lufs:.2f} LUFS, {final.true_peak_dbtp:.2f} dBTP")
    assert final.integrated_lufs == pytest.approx(-19.0, abs=0.2)
    assert final.true_peak_dbtp <= -1.0


def test_decode_mp3_stereo(tmp_path: Path) -> None:
    x = sine(440, -12.0, 1.0, 44100)
    path = tmp_path / "s.mp3"
    mix.encode_mp3(x, 44100, path, 128, 2, 44100)  # dual mono, as the pipeline's --stereo
    decoded, rate = decode_mp3(path)
    assert rate == 44100 and decoded.shape[1] == 2
    assert decoded.shape[0] == pytest.approx(44100, rel=0.1)


def test_the_range_percentiles_are_numpys() -> None:
    from broadcast.audio.loudness import _percentile

    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 10, 999):
        values = rng.normal(-23, 4, n)
        for q in (0, 10, 50, 95, 100):
            assert _percentile(values.copy(), q) == pytest.approx(np.percentile(values, q), abs=1e-12)
