"""The learned attribution span tagger: training data, raw scores and assembly.

PolNeAR's brat annotations become spaCy DocBins, one Doc per paragraph, with SOURCE, CUE and
CONTENT spans as entities: a transition-based recognizer can learn them as one layer,
because in PolNeAR they do not nest (where two spans overlap, the longer, then the first,
is kept: 4 of 60,000 in train).

Usage (training/attribution.sh runs all of it):
  python training/attribution_spans.py --polnear ../shared/data/polnear --out training/corpus \
      [--model PIPELINE]   # the pipeline whose parse gives the syntax features
  python training/attribution_spans.py --score MODEL   # raw dev span scores of a pipeline
  python training/attribution_spans.py --assemble TAGGER_MODEL \
      --model src/rumormill/models/en_rumormill   # put the tagger into the shipped model
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin, Span

from rumormill.eval.attribution import read_gold
from rumormill.nlp.pipeline import MODEL_DIR, load_path, paragraphs
from rumormill.nlp.span_features import bare_copy
from rumormill.nlp.spans import TAGGERS

Fragment = tuple[int, int]


def non_overlapping(spans: list[tuple[int, int, str]]) -> list:
    """Keep spans that do not overlap one already kept: in text order, the longest first."""
    order = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, label in order:
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, label))
    return kept


def layer_doc(doc: Doc, spans: list[tuple[int, int, str]], offset: int) -> Doc:
    ents: list[Span] = []
    for start, end, label in spans:
        span = doc.char_span(start - offset, end - offset, label=label, alignment_mode="expand")
        if span is not None and all(span.end <= e.start or span.start >= e.end for e in ents):
            ents.append(span)
    out = bare_copy(doc)
    out.set_ents([Span(out, e.start, e.end, label=e.label_) for e in ents], default="outside")
    return out


def convert(polnear: Path, split: str, out: Path, model: Path = MODEL_DIR) -> dict[str, int]:
    """One split as one span layer (SOURCE, CUE, CONTENT: in PolNeAR no source or cue lies in
    a content and no content in another), one Doc per paragraph, with the syntax features of
    our shipped pipeline's parse of that paragraph, as `rumormill_attribution_spans` sees
    them."""
    nlp = load_path(model, exclude=TAGGERS)
    layer = DocBin(store_user_data=True)
    counts = {"docs": 0, "SOURCE": 0, "CUE": 0, "CONTENT": 0, "dropped": 0}
    articles = read_gold(polnear, split)
    pieces = [paragraphs(article.text) for article in articles]
    docs = nlp.pipe(p for ps in pieces for p in ps)
    for article, paras in zip(articles, pieces, strict=True):
        spans = [
            (s, e, label)
            for a in article.attributions
            for label, frags in (("SOURCE", a.source), ("CUE", a.cue), ("CONTENT", a.content))
            for s, e in frags
            if e > s
        ]
        kept = non_overlapping(spans)
        counts["dropped"] += len(set(spans)) - len(kept)
        offset = 0
        for para in paras:
            doc = next(docs)
            end = offset + len(para)
            made = layer_doc(doc, [s for s in kept if offset <= s[0] and s[1] <= end], offset)
            layer.add(made)
            for e in made.ents:
                counts[e.label_] += 1
            counts["docs"] += 1
            offset = end
    layer.to_disk(out / f"polnear-spans-{split}.spacy")
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--polnear", type=Path, default=Path("../shared/data/polnear"))
    ap.add_argument("--out", type=Path, default=Path("training/corpus"))
    ap.add_argument("--score", type=Path, metavar="MODEL", help="raw dev span scores")
    ap.add_argument("--assemble", type=Path, metavar="TAGGER_MODEL")
    ap.add_argument(
        "--model",
        type=Path,
        default=MODEL_DIR,
        help="the pipeline that parses PolNeAR (features) and that gets the tagger",
    )
    args = ap.parse_args()
    if args.score:
        print(json.dumps(score(args.polnear, "dev", args.score), indent=1))
        return
    if args.assemble:
        assemble(args.model, args.assemble)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    stats = {s: convert(args.polnear, s, args.out, args.model) for s in ("train", "dev")}
    print(json.dumps(stats, indent=1))


def assemble(model: Path, tagger: Path) -> None:
    """Source the tagger into the shipped pipeline, disabled: it runs only through
    `rumormill_attribution_spans` (src/rumormill/nlp/spans.py), on bare copies."""
    nlp = spacy.load(model)
    for name in TAGGERS:
        if name in nlp.component_names:
            nlp.remove_pipe(name)
    (name,) = TAGGERS
    nlp.add_pipe("ner", name=name, source=spacy.load(tagger), last=True)
    nlp.disable_pipe(name)
    fresh = model.with_name(model.name + ".new")  # no folder of a removed component stays
    shutil.rmtree(fresh, ignore_errors=True)
    nlp.to_disk(fresh)
    shutil.rmtree(model)
    fresh.rename(model)
    size = sum(f.stat().st_size for f in model.rglob("*") if f.is_file())
    print(f"pipeline {nlp.component_names} -> {model} ({size / 1e6:.1f} MB)")


def score(polnear: Path, split: str, model: Path) -> dict:
    """The raw span scores of the taggers in an assembled pipeline, before pairing, with the
    scorer of `eval attribution` (a bare span has no kind: role groups only)."""
    from rumormill.eval.attribution import Scorer, gold_mentions
    from rumormill.nlp.pipeline import parse
    from rumormill.nlp.spans import SPANS_KEY

    nlp = load_path(model)
    scorer = Scorer(kinds=False)
    articles = read_gold(polnear, split)
    for article, doc in zip(articles, parse((a.text for a in articles), nlp=nlp), strict=True):
        pred = {(s.label_.lower(), None, s.start_char, s.end_char) for s in doc.spans[SPANS_KEY]}
        scorer.add(article.text, gold_mentions(article.attributions), pred)
    return {
        "benchmark": "polnear-attribution-learned-spans",
        "split": split,
        "n": len(articles),
        "scores": scorer.scores(),
    }


if __name__ == "__main__":
    main()
