"""The one door to external programs: looked up at call time, run with a timeout."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from collections import deque
from pathlib import Path

from broadcast.errors import ToolError
from broadcast.processes import wait_exit

_TAIL_LINES = 3


def find_tool(name: str) -> str:
    """The system's program when on PATH, else a pip-installed fallback."""
    found = shutil.which(name)
    if found:
        return found
    if name == "ffmpeg":
        try:
            import imageio_ffmpeg

            return str(imageio_ffmpeg.get_ffmpeg_exe())
        except (ImportError, RuntimeError) as exc:
            raise ToolError(
                "ffmpeg not found: install it (apt-get install ffmpeg) or pip install imageio-ffmpeg"
            ) from exc
    raise ToolError(f"{name} not found on PATH")


def run(
    args: list[str | Path], *, stdin: bytes | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess[bytes]:
    """Run a tool (args[0] is its name) and return its output; failures raise ToolError."""
    name = str(args[0])
    cmd = [find_tool(name), *map(str, args[1:])]
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"{name} took longer than {timeout:.0f} s and was stopped") from exc
    except OSError as exc:
        raise ToolError(f"{name} could not start: {exc}") from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-_TAIL_LINES:]
        raise ToolError(f"{name} failed (exit {proc.returncode}): {' / '.join(tail)}")
    return proc


class Running:
    """A tool fed on stdin and/or read on stdout piece by piece, for audio too long to
    hold whole. The timeout is on progress: a tool that neither takes input nor gives
    output for `timeout` seconds is stopped. Use as a context manager; `finish` checks
    the exit. Leaving the block early (an error) stops the tool."""

    def __init__(
        self,
        args: list[str | Path],
        *,
        feed: bool,
        timeout: float = 120.0,
        watch: re.Pattern[str] | None = None,
        fed_by: Running | None = None,
        cwd: Path | None = None,
    ) -> None:
        """`watch`: a stderr line to wait for with `wait_for_line` (ffmpeg describing its output).
        `fed_by`: another tool whose stdout is this one's stdin (instead of `feed`)."""
        self.name = str(args[0])
        self._timeout = timeout
        cmd = [find_tool(self.name), *map(str, args[1:])]
        stdin = subprocess.PIPE if feed else subprocess.DEVNULL
        if fed_by is not None:
            stdin = fed_by._proc.stdout  # type: ignore[assignment]
        try:
            self._proc = subprocess.Popen(
                cmd,
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,
                cwd=cwd,
            )
        except OSError as exc:
            raise ToolError(f"{self.name} could not start: {exc}") from exc
        if fed_by is not None and fed_by._proc.stdout:
            # Only this tool may hold the pipe's reading end: if it dies, the feeding tool must
            # get a broken pipe at once, not block on a pipe this process keeps open.
            fed_by._proc.stdout.close()
        self._watch_for = watch
        self._watched: re.Match[str] | None = None
        self._stderr_seen = threading.Event()  # the watched line, or the end of stderr
        self._tail: deque[bytes] = deque(maxlen=_TAIL_LINES)
        self._last = time.monotonic()
        self._done = threading.Event()
        self._stalled = False
        self._threads = [
            threading.Thread(target=self._drain_stderr, daemon=True),
            threading.Thread(target=self._watch, daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._done.set()
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe:
                pipe.close()

    def _drain_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            if self._watch_for and not self._watched:
                self._watched = self._watch_for.search(line.decode("utf-8", "replace"))
                if self._watched:
                    self._stderr_seen.set()
            self._tail.append(line)
        self._stderr_seen.set()

    def _watch(self) -> None:
        while not self._done.wait(min(1.0, self._timeout / 10)):
            if time.monotonic() - self._last > self._timeout:
                self._stalled = True
                self._proc.kill()
                return

    def stop(self) -> None:
        """Kill the tool now (a reader of its output gave up): whoever feeds it gets a broken pipe."""
        if self._proc.poll() is None:
            self._proc.kill()

    def wait_for_line(self) -> re.Match[str] | None:
        """The first stderr line matching `watch`, once written; None if the tool ended without it."""
        while not self._stderr_seen.wait(1.0):
            if self._stalled:
                break
        return self._watched

    def write(self, data: bytes) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(data)
        except (BrokenPipeError, ValueError):
            try:
                wait_exit(self._proc, self._timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._check()
            raise ToolError(f"{self.name} stopped reading its input") from None
        self._last = time.monotonic()

    def read(self, size: int) -> bytes:
        """Up to `size` bytes of stdout; b"" at its end."""
        assert self._proc.stdout is not None
        data = self._proc.stdout.read(size)
        self._last = time.monotonic()
        return data or b""

    def finish(self) -> None:
        """Close the input, wait for the tool to exit and raise ToolError if it failed."""
        if self._proc.stdin:
            try:
                self._proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            wait_exit(self._proc, self._timeout)
        except subprocess.TimeoutExpired:
            self._stalled = True
            self._proc.kill()
            self._proc.wait()
        self._threads[0].join(timeout=5)
        self._check()

    def _check(self) -> None:
        if self._stalled:
            raise ToolError(f"{self.name} made no progress for {self._timeout:.0f} s and was stopped")
        if self._proc.returncode:
            tail = b"".join(self._tail).decode("utf-8", "replace").strip().splitlines()[-_TAIL_LINES:]
            raise ToolError(f"{self.name} failed (exit {self._proc.returncode}): {' / '.join(tail)}")
