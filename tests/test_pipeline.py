"""The build pipeline with the fake engine: timings, pauses, atomic publishing."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from broadcast.audio import master as master_module
from broadcast.config import load_settings
from broadcast.errors import ToolError
from broadcast.model import Article, Part
from broadcast.pipeline import build_episode
from broadcast.publish.files import MARKER, PREFIX

ARTICLE = Article(
    headline="Council approves new bridge",
    body=(
        "The city council approved a new footbridge on Tuesday after two years of debate.",
        "Construction is expected to start in the spring and last eighteen months.",
    ),
    site="Riverside Radio",
    dateline="SPRINGFIELD",
    published=datetime(2024, 3, 5, 9, 30, tzinfo=timezone.utc),
    attribution=("Sam Lee contributed reporting.",),
    copyright="2024 Riverside Radio",
    authors=("Jo Park",),
)


def test_timeline_has_configured_pauses(fake_voices: Path, tmp_path: Path) -> None:
    settings = load_settings(None, fake_voices)
    ep = build_episode(ARTICLE, settings, tmp_path / "out")
    cues = ep.timeline.cues
    assert [c.part for c in cues] == [Part.INTRO, Part.BODY, Part.BODY, Part.ATTRIBUTION, Part.OUTRO]
    gaps = [b.start_ms - a.end_ms for a, b in zip(cues, cues[1:])]
    p = settings.audio.pauses
    assert gaps == [p.part, p.paragraph, p.part, p.part]
    assert ep.timeline.duration_ms == cues[-1].end_ms + p.tail
    assert [c.title for c in ep.timeline.chapters] == ["Introduction", "The story", "Credits", "Sign-off"]
    assert ep.timeline.chapters[0].start_ms == 0
    assert ep.timeline.chapters[-1].end_ms == ep.timeline.duration_ms


def test_rebuild_replaces_in_place(fake_voices: Path, tmp_path: Path) -> None:
    settings = load_settings(None, fake_voices)
    out = tmp_path / "out"
    first = build_episode(ARTICLE, settings, out)
    second = build_episode(ARTICLE, settings, out)
    assert first.folder == second.folder
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [first.folder.name]
    record = json.loads((first.folder / "episode.json").read_text())
    assert record["title"] == ARTICLE.headline


def test_failure_mid_build_leaves_previous_output_intact(
    fake_voices: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(None, fake_voices)
    out = tmp_path / "out"
    ep = build_episode(ARTICLE, settings, out)
    before = {p.name: p.read_bytes() for p in ep.folder.iterdir()}

    def broken_encoder(*_args: object, **_kw: object) -> None:
        raise ToolError("ffmpeg failed (exit 1): simulated")

    monkeypatch.setattr(master_module, "encode_metered", broken_encoder)
    with pytest.raises(ToolError):
        build_episode(ARTICLE, settings, out)
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == [ep.folder.name]
    assert {p.name: p.read_bytes() for p in ep.folder.iterdir()} == before


def test_leftover_staging_of_dead_build_is_cleaned(fake_voices: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = out / f"{PREFIX}staging-old-episode-999999999"
    dead.mkdir(parents=True)
    (dead / MARKER).write_text("made by broadcast")
    (dead / "episode.mp3").write_bytes(b"half")
    build_episode(ARTICLE, load_settings(None, fake_voices), out)
    assert not dead.exists()
