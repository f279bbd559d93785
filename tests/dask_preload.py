"""Loaded into every Dask worker the tests start (LocalCluster(preload=[this file]), as
`dask worker --preload` would): registers the fake engine there, since a worker process knows only
the engines the shipped package registers. Sentences with SLOW_WORD take a while, and the
worker's pid is appended to $BROADCAST_TEST_SLOW_PIDS first, so a test can kill it mid-build."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_engine import FakeEngine  # noqa: E402

from broadcast.speech.engines import register_engine  # noqa: E402

SLOW_WORD = "Slowpoke"


class ClusterFakeEngine(FakeEngine):
    def synthesize(self, text, profile, path):  # type: ignore[no-untyped-def]
        if SLOW_WORD in text:
            log = os.environ.get("BROADCAST_TEST_SLOW_PIDS")
            if log:
                with open(log, "a", encoding="utf-8") as fh:
                    fh.write(f"{os.getpid()}\n")
            time.sleep(0.4)
        super().synthesize(text, profile, path)


register_engine(ClusterFakeEngine)
