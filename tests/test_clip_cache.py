"""The clip cache through the real command line: what a rebuild speaks again, and what it refuses to trust.

The fake engine logs every clip it really speaks (fake_engine.CALL_LOG), so each
test counts synthesis calls; a clip from the cache is one the engine never heard.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLI, ROOT
from fake_engine import CALL_LOG

from broadcast.speech.cache import ClipCache

PARAGRAPHS = [
    "The harbor council met on Tuesday to set the ferry times. Residents filled the hall.",
    "The treasurer said the fuel budget would cover one more crossing. Nobody objected to that.",
    "The new times start in December, the council said.",
]


def story(
    folder: Path, paragraphs: list[str], name: str = "story.txt", title: str = "Harbor Council Sets Ferry Times"
) -> Path:
    path = folder / name
    path.write_text(f"{title}\n\nBy Sam Rivera\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def voices(folder: Path, host: tuple[str, int] = ("tone", 165), reporter: tuple[str, int] = ("tone", 180)) -> Path:
    vdir = folder / "voices"
    vdir.mkdir(exist_ok=True)
    for role, (voice, rate) in (("host", host), ("reporter", reporter)):
        (vdir / f"{role}.toml").write_text(
            f'engine = "fake"\nvoice = "{voice}"\nrate = {rate}\nvolume = 0.8\n', encoding="utf-8"
        )
    return vdir


class Builder:
    """Builds into one output folder with one voices folder, and reads what the engine spoke."""

    def __init__(self, tmp: Path, cache_from: Path | None = None) -> None:
        self.tmp = tmp
        self.log = tmp / "engine.log"
        self.out = tmp / "out"
        self.cache = tmp / "cache"
        self.config = tmp / "plain.toml"
        self.config.write_text("")  # built-in defaults: no music, so builds are short
        self.voices = voices(tmp)
        if cache_from:
            shutil.copytree(cache_from, self.cache)  # keeps mtimes: the recency the size limit goes by

    def spoken(self) -> list[tuple[str, int, str]]:
        """(voice, rate, text) of every clip the engine spoke so far, in order."""
        if not self.log.exists():
            return []
        rows = [line.split("\t") for line in self.log.read_text(encoding="utf-8").splitlines()]
        return [(v, int(r), t) for v, r, t in rows]

    def run(
        self, article: Path, *extra: str | Path, env: dict[str, str] | None = None, tty_stderr: bool = False
    ) -> subprocess.CompletedProcess[str]:
        args = ["build", article, "--output", self.out, "--config", self.config, "--voices", self.voices]
        args += ["--quiet", "--date", "2024-03-05", *extra]
        if "--no-cache" not in extra and not any(str(a).startswith("--cache") for a in extra):
            args += ["--cache", self.cache]
        environ = {**os.environ, CALL_LOG: str(self.log), **(env or {})}
        cmd = [sys.executable, str(CLI), *map(str, args)]
        if not tty_stderr:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=environ, timeout=300)
        # The progress lines are written only to a terminal, as a producer sees them.
        leader, follower = pty.openpty()
        try:
            result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=follower, text=True, cwd=ROOT, env=environ)
            os.close(follower)
            follower = -1
            chunks = []
            while True:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # EIO: the terminal's other side is closed and drained
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(leader)
            if follower >= 0:
                os.close(follower)
        return subprocess.CompletedProcess(cmd, result.returncode, result.stdout, b"".join(chunks).decode())

    def build(self, article: Path, *extra: str | Path, **kw: object) -> tuple[list[tuple[str, int, str]], dict]:
        """Build; return the clips the engine spoke for it and the episode's record."""
        before = len(self.spoken())
        result = self.run(article, *extra, **kw)  # type: ignore[arg-type]
        assert result.returncode == 0, result.stderr
        folder = Path(result.stdout.strip().splitlines()[-1].split()[1]).parent
        record = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
        record["vtt"] = (folder / "transcript.vtt").read_text(encoding="utf-8")
        record["stderr"] = result.stderr
        return self.spoken()[before:], record

    def entries(self) -> list[Path]:
        return sorted(self.cache.glob("*.clip"))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Builder, list[tuple[str, int, str]], dict]:
    """One build of the story into a cache, shared: each test starts from a copy of its cache."""
    tmp = tmp_path_factory.mktemp("seeded")
    b = Builder(tmp)
    spoken, record = b.build(story(tmp, PARAGRAPHS))
    assert len(spoken) >= 7 and len({t for _, _, t in spoken}) == len(b.entries())
    return b, spoken, record


