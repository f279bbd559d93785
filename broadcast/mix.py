"""Clips -> one track with pauses, and the track -> MP3. The only importer of pydub."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import warnings

with warnings.catch_warnings():
    # pydub looks for ffmpeg at import; we never let it run ffmpeg (see runner).
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

from broadcast import runner
from broadcast.errors import SynthesisError
from broadcast.model import Chapter, CueTiming, Cue, Pauses, Timeline

# Engines pad clips with silence of their own; it is trimmed so that the
# configured pauses are the pauses a listener hears. A short margin keeps
# the first and last phonemes whole.
_SILENCE_DBFS = -50.0
_KEEP_MS = 30


@dataclass(frozen=True)
class Track:
    audio: AudioSegment
    timeline: Timeline


def _trim(clip: AudioSegment) -> AudioSegment:
    lead = detect_leading_silence(clip, silence_threshold=_SILENCE_DBFS, chunk_size=5)
    tail = detect_leading_silence(clip.reverse(), silence_threshold=_SILENCE_DBFS, chunk_size=5)
    start = max(0, lead - _KEEP_MS)
    end = min(len(clip), len(clip) - tail + _KEEP_MS)
    return clip[start:end]


def load_clip(path: Path) -> AudioSegment:
    try:
        clip = AudioSegment.from_wav(str(path))
    except Exception as exc:  # pydub raises bare errors for broken WAVs
        raise SynthesisError(f"{path.name}: unreadable clip: {exc}") from exc
    return _trim(clip).set_channels(1).set_sample_width(2)


def assemble(
    cues: Sequence[Cue], clips: Sequence[Path], gaps: Sequence[int], pauses: Pauses
) -> Track:
    """Join one clip per cue, with `gaps[i]` ms of silence before cue i."""
    segments = [load_clip(p) for p in clips]
    rate = segments[0].frame_rate if segments else 22050
    track = AudioSegment.silent(pauses.lead_in, frame_rate=rate)
    timings = []
    for i, (cue, seg, gap) in enumerate(zip(cues, segments, gaps, strict=True)):
        track += AudioSegment.silent(gap, frame_rate=rate)
        start = len(track)
        track += seg.set_frame_rate(rate)
        timings.append(CueTiming(i, cue.part, cue.role, start, len(track)))
    track += AudioSegment.silent(pauses.tail, frame_rate=rate)
    timeline = Timeline(cues=tuple(timings), duration_ms=len(track), chapters=part_chapters(timings, len(track)))
    return Track(track, timeline)


_CHAPTER_TITLES = {"INTRO": "Introduction", "BODY": "The story", "ATTRIBUTION": "Credits", "OUTRO": "Sign-off"}


def part_chapters(timings: Sequence[CueTiming], duration_ms: int) -> tuple[Chapter, ...]:
    """One chapter per run of cues of the same part; chapters tile the whole track."""
    starts: list[tuple[str, int]] = []
    for t in timings:
        if not starts or starts[-1][0] != t.part.value:
            starts.append((t.part.value, t.start_ms))
    chapters = []
    for n, (part, start) in enumerate(starts):
        begin = 0 if n == 0 else start
        end = starts[n + 1][1] if n + 1 < len(starts) else duration_ms
        chapters.append(Chapter(_CHAPTER_TITLES.get(part, part.title()), begin, end))
    return tuple(chapters)


def encode_mp3(audio: AudioSegment, path: Path, bitrate_kbps: int, channels: int, sample_rate: int) -> None:
    """CBR MP3 with a LAME Info header; ffmpeg resamples, tags come later."""
    runner.run(
        [
            "ffmpeg", "-hide_banner", "-nostdin", "-y",
            "-f", "s16le", "-ar", str(audio.frame_rate), "-ac", str(audio.channels), "-i", "pipe:0",
            "-ar", str(sample_rate), "-ac", str(channels),
            "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k",
            "-map_metadata", "-1", "-write_xing", "1", "-id3v2_version", "0", "-write_id3v1", "0",
            "-f", "mp3", str(path),
        ],
        stdin=audio.raw_data,
    )
