"""Lemmatisation time per article: spaCy's rule lemmatizer (the baseline) against
`rumormill_lemmas` (the same rules, cached per word, UPOS and morphology), in one run.

Both lemmatise the same parsed paragraphs of the 84 PolNeAR dev articles (read from
../shared/data, never copied here), with their lemmas cleared before each pass; the two
alternate, and each figure is the median of the passes.  Both caches are warm after the
first pass, as in a long-running analysis.

Usage: OMP_NUM_THREADS=1 taskset -c 0 python bench/lemmas.py [--data ../shared/data] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from spacy.attrs import LEMMA

from rumormill.nlp import lemmas, pipeline
from rumormill.nlp.spans import TAGGERS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    paths = sorted((args.data / "polnear" / "dev" / "text").glob("*.txt"))
    texts = [p.read_text(encoding="utf8") for p in paths]
    nlp = pipeline.load(exclude=TAGGERS)
    docs = list(nlp.pipe(p for text in texts for p in pipeline.paragraphs(text)))
    systems = {
        "baseline:spacy-rule-lemmatizer": nlp.get_pipe(lemmas.LEMMATIZER),
        "rumormill_lemmas": nlp.get_pipe(lemmas.COMPONENT),
    }
    times: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(args.repeat):
        for name, component in systems.items():
            for doc in docs:
                doc.from_array([LEMMA], np.zeros((len(doc), 1), dtype="uint64"))
            start = time.perf_counter()
            for doc in docs:
                component(doc)
            times[name].append(time.perf_counter() - start)
    result = {
        "benchmark": "lemma-speed",
        "corpus": f"polnear dev ({len(texts)} articles, {len(docs)} paragraphs)",
        "rows": {
            name: {"ms_per_article": round(statistics.median(t) * 1000 / len(texts), 2)}
            for name, t in times.items()
        },
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, row in result["rows"].items():
            print(f"{name:35s} {row['ms_per_article']:>7.2f} ms/article")


if __name__ == "__main__":
    main()
