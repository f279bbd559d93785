"""The engine table and the worker engines' recovery, as a user meets them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEED
from faulty_worker import FaultyEngine, set_fault

from broadcast.errors import ConfigError, SynthesisError
from broadcast.model import VoiceProfile
from broadcast.speech.engines import engine_names, open_engine, register_engine, table
from broadcast.speech.engines.worker_client import WorkerProcess
from broadcast.speech.lexicon import Entry, Lexicon
from broadcast.speech.spoken import to_spoken


def test_a_worker_that_fails_twice_is_an_error_naming_the_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_engine(FaultyEngine)
    set_fault(monkeypatch, "exit-start", tmp_path / "unused")
    engine = open_engine(FaultyEngine.name)
    profile = VoiceProfile(name="host", engine=FaultyEngine.name, voice="gmw/en-us", rate=170, volume=1.0)
    try:
        with pytest.raises(SynthesisError) as info:
            engine.check(profile)
    finally:
        engine.close()
    message = str(info.value)
    assert message.startswith("voice 'host' (faulty-pyttsx3 gmw/en-us): speech engine exited with code 3")
    assert "a fresh worker failed too: speech engine exited with code 3" in message
    assert "\n" not in message


def test_the_shipped_command_line_does_not_know_the_fake_engine(tmp_path: Path) -> None:
    vdir = tmp_path / "voices"
    vdir.mkdir()
    for role in ("host", "reporter"):
        (vdir / f"{role}.toml").write_text('engine = "fake"\nvoice = "tone"\nrate = 170\nvolume = 1.0\n')
    plain = [sys.executable, "-m", "broadcast"]
    script = subprocess.run([*plain, "script", SEED, "--voices", vdir], capture_output=True, text=True, cwd=ROOT)
    assert script.returncode == ConfigError.exit_code
    assert script.stderr == (f"broadcast: error: {vdir / 'host.toml'}: unknown engine 'fake' (known: pyttsx3, piper)\n")
    voices = subprocess.run([*plain, "voices"], capture_output=True, text=True, cwd=ROOT)
    assert voices.returncode == 0, voices.stderr
    engines = [line.split(":")[0] for line in voices.stdout.splitlines() if not line.startswith(" ")]
    assert engines == ["pyttsx3", "piper", "roles"]


def test_the_table_lists_the_shipped_engines_first() -> None:
    assert engine_names()[:2] == ("pyttsx3", "piper")
    with pytest.raises(ConfigError, match=r"unknown engine 'espeak' \(known: .*piper, pyttsx3"):
        open_engine("espeak")


def test_an_engine_that_reads_phonemes_gets_them_from_the_lexicon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "_TABLE", dict(table._TABLE))  # this engine is registered for this test only

    class PhonemeReader:
        name = "phoneme-reader"
        reads_phonemes = True

    lexicon = Lexicon((Entry("Kuhn", "KOON", "k'u:n"),))
    assert to_spoken("Ask Kuhn.", lexicon, "phoneme-reader").text == "Ask KOON."  # not registered: respelling
    register_engine(PhonemeReader)  # type: ignore[arg-type]
    assert to_spoken("Ask Kuhn.", lexicon, "phoneme-reader").text == "Ask [[k'u:n]]."
    assert to_spoken("Ask Kuhn.", lexicon, "piper").text == "Ask KOON."


def test_the_engine_table_loads_no_speech_library() -> None:
    # Engine libraries load inside worker processes only: listing engines stays fast.
    code = (
        "import sys, broadcast.config, broadcast.speech.engines as e; e.engine_names(); "
        "print(sorted(m for m in ('pyttsx3', 'piper', 'onnxruntime', 'numpy') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == "[]"


_HALF_A_LINE_WORKER = """
import json, sys, time
print(json.dumps({"ok": True, "ready": True}), flush=True)
for line in sys.stdin:
    sys.stderr.write("Audio saved to /tmp/half")  # no newline: the worker hangs mid-line
    sys.stderr.flush()
    time.sleep(3600)
"""


def test_a_worker_that_hangs_mid_line_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker stopped after half a line of stderr once held a build for good: the
    parent waited inside readline(). The request's deadline must hold anyway."""
    (tmp_path / "half_line_worker.py").write_text(_HALF_A_LINE_WORKER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    worker = WorkerProcess("half_line_worker", "test worker", start_timeout=30)
    start = time.monotonic()
    try:
        with pytest.raises(SynthesisError, match="hung"):
            worker.request({"text": "hello"}, timeout=1.0)
    finally:
        worker.close()
    assert time.monotonic() - start < 10
    assert worker.proc.poll() is not None  # the hung worker was killed, not left behind


_ECHO_WORKER = """
import json, sys
from broadcast.speech.engines.worker_loop import serve

def start():
    seen = []
    def handle(job):
        seen.append(job["n"])
        return {"n": job["n"], "seen": list(seen)}
    return handle

sys.exit(serve(start))
"""


def test_a_job_asked_ahead_is_answered_once_and_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The voice list is asked for while the worker boots; its reply is read when the build asks,
    and a request for something else first reads past it, never taking one reply for another."""
    (tmp_path / "echo_worker.py").write_text(_ECHO_WORKER, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    worker = WorkerProcess("echo_worker", "test worker", start_timeout=30, wait=False)
    try:
        worker.ask_ahead({"n": 1})
        assert worker.request({"n": 1}, timeout=30)["seen"] == [1]  # answered once, not asked again
        worker.ask_ahead({"n": 2})
        assert worker.request({"n": 3}, timeout=30)["seen"] == [1, 2, 3]
        assert worker.request({"n": 4}, timeout=30)["n"] == 4
    finally:
        worker.close()
