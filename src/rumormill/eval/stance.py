"""Score stance toward a claim on Emergent: for, against or observing, from our certainty.

Emergent (Ferreira & Vlachos, NAACL 2016) pairs a rumoured claim with news headlines that
report it; each headline is labelled `for` (it asserts the claim), `against` (it denies it) or
`observing` (it reports the claim without committing to it: our `possible` band).  Layout: one
CSV file (the csv module's default dialect, UTF-8, a header row) with at least the columns
`claimHeadline`, `articleHeadline`, `articleHeadlineStance` and `claimId`; other columns are
ignored.  Protocol (documented in docs/accuracy.md):

- **Ours** parses each headline with the shipped pipeline (entities and the span tagger are
  not run) and scores its main event, the root of its first sentence, with our learned
  certainty (`certainty.score_event`, newswire terms), and the whole headline as one content
  with the v1 lexicon, as `analyze` scores a content (`whole`: headlines are often title-case
  fragments whose root the parser misses).
  The mapping from certainty to stance is learned: a one-vs-rest logistic model
  (`linear.fit_classes`, `L2`, `MIN_COUNT`) over features of the headline
  (`headline_of`).  Two models are reported.  `certainty` sees the certainty features only
  (`CERTAINTY_GROUPS`): of both certainties the score, its integer bin and its label, and
  each cue found; a negation anywhere in the headline; the root's cue-verb lemma when the
  root is a reporting verb ("claims", "says", "denies"); a question mark; whether the
  headline attributes what it says (a "Source:" prefix of at most `PREFIX_TOKENS` tokens,
  "according to", a report or source noun, a reporting verb anywhere).  `all` (ours,
  `OURS_GROUPS`) adds two headline features of Ferreira & Vlachos: their refuting and
  hedging words (`patterns.STANCE_REFUTING`, `STANCE_HEDGING`), each word and whether any
  is there.  The claim's own text is not used.
- **baseline:majority** predicts the most frequent stance of the training part (ties: the
  first in `STANCES`).
- **Cross-validation** (split `cv-<folds>`, without `--train`): folds over claims, so that
  every headline of a claim is in one fold.  The rule: sort the distinct `claimId` values as
  strings, shuffle them with `random.Random(seed).shuffle`, and give the claim at position
  `k` of the shuffled list fold `k % folds`.  Each fold is scored by models fitted on the
  other folds; the metrics are computed once over the pooled predictions.  With `train`
  (split `heldout`) the models are fitted on every pair of `train` and score `path`.
- **Metrics**: `accuracy` and `macro_f1` (the mean F1 of the three stances) of `all`,
  `certainty` and `baseline:majority`; `p`, `r`, `f1` of `all` per stance.  `n` is the
  number of headlines scored.
- A missing file is E030, an empty one E002, a header with no record E030.  A bad record (a
  required column missing from the header, a row with the wrong number of fields, an unknown
  stance, an empty headline, claim or claim id, bad quoting, bytes that are not UTF-8, a NUL
  byte) is E035 with the file and the line where the record starts.  The file is read line
  by line, each line bounded (`LINE_LIMIT`) and each field (`FIELD_LIMIT`), so a file of any
  size streams; every headline is parsed once, whatever the number of folds.
"""

from __future__ import annotations

import csv
import logging
import random
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from spacy.language import Language
from spacy.tokens import Doc, Token

from rumormill.errors import Errors, InputError
from rumormill.eval.report import EvalReport, prf
from rumormill.model import Certainty
from rumormill.nlp import certainty, linear, pipeline
from rumormill.nlp.cues import cue_lemma
from rumormill.nlp.patterns import (
    ACCORDING_TO,
    REPORT_NOUNS,
    STANCE_HEDGING,
    STANCE_REFUTING,
    UNATTRIBUTED_NOUNS,
    UNNAMED_SOURCE_NOUNS,
    WRAPPERS,
)

logger = logging.getLogger(__name__)

