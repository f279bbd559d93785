"""Show settings and voice profiles from TOML files, over the built-in defaults.

Every key is checked: a typo in a config file is an error, not a silent default.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from broadcast.audio.targets import CBR_BITRATES_KBPS, target_lufs
from broadcast.config_file import read_config_file
from broadcast.errors import ConfigError
from broadcast.model import Casting, MusicPlan, Pauses, VoiceProfile
from broadcast.speech.engines import engine_names
from broadcast.speech.lexicon import Lexicon, load_lexicon

REQUIRED_ROLES = ("host", "reporter")
# A transcript's guests, dealt out in this order; each is loaded when its profile exists.
GUEST_ROLES = ("guest1", "guest2")
ROLES = REQUIRED_ROLES + GUEST_ROLES
ID3_VERSIONS = (3, 4)
LEXICON_FILE = "lexicon.toml"
# What ships inside the package, so a wheel installed anywhere has voices, a lexicon and a sting.
SHIPPED_VOICES = "voices"  # the repository's top-level voices/ (broadcast/voices links to it)
BUILTIN = "builtin:"  # show.toml names a shipped file as "builtin:NAME", valid from any folder
BUILTIN_MUSIC = {"sting": "audio/sting.wav"}  # NAME -> file inside the package


@dataclass(frozen=True)
class AudioSettings:
    bitrate_kbps: int = 96
    channels: int = 1
    sample_rate: int = 44100
    id3_version: int = 3
    loudness: str = "podcast"  # a preset (podcast, broadcast) or a LUFS number such as "-18"
    true_peak: float = -1.0  # ceiling in dBTP, measured on the decoded MP3
    pauses: Pauses = field(default_factory=Pauses)
    music: MusicPlan = field(default_factory=MusicPlan)


@dataclass(frozen=True)
class ShowSettings:
    """The podcast as a whole: what the feed's channel and the ID3 album say."""

    name: str = "Newsroom Audio Edition"
    description: str = "News stories from the web, read aloud. Built offline with broadcast."
    author: str = "broadcast"
    owner_name: str = "broadcast"
    owner_email: str = "podcast@example.org"
    language: str = "en-us"
    category: str = "News"
    subcategory: str = "Daily News"
    explicit: bool = False
    base_url: str = "https://example.org/podcast/"  # where output/ is published
    link: str = ""  # the show's website; the base URL when empty
    cover: str = ""  # image file; a cover is generated when empty
    locked: bool = True  # podcast:locked: other hosts may not import the feed


@dataclass(frozen=True)
class Settings:
    show: ShowSettings
    audio: AudioSettings
    voices: tuple[tuple[str, VoiceProfile], ...]  # role -> profile, in ROLES order
    lexicon: Lexicon = field(default_factory=Lexicon)  # voices/lexicon.toml
    casting: Casting = Casting()  # a transcript's speakers: [speakers] in roles.toml, the guest roles

    def profile(self, role: str) -> VoiceProfile:
        for name, prof in self.voices:
            if name == role:
                return prof
        raise ConfigError(f"no voice profile for role {role!r}")

    @property
    def rates(self) -> dict[str, int]:
        return {role: prof.rate for role, prof in self.voices}


def read_toml(path: Path, what: str) -> dict[str, Any]:
    raw = read_config_file(path, what)
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from exc


# Field annotations are strings under postponed evaluation.
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
}


