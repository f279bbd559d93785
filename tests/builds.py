"""Small wire stories and checks of an output folder, shared by the resilience tests."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import feedparser
from conftest import EPISODE_FILES
from mutagen.mp3 import MP3

TESTS = Path(__file__).resolve().parent


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


def fake_voices(folder: Path, rate: int = 180) -> Path:
    """folder/voices, whose host and reporter use the deterministic fake engine."""
    voices = folder / "voices"
    voices.mkdir()
    for role in ("host", "reporter"):
        (voices / f"{role}.toml").write_text(f'engine = "fake"\nvoice = "tone"\nrate = {rate}\nvolume = 0.8\n')
    return voices


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


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every name under root with its content (a link's target, a folder's marker): equal
    snapshots before and after a refused command mean it changed nothing."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "-> " + str(path.readlink())
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = path.read_bytes()
    return found


def wait_until(found, proc, seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    """Poll `found()` until it is true, while the command `proc` is still running."""
    deadline = time.monotonic() + seconds
    while not found():
        assert proc.poll() is None, "the command ended before the moment came"
        assert time.monotonic() < deadline, "the moment never came"
        time.sleep(0.01)


def speech_workers(parent: int) -> list[int]:
    """The speech worker processes (pyttsx3_worker) whose parent is `parent`, from /proc."""
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


def fake_cli(folder: Path, delay_s: float = 0.0) -> Path:
    """The command line with the fake engine (slowed by delay_s a sentence, so a build can be caught
    mid-way), writing three logs into `folder`: main.pid, every write of feed.xml (feed-writes.log),
    and whether Dask was ever imported (modules.log). BUG_ON=TEXT plants a bug at that sentence;
    LOSE_SIGNAL_ON=TEXT has SIGTERM's handler run there and its exception lost, as Python loses
    one raised while a destructor runs."""
    script = folder / "cli_batch.py"
    script.write_text(
        f"""
import os, sys, time
sys.path.insert(0, {str(TESTS)!r})
from fake_engine import FakeEngine
import broadcast.pipeline as pipeline
from broadcast.cli import _terminate, main
from broadcast.speech.engines import register_engine

class Slow(FakeEngine):
    def synthesize(self, text, profile, path):
        time.sleep({delay_s})
        if os.environ.get("BUG_ON") and os.environ["BUG_ON"] in text:  # a planted bug, not a user's error
            raise RuntimeError("planted bug")
        if os.environ.get("LOSE_SIGNAL_ON") and os.environ["LOSE_SIGNAL_ON"] in text:
            try:
                _terminate(15, None)
            except KeyboardInterrupt:
                pass
        super().synthesize(text, profile, path)

_pending = pipeline.pending_file
def counted(path, data):
    if path.name == "feed.xml":
        with open({str(folder / "feed-writes.log")!r}, "a") as fh:
            fh.write(f"{{os.getpid()}}\\n")
    return _pending(path, data)

pipeline.pending_file = counted
register_engine(Slow)
with open({str(folder / "main.pid")!r}, "w") as fh:
    fh.write(str(os.getpid()))
code = main()
with open({str(folder / "modules.log")!r}, "w") as fh:
    fh.write(" ".join(m for m in ("dask", "distributed") if m in sys.modules))
sys.exit(code)
""",
        encoding="utf-8",
    )
    return script
