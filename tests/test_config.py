from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from broadcast.config import load_settings, load_voices
from broadcast.errors import ConfigError


def test_shipped_voices_give_every_role_a_distinct_voice() -> None:
    voices = dict(load_voices(ROOT / "voices"))
    assert set(voices) == {"host", "reporter", "guest1", "guest2"}
    assert {p.engine for p in voices.values()} == {"pyttsx3"}
    assert len({p.voice for p in voices.values()}) == 4


def _profiles(folder: Path, *names: str) -> None:
    for name in names:
        (folder / f"{name}.toml").write_text('engine = "pyttsx3"\nvoice = "gmw/en-us"\nrate = 170\nvolume = 1.0\n')


def test_a_voices_folder_without_guest_profiles_still_loads(tmp_path: Path) -> None:
    _profiles(tmp_path, "host", "reporter")
    settings = load_settings(None, tmp_path)
    assert [role for role, _ in settings.voices] == ["host", "reporter"]
    assert settings.casting.guests == ()


def test_speakers_table_names_a_speakers_voice(tmp_path: Path) -> None:
    _profiles(tmp_path, "host", "reporter", "guest1", "guest2")
    (tmp_path / "roles.toml").write_text('[speakers]\n"JOANNE SILBERNER" = "guest2"\n')
    casting = load_settings(None, tmp_path).casting
    assert casting.speakers == (("JOANNE SILBERNER", "guest2"),)
    assert casting.guests == ("guest1", "guest2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[speakers]\n"JO" = "guest2"\n', "'JO' = 'guest2': not a role with a profile"),
        ('[speakers]\n"JO" = "narrator"\n', "not a role with a profile"),
        ('[cast]\nx = "host"\n', "unknown section [cast]"),
        ('[roles]\nguest2 = "missing"\n', "no voice profile 'missing' for role 'guest2'"),
    ],
)
def test_bad_casting_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    _profiles(tmp_path, "host", "reporter", "guest1")
    (tmp_path / "roles.toml").write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(None, tmp_path)
    assert message in str(err.value)


def test_roles_can_be_remapped_without_code(tmp_path: Path) -> None:
    for name in ("host", "reporter", "anchor"):
        (tmp_path / f"{name}.toml").write_text(
            f'engine = "pyttsx3"\nvoice = "gmw/en-us"\nrate = {150 + len(name)}\nvolume = 1.0\n'
        )
    (tmp_path / "roles.toml").write_text('[roles]\nhost = "anchor"\n')
    voices = dict(load_voices(tmp_path))
    assert voices["host"].name == "anchor"
    assert voices["host"].rate == 156
    assert voices["reporter"].name == "reporter"


def test_show_and_audio_settings_override_defaults(tmp_path: Path) -> None:
    cfg = tmp_path / "show.toml"
    cfg.write_text(
        '[show]\nname = "Morning Desk"\n[audio]\nbitrate_kbps = 128\nid3_version = 4\n[audio.pauses]\nparagraph = 400\n'
    )
    s = load_settings(cfg, ROOT / "voices")
    assert s.show.name == "Morning Desk"
    assert (s.audio.bitrate_kbps, s.audio.id3_version, s.audio.pauses.paragraph) == (128, 4, 400)
    assert s.audio.pauses.part == 1100  # untouched default


BAD_PROFILES = [
    ('engine = "pyttsx3"\nvoice = "x"\nrate = 170\n', "missing key 'volume'"),
    ('engine = "nope"\nvoice = "x"\nrate = 170\nvolume = 1.0\n', "unknown engine 'nope'"),
    ('engine = "pyttsx3"\nvoice = "x"\nrate = 5\nvolume = 1.0\n', "rate = 5 is outside"),
    ('engine = "pyttsx3"\nvoice = "x"\nrate = "fast"\nvolume = 1.0\n', "rate must be int"),
    ('engine = "pyttsx3"\nvoice = "x"\nrate = 170\nvolume = 1.0\npitch = 3\n', "unknown key 'pitch'"),
    ('engine = "pyttsx3"\nvoice = \n', "malformed TOML"),
]


@pytest.mark.parametrize(("text", "message"), BAD_PROFILES)
def test_bad_profiles_are_config_errors_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "host.toml").write_text(text)
    (tmp_path / "reporter.toml").write_text('engine = "fake"\nvoice = "t"\nrate = 170\nvolume = 1.0\n')
    with pytest.raises(ConfigError) as err:
        load_voices(tmp_path)
    assert str(tmp_path / "host.toml") in str(err.value)
    assert message in str(err.value)


def test_role_without_profile(tmp_path: Path) -> None:
    (tmp_path / "host.toml").write_text('engine = "fake"\nvoice = "t"\nrate = 170\nvolume = 1.0\n')
    with pytest.raises(ConfigError, match="no voice profile 'reporter' for role 'reporter'"):
        load_voices(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[shoe]\n", "unknown section [shoe]"),
        ("[audio]\nbitrate_kbps = 100\n", "bitrate_kbps must be one of"),
        ("[audio]\nchannels = 3\n", "channels must be 1 or 2"),
        ("[show]\nexplicit = 1\n", "explicit must be bool"),
    ],
)
def test_bad_show_config(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "show.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_settings(cfg, ROOT / "voices")
