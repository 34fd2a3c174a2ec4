"""Train the hedge-cue tagger (`src/rumormill/nlp/hedges.py`) on the Szeged uncertainty corpus.

    python training/hedges.py --data ../shared/data/uncertainty \
        --out src/rumormill/models/hedges.json

Reads the train documents (the fixed, seeded split of `rumormill.eval.hedges`) of every file
in `--files`, parses each sentence with the shipped pipeline, learns the candidates (single
words whose lowercased form, or lemma, was a cue at least `--min-cue` times; multi-word cues
seen as often), fits the logistic model over every candidate occurrence (a cue when its token
span is exactly a gold cue's) and writes the model.  No randomness: the same data give the
same file, byte for byte.  `--dev` also scores the result on each file's dev split (what the
hyper-parameters were chosen on); training alone never reads dev.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from rumormill.eval import hedges as szeged
from rumormill.nlp.hedges import HedgeTagger, features
from rumormill.nlp.linear import LinearModel, fit, in_domain

logger = logging.getLogger("training.hedges")

FILES = ("wiki.xml", "bio_bmc.xml", "bio_fly.xml", "bio_hbc.xml")
MIN_CUE = 2  # times a word (or lemma, or word sequence) was a cue in train to be a candidate
MAX_NGRAM = 4  # the longest multi-word cue kept as a candidate
L2 = 3e-4
MIN_COUNT = 1  # rows a feature must occur in
STEPS = 400
THRESHOLD = 0.5
PRUNE = 0.03  # weights nearer zero than this are dropped from the shipped file
DOMAIN = "wiki"  # the tagger's own domain: the nearest to news


@dataclass(frozen=True)
class Example:
    """One parsed sentence with its gold cue token spans."""

    file: str
    doc: Doc
    gold: frozenset[tuple[int, int]]
    uncertain: bool
    domain: str | None = None


def examples_of(path: Path, split: str, nlp: Language, *, name: str | None = None) -> list[Example]:
    """Every sentence of one split of one file, parsed, with its gold cues."""
    return [
        Example(
            name or path.name,
            doc,
            frozenset(szeged.gold_spans(doc, s)),
            s.uncertain,
            szeged.domain_of(d.type),
        )
        for doc, s, d in szeged.parsed(szeged.read_split(path, split), nlp)
    ]


def candidate_lists(
    examples: Iterable[Example], *, min_cue: int = MIN_CUE, max_ngram: int = MAX_NGRAM
) -> tuple[list[str], list[str], list[list[str]]]:
    """The single words, lemmas and word sequences that were a cue at least `min_cue` times."""
    words: Counter[str] = Counter()
    lemmas: Counter[str] = Counter()
    ngrams: Counter[tuple[str, ...]] = Counter()
    for example in examples:
        for start, end in example.gold:
            tokens = [t for t in example.doc[start:end] if not t.is_space]
            if len(tokens) == 1:
                words[tokens[0].lower_] += 1
                if tokens[0].lemma_:
                    lemmas[tokens[0].lemma_] += 1
            elif 1 < len(tokens) <= max_ngram and end - start == len(tokens):
                ngrams[tuple(t.lower_ for t in tokens)] += 1
    return (
        sorted(w for w, n in words.items() if n >= min_cue),
        sorted(w for w, n in lemmas.items() if n >= min_cue),
        [list(g) for g in sorted(g for g, n in ngrams.items() if n >= min_cue)],
    )


def rows_of(
    examples: Iterable[Example], tagger: HedgeTagger
) -> tuple[list[dict[str, float]], list[float]]:
    """A row per candidate occurrence; its target is 1.0 when it is exactly a gold cue."""
    rows: list[dict[str, float]] = []
    targets: list[float] = []
    for example in examples:
        doc = example.doc
        sentences = doc.has_annotation("SENT_START")
        for start, end in tagger.candidates(doc):
            row = features(doc, start, end, sentences=sentences)
            rows.append(in_domain(row, example.domain) if example.domain else row)
            targets.append(1.0 if (start, end) in example.gold else 0.0)
    return rows, targets


def pruned(model: LinearModel, limit: float = PRUNE) -> LinearModel:
    weights = {k: w for k, w in model.weights.items() if abs(w) >= limit}
    meta = {**model.meta, "pruned_below": limit}
    return LinearModel(loss=model.loss, bias=model.bias, weights=weights, meta=meta)


def train(
    examples: Sequence[Example],
    *,
    min_cue: int = MIN_CUE,
    max_ngram: int = MAX_NGRAM,
    l2: float = L2,
    min_count: int = MIN_COUNT,
    steps: int = STEPS,
    threshold: float = THRESHOLD,
    prune: float = PRUNE,
    files: Sequence[str] = (),
) -> HedgeTagger:
    """Fit a tagger on train examples; its candidates and settings go into the model's meta."""
    words, lemmas, ngrams = candidate_lists(examples, min_cue=min_cue, max_ngram=max_ngram)
    finder = HedgeTagger(
        LinearModel(loss="logistic", bias=0.0, weights={}),
        words=words,
        lemmas=lemmas,
        ngrams=ngrams,
    )
    rows, targets = rows_of(examples, finder)
    logger.info(
        "%s candidates (%s cues) from %s sentences; %s words, %s lemmas, %s n-grams",
        len(rows),
        int(sum(targets)),
        len(examples),
        len(words),
        len(lemmas),
        len(ngrams),
    )
    domains = sorted({e.domain for e in examples if e.domain})
    meta = {
        "task": "hedge cues (Szeged uncertainty corpus, train documents)",
        "domains": domains,
        "domain": DOMAIN if DOMAIN in domains else None,
        "files": list(files),
        "sentences": len(examples),
        "min_cue": min_cue,
        "max_ngram": max_ngram,
        "threshold": threshold,
        "candidates": {"words": words, "lemmas": lemmas, "ngrams": ngrams},
    }
    model = fit(rows, targets, loss="logistic", l2=l2, min_count=min_count, steps=steps, meta=meta)
    return HedgeTagger.from_model(pruned(model, prune))


