from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.errors import OutputError
from broadcast.publish.files import (
    MARKER,
    PREFIX,
    clean_leftovers,
    feed_lock,
    pending_file,
    slugify,
    staged_episode,
    write_atomic,
)

SAFE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@settings(max_examples=500, deadline=None, database=None)
@given(st.text())
def test_slugs_are_always_safe_file_names(text: str) -> None:
    slug = slugify(text)
    assert SAFE.fullmatch(slug), slug
    assert 0 < len(slug) <= 60
    assert slug not in (".", "..")


def test_slug_examples() -> None:
    assert slugify("Russia's Vladimir Putin & Kim") == "russia-s-vladimir-putin-kim"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("..") == "episode"
    assert slugify("Новости дня") == "episode"
    assert slugify("Café crème") == "cafe-creme"


def test_write_atomic_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]


def test_replacing_an_episode_swaps_whole_folders(tmp_path: Path) -> None:
    with staged_episode(tmp_path, "ep") as stage:
        (stage / "a.txt").write_text("old")
    with staged_episode(tmp_path, "ep") as stage:
        (stage / "b.txt").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ep"]
    assert [p.name for p in (tmp_path / "ep").iterdir()] == ["b.txt"]


DEAD_PID = 999_999_999


def leftover(root: Path, kind: str, name: str, pid: int = DEAD_PID, marked: bool = True) -> Path:
    """A temporary folder as this tool leaves it when killed: prefix, kind, name, pid, marker inside."""
    folder = root / f"{PREFIX}{kind}-{name}-{pid}"
    folder.mkdir()
    if marked:
        (folder / MARKER).write_text("made by broadcast")
    return folder


def test_retired_folder_of_a_killed_swap_is_restored(tmp_path: Path) -> None:
    # A build killed between the two renames of the fallback swap leaves only this:
    retired = leftover(tmp_path, "retired", "2024-01-01-story")
    (retired / "content").mkdir()
    (retired / "content" / "episode.json").write_text("{}")
    leftover(tmp_path, "staging", "2024-01-01-other")
    (leftover(tmp_path, "tmp", "feed.xml") / "content").write_text("half")
    clean_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024-01-01-story"]
    assert (tmp_path / "2024-01-01-story" / "episode.json").read_text() == "{}"


def test_live_builds_leftovers_are_not_touched(tmp_path: Path) -> None:
    mine = leftover(tmp_path, "staging", "story", pid=os.getpid())
    clean_leftovers(tmp_path)
    assert mine.exists()


def test_cleanup_needs_the_prefix_and_the_marker(tmp_path: Path) -> None:
    others = [
        leftover(tmp_path, "staging", "story", marked=False),  # our prefix, no marker: not ours
        tmp_path / f".staging-story-{DEAD_PID}",  # the names of other programs (and of older versions)
        tmp_path / f".notes.tmp-{DEAD_PID}",
        tmp_path / f".retired-notes-{DEAD_PID}",
    ]
    (others[0] / "notes.txt").write_text("someone's")
    for folder in others[1:]:
        folder.mkdir()
        (folder / MARKER).write_text("not ours")
    empty = leftover(tmp_path, "tmp", "feed.xml", marked=False)  # killed before the marker was written
    assert clean_leftovers(tmp_path) == [empty]
    assert sorted(tmp_path.iterdir()) == sorted(others)


def test_cleanup_never_follows_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / MARKER).write_text("planted")
    (outside / "content").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{PREFIX}staging-x-{DEAD_PID}").symlink_to(outside)  # a linked leftover is not ours
    (out / f"{PREFIX}retired-y-{DEAD_PID}").symlink_to(outside)
    marked = leftover(out, "staging", "z")
    (marked / "link").symlink_to(outside)  # inside our own leftover: the link goes, not its target
    clean_leftovers(out)
    assert sorted(p.name for p in out.iterdir()) == [f"{PREFIX}retired-y-{DEAD_PID}", f"{PREFIX}staging-x-{DEAD_PID}"]
    assert sorted(p.name for p in outside.iterdir()) == [MARKER, "content"]


def test_the_feed_lock_refuses_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    out = tmp_path / "out"
    out.mkdir()
    (out / ".feed.lock").symlink_to(target)
    with pytest.raises(OutputError, match=r"\.feed\.lock: is a symbolic link"), feed_lock(out):
        pass
    assert not target.exists()


def test_an_uncommitted_pending_file_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    target.write_bytes(b"old")
    with pending_file(target, b"new"):
        assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]
    assert target.read_bytes() == b"old"
