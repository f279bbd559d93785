"""Stopping cleanly on a signal (SIGTERM, Ctrl-C): the stop remembered for the steps that cannot
be undone, and temporary folders removed even when the signal lands while they are removed.

The signal handlers raise where the program is, so every `finally` cleans up. Python can lose
that exception: raised while a destructor runs, or in C code that clears errors, it is dropped,
and a build would run on and publish its episode with exit 0. So each handler also records
the stop here, and an episode folder is swapped in only after a check (the feed, which lists
what was published, is still written: a stopped batch writes it for the episodes it finished).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_asked: list[type[KeyboardInterrupt]] = []


def ask(kind: type[KeyboardInterrupt]) -> None:
    """A signal asks the program to stop, with `kind` (the exception its handler raises)."""
    if not _asked:
        _asked.append(kind)


def check() -> None:
    """Raise the stop a signal asked for, if one did, even if its exception was lost."""
    if _asked:
        raise _asked[0]


def clear() -> None:
    """A new command in the same process (tests call main() many times) starts unstopped."""
    _asked.clear()


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """A temporary folder for the block (clips, parts of an encode), removed after it. A signal
    raises where the program is, and once landed inside the removal and left half the folder
    (tempfile's own folder gives up then); here the removal is finished before the stop goes on."""
    path = Path(tempfile.mkdtemp(prefix="broadcast-"))
    try:
        yield path
    finally:
        try:
            shutil.rmtree(path, ignore_errors=True)
        except KeyboardInterrupt:
            shutil.rmtree(path, ignore_errors=True)
            raise
