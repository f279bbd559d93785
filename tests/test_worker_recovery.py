"""A speech worker that crashes or hangs mid-article, while starting or during the voice
check, is replaced and the build succeeds. Through the real command line, except where a
test engine's worker must stall on cue. (Its own file, so it runs beside the kill tests.)"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from builds import check_output, cli_cmd, speech_workers, write_story
from conftest import ROOT
from faulty_worker import FaultyEngine, set_fault

from broadcast.config import load_settings
from broadcast.model import Article
from broadcast.pipeline import build_episode
from broadcast.speech.engines import register_engine

pytestmark = pytest.mark.e2e


def _wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[str] | None = None) -> None:
    """Wait until `ready()` (polled, not a fixed sleep); fail after a generous deadline."""
    deadline = time.monotonic() + 120
    while not ready():
        assert proc is None or proc.poll() is None, f"the build ended before {what}"
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.005)


@pytest.mark.parametrize(("sig", "label"), [(signal.SIGKILL, "crash"), (signal.SIGSTOP, "hang")])
def test_speech_worker_crash_or_hang_mid_article_is_survived(
    tmp_path: Path, empty_config: Path, sig: signal.Signals, label: str
) -> None:
    out = tmp_path / "out"
    scratch = tmp_path / "scratch"  # the build's temporary folder goes here, so its clips can be counted
    scratch.mkdir()
    story = write_story(tmp_path, 1, words=600)
    proc = subprocess.Popen(
        # --no-cache: the worker must really speak this story, whatever earlier tests cached.
        cli_cmd("build", story, "--output", out, "--config", empty_config, "--quiet", "--no-cache"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    workers: list[int] = []

    def mid_article() -> bool:  # a worker runs and has written three clips
        workers[:] = speech_workers(proc.pid)
        return bool(workers) and len(list(scratch.glob("broadcast-*/cue-*.wav"))) >= 3

    try:
        _wait_for("a speech worker that has spoken three clips", mid_article, proc)
        os.kill(workers[0], sig)
        restarted = False
        while proc.poll() is None and not restarted:
            restarted = any(pid != workers[0] for pid in speech_workers(proc.pid))
            time.sleep(0.01)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(workers[0] if workers else proc.pid, signal.SIGKILL)
        proc.kill()
        proc.wait()
    assert restarted, f"{label}: the build never started a fresh speech worker"
    assert proc.returncode == 0, f"{label}: {stderr}"
    assert "episode:" in stdout
    check_output(out)


STORY = Article(
    headline="Ferry schedule changes for the winter season",
    body=("Residents said the new ferry schedule works well for them.", "The changes take effect next week."),
    site="Harbor Radio",
)


@pytest.mark.parametrize("fault", ["stall-start", "stall-voices"])
@pytest.mark.parametrize(("sig", "label"), [(signal.SIGKILL, "crash"), (signal.SIGSTOP, "hang")])
def test_speech_worker_crash_or_hang_while_starting_is_survived(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str, sig: signal.Signals, label: str
) -> None:
    """A worker killed or stopped while it starts up, or while it lists voices for the
    voice check, is replaced like one that fails mid-article: the build succeeds."""
    register_engine(FaultyEngine)
    vdir = tmp_path / "voices"
    vdir.mkdir()
    for role in ("host", "reporter"):
        (vdir / f"{role}.toml").write_text(
            f'engine = "{FaultyEngine.name}"\nvoice = "gmw/en-us"\nrate = 170\nvolume = 0.9\n'
        )
    mark = tmp_path / "stalled-worker.pid"
    set_fault(monkeypatch, fault, mark)
    settings = load_settings(None, vdir)
    signalled: list[int] = []

    def signal_the_stalled_worker() -> None:
        _wait_for(f"a worker stalled at {fault}", mark.exists)
        signalled.append(int(mark.read_text()))
        os.kill(signalled[0], sig)

    watcher = threading.Thread(target=signal_the_stalled_worker, daemon=True)
    watcher.start()
    start = time.monotonic()
    episode = build_episode(STORY, settings, tmp_path / "out")
    watcher.join(timeout=5)
    assert signalled, f"{label}: no worker stalled at {fault}"
    assert not Path(f"/proc/{signalled[0]}").exists(), f"{label}: the stalled worker was left behind"
    assert episode.duration_ms > 2000
    assert check_output(tmp_path / "out") == {episode.folder.name}
    print(f"{label} at {fault}: built in {time.monotonic() - start:.1f} s")
