"""The command line as a user meets it: help, listing voices, and every bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SEED, run_cli

from broadcast import cli
from broadcast.errors import EXIT_CODES


@pytest.mark.parametrize("command", [[], ["build"], ["script"], ["feed"], ["voices"]])
def test_help_on_every_subcommand(command: list[str]) -> None:
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0
    assert "usage: broadcast" in proc.stdout
    assert "exit codes:" in proc.stdout


def test_voices_lists_engine_voices_and_roles() -> None:
    proc = run_cli("voices")
    assert proc.returncode == 0, proc.stderr
    assert "gmw/en-us" in proc.stdout
    assert "host" in proc.stdout and "reporter" in proc.stdout


def test_script_prints_without_building(tmp_path: Path) -> None:
    proc = run_cli("script", SEED, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "[01] INTRO (host)" in proc.stdout
    assert not (tmp_path / "output").exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_INPUTS = [
    ("missing", lambda d: d / "nope.txt", 3, "no such file"),
    ("directory", lambda d: d, 3, "is a directory"),
    ("empty", lambda d: _write(d / "e.txt", b""), 3, "empty"),
    ("whitespace", lambda d: _write(d / "w.txt", b"  \n\t\n \r\n"), 3, "empty"),
    ("png", lambda d: _write(d / "p.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), 3, "binary"),
    ("undecodable", lambda d: _write(d / "u.txt", b"Headline here\n\n\x81\x8d\x8f\x90\x9d bad " * 20), 3, "decode"),
    (
        "chrome only",
        lambda d: _write(d / "c.txt", b"Play Live Radio\nNext Up:\n0:00\nAvailable On Air Stations\n"),
        4,
        "no article body found",
    ),
]


@pytest.mark.parametrize(("label", "make", "code", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
@pytest.mark.parametrize("command", ["build", "script"])
def test_bad_input_is_one_line_error_and_leaves_output_alone(
    tmp_path: Path, label: str, make, code: int, message: str, command: str
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    target = make(src)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    args = [command, target] + (["--output", out] if command == "build" else [])
    proc = run_cli(*args)
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"broadcast: error: {target}")
    assert message in lines[0]
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_output_that_is_a_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("not a folder")
    proc = run_cli("build", SEED, "--output", out)
    assert proc.returncode == 8
    assert "is not a directory" in proc.stderr
    assert out.read_text() == "not a folder"


def test_unknown_voice_id_is_a_config_error(tmp_path: Path) -> None:
    vdir = tmp_path / "voices"
    vdir.mkdir()
    (vdir / "host.toml").write_text('engine = "pyttsx3"\nvoice = "xx/nowhere"\nrate = 170\nvolume = 1.0\n')
    (vdir / "reporter.toml").write_text('engine = "pyttsx3"\nvoice = "gmw/en"\nrate = 170\nvolume = 1.0\n')
    out = tmp_path / "out"
    proc = run_cli("build", SEED, "--voices", vdir, "--output", out)
    assert proc.returncode == 5, proc.stderr
    assert "unknown pyttsx3 voice 'xx/nowhere'" in proc.stderr
    assert not out.exists() or not list(out.iterdir())


def test_bad_usage_exits_2() -> None:
    proc = run_cli("build")
    assert proc.returncode == 2
    assert "the following arguments are required: article" in proc.stderr


def test_script_reads_stdin() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "broadcast", "script", "-"],
        input=SEED.read_bytes(),
        capture_output=True,
        cwd=SEED.parent.parent,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().startswith("TITLE:   Russia's Vladimir Putin")


def test_script_spoken_marks_every_change() -> None:
    proc = run_cli("script", "--spoken", SEED)
    assert proc.returncode == 0, proc.stderr
    spoken = " ".join(proc.stdout.split())  # undo the line wrapping
    assert "{2019 → twenty nineteen}" in spoken
    assert "{U.S. → U S}" in spoken
    assert "{Kelemen → [[k'El@m@n]]}" in spoken  # the shipped lexicon, as espeak phonemes
    # the written script is untouched
    plain = " ".join(run_cli("script", SEED).stdout.split())
    assert "Kim last met Putin in 2019, also in Vladivostok." in plain


def test_html_file_builds(tmp_path: Path, fake_voices: Path) -> None:
    html = SEED.parent.parent / "tests" / "fixtures" / "html" / "jsonld-news.html"
    empty = tmp_path / "plain.toml"
    empty.write_text("")
    proc = run_cli("build", html, "--output", tmp_path / "out", "--voices", fake_voices, "--config", empty, "--quiet")
    assert proc.returncode == 0, proc.stderr
    (folder,) = [p for p in (tmp_path / "out").iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert folder.name == "2024-03-14-harbor-ferry-fares-to-rise-in-spring-port-board-says"


def test_non_http_url_is_refused() -> None:
    proc = run_cli("script", "file:///etc/passwd")
    assert proc.returncode == 3
    assert proc.stderr.strip() == "broadcast: error: file:///etc/passwd: only http and https URLs are supported"


def _bug(args: object) -> int:
    raise RuntimeError("simulated bug")


@pytest.mark.parametrize(
    ("argv", "traceback"),
    [
        (["script", "x.txt"], False),
        (["--debug", "script", "x.txt"], True),
        (["script", "--", "--debug"], False),  # an article named --debug is not the option
    ],
)
def test_internal_error_shows_traceback_only_under_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], traceback: bool
) -> None:
    monkeypatch.setitem(cli._COMMANDS, "script", _bug)
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert ("Traceback (most recent call last)" in err) is traceback
    if not traceback:
        assert err == "broadcast: internal error: RuntimeError: simulated bug (rerun with --debug)\n"


def test_feed_takes_no_voices_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["feed", "--output", str(tmp_path), "--voices", str(tmp_path)]) == 2
    assert "unrecognized arguments: --voices" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_readme_exit_code_table_matches_the_code() -> None:
    """The README's table and `broadcast --help` (built from EXIT_CODES) list the same codes and meanings."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:3] for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    documented = [(int(code), meaning.strip().replace("`", "")) for code, meaning in rows]
    assert [code for code, _ in documented] == [code for code, _ in EXIT_CODES]
    for (code, meaning), (_, what) in zip(documented, EXIT_CODES, strict=True):
        # The README may add examples in parentheses; the meaning itself must agree.
        assert meaning.split(" (")[0] == what.split(" (")[0], code
