"""Predict whether a rumoured claim came true, on Emergent, from the coverage we build ourselves.

Emergent (Ferreira & Vlachos, NAACL 2016) gives each rumoured claim the headlines that
reported it, their outlets (`source`) and the claim's later resolution (`claimTruth`: true,
false, unknown).  Layout: one CSV file as `eval/stance.py` reads it, with the columns
`claimHeadline`, `articleHeadline`, `articleHeadlineStance`, `claimId`, `source` and
`claimTruth` (others ignored).  The truth is `true`, `false` or `unverified` (the release's
`unknown`; `unverified` is read too).  **The gold stance column is never a feature**: every
stance here is our own prediction; the gold stances of the *training* claims' headlines are
the stance model's training targets (as in `eval stance`), those of the scored claims are
never read past the reader's check.

Protocol (documented in docs/accuracy.md):

- **Each headline** is parsed once, and scored as `eval stance` scores it: our certainty of
  its main event, of the whole headline, and its stance (for / against / observing),
  predicted by the stance model of `eval/stance.py` (`OURS_GROUPS`) **fitted on the training
  claims' headlines only**.  A training claim's own headlines get out-of-fold stances: an
  inner cross-validation over the training claims (`INNER_FOLDS`, `assign_folds`), so that
  the veracity model learns from stances as noisy as the ones it will meet.  A headline's
  stance probabilities are the one-vs-rest models' sigmoids, normalised; the probability it
  implies that the claim is true is (1 + p(for) - p(against)) / 2.
- **Copies**: two headlines of one claim are copies when the Jaccard similarity of their word
  sets (`link.copies.normalise`) reaches `COPY_THRESHOLD`; copies chained together are one
  group; each group is one origin, the rest of its headlines are echoes.
- **Outlets' track records**, from the training claims only, whose truth is true or false:
  each headline an outlet ran is a forecast (`trackrecord.Forecast`: the probability its
  stance implies, the claim's outcome), and its record (`trackrecord.track_record`, base rate
  0.5) gives its Brier score and skill.  Beside it, the outlet's truth rates: the share of
  its training claims that were true, false and unverified, smoothed toward the training
  claims' rates by `OUTLET_PRIOR` pseudo-claims.  A training claim's own features use its
  outlets' records without that claim (leave one claim out).  An empty `source` has no
  record.
- **Claim features** (`claim_row`): the number of headlines, outlets and origins (log), the
  echo share; the shares of each predicted stance, the mean stance probabilities, whether any
  headline is predicted for or against, the mean implied probability and the mean over
  origins; the mean, least and greatest certainty (event and whole), the shares of each
  certainty label; the shares of headlines that ask (a question mark), attribute ("Source:",
  "according to", a report noun, a reporting verb), negate, refute or hedge; and (group
  `records`) the mean over headlines of their outlet's truth rates, Brier score and skill, the
  skill-weighted mean vote (2p - 1) and the share of headlines whose outlet has a record.
- **Ours** (`all`) is a one-vs-rest logistic model (`linear.fit_classes`, `L2`) over every
  feature; `coverage` leaves out the outlets' records.  **baseline:majority**: the most
  frequent truth of the training claims (ties: the first in `TRUTHS`).
- **Cross-validation** (split `cv-<folds>`, without `train`): the folds of
  `eval/stance.assign_folds` over claim ids (5, seed 2016); every model (stance, records,
  veracity) is fitted on the other folds; the metrics pool the folds' predictions.  With
  `train` (split `heldout`): fitted on every claim of `train`, scored on `path`.
- **Metrics**: `accuracy` and `macro_f1` (the mean F1 of the three truths) of `all`,
  `coverage` and `baseline:majority`; `p`, `r`, `f1` of `all` per truth.  `n` is the number
  of claims scored.
- Errors as `eval/stance.py`'s reader (E030, E002, E035 with the file and line); besides, a
  missing `source` or `claimTruth` column, an unknown truth, or a claim whose records
  disagree on its truth is E035.
"""

from __future__ import annotations

import csv
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language

