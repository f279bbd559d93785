"""The package as a user installs it: a wheel in a fresh environment, used from any folder.

The wheel and the command come from this checkout; the dependencies are borrowed from the
test environment through a .pth file, so the test needs no download of numpy, scipy and
the rest. The package itself is only ever imported from the wheel (checked).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import EPISODE_FILES, ROOT, SEED
from mutagen.mp3 import MP3

from broadcast.config import BUILTIN_MUSIC, find_voices_dir, load_settings, shipped
from broadcast.errors import ConfigError

SHIPPED_VOICE_FILES = (
    "host.toml",
    "reporter.toml",
    "reporter-piper.toml",
    "guest1.toml",
    "guest2.toml",
    "roles.toml",
    "lexicon.toml",
)
# What a source tree holds that is not source: never copied into the build.
_NOT_SOURCE = (".git", ".venv", "build", "dist", "output", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis")


def run(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=timeout)
    assert proc.returncode == 0, f"{args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_shipped_voices_are_found_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no voices/ and no show.toml here
    vdir = find_voices_dir(None)
    assert vdir == shipped("voices")
    assert sorted(p.name for p in vdir.glob("*.toml")) == sorted(SHIPPED_VOICE_FILES)
    settings = load_settings(None, None)
    assert settings.profile("host").voice != settings.profile("reporter").voice
    assert "Kelemen" in {entry.text for entry in settings.lexicon.entries}
    assert settings.audio.music.intro is None  # the built-in defaults have no sting


def test_builtin_sting_is_found_from_a_config_in_any_folder(tmp_path: Path) -> None:
    cfg = tmp_path / "elsewhere" / "show.toml"
    cfg.parent.mkdir()
    shutil.copy(ROOT / "show.toml", cfg)  # the shipped show.toml, away from the checkout
    intro = load_settings(cfg, None).audio.music.intro
    assert intro == shipped(BUILTIN_MUSIC["sting"])
    assert intro.read_bytes()[:4] == b"RIFF"


def test_unknown_builtin_names_the_known_ones(tmp_path: Path) -> None:
    cfg = tmp_path / "show.toml"
    cfg.write_text('[audio.music]\noutro = "builtin:fanfare"\n')
    with pytest.raises(ConfigError, match=r"outro = 'builtin:fanfare': no such built-in \(known: sting\)"):
        load_settings(cfg, None)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of this checkout (a build in place would leave build/ behind)."""
    src = tmp_path_factory.mktemp("src") / "tree"
    shutil.copytree(ROOT, src, symlinks=True, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", dist, src, cwd=dist)
    (built,) = dist.glob("*.whl")
    return built


def test_wheel_holds_the_package_and_its_defaults_and_no_tests(wheel: Path) -> None:
    assert wheel.name.startswith("newsroom_broadcast-")
    names = set(zipfile.ZipFile(wheel).namelist())
    for voice_file in SHIPPED_VOICE_FILES:
        assert f"broadcast/voices/{voice_file}" in names
    assert "broadcast/audio/sting.wav" in names
    assert "broadcast/vocabulary.toml" in names
    assert "broadcast/publish/review_page.html" in names
    assert not [n for n in names if n.startswith(("tests/", "seeds/", "benchmarks/", "voices/"))]
    packages = {p.parent.relative_to(ROOT).as_posix() for p in (ROOT / "broadcast").rglob("__init__.py")}
    assert {f"{pkg}/__init__.py" for pkg in packages} <= names  # every stage package
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    assert "Name: newsroom-broadcast" in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_wheel_in_a_fresh_environment_builds_the_seed_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    env = tmp_path / "env"
    run(sys.executable, "-m", "venv", "--without-pip", env, cwd=tmp_path)
    python = env / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--quiet", wheel, cwd=tmp_path)
    # Dependencies from the test environment; appended to sys.path after the fresh site-packages,
    # and its .pth files (the editable install of this checkout) are not run from there.
    site = Path(
        run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).stdout.strip()
    )
    borrowed = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "borrowed-dependencies.pth").write_text("".join(f"{p}\n" for p in borrowed))

    work = tmp_path / "work"  # no voices/, no show.toml
    work.mkdir()
    where = run(python, "-c", "import broadcast; print(broadcast.__file__)", cwd=work).stdout.strip()
    assert Path(where).is_relative_to(site), where

    # The shipped show.toml, copied away from the checkout: its builtin:sting is the wheel's.
    cfg = tmp_path / "cfg" / "show.toml"
    cfg.parent.mkdir()
    shutil.copy(ROOT / "show.toml", cfg)
    show_intro = (
        "import sys, pathlib, broadcast.config as c\n"
        "print(c.load_settings(pathlib.Path(sys.argv[1]), None).audio.music.intro)"
    )
    sting = Path(run(python, "-c", show_intro, cfg, cwd=work).stdout.strip())
    assert sting.is_relative_to(site) and sting.is_file()

    out = tmp_path / "out"
    run(env / "bin" / "broadcast", "build", SEED, "--output", out, "--quiet", cwd=work)
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    assert {p.name for p in folder.iterdir()} == EPISODE_FILES
    record = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    assert record["voices"]["reporter"]["name"] == "reporter"  # the shipped profiles
    assert MP3(folder / "episode.mp3").info.length > 60
    assert sorted(p.name for p in work.iterdir()) == []  # nothing written where it ran