BENCHMARK = "emergent-stance"
STANCES = ("against", "for", "observing")
SEED = 2016
FOLDS = 5
ALL = "all"
CERTAINTY = "certainty"
BASELINE = "baseline:majority"
HELDOUT = "heldout"
# The columns a record needs; the others of the release (url, source, claimTruth, ...) are
# not read.
CLAIM_ID = "claimId"
CLAIM = "claimHeadline"
HEADLINE = "articleHeadline"
STANCE = "articleHeadlineStance"
REQUIRED = (CLAIM, HEADLINE, STANCE, CLAIM_ID)
# One record per line in the release; its longest line is about 500 bytes.
LINE_LIMIT = 100_000
# A headline, a claim or a URL; well under the csv module's own limit (131,072 characters).
FIELD_LIMIT = 10_000
NOT_RUN = pipeline.PARSE_ONLY
BATCH = 256
# The one-vs-rest logistic models (measured by the cross-validation, docs/accuracy.md).
L2 = 1e-3
MIN_COUNT = 2
# A "Source:" prefix: at most this many tokens before the colon.
PREFIX_TOKENS = 4
# As the extractor does: a negation this close before the cue negates it.
BEFORE_CUE = 3

# Feature groups: `certainty` is the mapping the issue asks for, `all` adds Ferreira & Vlachos'
# headline features.
CERTAINTY_GROUPS = ("score", "whole", "cues", "negation", "root_cue", "question", "attribution")
OURS_GROUPS = (*CERTAINTY_GROUPS, "refuting", "hedging")
GROUPS = OURS_GROUPS


# --- the reader --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """One headline reporting one claim, with its gold stance and the line it starts on."""

    line: int
    claim_id: str
    claim: str
    headline: str
    stance: str


def _bad(path: Path | str, line: int, reason: str) -> InputError:
    return InputError(Errors.E035, path=path, line=line, reason=reason)


def _lines(stream: BinaryIO, path: Path | str, limit: int) -> Iterator[str]:
    """The file's lines, decoded as UTF-8 (a BOM on the first is dropped), endings kept."""
    number = 0
    while raw := stream.readline(limit + 1):
        number += 1
        if len(raw) > limit:
            raise _bad(path, number, f"a line over {limit} bytes")
        nul = raw.find(b"\x00")
        if nul != -1:
            raise _bad(path, number, f"looks binary, not text (a NUL byte at byte {nul + 1})")
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as e:
            raise _bad(
                path, number, f"not UTF-8 (byte {e.start + 1}); re-encode the file as UTF-8"
            ) from e


def _header(row: Sequence[str], path: Path | str, line: int) -> dict[str, int]:
    names = [name.strip() for name in row]
    columns: dict[str, int] = {}
    for name in REQUIRED:
        found = [k for k, value in enumerate(names) if value == name]
        if not found:
            raise _bad(path, line, f"no column {name!r} in the header")
        if len(found) > 1:
            raise _bad(path, line, f"the column {name!r} appears {len(found)} times")
        columns[name] = found[0]
    return columns


def _pair(
    row: Sequence[str], columns: Mapping[str, int], width: int, path: Path | str, line: int
) -> Pair:
    if len(row) != width:
        raise _bad(path, line, f"{len(row)} fields; the header has {width}")
    for value in row:
        if len(value) > FIELD_LIMIT:
            raise _bad(path, line, f"a field over {FIELD_LIMIT} characters")
    values = {name: row[k] for name, k in columns.items()}
    for name in (CLAIM_ID, CLAIM, HEADLINE):
        if not values[name].strip():
            raise _bad(path, line, f"empty {name}")
    stance = values[STANCE].strip().lower()
    if stance not in STANCES:
        raise _bad(
            path, line, f"unknown stance {values[STANCE]!r}; expected one of {', '.join(STANCES)}"
        )
    return Pair(line, values[CLAIM_ID].strip(), values[CLAIM], values[HEADLINE], stance)


