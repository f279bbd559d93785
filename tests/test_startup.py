"""What a build does before its first clip, through the real command line: the speech workers boot
while the article is still being read (and are stopped when the article is refused), and neither a
plain-text build nor a speech worker loads what it does not need."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from builds import check_output, cli_cmd, fake_voices, speech_workers, wait_until, wire_story
from conftest import CLI, ROOT, SEED


def _running(pid: int) -> bool:
    """Alive and not a zombie (a reaped or zombie worker is a stopped one)."""
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _build_from_held_stdin(out: Path) -> subprocess.Popen[str]:
    """`broadcast build -` with the shipped espeak-ng voices, its article not yet written."""
    return subprocess.Popen(
        cli_cmd("build", "-", "--output", out, "--no-cache", "--quiet"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _workers_while_reading(proc: subprocess.Popen[str]) -> list[int]:
    """The workers the build started before it had its article (one per lane)."""
    found: list[int] = []

    def booted() -> bool:
        found[:] = speech_workers(proc.pid)
        return len(found) == 2

    try:
        wait_until(booted, proc, seconds=30)
    except AssertionError:
        proc.kill()
        proc.communicate()
        raise
    return found


def test_the_speech_workers_boot_while_the_article_is_still_being_read(tmp_path: Path) -> None:
    proc = _build_from_held_stdin(tmp_path / "out")
    workers = _workers_while_reading(proc)
    stdout, stderr = proc.communicate(wire_story(1), timeout=120)
    assert proc.returncode == 0, stderr
    assert "episode:" in stdout
    check_output(tmp_path / "out")
    assert not [pid for pid in workers if _running(pid)], "a speech worker outlived the build"


def test_a_refused_article_stops_the_workers_it_started(tmp_path: Path) -> None:
    proc = _build_from_held_stdin(tmp_path / "out")
    workers = _workers_while_reading(proc)
    start = time.monotonic()
    _, stderr = proc.communicate("", timeout=60)
    assert proc.returncode != 0
    assert stderr.startswith("broadcast: error: <stdin>") and stderr.count("\n") == 1, stderr
    assert time.monotonic() - start < 10  # a booting worker is killed, not waited for
    assert not [pid for pid in workers if _running(pid)], "a speech worker outlived the refused build"
    assert not (tmp_path / "out").exists()


def _imported(stderr: str) -> set[str]:
    """The modules a `python -X importtime` run imported."""
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


# Only an HTML page, a URL or the lexicon's PLS export needs these.
NOT_FOR_A_TEXT_BUILD = {"broadcast.input.html", "broadcast.input.fetch", "http.client", "ssl", "urllib.request"}
# Slow imports no build needs: numpy.ma (18 ms, what np.percentile loads) and num2words (22 ms,
# every language it has).
NOT_FOR_ANY_BUILD = {"numpy.ma", "num2words"}


def test_a_plain_text_build_loads_no_html_parser_nor_url_fetching(tmp_path: Path) -> None:
    args = ["build", SEED, "--output", tmp_path / "out", "--voices", fake_voices(tmp_path), "--quiet", "--no-cache"]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(CLI), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = _imported(proc.stderr)
    assert "broadcast.input.plain" in imported  # the output is read right
    assert not imported & NOT_FOR_A_TEXT_BUILD
    assert not imported & NOT_FOR_ANY_BUILD


def test_a_speech_worker_loads_only_the_speech_library_and_its_loop() -> None:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "broadcast.speech.engines.pyttsx3_worker"],
        input=json.dumps({"list_voices": True}) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    replies = [json.loads(line) for line in proc.stdout.splitlines()]
    assert replies[0] == {"ok": True, "ready": True} and any(v["id"] == "gmw/en-us" for v in replies[1]["voices"])
    imported = _imported(proc.stderr)
    assert "pyttsx3" in imported
    # The engine table, the data model and the version lookups are the build process's business.
    assert not imported & {"broadcast.speech.engines.table", "broadcast.model", "importlib.metadata"}
    assert "ctypes.util" not in imported  # its find_library ran ldconfig and gcc: 15 ms of each start
