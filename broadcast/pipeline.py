"""Compose the stages for one article and publish the episode atomically.

The audio and publishing stages (numpy, mutagen, PIL) are imported in a background
thread while the speech engines work, so their import time costs nothing: see _WarmUp.
They are imported where used below, so that a build reaches its first spoken clip
without them.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from broadcast.config import Settings
from broadcast.errors import ConfigError, OutputError, SynthesisError
from broadcast.model import Article, Cue, Script, Timeline, VoiceProfile
from broadcast.publish.files import (
    Stage,
    clean_leftovers,
    episode_stage,
    feed_lock,
    pending_file,
    prepare_root,
    set_aside,
)
from broadcast.script.script_file import render_script_file, script_file
from broadcast.script.write import build_script, gaps_ms, render_script
from broadcast.speech.cache import ClipCache, clip_key
from broadcast.speech.engines import Engine, open_engine, synthesize_checked
from broadcast.speech.engines.lanes import Lanes, done_with, lane_count, stop_engines
from broadcast.speech.spoken import SpokenScript, marked, speak_script
from broadcast.stopping import scratch_folder

Progress = Callable[[str], None]
_HEAVY_MODULES = ("broadcast.audio.mix", "broadcast.audio.master", "broadcast.publish.episode")  # in order of need


@dataclass(frozen=True)
class Episode:
    folder: Path
    mp3: Path
    script_text: str
    timeline: Timeline
    size_bytes: int
    duration_ms: int
    skipped: tuple[str, ...] = ()  # other folders the feed left out, each with its reason


def _find_ffmpeg() -> None:
    """Where ffmpeg is, found once for the encoders: imageio-ffmpeg runs its binary once to check
    it (25 ms). One that is missing or broken is reported by the encoder, where it is needed."""
    from broadcast.audio.ffmpeg import find_tool
    from broadcast.errors import ToolError

    try:
        find_tool("ffmpeg")
    except ToolError:
        pass


class _WarmUp:
    """What the build needs after the speech, done in a background thread while the main thread
    waits on the speech workers: import the audio and publishing stages (numpy, mutagen), find
    ffmpeg, then make the show's cover and the copy embedded in the MP3 (PIL, 0.03 s)."""

    def __init__(self, cover: Callable[[], bytes]) -> None:
        self._imported = threading.Event()
        self._covers: tuple[bytes, bytes] = (b"", b"")
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(cover,), daemon=True)
        self._thread.start()

    def _run(self, cover: Callable[[], bytes]) -> None:
        try:
            for name in _HEAVY_MODULES:
                importlib.import_module(name)
            self._imported.set()
            _find_ffmpeg()
            from broadcast.publish.cover import embedded_copy

            image = cover()
            self._covers = (image, embedded_copy(image))
        except BaseException as exc:  # noqa: BLE001 - raised in the main thread by covers()
            self._error = exc
        finally:
            self._imported.set()

    def imported(self) -> None:
        """Wait for the imports (one that failed fails again where the main thread imports it)."""
        self._imported.wait()

    def covers(self) -> tuple[bytes, bytes]:
        """The show's cover and its embedded copy."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._covers


def synthesize_script(
    spoken: SpokenScript,
    settings: Settings,
    workdir: Path,
    progress: Progress,
    cache: ClipCache | None = None,
    cores: int | None = None,
    started: Sequence[dict[str, Engine]] = (),
) -> list[list[Path]]:
    """One clip per sentence, so captions and timings are measured, not guessed. A clip in
    `cache` is copied instead of spoken; an engine opened here starts only for the first clip that is not.
    `cores` is this build's share of the machine (a batch of -j N builds shares it N ways).
    `started`: engines already starting, one set per lane (started_lanes), taken over here;
    those of lanes this build does not use are stopped as soon as that is known."""
    engines: dict[str, Engine] = dict(started[0]) if started else {}
    clips: list[list[Path]] = []
    identities: dict[VoiceProfile, str] = {}
    checked = False
    cached = 0

    def engine_for(profile: VoiceProfile) -> Engine:
        if profile.engine not in engines:
            engines[profile.engine] = open_engine(profile.engine)  # opening starts nothing
        return engines[profile.engine]

    def ready_engine(profile: VoiceProfile) -> Engine:
        nonlocal checked
        if not checked:  # every voice is checked before the first word is spoken
            for _, each in settings.voices:
                engine_for(each).check(each)
            for n, cue in enumerate(spoken.cues):
                if cue.cue.voice or cue.cue.rate:  # a script file's voice, checked as the profiles are
                    override = cue_profile(settings, cue.cue)
                    try:
                        engine_for(override).check(override)
                    except ConfigError as exc:
                        raise ConfigError(f"cue {n + 1} ({cue.cue.part.value}, voice={cue.cue.voice}): {exc}") from exc
            checked = True
        return engine_for(profile)

    jobs: list[_Job] = []
    try:
        for n, cue in enumerate(spoken.cues):
            profile = cue_profile(settings, cue.cue)
            clips.append([])
            for k, sentence in enumerate(cue.spoken):
                path = workdir / f"cue-{n:03d}-{k:03d}.wav"
                key = ""
                if cache:
                    if profile not in identities:
                        identities[profile] = engine_for(profile).cache_identity(profile)
                    key = clip_key(sentence.text, profile, identities[profile])
                if cache and cache.fetch(key, path):
                    cached += 1
                else:
                    jobs.append(_Job(n, k, sentence.text, cue.written[k], profile, path, key))
                clips[-1].append(path)
        done = _CueProgress([len(cue.spoken) for cue in spoken.cues], jobs, progress)

        def run(job: _Job, lane_engine: Callable[[VoiceProfile], Engine]) -> None:
            try:
                synthesize_checked(lane_engine(job.profile), job.text, job.profile, job.path)
                if cache:
                    cache.store(job.key, job.path)  # only a clip that passed the checks
            except SynthesisError as exc:
                # "exited with code -11" alone does not say which words to look at.
                where = f"cue {job.cue + 1}, sentence {job.sentence + 1} ({_first_words(job.written)})"
                raise SynthesisError(f"{where}: {exc}") from exc
            done.clip(job.cue)

        lanes = lane_count({job.profile.engine for job in jobs}, len(jobs), cores or os.cpu_count() or 1)
        stop_engines(started[lanes if jobs else 0 :])
        if jobs:
            first = jobs[0].profile
            speak = Lanes(
                jobs, run, lanes, prepare=lambda lane_engine: lane_engine(first).check(first), started=started[1:lanes]
            )
            speak.run(ready_engine, check=lambda: ready_engine(first))  # every voice, before any lane speaks
        done.rest()
        if cache:
            total = sum(map(len, clips))
            progress(f"clips from the cache: {cached} of {total} ({total - cached} spoken)")
    finally:
        done_with(engines, started[0] if started else {})
        if cache:
            cache.trim()  # also after a failed build: its stored clips count too
    return clips


@dataclass(frozen=True)
class _Job:
    cue: int
    sentence: int
    text: str  # as spoken
    written: str  # as the error names it
    profile: VoiceProfile
    path: Path
    key: str  # in the clip cache; "" without one


class _CueProgress:
    """ "spoke cue n/N" in cue order, as each cue's last clip is done, from whichever lane."""

    def __init__(self, sizes: list[int], jobs: list[_Job], progress: Progress) -> None:
        self._left = [0] * len(sizes)
        for job in jobs:
            self._left[job.cue] += 1
        self._next = 0
        self._lock = threading.Lock()
        self._progress = progress

    def clip(self, cue: int) -> None:
        with self._lock:
            self._left[cue] -= 1
            while self._next < len(self._left) and self._left[self._next] == 0:
                self._next += 1
                self._progress(f"spoke cue {self._next}/{len(self._left)}")

    def rest(self) -> None:
        """Cues whose clips all came from the cache."""
        with self._lock:
            while self._next < len(self._left) and self._left[self._next] == 0:
                self._next += 1
                self._progress(f"spoke cue {self._next}/{len(self._left)}")


