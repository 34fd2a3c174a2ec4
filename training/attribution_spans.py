"""Exploratory: PolNeAR attribution spans as entity-style training data for a learned tagger.

Issue 4 asks for a learned attribution extractor.  This script turns PolNeAR's brat
annotations into spaCy DocBins, one Doc per paragraph, with two span layers that a
transition-based recognizer can learn, because within each layer spans do not overlap:

- `short`: SOURCE and CUE spans (when two overlap, the first in text order wins);
- `content`: CONTENT spans, the outermost where contents nest.

Usage: python training/attribution_spans.py --polnear ../shared/data/polnear --out training/corpus
       (then train each layer with training/configs/attribution-spans.cfg)
       python training/attribution_spans.py --score SHORT_MODEL CONTENT_MODEL   # dev scores
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span

from rumormill.eval.attribution import read_gold
from rumormill.nlp.pipeline import paragraphs

Fragment = tuple[int, int]


def non_overlapping(spans: list[tuple[int, int, str]], *, outermost: bool) -> list:
    """Keep spans that do not overlap one already kept (longest first when `outermost`)."""
    order = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))) if outermost else sorted(spans)
    kept: list[tuple[int, int, str]] = []
    for start, end, label in order:
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, label))
    return kept


def layer_doc(doc: Doc, spans: list[tuple[int, int, str]], offset: int) -> Doc | None:
    ents: list[Span] = []
    for start, end, label in spans:
        span = doc.char_span(start - offset, end - offset, label=label, alignment_mode="expand")
        if span is not None and all(span.end <= e.start or span.start >= e.end for e in ents):
            ents.append(span)
    out = doc.copy()
    out.set_ents(ents, default="outside")
    return out


def convert(polnear: Path, split: str, out: Path) -> dict[str, int]:
    nlp = spacy.blank("en")
    short, content = DocBin(), DocBin()
    counts = {"docs": 0, "SOURCE": 0, "CUE": 0, "CONTENT": 0}
    for article in read_gold(polnear, split):
        short_spans = [
            (s, e, label)
            for a in article.attributions
            for label, frags in (("SOURCE", a.source), ("CUE", a.cue))
            for s, e in frags
            if e > s
        ]
        content_spans = [(s, e, "CONTENT") for a in article.attributions for s, e in a.content]
        short_spans = non_overlapping(short_spans, outermost=False)
        content_spans = non_overlapping(content_spans, outermost=True)
        offset = 0
        for para in paragraphs(article.text):
            end = offset + len(para)
            doc = nlp.make_doc(para)
            inside_short = [s for s in short_spans if offset <= s[0] and s[1] <= end]
            inside_content = [s for s in content_spans if offset <= s[0] and s[1] <= end]
            for layer, spans, bin_ in (
                ("short", inside_short, short),
                ("content", inside_content, content),
            ):
                made = layer_doc(doc, spans, offset)
                if made is not None:
                    bin_.add(made)
                    if layer == "short":
                        for e in made.ents:
                            counts[e.label_] += 1
                    else:
                        counts["CONTENT"] += len(made.ents)
            counts["docs"] += 1
            offset = end
    short.to_disk(out / f"polnear-short-{split}.spacy")
    content.to_disk(out / f"polnear-content-{split}.spacy")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--polnear", type=Path, default=Path("../shared/data/polnear"))
    ap.add_argument("--out", type=Path, default=Path("training/corpus"))
    ap.add_argument("--score", nargs=2, type=Path, metavar=("SHORT_MODEL", "CONTENT_MODEL"))
    args = ap.parse_args()
    if args.score:
        print(json.dumps(score(args.polnear, "dev", *args.score), indent=1))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    stats = {split: convert(args.polnear, split, args.out) for split in ("train", "dev")}
    print(json.dumps(stats, indent=1))


def score(polnear: Path, split: str, short_model: Path, content_model: Path) -> dict:
    """Span scores of the two learned layers on a split, with the scorer of `eval attribution`
    (a learned span has no kind, so only the role groups are reported)."""
    from rumormill.eval.attribution import Scorer, gold_mentions

    short_nlp = spacy.load(short_model)
    content_nlp = spacy.load(content_model)
    scorer = Scorer(kinds=False)
    articles = read_gold(polnear, split)
    for article in articles:
        pieces = paragraphs(article.text)
        starts = [sum(len(p) for p in pieces[:i]) for i in range(len(pieces))]
        pred: set[tuple[str, str | None, int, int]] = set()
        for model in (short_nlp, content_nlp):
            for offset, doc in zip(starts, model.pipe(pieces), strict=True):
                for ent in doc.ents:
                    role = ent.label_.lower()
                    pred.add((role, None, ent.start_char + offset, ent.end_char + offset))
        scorer.add(article.text, gold_mentions(article.attributions), pred)
    return {
        "benchmark": "polnear-attribution-learned-spans",
        "split": split,
        "n": len(articles),
        "scores": scorer.scores(),
    }


if __name__ == "__main__":
    main()
