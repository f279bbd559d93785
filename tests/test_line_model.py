"""The line features and the trained-model scorer (used by the k-fold comparison in benchmarks/)."""

from __future__ import annotations

import json

import pytest

from broadcast.input import plain
from broadcast.input.features import FEATURE_SETS, page_features
from broadcast.input.line_model import LineModel
from broadcast.input.roles import Role

PAGE = """Home | News | Music
Donate

Storm Knocks Out Power Across the Valley

A spring storm knocked out power to thousands of homes in the valley on Tuesday, the utility said.
Crews from three counties worked through the night to restore the lines that the wind had brought down.
Linemen pose next to a truck.
Linemen pose next to a truck.
Most customers should have power back by Thursday evening, according to the company.

Related Stories
"""


def _features(text: str) -> tuple[list[str], list[dict[str, float]]]:
    lines, kinds, values = plain.line_evidence(text)
    return [line.text for line in lines], page_features(lines, kinds, values)


def test_features_see_the_prose_run_and_repeated_captions() -> None:
    texts, rows = _features(PAGE)
    by_text = dict(zip(texts, rows, strict=True))
    lede = by_text[texts[3]]
    assert lede["in_dense_run"] == 1.0 and lede["ends_sentence"] == 1.0 and lede["function_ratio"] > 0.3
    assert by_text["Home | News | Music"]["before_run"] == 1.0
    assert by_text["Home | News | Music"]["symbol_ratio"] > 0
    assert by_text["Linemen pose next to a truck."]["repeated"] == 1.0
    assert by_text["Storm Knocks Out Power Across the Valley"]["title_shaped"] == 1.0
    for names in FEATURE_SETS.values():
        assert all(name in rows[0] for name in names)


def test_weights_round_trip_through_json_and_score_the_same() -> None:
    names = FEATURE_SETS["shape"]
    model = LineModel(names, (0.0,) * len(names), (1.0,) * len(names), tuple(0.1 * i for i in range(len(names))), -0.5)
    again = LineModel.from_json(json.loads(json.dumps(model.to_json())))
    _, rows = _features(PAGE)
    assert again.score(rows) == pytest.approx(model.score(rows), abs=1e-4)


def test_a_model_alone_decides_the_story_run() -> None:
    """A model that only trusts long sentences keeps the paragraphs and drops the rest."""
    names = FEATURE_SETS["shape"]
    weights = tuple(4.0 if n == "prose_shaped" else -2.0 if n == "repeated" else 0.0 for n in names)
    model = LineModel(names, (0.0,) * len(names), (1.0,) * len(names), weights, -1.0, alone=True)
    judged = plain.judge_lines(PAGE, model)
    body = [j.line.text for j in judged if j.role == Role.BODY]
    assert len(body) == 3 and body[0].startswith("A spring storm")
    assert "Linemen pose next to a truck." not in body
    assert plain.parse_article(PAGE, model=model).headline == "Storm Knocks Out Power Across the Valley"
