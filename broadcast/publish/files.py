"""Atomic publishing into output/: an episode folder appears whole or not at all."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
import stat
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from broadcast import stopping
from broadcast.errors import OutputError

# Every temporary name this tool makes in the output directory starts with PREFIX and is a folder
# holding MARKER: cleanup touches nothing else, so other programs' files there are safe.
PREFIX = ".broadcast-"
MARKER = "BROADCAST-TEMPORARY"
_PAYLOAD = "content"  # the episode folder or file inside a temporary folder
_LEFTOVER = re.compile(re.escape(PREFIX) + r"(staging|retired|removed|tmp)-([^/]+)-([0-9]+)")
_SLUG_MAX = 60
LOCK_NAME = ".feed.lock"


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


def _host() -> str:
    return os.uname().nodename


_MARKER_HOST = re.compile(r"\(process [0-9]+ on host (\S+)\)")


def _marker_host(folder: Path) -> str:
    """The host whose process made a marked folder ("" for a marker without one: this host's)."""
    if not _is_marked(folder):
        return ""
    try:  # a regular file, opened without following a link planted since
        fd = os.open(folder / MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            text = os.read(fd, 500).decode("utf-8", errors="replace")
        finally:
            os.close(fd)
    except OSError:
        return ""
    match = _MARKER_HOST.search(text)
    return match.group(1) if match else ""


def _temporary_dir(root: Path, kind: str, name: str) -> Path:
    """A new marked folder for this process: .broadcast-<kind>-<name>-<pid>."""
    folder = root / f"{PREFIX}{kind}-{name}-{os.getpid()}"
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    else:
        shutil.rmtree(folder, ignore_errors=True)  # our own pid: a leftover of this very process
    folder.mkdir()
    (folder / MARKER).write_text(
        f"Made by broadcast (process {os.getpid()} on host {_host()}); the next build on that host "
        "removes it once that process is gone.\n",
        encoding="utf-8",
    )
    return folder


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_marked(folder: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(folder / MARKER).st_mode)
    except OSError:
        return False


def clean_leftovers(root: Path) -> list[Path]:
    """Remove the temporary folders of builds that died (their process is gone): only names with
    this tool's prefix and its marker inside, never through a symbolic link. A folder whose marker
    names another host (shared storage, a cluster's workers) is that host's to judge: its pid
    means nothing here."""
    removed = []
    # Sorted: a "removed" folder is seen before the "tmp" folders of its process, which tell whether
    # its `broadcast remove` had committed the feed.
    for entry in sorted(root.iterdir()):
        match = _LEFTOVER.fullmatch(entry.name)
        if not match or not _is_real_dir(entry):
            continue
        kind, name, pid = match.groups()
        if _marker_host(entry) not in ("", _host()) or _pid_alive(int(pid)):
            continue
        if not _is_marked(entry):
            # Killed between mkdir and writing the marker: an empty folder holds nobody's data
            # (rmdir removes nothing else, and no symlink).
            try:
                entry.rmdir()
                removed.append(entry)
            except OSError:
                pass
            continue
        original = root / name
        payload = entry / _PAYLOAD
        # Killed between the two renames of _swap_in, or by `broadcast remove` before its new feed
        # (still a tmp file of that process) was put in place: the folder goes back.
        restore = kind == "retired" or (kind == "removed" and _uncommitted(root, pid))
        if restore and not name.startswith(".") and _is_real_dir(payload) and not os.path.lexists(original):
            os.rename(payload, original)
        shutil.rmtree(entry, ignore_errors=True)  # the fd-based rmtree does not follow symlinks inside
        removed.append(entry)
    return removed


def _uncommitted(root: Path, pid: str) -> bool:
    """Whether process pid left a file written but not yet put in place."""
    return any(os.path.lexists(tmp / _PAYLOAD) for tmp in root.glob(f"{PREFIX}tmp-*-{pid}") if _is_marked(tmp))


def prepare_root(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise OutputError(f"{root}: output path exists and is not a directory")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{root}: cannot create output directory: {exc.strerror}") from exc
    if not os.access(root, os.W_OK | os.X_OK):
        raise OutputError(f"{root}: output directory is not writable")
    lock = root / LOCK_NAME
    if os.path.lexists(lock) and not stat.S_ISREG(os.lstat(lock).st_mode):
        # Found before the build speaks a word; feed_lock still opens it without following links.
        kind = "a symbolic link" if lock.is_symlink() else "not a regular file"
        raise OutputError(f"{lock}: is {kind}; the feed lock must be a regular file (remove it)")


@dataclass(frozen=True)
class Stage:
    """An episode being written: its files go to `path`; publish() swaps them in as root/name."""

    root: Path
    name: str
    folder: Path  # the marked temporary folder that holds `path`

    @property
    def path(self) -> Path:
        return self.folder / _PAYLOAD

    def publish(self) -> None:
        stopping.check()
        _swap_in(self.path, self.root / self.name)


@contextmanager
def episode_stage(root: Path, name: str) -> Iterator[Stage]:
    """A stage for root/name, removed on exit whether or not it was published
    (after a swap it holds the replaced folder)."""
    folder = root / f"{PREFIX}staging-{name}-{os.getpid()}"
    try:
        try:
            folder = _temporary_dir(root, "staging", name)
            (folder / _PAYLOAD).mkdir()
        except OSError as exc:
            raise OutputError(f"{root}: cannot write: {exc.strerror}") from exc
        try:
            yield Stage(root, name, folder)
        except OSError as exc:  # the disk filled up or the folder went away mid-write
            raise OutputError(f"{root}: cannot write the episode: {exc.strerror or exc}") from exc
    finally:
        _remove_temporary(folder)


def _remove_temporary(folder: Path) -> None:
    """Remove this process's temporary folder: a marked one with its content; an unmarked one only
    when empty, which is ours when a signal landed between making the folder and marking it."""
    if not _is_real_dir(folder):
        return
    if _is_marked(folder):
        shutil.rmtree(folder, ignore_errors=True)
    else:
        try:
            os.rmdir(folder)  # fails, and touches nothing, unless the folder is empty
        except OSError:
            pass


@contextmanager
def staged_episode(root: Path, name: str) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces root/name atomically."""
    with episode_stage(root, name) as stage:
        yield stage.path
        stage.publish()


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


def _swap_in(new: Path, target: Path) -> None:
    """Publish new as target. A reader sees the old folder or the new one, never none:
    the first publication is one rename, a replacement one exchange (the old folder
    ends up inside the stage, which the caller removes)."""
    try:
        try:
            os.rename(new, target)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        if _exchange(new, target):
            return
        # No exchange on this file system: two renames. A build killed between them
        # leaves the old folder in a marked retired folder; clean_leftovers restores it.
        retired = _temporary_dir(target.parent, "retired", target.name)
        os.rename(target, retired / _PAYLOAD)
        os.rename(new, target)
        shutil.rmtree(retired, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"{target}: cannot publish episode: {exc.strerror}") from exc


@contextmanager
def set_aside(root: Path, name: str) -> Iterator[None]:
    """Move root/name into a marked folder for the block: deleted if the block succeeds, put back
    if it fails (a killed process's folder is put back or deleted by clean_leftovers)."""
    target = root / name
    folder = root / f"{PREFIX}removed-{name}-{os.getpid()}"
    try:
        folder = _temporary_dir(root, "removed", name)
        os.rename(target, folder / _PAYLOAD)
    except OSError as exc:
        if _is_real_dir(folder) and _is_marked(folder) and not os.path.lexists(folder / _PAYLOAD):
            shutil.rmtree(folder, ignore_errors=True)
        raise OutputError(f"{target}: cannot remove: {exc.strerror or exc}") from exc
    try:
        yield
    except BaseException:
        os.rename(folder / _PAYLOAD, target)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def feed_lock(root: Path) -> Iterator[None]:
    """Serialize feed updates of concurrent builds: read-modify-write under one lock.
    The lock is opened without following a symbolic link, so a planted link cannot make
    this tool create or touch a file outside the output directory."""
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"{path}: is a symbolic link; the feed lock must be a regular file (remove it)") from exc
        raise OutputError(f"{root}: cannot lock the feed: {exc.strerror}") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputError(f"{path}: is not a regular file; the feed lock must be a regular file (remove it)")
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def pending_file(path: Path, data: bytes) -> Iterator[Callable[[], None]]:
    """Write data beside path now; the function it yields puts it in place with one rename,
    so readers see the old or the new content, never half. Uncommitted, nothing changes."""
    folder = path.parent / f"{PREFIX}tmp-{path.name}-{os.getpid()}"
    try:
        folder = _temporary_dir(path.parent, "tmp", path.name)
        tmp = folder / _PAYLOAD
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        yield lambda: os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror}") from exc
    finally:
        _remove_temporary(folder)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file by rename, so readers see the old or the new content, never half."""
    with pending_file(path, data) as commit:
        commit()
