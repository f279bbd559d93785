"""The child's side of an engine worker: the protocol loop that WorkerProcess talks to.

Engines print to stdout (pyttsx3 does, for every file), so replies go out on a
private copy of fd 1 and fd 1 itself is pointed at stderr.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def serve(start: Callable[[], Handler]) -> int:
    """Start the engine (`start` returns the job handler), say ready, answer jobs until stdin ends."""
    reply = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def send(message: dict[str, Any]) -> None:
        reply.write(json.dumps(message) + "\n")

    try:
        handle = start()
    except ImportError as exc:  # an optional engine's package is missing
        send({"ok": False, "missing": True, "error": str(exc)})
        return 1
    except Exception as exc:  # reported to the parent, which raises SynthesisError
        send({"ok": False, "error": f"engine failed to start: {exc}"})
        return 1
    send({"ok": True, "ready": True})
    for line in sys.stdin:
        try:
            send({"ok": True, **handle(json.loads(line))})
        except Exception as exc:  # one bad job must not end the worker
            send({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    return 0
