from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.publish.files import clean_leftovers, slugify, staged_episode, write_atomic

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


def test_retired_folder_of_a_killed_swap_is_restored(tmp_path: Path) -> None:
    # A build killed between the two renames of the fallback swap leaves only this:
    dead_pid = 999_999_999
    retired = tmp_path / f".retired-2024-01-01-story-{dead_pid}"
    retired.mkdir()
    (retired / "episode.json").write_text("{}")
    staging = tmp_path / f".staging-2024-01-01-other-{dead_pid}"
    staging.mkdir()
    stale_tmp = tmp_path / f".feed.xml.tmp-{dead_pid}"
    stale_tmp.write_text("half")
    clean_leftovers(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024-01-01-story"]


def test_live_builds_leftovers_are_not_touched(tmp_path: Path) -> None:
    mine = tmp_path / f".staging-story-{os.getpid()}"
    mine.mkdir()
    clean_leftovers(tmp_path)
    assert mine.exists()
