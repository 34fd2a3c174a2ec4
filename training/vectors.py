"""Build the static word vectors of the shipped model, from resources available offline.

No pretrained embeddings can be downloaded here, so the vectors are made of two parts:

1. **word2vec on our own raw text** (gensim, skip-gram, fixed seed, one worker): the *training*
   texts of ../shared/data (PolNeAR train, BASIL, Wikinews, LIAR, Emergent, the Szeged
   Wikipedia sentences, the treebank and entity-corpus train sentences), about 3M words of
   mostly news.  Dev and test texts are left out.
2. **Brown word clusters** from the `en_lexeme_cluster` table of spacy-lookups-data (MIT),
   learned upstream on a large corpus.  A cluster is a path in a binary tree; each path prefix
   (lengths 2, 4, ..., 16) gets a fixed random Gaussian vector and a word's cluster vector is
   the sum over its prefixes, so similar words share most of it.

A word's vector is the two parts side by side (zeros where a part is unknown).  The vocabulary
is the most frequent words of each part, which bounds the model's size.

Usage: python training/vectors.py --data ../shared/data --out training/vectors
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy
import spacy
import spacy_lookups_data
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


def cluster_vectors(size: int, dim: int, seed: int) -> dict[str, numpy.ndarray]:
    clusters = read_table("en_lexeme_cluster")
    probs = read_table("en_lexeme_prob")
    words = sorted((w for w, c in clusters.items() if c), key=lambda w: -probs.get(w, -30.0))
    cache: dict[str, numpy.ndarray] = {}
    out: dict[str, numpy.ndarray] = {}
    for word in words[:size]:
        bits = format(int(clusters[word]), "b")
        vec = numpy.zeros(dim, dtype="float32")
        for n in PREFIX_LENGTHS:
            if n > len(bits):
                break
            key = f"{n}:{bits[:n]}"
            if key not in cache:
                cache[key] = prefix_vector(key, dim, seed)
            vec += cache[key]
        out[word] = vec / max(float(numpy.linalg.norm(vec)), 1e-6)
    return out


# ----------------------------------------------------------------------------- raw text


def conllu_texts(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf8").splitlines():
        if line.startswith("# text = "):
            yield line[9:]


def token_file_texts(path: Path) -> Iterator[str]:
    words: list[str] = []
    for line in path.read_text(encoding="utf8").splitlines():
        if not line.strip() or line.startswith("-DOCSTART-"):
            if words:
                yield " ".join(words)
            words = []
        elif not line.startswith("#"):
            words.append(line.split("\t")[0].split(" ")[0])
    if words:
        yield " ".join(words)


def raw_texts(data: Path) -> Iterator[str]:
    """Every *training* text of ../shared/data, as paragraphs or sentences."""
    csv.field_size_limit(sys.maxsize)
    for path in sorted((data / "polnear" / "train" / "text").glob("*.txt")):
        yield from path.read_text(encoding="utf8").split("\n\n")
    for path in sorted((data / "basil" / "articles").rglob("*.json")):
        article = json.loads(path.read_text(encoding="utf8"))
        yield article.get("title") or ""
        for paragraph in article.get("body-paragraphs") or []:
            yield " ".join(paragraph) if isinstance(paragraph, list) else str(paragraph)
    for path in sorted((data / "wikinews").glob("*.csv")):
        with path.open(encoding="utf8", newline="") as f:
            for row in csv.DictReader(f):
                yield row["title"]
                yield from row["text"].split("\n")
    for path in [data / "liar" / "train.tsv"]:
        for line in path.read_text(encoding="utf8").splitlines():
            cols = line.split("\t")
            if len(cols) > 2:
                yield cols[2]
    with (data / "emergent" / "emergent_clean_train.csv").open(encoding="utf8") as f:
        for row in csv.reader(f):
            yield from row
    wiki = (data / "uncertainty" / "wiki.xml").read_text(encoding="utf8")
    for sentence in re.findall(r"<Sentence[^>]*>(.*?)</Sentence>", wiki, flags=re.S):
        yield re.sub(r"<[^>]+>", "", sentence)
    tb = data / "treebanks"
    for name in ("en_ewt-ud-train.conllu", "en_gum-train.conllu"):
        yield from conllu_texts(tb / name)
    ner = data / "ner"
    for path in [
        ner / "wikigold" / "wikigold.iob2.tsv",
        ner / "gmb_kaggle_partial" / "gmb_partial.iob2.tsv",
        *sorted((ner / "btc").glob("*.conll")),
    ]:
        yield from token_file_texts(path)


def word2vec(data: Path, dim: int, seed: int, min_count: int) -> dict[str, numpy.ndarray]:
    from gensim.models import Word2Vec

    tokenizer = spacy.blank("en").tokenizer
    sentences = [
        [t.text for t in doc if not t.is_space]
        for doc in tokenizer.pipe(t for t in raw_texts(data) if t and t.strip())
    ]
    n_words = sum(len(s) for s in sentences)
    logging.getLogger(__name__).info("word2vec on %d words", n_words)
    model = Word2Vec(
        sentences,
        vector_size=dim,
        window=5,
        min_count=min_count,
        sg=1,
        negative=10,
        epochs=10,
        seed=seed,
        workers=1,
    )
    out = {}
    for word in model.wv.index_to_key:
        vec = model.wv[word]
        out[word] = vec / max(float(numpy.linalg.norm(vec)), 1e-6)
    print(f"word2vec: {n_words} words of raw text, {len(out)} word forms")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("training/vectors"))
    ap.add_argument("--cluster-words", type=int, default=50000)
    ap.add_argument("--cluster-dim", type=int, default=16)
    ap.add_argument("--w2v-dim", type=int, default=48)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    clusters = cluster_vectors(args.cluster_words, args.cluster_dim, args.seed)
    w2v = word2vec(args.data, args.w2v_dim, args.seed, args.min_count)
    words = list(dict.fromkeys([*w2v, *clusters]))
    table = numpy.zeros((len(words), args.w2v_dim + args.cluster_dim), dtype="float32")
    for row, word in enumerate(words):
        if word in w2v:
            table[row, : args.w2v_dim] = w2v[word]
        if word in clusters:
            table[row, args.w2v_dim :] = clusters[word]

    nlp = spacy.blank("en")
    nlp.vocab.vectors = Vectors(data=table, keys=[nlp.vocab.strings.add(w) for w in words])
    args.out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.out)
    print(f"{len(words)} words x {table.shape[1]} dims -> {args.out}")


if __name__ == "__main__":
    main()
