"""Through the real command line: a build encoded in parts meters each part with a decoder of
its own while that part is encoded, and the parts' measurements make exactly the measurement
of the joined file decoded in order. An ffmpeg on PATH that keeps what each MP3 decoder is fed
shows which frames each meter heard."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import numpy as np
import pytest
from builds import fake_voices, write_story
from conftest import run_cli
from mutagen.id3 import ID3

from broadcast.audio.encode_parts import LAME_DELAY_SAMPLES
from broadcast.audio.ffmpeg import find_tool
from broadcast.audio.loudness import SETTLE_S, measure_chunks, measure_mp3, measure_spans, meter_span
from broadcast.audio.spool import split

# Every MP3 decoder reading a pipe (the meters') keeps its input in a file, then decodes it.
KEEP = 'fed="$SHIM_LOG/fed-$$.mp3"; cat > "$fed"; exec "$REAL_FFMPEG" "$@" < "$fed"'
# ... or takes it all and fails.
FAIL = 'cat > /dev/null; echo "pipe:0: Invalid data found when processing input" >&2; exit 1'
SHIM = """#!/bin/sh
case " $* " in
  *" -f mp3 -i pipe:0 "*) %s;;
esac
exec "$REAL_FFMPEG" "$@"
"""


def build_with(root: Path, decoder: str) -> subprocess.CompletedProcess[str]:
    """A build of a story long enough to be encoded in parts, its meters' decoders `decoder`."""
    shim_dir, log = root / "bin", root / "fed"
    shim_dir.mkdir()
    log.mkdir()
    shim = shim_dir / "ffmpeg"
    shim.write_text(SHIM % decoder, encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    cfg = root / "show.toml"
    cfg.write_text("", encoding="utf-8")
    story = write_story(root, 1, words=120)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REAL_FFMPEG", find_tool("ffmpeg"))
        mp.setenv("SHIM_LOG", str(log))
        mp.setenv("PATH", f"{shim_dir}{os.pathsep}{os.environ['PATH']}")
        return run_cli("build", story, "--output", root / "out", "--voices", fake_voices(root), "--config", cfg)


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[bytes]]:
    """(the episode's folder, what each of its meters' decoders was fed)."""
    root = tmp_path_factory.mktemp("metered")
    done = build_with(root, KEEP)
    assert done.returncode == 0, done.stderr
    log = root / "fed"
    (folder,) = [p for p in (root / "out").iterdir() if p.is_dir()]
    fed = sorted((p.read_bytes() for p in log.iterdir()), key=len, reverse=True)
    return folder, fed


def audio_frames(mp3: Path) -> bytes:
    """The episode's MP3 frames after its tags and its Info frame."""
    from broadcast.audio.mp3_join import frame_size

    data = mp3.read_bytes()[ID3(mp3).size :]
    return data[frame_size(data[:4]) :]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: one encode, one meter")
def test_each_part_is_metered_on_its_own(build: tuple[Path, list[bytes]]) -> None:
    folder, fed = build
    frames = audio_frames(folder / "episode.mp3")
    assert len(fed) >= 2  # one meter a part
    assert frames not in fed  # no meter waited for the whole file
    # Each heard a stretch of the file: its part, and the next part's first frames.
    at = sorted(frames.find(f) for f in fed)
    assert at[0] == 0
    assert all(frames.find(f) >= 0 for f in fed)
    ends = sorted(frames.find(f) + len(f) for f in fed)
    assert ends[-1] == len(frames)
    assert all(a < e for a, e in zip(at[1:], ends[:-1], strict=True))  # they overlap at each join


def test_the_loudness_is_the_joined_file_measured_in_order(tmp_path: Path, build: tuple[Path, list[bytes]]) -> None:
    folder, _ = build
    mp3 = folder / "episode.mp3"
    decoded = subprocess.run(
        [find_tool("ffmpeg"), "-v", "error", "-f", "mp3", "-i", "pipe:0", "-f", "f32le", "-"],
        input=audio_frames(mp3),
        capture_output=True,
        check=True,
    ).stdout
    in_order = measure_chunks(split(np.frombuffer(decoded, "<f4")[LAME_DELAY_SAMPLES:]), 44100)
    recorded = json.loads((folder / "episode.json").read_text())["loudness"]
    file = measure_mp3(mp3)
    for key in ("integrated_lufs", "range_lu", "true_peak_dbtp"):
        # episode.json keeps two decimals
        assert abs(recorded[key] - getattr(in_order, key)) <= 0.005 + 1e-6, key
        assert abs(recorded[key] - getattr(file, key)) <= 0.01, key


def test_spans_metered_apart_are_the_signal_metered_in_order() -> None:
    """Loud noise across the cuts and the true peak between two samples at a cut: the spans,
    each K-weighted from rest SETTLE_S before it, measure what one pass over the signal does."""
    rate = 48000
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((40 * rate, 2)) * np.linspace(0.02, 0.3, 40 * rate)[:, None]).astype(np.float32)
    cuts = [0, 13 * rate + 17, 29 * rate + 5, len(x)]
    x[cuts[1] - 1 : cuts[1] + 1] = [[0.9, 0.9], [-0.9, -0.9]]  # the peak falls between them
    settle = int(SETTLE_S * rate)
    spans = []
    for n, (lo, hi) in enumerate(zip(cuts, cuts[1:], strict=False)):
        first = max(0, lo - settle)
        last = n == len(cuts) - 2
        spans.append(meter_span(split(x[first : hi if last else hi + 8]), rate, first, lo, None if last else hi))
    whole, apart = measure_chunks(split(x), rate), measure_spans(spans)
    assert whole.true_peak_dbtp > 20 * np.log10(0.9)  # between the samples
    assert abs(apart.integrated_lufs - whole.integrated_lufs) < 1e-6
    assert abs(apart.range_lu - whole.range_lu) < 1e-6
    assert abs(apart.true_peak_dbtp - whole.true_peak_dbtp) < 1e-4
    with pytest.raises(ValueError, match="starts at"):
        measure_spans([spans[0], spans[2]])


def test_a_meter_whose_decoder_fails_fails_the_build(tmp_path: Path) -> None:
    done = build_with(tmp_path, FAIL)
    assert done.returncode == 6  # a tool failed
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "ffmpeg" in lines[0] and "Invalid data" in lines[0], done.stderr
    assert not list((tmp_path / "out").rglob("*.mp3"))  # nothing half-published
