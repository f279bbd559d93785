"""Drive a batch: load each article, build each distinct episode once on a backend, write the feed once.

A backend (local.LocalPool, cluster.DaskCluster) has `workers`, submit(job) -> future,
wait_any(futures, timeout) -> the done ones, stop() (interrupted: end the builds) and close().
At most `workers` builds are in flight, so --fail-fast stops exactly the builds not yet started.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from broadcast.batch.job import BuildJob, Outcome
from broadcast.config import Settings
from broadcast.errors import BroadcastError
from broadcast.model import Article


class Events(Protocol):
    def finished(self, outcome: Outcome) -> None: ...
    def duplicate(self, name: str, first: str) -> None: ...


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[Outcome, ...]  # in the order the articles were named; those never started left out
    skipped: tuple[str, ...]  # folders the final feed left out, each with its reason
    feed_error: str = ""  # the final feed could not be written

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)


def _failed(name: str, exc: BaseException) -> Outcome:
    if isinstance(exc, BroadcastError):
        return Outcome(name, error=str(exc), exit_code=exc.exit_code)
    if isinstance(exc, BrokenProcessPool):  # not a bug of the build: its process was killed
        return Outcome(name, error="its worker process died (killed, or out of memory); build it again", exit_code=1)
    return Outcome(name, error=f"internal error: {type(exc).__name__}: {exc}", exit_code=1)


def run_batch(
    names: Sequence[str],
    load: Callable[[str], tuple[Article, Any]],
    make_job: Callable[[str, Article], BuildJob],
    backend: Any,
    settings: Settings,
    output: Path,
    events: Events,
    fail_fast: bool = False,
) -> BatchResult:
    from broadcast.pipeline import publish_feed, show_cover
    from broadcast.publish.episode import episode_guid
    from broadcast.publish.files import clean_leftovers, prepare_root

    prepare_root(output)  # an unusable output directory fails before any article is read
    outcomes: dict[int, Outcome] = {}
    first_of: dict[str, int] = {}  # guid -> index of the article that builds it
    duplicates: dict[int, int] = {}
    pending = list(enumerate(names))
    running: dict[Any, int] = {}
    stopping = False

    def finish(index: int, outcome: Outcome) -> None:
        nonlocal stopping
        outcomes[index] = outcome
        events.finished(outcome)
        if not outcome.ok and fail_fast:
            stopping = True

    try:
        while running or (pending and not stopping):
            while pending and not stopping and len(running) < backend.workers:
                index, name = pending.pop(0)
                try:
                    loaded = load(name)  # (article, the script file's script or None)
                except BroadcastError as exc:
                    finish(index, _failed(name, exc))
                    continue
                guid = episode_guid(loaded[0])
                if guid in first_of:
                    duplicates[index] = first_of[guid]
                    events.duplicate(name, names[first_of[guid]])
                    continue
                first_of[guid] = index
                running[backend.submit(make_job(name, loaded))] = index
            for future in backend.wait_any(list(running), timeout=1.0):
                index = running.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker died or the job raised a bug
                    outcome = _failed(names[index], exc)
                finish(index, outcome)
    except BaseException:
        backend.stop()
        clean_leftovers(output)  # what a worker killed outright left behind
        try:
            publish_feed(output, settings, show_cover(settings))  # the feed of what was published
        except BroadcastError:
            pass  # the interruption is the news; `broadcast feed` writes it later
        raise
    backend.close()
    for index, original in duplicates.items():
        first = outcomes.get(original)
        if first is not None:
            outcomes[index] = replace(first, name=names[index], duplicate_of=names[original], warnings=())
    feed_error, skipped = "", ()
    try:
        clean_leftovers(output)  # of a worker that died outright (killed, out of memory) on this host
        skipped = publish_feed(output, settings, show_cover(settings))
    except BroadcastError as exc:
        feed_error = str(exc)
    return BatchResult(tuple(outcomes[i] for i in sorted(outcomes)), tuple(skipped), feed_error)
