"""Score claim linking on Emergent: do the headlines of one claim link to one claim, and to
no other?

Emergent (Ferreira & Vlachos, NAACL 2016) groups news headlines by the rumoured claim they
report (`claimId`).  Every headline of the file (`stance.read_pairs`: the same layout, reader
and coded errors as `eval stance`) is fed, in file order, to a fresh `ClaimLinker` as one
`ClaimInput`: the headline's text, the names of the entities our pipeline finds in it (the
shipped pipeline, `nlp.pipe` in batches, the attribution span tagger not run) and no date:
Emergent gives none per headline, so every headline sits at the linker's clock, in one
window (the time window plays no part here).  The predicted claims are scored against the
gold claims.  Protocol (documented in docs/accuracy.md):

- **Metrics.** B-cubed precision, recall and F1 (Bagga & Baldwin 1998; Amigó et al. 2009):
  for each headline, the share of its predicted claim that is in its gold claim and the share
  of its gold claim that is in its predicted claim, averaged over headlines;
  `bcubed_f1` is the harmonic mean of the two averages.  `pairwise_f1`: F1 over the pairs of
  headlines put in one claim.  `n` is the number of headlines.
- **Threshold by cross-validation over claims.** The linking threshold is the one parameter
  fitted here.  The claims are split into `FOLDS` folds by `stance.assign_folds` (seed
  `SEED`); the whole file is linked once per threshold of the model's grid (`GRIDS`); for
  each fold, the threshold with the best B-cubed F1 on the headlines of the *other* folds is
  chosen (ties: the lower), and the headlines of the fold are scored in the run at that
  threshold.  Every headline is scored once, by a threshold chosen without its claim, and
  always against the whole file's distractors; the thresholds chosen are logged.  The other
  parameters are `ClaimParams`' defaults (average link, a number bonus of 0.05, no entity
  bonus, generic texts left alone), chosen in development on this same file and on the
  coherence of the claims linked on the Wikinews sample (`corpus_coherence`,
  bench/claims_quality.py), as were the static model's recipe and the grids: said so in
  docs/accuracy.md.  A headline's entity names are also its mentions (`ClaimInput.mentions`).
- **Models, in the same run.**  `all`: ours, the linker with the embedder named
  (`static` by default: the shipped static model).  `all:default`: the same linker at its
  shipped default threshold (`THRESHOLDS`), no cross-validation: the threshold is set above
  Emergent's optimum for precision on news quotes (docs/accuracy.md), and this is what that
  costs on headlines.  `minilm`: the same with the full
  all-MiniLM-L6-v2 model, when the `embed` extra is installed and `embedder` is `static`.
  `baseline:tfidf`: the same linker with TF-IDF vectors instead of embeddings (`Tfidf`:
  words of at least two headlines, sublinear term frequency, IDF fitted on the file's own
  headlines: knowledge of the whole file that an incremental linker does not have).
  `baseline:singletons`: every headline a claim of its own (its B-cubed precision is 1).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from spacy.language import Language

from rumormill.errors import Errors, InputError
from rumormill.eval.report import EvalReport
from rumormill.eval.stance import assign_folds, read_pairs
from rumormill.link.claims import ClaimInput, ClaimLinker, ClaimParams
from rumormill.nlp import embeddings, pipeline, spans

logger = logging.getLogger(__name__)

BENCHMARK = "emergent-claims"
SPLIT = "all"
OURS = "all"
DEFAULT = "all:default"
MINILM = "minilm"
SINGLETONS = "baseline:singletons"
TFIDF = "baseline:tfidf"
FOLDS = 5
SEED = 2016
BATCH = 256
# The pipeline's entities are wanted, not its attribution spans.
NOT_RUN = (spans.COMPONENT,)


def _grid(low: float, high: float, step: float = 0.025) -> tuple[float, ...]:
    return tuple(round(low + k * step, 3) for k in range(round((high - low) / step) + 1))


# The thresholds tried, by embedder: each model's cosines live on their own scale.
GRIDS: dict[str, tuple[float, ...]] = {
    embeddings.STATIC: _grid(0.3, 0.75),
    embeddings.MINILM: _grid(0.35, 0.8),
    "tfidf": _grid(0.1, 0.55),
}
_WORD = re.compile(r"\w+")


# --- metrics -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScores:
    """Per headline: the size of its predicted claim, of its gold claim and of their overlap."""

    pred: np.ndarray
    gold: np.ndarray
    both: np.ndarray

    @classmethod
    def of(cls, gold: Sequence[str], pred: Sequence[str]) -> ItemScores:
        if len(gold) != len(pred):
            raise ValueError(f"{len(gold)} gold labels, {len(pred)} predictions")
        pairs: Counter[tuple[str, str]] = Counter(zip(gold, pred, strict=True))
        n_gold, n_pred = Counter(gold), Counter(pred)
        return cls(
            pred=np.array([n_pred[p] for p in pred], dtype=np.int64),
            gold=np.array([n_gold[g] for g in gold], dtype=np.int64),
            both=np.array([pairs[g, p] for g, p in zip(gold, pred, strict=True)], np.int64),
        )

    def metrics(self, keep: np.ndarray | None = None) -> dict[str, float]:
        """B-cubed P, R, F1 and pairwise F1 over the headlines in `keep` (all by default)."""
        pred, gold, both = (
            a if keep is None else a[keep] for a in (self.pred, self.gold, self.both)
        )
        if not len(pred):
            return {"bcubed_p": 0.0, "bcubed_r": 0.0, "bcubed_f1": 0.0, "pairwise_f1": 0.0}
        p = float(np.mean(both / pred))
        r = float(np.mean(both / gold))
        pairs_p = int(np.sum(pred - 1))
        pairs_g = int(np.sum(gold - 1))
        tp = int(np.sum(both - 1))
        pp = tp / pairs_p if pairs_p else 1.0
        pr = tp / pairs_g if pairs_g else 1.0
        return {
            "bcubed_p": p,
            "bcubed_r": r,
            "bcubed_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "pairwise_f1": 2 * pp * pr / (pp + pr) if pp + pr else 0.0,
        }


def bcubed(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """`bcubed_p`, `bcubed_r`, `bcubed_f1` and `pairwise_f1` of a predicted clustering."""
    return ItemScores.of(gold, pred).metrics()


# --- the lexical baseline ----------------------------------------------------------------------


class Tfidf:
    """TF-IDF vectors of words (lower-cased `\\w+`) found in at least two of the texts it is
    fitted on (`min_df` 2: a word of one text can match no other), sublinear term frequency
    (`1 + ln tf`), `idf = ln((1 + N) / (1 + df)) + 1`, L2-normalised."""

    name = "tfidf"

    def __init__(self, texts: Iterable[str]) -> None:
        docs = [_WORD.findall(t.lower()) for t in texts]
        self.n = len(docs)
        self.df: Counter[str] = Counter(w for words in docs for w in set(words))
        kept = sorted(w for w, df in self.df.items() if df >= 2)
        self.columns = {w: k for k, w in enumerate(kept)}
        self.dim = max(len(kept), 1)

    def idf(self, word: str) -> float:
        return math.log((1 + self.n) / (1 + self.df[word])) + 1

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word, tf in Counter(_WORD.findall(text.lower())).items():
                if word in self.columns:
                    out[row, self.columns[word]] = (1 + math.log(tf)) * self.idf(word)
        return embeddings.normalise_rows(out)


# --- linking and cross-validation --------------------------------------------------------------


class _Fixed:
    """Stands for an embedder whose vectors are already computed."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError("the vectors are given")


