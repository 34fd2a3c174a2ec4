"""Sparse linear models: fitting on hand-made rows, prediction, explanation, and the JSON
they are stored in (read back, and refused with E021 when malformed)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rumormill.errors import Errors, ModelError
from rumormill.nlp.linear import Classifier, LinearModel, fit, fit_classes, vocabulary


def rows_and_targets() -> tuple[list[dict[str, float]], list[float]]:
    """Three kinds of row, each with its own target: 3.0, -2.0 and 0.5."""
    rows: list[dict[str, float]] = []
    targets: list[float] = []
    for i in range(300):
        kind = i % 3
        rows.append({("a", "b", "c")[kind]: 1.0, "shared": 1.0})
        targets.append((3.0, -2.0, 0.5)[kind])
    return rows, targets


@pytest.mark.parametrize("loss", ["squared", "huber"])
def test_fit_recovers_each_kind_of_row(loss: str) -> None:
    rows, targets = rows_and_targets()
    model = fit(rows, targets, loss=loss, l2=1e-5, steps=800)
    for row, expected in ((rows[0], 3.0), (rows[1], -2.0), (rows[2], 0.5)):
        assert model.predict(row) == pytest.approx(expected, abs=0.05)
    assert model.meta["rows"] == 300


def test_small_huber_delta_fits_the_median_not_the_mean() -> None:
    rows = [{"x": 1.0}] * 10
    targets = [3.0] * 7 + [-3.0] * 3  # mean 1.2, median 3.0
    squared = fit(rows, targets, loss="squared", l2=0.0, min_count=1, steps=800)
    median = fit(rows, targets, loss="huber", delta=0.05, l2=0.0, min_count=1, steps=2000)
    assert squared.predict({"x": 1.0}) == pytest.approx(1.2, abs=0.05)
    assert median.predict({"x": 1.0}) > 2.5


def test_the_same_rows_give_the_same_model() -> None:
    rows, targets = rows_and_targets()
    first = fit(rows, targets, steps=50).to_dict()
    assert fit(rows, targets, steps=50).to_dict() == first


def test_rare_features_are_dropped_and_unknown_ones_weigh_nothing() -> None:
    rows, targets = rows_and_targets()
    rows[0] = {**rows[0], "once": 1.0}
    model = fit(rows, targets, min_count=2, steps=50)
    assert "once" not in model.weights
    assert model.predict({"never seen": 1.0}) == model.bias
    assert vocabulary([{"a": 1.0, "b": 0.0}, {"a": 1.0}], 2) == ["a"]


def test_contributions_explain_a_score() -> None:
    model = LinearModel(loss="squared", bias=1.0, weights={"a": 2.0, "b": -0.5, "c": 0.1})
    row = {"a": 1.0, "b": 2.0, "z": 1.0}
    assert model.contributions(row) == [("a", 2.0), ("b", -1.0)]
    assert model.raw(row) == pytest.approx(1.0 + 2.0 - 1.0)


def test_logistic_gives_probabilities_and_classes_one_against_the_rest() -> None:
    rows = [{"w": 1.0}, {"v": 1.0}, {"u": 1.0}] * 40
    labels = ["for", "against", "observing"] * 40
    classifier = fit_classes(rows, labels, steps=300)
    assert classifier.classes == ["against", "for", "observing"]
    assert [classifier.predict(r) for r in rows[:3]] == ["for", "against", "observing"]
    p = classifier.models["for"].predict({"w": 1.0})
    assert 0.5 < p < 1.0


def test_fit_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown loss"):
        fit([{"a": 1.0}], [1.0], loss="hinge")
    with pytest.raises(ValueError, match="as many targets"):
        fit([{"a": 1.0}], [1.0, 2.0])


def test_save_and_load(tmp_path: Path) -> None:
    rows, targets = rows_and_targets()
    model = fit(rows, targets, steps=50, meta={"trained_on": "hand-made rows"})
    model.save(tmp_path / "m.json")
    again = LinearModel.load(tmp_path / "m.json")
    assert again.meta["trained_on"] == "hand-made rows"
    assert again.predict(rows[0]) == pytest.approx(model.predict(rows[0]), abs=1e-4)
    classifier = Classifier(models={"x": model, "y": again})
    classifier.save(tmp_path / "c.json")
    assert Classifier.load(tmp_path / "c.json").classes == ["x", "y"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "Expecting value"),
        ('{"format": "other"}', "not a rumormill-linear/1 model"),
        ('{"format": "rumormill-linear/1", "loss": "hinge"}', "unknown loss"),
        ('{"format": "rumormill-linear/1", "loss": "squared", "bias": 0}', "malformed"),
        (
            '{"format": "rumormill-linear/1", "loss": "squared", "bias": 0, "weights": {"a": "x"}}',
            "not a number",
        ),
    ],
)
def test_a_bad_model_file_is_e021(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        LinearModel.load(path)
    assert caught.value.code is Errors.E021
    assert str(path) in str(caught.value)
    assert reason in str(caught.value)
    with pytest.raises(ModelError, match="no such file"):
        LinearModel.load(tmp_path / "missing.json")
    with pytest.raises(ModelError, match="no 'classes'"):
        Classifier.from_dict({"format": "rumormill-linear/1"})


names = st.text(min_size=1, max_size=12)
weights = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


@given(
    bias=weights,
    table=st.dictionaries(names, weights, max_size=20),
    row=st.dictionaries(names, weights, max_size=10),
)
def test_any_model_reads_back_as_it_was_written(
    bias: float, table: dict[str, float], row: dict[str, float]
) -> None:
    model = LinearModel(loss="squared", bias=bias, weights=table)
    again = LinearModel.from_dict(json.loads(json.dumps(model.to_dict())))
    assert set(again.weights) == {k for k in table}
    assert math.isclose(again.predict(row), model.predict(row), rel_tol=1e-6, abs_tol=1e-2)
