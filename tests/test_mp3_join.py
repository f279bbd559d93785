"""An MP3 encoded in parts at once and joined is, to a player and to every tool, the one
encode of the same signal: frames, Info/LAME tag, sample count, length, and the audio itself
but for the room tone left out at each join. Real ffmpeg and LAME; oracles are a single
encode, ffmpeg's decoder and mutagen."""

from __future__ import annotations

import math
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from mutagen.mp3 import MP3

from broadcast.audio import encode_parts
from broadcast.audio.encode_parts import LAME_DELAY_SAMPLES
from broadcast.audio.ffmpeg import find_tool
from broadcast.audio.loudness import measure_chunks, measure_mp3
from broadcast.audio.master import encode_metered
from broadcast.audio.mix import encode_mp3
from broadcast.audio.mp3_join import (
    ENCODER_DELAY,
    FRAME_SAMPLES,
    MIN_PADDING,
    _crc16,
    _crc16_combine,
    frame_sizes,
    read_info,
    tag_crc,
)
from broadcast.audio.segments import MIN_PART_SECONDS, plan_segments, quiet_spans
from broadcast.audio.spool import split
from broadcast.config import AudioSettings

RATE = 22050
SECONDS = 36
QUIET = [(11 * RATE, 13 * RATE), (23 * RATE, 25 * RATE)]  # room tone alone; speech-like tone elsewhere
ROOM_TONE = 10 ** (-70 / 20)


def signal() -> np.ndarray:
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(SECONDS * RATE) * ROOM_TONE).astype(np.float32)
    talk = np.ones(x.size, bool)
    for lo, hi in QUIET:
        talk[lo:hi] = False
    t = np.arange(x.size)
    x[talk] += (0.25 * np.sin(t * 0.09) * np.abs(np.sin(t * 0.0004)))[talk].astype(np.float32)
    return x


def decoded(path: Path) -> np.ndarray:
    out = subprocess.run(
        [find_tool("ffmpeg"), "-v", "error", "-i", str(path), "-f", "f32le", "-"], capture_output=True, check=True
    ).stdout
    return np.frombuffer(out, "<f4")


def pipe_decoded(frames: bytes, channels: int) -> np.ndarray:
    """Frames decoded as a stream without an Info frame: every frame's 1152 samples, the
    encoder's delay and padding kept."""
    out = subprocess.run(
        [find_tool("ffmpeg"), "-v", "error", "-f", "mp3", "-i", "pipe:0", "-f", "f32le", "-"],
        input=frames,
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, "<f4").reshape(-1, channels)


def dbfs(x: np.ndarray) -> float:
    return 20 * math.log10(float(np.abs(x).max(initial=0.0)) + 1e-12)


def resampled(x: np.ndarray, out_rate: int) -> np.ndarray:
    """The signal as the encoder reads it: ffmpeg's resampler, as in the encode."""
    args = ["-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0", "-ar", str(out_rate)]
    out = subprocess.run(
        [find_tool("ffmpeg"), *args, "-f", "f32le", "-"],
        input=x.astype("<f4").tobytes(),
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, "<f4")


def rms_db(x: np.ndarray) -> float:
    return 10 * math.log10(float(np.mean(np.square(x, dtype=np.float64))) + 1e-24)


def frames_of(path: Path) -> list[bytes]:
    data, at, out = path.read_bytes(), 0, []
    for size in frame_sizes(path):
        out.append(data[at : at + size])
        at += size
    assert at == len(data)
    return out


def test_crc_of_joined_parts_is_combined_from_theirs() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.bytes(3001), rng.bytes(777)
    assert _crc16_combine(_crc16(a), _crc16(b), len(b)) == _crc16(a + b)
    assert _crc16_combine(_crc16(a), _crc16(b""), 0) == _crc16(a)


@pytest.mark.parametrize("frames", [3, 40])
def test_encoder_delay_and_least_padding_are_measured(tmp_path: Path, frames: int) -> None:
    """What the parts are planned on: LAME's delay is 576 samples, and F frames hold at most
    F * 1152 - 1152 samples (576 of delay, at least 576 of padding); one more needs a frame more."""
    rng = np.random.default_rng(frames)
    most = frames * FRAME_SAMPLES - ENCODER_DELAY - MIN_PADDING
    for n, want in ((most + 1, frames + 1), (most, frames)):
        mp3 = tmp_path / f"{n}.mp3"
        encode_mp3(rng.standard_normal(n) * 0.1, 44100, mp3, 96, 1, 44100)
        info = read_info(mp3)
        assert (info.delay, info.frames) == (ENCODER_DELAY, want)
    assert (info.padding, decoded(mp3).size) == (MIN_PADDING, most)