from rumormill import trackrecord
from rumormill.errors import Errors, InputError
from rumormill.eval import stance
from rumormill.eval.records import classification
from rumormill.eval.report import EvalReport, prf
from rumormill.eval.stance import FOLDS, LINE_LIMIT, SEED, Pair, assign_folds
from rumormill.link.copies import normalise
from rumormill.nlp import linear, pipeline

logger = logging.getLogger(__name__)

BENCHMARK = "emergent-veracity"
TRUTHS = ("false", "true", "unverified")
READ_TRUTH: Mapping[str, str] = {
    "true": "true",
    "false": "false",
    "unknown": "unverified",
    "unverified": "unverified",
}
OUTCOME: Mapping[str, str] = {"true": "true", "false": "false", "unverified": "unresolved"}
SOURCE = "source"
TRUTH = "claimTruth"
ALL = "all"
COVERAGE = "coverage"
BASELINE = "baseline:majority"
HELDOUT = "heldout"
INNER_FOLDS = 5
COPY_THRESHOLD = 0.5
OUTLET_PRIOR = 2.0
L2 = 1e-3
STEPS = 400
STANCE_GROUPS = stance.OURS_GROUPS
RECORD_PREFIX = "records:"


# --- the reader --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One claim: its id, truth, the line of its first record, and its headlines with their
    outlets (in file order)."""

    claim_id: str
    truth: str
    line: int
    pairs: tuple[Pair, ...]
    outlets: tuple[str, ...]


def _columns(row: Sequence[str], path: Path, line: int) -> tuple[dict[str, int], int, int]:
    columns = stance._header(row, path, line)
    names = [name.strip() for name in row]
    found: list[int] = []
    for name in (SOURCE, TRUTH):
        where = [k for k, value in enumerate(names) if value == name]
        if len(where) != 1:
            reason = "no column" if not where else f"{len(where)} columns"
            raise stance._bad(path, line, f"{reason} {name!r} in the header")
        found.append(where[0])
    return columns, found[0], found[1]


def _records(path: Path) -> Iterator[tuple[Pair, str, str]]:
    """(pair, outlet, truth) of every record of an Emergent CSV file, streamed."""
    if not path.is_file():
        raise InputError(Errors.E030, path=path, reason="no such file")
    n = 0
    columns: dict[str, int] | None = None
    try:
        with path.open("rb") as stream:
            reader = csv.reader(stance._lines(stream, path, LINE_LIMIT), strict=True)
            width = source = truth = 0
            start = 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    raise stance._bad(path, start, f"bad CSV: {e}") from e
                if row and not (len(row) == 1 and not row[0].strip()):
                    if columns is None:
                        columns, source, truth = _columns(row, path, start)
                        width = len(row)
                    else:
                        pair = stance._pair(row, columns, width, path, start)
                        value = READ_TRUTH.get(row[truth].strip().lower())
                        if value is None:
                            raise stance._bad(
                                path,
                                start,
                                f"unknown claimTruth {row[truth]!r}; expected true, false, "
                                "unknown or unverified",
                            )
                        yield pair, row[source].strip().lower(), value
                        n += 1
                start = reader.line_num + 1
    except OSError as e:
        raise InputError(Errors.E001, path=path, reason=e.strerror or str(e)) from e
    if columns is None:
        raise InputError(Errors.E002, path=path)
    if not n:
        raise InputError(Errors.E030, path=path, reason="a header but no records")


def read_claims(path: Path) -> list[Claim]:
    """The claims of an Emergent CSV file, in order of first appearance."""
    pairs: dict[str, list[Pair]] = {}
    outlets: dict[str, list[str]] = {}
    truths: dict[str, tuple[str, int]] = {}
    for pair, outlet, truth in _records(path):
        known = truths.setdefault(pair.claim_id, (truth, pair.line))
        if known[0] != truth:
            raise stance._bad(
                path,
                pair.line,
                f"claim {pair.claim_id!r} is {truth} here but {known[0]} at line {known[1]}",
            )
        pairs.setdefault(pair.claim_id, []).append(pair)
        outlets.setdefault(pair.claim_id, []).append(outlet)
    return [
        Claim(
            claim_id,
            truths[claim_id][0],
            truths[claim_id][1],
            tuple(found),
            tuple(outlets[claim_id]),
        )
        for claim_id, found in pairs.items()
    ]


# --- coverage: stances, copies, records --------------------------------------------------------


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def stance_probabilities(model: linear.Classifier, row: Mapping[str, float]) -> dict[str, float]:
    """The one-vs-rest models' probabilities, normalised (each stance, 0 for one unseen)."""
    raw = {label: _sigmoid(score) for label, score in model.scores(row).items()}
    total = sum(raw.values())
    return {
        s: raw.get(s, 0.0) / total if total else 1.0 / len(stance.STANCES) for s in stance.STANCES
    }


