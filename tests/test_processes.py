"""wait_exit: a child's end, as subprocess's wait(timeout) reports it, without its polling."""

from __future__ import annotations

import subprocess
import sys

import pytest

from broadcast.processes import wait_exit


def test_the_exit_code_of_a_process_that_ends_and_of_one_that_had_ended() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time, sys; time.sleep(0.2); sys.exit(7)"])
    assert wait_exit(proc, 30) == 7
    assert wait_exit(proc, 30) == 7  # reaped already: the same answer


def test_a_process_that_outlives_the_timeout_is_a_timeout_and_is_left_running() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            wait_exit(proc, 0.2)
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()