def _fill(cls: type, table: Any, where: str) -> Any:
    """Build dataclass `cls` from a TOML table, checking names and types."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    known = {f.name: f for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(known)})")
        want = known[key].type
        ok_types = _PY_TYPES.get(str(want), ())
        if ok_types and (not isinstance(value, ok_types) or (isinstance(value, bool) and bool not in ok_types)):
            raise ConfigError(f"{where}: {key} must be {want}, not {value!r}")
        values[key] = value
    return values


def _check_range(where: str, key: str, value: float, low: float, high: float) -> None:
    if not math.isfinite(value):
        raise ConfigError(f"{where}: {key} = {value} is not a finite number (use {low}..{high})")
    if not low <= value <= high:
        raise ConfigError(f"{where}: {key} = {value} is outside {low}..{high}")


def load_profile(path: Path) -> VoiceProfile:
    where = str(path)
    values = _fill(VoiceProfile, read_toml(path, "voice profile"), where)
    values.setdefault("name", path.stem)
    for key in ("engine", "voice", "rate", "volume"):
        if key not in values:
            raise ConfigError(f"{where}: missing key {key!r}")
    if values["engine"] not in engine_names():
        raise ConfigError(f"{where}: unknown engine {values['engine']!r} (known: {', '.join(engine_names())})")
    _check_range(where, "rate", values["rate"], 60, 500)
    _check_range(where, "volume", values["volume"], 0.0, 1.0)
    return VoiceProfile(**values)


def shipped(name: str) -> Path:
    """A file or folder inside the installed package (a wheel's copy or the checkout's)."""
    # Installed packages are plain folders, and engine workers and ffmpeg need real paths.
    return Path(str(resources.files("broadcast").joinpath(name)))


def find_voices_dir(explicit: Path | None) -> Path:
    candidates = [explicit] if explicit else [Path.cwd() / "voices", shipped(SHIPPED_VOICES)]
    for cand in candidates:
        if cand.is_dir():
            return cand
    raise ConfigError(f"{candidates[0]}: voices directory not found (pass --voices DIR)")


def _roles_file(voices_dir: Path) -> tuple[Path, dict[str, Any]]:
    path = voices_dir / "roles.toml"
    data = read_toml(path, "roles file") if path.exists() else {}
    for key, table in data.items():
        if key not in ("roles", "speakers"):
            raise ConfigError(f"{path}: unknown section [{key}] (known: [roles], [speakers])")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{key}] must be a table")
    return path, data


def load_voices(voices_dir: Path) -> tuple[tuple[str, VoiceProfile], ...]:
    """Role -> profile. voices/roles.toml maps each role to a profile file name.
    Host and reporter are required; a guest role is loaded when its profile exists."""
    roles_file, data = _roles_file(voices_dir)
    mapping = {role: role for role in ROLES}
    named = data.get("roles", {})
    for role, prof in named.items():
        if role not in ROLES:
            raise ConfigError(f"{roles_file}: unknown role {role!r} (roles: {', '.join(ROLES)})")
        if not isinstance(prof, str) or not prof or "/" in prof or prof.startswith("."):
            raise ConfigError(f"{roles_file}: role {role!r} must name a profile file")
        mapping[role] = prof
    out = []
    for role in ROLES:
        path = voices_dir / f"{mapping[role]}.toml"
        if not path.exists():
            if role in GUEST_ROLES and role not in named:
                continue
            raise ConfigError(f"{path}: no voice profile {mapping[role]!r} for role {role!r}")
        out.append((role, load_profile(path)))
    return tuple(out)


def load_casting(voices_dir: Path, voices: tuple[tuple[str, VoiceProfile], ...]) -> Casting:
    """[speakers] in roles.toml: "JOANNE SILBERNER" = "guest2" gives a speaker a role's voice."""
    roles_file, data = _roles_file(voices_dir)
    loaded = [role for role, _ in voices]
    speakers = []
    for name, role in data.get("speakers", {}).items():
        if role not in loaded:
            raise ConfigError(
                f"{roles_file}: [speakers] {name!r} = {role!r}: not a role with a profile (roles: {', '.join(loaded)})"
            )
        speakers.append((" ".join(name.split()), role))
    return Casting(speakers=tuple(speakers), guests=tuple(r for r in loaded if r in GUEST_ROLES))


