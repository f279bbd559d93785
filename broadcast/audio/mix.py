"""Clips -> one track with pauses, and the track -> MP3. The only importer of pydub."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

with warnings.catch_warnings():
    # pydub looks for ffmpeg at import; we never let it run ffmpeg (see ffmpeg.py).
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment
    from pydub.silence import detect_leading_silence

from broadcast.audio import ffmpeg
from broadcast.audio.spool import Spool, split
from broadcast.errors import OutputError, SynthesisError, ToolError
from broadcast.model import Chapter, Cue, CueTiming, Pauses, SentenceTiming, Timeline

# Engines pad clips with silence of their own; it is trimmed so that the
# configured pauses are the pauses a listener hears. A short margin keeps
# the first and last phonemes whole.
_SILENCE_DBFS = -50.0
_KEEP_MS = 30
_DEFAULT_RATE = 22050  # a track without clips (never built, but well defined)


@dataclass(frozen=True)
class Track:
    audio: Spool  # 16-bit mono speech at the engine's rate, on disk
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
    cues: Sequence[Cue],
    sentences: Sequence[Sequence[str]],
    clips: Sequence[Sequence[Path]],
    gaps: Sequence[int],
    pauses: Pauses,
    on_rate: Callable[[int], None] = lambda _: None,
) -> Track:
    """Join the sentence clips of each cue, with `gaps[i]` ms of silence before cue i
    and `pauses.sentence` between the sentences of a cue. `on_rate` is told the track's
    rate as soon as the first clip gives it (the music can be decoded meanwhile)."""
    speech: Spool | None = None
    position = pauses.lead_in
    cue_timings, sentence_timings = [], []
    for i, (cue, texts, paths, gap) in enumerate(zip(cues, sentences, clips, gaps, strict=True)):
        position += gap
        cue_start = position
        for n, (text, path) in enumerate(zip(texts, paths, strict=True)):
            if n:
                position += pauses.sentence
            seg = load_clip(path)
            # The first clip sets the track's rate; each clip is laid on the spool at
            # once, so the episode is never held in memory.
            if speech is None:
                speech = Spool("<i2", seg.frame_rate)
                on_rate(speech.rate)
            pcm = np.frombuffer(seg.set_frame_rate(speech.rate).raw_data, dtype="<i2")
            speech.write_at(round(position * speech.rate / 1000), pcm)
            sentence_timings.append(SentenceTiming(i, cue.role, text, position, position + len(seg)))
            position += len(seg)
        cue_timings.append(CueTiming(i, cue.part, cue.role, cue_start, position))
    duration = position + pauses.tail
    speech = speech or Spool("<i2", _DEFAULT_RATE)
    speech.resize(round(duration * speech.rate / 1000))  # silence to the end; a clip's overshoot cut
    timeline = Timeline(
        cues=tuple(cue_timings),
        duration_ms=duration,
        chapters=part_chapters(cue_timings, duration),
        sentences=tuple(sentence_timings),
    )
    return Track(speech, timeline)


_CHAPTER_TITLES = {"INTRO": "Introduction", "BODY": "The story", "ATTRIBUTION": "Credits", "OUTRO": "Sign-off"}


def shift_timeline(timeline: Timeline, offset_ms: int, duration_ms: int) -> Timeline:
    """The timeline after `offset_ms` of music or tone was put before the speech."""
    cues = tuple(replace(c, start_ms=c.start_ms + offset_ms, end_ms=c.end_ms + offset_ms) for c in timeline.cues)
    sentences = tuple(
        replace(s, start_ms=s.start_ms + offset_ms, end_ms=s.end_ms + offset_ms) for s in timeline.sentences
    )
    return Timeline(cues, duration_ms, part_chapters(cues, duration_ms), sentences)


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


def to_float(pcm: np.ndarray) -> np.ndarray:
    """16-bit samples -> float32 samples in [-1, 1]."""
    return pcm.astype(np.float32) / 32768.0


def encode_mp3(
    samples: np.ndarray | Iterable[np.ndarray], rate: int, path: Path, bitrate_kbps: int, channels: int, out_rate: int
) -> None:
    """CBR MP3 with a LAME Info header from mono float samples (an array, or chunks
    of one streamed to the encoder as they come); tags come later.

    Stereo is dual mono made here, not by ffmpeg, whose mono-to-stereo matrix
    lowers each channel by 3 dB and would undo the loudness target.
    """
    chunks = split(samples) if isinstance(samples, np.ndarray) else samples
    try:
        with ffmpeg.Running(encoder_args(rate, path, bitrate_kbps, channels, out_rate), feed=True) as encoder:
            for chunk in chunks:
                mono = np.clip(np.asarray(chunk).reshape(-1), -1.0, 1.0).astype("<f4")
                encoder.write((np.repeat(mono, channels) if channels > 1 else mono).tobytes())
            encoder.finish()
    except ToolError as exc:
        # ffmpeg exits with 256 - ENOSPC when the disk fills up.
        if "No space left" in str(exc) or "(exit 228)" in str(exc):
            raise OutputError(f"{path.parent}: disk full while writing {path.name}") from exc
        raise


def encoder_args(rate: int, path: Path, bitrate_kbps: int, channels: int, out_rate: int) -> list[str | Path]:
    """ffmpeg reading float samples at `rate` on stdin and writing the MP3 at `path`."""
    return [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-v",
        "error",
        "-y",
        "-f",
        "f32le",
        "-ar",
        str(rate),
        "-ac",
        str(channels),
        "-i",
        "pipe:0",
        "-ar",
        str(out_rate),
        "-ac",
        str(channels),
        "-c:a",
        "libmp3lame",
        "-b:a",
        f"{bitrate_kbps}k",
        "-map_metadata",
        "-1",
        "-write_xing",
        "1",
        "-id3v2_version",
        "0",
        "-write_id3v1",
        "0",
        "-f",
        "mp3",
        str(path),
    ]


_TEE_MUXER = "f=mp3:id3v2_version=0:write_id3v1=0"


def tee_encoder_args(rate: int, name: str, bitrate_kbps: int, channels: int, out_rate: int) -> list[str | Path]:
    """encoder_args, but ffmpeg's tee muxer writes the file `name` (in ffmpeg's working folder:
    the tee's syntax would read some path characters) and the same MP3 frames to stdout, for a
    decoder to meter; the stdout copy has no LAME header."""
    args = encoder_args(rate, Path(name), bitrate_kbps, channels, out_rate)
    codec = args[: args.index("-map_metadata") + 2]  # input and codec; the muxers are the tee's
    tee = f"[{_TEE_MUXER}:write_xing=1]{name}|[{_TEE_MUXER}:write_xing=0]pipe:1"
    return [*codec, "-map", "0:a", "-f", "tee", tee]
