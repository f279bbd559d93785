"""Loudness targets and encoder facts: tables, importable without numpy or scipy."""

from __future__ import annotations

from broadcast.errors import ConfigError

# Stereo targets. Apple asks -16 LUFS; EBU R128 is -23 LUFS.
PRESETS: dict[str, float] = {"podcast": -16.0, "broadcast": -23.0}

# A mono file measures 3 LU lower than the same signal played as dual mono, so a
# mono podcast at -19 sounds as loud as a stereo one at -16 on a phone. EBU R128
# states its -23 for the programme as delivered, whatever the channel count.
MONO_TARGETS: dict[str, float] = {"podcast": -19.0}

# Custom targets outside this range are typos, not loudness choices.
_TARGET_RANGE = (-40.0, -5.0)

# Measured (997 Hz sine through ffmpeg's libmp3lame CBR): LAME's preset table scales
# the input down at these rates, so the decoded episode is this much quieter than the
# PCM. To land on target, normalize to `target - LAME_CBR_GAIN_DB[kbps]` and keep the
# ceiling: raising the ceiling too would spend the headroom that the encoder's
# overshoot needs at low bitrates (-0.92 dBTP measured at 96k, espeak at -16).
LAME_CBR_GAIN_DB: dict[int, float] = {
    **dict.fromkeys((32, 40, 48, 56, 64, 80, 96, 112, 128, 160), -0.45),
    192: -0.26,
    224: -0.18,
    256: 0.0,
    320: 0.0,
}
# The bitrates the encoder is set up for: the one list, which settings are checked against.
CBR_BITRATES_KBPS: tuple[int, ...] = tuple(LAME_CBR_GAIN_DB)


def target_lufs(preset: str | float, channels: int) -> float:
    """The integrated loudness to aim for: a preset name or a number of LUFS."""
    if isinstance(preset, bool):
        raise ConfigError(f"loudness target must be a preset name or a number, not {preset}")
    if isinstance(preset, str):
        name = preset.strip().lower()
        if channels == 1 and name in MONO_TARGETS:
            return MONO_TARGETS[name]
        if name in PRESETS:
            return PRESETS[name]
        try:
            value = float(name)
        except ValueError:
            known = ", ".join(sorted(PRESETS))
            raise ConfigError(f"unknown loudness preset {preset!r} (use {known} or a number of LUFS)") from None
    else:
        value = float(preset)
    low, high = _TARGET_RANGE
    if not low <= value <= high:
        raise ConfigError(f"loudness target {value:g} LUFS is outside {low:g}..{high:g}")
    return value


__all__ = ["CBR_BITRATES_KBPS", "LAME_CBR_GAIN_DB", "MONO_TARGETS", "PRESETS", "target_lufs"]
