"""`broadcast remove EPISODE`: the folder and its feed item go together, or neither does."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import podcastparser
import pytest
from builds import fake_voices, snapshot, write_story
from conftest import run_cli

from broadcast.cli import main
from broadcast.publish.files import MARKER, PREFIX, clean_leftovers

DEAD_PID = 999_999_999
Built = tuple[Path, Path]  # output folder, show config


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("remove")
    voices = fake_voices(base)
    config = base / "plain.toml"
    config.write_text("")
    out = base / "out"
    for n in (1, 2):
        story = write_story(base, n, words=24)
        proc = run_cli("build", story, "--output", out, "--voices", voices, "--config", config, "--quiet")
        assert proc.returncode == 0, proc.stderr
    return out, config


def copy_of(built: Built, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(built[0], out, symlinks=True)
    return out


def episode_folders(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))


def feed_folders(out: Path) -> list[str]:
    pod = podcastparser.parse("https://example.org/feed.xml", io.BytesIO((out / "feed.xml").read_bytes()))
    return sorted(e["enclosures"][0]["url"].rsplit("/", 2)[-2] for e in pod["episodes"])


def remove(out: Path, built: Built, which: str | Path):  # type: ignore[no-untyped-def]
    return run_cli("remove", which, "--output", out, "--config", built[1])


def test_remove_by_folder_name_takes_the_folder_and_its_item(built: Built, tmp_path: Path) -> None:
    out = copy_of(built, tmp_path)
    first, second = episode_folders(out)
    proc = remove(out, built, first)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"removed: {out / first} and its feed item"
    assert episode_folders(out) == [second]
    assert feed_folders(out) == [second]
    assert [p.name for p in out.iterdir() if p.name.startswith(PREFIX)] == []  # nothing left aside


def test_remove_by_guid_and_by_a_path_inside_the_output(built: Built, tmp_path: Path) -> None:
    out = copy_of(built, tmp_path)
    first, second = episode_folders(out)
    guid = json.loads((out / first / "episode.json").read_text())["guid"]
    assert remove(out, built, guid).returncode == 0
    assert remove(out, built, out / second).returncode == 0
    assert episode_folders(out) == [] and feed_folders(out) == []


@pytest.mark.parametrize(
    ("which", "says"),
    [
        ("../out", "not a folder of the output directory"),
        ("/etc", "not a folder of the output directory"),
        (".feed.lock", "names starting with '.'"),
        ("..", "names starting with '.'"),
        ("linked", "is a symbolic link"),
        ("unrelated", "no episode.json"),
        ("no-such-episode", "no episode folder or guid of that name"),
    ],
)
def test_what_is_not_an_episode_is_refused_and_nothing_changes(
    built: Built, tmp_path: Path, which: str, says: str
) -> None:
    out = copy_of(built, tmp_path)
    (out / "linked").symlink_to(out / episode_folders(out)[0])
    (out / "unrelated").mkdir()
    before = snapshot(out)
    proc = remove(out, built, which)
    assert proc.returncode == 2
    [line] = proc.stderr.splitlines()
    assert line.startswith("broadcast: error: ") and says in line
    assert snapshot(out) == before


def test_a_failed_feed_write_leaves_folder_and_feed_as_they_were(
    built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = copy_of(built, tmp_path)
    before = snapshot(out)
    real_replace = os.replace

    def failing_replace(src: object, dst: object) -> None:
        if Path(str(dst)).name == "feed.xml":
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", failing_replace)
    code = main(["remove", episode_folders(out)[0], "--output", str(out), "--config", str(built[1])])
    assert code == 8
    [line] = capsys.readouterr().err.splitlines()
    assert line == f"broadcast: error: {out / 'feed.xml'}: cannot write: No space left on device"
    assert snapshot(out) == before


def _killed_remove(out: Path, name: str, feed_committed: bool) -> None:
    """What `broadcast remove` leaves when killed after moving the folder aside."""
    aside = out / f"{PREFIX}removed-{name}-{DEAD_PID}"
    aside.mkdir()
    (aside / MARKER).write_text("")
    (out / name).rename(aside / "content")
    pending = out / f"{PREFIX}tmp-feed.xml-{DEAD_PID}"
    pending.mkdir()
    (pending / MARKER).write_text("")
    if not feed_committed:
        (pending / "content").write_bytes(b"<rss/>")


@pytest.mark.parametrize("feed_committed", [False, True])
def test_a_killed_remove_is_undone_or_finished_by_the_next_cleanup(
    built: Built, tmp_path: Path, feed_committed: bool
) -> None:
    out = copy_of(built, tmp_path)
    first, second = episode_folders(out)
    _killed_remove(out, first, feed_committed)
    clean_leftovers(out)
    assert episode_folders(out) == ([second] if feed_committed else [first, second])
    assert [p.name for p in out.iterdir() if p.name.startswith(PREFIX)] == []