def link(
    items: Sequence[ClaimInput], vectors: np.ndarray, name: str, params: ClaimParams
) -> list[str]:
    """The claim of each item, linked in order by a fresh linker from precomputed vectors."""
    linker = ClaimLinker(_Fixed(name, int(vectors.shape[1])), params)
    return [linker.add_vector(item, vectors[k]) for k, item in enumerate(items)]


def cross_validate(
    gold: Sequence[str],
    items: Sequence[ClaimInput],
    vectors: np.ndarray,
    name: str,
    *,
    thresholds: Sequence[float],
    folds: int = FOLDS,
    seed: int = SEED,
    params: ClaimParams | None = None,
) -> tuple[dict[str, float], list[float]]:
    """The pooled metrics of each headline scored at the threshold chosen on the other folds'
    claims (module docstring), and the threshold chosen for each fold.  `params`: the
    linker's other parameters (its threshold is replaced; default `ClaimParams()`)."""
    base = params or ClaimParams()
    runs = [
        ItemScores.of(gold, link(items, vectors, name, replace(base, threshold=t)))
        for t in thresholds
    ]
    fold_of = assign_folds(gold, folds, seed)
    fold = np.array([fold_of[g] for g in gold])
    pred, gold_n, both = (np.zeros(len(gold), np.int64) for _ in range(3))
    chosen: list[float] = []
    for k in range(folds):
        held = fold == k
        f1 = [run.metrics(~held)["bcubed_f1"] for run in runs]
        best = int(np.argmax(f1))  # the first maximum: the lower threshold
        chosen.append(float(thresholds[best]))
        pred[held], gold_n[held], both[held] = (
            runs[best].pred[held],
            runs[best].gold[held],
            runs[best].both[held],
        )
    return ItemScores(pred, gold_n, both).metrics(), chosen