def cue_profile(settings: Settings, cue: Cue) -> VoiceProfile:
    """The role's voice, with a script file's voice or rate for this cue."""
    profile = settings.profile(cue.role)
    return replace(profile, voice=cue.voice or profile.voice, rate=cue.rate or profile.rate)


def _first_words(text: str, count: int = 8) -> str:
    words = text.split()
    return repr(" ".join(words[:count]) + (" ..." if len(words) > count else ""))


def show_cover(settings: Settings) -> bytes:
    """The user's cover (validated) or one generated from the show's name."""
    return _cover_maker(settings)()


def _cover_maker(settings: Settings) -> Callable[[], bytes]:
    """What makes the show's cover: a user's cover is read and validated now (a bad one fails the
    build before anything is spoken), the default one is generated when called."""
    if settings.show.cover:
        from broadcast.publish.cover import validate_cover

        path = Path(settings.show.cover)
        validate_cover(path)
        image = path.read_bytes()
        return lambda: image

    def generated() -> bytes:
        from broadcast.publish.cover import generate_cover  # PIL: loaded by whoever calls this

        return generate_cover(settings.show.name, settings.show.author)

    return generated


def build_episode(
    article: Article,
    settings: Settings,
    output_root: Path,
    progress: Progress = lambda _: None,
    cache: ClipCache | None = None,
    now: datetime | None = None,
    pub_date: datetime | None = None,
    script: Script | None = None,
    write_feed: bool = True,
    cores: int | None = None,
    started: Sequence[dict[str, Engine]] = (),
) -> Episode:
    """`now` is the pubDate the episode gets if this is its first build (None: the article's date);
    `pub_date` replaces the pubDate whether or not it was published before. `script` is a
    script file's (see script/script_file.py), else the article's own. `write_feed=False`
    publishes the folder but leaves feed.xml and the show cover to a later publish_feed (a batch).
    `cores`: how many cores this build may use for speech (default: all of them). `started`:
    engines already starting (started_lanes), taken over by the speech stage."""
    from broadcast.publish.show_rules import check_show

    check_show(settings.show)  # before anything is written or spoken
    script = script or build_script(article, settings.casting)
    audio = settings.audio
    text = render_script(script, settings.rates, audio.pauses)
    cover_maker = _cover_maker(settings)
    prepare_root(output_root)
    clean_leftovers(output_root)
    spoken = speak_script(script, settings.lexicon, settings.profile)
    warming = _WarmUp(cover_maker)  # once only waiting on the speech workers is left
    with scratch_folder() as tmp:
        clips = synthesize_script(spoken, settings, tmp, progress, cache, cores, started)
        sentences = [cue.written for cue in spoken.cues]
        marks = [marked(s) for cue in spoken.cues for s in cue.spoken]  # one per clip, as timed
        from broadcast.audio.mix import assemble
        from broadcast.audio.music import MusicDecoding

        music = MusicDecoding(audio.music)  # decoded while the clips are joined
        track = assemble(script.cues, sentences, clips, gaps_ms(script, audio.pauses), audio.pauses, music.start)
    warming.imported()
    from broadcast.audio.master import master
    from broadcast.publish.episode import (
        COVER_FILE,
        SCRIPT_FILE,
        episode_name,
        episode_record,
        folder_of_guid,
        loudness_record,
        tag_values,
        text_outputs,
    )
    from broadcast.publish.feed import FEED_NAME, base_url
    from broadcast.publish.record import RECORD_NAME
    from broadcast.publish.review import REVIEW_NAME, render_review
    from broadcast.publish.tags import mp3_facts, write_tags

    name = episode_name(article, output_root)
    with episode_stage(output_root, name) as stage:
        mp3 = stage.path / "episode.mp3"
        timeline, loud, target = master(track, audio, mp3, progress, cores, music)
        feed_url = base_url(settings.show) + FEED_NAME
        cover, embedded = warming.covers()
        tags = tag_values(article, script, settings, timeline, text, embedded, feed_url)
        write_tags(mp3, tags, audio.id3_version)
        facts = mp3_facts(mp3)
        size = mp3.stat().st_size
        loudness = loudness_record(loud, target, audio.true_peak)
        record = episode_record(article, script, settings, timeline, facts, size, loudness)
        outputs = text_outputs(text, timeline, script)
        outputs[RECORD_NAME] = record.to_json()
        outputs[REVIEW_NAME] = render_review(record, timeline.sentences, marks, script.source)
        outputs[SCRIPT_FILE] = render_script_file(script_file(article, script))  # what to edit and rebuild
        for filename, content in outputs.items():
            (stage.path / filename).write_text(content, encoding="utf-8")
        (stage.path / COVER_FILE).write_bytes(cover)
        progress("wrote episode files")
        skipped = publish_feed(
            output_root, settings, cover, staged=stage, built_at=now, pub_date=pub_date, write_feed=write_feed
        )
    progress("updated feed" if write_feed else "published the episode")
    folder = output_root / (folder_of_guid(output_root, record.guid) or name)  # as settled under the lock
    return Episode(folder, folder / "episode.mp3", text, timeline, size, int(facts["duration_ms"]), skipped)