def load_settings(config: Path | None, voices_dir: Path | None) -> Settings:
    """Settings from `config` (default ./show.toml when present) and the voices directory."""
    show, audio = ShowSettings(), AudioSettings()
    path = config if config else (Path.cwd() / "show.toml")
    if config or path.exists():
        data = read_toml(path, "config file")
        for key in data:
            if key not in ("show", "audio"):
                raise ConfigError(f"{path}: unknown section [{key}] (known: [show], [audio])")
        show = ShowSettings(**_fill(ShowSettings, data.get("show", {}), f"{path} [show]"))
        if show.cover:  # like the music files, relative to the config file's folder
            show = replace(show, cover=str((path.parent / show.cover).resolve()))
        audio_table = dict(data.get("audio", {}))
        pauses = Pauses(**_fill(Pauses, audio_table.pop("pauses", {}), f"{path} [audio.pauses]"))
        music = _music(audio_table.pop("music", {}), path)
        if isinstance(audio_table.get("loudness"), (int, float)) and not isinstance(audio_table["loudness"], bool):
            audio_table["loudness"] = str(audio_table["loudness"])
        audio = AudioSettings(**_fill(AudioSettings, audio_table, f"{path} [audio]"))
        audio = replace(audio, pauses=pauses, music=music)
        validate_audio(audio, str(path))
    vdir = find_voices_dir(voices_dir)
    lexicon_file = vdir / LEXICON_FILE
    lexicon = load_lexicon(lexicon_file) if lexicon_file.exists() else Lexicon()
    voices = load_voices(vdir)
    return Settings(show=show, audio=audio, voices=voices, lexicon=lexicon, casting=load_casting(vdir, voices))


_MUSIC_FILES = ("intro", "outro", "bed")
# Every number in [audio.music]. Beyond these a value is a typo that would ask for gigabytes
# of samples or bury the speech: room tone above -40 dBFS is within 20 dB of the speech itself.
MUSIC_RANGES: dict[str, tuple[float, float]] = {
    "bed_lead_ms": (0, 60_000),
    "bed_tail_ms": (0, 60_000),
    "duck_db": (12.0, 40.0),
    "fade_ms": (100, 3000),
    "music_gain_db": (-60.0, 12.0),
    "room_tone_db": (-120.0, -40.0),
}


def _music(table: Any, config_path: Path) -> MusicPlan:
    """[audio.music]: file names are relative to the config file's folder, or "builtin:NAME"."""
    where = f"{config_path} [audio.music]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table")
    files = {k: table[k] for k in _MUSIC_FILES if k in table}
    values = _fill(MusicPlan, {k: v for k, v in table.items() if k not in _MUSIC_FILES}, where)
    for key, name in files.items():
        if not isinstance(name, str):
            raise ConfigError(f"{where}: {key} must be a file name")
        if name.startswith(BUILTIN):
            builtin = name.removeprefix(BUILTIN)
            if builtin not in BUILTIN_MUSIC:
                raise ConfigError(f"{where}: {key} = {name!r}: no such built-in (known: {', '.join(BUILTIN_MUSIC)})")
            values[key] = shipped(BUILTIN_MUSIC[builtin])
        elif name:
            file = (config_path.parent / name).resolve()
            if not file.is_file():
                raise ConfigError(f"{where}: {key} = {name!r}: no such file ({file})")
            values[key] = file
    plan = MusicPlan(**values)
    for key, (low, high) in MUSIC_RANGES.items():
        _check_range(where, key, getattr(plan, key), low, high)
    return plan


def validate_audio(audio: AudioSettings, where: str) -> None:
    if audio.bitrate_kbps not in CBR_BITRATES_KBPS:
        raise ConfigError(f"{where}: bitrate_kbps must be one of {CBR_BITRATES_KBPS}")
    if audio.channels not in (1, 2):
        raise ConfigError(f"{where}: channels must be 1 or 2")
    if audio.sample_rate not in (44100, 48000):
        raise ConfigError(f"{where}: sample_rate must be 44100 or 48000")
    if audio.id3_version not in ID3_VERSIONS:
        raise ConfigError(f"{where}: id3_version must be 3 or 4")
    try:
        target_lufs(audio.loudness, audio.channels)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    _check_range(where, "true_peak", audio.true_peak, -9.0, 0.0)
    for f in fields(audio.pauses):
        _check_range(where, f"pauses.{f.name}", getattr(audio.pauses, f.name), 0, 10_000)
