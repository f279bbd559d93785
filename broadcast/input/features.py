"""Numbers that describe a line of a page, for the trained line scorer.

Every feature is about shape or place, not about one site: a line's length and
sentence shape, its function words, capitals, digits and punctuation, whether the page
prints it twice, where it sits against the densest run of prose on the page, and what
the pattern tables say about it (one group of features among several). The same
features of the lines above and below are added, so the scorer sees a caption between
two paragraphs differently from a caption among widgets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from broadcast.input.lines import Line
from broadcast.input.speakers import speaker_label
from broadcast.input.title import title_shaped

_DIGIT = re.compile(r"\d")
_PUNCT = re.compile(r"[|•·/:#@©_\[\]{}<>=+*~^]")
_QUOTE_START = re.compile(r"^[\"“‘']")

# Kinds the pattern tables give (see patterns.LineKind), plus those roles.py adds.
KINDS = (
    "site",
    "chrome",
    "banner",
    "date",
    "copyright",
    "byline",
    "credit",
    "caption",
    "attribution",
    "bio",
    "end",
    "prose",
    "heading",
    "other",
    "donation",
    "promo",
)

# Shape features of one line on its own; these are also taken from its neighbours.
SHAPE = (
    "log_words",
    "ends_sentence",
    "function_ratio",
    "capital_ratio",
    "digit_ratio",
    "symbol_ratio",
    "bulleted",
    "repeated",
    "title_shaped",
    "all_caps",
    "starts_lower",
    "speaker_label",
    "quote_start",
    "prose_shaped",
)
PLACE = ("in_dense_run", "before_run", "after_run", "log_gap_to_run", "page_position", "first_line", "last_line")
RULES = tuple(f"kind_{k}" for k in KINDS) + ("rule_value",)
NEIGHBOURS = tuple(f"{side}_{name}" for side in ("prev", "next") for name in SHAPE) + (
    "prev_kind_prose",
    "next_kind_prose",
)
BOILERPLATE = ("boilerplate",)  # any pattern-table hit, as one feature: the model without the rule kinds

# The feature sets compared by benchmarks/train_line_model.py.
FEATURE_SETS = {
    "shape": SHAPE + PLACE + NEIGHBOURS + BOILERPLATE,
    "shape+rules": SHAPE + PLACE + NEIGHBOURS + RULES,
}
_NOT_BOILERPLATE = frozenset({"prose", "heading", "other"})


def _shape(line: Line) -> dict[str, float]:
    text = line.text
    chars = max(len(text), 1)
    letters = [ch for ch in text if ch.isalpha()]
    return {
        "log_words": math.log1p(line.words),
        "ends_sentence": float(line.ends_sentence),
        "function_ratio": line.function_ratio,
        "capital_ratio": line.capital_ratio,
        "digit_ratio": len(_DIGIT.findall(text)) / chars,
        "symbol_ratio": len(_PUNCT.findall(text)) / chars,
        "bulleted": float(line.bulleted),
        "repeated": float(line.repeats > 1),
        "title_shaped": float(title_shaped(line)),
        "all_caps": float(len(letters) >= 4 and all(ch.isupper() for ch in letters)),
        "starts_lower": float(text[:1].islower()),
        "speaker_label": float(bool((label := speaker_label(text)) and label.rest)),  # "INSKEEP: Good ..."
        "quote_start": float(_QUOTE_START.match(text) is not None),
        "prose_shaped": float(line.words >= 12 and line.function_ratio >= 0.25),
    }


def _prose_value(line: Line) -> float:
    """Shape alone, no patterns: long sentences full of function words are the story."""
    if line.repeats > 1:
        return -0.5
    if line.ends_sentence and line.words >= 5 or line.words >= 12 and line.function_ratio >= 0.25:
        return min(line.words, 60) / 10 * (0.5 + line.function_ratio)
    return -0.6


def dense_run(lines: Sequence[Line]) -> tuple[int, int]:
    """[start, stop) of the densest run of prose-shaped lines, by shape alone."""
    from broadcast.input.roles import best_run

    return best_run([_prose_value(line) for line in lines])


def page_features(lines: Sequence[Line], kinds: Sequence[str], rule_values: Sequence[float]) -> list[dict[str, float]]:
    """Every feature of every line, by name."""
    n = len(lines)
    shapes = [_shape(line) for line in lines]
    start, stop = dense_run(lines)
    out: list[dict[str, float]] = []
    for i in range(n):
        f = dict(shapes[i])
        inside = start <= i < stop
        gap = 0 if inside else (start - i if i < start else i - stop + 1)
        f.update(
            in_dense_run=float(inside),
            before_run=float(i < start),
            after_run=float(i >= stop),
            log_gap_to_run=math.log1p(gap),
            page_position=i / max(n - 1, 1),
            first_line=float(i == 0),
            last_line=float(i == n - 1),
        )
        for k in KINDS:
            f[f"kind_{k}"] = float(kinds[i] == k)
        f["boilerplate"] = float(kinds[i] not in _NOT_BOILERPLATE)
        f["rule_value"] = max(min(rule_values[i], 5.0), -5.0)
        for side, j in (("prev", i - 1), ("next", i + 1)):
            neighbour = shapes[j] if 0 <= j < n else dict.fromkeys(shapes[i], 0.0)
            for name in SHAPE:
                f[f"{side}_{name}"] = neighbour[name]
            f[f"{side}_kind_prose"] = float(0 <= j < n and kinds[j] == "prose")
        out.append(f)
    return out
