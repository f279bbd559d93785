"""The clip cache: sentence clips kept between builds, keyed by everything that decides their sound.

A key is the sha256 of the spoken text, the voice profile (all but its name: a
renamed profile sounds the same), the engine's name and its cache identity (its
library and model versions), and the clip format. An entry is one file,
`<key>.clip`: a magic line, the sha256 of the WAV bytes, then the WAV. It is
written to a temporary file in the same folder and renamed into place, so a
reader sees a whole entry or none, and concurrent builds may share the cache. An
entry whose checksum or WAV does not hold up (a truncated or overwritten file)
is removed and treated as missing. Nothing in the folder is followed if it is a
symbolic link: entries are opened with O_NOFOLLOW, and the scan for the size
limit looks at regular files only. Least-recently-used entries (by mtime, which
a hit refreshes) go first when the folder is over its size limit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import secrets
import stat
import time
import wave
from io import BytesIO
from pathlib import Path

from broadcast.errors import ConfigError
from broadcast.model import VoiceProfile

# Part of every key: bump when the clips an engine is asked for change shape
# (sample rate, channels) or the entry layout changes, so old entries miss.
CLIP_FORMAT = "engine-native-wav/1"
MAGIC = b"broadcast-clip 1\n"
SUFFIX = ".clip"
_TEMP_PREFIX = ".tmp-"
_STALE_TEMP_S = 3600.0  # a temporary file this old belongs to a build that died
DEFAULT_MAX_MB = 500
MAX_MB_VARIABLE = "BROADCAST_CACHE_MAX_MB"


def default_cache_dir(environ: dict[str, str] | os._Environ[str] = os.environ) -> Path:
    """$XDG_CACHE_HOME/broadcast/clips, else ~/.cache/broadcast/clips (a relative XDG path is ignored, per the spec)."""
    base = environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "broadcast" / "clips"


def max_bytes_from_env(environ: dict[str, str] | os._Environ[str] = os.environ) -> int:
    """The size limit: BROADCAST_CACHE_MAX_MB megabytes (decimals allowed; 0 keeps nothing), else 500."""
    raw = environ.get(MAX_MB_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_MAX_MB * 1_000_000
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not 0 <= megabytes < 1e9:  # also refuses nan and inf
        raise ConfigError(f"{MAX_MB_VARIABLE}={raw!r}: not a number of megabytes (such as 500 or 0.5)")
    return int(megabytes * 1_000_000)


def clip_key(text: str, profile: VoiceProfile, engine_identity: str) -> str:
    fields = dataclasses.asdict(profile)
    fields.pop("name")
    data = {"format": CLIP_FORMAT, "text": text, "profile": fields, "engine": engine_identity}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _wav_is_whole(data: bytes) -> bool:
    try:
        with wave.open(BytesIO(data), "rb") as w:
            frames = w.getnframes()
            return frames > 0 and len(data) >= frames * w.getsampwidth() * w.getnchannels()
    except (EOFError, wave.Error):
        return False


class ClipCache:
    """One cache folder; open_clip_cache makes one."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.store_failure = ""  # why storing stopped (a full disk), for one warning

    def _path(self, key: str) -> Path:
        return self.root / f"{key}{SUFFIX}"

    def fetch(self, key: str, dest: Path) -> bool:
        """Write the cached clip for `key` to `dest`; False when there is none usable."""
        path = self._path(key)
        try:
            # No blocking open of a FIFO planted under an entry's name: regular files only.
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return False
        except OSError:  # a planted symbolic link (ELOOP) or an unreadable entry
            self._discard(path)
            return False
        try:
            with os.fdopen(fd, "rb") as fh:
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    self._discard(path)
                    return False
                data = fh.read()
                try:
                    os.utime(fh.fileno())  # the recency the size limit goes by
                except OSError:  # another user's entry in a shared cache: still a good clip
                    pass
        except OSError:
            return False
        digest = data[len(MAGIC) : len(MAGIC) + 32]
        wav = data[len(MAGIC) + 32 :]
        if not data.startswith(MAGIC) or hashlib.sha256(wav).digest() != digest or not _wav_is_whole(wav):
            self._discard(path)
            return False
        dest.write_bytes(wav)
        return True

    def store(self, key: str, clip: Path) -> None:
        """Keep `clip` (already checked) under `key`; a failure to write only stops the storing."""
        if self.store_failure:
            return
        wav = clip.read_bytes()
        temp = self.root / f"{_TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(6)}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + hashlib.sha256(wav).digest() + wav)
            os.replace(temp, self._path(key))  # replaces a planted link itself, never its target
        except OSError as exc:
            temp.unlink(missing_ok=True)
            self.store_failure = exc.strerror or str(exc)

    def _discard(self, path: Path) -> None:
        try:
            path.unlink()  # a symbolic link is removed, not what it points to
        except OSError:
            pass  # gone already (another build), or a directory someone made: it only misses

    def trim(self) -> int:
        """Remove least-recently-used entries until the folder is within its limit; returns how many."""
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        try:
            scan = list(os.scandir(self.root))
        except OSError:
            return 0
        for entry in scan:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if entry.name.startswith(_TEMP_PREFIX):
                if now - st.st_mtime > _STALE_TEMP_S:
                    self._discard(Path(entry.path))
            elif entry.name.endswith(SUFFIX):
                entries.append((st.st_mtime, st.st_size, entry.path))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            self._discard(Path(path))
            total -= size
            removed += 1
        return removed


def open_clip_cache(root: Path, max_bytes: int) -> ClipCache:
    """The cache at `root`, created if needed; OSError when it cannot be written there."""
    root.mkdir(parents=True, exist_ok=True)
    probe = root / f"{_TEMP_PREFIX}{os.getpid()}-probe-{secrets.token_hex(4)}"
    os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644))
    probe.unlink()
    return ClipCache(root, max_bytes)
