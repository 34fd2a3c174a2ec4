"""Build small static word vectors from the Brown clusters shipped in spacy-lookups-data.

No pretrained embeddings can be downloaded here.  The `en_lexeme_cluster` table of the
spacy-lookups-data package (MIT) holds Brown clusters for a million English word forms,
learned on a large corpus.  A word's cluster is a path in a binary tree; words that share a
long prefix are distributionally alike.  Each prefix (lengths 2, 4, ..., 16) gets a fixed random
Gaussian vector and a word's vector is the sum over its prefixes, so the model can learn from
every level of the hierarchy.  Only the most frequent words are kept (by `en_lexeme_prob`),
which bounds the size.

Usage: python training/vectors.py --out training/vectors --size 80000 --dim 48 --seed 0
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from pathlib import Path

import numpy
import spacy_lookups_data
import spacy
from spacy.vectors import Vectors

PREFIX_LENGTHS = (2, 4, 6, 8, 10, 12, 14, 16)


def read_table(name: str) -> dict[str, float]:
    path = Path(spacy_lookups_data.__file__).parent / "data" / f"{name}.json.gz"
    with gzip.open(path, "rt", encoding="utf8") as f:
        table: dict[str, float] = json.load(f)
    return table


def prefix_vector(prefix: str, dim: int, seed: int) -> numpy.ndarray:
    digest = hashlib.sha256(f"{seed}:{prefix}".encode()).digest()
    rng = numpy.random.default_rng(int.from_bytes(digest[:8], "little"))
    return rng.standard_normal(dim).astype("float32")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("training/vectors"))
    ap.add_argument("--size", type=int, default=80000)
    ap.add_argument("--dim", type=int, default=48)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    data_clusters = read_table("en_lexeme_cluster")
    data_probs = read_table("en_lexeme_prob")
    candidates = [w for w, c in data_clusters.items() if c]
    candidates.sort(key=lambda w: data_probs.get(w, -30.0), reverse=True)
    words = candidates[: args.size]

    cache: dict[str, numpy.ndarray] = {}
    table = numpy.zeros((len(words), args.dim), dtype="float32")
    for row, word in enumerate(words):
        bits = format(int(data_clusters[word]), "b")
        vec = numpy.zeros(args.dim, dtype="float32")
        for n in PREFIX_LENGTHS:
            if n > len(bits):
                break
            prefix = f"{n}:{bits[:n]}"
            if prefix not in cache:
                cache[prefix] = prefix_vector(prefix, args.dim, args.seed)
            vec += cache[prefix]
        table[row] = vec / max(float(numpy.linalg.norm(vec)), 1e-6)

    nlp = spacy.blank("en")
    nlp.vocab.vectors = Vectors(data=table, keys=[nlp.vocab.strings.add(w) for w in words])
    args.out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    print(f"{len(words)} words x {args.dim} dims, {len(cache)} cluster prefixes -> {args.out}")


if __name__ == "__main__":
    main()
