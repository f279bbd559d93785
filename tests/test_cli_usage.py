"""How the command line answers a user who is finding their way: help, typos, bad option values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEED


def broadcast(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "broadcast", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=60
    )


def test_bare_command_prints_help_and_succeeds() -> None:
    proc = broadcast()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: broadcast")
    for command in ("build", "script", "feed", "voices"):
        assert f"    {command} " in proc.stdout
    assert proc.stderr == ""


@pytest.mark.parametrize(("typed", "meant"), [("biuld", "build"), ("scirpt", "script"), ("fed", "feed")])
def test_mistyped_command_gets_one_line_with_a_suggestion(typed: str, meant: str) -> None:
    proc = broadcast(typed, SEED)
    assert proc.returncode == 2
    assert proc.stderr == f"broadcast: error: unknown command {typed!r} (did you mean {meant}?)\n"
    assert proc.stdout == ""


def test_unrelated_word_lists_the_commands() -> None:
    import re

    listed = re.findall(r"^    (\w+) ", broadcast().stdout, re.M)  # the commands the help lists
    assert {"build", "script", "feed", "voices"} <= set(listed)
    proc = broadcast("--debug", "zzzz")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"broadcast: error: unknown command 'zzzz' (commands: {', '.join(listed)})"]


@pytest.mark.parametrize("value", ["100", "abc", "-96", "96.0"])
def test_bad_bitrate_is_a_command_line_error(tmp_path: Path, value: str) -> None:
    out = tmp_path / "out"
    proc = broadcast("build", SEED, "--bitrate", value, "--output", out)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert f"--bitrate: {value!r} is not an MP3 bitrate (use one of 32," in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--id3", "2.2"), "argument --id3: invalid choice: '2.2'"),
        (("--date", "2023-13-45"), "--date: '2023-13-45' is not a date"),
        (("--date", "0001-01-01"), "--date: '0001-01-01' is outside 1900-2100"),
        (("--title", ""), "--title: must not be empty"),
    ],
)
def test_every_bad_option_value_exits_2(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    out = tmp_path / "out"
    proc = broadcast("build", SEED, *args, "--output", out)
    assert proc.returncode == 2, proc.stderr
    assert says in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert not out.exists()


def test_usage_errors_name_the_subcommand_once() -> None:
    proc = broadcast("script")
    assert proc.returncode == 2
    assert proc.stderr == (
        "broadcast: error: script: the following arguments are required: article (see broadcast script --help)\n"
    )
