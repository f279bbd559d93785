"""Test-side oracles for audio files: decode with ffmpeg, read tags with ffprobe.

ffprobe is used when the system has it; pip's imageio-ffmpeg ships only ffmpeg,
whose ffmetadata muxer reports the same container tags and chapters.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

from broadcast.audio.ffmpeg import find_tool


def decode(path: Path, rate: int = 22050) -> tuple[np.ndarray, str]:
    """Mono float samples and ffmpeg's error output (empty when the file decodes cleanly)."""
    proc = subprocess.run(
        [find_tool("ffmpeg"), "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate), "-f", "f32le", "-"],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(proc.stdout, dtype="<f4"), proc.stderr.decode()


def longest_silence_ms(samples: np.ndarray, rate: int, threshold_db: float = -50.0, skip_edges_ms: int = 0) -> int:
    """Longest run of 10 ms windows quieter than threshold, ignoring the edges."""
    win = rate // 100
    n = len(samples) // win
    rms = np.sqrt(np.mean(samples[: n * win].reshape(n, win) ** 2, axis=1) + 1e-12)
    quiet = 20 * np.log10(rms) < threshold_db
    edge = skip_edges_ms // 10
    quiet = quiet[edge : n - edge] if edge else quiet
    best = run = 0
    for q in quiet:
        run = run + 1 if q else 0
        best = max(best, run)
    return best * 10


def container_info(path: Path) -> dict[str, object]:
    """{"tags": {...}, "chapters": [{"start_ms", "end_ms", "title"}], "tool": name}."""
    if shutil.which("ffprobe"):
        out = subprocess.run(
            ["ffprobe", "-v", "error", "-show_format", "-show_chapters", "-of", "json", str(path)],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        data = json.loads(out)
        tags = {k.lower(): v for k, v in data["format"].get("tags", {}).items()}
        chapters = [
            {
                "start_ms": round(float(c["start_time"]) * 1000),
                "end_ms": round(float(c["end_time"]) * 1000),
                "title": c.get("tags", {}).get("title", ""),
            }
            for c in data.get("chapters", [])
        ]
        chapters.sort(key=lambda c: c["start_ms"])  # type: ignore[arg-type,return-value]
        return {"tags": tags, "chapters": chapters, "tool": "ffprobe"}
    out = subprocess.run(
        [find_tool("ffmpeg"), "-v", "error", "-i", str(path), "-f", "ffmetadata", "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    tags: dict[str, str] = {}
    chapters: list[dict[str, object]] = []
    current: dict[str, str] | None = None
    # A value's newlines are escaped as a backslash at the end of the line.
    lines: list[str] = []
    for raw in out.split("\n"):
        if lines and lines[-1].endswith("\\") and not lines[-1].endswith("\\\\"):
            lines[-1] = lines[-1][:-1] + "\n" + raw
        else:
            lines.append(raw)
    for line in lines:
        if line.startswith(";") or not line.strip():
            continue
        if line == "[CHAPTER]":
            current = {}
            chapters.append(current)  # type: ignore[arg-type]
            continue
        key, _, value = line.partition("=")
        value = re.sub(r"\\(.)", r"\1", value)
        (current if current is not None else tags)[key.lower()] = value
    for ch in chapters:
        scale = 1000 * eval(ch.pop("timebase", "1/1000"))  # noqa: S307 - "1/1000" from ffmpeg
        ch["start_ms"] = round(int(ch.pop("start")) * scale)
        ch["end_ms"] = round(int(ch.pop("end")) * scale)
    chapters.sort(key=lambda c: c["start_ms"])  # type: ignore[arg-type,return-value]
    return {"tags": tags, "chapters": chapters, "tool": "ffmpeg -f ffmetadata"}