Stances = dict[tuple[str, int], dict[str, float]]


def _stances(train: Sequence[Pair], test: Sequence[Pair], features: stance.Features) -> Stances:
    """Stance probabilities of each test pair (by claim id and line), by a model fitted on
    the train pairs."""
    if not test:
        return {}
    model = stance.fit(train, features, STANCE_GROUPS)
    return {
        (p.claim_id, p.line): stance_probabilities(model, features[p.headline].row(STANCE_GROUPS))
        for p in test
    }


def predicted_stances(
    train: Sequence[Claim], test: Sequence[Claim], features: stance.Features, seed: int = SEED
) -> tuple[Stances, Stances]:
    """Stance probabilities of every headline of the training claims, out of fold
    (`INNER_FOLDS` over the training claims), and of the test claims, by a model fitted on
    every training headline."""
    train_pairs = [p for c in train for p in c.pairs]
    found: Stances = {}
    folds = min(INNER_FOLDS, len(train))
    if folds >= 2:
        inner = assign_folds((c.claim_id for c in train), folds, seed)
        for k in range(folds):
            fitted = [p for p in train_pairs if inner[p.claim_id] != k]
            held = [p for p in train_pairs if inner[p.claim_id] == k]
            found.update(_stances(fitted, held, features))
    else:
        found = _stances(train_pairs, train_pairs, features)
    return found, _stances(train_pairs, [p for c in test for p in c.pairs], features)


def implied(probabilities: Mapping[str, float]) -> float:
    """The probability a headline implies that its claim is true: (1 + p(for) -
    p(against)) / 2."""
    return (1.0 + probabilities["for"] - probabilities["against"]) / 2.0


def origins(headlines: Sequence[str], threshold: float = COPY_THRESHOLD) -> list[int]:
    """The copy group of each headline (the index of its group's first headline): copies have
    word-set Jaccard >= threshold, chained."""
    words = [set(normalise(h)) for h in headlines]
    parent = list(range(len(headlines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(words)):
        for j in range(i):
            union = words[i] | words[j]
            if union and len(words[i] & words[j]) / len(union) >= threshold:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(words))]


@dataclass
class OutletRecords:
    """Per outlet, per training claim: its forecasts (probabilities) and the claim's truth;
    so that a record can leave one claim out."""

    forecasts: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    truths: dict[str, str] = field(default_factory=dict)

    @classmethod
    def learn(cls, claims: Iterable[Claim], stances: Stances) -> OutletRecords:
        records = cls()
        for claim in claims:
            records.truths[claim.claim_id] = claim.truth
            for pair, outlet in zip(claim.pairs, claim.outlets, strict=True):
                if not outlet:
                    continue
                by_claim = records.forecasts.setdefault(outlet, {})
                by_claim.setdefault(claim.claim_id, []).append(
                    implied(stances[(claim.claim_id, pair.line)])
                )
        return records

    def rates(self, without: str | None = None) -> dict[str, float]:
        counts = Counter(t for c, t in self.truths.items() if c != without)
        total = sum(counts.values())
        return {t: counts[t] / total if total else 1.0 / len(TRUTHS) for t in TRUTHS}

    def features(
        self, outlet: str, without: str | None, prior: Mapping[str, float]
    ) -> dict[str, float]:
        """The outlet's record, leaving out the claim `without`: its smoothed truth rates,
        and (with a claim of known truth) its Brier score and skill."""
        by_claim = {c: f for c, f in self.forecasts.get(outlet, {}).items() if c != without}
        counts = Counter(self.truths[c] for c in by_claim)
        n = sum(counts.values())
        out = {
            f"rate:{t}": (counts[t] + OUTLET_PRIOR * prior[t]) / (n + OUTLET_PRIOR) for t in TRUTHS
        }
        forecasts = [
            trackrecord.Forecast(p, OUTCOME[self.truths[c]])
            for c, ps in by_claim.items()
            for p in ps
        ]
        record = trackrecord.track_record(forecasts)
        if record.brier is not None:
            out["known"] = 1.0
            out["brier"] = record.brier
            out["skill"] = record.skill if record.skill is not None else 0.0
        return out


