"""Sparse linear models: the one kind of learned scorer behind certainty, hedge cues and stance.

A row is a mapping from feature name to value (1.0 for an indicator).  A model is a bias and a
weight per feature, so that a score is explained by the features that made it
(`contributions`).  Models are fitted here, in numpy, by full-batch Adam on a convex loss with
an L2 penalty: no randomness, so the same rows give the same model, byte for byte, on any
machine with the same numpy.  They are stored as JSON (weights rounded to 6 places) and read
back without numpy's help at prediction time: scoring a row is a dictionary walk.

Losses: `squared` and `huber` (delta 1.0 by default; a small delta fits the median, as an absolute
error does) fit a score, `logistic` fits the probability of a
binary label (targets 0 or 1).  `Classifier` is one logistic model per class, one against the
rest; it predicts the class whose model scores highest.  `in_domain` and `for_domain` give a
model shared weights and weights of its own per domain (data set, genre).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rumormill.errors import Errors, ModelError

Row = Mapping[str, float]
LOSSES = ("squared", "huber", "logistic")
HUBER_DELTA = 1.0
FORMAT = "rumormill-linear/1"
# Domain copies of the features are named `d=<domain>|<feature>` (`in_domain`).
DOMAIN_PREFIX = "d="


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


@dataclass(frozen=True)
class LinearModel:
    """A bias and one weight per feature; features it does not know weigh nothing."""

    loss: str
    bias: float
    weights: Mapping[str, float]
    meta: Mapping[str, Any] = field(default_factory=dict)

    def raw(self, row: Row) -> float:
        """The linear score: bias + sum of weight x value."""
        get = self.weights.get
        return self.bias + sum(get(name, 0.0) * value for name, value in row.items())

    def predict(self, row: Row) -> float:
        """The score (squared, huber) or the probability of the positive class (logistic)."""
        raw = self.raw(row)
        return _sigmoid(raw) if self.loss == "logistic" else raw

    def contributions(self, row: Row) -> list[tuple[str, float]]:
        """(feature, weight x value) of the known features of `row`, largest effect first."""
        found = [(n, self.weights[n] * v) for n, v in row.items() if n in self.weights]
        return sorted(found, key=lambda item: (-abs(item[1]), item[0]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "loss": self.loss,
            "bias": round(self.bias, 6),
            "meta": dict(self.meta),
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items())},
        }

    @classmethod
    def from_dict(cls, data: Any, *, path: Path | str = "<model>") -> LinearModel:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ModelError(Errors.E021, path=path, reason=f"not a {FORMAT} model")
        loss, bias, weights = data.get("loss"), data.get("bias"), data.get("weights")
        if loss not in LOSSES:
            raise ModelError(Errors.E021, path=path, reason=f"unknown loss {loss!r}")
        if not isinstance(bias, int | float) or not isinstance(weights, dict):
            raise ModelError(Errors.E021, path=path, reason="'bias' or 'weights' malformed")
        if not all(isinstance(w, int | float) for w in weights.values()):
            raise ModelError(Errors.E021, path=path, reason="a weight is not a number")
        meta = data.get("meta") or {}
        return cls(loss=loss, bias=float(bias), weights=dict(weights), meta=dict(meta))

    def save(self, path: Path) -> None:
        write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        return cls.from_dict(read_json(path), path=path)


@dataclass(frozen=True)
class Classifier:
    """One logistic model per class, one against the rest."""

    models: Mapping[str, LinearModel]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        return sorted(self.models)

    def scores(self, row: Row) -> dict[str, float]:
        return {label: model.raw(row) for label, model in sorted(self.models.items())}

    def predict(self, row: Row) -> str:
        scores = self.scores(row)
        return max(scores, key=lambda label: (scores[label], label))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "meta": dict(self.meta),
            "classes": {label: m.to_dict() for label, m in sorted(self.models.items())},
        }

    @classmethod
    def from_dict(cls, data: Any, *, path: Path | str = "<model>") -> Classifier:
        classes = data.get("classes") if isinstance(data, dict) else None
        if not isinstance(classes, dict) or not classes:
            raise ModelError(Errors.E021, path=path, reason="no 'classes' in the classifier")
        models = {str(k): LinearModel.from_dict(v, path=path) for k, v in classes.items()}
        return cls(models=models, meta=dict(data.get("meta") or {}))

    def save(self, path: Path) -> None:
        write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: Path) -> Classifier:
        return cls.from_dict(read_json(path), path=path)


def in_domain(row: Row, domain: str) -> dict[str, float]:
    """A row with a copy of every feature for `domain` (the "frustratingly easy" domain
    adaptation of Daume 2007): the plain feature learns what the domains share, the copy what
    is particular to this one.  A row carries a `bias` feature so that each domain also has a
    bias of its own."""
    return {**row, **{f"{DOMAIN_PREFIX}{domain}|{k}": v for k, v in row.items()}}


def for_domain(model: LinearModel, domain: str | None) -> LinearModel:
    """The model as one domain sees it: each plain weight plus its domain copy's, folded once,
    so that scoring a plain row costs no more than with a plain model (None: shared only)."""
    prefix = f"{DOMAIN_PREFIX}{domain}|" if domain else None
    weights: dict[str, float] = {}
    for name, weight in model.weights.items():
        if name.startswith(DOMAIN_PREFIX):
            if prefix is None or not name.startswith(prefix):
                continue
            name = name[len(prefix) :]
        weights[name] = weights.get(name, 0.0) + weight
    return LinearModel(loss=model.loss, bias=model.bias, weights=weights, meta=model.meta)


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ModelError(Errors.E021, path=path, reason="no such file") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(Errors.E021, path=path, reason=str(e)) from e


# --- fitting -----------------------------------------------------------------------------------


def vocabulary(rows: Iterable[Row], min_count: int) -> list[str]:
    """Features seen in at least `min_count` rows, sorted."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(name for name, value in row.items() if value)
    return sorted(name for name, n in counts.items() if n >= min_count)


