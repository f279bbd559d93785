"""The one door to external programs: looked up at call time, run with a timeout."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from broadcast.errors import ToolError

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
