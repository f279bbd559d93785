"""Settings a careless or hostile user can pass: what is refused, in one line, before anything is written."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import CLI, ROOT, SEED, run_cli

from broadcast.audio.sting import write_wav

SHORT = "Council approves the ferry plan\n\nBy Ann Lee\n\nThe council met on Tuesday to discuss the ferry.\n"
BIG = 2 * 1024 * 1024


def cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real command line; a FIFO that blocks the read fails the test in a minute, not in five."""
    return subprocess.run(
        [sys.executable, str(CLI), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=60
    )


def refused(proc: subprocess.CompletedProcess[str], out: Path, *message: str) -> None:
    assert proc.returncode == 5, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("broadcast: error: "), proc.stderr
    for part in message:
        assert part in lines[0], lines[0]
    assert not out.exists() or not any(out.iterdir()), sorted(p.name for p in out.iterdir())


def _article(tmp_path: Path) -> Path:
    src = tmp_path / "article.txt"
    src.write_text(SHORT, encoding="utf-8")
    return src


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


# --- item 5: settings files are small regular files -----------------------------------

CONFIG_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "a device": (lambda d: Path("/dev/zero"), "/dev/zero: is a device, not a config file"),
    "a FIFO": (lambda d: _fifo(d / "show.toml"), "show.toml: is a FIFO, not a config file"),
    "over 1 MB": (
        lambda d: (d / "show.toml").write_text("#" * BIG + "\n") and d / "show.toml",
        "a config file must be at most 1 MB",
    ),
    "a directory": (lambda d: d, "is a directory, not a config file"),
}


@pytest.mark.parametrize("label", list(CONFIG_FILES))
def test_config_must_be_a_small_regular_file(label: str, tmp_path: Path, fake_voices: Path) -> None:
    make, message = CONFIG_FILES[label]
    out = tmp_path / "out"
    proc = cli("build", _article(tmp_path), "--output", out, "--voices", fake_voices, "--config", make(tmp_path))
    refused(proc, out, message)


VOICES_FILES: dict[str, tuple[str, Callable[[Path], object], str]] = {
    "lexicon FIFO": ("lexicon.toml", _fifo, "lexicon.toml: is a FIFO, not a lexicon"),
    "lexicon device": ("lexicon.toml", lambda p: p.symlink_to("/dev/zero"), "is a device, not a lexicon"),
    "lexicon over 1 MB": ("lexicon.toml", lambda p: p.write_text("#" * BIG), "a lexicon must be at most 1 MB"),
    "profile FIFO": ("host.toml", _fifo, "host.toml: is a FIFO, not a voice profile"),
    "profile device": ("reporter.toml", lambda p: p.symlink_to("/dev/zero"), "is a device, not a voice profile"),
    "roles device": ("roles.toml", lambda p: p.symlink_to("/dev/zero"), "roles.toml: is a device, not a roles file"),
}


@pytest.mark.parametrize("label", list(VOICES_FILES))
def test_voices_files_must_be_small_regular_files(
    label: str, tmp_path: Path, fake_voices: Path, empty_config: Path
) -> None:
    name, make, message = VOICES_FILES[label]
    target = fake_voices / name
    target.unlink(missing_ok=True)
    make(target)
    out = tmp_path / "out"
    proc = cli("build", _article(tmp_path), "--output", out, "--voices", fake_voices, "--config", empty_config)
    refused(proc, out, message)


# --- item 6: every number in [audio.music] is checked ----------------------------------

BAD_MUSIC = [
    ("bed_lead_ms = -1", "bed_lead_ms = -1 is outside 0..60000"),
    ("bed_tail_ms = 100_000_000", "bed_tail_ms = 100000000 is outside 0..60000"),
    ("music_gain_db = 1000.0", "music_gain_db = 1000.0 is outside -60.0..12.0"),
    ("music_gain_db = nan", "music_gain_db = nan is not a finite number"),
    ("room_tone_db = nan", "room_tone_db = nan is not a finite number"),
    ("room_tone_db = 200.0", "room_tone_db = 200.0 is outside -120.0..-40.0"),
    ("duck_db = inf", "duck_db = inf is not a finite number"),
    ("fade_ms = -5", "fade_ms = -5 is outside 100..3000"),
]


@pytest.mark.parametrize(("line", "message"), BAD_MUSIC)
def test_music_numbers_out_of_range_are_refused(tmp_path: Path, fake_voices: Path, line: str, message: str) -> None:
    cfg = tmp_path / "show.toml"
    cfg.write_text(f'[audio.music]\nintro = ""\n{line}\n', encoding="utf-8")
    out = tmp_path / "out"
    proc = cli("build", _article(tmp_path), "--output", out, "--voices", fake_voices, "--config", cfg)
    refused(proc, out, "[audio.music]", message)


def test_a_music_file_over_ten_minutes_is_refused(tmp_path: Path, fake_voices: Path) -> None:
    long_wav = tmp_path / "album.wav"  # 10 minutes 2 seconds; a low rate keeps the file at 1.2 MB
    write_wav(long_wav, np.zeros(1000 * 602), 1000)
    cfg = tmp_path / "show.toml"
    cfg.write_text('[audio.music]\nintro = "album.wav"\n', encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", _article(tmp_path), "--output", out, "--voices", fake_voices, "--config", cfg, "--quiet")
    refused(proc, out, "album.wav: lasts over 10 minutes")


# --- item 8: a newsroom-sized lexicon --------------------------------------------------


def _lexicon(count: int, duplicate: bool = False) -> str:
    entries = [f'[[entry]]\ntext = "Name{n:05d}"\nsay = "NAYM {n}"\n' for n in range(count - 1)]
    entries.append('[[entry]]\ntext = "Vladivostok"\nsay = "vlad-dih-vuh-STOCK"\n')
    if duplicate:
        entries.append('[[entry]]\ntext = "name00042"\nsay = "again"\ncase_sensitive = false\n')
    return "\n".join(entries)


def test_ten_thousand_entries_load_and_apply(tmp_path: Path, fake_voices: Path, empty_config: Path) -> None:
    (fake_voices / "lexicon.toml").write_text(_lexicon(10_000), encoding="utf-8")
    proc = run_cli("script", SEED, "--spoken", "--voices", fake_voices, "--config", empty_config)
    assert proc.returncode == 0, proc.stderr
    assert "{Vladivostok → vlad-dih-vuh-STOCK}" in proc.stdout


def test_a_duplicate_after_ten_thousand_entries_is_still_caught(
    tmp_path: Path, fake_voices: Path, empty_config: Path
) -> None:
    (fake_voices / "lexicon.toml").write_text(_lexicon(10_000, duplicate=True), encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", _article(tmp_path), "--output", out, "--voices", fake_voices, "--config", empty_config)
    refused(proc, out, "entry 10001: 'name00042' duplicates an earlier entry 'Name00042'")


# --- item 14: the cover is found next to the config file -------------------------------


def test_cover_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    from PIL import Image

    show = tmp_path / "show"
    show.mkdir()
    Image.new("RGB", (1400, 1400), (200, 30, 40)).save(show / "art.png")
    (show / "show.toml").write_text('[show]\ncover = "art.png"\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run_cli("feed", "--output", elsewhere / "out", "--config", show / "show.toml", cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert (elsewhere / "out" / "cover.jpg").read_bytes() == (show / "art.png").read_bytes()
