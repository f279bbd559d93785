"""review.html as the build writes it (fake engine, real command line) and `broadcast review`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import pty
import re
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from builds import fake_voices
from conftest import CLI, ROOT, run_cli

from broadcast.model import Chapter, Part, SentenceTiming
from broadcast.publish.record import AudioFacts, CueRecord, EpisodeRecord, LoudnessRecord
from broadcast.publish.review import render_review

HOSTILE = '<script>document.title="pwned"</script> Ferry & "Harbor" <b>news</b>'
STORY = (
    "Harbor ferry adds a winter crossing\n\nBy Sam Rivera\n\n"
    "PORTLAND, Maine (AP) — The city ferry will run a late crossing every evening this winter, "
    "the first change to its schedule since 2019. Riders asked for it at three public meetings.\n\n"
    "The new crossing leaves at 9:30 p.m. and costs the same as the others, officials said.\n"
)


class Page(HTMLParser):
    """The elements of a page, each as (tag, attributes, text inside it)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self._open: list[int] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, []))
        if tag not in ("meta", "link", "br", "input"):
            self._open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self._open and self.elements[self._open.pop()][0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        for i in self._open:
            self.elements[i][2].append(data)

    def find(self, tag: str = "", cls: str = "") -> list[tuple[dict[str, str], str]]:
        return [
            (attrs, "".join(text))
            for t, attrs, text in self.elements
            if (not tag or t == tag) and (not cls or cls in attrs.get("class", "").split())
        ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("review")
    voices = fake_voices(work, rate=170)
    (work / "empty.toml").write_text("")
    (work / "story.txt").write_text(STORY, encoding="utf-8")
    proc = run_cli(
        "build", work / "story.txt", "--title", HOSTILE, "--output", work / "out", "--config", work / "empty.toml",
        "--voices", voices, "--quiet",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (folder,) = [p for p in (work / "out").iterdir() if p.is_dir()]
    return folder


def test_build_writes_a_review_page_of_every_sentence_at_its_measured_time(built: Path) -> None:
    page = Page((built / "review.html").read_text(encoding="utf-8"))
    record = json.loads((built / "episode.json").read_text(encoding="utf-8"))
    sentences = page.find("span", "s")
    assert len(sentences) >= 6
    starts = [int(a["data-start"]) for a, _ in sentences]
    ends = [int(a["data-end"]) for a, _ in sentences]
    assert starts == sorted(starts) and all(s < e for s, e in zip(starts, ends))
    assert len(page.find("section", "cue")) == len(record["cues"])
    written = " ".join(t for _, t in page.find("span", "written-form"))
    assert written.split() == " ".join(c["text"] for c in record["cues"]).split()  # every word of the script
    # Each sentence lies inside its cue as episode.json times it; the first starts with the first cue.
    assert starts[0] == record["cues"][0]["start_ms"]
    spans = [(c["start_ms"], c["end_ms"]) for c in record["cues"]]
    assert all(any(a <= s and e <= b for a, b in spans) for s, e in zip(starts, ends))
    # The VTT is timed from the same clips: its first caption starts where the first sentence does.
    vtt = (built / "transcript.vtt").read_text()
    assert re.search(r"^00:00:(\d\d\.\d{3}) -->", vtt, re.M).group(1) == f"{starts[0] / 1000:06.3f}"


def test_review_page_header_player_chapters_and_loudness(built: Path) -> None:
    text = (built / "review.html").read_text(encoding="utf-8")
    page = Page(text)
    record = json.loads((built / "episode.json").read_text(encoding="utf-8"))
    (html_attrs, _), *_ = page.find("html")
    assert html_attrs["lang"] == "en"
    assert page.find("h1")[0][1] == HOSTILE  # the headline as given, shown as text
    assert "Sam Rivera" in text and "2019" in text
    (audio, _), *_ = page.find("audio")
    assert audio["src"] == "episode.mp3" and "controls" in audio and (built / audio["src"]).is_file()
    chapters = [
        int(a["data-start"])
        for a, _ in page.find("button")
        if a.get("data-start") and "cue" not in a.get("aria-label", "")
    ]
    assert chapters == [
        round(c["startTime"] * 1000) for c in json.loads((built / "chapters.json").read_text())["chapters"]
    ]
    loud = record["loudness"]
    (_, figures), *_ = [(a, t) for a, t in page.find("dl") if a.get("id") == "loudness"]
    assert f"{loud['integrated_lufs']:.1f} LUFS (target {loud['target_lufs']:.1f} LUFS" in figures
    assert f"{loud['true_peak_dbtp']:.1f} dBTP" in figures and f"{loud['range_lu']:.1f} LU" in figures
    toggle = [a for a, _ in page.find("button") if a.get("id") == "spoken-toggle"]
    assert toggle == [{"type": "button", "id": "spoken-toggle", "aria-pressed": "false"}]


def test_spoken_forms_are_marked_per_sentence(built: Path) -> None:
    page = Page((built / "review.html").read_text(encoding="utf-8"))
    changes = [t for _, t in page.find("mark", "change")]
    assert "{2019 → twenty nineteen}" in changes
    written = [t for _, t in page.find("span", "written-form")]
    spoken = [t for _, t in page.find("span", "spoken-form")]
    assert len(written) == len(spoken) == len(page.find("span", "s"))
    # Each spoken form belongs to its own sentence: put back its written sides and it is that sentence.
    assert [re.sub(r"\{([^{}]*?) → [^{}]*?\}", r"\1", s) for s in spoken] == written
    assert sum("{" in s for s in spoken) >= 2


def test_a_headline_with_markup_is_escaped_and_nothing_is_fetched(built: Path) -> None:
    text = (built / "review.html").read_text(encoding="utf-8")
    assert text.count("<script") == 1  # the page's own script only
    assert "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text.replace('href="https://', ""))
    (policy,) = [a["content"] for a, _ in Page(text).find("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in policy
    for tag in ("script", "style"):  # the inline script and style are admitted by their hash, nothing else
        (body,) = re.findall(rf"<{tag}>(.*?)</{tag}>", text, re.S)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in policy


def _record(**changes) -> EpisodeRecord:
    record = EpisodeRecord(
        guid="g",
        title="T",
        language="en",
        published=datetime(2024, 5, 1, 9, 30),
        audio=AudioFacts(size_bytes=1, duration_ms=4000),
        cues=(CueRecord(0, Part.BODY, "guest1", 100, 3000, "One. Two.", "ODA GARCIA"),),
        chapters=(Chapter("The story", 0, 4000),),
        loudness=LoudnessRecord(-19.0, -19.02, 2.4, -1.8, -1.0),
    )
    return replace(record, **changes)


def test_renderer_links_only_web_sources_and_labels_speakers() -> None:
    timings = [SentenceTiming(0, "guest1", "One.", 100, 900), SentenceTiming(0, "guest1", "Two.", 1200, 3000)]
    page = render_review(_record(source_url="javascript:alert(1)"), timings, ["One.", "Two."])
    assert "javascript:" not in page.replace("javascript:alert(1)", "")  # shown nowhere as a link
    assert "<a " not in page
    assert "[01] BODY" in page and "guest1: ODA GARCIA" in page and "-0.0" not in page
    linked = render_review(_record(source_url="https://example.org/a?b=1&c=2"), timings, ["One.", "Two."])
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="noreferrer">' in linked
    with pytest.raises(ValueError, match="2 sentence timings but 1 spoken forms"):
        render_review(_record(), timings, ["One."])


# ---------------------------------------------------------------- broadcast review


def test_review_prints_the_page_path_by_name_or_by_folder(built: Path) -> None:
    for args in ((built.name, "--output", built.parent), (built,)):
        proc = run_cli("review", *args)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == f"{(built / 'review.html').resolve()}\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda out: "no-such-episode", "no-such-episode: no episode folder of that name in"),
        (lambda out: out / "old", "old: no review.html (built by an older broadcast: rebuild the episode)"),
        (lambda out: out / "other", "other: not an episode folder (no episode.json)"),
    ],
    ids=["unknown", "older", "not-an-episode"],
)
def test_review_of_a_missing_page_is_one_line_and_exit_3(tmp_path: Path, make, message: str) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "episode.json").write_text("{}")
    (tmp_path / "other").mkdir()
    proc = run_cli("review", make(tmp_path), "--output", tmp_path)
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and message in proc.stderr and proc.stderr.startswith("broadcast: error:")


def _fake_browser(tmp_path: Path) -> tuple[dict[str, str], Path]:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "fake-browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n')
    browser.chmod(0o755)
    return {**os.environ, "BROWSER": str(browser)}, opened


def _in_terminal(args: list[str | Path], env: dict[str, str]) -> tuple[int, str]:
    """The command line with a terminal as its standard output, as a user at a shell runs it."""
    leader, follower = pty.openpty()
    with subprocess.Popen([sys.executable, str(CLI), *map(str, args)], stdout=follower, env=env, cwd=ROOT) as proc:
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal's other end closed
                break
            if not chunk:
                break
            out += chunk
        code = proc.wait(timeout=60)
    os.close(leader)
    return code, out.decode()


def test_review_opens_the_page_in_the_browser_only_from_a_terminal(built: Path, tmp_path: Path) -> None:
    env, opened = _fake_browser(tmp_path)
    page = (built / "review.html").resolve()
    code, out = _in_terminal(["review", built, "--no-open"], env)
    assert (code, out.strip(), opened.exists()) == (0, str(page), False)
    piped = subprocess.run([sys.executable, str(CLI), "review", built], env=env, capture_output=True, text=True)
    assert (piped.returncode, piped.stdout.strip(), opened.exists()) == (0, str(page), False)
    code, out = _in_terminal(["review", built], env)
    assert (code, out.strip()) == (0, str(page))
    assert opened.read_text() == page.as_uri()


# ---------------------------------------------------------------- tools/ensure-browser (make test's first step)

ENSURE = ROOT / "tools" / "ensure-browser"


def _tool(folder: Path, name: str, body: str) -> None:
    (folder / name).write_text(f"#!/bin/sh\n{body}\n")
    (folder / name).chmod(0o755)


def _ensure(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    # Only the fake tools on PATH: the machine's own chromium must not be found.
    return subprocess.run(["/bin/bash", ENSURE], env={"PATH": str(bin_dir)}, capture_output=True, text=True)


def test_ensure_browser_does_nothing_when_both_are_there(tmp_path: Path) -> None:
    for name in ("chromium", "chromedriver"):
        _tool(tmp_path, name, "exit 0")
    _tool(tmp_path, "apt-get", f'echo "$*" >> "{tmp_path}/apt.log"')
    proc = _ensure(tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert not (tmp_path / "apt.log").exists()


def test_ensure_browser_installs_them_with_apt_updating_the_lists_when_needed(tmp_path: Path) -> None:
    # A fresh machine: the first install fails for want of package lists, then works after an update.
    _tool(
        tmp_path,
        "apt-get",
        f'echo "$*" >> "{tmp_path}/apt.log"\n'
        f'if [ "$1" = update ]; then : > "{tmp_path}/lists"; exit 0; fi\n'
        f'[ -e "{tmp_path}/lists" ] || exit 100\n'
        f'for t in chromium chromedriver; do printf "#!/bin/sh\\n" > "{tmp_path}/$t"; done\n'
        f'/bin/chmod +x "{tmp_path}/chromium" "{tmp_path}/chromedriver"',
    )
    _tool(tmp_path, "sudo", '[ "$1" = -n ] && shift; [ "$1" = true ] && exit 0; exec "$@"')  # when not root
    proc = _ensure(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "ensure-browser: installing chromium chromium-driver for the review page tests\n"
    log = (tmp_path / "apt.log").read_text().splitlines()
    assert log == ["install -y -q chromium chromium-driver", "update -q", "install -y -q chromium chromium-driver"]
    assert _ensure(tmp_path).stderr == ""  # the second run finds them


def test_ensure_browser_says_how_when_it_cannot_install(tmp_path: Path) -> None:
    proc = _ensure(tmp_path)  # no apt-get here
    assert proc.returncode == 0  # make test goes on; the browser tests skip with the reason
    assert proc.stderr.count("\n") == 1
    assert "SKIPPED" in proc.stderr and "apt-get install -y chromium chromium-driver" in proc.stderr
