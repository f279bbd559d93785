"""Publishing you can trust, through the real command line: cleanup touches only this tool's own
temporary folders, a failed feed step changes nothing, and the feed lists only episodes whose MP3
is there as recorded."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest
from builds import fake_voices, snapshot, write_story
from conftest import EPISODE_FILES, run_cli

from broadcast.publish.files import MARKER, PREFIX

DEAD_PID = 999_999_999
Built = tuple[Path, Path, Path]  # output folder, voices, config


@pytest.fixture(scope="module")
def two_episodes(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """An output folder with two episodes built by the fake engine, plus the voices and config used."""
    base = tmp_path_factory.mktemp("built")
    voices = fake_voices(base)
    config = base / "plain.toml"
    # A local preview's addresses, not the placeholders: no placeholder warning among those the tests read.
    config.write_text('[show]\nbase_url = "http://localhost:8000/"\nowner_email = "producer@localhost"\n')
    out = base / "out"
    for n in (1, 2):
        proc = run_cli("build", write_story(base, n, words=24), "--output", out, "--voices", voices, "--config", config)
        assert proc.returncode == 0, proc.stderr
    return out, voices, config


def copy_of(built: Built, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(built[0], out, symlinks=True)
    return out


def build(built: Built, tmp_path: Path, out: Path, n: int = 3, *extra: str) -> subprocess.CompletedProcess[str]:
    _, voices, config = built
    story = write_story(tmp_path, n, words=24)
    return run_cli("build", story, "--output", out, "--voices", voices, "--config", config, "--quiet", *extra)


def episode_folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))


def feed_folders(out: Path) -> list[str]:
    entries = feedparser.parse((out / "feed.xml").read_bytes()).entries
    return sorted(e.enclosures[0].href.rsplit("/", 2)[-2] for e in entries)


# ---------------------------------------------------------------- item 10: cleanup


def test_a_build_cleans_only_its_own_marked_leftovers(two_episodes: Built, tmp_path: Path) -> None:
    out = copy_of(two_episodes, tmp_path)
    theirs = {
        f".cache.tmp-{DEAD_PID}": "another program's temporary folder",
        f".retired-notes-{DEAD_PID}": "a name this tool used to use",
        f".staging-drafts-{DEAD_PID}": "a name this tool used to use",
        f"{PREFIX}staging-unmarked-{DEAD_PID}": "our prefix, but no marker inside",
    }
    for name, text in theirs.items():
        (out / name).mkdir()
        (out / name / "keep.txt").write_text(text)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / MARKER).write_text("planted")
    (out / f"{PREFIX}staging-linked-{DEAD_PID}").symlink_to(outside)
    ours = out / f"{PREFIX}staging-killed-{DEAD_PID}"
    ours.mkdir()
    (ours / MARKER).write_text("made by broadcast")
    (ours / "content").mkdir()
    (ours / "content" / "episode.mp3").write_bytes(b"half")
    proc = build(two_episodes, tmp_path, out)
    assert proc.returncode == 0, proc.stderr
    for name, text in theirs.items():
        assert (out / name / "keep.txt").read_text() == text, name
    assert not (out / "notes").exists() and not (out / "drafts").exists()
    assert (out / f"{PREFIX}staging-linked-{DEAD_PID}").is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == [MARKER]
    assert not ours.exists()


def test_a_symlinked_feed_lock_is_refused_and_nothing_is_written(two_episodes: Built, tmp_path: Path) -> None:
    out = copy_of(two_episodes, tmp_path)
    target = tmp_path / "elsewhere.txt"
    (out / ".feed.lock").unlink()
    (out / ".feed.lock").symlink_to(target)
    before = snapshot(out)
    proc = build(two_episodes, tmp_path, out)
    assert proc.returncode == 8
    assert proc.stderr.strip().splitlines() == [
        f"broadcast: error: {out}/.feed.lock: is a symbolic link; the feed lock must be a regular file (remove it)"
    ]
    assert not target.exists()
    assert snapshot(out) == before


# ---------------------------------------------------------------- item 11: all or nothing


def test_a_broken_record_elsewhere_is_skipped_with_a_warning(two_episodes: Built, tmp_path: Path) -> None:
    out = copy_of(two_episodes, tmp_path)
    broken, kept = episode_folders(out)
    record = out / broken / "episode.json"
    record.write_bytes(record.read_bytes()[:200])  # truncated
    proc = build(two_episodes, tmp_path, out)
    assert proc.returncode == 0, proc.stderr
    [warning] = proc.stderr.strip().splitlines()
    assert warning.startswith(f"broadcast: warning: {record}: cannot read episode record")
    assert warning.endswith("; left out of the feed")
    [new] = set(episode_folders(out)) - {broken, kept}
    assert feed_folders(out) == sorted([kept, new])
    assert {p.name for p in (out / new).iterdir()} == EPISODE_FILES


def test_an_empty_show_name_changes_nothing(two_episodes: Built, tmp_path: Path) -> None:
    out = copy_of(two_episodes, tmp_path)
    bad = tmp_path / "show.toml"
    bad.write_text('[show]\nname = ""\n')
    before = snapshot(out)
    proc = build(two_episodes, tmp_path, out, 3, "--config", str(bad))
    assert proc.returncode == 5
    assert proc.stderr.strip().splitlines() == ["broadcast: error: show name is empty; the feed requires it"]
    assert snapshot(out) == before


def test_a_feed_that_fails_to_render_leaves_the_output_as_it_was(two_episodes: Built, tmp_path: Path) -> None:
    out = copy_of(two_episodes, tmp_path)
    first = episode_folders(out)[0]
    shutil.copytree(out / first, out / "copied-by-hand")  # two folders now share one guid
    before = snapshot(out)
    proc = build(two_episodes, tmp_path, out)
    assert proc.returncode == 8
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("broadcast: error: episodes ") and "share guid" in line
    assert snapshot(out) == before


def test_feed_check_lists_every_problem_and_writes_nothing(two_episodes: Built, tmp_path: Path) -> None:
    out = copy_of(two_episodes, tmp_path)
    _, voices, config = two_episodes
    clean = run_cli("feed", "--check", "--output", out, "--config", config)
    assert (clean.returncode, clean.stdout) == (0, f"feed check: {out}: no problems\n"), clean.stderr
    a, b = episode_folders(out)
    (out / a / "episode.json").write_text('{"title": "trunc')
    with open(out / b / "episode.mp3", "ab") as fh:
        fh.write(b"\0" * 10)
    before = snapshot(out)
    proc = run_cli("feed", "--check", "--output", out, "--config", config)
    assert proc.returncode == 8
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{out}/{a}/episode.json: cannot read episode record")
    size = (out / b / "episode.mp3").stat().st_size
    assert lines[1] == f"{out}/{b}/episode.mp3: {size} bytes, but episode.json records {size - 10}"
    assert proc.stderr == f"broadcast: error: {out}: the feed check found 2 problem(s)\n"
    assert snapshot(out) == before


# ---------------------------------------------------------------- item 12: only MP3s that are there


def test_the_feed_lists_only_episodes_whose_mp3_is_there(two_episodes: Built, tmp_path: Path) -> None:
    out = copy_of(two_episodes, tmp_path)
    _, _, config = two_episodes
    moved, kept = episode_folders(out)
    mp3 = out / moved / "episode.mp3"
    mp3.rename(tmp_path / "moved-away.mp3")
    proc = run_cli("feed", "--output", out, "--config", config)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"broadcast: warning: {mp3}: the episode's MP3 is missing; left out of the feed"
    ]
    assert feed_folders(out) == [kept]
    recorded = json.loads((out / kept / "episode.json").read_text())["audio"]["size_bytes"]
    [entry] = feedparser.parse((out / "feed.xml").read_bytes()).entries
    assert int(entry.enclosures[0].length) == recorded == (out / kept / "episode.mp3").stat().st_size


def test_a_signal_between_making_and_marking_a_staging_folder_leaves_nothing(tmp_path: Path) -> None:
    """SIGTERM can land after the staging folder is made and before its marker is written; the
    build's clean-up then met an unmarked folder it would not touch, and it stayed for good."""
    from unittest import mock

    from broadcast.publish import files

    real = Path.write_text

    def interrupted(self: Path, *args: object, **kwargs: object) -> int:
        if self.name == files.MARKER:
            raise KeyboardInterrupt  # as the SIGTERM handler raises
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    (tmp_path / "out").mkdir()
    stage = files.episode_stage(tmp_path / "out", "story")
    with mock.patch.object(Path, "write_text", interrupted), pytest.raises(KeyboardInterrupt), stage:
        pass
    assert list((tmp_path / "out").iterdir()) == []
