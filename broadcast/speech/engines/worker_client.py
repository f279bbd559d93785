"""The parent's side of an engine worker process: JSON lines out, JSON replies back,
a timeout on every answer, and stderr's tail in every error.

The worker's pipes are read with os.read on their descriptors and split into lines
here: a buffered readline() after select() blocks when the worker wrote half a line
and then hung (a stopped worker held a build for good that way), and one deadline per
request holds however much the worker writes to stderr meanwhile."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from broadcast.errors import BroadcastError, SynthesisError
from broadcast.processes import wait_exit

# A reply {"ok": false, ...} becomes this error; engines may map special replies.
ReplyError = Callable[[dict[str, Any]], BroadcastError | None]


class WorkerProcess:
    def __init__(
        self,
        module: str,
        label: str,
        start_timeout: float,
        reply_error: ReplyError = lambda _reply: None,
        ignore_stderr: tuple[str, ...] = (),
        wait: bool = True,
    ) -> None:
        """`wait=False` returns once the process is started: it boots while the caller works,
        and the first request waits for its ready (within `start_timeout` from then)."""
        self._label = label
        self._reply_error = reply_error
        self._ignore = ignore_stderr
        self._stderr: deque[str] = deque(maxlen=5)
        self.loaded: set[str] = set()  # what the worker holds (models), for engines that load
        self.proc = subprocess.Popen(
            [sys.executable, "-m", module],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=dict(os.environ),
        )
        self._sel = selectors.DefaultSelector()
        assert self.proc.stdout and self.proc.stderr
        self._sel.register(self.proc.stdout.fileno(), selectors.EVENT_READ, "out")
        self._sel.register(self.proc.stderr.fileno(), selectors.EVENT_READ, "err")
        self._pending = {"out": b"", "err": b""}  # bytes read but not yet a whole line
        self._start_timeout = start_timeout
        self.booted = False  # it said it is ready
        self._asked: deque[str] = deque()  # jobs sent ahead (ask_ahead) whose replies are not read yet
        if wait:
            self.ready()

    def ready(self) -> None:
        """Wait for the worker to say it is ready (once)."""
        if self.booted:
            return
        try:
            self._answer(None, self._start_timeout)
        except BaseException:
            self.kill()
            self.close()
            raise
        self.booted = True

    def ask_ahead(self, job: dict[str, Any]) -> None:
        """Send `job` now, while the worker boots, and read its reply when `request` asks for
        the same job: the worker answers it between its start and the build's first need."""
        assert self.proc.stdin
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
        except OSError:  # it died already: the first request finds out and says why
            return
        self._asked.append(json.dumps(job))

    def request(self, job: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.ready()
        while self._asked:
            asked = self._asked.popleft()
            reply = self._answer(None, timeout)
            if asked == json.dumps(job):
                return reply
        return self._answer(job, timeout)

    def _answer(self, job: dict[str, Any] | None, timeout: float) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        if job is not None:
            try:
                self.proc.stdin.write(json.dumps(job) + "\n")
                self.proc.stdin.flush()
            except OSError as exc:  # BrokenPipeError among them
                self.kill()
                raise SynthesisError(f"{self._label} died{self._tail()}") from exc
        deadline = time.monotonic() + timeout
        while True:
            line = self._take_line("out")
            if line is not None:
                return self._reply(line)
            left = deadline - time.monotonic()
            events = self._sel.select(left) if left > 0 else []
            if not events:
                self.kill()
                raise SynthesisError(f"{self._label} hung (no answer in {timeout:.0f} s)")
            for key, _ in events:
                chunk = os.read(key.fd, 65536)
                if chunk:
                    self._pending[key.data] += chunk
                    if key.data == "err":
                        self._keep_stderr()
                    continue
                self._sel.unregister(key.fd)
                if key.data == "out":  # the worker closed its answers: it is gone
                    self._keep_stderr(final=True)
                    code = self._reap()
                    raise SynthesisError(f"{self._label} exited with code {code}{self._tail()}")

    def _take_line(self, stream: str) -> str | None:
        head, newline, rest = self._pending[stream].partition(b"\n")
        if not newline:
            return None
        self._pending[stream] = rest
        return head.decode("utf-8", "replace")

    def _keep_stderr(self, final: bool = False) -> None:
        while (line := self._take_line("err")) is not None or (final and self._pending["err"]):
            if line is None:  # the last words, without a newline
                line, self._pending["err"] = self._pending["err"].decode("utf-8", "replace"), b""
            if line.strip() and not line.startswith(self._ignore):
                self._stderr.append(line.strip())

    def _reap(self) -> int:
        try:
            return wait_exit(self.proc, 5)
        except subprocess.TimeoutExpired:  # closed its stdout but lives on: end it
            self.kill()
            return self.proc.returncode

    def _reply(self, line: str) -> dict[str, Any]:
        try:
            reply: dict[str, Any] = json.loads(line)
        except ValueError as exc:
            self.kill()
            raise SynthesisError(f"{self._label} sent garbage: {line.strip()[:80]!r}") from exc
        if not reply.get("ok"):
            special = self._reply_error(reply)
            if special is not None:
                self.kill()
                raise special
            raise SynthesisError(f"{self._label}: {reply.get('error')}")
        return reply

    def _tail(self) -> str:
        return f": {' / '.join(self._stderr)}" if self._stderr else ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def end_input(self) -> None:
        """No more jobs: the worker exits on its own (close() then only reaps it)."""
        assert self.proc.stdin
        try:
            self.proc.stdin.close()
        except OSError:
            pass

    def close(self) -> None:
        if self.proc.poll() is None:
            self.end_input()
            try:
                wait_exit(self.proc, 5)
            except subprocess.TimeoutExpired:
                self.kill()
        self._sel.close()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe:
                try:
                    pipe.close()
                except OSError:
                    pass
