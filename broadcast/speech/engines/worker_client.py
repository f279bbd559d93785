"""The parent's side of an engine worker process: JSON lines out, JSON replies back,
a timeout on every answer, and stderr's tail in every error."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from typing import Any

from broadcast.errors import BroadcastError, SynthesisError

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
    ) -> None:
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
        self._sel.register(self.proc.stdout, selectors.EVENT_READ, "out")
        self._sel.register(self.proc.stderr, selectors.EVENT_READ, "err")
        try:
            self.request(None, start_timeout)  # the worker says it is ready
        except BaseException:
            self.kill()
            self.close()
            raise

    def request(self, job: dict[str, Any] | None, timeout: float) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        if job is not None:
            try:
                self.proc.stdin.write(json.dumps(job) + "\n")
                self.proc.stdin.flush()
            except OSError as exc:  # BrokenPipeError among them
                self.kill()
                raise SynthesisError(f"{self._label} died{self._tail()}") from exc
        while True:
            events = self._sel.select(timeout)
            if not events:
                self.kill()
                raise SynthesisError(f"{self._label} hung (no answer in {timeout:.0f} s)")
            for key, _ in events:
                line = key.fileobj.readline()  # type: ignore[union-attr]
                if key.data == "err":
                    if line.strip() and not line.startswith(self._ignore):
                        self._stderr.append(line.strip())
                    if line:
                        continue
                if not line:
                    code = self.proc.wait()
                    raise SynthesisError(f"{self._label} exited with code {code}{self._tail()}")
                if key.data == "out":
                    return self._reply(line)

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

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self._sel.close()
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe:
                try:
                    pipe.close()
                except OSError:
                    pass
