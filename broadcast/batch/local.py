"""Running jobs in local worker processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Collection
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from broadcast.batch.job import BuildJob, build_in_local_worker, init_local_worker


def default_workers() -> int:
    count = os.process_cpu_count() if hasattr(os, "process_cpu_count") else len(os.sched_getaffinity(0))
    return max(1, count or 1)


class LocalPool:
    """`workers` processes, forked at once before the batch shows anything (so the parent has no
    thread yet), each taking one job at a time; the engines registered in this process are theirs."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("fork")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=init_local_worker)

    def submit(self, job: BuildJob) -> Future:
        try:
            return self._pool.submit(build_in_local_worker, job)
        except BrokenProcessPool:  # a worker died (killed, out of memory): its builds failed, go on
            self._pool.shutdown(wait=False)
            self._pool = self._start()
            return self._pool.submit(build_in_local_worker, job)

    def wait_any(self, futures: Collection[Future], timeout: float) -> set[Future]:
        done, _ = wait(futures, timeout=timeout, return_when=FIRST_COMPLETED)
        return set(done)

    def stop(self, grace_s: float = 30.0) -> None:
        """Interrupted: end every worker; a building one first removes its staging folder."""
        processes = list(getattr(self._pool, "_processes", {}).values())  # the executor has no public handle
        for proc in processes:
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for proc in processes:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
