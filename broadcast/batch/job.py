"""What a worker runs for one article of a batch: build_episode without the feed, and a small,
picklable outcome, so a local process or a Dask worker on another machine can run it."""

from __future__ import annotations

import os
import signal
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from broadcast import stopping
from broadcast.config import Settings
from broadcast.errors import BroadcastError
from broadcast.model import Article, Script
from broadcast.speech.cache import ClipCache, open_clip_cache


@dataclass(frozen=True)
class BuildJob:
    name: str  # the article as the user named it: a path, a URL or <stdin>
    article: Article
    settings: Settings
    output: Path
    cache: ClipCache | None
    now: datetime | None
    pub_date: datetime | None
    script: Script | None = None  # a script file's, as edited; None: made from the article
    cores: int | None = None  # this build's share of the machine's cores (None: all)


@dataclass(frozen=True)
class Outcome:
    name: str
    folder: str = ""  # the episode folder's name in the output directory, once published
    duration_ms: int = 0
    error: str = ""  # one line; "" when the episode was built
    exit_code: int = 0
    warnings: tuple[str, ...] = ()
    host: str = ""
    duplicate_of: str = ""  # another article of the batch that is the same episode (built once)
    traceback: str = ""  # a bug's traceback, as text (it pickles), for --debug

    @property
    def ok(self) -> bool:
        return not self.error


def build_article(job: BuildJob) -> Outcome:
    """Build and publish one episode; every failure a user can cause comes back as the outcome's
    one-line error, not as an exception (a batch goes on past it)."""
    from broadcast.pipeline import build_episode

    host = os.uname().nodename
    cache, warnings = None, ()
    if job.cache is not None:
        try:  # on a cluster worker the folder is this machine's
            cache = open_clip_cache(job.cache.root, job.cache.max_bytes)
        except OSError as exc:
            warnings = (f"cache {job.cache.root}: {exc.strerror or exc}; built without the cache",)
    try:
        episode = build_episode(
            job.article,
            job.settings,
            job.output,
            cache=cache,
            now=job.now,
            pub_date=job.pub_date,
            script=job.script,
            write_feed=False,
            cores=job.cores,
        )
    except BroadcastError as exc:
        return Outcome(job.name, error=str(exc), exit_code=exc.exit_code, warnings=warnings, host=host)
    except Exception as exc:  # a bug; its exception may not even pickle (Dask then never answers)
        error = f"internal error: {type(exc).__name__}: {exc}"
        trace = traceback.format_exc()
        return Outcome(job.name, error=error, exit_code=1, warnings=warnings, host=host, traceback=trace)
    if cache and cache.store_failure:
        warnings = (f"cache {cache.root}: {cache.store_failure}; new clips not kept",)
    return Outcome(job.name, episode.folder.name, episode.duration_ms, warnings=warnings, host=host)


class Stopped(KeyboardInterrupt):
    """The batch is stopping (SIGTERM or Ctrl-C in a local worker): unwinds the build so its
    staging folder and temporary clips are removed."""


_building = False


def _stop(signum: int, frame: object) -> None:
    if _building:
        stopping.ask(Stopped)
        raise Stopped
    os._exit(128 + signum)  # idle: nothing to clean up


def init_local_worker() -> None:
    """A local pool worker: a signal unwinds a running build (its `finally` blocks clean up)
    and ends the process; an idle worker just ends."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)


def build_in_local_worker(job: BuildJob) -> Outcome:
    global _building
    _building = True
    try:
        return build_article(job)
    except Stopped:
        os._exit(143)  # cleaned up; the pool is being torn down, take no further job
    finally:
        _building = False
