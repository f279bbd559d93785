"""review.html: the page a producer listens and reads on, side by side, from the episode folder.

Pure: the episode's record, its measured sentence timings and each sentence's marked spoken
form go in, one self-contained HTML page comes out (no clock, no network, no paths). The page's
markup, style and script live in review_page.html beside this module; every value filled in is
escaped here, and the page's Content-Security-Policy admits only its own inline style and script
(by hash) and the MP3 beside it, so a headline holding markup is text and nothing is fetched.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template

from broadcast.errors import InputError
from broadcast.input.web_url import is_web_url
from broadcast.model import SentenceTiming
from broadcast.publish.record import RECORD_NAME, EpisodeRecord, LoudnessRecord

REVIEW_NAME = "review.html"
# A change in marked() notation: "{2019 → twenty nineteen}".
_CHANGE = re.compile(r"\{[^{}]*? → [^{}]*?\}")


@cache
def _template() -> tuple[Template, str]:
    page = files("broadcast.publish").joinpath("review_page.html").read_text(encoding="utf-8")
    policy = "; ".join(
        (
            "default-src 'none'",
            f"style-src {_hash(page, 'style')}",
            f"script-src {_hash(page, 'script')}",
            "media-src 'self'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    return Template(page), policy


def _hash(page: str, tag: str) -> str:
    (body,) = re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.DOTALL)
    return f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"


def render_review(
    record: EpisodeRecord, sentences: Sequence[SentenceTiming], marks: Sequence[str], source: str = ""
) -> str:
    """The review page. `sentences` are the clips as placed in the final audio (Timeline.sentences)
    and `marks[i]` is sentence i's spoken form in marked() notation; `source` is the station or
    publication the script names (the record's site when empty)."""
    if len(marks) != len(sentences):
        raise ValueError(f"{len(sentences)} sentence timings but {len(marks)} spoken forms")
    template, policy = _template()
    return template.substitute(
        lang=escape(record.language or "en"),
        policy=policy,
        generator=escape(record.generator),
        title=escape(record.title),
        facts=_facts(record, source or record.site),
        audio=escape(record.audio.file),
        chapters="\n".join(
            f'<li><button type="button" data-start="{c.start_ms}"><time>{_clock(c.start_ms)}</time> '
            f"{escape(c.title)}</button></li>"
            for c in record.chapters
        ),
        loudness=_loudness(record.loudness, record.audio.duration_ms),
        cues=_cues(record, sentences, marks),
    )


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def _facts(record: EpisodeRecord, source: str) -> str:
    when = record.published.strftime("%Y-%m-%d %H:%M %Z").strip() if record.published else "unknown"
    link = ""
    if is_web_url(record.source_url):  # never a javascript: link
        link = f' (<a href="{escape(record.source_url)}" rel="noreferrer">{escape(record.source_url)}</a>)'
    rows = (
        ("Source", escape(source or "unknown") + link),
        ("Date", escape(when)),
        ("Authors", escape(", ".join(record.authors) or "unknown")),
    )
    return "\n".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)


def _loudness(loud: LoudnessRecord | None, duration_ms: int) -> str:
    rows = [("Duration", f'<span id="duration">{_clock(duration_ms)}</span>')]
    if loud is not None:
        peak = "below" if loud.true_peak_dbtp <= loud.true_peak_ceiling_dbtp else "above"
        rows += [
            (
                "Integrated loudness",
                f"{loud.integrated_lufs:.1f} LUFS (target {loud.target_lufs:.1f} LUFS, "
                f"{round(loud.integrated_lufs - loud.target_lufs, 1) + 0.0:+.1f} LU)",  # + 0.0: never "-0.0"
            ),
            ("Loudness range", f"{loud.range_lu:.1f} LU"),
            (
                "True peak",
                f"{loud.true_peak_dbtp:.1f} dBTP ({peak} the ceiling of {loud.true_peak_ceiling_dbtp:.1f} dBTP)",
            ),
        ]
    return "\n".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows)


def _marked_html(marked: str) -> str:
    out, at = [], 0
    for m in _CHANGE.finditer(marked):
        out += [escape(marked[at : m.start()]), f'<mark class="change">{escape(m.group())}</mark>']
        at = m.end()
    out.append(escape(marked[at:]))
    return "".join(out)


def _cues(record: EpisodeRecord, sentences: Sequence[SentenceTiming], marks: Sequence[str]) -> str:
    by_cue: dict[int, list[str]] = {}
    for n, (s, mark) in enumerate(zip(sentences, marks)):
        by_cue.setdefault(s.cue, []).append(
            f'<span class="s" id="s{n + 1}" tabindex="0" role="button" data-start="{s.start_ms}" '
            f'data-end="{s.end_ms}"><span class="written-form">{escape(s.text)}</span>'
            f'<span class="spoken-form">{_marked_html(mark)}</span></span>'
        )
    blocks = []
    for n, cue in enumerate(record.cues):
        who = f"{cue.role}: {cue.speaker}" if cue.speaker else cue.role
        blocks.append(
            f'<section class="cue" id="cue{n + 1}" aria-labelledby="cue{n + 1}-head">\n'
            f'<h3 class="cue-head" id="cue{n + 1}-head"><span>[{n + 1:02d}] {escape(cue.part.value)}</span> '
            f'<span class="who">{escape(who)}</span> '
            f'<button type="button" data-start="{cue.start_ms}" aria-label="Play cue {n + 1} from '
            f'{_clock(cue.start_ms)}"><time>{_clock(cue.start_ms)}</time></button></h3>\n'
            f"<p>{' '.join(by_cue.get(n, ()))}</p>\n</section>"
        )
    return "\n".join(blocks)


def find_review_page(episode: str, output_root: Path) -> Path:
    """EPISODE's review.html: a folder name in `output_root`, else a path to an episode folder."""
    folder = next((p for p in (output_root / episode, Path(episode)) if episode and p.is_dir()), None)
    if folder is None:
        raise InputError(
            f"{episode or repr(episode)}: no episode folder of that name in {output_root}, nor at that path"
        )
    page = folder / REVIEW_NAME
    if page.is_file():
        return page
    if (folder / RECORD_NAME).is_file():
        raise InputError(f"{folder}: no {REVIEW_NAME} (built by an older broadcast: rebuild the episode)")
    raise InputError(f"{folder}: not an episode folder (no {RECORD_NAME})")
