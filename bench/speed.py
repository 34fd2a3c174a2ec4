"""Throughput of the shipped pipeline on one CPU core, in words per second with `nlp.pipe`.

Baselines measured in the same run, on the same texts: the tokenizer alone, and the trained
pipeline without rumormill's rule components, so that noise on a shared machine shows up in all
rows alike.  The last row is how `analyze` runs the pipeline: paragraph by paragraph
(`rumormill.nlp.pipeline.parse`).  The corpus is the Wikinews CSV (CC BY 2.5) from
../shared/data/wikinews.

Usage: OMP_NUM_THREADS=1 python bench/speed.py [--data ../shared/data] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import spacy

from rumormill.nlp import pipeline


def wikinews_texts(data: Path) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    texts: list[str] = []
    for path in sorted((data / "wikinews").glob("wikinews_*.csv")):
        with path.open(encoding="utf8", newline="") as f:
            texts.extend(row["text"] for row in csv.DictReader(f) if row["text"].strip())
    return texts


def words_per_second(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    rates = []
    n_words = 0
    for _ in range(repeat):
        start = time.perf_counter()
        n_words = run()
        rates.append(n_words / (time.perf_counter() - start))
    return statistics.median(rates), n_words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    texts = wikinews_texts(args.data)
    full = pipeline.load()
    bare = spacy.load(pipeline.MODEL_DIR)

    def tokenizer_only() -> int:
        return sum(len(doc) for doc in full.tokenizer.pipe(texts, batch_size=args.batch_size))

    def trained_only() -> int:
        return sum(len(doc) for doc in bare.pipe(texts, batch_size=args.batch_size))

    def shipped() -> int:
        return sum(len(doc) for doc in full.pipe(texts, batch_size=args.batch_size))

    def by_paragraph() -> int:
        docs = pipeline.parse(texts, nlp=full, batch_size=args.batch_size)
        return sum(len(doc) for doc in docs)

    shipped()  # warm up: load weights into the caches
    rows = {}
    for name, fn in [
        ("baseline:tokenizer", tokenizer_only),
        ("baseline:trained-components-only", trained_only),
        ("shipped pipeline", shipped),
        ("shipped pipeline, by paragraph (pipeline.parse)", by_paragraph),
    ]:
        wps, n = words_per_second(fn, args.repeat)
        rows[name] = {"words_per_second": round(wps), "words": n}
    size = sum(f.stat().st_size for f in pipeline.MODEL_DIR.rglob("*") if f.is_file())
    result = {
        "benchmark": "pipeline-speed",
        "corpus": "wikinews (2019+2020 CSV)",
        "texts": len(texts),
        "threads": os.environ["OMP_NUM_THREADS"],
        "model_mb": round(size / 1e6, 1),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, row in rows.items():
            print(f"{name:52s} {row['words_per_second']:>8d} words/s  ({row['words']} words)")
        print(f"model size {result['model_mb']} MB")


if __name__ == "__main__":
    main()