def test_a_rebuild_speaks_nothing_and_gives_the_same_episode(tmp_path: Path, seeded) -> None:  # type: ignore[no-untyped-def]
    first_builder, first, rec1 = seeded
    b = Builder(tmp_path, first_builder.cache)
    again, rec2 = b.build(story(tmp_path, PARAGRAPHS), tty_stderr=True)
    assert again == []
    assert f"clips from the cache: {len(first)} of {len(first)} (0 spoken)" in rec2["stderr"]
    assert rec2["vtt"] == rec1["vtt"]
    assert rec2["audio"]["duration_ms"] == rec1["audio"]["duration_ms"]
    assert [(c["start_ms"], c["end_ms"]) for c in rec2["cues"]] == [(c["start_ms"], c["end_ms"]) for c in rec1["cues"]]


def test_editing_one_paragraph_speaks_only_its_sentences_again(tmp_path: Path, seeded) -> None:  # type: ignore[no-untyped-def]
    b = Builder(tmp_path, seeded[0].cache)
    edited = PARAGRAPHS.copy()
    edited[1] = "The treasurer said the diesel budget would cover two more crossings. Nobody objected to this."
    again, rec = b.build(story(tmp_path, edited))
    assert [t for _, _, t in again] == [
        "The treasurer said the diesel budget would cover two more crossings.",
        "Nobody objected to this.",
    ]
    assert "two more crossings" in rec["vtt"] and "one more crossing" not in rec["vtt"]


def test_a_changed_rate_or_voice_misses_only_for_that_role(tmp_path: Path, seeded) -> None:  # type: ignore[no-untyped-def]
    b = Builder(tmp_path, seeded[0].cache)
    first = seeded[1]
    host_clips = [t for _, rate, t in first if rate == 165]
    reporter_clips = [t for _, rate, t in first if rate == 180]
    assert host_clips and reporter_clips
    article = story(tmp_path, PARAGRAPHS)
    voices(tmp_path, reporter=("tone", 190))
    faster, _ = b.build(article)
    assert [(r, t) for _, r, t in faster] == [(190, t) for t in reporter_clips]
    voices(tmp_path, host=("tone2", 165), reporter=("tone", 190))
    recast, _ = b.build(article)
    assert [(v, t) for v, _, t in recast] == [("tone2", t) for t in host_clips]