def headline_entities(texts: Iterable[str], nlp: Language) -> dict[str, tuple[str, ...]]:
    """The entity names our pipeline finds in each distinct text."""
    todo = list(dict.fromkeys(texts))
    off = [name for name in NOT_RUN if name in nlp.pipe_names]
    found = {}
    for doc, text in zip(nlp.pipe(todo, disable=off, batch_size=BATCH), todo, strict=True):
        found[text] = tuple(e.text for e in doc.ents)
    return found


def _timed_encode(embedder: embeddings.Embedder, texts: Sequence[str]) -> np.ndarray:
    start = time.perf_counter()
    vectors = embedder.encode(texts)
    seconds = time.perf_counter() - start
    logger.info(
        "%s: %.3f s per 1,000 headlines to embed (%s headlines)",
        embedder.name,
        1000 * seconds / max(len(texts), 1),
        len(texts),
    )
    return vectors


def evaluate_claims(
    path: Path,
    *,
    embedder: str = embeddings.STATIC,
    nlp: Language | None = None,
    minilm: bool | None = None,
    folds: int = FOLDS,
    seed: int = SEED,
) -> EvalReport:
    """Score claim linking on an Emergent CSV file (module docstring): ours (`all`, with the
    embedder named: `static` or `minilm`), `minilm` (when `minilm` is true, or when it is
    None and the `embed` extra is installed; never when `embedder` is already `minilm`),
    `baseline:tfidf` and `baseline:singletons`, each with `bcubed_p`, `bcubed_r`,
    `bcubed_f1` and `pairwise_f1`.  `n` is the number of headlines."""
    ours = embeddings.load(embedder)
    pairs = list(read_pairs(path))
    claims = len({p.claim_id for p in pairs})
    if folds < 2 or claims < folds:
        raise InputError(
            Errors.E030,
            path=path,
            reason=f"{claims} claims; cross-validation over {folds} folds needs "
            f"at least {max(folds, 2)}",
        )
    texts = [p.headline for p in pairs]
    gold = [p.claim_id for p in pairs]
    entities = headline_entities(texts, nlp or pipeline.load())
    # A headline's entities are its own: the article's names and the text's mentions.
    items = [
        ClaimInput(f"line-{p.line}", p.headline, entities[p.headline], None, entities[p.headline])
        for p in pairs
    ]
    models: dict[str, embeddings.Embedder] = {OURS: ours}
    if embedder != embeddings.MINILM and (
        minilm or (minilm is None and embeddings.available(embeddings.MINILM))
    ):
        models[MINILM] = embeddings.load(embeddings.MINILM)
    models[TFIDF] = Tfidf(texts)
    report = EvalReport(benchmark=BENCHMARK, split=SPLIT, n=len(pairs))
    for group, model in models.items():
        vectors = _timed_encode(model, texts)
        start = time.perf_counter()
        report.scores[group], chosen = cross_validate(
            gold, items, vectors, model.name, thresholds=GRIDS[model.name], folds=folds, seed=seed
        )
        logger.info(
            "%s: thresholds %s by fold; %.1f s to link and score",
            group,
            chosen,
            time.perf_counter() - start,
        )
        if group == OURS:
            # The shipped default threshold, not fitted here: the linker as it runs on news.
            shipped = link(items, vectors, model.name, ClaimParams())
            report.scores[DEFAULT] = bcubed(gold, shipped)
    report.scores[SINGLETONS] = bcubed(gold, [item.id for item in items])
    return report


