"""`broadcast build A B C`, a directory or --from LIST: a batch in worker processes, the feed written once."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections import Counter
from pathlib import Path

import feedparser
import pytest
from builds import check_output, fake_cli, wait_until
from conftest import ROOT

from broadcast.publish.files import MARKER, PREFIX

_PLACES = ("harbor", "library", "rail yard", "school", "market", "clinic", "bridge", "park")


def story(n: int, sentences: int = 6) -> str:
    """A short wire story whose sentences are all its own (so an engine log shows each build)."""
    place = _PLACES[n % len(_PLACES)]
    body = " ".join(
        f"Officials in county {n} said on day {k + 1} that work at the {place} was {k + 2} weeks behind."
        for k in range(sentences)
    )
    return (
        f"County {n} falls behind on the {place} repairs\n\nBy Sam Rivera\n\n"
        f"DENVER (AP) — {body}\n\nThe county board will meet again in spring, a spokesperson for district {n} said.\n"
    )


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


BROKEN = "Play Live Radio\nNext Up:\n0:00\nAvailable On Air Stations\n"


def fake_setup(folder: Path) -> list[str]:
    voices = folder / "voices"
    voices.mkdir(exist_ok=True)
    for role, rate in (("host", 165), ("reporter", 180)):
        (voices / f"{role}.toml").write_text(f'engine = "fake"\nvoice = "tone"\nrate = {rate}\nvolume = 0.8\n')
    (folder / "plain.toml").write_text("")
    return ["--voices", str(voices), "--config", str(folder / "plain.toml")]


def run(folder: Path, *args: str | Path, stdin: str | None = None, env: dict[str, str] | None = None):
    cmd = [sys.executable, str(fake_cli(folder)), "build", *map(str, args), *fake_setup(folder)]
    return subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, **(env or {})}
    )


def feed_items(out: Path) -> list[str]:
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo
    return [e.title for e in feed.entries]


def leftovers(out: Path) -> list[str]:
    return [p.name for p in out.iterdir() if p.name.startswith(PREFIX)]


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory):
    """Three articles, the second one broken, built with two workers."""
    folder = tmp_path_factory.mktemp("three")
    src = folder / "in"
    articles = [write(src, "one.txt", story(1)), write(src, "broken.txt", BROKEN), write(src, "two.txt", story(2))]
    out = folder / "out"
    proc = run(folder, *articles, "-j", "2", "--output", out)
    return folder, out, articles, proc


def test_a_failed_article_does_not_stop_the_others(three) -> None:
    folder, out, articles, proc = three
    assert proc.returncode == 9, proc.stderr
    assert check_output(out) == {p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert len(check_output(out)) == 2
    assert sorted(feed_items(out)) == [
        "County 1 falls behind on the library repairs",
        "County 2 falls behind on the rail yard repairs",
    ]
    # Named once as failed, and the error line says how many.
    failed = [line for line in proc.stderr.splitlines() if line.startswith("broadcast: failed:")]
    assert failed == [f"broadcast: failed: {articles[1]}: no article body found (only site navigation and labels)"]
    assert proc.stderr.rstrip().endswith("broadcast: error: build: 1 of 3 articles failed")
    assert leftovers(out) == [], leftovers(out)
    assert (folder / "modules.log").read_text() == ""  # a local batch never imports Dask


def test_the_feed_is_written_once_at_the_end(three) -> None:
    folder, out, _, proc = three
    writes = (folder / "feed-writes.log").read_text().split()
    assert writes == [(folder / "main.pid").read_text()], writes  # once, by the command itself, not a worker
    records = [json.loads(p.read_text()) for p in out.glob("*/episode.json")]
    assert sorted(r["episode_number"] for r in records) == [1, 2]


def test_a_progress_line_per_article_when_not_a_terminal(three) -> None:
    _, out, articles, proc = three
    lines = [line for line in proc.stderr.splitlines() if line.startswith("[")]
    assert [line.split()[0] for line in lines] == ["[1/3]", "[2/3]", "[3/3]"], proc.stderr
    assert sum(" ok   " in line for line in lines) == 2
    (fail,) = [line for line in lines if " FAIL " in line]
    assert fail.endswith(f"FAIL {articles[1]}: no article body found (only site navigation and labels)")
    for line in lines:
        if " ok " in line:
            assert f"{out}/20" in line or f"{out}/undated-" in line
            assert line.rstrip().endswith(")")  # the duration, (m:ss)


def test_the_summary_table(three) -> None:
    _, out, articles, proc = three
    rows = proc.stdout.splitlines()
    assert rows[0].split() == ["article", "episode", "duration", "result"]
    table = {row.split()[0]: row.split(None, 3) for row in rows[1:4]}
    assert list(table) == [str(a) for a in articles]  # in the order they were named
    one = table[str(articles[0])]
    assert one[1].startswith(f"{out}/") and (out / Path(one[1]).name / "episode.mp3").is_file()
    assert one[2].count(":") == 1 and one[3] == "ok"
    assert table[str(articles[1])][1:] == ["-", "-", "no article body found (only site navigation and labels)"]


def test_fail_fast_starts_no_new_build(tmp_path: Path) -> None:
    src = tmp_path / "in"
    articles = [write(src, "a-broken.txt", BROKEN), write(src, "b.txt", story(3)), write(src, "c.txt", story(4))]
    out = tmp_path / "out"
    proc = run(tmp_path, *articles, "-j", "1", "--fail-fast", "--output", out)
    assert proc.returncode == 9, proc.stderr
    assert "2 not started (--fail-fast)" in proc.stderr
    assert check_output(out) == set()
    assert feed_items(out) == []  # the feed is written all the same, for what was published
    without = run(tmp_path, *articles, "-j", "1", "--output", tmp_path / "out2")
    assert without.returncode == 9 and len(check_output(tmp_path / "out2")) == 2  # the difference is the option


def test_a_directory_builds_its_article_files(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write(src, "b.txt", story(5))
    write(
        src,
        "a.htm",
        "<html><head><title>x</title></head><body><article><h1>County 6 falls behind</h1>"
        + "".join(f"<p>{s}.</p>" for s in story(6).split(". ")[1:6])
        + "</article></body></html>",
    )
    write(src, "notes.md", story(7))  # not an article file
    write(src / "sub", "c.txt", story(8))  # not read: only the folder's own files
    out = tmp_path / "out"
    proc = run(tmp_path, src, "--output", out)
    assert proc.returncode == 0, proc.stderr
    assert len(check_output(out)) == 2
    rows = proc.stdout.splitlines()[1:3]
    assert [row.split()[0] for row in rows] == [str(src / "a.htm"), str(src / "b.txt")]  # sorted by name


def test_from_a_list_on_stdin_with_comments(tmp_path: Path) -> None:
    src = tmp_path / "in"
    a, b = write(src, "a.txt", story(9)), write(src, "b.txt", story(10))
    listing = f"# today's stories\n\n{a}\n   \n# {src / 'skipped.txt'}\n{b}\n"
    out = tmp_path / "out"
    proc = run(tmp_path, "--from", "-", "--output", out, stdin=listing)
    assert proc.returncode == 0, proc.stderr
    assert len(check_output(out)) == 2 and len(feed_items(out)) == 2
    assert [row.split()[0] for row in proc.stdout.splitlines()[1:3]] == [str(a), str(b)]
    (tmp_path / "list.txt").write_text(listing)
    again = run(tmp_path, "--from", tmp_path / "list.txt", "--output", out, "-j", "1")
    assert again.returncode == 0, again.stderr
    assert len(check_output(out)) == 2  # the same two episodes, rebuilt in place


def test_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    src = tmp_path / "in"
    articles = [write(src, "a.txt", story(11)), write(src, "b.txt", story(12))]
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # as a terminal window
    cmd = [sys.executable, str(fake_cli(tmp_path)), "build", *map(str, articles), *fake_setup(tmp_path)]
    proc = subprocess.Popen(
        [*cmd, "--output", str(tmp_path / "out")], cwd=ROOT, stdout=subprocess.PIPE, stderr=secondary, text=True
    )
    os.close(secondary)
    seen = b""
    while True:
        ready, _, _ = select.select([primary], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(primary)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert "2/2" in text and "ok 2, failed 0" in text and "100%" in text, text
    assert "[1/2]" not in text  # the bar, not the plain lines


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_workers_must_be_one_or_more(tmp_path: Path, jobs: str) -> None:
    a = write(tmp_path / "in", "a.txt", story(13))
    proc = run(
        tmp_path,
        a,
        a,
        f"-j{jobs}" if jobs.startswith("-") else "-j",
        *([] if jobs.startswith("-") else [jobs]),
        "--output",
        tmp_path / "out",
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("broadcast: error: build: argument -j/--jobs:") and "1 or more" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "option",
    [
        ["--title", "One title"],
        ["--author", "Ann"],
        ["--date", "2024-01-02"],
        ["--pub-date", "2024-01-02"],
        ["--source-name", "WXYZ"],
    ],
)
def test_article_options_are_refused_with_several_articles(tmp_path: Path, option: list[str]) -> None:
    src = tmp_path / "in"
    proc = run(
        tmp_path, write(src, "a.txt", story(14)), write(src, "b.txt", story(15)), *option, "--output", tmp_path / "out"
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"broadcast: error: build: {option[0]} describe one article; a batch of 2 cannot take them\n"
    assert not (tmp_path / "out").exists()


def test_the_same_episode_twice_is_built_once(tmp_path: Path) -> None:
    src = tmp_path / "in"
    a = write(src, "a.txt", story(16))
    copy = write(src, "copy.txt", story(16))  # another file, the same article
    log = tmp_path / "engine.log"
    out = tmp_path / "out"
    proc = run(tmp_path, a, copy, a, "--output", out, "--no-cache", env={"BROADCAST_TEST_ENGINE_LOG": str(log)})
    assert proc.returncode == 0, proc.stderr
    assert len(check_output(out)) == 1 and len(feed_items(out)) == 1
    spoken = Counter(log.read_text().splitlines())
    assert spoken and max(spoken.values()) == 1, spoken.most_common(2)  # each sentence spoken once: one build
    assert f"broadcast: warning: {copy}: the same episode as {a}; built once" in proc.stderr
    assert proc.stdout.count("ok (same episode as") == 2


def _processes_running(script: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and script.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def test_sigterm_mid_batch_leaves_no_staging_and_a_feed_of_what_was_published(tmp_path: Path) -> None:
    src = tmp_path / "in"
    articles = [
        write(src, "a.txt", story(17, 2)),
        write(src, "b.txt", story(18, 40)),
        write(src, "c.txt", story(19, 40)),
    ]
    out, temp = tmp_path / "out", tmp_path / "temp"
    temp.mkdir()
    cmd = [sys.executable, str(fake_cli(tmp_path, delay_s=0.05)), "build", *map(str, articles), *fake_setup(tmp_path)]
    proc = subprocess.Popen(
        [*cmd, "-j", "2", "--output", str(out), "--no-cache"],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: out.is_dir() and [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")], proc
        )
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, stderr
    assert stderr.rstrip().endswith("broadcast: terminated")
    assert leftovers(out) == []
    assert list(temp.iterdir()) == []  # the workers' temporary clips are gone too
    assert not _processes_running(cmd[1])  # and so are the workers
    folders = check_output(out)
    assert 1 <= len(folders) < 3
    assert len(feed_items(out)) == len(folders)  # the feed lists what was published


def test_a_leftover_of_another_host_is_left_to_that_host(tmp_path: Path) -> None:
    """On shared storage a pid of another machine means nothing here: only its host may judge it."""
    out = tmp_path / "out"
    out.mkdir()
    dead = 2**22 + 12345  # above the kernel's pid limit: no such process here
    foreign = out / f"{PREFIX}staging-x-{dead}"
    foreign.mkdir()
    (foreign / MARKER).write_text(f"Made by broadcast (process {dead} on host elsewhere-7); ...\n")
    ours = out / f"{PREFIX}staging-y-{dead}"
    ours.mkdir()
    (ours / MARKER).write_text(f"Made by broadcast (process {dead} on host {os.uname().nodename}); ...\n")
    proc = run(tmp_path, write(tmp_path / "in", "a.txt", story(20)), "--output", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert leftovers(out) == [foreign.name]


def test_a_script_file_in_a_batch_builds_as_edited(tmp_path: Path) -> None:
    src = tmp_path / "in"
    article = write(src, "a.txt", story(7))
    made = subprocess.run(
        [sys.executable, "-m", "broadcast", "script", article, "-o", src / "b.script"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    edited = (src / "b.script").read_text(encoding="utf-8").replace("(reporter)", "(host)")
    edited = edited.replace("TITLE:     County 7", "TITLE:     Corrected: County 7")
    (src / "b.script").write_text(edited, encoding="utf-8")
    write(src, "c.txt", story(8))
    out = tmp_path / "out"
    proc = run(tmp_path, src / "b.script", src / "c.txt", "-j", "2", "--output", out)
    assert proc.returncode == 0, proc.stderr
    titles = sorted(feed_items(out))
    assert titles[0].startswith("Corrected: County 7") and titles[1].startswith("County 8")
    (record,) = [json.loads(p.read_text()) for p in out.glob("*/episode.json") if "county-7" in p.parent.name]
    assert {c["role"] for c in record["cues"]} == {"host"}  # the edit, not the article's casting


def test_two_stories_with_one_headline_in_one_batch_keep_both_episodes(tmp_path: Path) -> None:
    """Both builds pick the same <date>-<slug> before either is published; the name is settled
    under the feed lock, so the second gets the guid suffix instead of swapping the first away."""
    src = tmp_path / "in"
    one = story(9)
    other = one.replace("By Sam Rivera", "By Ana Ortiz").replace("Officials in county 9", "Workers in county 9")
    articles = [write(src, "a.txt", one), write(src, "b.txt", other)]
    out = tmp_path / "out"
    proc = run(tmp_path, *articles, "-j", "2", "--output", out)
    assert proc.returncode == 0, proc.stderr
    folders = check_output(out)
    assert len(folders) == 2, folders
    assert len(feed_items(out)) == 2
    records = [json.loads(p.read_text()) for p in out.glob("*/episode.json")]
    assert sorted(r["episode_number"] for r in records) == [1, 2]
    named = [row.split()[1] for row in proc.stdout.splitlines()[1:3]]
    assert len(set(named)) == 2 and all(Path(n).name in folders for n in named)  # the table names each one


def test_a_dash_inside_a_list_read_from_stdin_is_refused() -> None:
    import io

    from broadcast.batch.inputs import batch_articles
    from broadcast.errors import UsageError

    with pytest.raises(UsageError, match="both read standard input"):
        batch_articles(["story.txt"], "-", io.BytesIO(b"other.txt\n-\n"))


def test_debug_shows_a_bug_in_a_batch_build_with_its_traceback(tmp_path: Path) -> None:
    src = tmp_path / "in"
    articles = [write(src, "a.txt", story(10)), write(src, "b.txt", story(11))]
    env = {"BUG_ON": "county eleven"}  # as spoken
    # --no-cache: a clip cached by another test would never reach the planted bug.
    plain = run(tmp_path, *articles, "-j", "2", "--no-cache", "--output", tmp_path / "out", env=env)
    assert plain.returncode == 9, plain.stderr
    assert f"broadcast: failed: {articles[1]}: internal error: RuntimeError: planted bug" in plain.stderr
    assert "Traceback" not in plain.stderr
    cmd = [sys.executable, str(fake_cli(tmp_path)), "--debug", "build", *map(str, articles), "-j", "2", "--no-cache"]
    cmd += ["--output", str(tmp_path / "out2"), *fake_setup(tmp_path)]
    debug = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, **env})
    assert debug.returncode == 9, debug.stderr
    assert "Traceback (most recent call last)" in debug.stderr and "RuntimeError: planted bug" in debug.stderr


def test_a_killed_worker_is_named_as_such_not_as_a_bug(tmp_path: Path) -> None:
    """A worker process killed from outside (the OOM killer, a stray kill) fails the builds in
    flight; they are reported as a dead worker, and the batch still ends with a feed."""
    src = tmp_path / "in"
    articles = [write(src, "a.txt", story(20, 40)), write(src, "b.txt", story(21, 40))]
    out = tmp_path / "out"
    cmd = [sys.executable, str(fake_cli(tmp_path, delay_s=0.05)), "build", *map(str, articles), *fake_setup(tmp_path)]
    proc = subprocess.Popen(
        [*cmd, "-j", "2", "--output", str(out), "--no-cache"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        tasks = Path(f"/proc/{proc.pid}/task")
        children = lambda: [c for t in tasks.iterdir() for c in (t / "children").read_text().split()]  # noqa: E731
        wait_until(children, proc)  # the pool's worker processes, once started
        time.sleep(0.5)  # speaking by now
        os.kill(int(children()[0]), signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 9, stderr
    assert "its worker process died (killed, or out of memory)" in stderr
    assert "internal error" not in stderr
    assert leftovers(out) == []
    assert len(feed_items(out)) == len(check_output(out))
