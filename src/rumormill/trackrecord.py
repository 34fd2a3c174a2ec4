"""Track records: how well a source's or an outlet's certainty matched the outcomes of its claims.

The arithmetic only, independent of the store: a caller gathers, for one source, a `Forecast`
per claim it made (the certainty it sounded, the claim's outcome) and gets its `TrackRecord`.

**Certainty -> implied probability** (`implied_probability`).  A certainty score (-3..+3, the
factuality scale of ../shared/DESIGN.md) is read as the probability the source implies that the
claim is true, piecewise-linear through one knot per label, at the middle of the label's band:

    score        -3 .. -2.75   -1.75    0      +1.75   +2.75 .. +3
    label        denied        doubted  possible  probable  asserted
    probability  0.05          0.25     0.50   0.75    0.95

clamped at 0.05 below -2.75 and 0.95 above +2.75, linear between knots, and symmetric
(p(-s) = 1 - p(s)).  The knots follow Sherman Kent's "words of estimative probability" (the
CIA's 1964 scale: "almost certain" 93 %, "probable" 75 %, "chances about even" 50 %,
"probably not" 30 %, "almost certainly not" 7 %), rounded to a symmetric scale.  Even a flat
assertion ("said", +3) implies 0.95, not 1: a source that asserts a false claim scores a Brier
of 0.9025, not 1, and a single miss does not ruin a long record.  At the label boundaries the
probability is p(+2.5) = 0.90, p(+1) ~ 0.643, p(-1) ~ 0.357, p(-2.5) = 0.10.

**Outcomes -> values** (`outcome_value`): `true` 1, `false` 0, `partly` 0.5; `unresolved`
is counted but left out of every score.

**A record** (`TrackRecord`, made by `track_record`):

- `counts`: forecasts by outcome (every outcome, `unresolved` included); `resolved` their
  number without `unresolved`.
- `brier`: the mean of (implied probability - outcome value)^2 over the resolved forecasts,
  in 0..1 (0: every forecast certain and right); `None` with none resolved.
- `reference_brier` and `skill`: the Brier score of a constant forecast (`base_rate`, 0.5 by
  default: a source that always sounds uncommitted; a caller may pass the share of true
  claims of the whole population instead) on the same outcomes, and the Brier skill score
  1 - brier / reference_brier (1: perfect, 0: no better than the constant, negative: worse);
  `None` when the reference is 0 (every outcome equal to the base rate).
- `calibration`: one row per certainty label (`LABELS`, from `asserted` to `denied`), of the
  resolved forecasts whose probability falls in that label's band (`label_of_probability`;
  the same bands as the score's labels, carried over by the mapping): `n`, the mean implied
  probability, and the observed frequency (the mean outcome value: with `partly` at 0.5, "how
  often it was right" counts a partly true claim as half right).  A label with no forecast has
  a row with n 0 and `None` for the means.

Forecasts may also carry a probability directly (`Forecast(probability, outcome)`), for a
record made of verdicts (LIAR) or of stances (Emergent) rather than of certainty scores.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rumormill.errors import Errors, InputError
from rumormill.nlp import certainty

SCALE = 3.0
# (score, probability) knots, ascending: the middle of each label's band (the asserted and
# denied bands end at +-3, their middle at +-2.75).
KNOTS: tuple[tuple[float, float], ...] = (
    (-2.75, 0.05),
    (-1.75, 0.25),
    (0.0, 0.5),
    (1.75, 0.75),
    (2.75, 0.95),
)
# The DESIGN.md labels, from most to least committed, and the lowest score of each (the
# boundary belongs to the label nearer the ends, as `nlp.certainty.label` has it).
LABELS = ("asserted", "probable", "possible", "doubted", "denied")
OUTCOMES = ("true", "false", "partly", "unresolved")
OUTCOME_VALUES: Mapping[str, float] = {"true": 1.0, "false": 0.0, "partly": 0.5}
UNRESOLVED = "unresolved"
BASE_RATE = 0.5


def implied_probability(score: float) -> float:
    """The probability that the claim is true implied by a certainty score (see the module
    docstring); scores outside -3..+3 are clamped."""
    xs = [x for x, _ in KNOTS]
    if score <= xs[0]:
        return KNOTS[0][1]
    if score >= xs[-1]:
        return KNOTS[-1][1]
    k = bisect.bisect_right(xs, score)
    (x0, y0), (x1, y1) = KNOTS[k - 1], KNOTS[k]
    return y0 + (y1 - y0) * (score - x0) / (x1 - x0)


def label_of_score(score: float) -> str:
    """The DESIGN.md label of a certainty score: `nlp.certainty.label`, the one definition."""
    return certainty.label(score)


# The probability bands of the labels: the score boundaries carried over by the mapping.
_HIGH = (implied_probability(2.5), implied_probability(1.0))
_LOW = (implied_probability(-1.0), implied_probability(-2.5))


def label_of_probability(probability: float) -> str:
    """The label whose band of scores maps to `probability` (the inverse of the mapping, on
    the labels): asserted >= p(+2.5) = 0.90, probable >= p(+1), possible > p(-1), doubted >
    p(-2.5) = 0.10, denied below."""
    if probability >= _HIGH[0]:
        return "asserted"
    if probability >= _HIGH[1]:
        return "probable"
    if probability > _LOW[0]:
        return "possible"
    if probability > _LOW[1]:
        return "doubted"
    return "denied"


def outcome_value(outcome: str) -> float | None:
    """1 (true), 0 (false), 0.5 (partly), None (unresolved); E120 for anything else."""
    if outcome == UNRESOLVED:
        return None
    value = OUTCOME_VALUES.get(outcome)
    if value is None:
        raise InputError(Errors.E120, outcome=outcome, outcomes=", ".join(OUTCOMES))
    return value


@dataclass(frozen=True)
class Forecast:
    """One claim of a source: the probability it implied that the claim is true, and the
    claim's outcome (`OUTCOMES`)."""

    probability: float
    outcome: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"a probability in 0..1, got {self.probability}")
        outcome_value(self.outcome)

    @classmethod
    def from_certainty(cls, score: float, outcome: str) -> Forecast:
        """The forecast of a claim made with this certainty score."""
        return cls(implied_probability(score), outcome)