# --- claim quality on real articles ------------------------------------------------------------

# A member "belongs" with its claim's first member at this judge cosine or more (MiniLM).
COHERENT = 0.5
SIZES = ((1, 1), (2, 2), (3, 4), (5, 9), (10, None))


def corpus_coherence(
    claims: Sequence[str],
    judge: np.ndarray,
    days: Sequence[int],
    articles: Sequence[str],
    *,
    coherent: float = COHERENT,
) -> dict[str, float]:
    """How coherent the claims linked on unlabelled articles are, by a judge's vectors (the
    full MiniLM: stronger than, and independent of, the linker's static model).

    `claims[k]` is the claim of text k, `judge[k]` its L2-normalised judge vector, `days[k]`
    its date (a day ordinal) and `articles[k]` its article.  Returned: `n` texts, `claims`,
    `multi` (claims of two members or more), `linked` (the share of texts in one),
    `coherence` (the mean over multi-member claims of the mean pairwise judge cosine of
    their members), `coherent_share` (the share of the claims with members from two articles
    or more whose every member is within judge cosine `coherent` of the first), `pairs` (the
    pairs of texts put in one claim), `pair_precision` (the share of them at judge cosine
    `coherent` or more), `largest` (the members of the largest claim), `largest_span_days`
    (the widest date range of a claim) and `size_<a>_<b>` (the number of claims of a to b
    members; `size_10_` for ten or more)."""
    if not len(claims) == len(judge) == len(days) == len(articles):
        raise ValueError("claims, judge vectors, days and articles must be as many")
    members: dict[str, list[int]] = {}
    for k, claim in enumerate(claims):
        members.setdefault(claim, []).append(k)
    vectors = np.asarray(judge, dtype=np.float64)
    means: list[float] = []
    multi_article = coherent_ones = pairs = good_pairs = 0
    for rows in members.values():
        if len(rows) < 2:
            continue
        sims = vectors[rows] @ vectors[rows].T
        upper = sims[np.triu_indices(len(rows), 1)]
        means.append(float(np.mean(upper)))
        pairs += len(upper)
        good_pairs += int(np.sum(upper >= coherent))
        if len({articles[k] for k in rows}) > 1:
            multi_article += 1
            coherent_ones += bool(np.all(sims[0, 1:] >= coherent))
    sizes = [len(rows) for rows in members.values()]
    out: dict[str, float] = {
        "n": len(claims),
        "claims": len(members),
        "multi": len(means),
        "linked": sum(s for s in sizes if s > 1) / max(len(claims), 1),
        "coherence": float(np.mean(means)) if means else 1.0,
        "coherent_share": coherent_ones / multi_article if multi_article else 1.0,
        "pairs": pairs,
        "pair_precision": good_pairs / pairs if pairs else 1.0,
        "largest": max(sizes, default=0),
        "largest_span_days": max(
            (max(days[k] for k in rows) - min(days[k] for k in rows) for rows in members.values()),
            default=0,
        ),
    }
    for low, high in SIZES:
        name = f"size_{low}_{high if high is not None else ''}"
        out[name] = sum(1 for s in sizes if s >= low and (high is None or s <= high))
    return out