def score(
    tagger: HedgeTagger, examples: Iterable[Example], *, by_type: bool = True
) -> szeged.Counts:
    """Counts of a tagger on examples, each read in its own domain when `by_type` (as
    `evaluate_hedges` does)."""
    counts = szeged.Counts()
    taggers: dict[str | None, HedgeTagger] = {d: tagger.with_domain(d) for d in tagger.domains}
    for example in examples:
        domain = example.domain if by_type else None
        pred = {(s.start, s.end) for s in taggers.get(domain, tagger).cues(example.doc)}
        counts.add(set(example.gold), pred, uncertain=example.uncertain)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/uncertainty"))
    parser.add_argument("--out", type=Path, default=Path("src/rumormill/models/hedges.json"))
    parser.add_argument("--files", nargs="+", default=list(FILES))
    parser.add_argument("--min-cue", type=int, default=MIN_CUE)
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--dev", action="store_true", help="also score each file's dev split")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from rumormill.nlp import pipeline

    nlp = pipeline.load()
    began = time.perf_counter()
    examples = [
        e for name in args.files for e in examples_of(args.data / name, "train", nlp, name=name)
    ]
    parsed_at = time.perf_counter()
    tagger = train(examples, min_cue=args.min_cue, l2=args.l2, files=args.files)
    tagger.model.save(args.out)
    done = time.perf_counter()
    logger.info(
        "wrote %s (%s weights): parse %.0f s, fit %.0f s",
        args.out,
        len(tagger.model.weights),
        parsed_at - began,
        done - parsed_at,
    )
    if args.dev:
        for name in args.files:
            counts = score(tagger, examples_of(args.data / name, "dev", nlp, name=name))
            cue, sentence = counts.cue(), counts.sentence()
            logger.info(
                "%s dev: cue p %.3f r %.3f f1 %.3f; sentence p %.3f r %.3f f1 %.3f",
                name,
                *(cue[k] for k in ("p", "r", "f1")),
                *(sentence[k] for k in ("p", "r", "f1")),
            )


if __name__ == "__main__":
    main()
