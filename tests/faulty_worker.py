"""The pyttsx3 worker with one fault the test chooses, for tests of the engine's recovery.

BROADCAST_TEST_FAULT says where:
  stall-start   the first worker stops before it says ready (it is starting up)
  stall-voices  the first worker stops when asked for its voice list (the voice check)
  exit-start    every worker exits with code 3 before it says ready
A stalled worker writes its pid to BROADCAST_TEST_MARK, so a test can wait for that
moment and kill or stop it there; later workers (the replacements) run normally.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from broadcast.speech.engines import pyttsx3_worker
from broadcast.speech.engines.pyttsx3_engine import Pyttsx3Engine
from broadcast.speech.engines.worker_loop import Handler, serve

FAULT = os.environ.get("BROADCAST_TEST_FAULT", "")
MARK = os.environ.get("BROADCAST_TEST_MARK", "")

if TYPE_CHECKING:
    import pytest


class FaultyEngine(Pyttsx3Engine):
    """pyttsx3 through this module's worker: register it and name "faulty-pyttsx3" in a profile."""

    name = "faulty-pyttsx3"
    worker_module = "faulty_worker"
    # A stopped worker is replaced after this long: short, so the tests are, and
    # still 100 times what a start takes here (0.1 s).
    start_timeout_s = 10.0


def set_fault(monkeypatch: pytest.MonkeyPatch, fault: str, mark: Path) -> None:
    """Give the workers this process starts `fault`, and let them import this module."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent))
    monkeypatch.setenv("BROADCAST_TEST_FAULT", fault)
    monkeypatch.setenv("BROADCAST_TEST_MARK", str(mark))


def _stall_first() -> None:
    """Stop here (until killed) if this is the first worker to get here."""
    try:
        os.close(os.open(f"{MARK}.claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return  # a replacement: work normally
    with open(f"{MARK}.tmp", "w") as fh:
        fh.write(str(os.getpid()))
    os.rename(f"{MARK}.tmp", MARK)  # the test sees the pid whole or not at all
    while True:
        time.sleep(1)


def start() -> Handler:
    if FAULT == "exit-start":
        os._exit(3)
    if FAULT == "stall-start":
        _stall_first()
    handle = pyttsx3_worker.start()

    def faulty(job: dict[str, Any]) -> dict[str, Any]:
        if FAULT == "stall-voices" and job.get("list_voices"):
            _stall_first()
        return handle(job)

    return faulty


if __name__ == "__main__":
    sys.exit(serve(start))