# --- claim features ----------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def claim_row(
    claim: Claim,
    features: stance.Features,
    stances: Stances,
    records: OutletRecords | None,
    without: str | None,
) -> dict[str, float]:
    """The features of one claim's coverage (see the module docstring)."""
    probs = [stances[(claim.claim_id, p.line)] for p in claim.pairs]
    labels = [max(stance.STANCES, key=lambda s: (found[s], s)) for found in probs]
    heads = [features[p.headline] for p in claim.pairs]
    n = len(claim.pairs)
    groups = origins([p.headline for p in claim.pairs])
    firsts = sorted(set(groups))
    row: dict[str, float] = {
        "headlines": math.log1p(n),
        "outlets": math.log1p(len(set(claim.outlets))),
        "origins": math.log1p(len(firsts)),
        "echo_share": 1.0 - len(firsts) / n,
    }
    share = Counter(labels)
    for s in stance.STANCES:
        row[f"stance:share:{s}"] = share[s] / n
        row[f"stance:mean:{s}"] = _mean([found[s] for found in probs])
        if share[s]:
            row[f"stance:any:{s}"] = 1.0
    row["implied:mean"] = _mean([implied(found) for found in probs])
    row["implied:origins"] = _mean([implied(probs[i]) for i in firsts])
    for name, scores in (
        ("event", [h.certainty.score / trackrecord.SCALE for h in heads]),
        ("whole", [h.groups["whole"]["whole:score"] for h in heads]),
    ):
        row[f"certainty:{name}:mean"] = _mean(scores)
        row[f"certainty:{name}:min"] = min(scores)
        row[f"certainty:{name}:max"] = max(scores)
    labelled = Counter(h.certainty.label for h in heads)
    for label in trackrecord.LABELS:
        row[f"certainty:label:{label}"] = labelled[label] / n
    for group, key in (
        ("question", "question"),
        ("negation", "negation"),
        ("refuting", "refuting"),
        ("hedging", "hedging"),
        ("attribution", None),
    ):
        row[f"share:{group}"] = (
            sum(1 for h in heads if (key in h.groups[group] if key else h.groups[group])) / n
        )
    if records is not None:
        prior = records.rates(without)
        known: list[float] = []
        votes: list[float] = []
        sums: defaultdict[str, float] = defaultdict(float)
        for outlet, found in zip(claim.outlets, probs, strict=True):
            record = records.features(outlet, without, prior)
            for t in TRUTHS:
                sums[f"rate:{t}"] += record[f"rate:{t}"]
            if "known" in record:
                known.append(record["brier"])
                votes.append((2 * implied(found) - 1) * max(record["skill"], 0.0))
                sums["skill"] += record["skill"]
        for name, total in sums.items():
            row[f"{RECORD_PREFIX}{name}"] = total / n
        row[f"{RECORD_PREFIX}known"] = len(known) / n
        row[f"{RECORD_PREFIX}brier"] = _mean(known)
        row[f"{RECORD_PREFIX}vote"] = _mean(votes)
    return row


# --- the evaluation ----------------------------------------------------------------------------


def majority(truths: Iterable[str]) -> str:
    """The most frequent truth (ties: the first in `TRUTHS`)."""
    counts = Counter(truths)
    return max(TRUTHS, key=lambda t: (counts[t], -TRUTHS.index(t)))