def publish_feed(
    output_root: Path,
    settings: Settings,
    cover: bytes,
    now: datetime | None = None,
    staged: Stage | None = None,
    built_at: datetime | None = None,
    pub_date: datetime | None = None,
    write_feed: bool = True,
) -> tuple[str, ...]:
    """Rewrite output/feed.xml (and the show cover) from every episode folder, under a lock.
    A staged episode is swapped in only once the new feed, with it, is rendered and checked
    and written beside feed.xml, so a failure leaves the output directory as it was. Its
    number and first publication are settled under the lock, so concurrent builds never share
    a number. Returns why each folder the feed left out was left out. `write_feed=False` (a batch,
    whose feed is written once at the end) checks that the staged episode renders as a feed item
    and swaps it in, without reading the other folders or writing feed.xml."""
    from broadcast.publish.episode import COVER_FILE, published_record
    from broadcast.publish.feed import FEED_NAME, prepare_feed, read_episode, recorded_episodes, render_feed
    from broadcast.publish.record import RECORD_NAME, EpisodeRecord

    with feed_lock(output_root), ExitStack() as pending:
        new = None
        if staged:
            path = staged.path / RECORD_NAME
            record = published_record(EpisodeRecord.read(path), recorded_episodes(output_root), built_at, pub_date)
            path.write_text(record.to_json(), encoding="utf-8")
            staged = _settled(staged, record.guid)
            new = read_episode(path, staged.name)
            if not write_feed:
                render_feed(settings.show, [new])
                staged.publish()
                return ()
        feed = prepare_feed(output_root, settings.show, now, staged=new)
        commits = [pending.enter_context(pending_file(output_root / FEED_NAME, feed.data))]
        cover_path = output_root / COVER_FILE
        if not cover_path.is_file() or cover_path.read_bytes() != cover:
            commits.append(pending.enter_context(pending_file(cover_path, cover)))
        if staged:
            staged.publish()
        for commit in commits:
            commit()
    return tuple(s.reason for s in feed.skipped)