# channels, rate, kbps; mono at 48 kbps or less has an Info frame shorter than the tag's CRC span
LAYOUTS = {"mono 44.1 kHz": (1, 44100, 96), "stereo 48 kHz": (2, 48000, 96), "mono 32 kbps": (1, 48000, 32)}


@pytest.fixture(scope="module", params=list(LAYOUTS))
def single(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    channels, out_rate, kbps = LAYOUTS[request.param]
    mp3 = tmp_path_factory.mktemp("single") / "one.mp3"
    encode_mp3(signal(), RATE, mp3, kbps, channels, out_rate)
    return request.param, mp3


@pytest.mark.parametrize("count", [1, 2, 3])
def test_parts_joined_are_the_single_encode(tmp_path: Path, single: tuple[str, Path], count: int) -> None:
    layout, one = single
    channels, out_rate, kbps = LAYOUTS[layout]
    parts = plan_segments(SECONDS * RATE, RATE, out_rate, QUIET, count)
    assert len(parts) == count
    joined = tmp_path / "episode.mp3"
    settings = AudioSettings(bitrate_kbps=kbps, channels=channels, sample_rate=out_rate)
    loud = encode_metered(split(signal()), RATE, joined, settings, lambda _: None, parts)
    assert not [p.name for p in tmp_path.iterdir() if p.name != "episode.mp3"]  # no part left behind

    # The Info frame: what a single encode of these frames says, CRCs true to the bytes.
    mine, theirs = read_info(joined), read_info(one)
    frames = frames_of(joined)
    assert mine.frames == theirs.frames == len(frames) - 1
    assert mine.size == joined.stat().st_size
    assert (mine.delay, mine.padding) == (theirs.delay, theirs.padding)
    toc = slice(mine.tag_at + 16, mine.tag_at + 116)
    assert mine.frame[toc] == theirs.frame[toc]
    lame = mine.lame_at
    assert struct.unpack_from(">I", mine.frame, lame + 28)[0] == mine.size  # music length
    assert mine.music_crc == _crc16(b"".join(frames[1:]))
    assert struct.unpack_from(">H", mine.frame, lame + 34)[0] == tag_crc(mine.frame, lame)
    assert struct.unpack_from(">H", theirs.frame, lame + 34)[0] == tag_crc(theirs.frame, lame)  # as ffmpeg's
    tag_at = mine.tag_at
    assert not [n for n, f in enumerate(frames[1:], 1) if f[tag_at : tag_at + 4] in (b"Info", b"Xing")]

    # The sample timeline: exactly the intended samples, every part where it belongs.
    a, b = decoded(joined).reshape(-1, channels), decoded(one).reshape(-1, channels)
    assert a.shape == b.shape == (SECONDS * out_rate, channels)
    assert MP3(joined).info.length == MP3(one).info.length
    near = np.zeros(len(a), bool)
    for part in parts[1:]:
        at = part.start * out_rate // RATE
        window = slice(at - FRAME_SAMPLES - out_rate * 15 // 1000, at + out_rate * 15 // 1000)  # room tone
        near[window] = True
        # No click: what differs at a join is the 26 ms of room tone left out, at its level.
        assert dbfs(a[window] - b[window]) < -50
        assert rms_db(a[window] - b[window]) < -65
    # The first part's last frame is its encoder's flush (and the decoder overlaps it with the
    # frame before): from there on the samples may differ from the single encode's.
    first = parts[1].start * out_rate // RATE - 2 * FRAME_SAMPLES - ENCODER_DELAY if len(parts) > 1 else len(a)
    assert np.array_equal(a[:first], b[:first])  # up to the first join, the very same samples
    # After it the encoder's state (bit reservoir, masking history) differs from the single
    # encode's, so the samples differ by coding noise: no more of it than the single encode has.
    ref = resampled(signal(), out_rate)[:, None]
    rest = ~near & (np.arange(len(a)) >= first)
    if rest.any():
        assert abs(rms_db((a - ref)[rest]) - rms_db((b - ref)[rest])) < 0.1

    # The final check measures the joined file as players hear it.
    again = measure_mp3(joined)
    assert abs(loud.integrated_lufs - again.integrated_lufs) < 0.05
    assert abs(loud.true_peak_dbtp - again.true_peak_dbtp) < 0.05
    # Each part metered on its own makes the joined file's measurement in order, to rounding.
    in_order = measure_chunks(split(pipe_decoded(b"".join(frames[1:]), channels)[LAME_DELAY_SAMPLES:]), out_rate)
    assert abs(loud.integrated_lufs - in_order.integrated_lufs) < 1e-6
    assert abs(loud.range_lu - in_order.range_lu) < 1e-6
    assert abs(loud.true_peak_dbtp - in_order.true_peak_dbtp) < 1e-4


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_meters_decode_the_joined_files_very_samples(
    tmp_path: Path, layout: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What metering the parts apart rests on: a part decoded alone gives the joined file's
    samples bit for bit from its second frame on, and so does each join's decode (the joined
    file's frames around the join, primed far enough back for the bit reservoir)."""
    channels, out_rate, kbps = LAYOUTS[layout]
    seen: list[tuple[str, bytes, int, int]] = []  # the joins are metered in any order
    real = encode_parts._join_frames

    def keep(before: Path, after: Path, plan: encode_parts._Plan) -> tuple[bytes, int]:
        data, take = real(before, after, plan)
        seen.append((before.name, data, take, plan.before))
        return data, take

    monkeypatch.setattr(encode_parts, "_join_frames", keep)
    parts = plan_segments(SECONDS * RATE, RATE, out_rate, QUIET, 3)
    joined = tmp_path / "episode.mp3"
    settings = AudioSettings(bitrate_kbps=kbps, channels=channels, sample_rate=out_rate)
    encode_metered(split(signal()), RATE, joined, settings, lambda _: None, parts)
    frames = frames_of(joined)[1:]
    whole = pipe_decoded(b"".join(frames), channels)
    at = 0
    for part in parts:
        count = part.frames or len(frames) - at
        alone = pipe_decoded(b"".join(frames[at : at + count]), channels)
        assert not np.array_equal(alone[:FRAME_SAMPLES], whole[at * FRAME_SAMPLES : (at + 1) * FRAME_SAMPLES]) or not at
        assert np.array_equal(alone[FRAME_SAMPLES:], whole[(at + 1) * FRAME_SAMPLES : (at + count) * FRAME_SAMPLES])
        at += count
    assert len(seen) == len(parts) - 1
    edge = 0
    for (_, data, take, before), part in zip(sorted(seen), parts, strict=False):
        edge += part.frames or 0
        got = pipe_decoded(data, channels)[(take - before) * FRAME_SAMPLES :]
        assert got.size and np.array_equal(got, whole[(edge - before) * FRAME_SAMPLES :][: len(got)])


def test_cuts_only_in_room_tone_on_the_frame_grid() -> None:
    total = 60 * RATE
    speech = [(0, 20 * RATE), (int(20.4 * RATE), 40 * RATE), (int(40.03 * RATE), total)]
    quiet = quiet_spans(speech, [], total)
    parts = plan_segments(total, RATE, 44100, quiet, 3)
    assert len(parts) == 2  # the 30 ms pause is too short for a join
    cut = parts[1].start * 2
    assert cut % FRAME_SAMPLES == 0
    assert 20 * RATE < parts[0].stop < parts[1].start < 20.4 * RATE
    assert parts[0].frames == cut // FRAME_SAMPLES


@pytest.mark.parametrize(
    ("total_s", "quiet", "cores", "why"),
    [
        (60, [(29 * RATE, 31 * RATE)], 1, "one core"),
        (2 * MIN_PART_SECONDS - 1, [(9 * RATE, 10 * RATE)], 2, "too short to cut"),
        (60, [], 2, "no pause"),
        (60, [(int(29.99 * RATE), 30 * RATE)], 2, "pause shorter than a frame"),
        (60, [(2 * RATE, 3 * RATE)], 2, "the only pause leaves a part under the least length"),
    ],
)
def test_one_part_when_no_cut_pays(total_s: float, quiet: list[tuple[int, int]], cores: int, why: str) -> None:
    total = int(total_s * RATE)
    assert len(plan_segments(total, RATE, 44100, quiet, cores)) == 1, why


def test_a_music_span_is_no_pause() -> None:
    assert quiet_spans([(0, 100), (300, 400)], [(150, 250), (380, 500)], 600) == [(100, 150), (250, 300), (500, 600)]