def read_pairs(path: Path, *, limit: int = LINE_LIMIT) -> Iterator[Pair]:
    """Every (claim, headline, stance) record of an Emergent CSV file, streamed; blank lines
    are skipped.  Field values are kept as written; the stance is stripped and lower-cased,
    the claim id stripped."""
    if not path.is_file():
        raise InputError(Errors.E030, path=path, reason="no such file")
    try:
        with path.open("rb") as stream:
            reader = csv.reader(_lines(stream, path, limit), strict=True)
            columns: dict[str, int] | None = None
            width = 0
            n = 0
            start = 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as e:
                    raise _bad(path, start, f"bad CSV: {e}") from e
                if row and not (len(row) == 1 and not row[0].strip()):
                    if columns is None:
                        columns, width = _header(row, path, start), len(row)
                    else:
                        yield _pair(row, columns, width, path, start)
                        n += 1
                start = reader.line_num + 1
    except OSError as e:
        raise InputError(Errors.E001, path=path, reason=e.strerror or str(e)) from e
    if columns is None:
        raise InputError(Errors.E002, path=path)
    if not n:
        raise InputError(Errors.E030, path=path, reason="a header but no records")


# --- folds and metrics -------------------------------------------------------------------------


def assign_folds(claim_ids: Iterable[str], folds: int = FOLDS, seed: int = SEED) -> dict[str, int]:
    """Fold (0..folds-1) of each distinct claim id: the ids sorted as strings, shuffled by
    `random.Random(seed)`, the claim at position k in fold k % folds."""
    if folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {folds}")
    ordered = sorted(set(claim_ids))
    random.Random(seed).shuffle(ordered)
    return {claim_id: k % folds for k, claim_id in enumerate(ordered)}


def majority(labels: Iterable[str]) -> str:
    """The most frequent stance (ties: the first in `STANCES`)."""
    counts = Counter(labels)
    return max(STANCES, key=lambda stance: (counts[stance], -STANCES.index(stance)))


