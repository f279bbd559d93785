"""The parts of a fast build: sentences spoken in parallel lanes (order, errors, real
workers) and the final loudness check measured by ffmpeg. Through the real command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from builds import check_output, cli_cmd, write_story
from conftest import ROOT, SEED
from fake_engine import FakeEngine
from test_loudness import speech_like

from broadcast.audio.loudness import Loudness, measure_mp3
from broadcast.audio.master import encode_metered
from broadcast.audio.spool import split
from broadcast.config import AudioSettings
from broadcast.errors import SynthesisError
from broadcast.model import VoiceProfile

HERE = Path(__file__).resolve().parent
LANE_LOG = "BROADCAST_TEST_LANE_LOG"  # each clip appends "thread<TAB>text"
FAIL_ON = "BROADCAST_TEST_LANE_FAIL"  # a clip whose text holds this word fails


class LaneFake(FakeEngine):
    """The fake engine allowing two lanes, slow enough (20 ms a clip) that both get work."""

    name = "lanefake"
    lanes = 2

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        time.sleep(0.3 if "yak" in text.split() else 0.02)
        word = os.environ.get(FAIL_ON)
        if word and word in text.split():
            raise SynthesisError(f"refused {word!r}")
        with open(os.environ[LANE_LOG], "a", encoding="utf-8") as fh:
            fh.write(f"{threading.get_ident()}\t{' '.join(text.split())}\n")
        super().synthesize(text, profile, path)


RUNNER = (
    f"import sys; sys.path.insert(0, {str(HERE)!r}); "
    "from test_build_speed_parts import LaneFake; from broadcast.speech.engines import register_engine; "
    "from broadcast.cli import main; register_engine(LaneFake); sys.exit(main())"
)


def _lane_cli(tmp_path: Path, story: Path | list[Path], *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    vdir = tmp_path / "voices"
    vdir.mkdir(exist_ok=True)
    for role, rate in (("host", 165), ("reporter", 180)):
        (vdir / f"{role}.toml").write_text(f'engine = "lanefake"\nvoice = "tone"\nrate = {rate}\nvolume = 0.8\n')
    cfg = tmp_path / "plain.toml"
    cfg.write_text("")
    stories = story if isinstance(story, list) else [story]
    args = ["build", *stories, *extra, "--output", tmp_path / "out", "--config", cfg, "--voices", vdir]
    args += ["--no-cache"] + (["--quiet"] if len(stories) == 1 else [])
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, LANE_LOG: str(tmp_path / "lanes.log"), **env},
    )


def _srt(path: Path) -> list[tuple[int, str]]:
    """(duration ms, text) of each caption."""
    out = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        _, times, *text = block.splitlines()
        a, b = (
            sum(int(x) * m for x, m in zip(re.split("[:,]", t), (3600000, 60000, 1000, 1)))
            for t in times.split(" --> ")
        )
        out.append((b - a, " ".join(text)))
    return out


def test_sentences_are_spoken_in_two_lanes_and_keep_their_places(tmp_path: Path) -> None:
    story = write_story(tmp_path, 1, words=240)
    # Sentences of different lengths: a clip put in another's place would not fit its caption.
    story.write_text(story.read_text().replace("them.", "them, one said.", 5), encoding="utf-8")
    result = _lane_cli(tmp_path, story)
    assert result.returncode == 0, result.stderr
    lines = [line.split("\t") for line in (tmp_path / "lanes.log").read_text().splitlines()]
    assert len({thread for thread, _ in lines}) == 2, "one lane spoke every clip"
    (folder,) = check_output(tmp_path / "out")
    captions = _srt(tmp_path / "out" / folder / "transcript.srt")
    assert len(captions) >= 20
    for duration, text in captions:
        words = len(re.sub(r"\[\[.*?\]\]", "x", text).split())
        per_word = duration / words
        # 165-180 words a minute: 333-364 ms a word, less the trimmed silence after the last.
        assert 250 < per_word < 420, (text, duration)


@pytest.mark.parametrize(("jobs", "lanes"), [("1", 2), ("2", 1)])
def test_a_batch_shares_the_cores_between_its_builds(tmp_path: Path, jobs: str, lanes: int) -> None:
    """-j 2 on two cores runs two one-lane builds, not four lanes; -j 1 gives its build both."""
    stories = [write_story(tmp_path, n, words=240) for n in (3, 4)]
    result = _lane_cli(tmp_path, stories, "-j", jobs)
    assert result.returncode == 0, result.stderr
    lines = [line.split("\t") for line in (tmp_path / "lanes.log").read_text().splitlines()]
    for n in ("three", "four"):  # as spoken
        threads = {thread for thread, text in lines if f"district {n} " in text}
        assert len(threads) == lanes, (n, threads)


def test_the_first_failing_sentence_is_named_whichever_lane_fails_first(tmp_path: Path) -> None:
    story = write_story(tmp_path, 7, words=240)
    text = story.read_text()
    # The 3rd sentence fails slowly ("yak"), the 4th at once in the other lane.
    text = text.replace("well for them.", "well for them zebra.", 4).replace("them zebra.", "them.", 2)
    text = text.replace("them zebra.", "them zebra yak.", 1)
    story.write_text(text, encoding="utf-8")
    result = _lane_cli(tmp_path, story, **{FAIL_ON: "zebra"})
    assert result.returncode == SynthesisError.exit_code
    (line,) = result.stderr.strip().splitlines()
    assert re.match(r"broadcast: error: cue \d+, sentence 3 \('Residents of district 7 said", line), line
    assert "refused 'zebra'" in line
    assert not [p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")]


RATE = 22050


def _close(a: Loudness, b: Loudness, within: float = 0.01) -> None:
    for x, y in (
        (a.integrated_lufs, b.integrated_lufs),
        (a.range_lu, b.range_lu),
        (a.true_peak_dbtp, b.true_peak_dbtp),
    ):
        assert x == y or abs(x - y) <= within, (a, b)  # x == y: both -inf (silence)


def _inter_sample_peaks(seconds: float) -> np.ndarray:
    """A quarter-rate sine sampled 45 degrees off its crests: the true peak is 3 dB above every sample."""
    n = np.arange(int(seconds * RATE))
    return (0.5 * np.sin(np.pi / 2 * n + np.pi / 4)).astype(np.float32)


@pytest.mark.parametrize(
    ("name", "channels", "out_rate"),
    [
        ("speech", 1, 44100),
        ("speech", 2, 48000),
        ("loud", 1, 44100),
        ("inter-sample", 1, 44100),
        ("quiet then loud", 2, 44100),
        ("silence", 1, 44100),
    ],
)
def test_the_mp3_metered_while_encoding_reads_as_the_finished_file_does(
    tmp_path: Path, name: str, channels: int, out_rate: int
) -> None:
    """The loudness recorded for an episode is metered on the MP3 frames as they are encoded
    (a copy through a pipe); measuring the finished file afterwards reads the same."""
    speech = speech_like(20.0, seed=5).astype(np.float32)
    signal = {
        "speech": speech,
        "loud": np.clip(speech * 4.0, -0.99, 0.99),
        "inter-sample": _inter_sample_peaks(10.0),
        "quiet then loud": np.concatenate([speech * 0.05, speech]),
        "silence": np.zeros(RATE * 5, np.float32),
    }[name]
    mp3 = tmp_path / "episode.mp3"
    metered = encode_metered(
        split(signal, 30_000), RATE, mp3, AudioSettings(channels=channels, sample_rate=out_rate), lambda _: None
    )
    _close(metered, measure_mp3(mp3))
    assert [p.name for p in tmp_path.iterdir()] == ["episode.mp3"]


@pytest.mark.e2e
def test_a_real_build_runs_two_speech_workers_at_once(tmp_path: Path, empty_config: Path) -> None:
    cmd = cli_cmd("build", SEED, "--output", tmp_path / "out", "--config", empty_config, "--quiet", "--no-cache")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    most = 0
    while proc.poll() is None:
        most = max(most, len(_worker_children(proc.pid)))
        time.sleep(0.005)
    _, stderr = proc.communicate()
    assert proc.returncode == 0, stderr
    assert most == 2
    (folder,) = check_output(tmp_path / "out")
    # The seed's recorded loudness, metered while encoding, against the finished file's.
    recorded = json.loads((tmp_path / "out" / folder / "episode.json").read_text())["loudness"]
    heard = measure_mp3(tmp_path / "out" / folder / "episode.mp3")
    assert recorded["integrated_lufs"] == pytest.approx(heard.integrated_lufs, abs=0.1)
    assert recorded["range_lu"] == pytest.approx(heard.range_lu, abs=0.1)
    assert recorded["true_peak_dbtp"] == pytest.approx(heard.true_peak_dbtp, abs=0.1)


def _worker_children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == parent and b"pyttsx3_worker" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    return found


class _Stoppable(FakeEngine):
    """Speaks a clip by waiting for abort() (at most 5 s): a lane busy when Ctrl-C comes."""

    name = "stoppable"
    lanes = 2
    aborted = threading.Event()

    def abort(self) -> None:
        _Stoppable.aborted.set()

    def synthesize(self, text: str, profile: VoiceProfile, path: Path) -> None:
        _Stoppable.aborted.wait(5)


def test_ctrl_c_in_the_calling_lane_stops_the_other_lanes_at_once() -> None:
    from broadcast.speech.engines import register_engine
    from broadcast.speech.engines.lanes import Lanes

    register_engine(_Stoppable)
    profile = VoiceProfile("p", "stoppable", "tone", 180, 0.8)
    calling = threading.current_thread()

    def run(job: int, engine_for) -> None:  # type: ignore[no-untyped-def]
        if threading.current_thread() is calling:
            time.sleep(0.3)  # the other lane has taken its clip by now
            raise KeyboardInterrupt
        engine_for(profile).synthesize("words", profile, Path("unused.wav"))

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        Lanes([0, 1, 2, 3], run, 2).run(lambda _p: _Stoppable())
    assert time.monotonic() - started < 2.5  # not the other lane's whole clip
    assert _Stoppable.aborted.is_set()
