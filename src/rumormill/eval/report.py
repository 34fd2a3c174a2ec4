"""The JSON of an evaluation (../shared/DESIGN.md): benchmark, split, n, scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class EvalReport:
    benchmark: str
    split: str
    n: int
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "split": self.split,
            "n": self.n,
            "scores": {
                group: {k: round(v, 4) for k, v in metrics.items()}
                for group, metrics in self.scores.items()
            },
        }


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f1": f}
