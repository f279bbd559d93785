"""How well the plain-text extractor reads real pages it was not written for.

Runs `broadcast.input.plain.parse_article` on every page of the labelled corpus
(`../shared/corpus` from the repository root, or $BROADCAST_CORPUS, or
/work/shared/corpus) and prints, per page, right or wrong and why, then totals.

A page is right when:
- a page labelled body-less is refused with ArticleError; any other page is not;
- the headline equals the labelled headline (whitespace-normalized); on a page labelled
  without a headline, the title must be marked derived (Article.title_derived);
- the first and the last labelled body sentences occur in the body text (the body
  paragraphs and attribution lines; a dateline the parser took off may be missing);
- no line labelled with a non-body role, 25 characters or longer, occurs in that text.

Line-level figures: the "body" lines are those labelled body, speaker or attribution
(the lines that end up in the script's body). A labelled line counts as kept when it
equals a kept paragraph, or is 25+ characters and occurs inside one, or a kept
paragraph of 25+ characters occurs inside it (a dateline was taken off, or two lines
were joined). Short lines are only matched whole, so "Politics" in a sentence does not
count as a kept chrome line. Precision = kept body lines / kept lines; recall = kept
body lines / body lines.

The corpus is third-party text: it is read here at run time and never copied.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from broadcast.errors import ArticleError
from broadcast.model import Article

ROOT = Path(__file__).resolve().parent.parent
BODY_ROLES = frozenset({"body", "speaker", "attribution"})
LONG_LINE = 25  # a non-body line this long in the script is a defect a listener hears
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def corpus_dir() -> Path | None:
    """The first corpus that exists: $BROADCAST_CORPUS, ../shared/corpus, /work/shared/corpus."""
    candidates = [os.environ.get("BROADCAST_CORPUS", ""), ROOT.parent / "shared" / "corpus", "/work/shared/corpus"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "labels.json").is_file():
            return Path(candidate)
    return None


def norm(text: str) -> str:
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()


def _ranges(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out.extend(range(int(low), int(high or low) + 1))
    return out


@dataclass
class PageResult:
    file: str
    right: bool
    reasons: list[str]
    body_lines: int = 0
    kept_lines: int = 0
    kept_body_lines: int = 0
    ms: float = 0.0


@dataclass
class Totals:
    pages: list[PageResult] = field(default_factory=list)

    @property
    def right(self) -> int:
        return sum(p.right for p in self.pages)

    @property
    def precision(self) -> float:
        kept = sum(p.kept_lines for p in self.pages)
        return sum(p.kept_body_lines for p in self.pages) / kept if kept else 1.0

    @property
    def recall(self) -> float:
        body = sum(p.body_lines for p in self.pages)
        return sum(p.kept_body_lines for p in self.pages) / body if body else 1.0

    @property
    def ms_per_page(self) -> float:
        return sum(p.ms for p in self.pages) / len(self.pages) if self.pages else 0.0


def _kept(line: str, paragraphs: list[str], joined: str) -> bool:
    if line in paragraphs:
        return True
    if len(line) >= LONG_LINE and line in joined:
        return True
    return any(len(p) >= LONG_LINE and p in line for p in paragraphs)


def _sentence_present(sentence: str, joined: str) -> bool:
    from broadcast.input.plain import strip_dateline

    if sentence in joined:
        return True
    stripped, _ = strip_dateline([sentence])
    return bool(stripped) and stripped[0] in joined


def evaluate_page(corpus: Path, label: dict, parse: Callable[[str, str], Article]) -> PageResult:
    text = (corpus / label["file"]).read_text(encoding="utf-8")
    raw_lines = text.split("\n")
    roles: dict[int, str] = {}
    for role, spec in label["lines"].items():
        for number in _ranges(spec):
            roles[number] = role
    bodyless = label["kind"] == "bodyless"
    reasons: list[str] = []
    start = time.perf_counter()
    try:
        article: Article | None = parse(text, label["file"])
        refusal = ""
    except ArticleError as exc:
        article, refusal = None, str(exc)
    ms = (time.perf_counter() - start) * 1000
    body_lines = [norm(raw_lines[n - 1]) for n, r in roles.items() if r in BODY_ROLES]
    if article is None:
        if not bodyless:
            reasons.append(f"refused: {refusal}")
        return PageResult(label["file"], not reasons, reasons, body_lines=len(body_lines), ms=ms)
    if bodyless:
        reasons.append(f"body-less page not refused (headline {article.headline[:60]!r})")
    paragraphs = [norm(p) for p in (*article.body, *article.attribution)]
    joined = "\n".join(paragraphs)
    if not bodyless:
        if not label["headline"]:
            if not getattr(article, "title_derived", False):
                reasons.append(f"page has no headline, but {article.headline[:60]!r} was not marked derived")
        elif norm(article.headline) != norm(label["headline"]):
            reasons.append(f"headline {article.headline[:70]!r}, want {label['headline'][:70]!r}")
        for which in ("first", "last"):
            sentence = norm(label[f"{which}_body_sentence"])
            if sentence and not _sentence_present(sentence, joined):
                reasons.append(f"{which} body sentence missing: {sentence[:60]!r}")
    kept = kept_body = 0
    intruders: list[str] = []
    for number, role in sorted(roles.items()):
        line = norm(raw_lines[number - 1])
        if not _kept(line, paragraphs, joined):
            continue
        kept += 1
        if role in BODY_ROLES:
            kept_body += 1
        elif len(line) >= LONG_LINE:
            intruders.append(f"{role} line {number} {line[:50]!r}")
    if intruders:
        reasons.append(f"{len(intruders)} non-body line(s) in the script: " + "; ".join(intruders[:3]))
    return PageResult(label["file"], not reasons, reasons, len(body_lines), kept, kept_body, ms)


def evaluate(corpus: Path, parse: Callable[[str, str], Article] | None = None) -> Totals:
    if parse is None:
        from broadcast.input.plain import parse_article as parse
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    totals = Totals()
    for label in labels:
        totals.pages.append(evaluate_page(corpus, label, parse))
    return totals


def halves(totals: Totals) -> tuple[list[PageResult], list[PageResult]]:
    """The pages split by a fixed rule: a rule that fixes one half while breaking the other is overfitted."""
    ordered = sorted(totals.pages, key=lambda p: Path(p.file).name)
    return ordered[0::2], ordered[1::2]


def report(totals: Totals) -> str:
    out = []
    for page in totals.pages:
        mark = "right" if page.right else "WRONG"
        out.append(f"{mark:5}  {Path(page.file).name}")
        out.extend(f"         - {reason}" for reason in page.reasons)
    n = len(totals.pages)
    out.append("")
    out.append(f"pages right: {totals.right}/{n} ({100 * totals.right / n:.1f}%)")
    a, b = halves(totals)
    right_a, right_b = sum(p.right for p in a), sum(p.right for p in b)
    out.append(f"halves (sorted file names, even/odd): A {right_a}/{len(a)}, B {right_b}/{len(b)}")
    out.append(f"body lines: precision {totals.precision:.3f}, recall {totals.recall:.3f}")
    out.append(f"time: {totals.ms_per_page:.2f} ms per page")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: see module doc)")
    args = parser.parse_args(argv)
    corpus = args.corpus or corpus_dir()
    if corpus is None or not (corpus / "labels.json").is_file():
        print(
            "extraction_eval: no corpus found (set BROADCAST_CORPUS, or put it at ../shared/corpus)",
            file=sys.stderr,
        )
        return 2
    print(report(evaluate(corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
