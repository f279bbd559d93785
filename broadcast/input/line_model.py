"""The trained line scorer: log-odds that a line is part of the story.

A logistic regression over `features.page_features`, trained from the labelled corpus
by benchmarks/train_line_model.py; scoring is a dot product in plain Python, so
scikit-learn is needed to train, never to run. Measured by k-fold over pages it does
not beat the hand-set rules on this corpus, so no weights ship and `parse_article`
runs without a model; the training script writes weights (numbers and feature names
only) when asked, and `parse_article(..., model=LineModel.from_json(...))` uses them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LineModel:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    # A story run must add up to this much; less is a page without a story.
    min_run: float = 0.0
    # True: the log-odds alone decide the story run; False: they correct the hand-set values.
    alone: bool = False

    def log_odds(self, features: Mapping[str, float]) -> float:
        total = self.intercept
        for name, mean, scale, weight in zip(self.features, self.mean, self.scale, self.weights, strict=True):
            total += weight * (features[name] - mean) / scale
        return total

    def score(self, pages: Sequence[Mapping[str, float]]) -> list[float]:
        return [self.log_odds(f) for f in pages]

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "weights": [round(v, 6) for v in self.weights],
            "intercept": round(self.intercept, 6),
            "min_run": self.min_run,
            "alone": self.alone,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LineModel:
        return cls(
            features=tuple(data["features"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            weights=tuple(data["weights"]),
            intercept=float(data["intercept"]),
            min_run=float(data.get("min_run", 0.0)),
            alone=bool(data.get("alone", False)),
        )
