from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from broadcast.audio.sting import make_sting, write_wav
from broadcast.errors import OutputError


@pytest.mark.parametrize(("rate", "seconds"), [(44100, 2.5), (22050, 2.5), (48000, 1.5)])
def test_sting_shape_and_peak(rate: int, seconds: float) -> None:
    x = make_sting(rate, seconds)
    assert x.dtype == np.float32 and x.ndim == 1
    assert x.size == round(rate * seconds)
    peak_db = 20 * np.log10(np.abs(x).max())
    assert -6.0 < peak_db <= -3.0


def test_sting_is_deterministic_and_audible() -> None:
    a, b = make_sting(), make_sting()
    assert np.array_equal(a, b)
    rms_db = 20 * np.log10(np.sqrt(np.mean(a.astype(np.float64) ** 2)))
    assert rms_db > -30.0
    # Musical, not noise: the strongest pitch in the ringing tail is one of the chord's notes.
    tail = a[int(1.0 * 44100) : int(1.5 * 44100)]
    spectrum = np.abs(np.fft.rfft(tail * np.hanning(tail.size)))
    strongest = np.fft.rfftfreq(tail.size, 1 / 44100)[spectrum.argmax()]
    assert min(abs(strongest - f) for f in (130.81, 523.25, 659.26, 783.99, 1046.5)) < 5


def test_sting_starts_and_ends_at_silence() -> None:
    x = make_sting()
    assert abs(x[0]) < 1e-4 and abs(x[-1]) < 1e-4
    assert np.abs(x[:20]).max() < 0.01  # 0.5 ms in: still fading in, no click
    assert np.abs(x[-200:]).max() < 0.01  # last 5 ms: faded out


def test_write_wav_round_trip(tmp_path: Path) -> None:
    x = make_sting(22050, 1.0)
    path = tmp_path / "sting.wav"
    write_wav(path, x, 22050)
    with wave.open(str(path)) as w:
        header = (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes())
        assert header == (1, 2, 22050, x.size)
        back = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2") / 32767
    assert np.abs(back - x).max() < 1e-4
    stereo = np.stack([x, -x], axis=1) * 3  # out of range: clipped, not wrapped
    write_wav(tmp_path / "s.wav", stereo, 22050)
    with wave.open(str(tmp_path / "s.wav")) as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    assert w.getnchannels() == 2 and data.max() == 32767 and data.min() == -32767


def test_write_wav_unwritable(tmp_path: Path) -> None:
    with pytest.raises(OutputError):
        write_wav(tmp_path / "missing" / "x.wav", make_sting(8000, 0.1), 8000)


def test_shipped_sting_is_what_the_code_makes(tmp_path: Path) -> None:
    """show.toml's "builtin:sting" is the file this code writes, byte for byte."""
    from broadcast.audio.sting import main
    from broadcast.config import BUILTIN_MUSIC, shipped

    assert main([str(tmp_path / "sting.wav")]) == 0
    assert (tmp_path / "sting.wav").read_bytes() == shipped(BUILTIN_MUSIC["sting"]).read_bytes()
