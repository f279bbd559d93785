"""Atomic publishing into output/: an episode folder appears whole or not at all."""

from __future__ import annotations

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
        pid = entry.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            if entry.is_dir():
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
    """Yield an empty staging folder; on success it replaces root/name in one rename."""
    staging = root / f"{STAGING_PREFIX}{name}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
    except OSError as exc:
        raise OutputError(f"{root}: cannot write: {exc.strerror}") from exc
    try:
        yield staging
        _swap_in(staging, root / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, target: Path) -> None:
    retired = target.parent / f"{_RETIRED_PREFIX}{target.name}-{os.getpid()}"
    try:
        if target.exists():
            os.rename(target, retired)
        os.rename(staging, target)
    except OSError as exc:
        if retired.exists() and not target.exists():
            os.rename(retired, target)
        raise OutputError(f"{target}: cannot publish episode: {exc.strerror}") from exc
    shutil.rmtree(retired, ignore_errors=True)


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
