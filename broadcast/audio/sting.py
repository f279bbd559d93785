"""A short musical sting between segments: soft FM bell notes in a rising major arpeggio.

Synthesized, so there is no music file to license, ship or lose; deterministic, so
the same episode builds to the same bytes.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from broadcast.errors import OutputError

# (start s, frequency Hz, level): C major rising, C5 E5 G5 C6, the top note softest
# so the sting resolves rather than shouts; a low C3 underneath gives it body.
NOTES: tuple[tuple[float, float, float], ...] = (
    (0.00, 523.25, 1.00),
    (0.14, 659.26, 0.90),
    (0.28, 783.99, 0.85),
    (0.42, 1046.50, 0.70),
    (0.42, 130.81, 0.45),
)
PEAK_DBFS = -4.0  # below the -3 dBFS ceiling asked of it, before any normalization
# FM bell: modulator at 2x the carrier (a warm, even-harmonic timbre), index decaying
# faster than the note, so each attack is bright and the tail a pure sine.
_MOD_RATIO, _MOD_INDEX, _MOD_DECAY_S = 2.0, 1.6, 0.12
_ATTACK_S, _DECAY_S = 0.008, 0.55  # per note: click-free raised-cosine onset, exponential fade
_FADE_IN_S, _FADE_OUT_S = 0.005, 0.35  # whole sting: starts and ends at exact zero


def _fade(length: int) -> np.ndarray:
    """Raised-cosine ramp from 0 to 1 over `length` samples."""
    return 0.5 - 0.5 * np.cos(np.pi * np.arange(length) / max(1, length))


def make_sting(rate: int = 44100, seconds: float = 2.5) -> np.ndarray:
    """The sting as float32 mono in [-1, 1], peak at PEAK_DBFS, silent at both ends."""
    if rate <= 0 or seconds <= 0:
        raise ValueError("rate and seconds must be positive")
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    out = np.zeros(n)
    for start, freq, level in NOTES:
        local = t - start
        on = local >= 0
        if not on.any():
            continue
        lt = local[on]
        index = _MOD_INDEX * np.exp(-lt / _MOD_DECAY_S)
        tone = np.sin(2 * np.pi * freq * lt + index * np.sin(2 * np.pi * _MOD_RATIO * freq * lt))
        env = np.exp(-lt / _DECAY_S)
        attack = min(lt.size, int(_ATTACK_S * rate))
        env[:attack] *= _fade(attack)
        out[on] += level * env * tone
    fade_in, fade_out = min(n, int(_FADE_IN_S * rate)), min(n, int(_FADE_OUT_S * rate))
    out[:fade_in] *= _fade(fade_in)
    out[n - fade_out :] *= _fade(fade_out)[::-1]
    peak = np.abs(out).max()
    if peak > 0:
        out *= 10 ** (PEAK_DBFS / 20) / peak
    return out.astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    """Write float samples in [-1, 1], shape (n,) or (n, channels), as 16-bit PCM WAV."""
    x = np.asarray(samples, dtype=np.float64)
    channels = 1 if x.ndim == 1 else x.shape[1]
    # Round rather than truncate (no DC bias); clip so an overshoot cannot wrap around.
    pcm = np.round(np.clip(x, -1.0, 1.0) * 32767).astype("<i2")
    try:
        # Open the file ourselves: wave.open(name) leaves a broken object behind on failure.
        with open(path, "wb") as handle, wave.open(handle, "wb") as out:
            out.setnchannels(channels)
            out.setsampwidth(2)
            out.setframerate(int(rate))
            out.writeframes(pcm.tobytes())
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def main(argv: list[str] | None = None) -> int:
    """python -m broadcast.audio.sting OUT.wav: write the shipped sting (broadcast/audio/sting.wav)."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m broadcast.audio.sting OUT.wav", file=sys.stderr)
        return 2
    write_wav(Path(args[0]), make_sting(), 44100)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
