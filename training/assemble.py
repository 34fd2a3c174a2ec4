"""Assemble the shipped pipeline from the trained syntax and entity models.

syntax (tok2vec, tagger, morphologizer, parser) + a rule lemmatizer (spacy-lookups-data tables,
serialised into the model) + the entity recognizer, sourced with its own tok2vec.

Usage: python training/assemble.py --syntax RUN/syntax/model-best --ner RUN/ner/model-best \
           --out src/rumormill/models/en_rumormill
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import spacy
from spacy.lookups import load_lookups

import rumormill.nlp.span_features  # noqa: F401  (registers the span tagger's layers)

META = {
    "name": "rumormill",
    "version": "0.1.0",
    "description": (
        "rumormill's English pipeline, trained from openly licensed data only: UD English "
        "EWT (CC BY-SA 4.0), GUM commercial-use genres (CC BY 4.0 sources), UniversalNER EWT "
        "(CC BY-SA 4.0), wikigold (CC BY 4.0), Broad Twitter Corpus (CC BY 4.0), GMB partial "
        "(silver; public-domain texts), with word clusters from spacy-lookups-data (MIT). "
        "See docs/models.md."
    ),
    "author": "The rumormill developers",
    "license": "CC BY-SA 4.0",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--syntax", type=Path, required=True)
    ap.add_argument("--ner", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    nlp = spacy.load(args.syntax)
    ner_nlp = spacy.load(args.ner)
    lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "rule"}, after="parser")
    lemmatizer.initialize(lookups=load_lookups("en", ["lemma_rules", "lemma_exc", "lemma_index"]))
    nlp.add_pipe("ner", source=ner_nlp, after="lemmatizer")
    nlp.meta.update(META)
    if args.out.exists():
        shutil.rmtree(args.out)
    nlp.to_disk(args.out)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"pipeline {nlp.pipe_names} -> {args.out} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
