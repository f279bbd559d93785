"""Through the real command line: a build encodes its MP3 in parts on its cores, and the episode
is the one a single encode makes (a batch build with -j as many as the cores gives each build one
core, hence one encode): same samples in the same places, same length to every tool, same text
outputs and loudness, one Info frame, and no dropout or click where the parts were joined."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from builds import fake_voices, write_story
from conftest import run_cli
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from broadcast.audio.ffmpeg import find_tool
from broadcast.audio.mp3_join import frame_sizes, read_info
from broadcast.audio.segments import MIN_PART_SECONDS

CORES = os.cpu_count() or 1
CONFIGS = {
    "mono, no music": "",
    "stereo 48 kHz, stings and a bed": (
        "[audio]\nchannels = 2\nsample_rate = 48000\n"
        '[audio.music]\nintro = "builtin:sting"\noutro = "builtin:sting"\nbed = "builtin:sting"\n'
    ),
}


@pytest.fixture(scope="module", params=list(CONFIGS))
def builds(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the episode built alone, on every core; the same episode built in a batch, one core each)."""
    root = tmp_path_factory.mktemp("segmented")
    voices = fake_voices(root)
    cfg = root / "show.toml"
    cfg.write_text(CONFIGS[request.param], encoding="utf-8")
    story, other = write_story(root, 1, words=120), write_story(root, 2, words=24)
    common = ["--voices", voices, "--config", cfg, "--no-cache"]
    alone = run_cli("build", story, "--output", root / "alone", "--quiet", *common)
    batch = run_cli("build", story, other, "-j", str(CORES), "--output", root / "batch", *common)
    assert alone.returncode == 0, alone.stderr
    assert batch.returncode == 0, batch.stderr
    (folder,) = [p for p in (root / "alone").iterdir() if p.is_dir()]
    return folder, root / "batch" / folder.name


def decoded(mp3: Path) -> tuple[np.ndarray, int, int]:
    """Samples (n, channels) as ffmpeg decodes them (honouring the LAME tag), rate, channels."""
    info = MP3(mp3).info
    out = subprocess.run(
        [find_tool("ffmpeg"), "-v", "error", "-i", str(mp3), "-f", "f32le", "-"], capture_output=True, check=True
    ).stdout
    return np.frombuffer(out, "<f4").reshape(-1, info.channels), info.sample_rate, info.channels


def envelope_db(x: np.ndarray, rate: int) -> np.ndarray:
    """Level of each 10 ms, in dBFS."""
    win = rate // 100
    n = len(x) // win
    power = np.mean(np.square(x[: n * win].reshape(n, -1), dtype=np.float64), axis=1)
    return 10 * np.log10(power + 1e-20)


def test_same_samples_in_the_same_places(builds: tuple[Path, Path]) -> None:
    alone, batch = builds
    a, rate, _ = decoded(alone / "episode.mp3")
    b, _, _ = decoded(batch / "episode.mp3")
    assert a.shape == b.shape
    timeline_ms = json.loads((alone / "episode.json").read_text())["audio"]["timeline_ms"]
    assert abs(len(a) * 1000 / rate - timeline_ms) < 1.5  # the mix's length, to the sample's rounding
    assert MP3(alone / "episode.mp3").info.length == MP3(batch / "episode.mp3").info.length
    if CORES > 1:
        assert not np.array_equal(a, b)  # built on its cores, in parts
    # Sample-aligned after every join: a shift of one sample would leave the 220 Hz
    # voice in the difference at about -50 dBFS.
    assert 10 * np.log10(np.mean(np.square(a - b, dtype=np.float64)) + 1e-20) < -60
    # No dropout or click in speech or music: every 10 ms where something plays is as loud as
    # in the single encode; where they differ is at the room tone's level.
    ea, eb = envelope_db(a, rate), envelope_db(b, rate)
    playing = eb > -50
    assert np.abs(ea[playing] - eb[playing]).max() < 0.5
    assert envelope_db(a - b, rate).max() < -50


def test_same_text_outputs_and_loudness(builds: tuple[Path, Path]) -> None:
    alone, batch = builds
    for name in ("transcript.vtt", "chapters.json", "script.txt"):
        assert (alone / name).read_text() == (batch / name).read_text(), name
    mine, theirs = (json.loads((f / "episode.json").read_text())["loudness"] for f in builds)
    for key in ("integrated_lufs", "true_peak_dbtp"):
        assert abs(mine[key] - theirs[key]) <= 0.05, key


def test_one_info_frame_true_to_the_stream(tmp_path: Path, builds: tuple[Path, Path]) -> None:
    mp3 = builds[0] / "episode.mp3"
    audio = tmp_path / "frames.mp3"
    audio.write_bytes(mp3.read_bytes()[ID3(mp3).size :])  # the stream after the tags
    info = read_info(audio)
    sizes = list(frame_sizes(audio))
    assert info.frames == len(sizes) - 1
    assert info.size == sum(sizes) == audio.stat().st_size
    data, at = audio.read_bytes(), sizes[0]
    for size in sizes[1:]:
        assert data[at + info.tag_at : at + info.tag_at + 4] not in (b"Info", b"Xing")
        at += size


def test_an_episode_too_short_to_cut_is_one_encode(tmp_path: Path) -> None:
    voices = fake_voices(tmp_path)
    cfg = tmp_path / "show.toml"
    cfg.write_text("", encoding="utf-8")
    story, other = write_story(tmp_path, 3, words=0), write_story(tmp_path, 4, words=0)
    common = ["--voices", voices, "--config", cfg, "--no-cache"]
    assert run_cli("build", story, "--output", tmp_path / "alone", "--quiet", *common).returncode == 0
    assert run_cli("build", story, other, "-j", str(CORES), "--output", tmp_path / "batch", *common).returncode == 0
    (folder,) = [p for p in (tmp_path / "alone").iterdir() if p.is_dir()]
    a, rate, _ = decoded(folder / "episode.mp3")
    assert len(a) < 2 * MIN_PART_SECONDS * rate
    assert np.array_equal(a, decoded(tmp_path / "batch" / folder.name / "episode.mp3")[0])
