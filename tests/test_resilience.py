"""Nothing lost, nothing corrupted: killed builds, concurrent builds, a full or read-only disk.
All through the real command line."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import feedparser
import pytest
from builds import check_output, cli_cmd, write_story
from conftest import ROOT, run_cli

pytestmark = pytest.mark.e2e  # real speech end to end; the quick loop is -m "not e2e"


def test_kill_at_many_points_leaves_output_intact(tmp_path: Path, empty_config: Path) -> None:
    out = tmp_path / "out"
    first = write_story(tmp_path, 1)
    assert run_cli("build", first, "--output", out, "--config", empty_config, "--quiet").returncode == 0
    before = {e.id for e in feedparser.parse((out / "feed.xml").read_bytes()).entries}
    kept = check_output(out)
    delays = [0.1 * k for k in range(1, 21)]  # 20 kill points over the first two seconds of a build
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
