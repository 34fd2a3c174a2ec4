"""The learned certainty model: trained on the train splits of the factuality data sets.

Every `<SET>/train.jsonl` under --data is parsed with the shipped pipeline (as
`rumormill eval factuality` parses: one Doc token per word of the file), each target becomes an
event (`certainty.walk` from the head of its span), and its features (`certainty.features`),
shared and per set, are fitted to the gold label with a Huber loss (`linear.fit`).  No
randomness: the same data and pipeline give the same JSON, byte for byte.

Usage:
  python training/certainty.py --data ../shared/data/factuality \
      --out src/rumormill/models/certainty.json
  python training/certainty.py --data ../shared/data/factuality --sweep   # dev scores only

--sweep fits the settings of `SWEEP` and prints each one's dev MAE and r per set (dev is for
choosing; the shipped settings are the defaults of `fit_model`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language

from rumormill.eval import factuality
from rumormill.nlp import certainty, linear, pipeline

L2 = 1e-3
MIN_COUNT = 3
STEPS = 600
LEARNING_RATE = 0.05
DELTA = 1.0
FOLDS = 5
BINS = 20
SWEEP: list[dict[str, float]] = [
    {"l2": 1e-4},
    {"l2": 1e-3},
    {"l2": 1e-3, "delta": 0.5},
    {"l2": 3e-3},
]

Example = tuple[dict[str, float], float]
# How often each lexicon cue was seen on a training target (`certainty.MIN_EVIDENCE`).
CUE_COUNTS: Counter[str] = Counter()


def examples(path: Path, nlp: Language) -> Iterator[tuple[certainty.Event, float]]:
    for doc, sentence in factuality.parsed(factuality.read_sentences(path), nlp):
        for target in sentence.targets:
            yield factuality.target_event(doc, target), target.label


def rows_of(data: Path, split: str, nlp: Language) -> dict[str, list[Example]]:
    """Per set: (shared row, label) of every target of `<SET>/<split>.jsonl`."""
    out: dict[str, list[Example]] = {}
    for name, path in factuality.find_sets(data, split):
        rows: list[Example] = []
        for event, gold in examples(path, nlp):
            lexical = certainty.lexicon(event)
            rows.append((certainty.features(event, lexical), gold))
            if split == "train":
                CUE_COUNTS.update(cue.lower() for cue in lexical.cues)
        out[name] = rows
        print(f"{split} {name}: {len(rows)} targets", file=sys.stderr)
    return out


def fit_model(
    train: dict[str, list[Example]],
    *,
    l2: float = L2,
    min_count: int = MIN_COUNT,
    delta: float = DELTA,
    steps: int = STEPS,
    learning_rate: float = LEARNING_RATE,
) -> linear.LinearModel:
    """One Huber model over every set; each set weighs the same in total, so that the large
    sets (UDS-IH2, UW) do not drown the small ones (MEANTIME, CB)."""
    rows: list[dict[str, float]] = []
    gold: list[float] = []
    weights: list[float] = []
    for name in sorted(train):
        examples = train[name]
        for row, label in examples:
            rows.append(linear.in_domain(row, name))
            gold.append(label)
            weights.append(1.0 / len(examples))
    return linear.fit(
        rows,
        gold,
        loss="huber",
        l2=l2,
        min_count=min_count,
        steps=steps,
        learning_rate=learning_rate,
        sample_weights=weights,
        delta=delta,
        meta={"domains": sorted(train), "trained_on": "train.jsonl of " + ", ".join(sorted(train))},
    )


def calibration(
    train: dict[str, list[Example]], *, folds: int = FOLDS, bins: int = BINS, **setting: float
) -> dict[str, list[list[float]]]:
    """Per set, knots (x: a raw score, y: the gold label it stands for) of a monotone map from
    the model's raw score to the median gold label near it, from out-of-fold predictions: each
    set's targets are dealt round-robin into `folds` folds, and each fold is predicted by a
    model fitted on the others.  Absolute error rewards the median, and the linear model pulls
    a set whose labels sit mostly at +3 (MEANTIME, UW) toward its mean."""
    pairs: dict[str, list[tuple[float, float]]] = {name: [] for name in train}
    for k in range(folds):
        part = {n: [e for i, e in enumerate(ex) if i % folds != k] for n, ex in train.items()}
        model = fit_model(part, **setting)  # type: ignore[arg-type]
        for name, examples in train.items():
            scorer = certainty.Scorer(model, name)
            for i, (row, label) in enumerate(examples):
                if i % folds == k:
                    pairs[name].append((scorer.raw(row), label))
    knots: dict[str, list[list[float]]] = {}
    for name, found in pairs.items():
        found.sort()
        size = max(1, len(found) // bins)
        xs: list[float] = []
        ys: list[float] = []
        ns: list[int] = []
        for start in range(0, len(found), size):
            chunk = found[start : start + size]
            xs.append(statistics.median(x for x, _ in chunk))
            ys.append(statistics.median(y for _, y in chunk))
            ns.append(len(chunk))
        # Pool adjacent violators: the map must not go down as the raw score goes up.
        i = 0
        while i < len(ys) - 1:
            if ys[i] > ys[i + 1]:
                n = ns[i] + ns[i + 1]
                ys[i : i + 2] = [(ys[i] * ns[i] + ys[i + 1] * ns[i + 1]) / n]
                xs[i : i + 2] = [(xs[i] * ns[i] + xs[i + 1] * ns[i + 1]) / n]
                ns[i : i + 2] = [n]
                i = max(i - 1, 0)
            else:
                i += 1
        knots[name] = [[round(x, 4) for x in xs], [round(y, 4) for y in ys]]
    return knots


def calibrated(train: dict[str, list[Example]], **setting: float) -> linear.LinearModel:
    """The model fitted on all of train, with each set's calibration in its meta."""
    model = fit_model(train, **setting)  # type: ignore[arg-type]
    knots = calibration(train, **setting)
    counts = dict(sorted(CUE_COUNTS.items()))
    meta = {**model.meta, "calibration": knots, "cue_counts": counts}
    return dataclasses.replace(model, meta=meta)


def dev_scores(
    model: linear.LinearModel, dev: dict[str, list[Example]]
) -> dict[str, dict[str, float]]:
    out = {}
    for name, examples in dev.items():
        scorer = certainty.Scorer(model, name)
        pairs = [(label, scorer.value(row)) for row, label in examples]
        out[name] = factuality.scores_of(pairs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    nlp = pipeline.load()
    train = rows_of(args.data, "train", nlp)
    if args.sweep:
        dev = rows_of(args.data, "dev", nlp)
        for setting in SWEEP:
            model = calibrated(train, **setting)
            print(json.dumps({"setting": setting, "dev": dev_scores(model, dev)}))
        return
    if args.out is None:
        parser.error("--out is required unless --sweep")
    model = calibrated(train)
    model.save(args.out)
    print(f"wrote {args.out}: {len(model.weights)} weights", file=sys.stderr)


if __name__ == "__main__":
    main()
