"""Loaded into every Dask worker the tests start (LocalCluster(preload=[this file]), as
`dask worker --preload` would): registers the fake engine there, since a worker process knows only
the engines the shipped package registers. An episode whose folder name holds SLOW_WORD is slow
to master (its staging folder is in the output directory by then), and the worker's pid is
appended to $BROADCAST_TEST_SLOW_PIDS first, so a test can kill it mid-build."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_engine import FakeEngine  # noqa: E402

import broadcast.audio.master as mastering  # noqa: E402
from broadcast.speech.engines import register_engine  # noqa: E402

SLOW_WORD = "slowpoke"
_master = getattr(mastering.master, "unpatched", mastering.master)  # Dask may load this file twice


def slow_master(track, audio, mp3, *args, **kwargs):  # type: ignore[no-untyped-def]
    if SLOW_WORD in str(mp3):
        log = os.environ.get("BROADCAST_TEST_SLOW_PIDS")
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()}\n")
        time.sleep(2)
    return _master(track, audio, mp3, *args, **kwargs)


slow_master.unpatched = _master  # type: ignore[attr-defined]
mastering.master = slow_master  # the pipeline imports it from the module when it masters
register_engine(FakeEngine)