def _settled(staged: Stage, guid: str) -> Stage:
    """The name the staged episode is published under, decided under the feed lock: the name
    chosen before speaking may since have been taken by another article built at the same time
    (a batch's two same-headline stories), whose folder must not be swapped away."""
    from broadcast.publish.record import RECORD_NAME, recorded_guid

    taken = staged.root / staged.name / RECORD_NAME
    if taken.exists() and recorded_guid(taken) != guid:
        return replace(staged, name=f"{staged.name}-{guid[:8]}")
    return staged


def remove_episode(output_root: Path, settings: Settings, which: str) -> tuple[str, tuple[str, ...]]:
    """Remove an episode folder and its feed item as one step, under the feed lock: the feed
    without it is rendered and written beside feed.xml, the folder moved aside, the feed put in
    place, and only then the folder deleted; a failure on the way puts everything back.
    Returns the folder's name and why each folder the feed left out was left out."""
    from broadcast.publish.episode import episode_folder
    from broadcast.publish.feed import FEED_NAME, prepare_feed

    if not output_root.is_dir():
        raise OutputError(f"{output_root}: output directory not found")
    with feed_lock(output_root), ExitStack() as pending:
        name = episode_folder(output_root, which)
        feed = prepare_feed(output_root, settings.show, removed=name)
        commit = pending.enter_context(pending_file(output_root / FEED_NAME, feed.data))
        with set_aside(output_root, name):
            commit()
    return name, tuple(s.reason for s in feed.skipped)
