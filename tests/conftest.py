from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadcast.speech.engines import register_engine

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "npr-wpsu-putin-kim-meeting.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fake_engine import FakeEngine  # noqa: E402  (found through the path above)

register_engine(FakeEngine)  # for the tests that build in this process
CLI = Path(__file__).resolve().parent / "cli_with_fake_engine.py"
# What every episode folder holds.
EPISODE_FILES = frozenset(
    {
        "chapters.json",
        "cover.jpg",
        "episode.json",
        "episode.mp3",
        "episode.script",
        "review.html",
        "script.txt",
        "transcript.srt",
        "transcript.vtt",
    }
)


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, in a fresh process, as a user runs it, with the fake engine registered."""
    return subprocess.run(
        [sys.executable, str(CLI), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=300,
    )


@pytest.fixture(scope="session", autouse=True)
def session_clip_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every build of the session (and the command lines it starts) caches clips here, never in
    ~/.cache. Tests that need an engine to run (its failures, its timing) pass --no-cache."""
    home = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(home))
        mp.delenv("BROADCAST_CACHE_MAX_MB", raising=False)
        yield home / "broadcast" / "clips"


@pytest.fixture
def fake_voices(tmp_path: Path) -> Path:
    """A voices folder whose roles use the deterministic fake engine."""
    vdir = tmp_path / "voices"
    vdir.mkdir()
    for role, rate in (("host", 165), ("reporter", 180)):
        (vdir / f"{role}.toml").write_text(
            f'engine = "fake"\nvoice = "tone"\nrate = {rate}\nvolume = 0.8\n', encoding="utf-8"
        )
    return vdir


@pytest.fixture
def empty_config(tmp_path: Path) -> Path:
    cfg = tmp_path / "plain.toml"
    cfg.write_text("")  # built-in defaults: no music, so builds are short
    return cfg
