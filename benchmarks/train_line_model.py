"""Train the line scorer on the labelled corpus, and compare extractors by k-fold cross-validation.

    python benchmarks/train_line_model.py            # k-fold figures for every extractor
    python benchmarks/train_line_model.py --write F  # also fit on all pages, write weights to F

Needs the `train` extra (scikit-learn). The corpus is read at run time from the same
place as extraction_eval.py; only numbers (feature names, scaling, weights) are written,
to the file --write names (none ship: see broadcast/input/line_model.py).

The k-fold figures are the ones to trust: pages are split into folds (stratified by the
page's kind), the model is trained on the other folds' pages and scored on the pages it
never saw, with the same page-level judgement as `make eval`. Extractors compared:
- rules: the hand-set run values, no model (what ships);
- model alone: the story run decoded from the model's log-odds, on the `shape` features
  (shape, place, neighbours, a pattern hit as one feature) or `shape+rules` (plus each
  pattern kind and the hand-set value as features);
- rules + model: the hand-set values corrected by the model's log-odds (roles.MODEL_WEIGHT).
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import extraction_eval  # noqa: E402

from broadcast.input import plain  # noqa: E402
from broadcast.input.features import FEATURE_SETS, page_features  # noqa: E402
from broadcast.input.line_model import LineModel  # noqa: E402

WRITTEN_SET = "shape+rules"
# name -> (feature set, model alone?); None: no model.
VARIANTS: dict[str, tuple[str, bool] | None] = {
    "rules": None,
    "model alone (shape)": ("shape", True),
    "model alone (shape+rules)": ("shape+rules", True),
    "rules + model (shape)": ("shape", False),
    "rules + model (shape+rules)": ("shape+rules", False),
}
C = 0.3  # inverse regularization strength: kept strong, 45 pages is little data


def page_rows(corpus: Path, label: dict) -> tuple[list[dict[str, float]], list[int]]:
    """Feature rows of a page's lines and whether each line is story (body, speaker, attribution)."""
    text = (corpus / label["file"]).read_text(encoding="utf-8")
    roles: dict[int, str] = {}
    for role, spec in label["lines"].items():
        for number in extraction_eval._ranges(spec):
            roles[number] = role
    lines, kinds, values = plain.line_evidence(text)
    rows = page_features(lines, kinds, values)
    return rows, [int(roles.get(line.number, "chrome") in extraction_eval.BODY_ROLES) for line in lines]


def fit(rows: list[dict[str, float]], ys: list[int], names: tuple[str, ...], alone: bool) -> LineModel:
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r[n] for n in names] for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    clf = LogisticRegression(C=C, max_iter=2000, class_weight="balanced")
    clf.fit((x - mean) / scale, np.array(ys))
    return LineModel(names, tuple(mean), tuple(scale), tuple(clf.coef_[0]), float(clf.intercept_[0]), alone=alone)


def folds(labels: list[dict], k: int, seed: int) -> list[list[int]]:
    """Page indices per fold, each kind dealt round-robin after a seeded shuffle."""
    rng = np.random.default_rng(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    turn = 0
    for kind in sorted({label["kind"] for label in labels}):
        pages = [i for i, label in enumerate(labels) if label["kind"] == kind]
        rng.shuffle(pages)
        for i in pages:
            out[turn % k].append(int(i))
            turn += 1
    return out


def cross_validate(corpus: Path, labels: list[dict], data: list, variant: tuple[str, bool] | None, k: int, seed: int):
    """Pages right and body precision/recall over pages each model never saw."""
    totals = extraction_eval.Totals()
    for test in folds(labels, k, seed):
        model = None
        if variant is not None:
            train = [i for i in range(len(labels)) if i not in test]
            rows, ys = [r for i in train for r in data[i][0]], [y for i in train for y in data[i][1]]
            model = fit(rows, ys, FEATURE_SETS[variant[0]], variant[1])
        for i in test:
            parse = partial(plain.parse_article, model=model)
            totals.pages.append(extraction_eval.evaluate_page(corpus, labels[i], parse))
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=3, help="repeat the k-fold split with this many shuffles")
    parser.add_argument("--write", type=Path, help=f"fit {WRITTEN_SET} on every page, write its weights here")
    args = parser.parse_args(argv)
    corpus = args.corpus or extraction_eval.corpus_dir()
    if corpus is None:
        print("train_line_model: no corpus found", file=sys.stderr)
        return 2
    labels = json.loads((corpus / "labels.json").read_text(encoding="utf-8"))
    data = [page_rows(corpus, label) for label in labels]
    n = len(labels)
    print(f"{n} pages, {sum(len(d[1]) for d in data)} lines; {args.folds}-fold by page, {args.seeds} shuffles")
    all_rows, all_ys = [r for d in data for r in d[0]], [y for d in data for y in d[1]]
    for name, variant in VARIANTS.items():
        rights, precisions, recalls = [], [], []
        for seed in range(args.seeds):
            totals = cross_validate(corpus, labels, data, variant, args.folds, seed)
            rights.append(totals.right)
            precisions.append(totals.precision)
            recalls.append(totals.recall)
        model = fit(all_rows, all_ys, FEATURE_SETS[variant[0]], variant[1]) if variant else None
        fit_right = extraction_eval.evaluate(corpus, partial(plain.parse_article, model=model)).right
        print(
            f"{name:28} k-fold pages right {np.mean(rights):.1f}/{n} ({100 * np.mean(rights) / n:.1f}%, "
            f"min {min(rights)} max {max(rights)}), precision {np.mean(precisions):.3f}, "
            f"recall {np.mean(recalls):.3f}; fit on all pages: {fit_right}/{n}"
        )
    if args.write:
        names = FEATURE_SETS[WRITTEN_SET]
        model = fit(all_rows, all_ys, names, alone=False)
        args.write.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.write} ({WRITTEN_SET}); largest weights (per standard deviation):")
        for weight, feature in sorted(zip(model.weights, names), key=lambda p: -abs(p[0]))[:15]:
            print(f"  {weight:+.2f}  {feature}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
