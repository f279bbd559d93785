"""Every kind of input a newsroom might feed in, through the real command line.

Valid inputs must give a correct episode; the rest a one-line error, a stable exit
code, and an output folder exactly as it was. Valid inputs are voiced by the fake
engine to keep this fast; real speech is covered by the end-to-end tests.

The seed article in other encodings and line endings, and a 50,000-character line,
are checked through `broadcast script`: decoding and parsing are what differ, and the
script they give is compared with the seed's golden file or the line itself, with no
speech synthesized (the long line alone is about an hour of speech).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, SEED, run_cli
from mutagen.id3 import ID3

from broadcast import cli

SEED_TEXT = SEED.read_text(encoding="utf-8")
STORY = (
    "By Ann Lee\n\nThe council met on Tuesday to discuss the new ferry schedule for the coming season.\n\n"
    "Members agreed on a plan after a long debate about costs and routes.\n"
)


def story(headline: str, body: str = STORY) -> str:
    return f"{headline}\n\n{body}"


def big_text() -> str:
    rng = random.Random(1)
    words = [
        "city",
        "council",
        "ferry",
        "schedule",
        "harbor",
        "residents",
        "officials",
        "budget",
        "winter",
        "bridge",
        "repairs",
        "vote",
    ]
    paras = [f"Paragraph {n} says the " + " ".join(rng.choice(words) for _ in range(60)) + "." for n in range(24_000)]
    return "Big headline for a huge file\n\nBy Ann Lee\n\n" + "\n\n".join(paras) + "\n"


GOLDEN_SCRIPT = (ROOT / "tests" / "golden" / "seed-script.txt").read_text(encoding="utf-8")

# name -> bytes of the seed article in another form; each must give the seed's script
SEED_FORMS: dict[str, Callable[[], bytes]] = {
    "utf-8 with BOM": lambda: b"\xef\xbb\xbf" + SEED_TEXT.encode(),
    "utf-16 with BOM": lambda: SEED_TEXT.encode("utf-16"),
    "windows-1252": lambda: SEED_TEXT.encode("cp1252"),  # its em dashes are not UTF-8
    "CRLF line endings": lambda: SEED_TEXT.replace("\n", "\r\n").encode(),
    "CR line endings": lambda: SEED_TEXT.replace("\n", "\r").encode(),
    "mixed line endings": lambda: SEED_TEXT.replace("\n\n", "\r\n\r\n", 3).replace("\n", "\r", 5).encode(),
    "stray NUL and controls": lambda: (
        SEED_TEXT.replace("Kremlin", "Krem\x00lin", 1).replace("week", "we\x07ek\x1b").encode()
    ),
}
LONG_LINE = " ".join(f"Sentence {i} tells part of the story." for i in range(7000))[:50_000] + "."


# name -> bytes of the input file
VALID: dict[str, Callable[[], bytes]] = {
    "latin-1 accents": lambda: story(
        "Café owners in Montréal celebrate a good year", STORY.replace("council", "café council")
    ).encode("latin-1"),
    "nested and unbalanced quotes": lambda: story(
        "Quotes \"nested 'inside' here\" are tricky",
        "By Ann Lee\n\nShe said, \"he told me 'no way' and left. Then \"another quote began and never ended.\n\n"
        "The council met later that day to discuss the plan in more detail.\n",
    ).encode(),
    "headline with markup, ampersand, emoji, right-to-left": lambda: story(
        'Fish & chips <b>bold</b> 🎙️ שלום עולם "quoted" headline'
    ).encode(),
    # No headline line is no error (issue 9): the title comes from the lede.
    "no headline": lambda: b"the council met on tuesday to discuss the new ferry schedule for the coming season.\n",
    "300-character headline": lambda: story(("Headline " * 33).strip() + " x").encode(),
    "headline without a Latin letter": lambda: story("Новости дня: встреча в Москве").encode(),
    "headline of dots": lambda: story("... !!! ... ???").encode(),
}

INVALID: dict[str, tuple[Callable[[], bytes], int, str]] = {
    "empty file": (lambda: b"", 3, "empty"),
    "whitespace only": (lambda: b" \n\t\r\n  \n", 3, "empty"),
    "PNG image": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 3, "binary"),
    "PDF document": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 20, 3, "binary"),
    "BOM-less UTF-16": (lambda: SEED_TEXT.encode("utf-16-le"), 3, "binary"),
    "undecodable bytes": (lambda: b"A headline here\n\n" + b"\x81\x8d\x8f\x90\x9d text " * 40, 3, "decode"),
    "10 MB of text": (lambda: big_text().encode(), 4, "too long"),
    "only page chrome": (
        lambda: b"Play Live Radio\nNext Up:\n0:00\n0:00 0:00\nAvailable On Air Stations\n",
        4,
        "no article body found",
    ),
    # A one-line paragraph is never dropped (issue 9), so the body is there but too short to voice.
    "one-word body": (lambda: story("A headline of several words", "Hello.\n").encode(), 4, "too short"),
    "body in Spanish": (
        lambda: story(
            "El presidente visitará la ciudad esta semana",
            "Por Ana López\n\nEl presidente de Rusia se reunirá con el líder de Corea del Norte esta semana en la "
            "ciudad de Vladivostok, según informó el Kremlin. La reunión es parte de una visita oficial que se "
            "espera para los próximos días.\n\nLos dos líderes se reunieron por última vez en 2019, también en "
            "Vladivostok, según los medios locales.\n",
        ).encode(),
        4,
        "looks like Spanish, but the voices speak English",
    ),
}


@pytest.fixture(scope="module")
def fake_voices_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    vdir = tmp_path_factory.mktemp("voices")
    for role in ("host", "reporter"):
        (vdir / f"{role}.toml").write_text('engine = "fake"\nvoice = "en-tone"\nrate = 170\nvolume = 0.8\n')
    return vdir


@pytest.fixture(scope="module")
def plain_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cfg = tmp_path_factory.mktemp("cfg") / "show.toml"
    cfg.write_text("")
    return cfg


def build(*args: str | Path) -> int:
    """`broadcast build ...` through the command line's own entry point, in this process.

    The valid inputs differ only in what the files hold, so their builds share one
    import of numpy, scipy and pydub; the refusals below run in a fresh process each,
    where a stray warning or traceback on stderr would show.
    """
    return cli.main(["build", *map(str, args)])


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("label", list(VALID))
def test_valid_input_gives_an_episode(label: str, tmp_path: Path, fake_voices_dir: Path, plain_config: Path) -> None:
    src = tmp_path / "article.txt"
    src.write_bytes(VALID[label]())
    out = tmp_path / "out"
    assert build(src, "--output", out, "--voices", fake_voices_dir, "--config", plain_config, "--quiet") == 0
    (folder,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert 0 < len(folder.name) <= 80
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in folder.name)
    record = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    tags = ID3(folder / "episode.mp3")
    assert str(tags["TIT2"]) == record["title"]  # the headline survives the ID3 round trip
    assert "\x00" not in record["title"] and all(c.isprintable() for c in record["title"])


@pytest.mark.parametrize("label", list(SEED_FORMS))
def test_seed_in_another_encoding_gives_the_seed_script(label: str, tmp_path: Path, plain_config: Path) -> None:
    src = tmp_path / "article.txt"
    src.write_bytes(SEED_FORMS[label]())
    proc = run_cli("script", src, "--config", plain_config, "--voices", ROOT / "voices")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == GOLDEN_SCRIPT


def test_single_50000_character_line_is_one_whole_paragraph(tmp_path: Path, plain_config: Path) -> None:
    src = tmp_path / "article.txt"
    src.write_text(f"A headline above a very long paragraph\n\nBy Ann Lee\n\n{LONG_LINE}\n", encoding="utf-8")
    proc = run_cli("script", src, "--config", plain_config, "--voices", ROOT / "voices")
    assert proc.returncode == 0, proc.stderr
    parts = proc.stdout.split("\n\n[")
    assert parts[0].startswith("TITLE:   A headline above a very long paragraph\n")
    assert "AUTHORS: Ann Lee\n" in parts[0]
    assert [p.split("\n", 1)[0] for p in parts[1:]] == ["01] INTRO (host)", "02] BODY (reporter)", "03] OUTRO (host)"]
    body = " ".join(parts[2].split("\n", 1)[1].split())  # undo the line wrapping
    assert body == LONG_LINE


@pytest.mark.parametrize("label", list(INVALID))
def test_invalid_input_is_refused_cleanly(
    label: str, tmp_path: Path, fake_voices_dir: Path, plain_config: Path
) -> None:
    make, code, message = INVALID[label]
    src = tmp_path / "article.txt"
    src.write_bytes(make())
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("earlier work")
    before = snapshot(out)
    proc = run_cli("build", src, "--output", out, "--voices", fake_voices_dir, "--config", plain_config)
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"broadcast: error: {src}: "), proc.stderr
    assert message in lines[0]
    assert snapshot(out) == before


def test_same_headline_different_articles_do_not_overwrite(
    tmp_path: Path, fake_voices_dir: Path, plain_config: Path
) -> None:
    out = tmp_path / "out"
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(story("Council approves the ferry plan", STORY))
    b.write_text(
        story("Council approves the ferry plan", STORY.replace("By Ann Lee", "By Bo Chen")).replace(
            "Members agreed", "Everyone agreed"
        )
    )
    common = ("--output", out, "--voices", fake_voices_dir, "--config", plain_config, "--quiet")
    for src in (a, b, a):  # a twice: the same article updates in place
        assert build(src, *common) == 0
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert len(folders) == 2, folders
    authors = sorted(json.loads((out / f / "episode.json").read_text())["authors"][0] for f in folders)
    assert authors == ["Ann Lee", "Bo Chen"]


CONFIG_CASES = {
    "missing config file": (lambda d: ["--config", d / "nope.toml"], 5, "nope.toml: no such file"),
    "malformed config": (lambda d: ["--config", _write(d / "bad.toml", "[show\nname=")], 5, "malformed TOML"),
    "unknown engine": (lambda d: ["--voices", _voices(d, 'engine = "festival"')], 5, "unknown engine 'festival'"),
    "unknown voice id": (
        lambda d: ["--voices", _voices(d, 'engine = "pyttsx3"\nvoice = "xx/nowhere"')],
        5,
        "unknown pyttsx3 voice",
    ),
    "role with no profile": (lambda d: ["--voices", _voices(d, None)], 5, "no voice profile 'reporter'"),
    "missing voices dir": (lambda d: ["--voices", d / "novoices"], 5, "voices directory not found"),
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _voices(d: Path, reporter: str | None) -> Path:
    vdir = d / "voices"
    vdir.mkdir()
    _write(vdir / "host.toml", 'engine = "fake"\nvoice = "en"\nrate = 170\nvolume = 1.0\n')
    if reporter is not None:
        body = reporter + ("" if "voice" in reporter else '\nvoice = "en"') + "\nrate = 170\nvolume = 1.0\n"
        _write(vdir / "reporter.toml", body)
    return vdir


@pytest.mark.parametrize("label", list(CONFIG_CASES))
def test_bad_configuration(label: str, tmp_path: Path, plain_config: Path) -> None:
    make, code, message = CONFIG_CASES[label]
    args = make(tmp_path)
    if "--config" not in args:
        args += ["--config", plain_config]
    out = tmp_path / "out"
    proc = run_cli("build", SEED, "--output", out, *args)
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".")]


def build_with_env(tmp_path: Path, config: Path, article: Path = SEED, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command line with a changed environment (a missing tool or library)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "broadcast",
            "build",
            str(article),
            "--output",
            str(tmp_path / "out"),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, **env),
        timeout=120,
    )


@pytest.mark.e2e
def test_no_ffmpeg(tmp_path: Path, plain_config: Path) -> None:
    short = tmp_path / "short.txt"  # every clip is spoken before ffmpeg is needed: keep them few
    short.write_text(story("Council approves the ferry plan"), encoding="utf-8")
    env = {"PATH": "/nonexistent", "IMAGEIO_FFMPEG_EXE": "/nonexistent/ffmpeg"}
    proc = build_with_env(tmp_path, plain_config, short, **env)
    assert proc.returncode == 6, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "ffmpeg" in proc.stderr
    assert not [p for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")]


@pytest.mark.e2e
def test_no_espeak_library(tmp_path: Path, plain_config: Path) -> None:
    """No system library and a broken espeakng-loader: the speech worker reports it, the build stops cleanly."""
    from broadcast.speech.engines.espeak_library import system_library

    if system_library():
        pytest.skip("this machine has a system libespeak-ng, which is preferred")
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "espeakng_loader.py").write_text("raise ImportError('simulated: espeakng-loader missing')\n")
    proc = build_with_env(tmp_path, plain_config, PYTHONPATH=str(shadow))
    assert proc.returncode == 7, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "no espeak-ng library" in proc.stderr
