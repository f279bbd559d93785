"""Speak many clips in parallel lanes, each lane with engines of its own.

espeak is single-threaded, so a second worker process uses the second core. Clips
keep their places (each job names its own file); a failure stops the other lanes
and the earliest failed job's error is the one raised, so errors name the same
sentence whatever the timing. A lane runs one job at a time through `run`, which
does the per-clip checks and retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

from broadcast.model import VoiceProfile
from broadcast.speech.engines.engine import Engine
from broadcast.speech.engines.table import engine_lanes, open_engine

J = TypeVar("J")
EngineFor = Callable[[VoiceProfile], Engine]
_MANY_JOBS = 1 << 30


def lane_count(engine_names: set[str], jobs: int, cores: int) -> int:
    """How many lanes pay: the engines' own limit (an engine whose worker loads a large
    model, or that runs in-process, says 1), the cores, and at least two jobs per lane."""
    limit = min((engine_lanes(name) for name in engine_names), default=1)
    return max(1, min(limit, cores, jobs // 2))


class Lanes(Generic[J]):
    """Run `run(job, engine_for)` for every job, in order of taking, over len(extra)+1 lanes:
    the calling thread's (with `first`, the caller's engines) and one thread per extra lane."""

    def __init__(
        self,
        jobs: Sequence[J],
        run: Callable[[J, EngineFor], None],
        lanes: int,
        prepare: Callable[[EngineFor], None] = lambda _engine_for: None,
        started: Sequence[dict[str, Engine]] = (),
    ) -> None:
        """`prepare` readies an extra lane's engines before it takes a job, so a job never
        waits on a worker's start-up while a warm lane could have spoken it. `started[i]`:
        engines already starting for extra lane i (see started_lanes), released when done."""
        self._jobs = list(jobs)
        self._run = run
        self._prepare = prepare
        self._lanes = lanes
        self._started = list(started)
        self._next = 0
        self._lock = threading.Lock()
        self._failed: dict[int, BaseException] = {}
        self._engines: list[dict[str, Engine]] = []
        self._checked = threading.Event()  # the calling lane's checks passed: jobs may start

    def _take(self) -> int | None:
        with self._lock:
            if self._failed or self._next >= len(self._jobs):
                return None
            self._next += 1
            return self._next - 1

    def _work(self, engine_for: EngineFor) -> None:
        while (n := self._take()) is not None:
            try:
                self._run(self._jobs[n], engine_for)
            except BaseException as exc:  # noqa: BLE001 - re-raised by the caller's lane
                with self._lock:
                    self._failed[n] = exc
                if not isinstance(exc, Exception):  # Ctrl-C or SIGTERM: run() stops the other lanes now
                    raise
                return

    def _extra_lane(self, lane: int) -> None:
        engines: dict[str, Engine] = dict(self._started[lane]) if lane < len(self._started) else {}
        self._engines.append(engines)

        def engine_for(profile: VoiceProfile) -> Engine:
            if profile.engine not in engines:
                engines[profile.engine] = open_engine(profile.engine)
            return engines[profile.engine]

        try:
            try:
                self._prepare(engine_for)
            except Exception:  # noqa: BLE001 - this lane stays out; the first lane speaks, and meets it if real
                return
            self._checked.wait()
            self._work(engine_for)
        finally:
            done_with(engines, self._started[lane] if lane < len(self._started) else {})

    def run(self, first: EngineFor, check: Callable[[], None] = lambda: None) -> None:
        """`check` runs in the calling lane while the extra lanes prepare (their workers
        start meanwhile); no lane takes a job before it passed."""
        threads = [threading.Thread(target=self._extra_lane, args=(n,), daemon=True) for n in range(self._lanes - 1)]
        for thread in threads:
            thread.start()
        try:
            try:
                check()
            except BaseException as exc:
                with self._lock:
                    self._failed[-1] = exc  # before every job: no lane takes one
                raise
            finally:
                self._checked.set()
            self._work(first)
        except BaseException:  # Ctrl-C or SIGTERM in the calling thread: stop the others now
            with self._lock:
                self._failed.setdefault(len(self._jobs), RuntimeError("stopped"))
            self._abort()
            raise
        finally:
            # After a failure the other lanes finish the clip in hand (and take no more),
            # so every job before the failed one is known good or failed: the error
            # raised is the first in the script's order, whichever lane was faster.
            for thread in threads:
                thread.join()
        if self._failed:
            raise self._failed[min(self._failed)]

    def _abort(self) -> None:
        for engines in list(self._engines):
            for engine in list(engines.values()):
                abort = getattr(engine, "abort", None)
                if abort:
                    abort()


@contextmanager
def started_lanes(profiles: Iterable[VoiceProfile], cores: int) -> Iterator[list[dict[str, Engine]]]:
    """The engines of `profiles`, one set for each lane they may use, whose workers start now
    without being waited for: they boot (a new interpreter and the speech library, 0.1 s) while
    the build imports its stages and parses the article, instead of after. synthesize_script
    takes them over; what it does not use (fewer lanes, every clip cached, a failure before
    speaking) is stopped here."""
    names = sorted({profile.engine for profile in profiles})
    lanes = lane_count(set(names), _MANY_JOBS, cores)  # the article is not read yet
    started = [{name: open_engine(name) for name in names} for _ in range(lanes)]
    try:
        for engines in started:
            for engine in engines.values():
                start = getattr(engine, "start", None)  # an in-process engine has nothing to start
                if start:
                    start()
        yield started
    except BaseException:
        stop_engines(started)
        raise
    stop_engines(started, kill=False)  # released by the lanes that used them: only reaped here


def stop_engines(lanes: Sequence[dict[str, Engine]], kill: bool = True) -> None:
    """Close engines; `kill` ends their workers at once (one still booting is not waited for)."""
    for engines in lanes:
        for engine in engines.values():
            abort = getattr(engine, "abort", None)
            if kill and abort:
                abort()
            engine.close()


def done_with(engines: dict[str, Engine], started: dict[str, Engine]) -> None:
    """A lane is done with its engines: it closes those it opened, and only releases those it was
    handed by started_lanes, whose workers then exit while the build goes on (started_lanes
    reaps them at its end), instead of holding the build 0.02-0.03 s each."""
    for name, engine in engines.items():
        release = getattr(engine, "release", None)
        if started.get(name) is engine and release:
            release()
        else:
            engine.close()