def fit(
    rows: Sequence[Row],
    targets: Sequence[float],
    *,
    loss: str = "squared",
    l2: float = 1e-3,
    min_count: int = 2,
    steps: int = 400,
    learning_rate: float = 0.05,
    sample_weights: Sequence[float] | None = None,
    delta: float = HUBER_DELTA,
    meta: Mapping[str, Any] | None = None,
) -> LinearModel:
    """Fit a model to (row, target) pairs by full-batch Adam; deterministic.

    `l2` is the penalty on the weights (not the bias) per unit of (weighted) data;
    `min_count` drops features seen in fewer rows (they could not be learned anyway)."""
    import numpy as np

    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {LOSSES}")
    if len(rows) != len(targets) or not rows:
        raise ValueError("fit needs as many targets as rows, and at least one row")
    names = vocabulary(rows, min_count)
    index = {name: i for i, name in enumerate(names)}
    row_ids: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, row in enumerate(rows):
        for name, value in row.items():
            j = index.get(name)
            if j is not None and value:
                row_ids.append(r)
                cols.append(j)
                vals.append(float(value))
    rid = np.asarray(row_ids, dtype=np.int64)
    col = np.asarray(cols, dtype=np.int64)
    val = np.asarray(vals, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    n, d = len(rows), len(names)
    sw = np.ones(n) if sample_weights is None else np.asarray(sample_weights, dtype=np.float64)
    sw = sw / sw.sum()
    # Start the bias where the loss is least for a constant predictor.
    mean = float(np.dot(sw, y))
    if loss == "logistic":
        mean = min(max(mean, 1e-6), 1 - 1e-6)
        bias = math.log(mean / (1 - mean))
    else:
        bias = mean
    w = np.zeros(d)
    params = np.zeros(d + 1)
    params[d] = bias
    m = np.zeros(d + 1)
    v = np.zeros(d + 1)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        w = params[:d]
        pred = np.bincount(rid, weights=val * w[col], minlength=n) + params[d]
        if loss == "logistic":
            residual = 1.0 / (1.0 + np.exp(-pred)) - y
        elif loss == "huber":
            residual = np.clip(pred - y, -delta, delta)
        else:
            residual = pred - y
        g_row = sw * residual
        grad = np.empty(d + 1)
        grad[:d] = np.bincount(col, weights=val * g_row[rid], minlength=d) + l2 * w
        grad[d] = g_row.sum()
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad * grad
        rate = learning_rate * math.sqrt(1 - beta2**step) / (1 - beta1**step)
        params = params - rate * m / (np.sqrt(v) + eps)
    w = params[:d]
    weights = {name: float(w[i]) for i, name in enumerate(names) if abs(w[i]) >= 5e-7}
    info: dict[str, Any] = {"rows": n, "features": d, "l2": l2, "min_count": min_count}
    info.update(steps=steps, learning_rate=learning_rate)
    if loss == "huber":
        info["delta"] = delta
    return LinearModel(
        loss=loss, bias=float(params[d]), weights=weights, meta={**info, **(meta or {})}
    )


def fit_classes(
    rows: Sequence[Row],
    labels: Sequence[str],
    *,
    l2: float = 1e-3,
    min_count: int = 2,
    steps: int = 400,
    learning_rate: float = 0.05,
    meta: Mapping[str, Any] | None = None,
) -> Classifier:
    """One logistic model per label seen, one against the rest."""
    models = {
        label: fit(
            rows,
            [1.0 if y == label else 0.0 for y in labels],
            loss="logistic",
            l2=l2,
            min_count=min_count,
            steps=steps,
            learning_rate=learning_rate,
        )
        for label in sorted(set(labels))
    }
    return Classifier(models=models, meta=dict(meta or {}))