def test_damaged_entries_are_spoken_again_and_the_episode_is_whole(tmp_path: Path, seeded) -> None:  # type: ignore[no-untyped-def]
    b = Builder(tmp_path, seeded[0].cache)
    rec1 = seeded[2]
    victims = sorted(b.entries(), key=lambda p: p.stat().st_size)[-3:]  # the longest: damage shows in the length
    originals = [v.read_bytes() for v in victims]
    for victim, data, damage in zip(victims, originals, (lambda d: d[: len(d) // 2], os.urandom, lambda d: b"")):
        victim.write_bytes(damage(data) if damage is not os.urandom else os.urandom(len(data)))
    again, rec2 = b.build(story(tmp_path, PARAGRAPHS))
    assert len(again) == 3
    assert rec2["audio"]["duration_ms"] == rec1["audio"]["duration_ms"]
    assert rec2["vtt"] == rec1["vtt"]
    assert [v.read_bytes() for v in victims] == originals  # stored again, whole


def _named(name: str) -> list[str]:
    """The story with every sentence its own: no clip is shared with another name's story."""
    return [p.replace(".", f" in {name}.") for p in PARAGRAPHS]


def test_the_size_limit_removes_the_least_recently_used_clips_first(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    alpha, bravo, charlie = (
        story(tmp_path, _named(n), f"{n}.txt", f"Harbor Story {n}") for n in ("Alpha", "Bravo", "Charlie")
    )
    b.build(alpha)
    alpha_entries = set(b.entries())
    size = sum(p.stat().st_size for p in alpha_entries)
    limit = {"BROADCAST_CACHE_MAX_MB": f"{2.5 * size / 1e6:.6f}"}  # two stories fit, three do not
    b.build(bravo, env=limit)
    bravo_entries = set(b.entries()) - alpha_entries
    assert len(bravo_entries) >= len(alpha_entries) - 2  # only the sign-off may be shared
    assert b.build(alpha, env=limit)[0] == []  # Alpha is now used more recently than Bravo
    b.build(charlie, env=limit)
    left = set(b.entries())
    assert sum(p.stat().st_size for p in left) <= 2.5 * size
    assert alpha_entries <= left  # used last but one: kept
    assert bravo_entries - left  # used least recently: removed (some of it)


def test_no_cache_speaks_everything_and_touches_no_cache(tmp_path: Path, seeded) -> None:  # type: ignore[no-untyped-def]
    b = Builder(tmp_path, seeded[0].cache)
    before = {p.name: p.stat().st_mtime_ns for p in b.entries()}
    xdg = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    spoken, _ = b.build(story(tmp_path, PARAGRAPHS), "--no-cache", env=xdg)
    assert spoken == seeded[1]  # a full cache, and every clip spoken all the same
    assert {p.name: p.stat().st_mtime_ns for p in b.entries()} == before
    assert not (tmp_path / "xdg").exists()


def test_the_default_cache_is_under_xdg_cache_home(tmp_path: Path, seeded) -> None:  # type: ignore[no-untyped-def]
    b = Builder(tmp_path)
    xdg = tmp_path / "xdg"
    shutil.copytree(seeded[0].cache, xdg / "broadcast" / "clips")
    cmd = ["build", story(tmp_path, PARAGRAPHS), "--output", b.out, "--config", b.config, "--voices", b.voices]
    env = {**os.environ, CALL_LOG: str(b.log), "XDG_CACHE_HOME": str(xdg)}
    result = subprocess.run([sys.executable, str(CLI), *map(str, cmd)], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert b.spoken() == []


def test_an_unwritable_cache_is_a_warning_and_the_build_goes_on(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    spoken, rec = b.build(story(tmp_path, PARAGRAPHS), "--cache", blocker / "clips")
    assert spoken
    lines = [line for line in rec["stderr"].splitlines() if "placeholder" not in line]  # the bare config's
    assert lines == [f"broadcast: warning: cache {blocker / 'clips'}: Not a directory; building without the cache"]


def test_a_bad_size_limit_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    result = b.run(story(tmp_path, PARAGRAPHS), env={"BROADCAST_CACHE_MAX_MB": "lots"})
    assert result.returncode == 5
    assert result.stderr.strip().splitlines() == [
        "broadcast: error: BROADCAST_CACHE_MAX_MB='lots': not a number of megabytes (such as 500 or 0.5)"
    ]
    assert not b.out.exists() and not b.cache.exists() and b.spoken() == []


def test_symbolic_links_planted_in_the_cache_are_not_followed(tmp_path: Path, seeded) -> None:  # type: ignore[no-untyped-def]
    b = Builder(tmp_path, seeded[0].cache)
    entry = b.entries()[0]
    original = entry.read_bytes()
    outside = tmp_path / "outside.clip"  # a whole, valid entry: following the link would use it
    outside.write_bytes(original)
    stamp = outside.stat().st_mtime_ns
    entry.unlink()
    entry.symlink_to(outside)
    precious = tmp_path / "precious.clip"  # what a trim that followed links would delete
    precious.write_bytes(b"x" * 5_000_000)
    (b.cache / "planted.clip").symlink_to(precious)
    again, _ = b.build(story(tmp_path, PARAGRAPHS), env={"BROADCAST_CACHE_MAX_MB": "0"})  # trims all it may
    assert len(again) == 1
    assert outside.read_bytes() == original and outside.stat().st_mtime_ns == stamp
    assert precious.stat().st_size == 5_000_000


def test_concurrent_builds_share_one_cache(tmp_path: Path) -> None:
    b = Builder(tmp_path)
    stories = [story(tmp_path, _named(name), f"{name}.txt", f"Harbor Story {name}") for name in ("One", "Two")]
    env = {**os.environ, CALL_LOG: str(b.log)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(CLI), "build", str(s), "--output", str(tmp_path / f"out{n}"), "--config"]
            + [str(b.config), "--voices", str(b.voices), "--quiet", "--cache", str(b.cache)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for n, s in enumerate(stories)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert {p.suffix for p in b.cache.iterdir()} == {".clip"}  # no temporary files left
    assert len(b.entries()) == len({t for _, _, t in b.spoken()})
    cache = ClipCache(b.cache, 10**9)
    assert all(cache.fetch(p.stem, tmp_path / "check.wav") for p in b.entries())  # every entry whole


@pytest.mark.e2e
def test_a_cached_rebuild_with_real_speech_gives_the_same_audio_and_captions(tmp_path: Path) -> None:
    from mutagen.mp3 import MP3

    b = Builder(tmp_path)
    b.voices = ROOT / "broadcast" / "voices"  # the shipped espeak-ng voices
    article = story(tmp_path, PARAGRAPHS)
    _, first = b.build(article)
    (mp3,) = b.out.glob("*/episode.mp3")
    length = MP3(mp3).info.length
    _, second = b.build(article, tty_stderr=True)
    assert "(0 spoken)" in second["stderr"]  # no speech worker was needed
    assert second["vtt"] == first["vtt"]
    assert second["audio"]["duration_ms"] == first["audio"]["duration_ms"]
    assert abs(MP3(mp3).info.length - length) < 0.03


def test_a_fifo_planted_as_an_entry_is_passed_over_not_waited_on(tmp_path: Path) -> None:
    import threading

    from broadcast.speech.cache import open_clip_cache

    cache = open_clip_cache(tmp_path / "clips", 10_000_000)
    os.mkfifo(cache._path("a" * 64))
    got: list[bool] = []
    reader = threading.Thread(target=lambda: got.append(cache.fetch("a" * 64, tmp_path / "out.wav")), daemon=True)
    reader.start()
    reader.join(5)
    assert got == [False]  # answered at once: a miss, the clip is spoken
    assert not cache._path("a" * 64).exists()  # and the FIFO cleared away
