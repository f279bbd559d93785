"""Nothing lost, nothing corrupted: killed builds, concurrent builds, a full or read-only disk,
a speech worker that crashes or hangs mid-article, while starting or during the voice check.
All through the real command line, except where a test engine's worker must stall on cue."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from conftest import EPISODE_FILES, ROOT, run_cli
from faulty_worker import FaultyEngine, set_fault
from mutagen.mp3 import MP3

from broadcast.config import load_settings
from broadcast.model import Article
from broadcast.pipeline import build_episode
from broadcast.speech.engines import register_engine

pytestmark = pytest.mark.e2e  # real speech end to end; the quick loop is -m "not e2e"


def wire_story(n: int, words: int = 60) -> str:
    body = " ".join(
        f"Residents of district {n} said the new ferry schedule works well for them." for _ in range(words // 12)
    )
    return (
        f"Ferry schedule number {n} changes for the winter season\n\nBy Sam Rivera\n\n"
        f"PORTLAND, Maine (AP) — {body}\n\nThe changes take effect next week, officials said.\n"
    )


def write_story(folder: Path, n: int, words: int = 60) -> Path:
    path = folder / f"story-{n}.txt"
    path.write_text(wire_story(n, words), encoding="utf-8")
    return path


def cli_cmd(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "broadcast", *map(str, args)]


def check_output(out: Path) -> set[str]:
    """Every episode folder is complete and the feed lists exactly those folders."""
    folders = {p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")}
    for name in folders:
        files = {p.name for p in (out / name).iterdir()}
        assert files == EPISODE_FILES, (name, files)
        record = json.loads((out / name / "episode.json").read_text())
        assert record["audio"]["size_bytes"] == (out / name / "episode.mp3").stat().st_size
        assert MP3(out / name / "episode.mp3").info.length > 1
    if (out / "feed.xml").exists():
        feed = feedparser.parse((out / "feed.xml").read_bytes())
        assert not feed.bozo
        linked = {e.enclosures[0].href.rsplit("/", 2)[-2] for e in feed.entries}
        assert linked <= folders, (linked, folders)  # URL-quoted names equal folder names here (ASCII slugs)
    return folders


@pytest.fixture
def empty_config(tmp_path: Path) -> Path:
    cfg = tmp_path / "plain.toml"
    cfg.write_text("")  # built-in defaults: no music, so builds are short
    return cfg


def test_kill_at_many_points_leaves_output_intact(tmp_path: Path, empty_config: Path) -> None:
    out = tmp_path / "out"
    first = write_story(tmp_path, 1)
    assert run_cli("build", first, "--output", out, "--config", empty_config, "--quiet").returncode == 0
    before = {e.id for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    kept = check_output(out)
    delays = [0.05 * k for k in range(1, 41)]  # 40 kill points over the first two seconds
    for n, delay in enumerate(delays):
        story = first if n % 2 else write_story(tmp_path, 2)  # rebuild the same article, or add one
        proc = subprocess.Popen(
            cli_cmd("build", story, "--output", out, "--config", empty_config, "--quiet"),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its speech worker, mid-flight
        proc.wait()
        folders = check_output(out)
        assert kept <= folders  # the earlier episode survives every kill
    # The next run succeeds and sweeps what the killed builds left behind.
    assert run_cli("build", first, "--output", out, "--config", empty_config, "--quiet").returncode == 0
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".feed.lock"]
    assert leftovers == []
    check_output(out)
    after = {e.id for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    assert len(before) == 1 and before <= after  # the first episode is still in the feed, under the same guid


def test_concurrent_builds_all_reach_the_feed(tmp_path: Path, empty_config: Path) -> None:
    out = tmp_path / "out"
    stories = [write_story(tmp_path, n, words=24) for n in range(1, 6)]
    procs = [
        subprocess.Popen(
            cli_cmd("build", s, "--output", out, "--config", empty_config, "--quiet"),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for s in stories
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    folders = check_output(out)
    assert len(folders) == 5
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert len(feed.entries) == 5


def _mount_tmpfs(path: Path, options: str) -> bool:
    path.mkdir()
    if os.geteuid() != 0:
        return False
    return (
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True).returncode == 0
    )


def test_disk_full_is_a_clean_error(tmp_path: Path, empty_config: Path) -> None:
    out = tmp_path / "small"
    if not _mount_tmpfs(out, "size=400k"):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        (out / "keep.txt").write_text("earlier work")
        proc = run_cli("build", write_story(tmp_path, 1, words=200), "--output", out, "--config", empty_config)
        assert proc.returncode == 8, proc.stderr
        line = proc.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert "disk full" in line or "No space left" in line
        assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    finally:
        subprocess.run(["umount", str(out)], check=False)


def test_read_only_output_is_a_clean_error(tmp_path: Path, empty_config: Path) -> None:
    out = tmp_path / "ro"
    if not _mount_tmpfs(out, "ro,size=1m"):
        pytest.skip("needs root to mount a read-only tmpfs")
    try:
        proc = run_cli("build", write_story(tmp_path, 1), "--output", out, "--config", empty_config)
        assert proc.returncode == 8, proc.stderr
        assert proc.stderr.startswith(f"broadcast: error: {out}")
        assert "Traceback" not in proc.stderr
    finally:
        subprocess.run(["umount", str(out)], check=False)


def _worker_pids(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"pyttsx3_worker" in cmdline:
            pids.append(int(entry.name))
    return pids


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
        cli_cmd("build", story, "--output", out, "--config", empty_config, "--quiet"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    workers: list[int] = []

    def mid_article() -> bool:  # a worker runs and has written three clips
        workers[:] = _worker_pids(proc.pid)
        return bool(workers) and len(list(scratch.glob("broadcast-*/cue-*.wav"))) >= 3

    try:
        _wait_for("a speech worker that has spoken three clips", mid_article, proc)
        os.kill(workers[0], sig)
        restarted = False
        while proc.poll() is None and not restarted:
            restarted = any(pid != workers[0] for pid in _worker_pids(proc.pid))
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
