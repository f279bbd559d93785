"""Atomic publishing into output/: an episode folder appears whole or not at all."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from broadcast.errors import OutputError

STAGING_PREFIX = ".staging-"
_RETIRED_PREFIX = ".retired-"
_SLUG_MAX = 60


def slugify(text: str) -> str:
    """A safe, readable folder name: ASCII letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > _SLUG_MAX:
        slug = slug[:_SLUG_MAX].rsplit("-", 1)[0]
    return slug or "episode"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(root: Path) -> list[Path]:
    """Remove staging folders and temporary files of builds that died (their process is gone)."""
    removed = []
    for entry in root.glob(".*-*"):
        if not (entry.name.startswith((STAGING_PREFIX, _RETIRED_PREFIX)) or ".tmp-" in entry.name):
            continue
        stem, _, pid = entry.name.rpartition("-")
        if pid.isdigit() and not _pid_alive(int(pid)):
            original = root / stem.removeprefix(_RETIRED_PREFIX)
            if entry.name.startswith(_RETIRED_PREFIX) and not original.exists():
                os.rename(entry, original)  # killed between the two renames of _swap_in
            elif entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def prepare_root(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise OutputError(f"{root}: output path exists and is not a directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{root}: cannot create output directory: {exc.strerror}") from exc
    if not os.access(root, os.W_OK | os.X_OK):
        raise OutputError(f"{root}: output directory is not writable")


@contextmanager
def staged_episode(root: Path, name: str) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces root/name atomically."""
    staging = root / f"{STAGING_PREFIX}{name}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
    except OSError as exc:
        raise OutputError(f"{root}: cannot write: {exc.strerror}") from exc
    try:
        try:
            yield staging
        except OSError as exc:  # the disk filled up or the folder went away mid-write
            raise OutputError(f"{root}: cannot write the episode: {exc.strerror or exc}") from exc
        _swap_in(staging, root / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where that is not supported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap_in(staging: Path, target: Path) -> None:
    """Publish staging as target. A reader sees the old folder or the new one, never none:
    the first publication is one rename, a replacement one exchange (the old folder
    ends up in staging, which the caller removes)."""
    try:
        try:
            os.rename(staging, target)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        if _exchange(staging, target):
            return
        # No exchange on this file system: two renames. A build killed between them
        # leaves the old folder under its retired name; clean_leftovers restores it.
        retired = target.parent / f"{_RETIRED_PREFIX}{target.name}-{os.getpid()}"
        os.rename(target, retired)
        os.rename(staging, target)
        shutil.rmtree(retired, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"{target}: cannot publish episode: {exc.strerror}") from exc


@contextmanager
def feed_lock(root: Path) -> Iterator[None]:
    """Serialize feed updates of concurrent builds: read-modify-write under one lock."""
    try:
        fh = open(root / ".feed.lock", "a+b")  # noqa: SIM115 - held for the block
    except OSError as exc:
        raise OutputError(f"{root}: cannot lock the feed: {exc.strerror}") from exc
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file by rename, so readers see the old or the new content, never half."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from exc