def rows_of(
    train: Sequence[Claim], test: Sequence[Claim], features: stance.Features, seed: int = SEED
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """The feature rows of the training and the test claims: every model behind them fitted
    on the training claims alone."""
    train_stances, test_stances = predicted_stances(train, test, features, seed)
    records = OutletRecords.learn(train, train_stances)
    train_rows = [claim_row(c, features, train_stances, records, c.claim_id) for c in train]
    test_rows = [claim_row(c, features, test_stances, records, None) for c in test]
    return train_rows, test_rows


def _without_records(row: Mapping[str, float]) -> dict[str, float]:
    return {k: v for k, v in row.items() if not k.startswith(RECORD_PREFIX)}


def predict(
    train: Sequence[Claim],
    test: Sequence[Claim],
    features: stance.Features,
    *,
    seed: int = SEED,
    l2: float = L2,
) -> dict[str, list[str]]:
    """The truth of each test claim by `all`, `coverage` and `BASELINE`, every model fitted
    on the training claims."""
    train_rows, test_rows = rows_of(train, test, features, seed)
    labels = [c.truth for c in train]
    out: dict[str, list[str]] = {}
    for name, view in ((ALL, dict), (COVERAGE, _without_records)):
        model = linear.fit_classes(
            [view(r) for r in train_rows], labels, l2=l2, min_count=1, steps=STEPS
        )
        out[name] = [model.predict(view(r)) for r in test_rows]
    out[BASELINE] = [majority(labels)] * len(test)
    return out


def cross_validate(
    claims: Sequence[Claim],
    features: stance.Features,
    *,
    folds: int = FOLDS,
    seed: int = SEED,
    l2: float = L2,
) -> dict[str, list[str]]:
    """The truth of each claim (in order) by the models fitted on the other folds."""
    fold = assign_folds((c.claim_id for c in claims), folds, seed)
    out: dict[str, list[str]] = {name: [""] * len(claims) for name in (ALL, COVERAGE, BASELINE)}
    for k in range(folds):
        train = [c for c in claims if fold[c.claim_id] != k]
        held = [i for i, c in enumerate(claims) if fold[c.claim_id] == k]
        found = predict(train, [claims[i] for i in held], features, seed=seed, l2=l2)
        for name, predicted in found.items():
            for i, truth in zip(held, predicted, strict=True):
                out[name][i] = truth
        logger.info("fold %s of %s scored", k + 1, folds)
    return out


def evaluate_veracity(
    path: Path,
    *,
    train: Path | None = None,
    folds: int = FOLDS,
    seed: int = SEED,
    nlp: Language | None = None,
) -> EvalReport:
    """Score ours (`all`, and `coverage` without the outlets' records) and
    `baseline:majority` on the claims of an Emergent CSV file: cross-validated over `folds`
    folds of claims (split `cv-<folds>`), or, with `train`, fitted on that file's claims and
    scored on `path`'s (split `heldout`).  Groups: `all`, `coverage`, `baseline:majority`
    (`accuracy`, `macro_f1`) and `false`, `true`, `unverified` (`p`, `r`, `f1` of `all`).
    `n` is the number of claims scored."""
    test = read_claims(path)
    train_claims = read_claims(train) if train is not None else None
    model = nlp or pipeline.load()
    features = stance.featurize((p for c in test for p in c.pairs), model)
    if train_claims is None:
        if folds < 2 or len(test) < folds:
            raise InputError(
                Errors.E030,
                path=path,
                reason=f"{len(test)} claims; cross-validation over {folds} folds needs "
                f"at least {max(folds, 2)}",
            )
        predicted = cross_validate(test, features, folds=folds, seed=seed)
        split = f"cv-{folds}"
    else:
        stance.featurize((p for c in train_claims for p in c.pairs), model, into=features)
        predicted = predict(train_claims, test, features, seed=seed)
        split = HELDOUT
    gold = [c.truth for c in test]
    report = EvalReport(benchmark=BENCHMARK, split=split, n=len(test))
    report.scores[ALL] = classification(zip(gold, predicted[ALL], strict=True), TRUTHS)
    for truth in TRUTHS:
        tp = sum(1 for g, p in zip(gold, predicted[ALL], strict=True) if g == p == truth)
        report.scores[truth] = prf(tp, predicted[ALL].count(truth), gold.count(truth))
    for name in (COVERAGE, BASELINE):
        report.scores[name] = classification(zip(gold, predicted[name], strict=True), TRUTHS)
    return report
