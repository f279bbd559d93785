"""Running jobs on a Dask distributed cluster (the optional `dask` extra).

Each article's build is one task; the workers write into the output directory themselves, so it
must be the same shared folder on every machine. Only the client writes the feed, once.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from broadcast.batch.job import BuildJob, build_article
from broadcast.errors import ToolError

CONNECT_TIMEOUT_S = 10
RETRIES = 2  # a task that raised; a task whose worker died is rescheduled by Dask itself


class DaskCluster:
    def __init__(self, address: str, timeout_s: int = CONNECT_TIMEOUT_S) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ToolError(
                "--scheduler needs Dask: pip install 'newsroom-broadcast[dask]' (or 'dask[distributed]')"
            ) from exc
        self.address = address
        try:
            self.client = Client(address, timeout=f"{timeout_s}s", set_as_default=False)
        except Exception as exc:  # OSError, TimeoutError, ValueError for an address Dask cannot parse
            raise ToolError(
                f"{address}: cannot reach the Dask scheduler within {timeout_s} s ({type(exc).__name__}: {exc})"
            ) from exc
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._futures: set[Any] = set()

    def submit(self, job: BuildJob) -> Any:
        future = self.client.submit(build_article, job, pure=False, retries=RETRIES)
        self._futures.add(future)
        return future

    def wait_any(self, futures: Collection[Any], timeout: float) -> set[Any]:
        # Polled: distributed.wait finds its client as the process's default, which this one is not.
        deadline = time.monotonic() + timeout
        while True:
            done = {f for f in futures if f.done()}
            if done or time.monotonic() >= deadline:
                self._futures -= done
                return done
            time.sleep(0.05)

    def stop(self) -> None:
        """Interrupted: builds not yet started are cancelled; a running one finishes on its worker
        (Dask cannot stop it), and the next `broadcast feed` lists its episode."""
        try:
            self.client.cancel(list(self._futures))
        finally:
            self.client.close()

    def close(self) -> None:
        self.client.close()