@dataclass(frozen=True)
class CalibrationRow:
    """The resolved forecasts of one certainty label: how many, the probability they implied
    on average, and how often the claims were true (the mean outcome value)."""

    label: str
    n: int
    implied: float | None
    observed: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "n": self.n,
            "implied": self.implied,
            "observed": self.observed,
        }


@dataclass(frozen=True)
class TrackRecord:
    """A source's record over its forecasts (see the module docstring)."""

    counts: Mapping[str, int]
    resolved: int
    brier: float | None
    reference_brier: float | None
    skill: float | None
    base_rate: float
    calibration: tuple[CalibrationRow, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {outcome: self.counts.get(outcome, 0) for outcome in OUTCOMES},
            "resolved": self.resolved,
            "brier": self.brier,
            "reference_brier": self.reference_brier,
            "skill": self.skill,
            "base_rate": self.base_rate,
            "calibration": [row.to_dict() for row in self.calibration],
        }


def brier(pairs: Iterable[tuple[float, float]]) -> float | None:
    """The mean squared difference of (probability, outcome value) pairs; None when empty."""
    total = 0.0
    n = 0
    for probability, value in pairs:
        total += (probability - value) ** 2
        n += 1
    return total / n if n else None


def track_record(forecasts: Iterable[Forecast], *, base_rate: float = BASE_RATE) -> TrackRecord:
    """The record of one source's forecasts; `base_rate` is the constant forecast the skill
    score compares against."""
    if not 0.0 <= base_rate <= 1.0:
        raise ValueError(f"a base rate in 0..1, got {base_rate}")
    counts: Counter[str] = Counter()
    scored: list[tuple[float, float]] = []
    for forecast in forecasts:
        counts[forecast.outcome] += 1
        value = outcome_value(forecast.outcome)
        if value is not None:
            scored.append((forecast.probability, value))
    score = brier(scored)
    reference = brier((base_rate, value) for _, value in scored)
    skill = None
    if score is not None and reference:
        skill = 1.0 - score / reference
    by_label: dict[str, list[tuple[float, float]]] = {label: [] for label in LABELS}
    for probability, value in scored:
        by_label[label_of_probability(probability)].append((probability, value))
    rows = tuple(
        CalibrationRow(
            label,
            len(found),
            sum(p for p, _ in found) / len(found) if found else None,
            sum(v for _, v in found) / len(found) if found else None,
        )
        for label, found in by_label.items()
    )
    return TrackRecord(
        counts={outcome: counts[outcome] for outcome in OUTCOMES},
        resolved=len(scored),
        brier=score,
        reference_brier=reference,
        skill=skill,
        base_rate=base_rate,
        calibration=rows,
    )