def scores_of(pairs: Iterable[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """`accuracy` and `macro_f1` (under "all") and `p`, `r`, `f1` per stance of
    (gold, predicted) pairs."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n = 0
    for gold, pred in pairs:
        n += 1
        n_gold[gold] += 1
        n_pred[pred] += 1
        if gold == pred:
            tp[gold] += 1
    per_class = {s: prf(tp[s], n_pred[s], n_gold[s]) for s in STANCES}
    overall = {
        "accuracy": sum(tp.values()) / n if n else 0.0,
        "macro_f1": sum(m["f1"] for m in per_class.values()) / len(STANCES),
    }
    return {ALL: overall, **per_class}


# --- our certainty of a headline and its features ----------------------------------------------


def _certainty(doc: Doc, token: Token) -> Certainty:
    """Our certainty of the event at `token`: the learned model, in the newswire set's terms
    (`certainty.score_event`), with the lexicon's cues beside its score."""
    return certainty.score_event(doc, token)


def main_event(doc: Doc) -> Token:
    """The root of the first sentence."""
    return next(iter(doc.sents)).root


def whole(doc: Doc) -> Certainty:
    """The v1 lexicon on the whole headline as one content, as `analyze` scores a content: the
    first reporting verb is the cue (negated by a negation in the `BEFORE_CUE` tokens before
    it), every other word is the content, every reporter's wrapper ("reportedly", "rumors")
    lowers the score."""
    cue = next((t for t in doc if cue_lemma(t) is not None), None)
    words = [t.text for t in doc if t is not cue and not t.is_punct]
    negated = cue is not None and any(
        certainty.is_negation(t.text) for t in doc[max(cue.i - BEFORE_CUE, 0) : cue.i]
    )
    return certainty.assess(
        words,
        cue_lemma=cue_lemma(cue) if cue is not None else None,
        cue_text=cue.text if cue is not None else None,
        negated=negated,
        wrappers=[t.text for t in doc if t.lower_ in WRAPPERS],
    )


def _scored(prefix: str, found: Certainty) -> dict[str, float]:
    """A certainty as features: the score (scaled to -1..1), its integer bin, its label and
    each cue."""
    return {
        f"{prefix}:score": found.score / certainty.SCALE,
        f"{prefix}:score:{round(found.score):+d}": 1.0,
        f"{prefix}:label:{found.label}": 1.0,
        **{f"{prefix}:cue:{c.lower()}": 1.0 for c in found.cues},
    }


def _attribution(doc: Doc) -> dict[str, float]:
    """Whether the headline attributes what it says, and how."""
    lower = [t.lower_ for t in doc]
    found: dict[str, float] = {}
    colon = next((t.i for t in doc if t.text == ":"), None)
    if colon is not None and 0 < colon <= PREFIX_TOKENS and colon < len(doc) - 1:
        found["attributed:prefix"] = 1.0
    if any(tuple(lower[i : i + len(p)]) == p for p in ACCORDING_TO for i in range(len(lower))):
        found["attributed:according_to"] = 1.0
    if any(w in REPORT_NOUNS or w in UNATTRIBUTED_NOUNS for w in lower):
        found["attributed:report"] = 1.0
    if any(w in UNNAMED_SOURCE_NOUNS for w in lower):
        found["attributed:source"] = 1.0
    if any(cue_lemma(t) is not None for t in doc):
        found["attributed:cue"] = 1.0
    return found


def _flagged(name: str, words: set[str]) -> dict[str, float]:
    """`name` when any word is there, and `name:word` for each."""
    found = {f"{name}:{w}": 1.0 for w in sorted(words)}
    if found:
        found[name] = 1.0
    return found


@dataclass(frozen=True)
class Headline:
    """What the models need of one parsed headline: our certainty of its main event and its
    features, by group."""

    certainty: Certainty
    groups: Mapping[str, Mapping[str, float]]

    def row(self, groups: Iterable[str]) -> dict[str, float]:
        """The feature row made of the groups named."""
        row: dict[str, float] = {}
        for group in groups:
            row.update(self.groups[group])
        return row


def headline_of(doc: Doc) -> Headline:
    """The features of one parsed headline, by group (`GROUPS`)."""
    root = main_event(doc)
    found = _certainty(doc, root)
    lemma = cue_lemma(root)
    words = {t.lower_ for t in doc} | {t.lemma_.lower() for t in doc if t.lemma_}
    groups: dict[str, dict[str, float]] = {
        "score": {k: v for k, v in _scored("event", found).items() if ":cue:" not in k},
        "whole": _scored("whole", whole(doc)),
        "cues": {f"event:cue:{c.lower()}": 1.0 for c in found.cues},
        "negation": {"negation": 1.0} if any(certainty.is_negation(t.text) for t in doc) else {},
        "root_cue": {"root_cue": 1.0, f"root_cue:{lemma}": 1.0} if lemma else {},
        "question": {"question": 1.0} if "?" in doc.text else {},
        "attribution": _attribution(doc),
        "refuting": _flagged("refuting", words & STANCE_REFUTING),
        "hedging": _flagged("hedging", words & STANCE_HEDGING),
    }
    return Headline(found, groups)


# Each distinct headline text, parsed once, with its features.
Features = dict[str, Headline]


def featurize(pairs: Iterable[Pair], nlp: Language, into: Features | None = None) -> Features:
    """Parse each distinct headline of `pairs` not parsed yet (`nlp.pipe`, in batches; only
    the parser and what it needs run) and keep its features, not its Doc."""
    features: Features = {} if into is None else into
    todo = {p.headline: None for p in pairs if p.headline not in features}
    off = [name for name in NOT_RUN if name in nlp.pipe_names]
    docs = nlp.pipe(((t, t) for t in todo), as_tuples=True, disable=off, batch_size=BATCH)
    for doc, text in docs:
        features[text] = headline_of(doc)
    logger.info("parsed %s headlines", len(todo))
    return features


# --- the evaluation ----------------------------------------------------------------------------


def fit(
    pairs: Sequence[Pair],
    features: Features,
    groups: Sequence[str],
    *,
    l2: float = L2,
    min_count: int = MIN_COUNT,
) -> linear.Classifier:
    """A one-vs-rest logistic model of the stance from the feature groups named."""
    rows = [features[p.headline].row(groups) for p in pairs]
    return linear.fit_classes(
        rows, [p.stance for p in pairs], l2=l2, min_count=min_count, meta={"groups": groups}
    )


def predict(
    train: Sequence[Pair],
    test: Sequence[Pair],
    features: Features,
    models: Mapping[str, Sequence[str]],
    *,
    l2: float = L2,
    min_count: int = MIN_COUNT,
) -> dict[str, list[str]]:
    """For each model (name -> feature groups) and `BASELINE`, its stance for each test pair,
    fitted on the train pairs."""
    out: dict[str, list[str]] = {}
    for name, groups in models.items():
        model = fit(train, features, groups, l2=l2, min_count=min_count)
        out[name] = [model.predict(features[p.headline].row(groups)) for p in test]
    out[BASELINE] = [majority(p.stance for p in train)] * len(test)
    return out


def cross_validate(
    pairs: Sequence[Pair],
    features: Features,
    models: Mapping[str, Sequence[str]],
    *,
    folds: int = FOLDS,
    seed: int = SEED,
    l2: float = L2,
    min_count: int = MIN_COUNT,
) -> dict[str, list[str]]:
    """For each model and `BASELINE`, the stance of each pair (in order) predicted by the
    models fitted on the other folds (`assign_folds`)."""
    fold = assign_folds((p.claim_id for p in pairs), folds, seed)
    out: dict[str, list[str]] = {name: [""] * len(pairs) for name in (*models, BASELINE)}
    for k in range(folds):
        train = [p for p in pairs if fold[p.claim_id] != k]
        held = [i for i, p in enumerate(pairs) if fold[p.claim_id] == k]
        found = predict(
            train, [pairs[i] for i in held], features, models, l2=l2, min_count=min_count
        )
        for name, predicted in found.items():
            for i, stance in zip(held, predicted, strict=True):
                out[name][i] = stance
    return out


def evaluate_stance(
    path: Path,
    *,
    train: Path | None = None,
    folds: int = FOLDS,
    seed: int = SEED,
    nlp: Language | None = None,
) -> EvalReport:
    """Score ours (`all`: certainty and Ferreira & Vlachos' headline features; `certainty`:
    the certainty features alone) and `baseline:majority` on an Emergent CSV file, in the
    same run: cross-validated over `folds` folds of claims (split `cv-<folds>`, fold rule in
    `assign_folds`), or, with `train`, fitted on that file and scored on `path` (split
    `heldout`).  Groups: `all`, `certainty` and `baseline:majority` (`accuracy`,
    `macro_f1`), and `against`, `for`, `observing` (`p`, `r`, `f1` of `all`).  `n` is the
    number of headlines scored."""
    test = list(read_pairs(path))
    train_pairs = list(read_pairs(train)) if train is not None else None
    model = nlp or pipeline.load()
    features = featurize(test, model)
    models = {ALL: OURS_GROUPS, CERTAINTY: CERTAINTY_GROUPS}
    if train_pairs is None:
        claims = len({p.claim_id for p in test})
        if folds < 2 or claims < folds:
            raise InputError(
                Errors.E030,
                path=path,
                reason=f"{claims} claims; cross-validation over {folds} folds needs "
                f"at least {max(folds, 2)}",
            )
        predicted = cross_validate(test, features, models, folds=folds, seed=seed)
        split = f"cv-{folds}"
    else:
        featurize(train_pairs, model, into=features)
        predicted = predict(train_pairs, test, features, models)
        split = HELDOUT
    gold = [p.stance for p in test]
    report = EvalReport(benchmark=BENCHMARK, split=split, n=len(test))
    ours = scores_of(zip(gold, predicted[ALL], strict=True))
    report.scores[ALL] = ours[ALL]
    for stance in STANCES:
        report.scores[stance] = ours[stance]
    for name in (CERTAINTY, BASELINE):
        report.scores[name] = scores_of(zip(gold, predicted[name], strict=True))[ALL]
    return report
