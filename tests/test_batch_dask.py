"""--scheduler: each article's build runs on a Dask cluster's workers; the client writes the feed once.

A LocalCluster of two worker processes stands in for the machines; tests/dask_preload.py registers
the fake engine in each of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builds import check_output
from conftest import CLI, ROOT, run_cli
from test_batch import fake_setup, feed_items, leftovers, story, write

from broadcast.publish.files import PREFIX

TESTS = Path(__file__).resolve().parent
pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    distributed = pytest.importorskip("distributed")
    slow_log = tmp_path_factory.mktemp("slow") / "pids.log"
    os.environ["BROADCAST_TEST_SLOW_PIDS"] = str(slow_log)  # the workers inherit it
    with distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        preload=[str(TESTS / "dask_preload.py")],
    ) as local:
        yield local.scheduler_address, slow_log
    del os.environ["BROADCAST_TEST_SLOW_PIDS"]


def _articles(folder: Path, first: int, slow: int | None = None) -> list[Path]:
    texts = [story(n) for n in range(first, first + 4)]
    if slow is not None:
        texts[slow] = texts[slow].replace(" falls behind ", " Slowpoke falls behind ", 1)  # in the folder name
    return [write(folder / "in", f"s{n}.txt", text) for n, text in enumerate(texts)]


def test_four_articles_on_two_workers(cluster, tmp_path: Path) -> None:
    address, _ = cluster
    out = tmp_path / "out"
    proc = run_cli("build", *_articles(tmp_path, 30), "--scheduler", address, "--output", out, *fake_setup(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert len(check_output(out)) == 4 and len(feed_items(out)) == 4
    assert leftovers(out) == []
    assert len([line for line in proc.stderr.splitlines() if line.startswith("[")]) == 4


def test_a_worker_killed_mid_build_loses_nothing_and_publishes_nothing_twice(cluster, tmp_path: Path) -> None:
    address, slow_log = cluster
    out = tmp_path / "out"
    cmd = [sys.executable, str(CLI), "build", *map(str, _articles(tmp_path, 40, slow=1)), "--scheduler", address]
    proc = subprocess.Popen(
        [*cmd, "--output", str(out), "--no-cache", *fake_setup(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (slow_log.exists() and slow_log.read_text().strip()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        killed = int(slow_log.read_text().split()[0])
        assert list(out.glob(f"{PREFIX}staging-*slowpoke*-{killed}"))  # killed with its episode half written
        os.kill(killed, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, stderr
    retried = {int(pid) for pid in slow_log.read_text().split()} - {killed}
    assert retried, "the slow article was never built again"
    folders = check_output(out)
    assert len(folders) == 4 and len(feed_items(out)) == 4  # each episode once
    assert leftovers(out) == []
    assert stdout.count(" ok\n") == 4


def test_without_dask_the_scheduler_option_is_one_line(tmp_path: Path) -> None:
    no_dask = tmp_path / "no_dask.py"
    no_dask.write_text(
        f"import runpy, sys\nsys.modules['distributed'] = None\nsys.path.insert(0, {str(TESTS)!r})\n"
        f"runpy.run_path({str(CLI)!r}, run_name='__main__')\n"
    )
    a = write(tmp_path / "in", "a.txt", story(50))
    proc = subprocess.run(
        [sys.executable, str(no_dask), "build", str(a), "--scheduler", "tcp://127.0.0.1:8786"]
        + ["--output", str(tmp_path / "out"), *fake_setup(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 6, proc.stderr
    assert proc.stderr == (
        "broadcast: error: --scheduler needs Dask: pip install 'newsroom-broadcast[dask]' (or 'dask[distributed]')\n"
    )
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_one_line_soon(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    a = write(tmp_path / "in", "a.txt", story(51))
    started = time.monotonic()
    proc = run_cli("build", a, "--scheduler", "tcp://127.0.0.1:9", "--output", tmp_path / "out", *fake_setup(tmp_path))
    assert time.monotonic() - started < 40
    assert proc.returncode == 6, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "broadcast: error: tcp://127.0.0.1:9: cannot reach the Dask scheduler within 10 s"
    )
    assert not (tmp_path / "out").exists()
