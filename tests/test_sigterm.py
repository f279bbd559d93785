"""SIGTERM (a service manager stopping a build, `kill PID`) cleans up as Ctrl-C does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from builds import fake_cli, wait_until
from conftest import ROOT

from broadcast.publish.files import PREFIX

_STORY = (
    "The council met on Tuesday to argue about the new bridge over the river, and residents "
    "waited outside in the cold for a vote that did not come before midnight. "
)


@pytest.mark.parametrize("moment", ["clips", "staging"])
def test_sigterm_mid_build_leaves_nothing_behind(
    moment: str, fake_voices: Path, empty_config: Path, tmp_path: Path
) -> None:
    article = tmp_path / "story.txt"
    article.write_text(
        "Council Argues All Night Over The Bridge\n\n"
        + "\n\n".join(f"On day {n} of the session, " + _STORY * 4 for n in range(1, 31))
        + "\n",
        encoding="utf-8",
    )
    temp, out = tmp_path / "temp", tmp_path / "out"
    temp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, fake_cli(tmp_path, delay_s=0.05), "build", article, "--voices", fake_voices]
        + ["--config", empty_config, "--output", out, "--date", "2024-03-05", "--quiet", "--no-cache"],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        if moment == "clips":
            wait_until(lambda: any(temp.glob("broadcast-*/*.wav")), proc)
        else:
            wait_until(lambda: out.is_dir() and any(out.glob(f"{PREFIX}staging-*")), proc)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, stderr
    assert stderr == "broadcast: terminated\n"
    assert list(temp.iterdir()) == []  # the temporary clips are gone
    # No staging folder, no half episode: the output directory holds no episode at all.
    assert not out.exists() or not [p for p in out.iterdir() if p.is_dir()]


def test_after_a_signal_destructor_noise_is_not_printed(tmp_path: Path) -> None:
    """A signal can land inside wave.open(); the half-built object's destructor then fails
    ("'Wave_write' object has no attribute '_file'"), which once added a stray traceback
    line after "broadcast: terminated"."""
    snippet = """
import sys, wave
import broadcast.cli as cli
if sys.argv[1] == "signalled":
    try:
        cli._terminate(15, None)
    except KeyboardInterrupt:
        pass
try:
    wave.open(sys.argv[2], "wb")
except OSError:
    pass
"""
    missing = str(tmp_path / "no-such-dir" / "clip.wav")
    run = lambda how: subprocess.run(  # noqa: E731
        [sys.executable, "-c", snippet, how, missing], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert "Exception ignored" in run("normal").stderr  # the noise this guards against is real
    assert run("signalled").stderr == ""


def test_a_signal_that_lands_in_a_destructor_still_stops_the_program() -> None:
    """Python swallows an exception raised in a destructor: SIGTERM handled while one ran (a
    temporary file, a half-made object) once let a build run on to exit 0 with its episode."""
    snippet = """
import signal, sys, time
import broadcast.cli as cli

class Finalised:
    def __del__(self):
        cli._terminate(signal.SIGTERM, None)  # as if the signal came while this ran

signal.signal(signal.SIGTERM, cli._terminate)
try:
    Finalised()
    for _ in range(100):
        time.sleep(0.01)
    print("ran on")
except KeyboardInterrupt as exc:
    print(type(exc).__name__)
"""
    proc = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.stdout == "_Terminated\n", proc.stdout + proc.stderr
    assert proc.stderr == ""


def test_a_signal_whose_exception_is_lost_still_publishes_nothing(
    fake_voices: Path, empty_config: Path, tmp_path: Path
) -> None:
    """Python can drop the exception a handler raises without a trace (in C code that clears
    errors): the stop is remembered, and the build ends at the latest before it publishes."""
    article = tmp_path / "story.txt"
    article.write_text(
        "Council Argues All Night Over The Bridge\n\n"
        + "\n\n".join(f"On day {n} of the session, " + _STORY for n in range(1, 6))
        + "\n",
        encoding="utf-8",
    )
    temp, out = tmp_path / "temp", tmp_path / "out"
    temp.mkdir()
    proc = subprocess.run(
        [sys.executable, fake_cli(tmp_path), "build", article, "--voices", fake_voices, "--config", empty_config]
        + ["--output", out, "--date", "2024-03-05", "--quiet", "--no-cache"],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(temp), "LOSE_SIGNAL_ON": "day three"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (proc.returncode, proc.stderr) == (143, "broadcast: terminated\n")
    assert list(temp.iterdir()) == []
    assert not out.exists() or not [p for p in out.iterdir() if p.is_dir()]


def test_a_signal_during_the_removal_of_temporary_clips_still_removes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM raises where the program is; once it landed inside the removal of the clips'
    folder, which gave up half-way and left clips in /tmp (a batch's stop, 1 run in 8 under load)."""
    import shutil

    from broadcast import stopping

    real_rmtree = shutil.rmtree
    calls = []

    def interrupted_once(path: Path, ignore_errors: bool = False) -> None:
        calls.append(path)
        if len(calls) == 1:
            next(Path(path).iterdir()).unlink()  # half-way through
            raise KeyboardInterrupt
        real_rmtree(path, ignore_errors=ignore_errors)

    monkeypatch.setattr(shutil, "rmtree", interrupted_once)
    with pytest.raises(KeyboardInterrupt), stopping.scratch_folder() as folder:
        for n in range(3):
            (folder / f"clip-{n}.wav").write_bytes(b"RIFF")
    assert not folder.exists()
    assert len(calls) == 2
