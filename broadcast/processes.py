"""Waiting for a child process to end, woken when it ends.

subprocess's wait(timeout) polls, sleeping twice as long each time up to 50 ms (it looks at
0.5, 1.5, 3.5, 7.5, 15.5, 31.5 ms ...): a process that ends just after a look is noticed up to
twice as late, and a build waits on several at its end (the encoders and decoders, the speech
workers). A pidfd (Linux 5.3) wakes the waiter
when the process ends; elsewhere this falls back to subprocess's own wait.
"""

from __future__ import annotations

import os
import select
import subprocess


def wait_exit(proc: subprocess.Popen, timeout: float) -> int:  # type: ignore[type-arg]
    """proc.wait(timeout): its exit code, or subprocess.TimeoutExpired."""
    if proc.poll() is not None:
        return proc.returncode
    try:
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # not Linux, an old kernel, or reaped already
        return proc.wait(timeout=timeout)
    try:
        ended, _, _ = select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    if not ended:
        raise subprocess.TimeoutExpired(proc.args, timeout)
    return proc.wait()
