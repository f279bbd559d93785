"""Reading a settings file (show.toml, a voice profile, roles.toml, a lexicon) that a user names.

A settings file is a small regular file. `--config /dev/zero` would otherwise be read
until memory runs out, and a FIFO would block the command forever.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from broadcast.errors import ConfigError, os_error_message

MAX_BYTES = 1024 * 1024  # the shipped lexicon is about 5 KB; 1 MB leaves room for a newsroom's


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check(path: Path, info: os.stat_result, what: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{path}: is a directory, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path}: is {_kind(info.st_mode)}, not a {what} (only regular files are read)")
    if info.st_size > MAX_BYTES:
        raise ConfigError(f"{path}: is {info.st_size:,} bytes; a {what} must be at most 1 MB")


def _os_error(path: Path, exc: OSError) -> ConfigError:
    return ConfigError(os_error_message(path, exc))


def read_config_file(path: Path, what: str) -> bytes:
    """The bytes of `path`, a settings file called `what` in messages; ConfigError unless it is
    a regular file of at most MAX_BYTES."""
    path = Path(path)
    try:
        _check(path, path.stat(), what)
        # Non-blocking, so a file swapped for a FIFO after the stat cannot hang the open.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            _check(path, os.fstat(fd), what)
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _os_error(path, exc) from exc
    if len(data) > MAX_BYTES:  # it grew after the check
        raise ConfigError(f"{path}: is over 1 MB; a {what} must be at most 1 MB")
    return data
