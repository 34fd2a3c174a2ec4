"""Throughput of `analyze` on one CPU core, against the bare spaCy pipeline as the baseline.

Both run in the same process on the same texts (the 84 PolNeAR dev articles, read from
../shared/data, never copied here), alternating, so that a noisy machine affects both alike:

- baseline:nlp.pipe: the bare spaCy pipeline (without the attribution span taggers),
  `nlp.pipe` over whole texts;
- baseline:parse: `pipeline.parse`, the same pipeline over paragraphs, joined again: the
  parsing that `analyze` does;
- parse+spans: that parse with the learned attribution span taggers;
- analyze: `rumormill.analyze_articles`, the parse with the span taggers plus pairing,
  speaker resolution, the rules and certainty.

The overhead of attribution is (analyze time / baseline:parse time) - 1.  The target of
issue 4 is analyze at 10 articles per second or better.

Usage: OMP_NUM_THREADS=1 taskset -c 0 python bench/analyze.py [--data ../shared/data] [--json]
           [--model PATH]   # another pipeline folder (default: the shipped one)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from rumormill.analysis import analyze_articles
from rumormill.model import Article
from rumormill.nlp import pipeline
from rumormill.nlp.spans import TAGGERS


def polnear_dev(data: Path) -> list[Article]:
    paths = sorted((data / "polnear" / "dev" / "text").glob("*.txt"))
    return [Article(text=p.read_text(encoding="utf8"), published=date(2016, 9, 8)) for p in paths]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--model", type=Path, default=pipeline.MODEL_DIR)
    args = ap.parse_args()
    articles = polnear_dev(args.data)
    nlp = pipeline.load_path(args.model)
    base_nlp = pipeline.load_path(args.model, exclude=TAGGERS)
    list(analyze_articles(articles[:5], nlp=nlp))  # warm up
    list(pipeline.parse((a.text for a in articles[:5]), nlp=base_nlp))

    bare_times, base_times, spans_times, full_times = [], [], [], []
    n_words = n_attributions = 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        n_words = sum(len(doc) for doc in base_nlp.pipe(a.text for a in articles))
        bare_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        sum(len(doc) for doc in pipeline.parse((a.text for a in articles), nlp=base_nlp))
        base_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        sum(len(doc) for doc in pipeline.parse((a.text for a in articles), nlp=nlp))
        spans_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        n_attributions = sum(len(r.attributions) for r in analyze_articles(articles, nlp=nlp))
        full_times.append(time.perf_counter() - start)
    bare = statistics.median(bare_times)
    base, full = statistics.median(base_times), statistics.median(full_times)
    spans = statistics.median(spans_times)

    def row(seconds: float) -> dict[str, float]:
        return {
            "articles_per_second": round(len(articles) / seconds, 2),
            "words_per_second": round(n_words / seconds),
        }

    result = {
        "benchmark": "analyze-speed",
        "corpus": "polnear dev (84 articles)",
        "words": n_words,
        "attributions": n_attributions,
        "rows": {
            "baseline:nlp.pipe": row(bare),
            "baseline:parse": row(base),
            "parse+spans": row(spans),
            "analyze": row(full),
        },
        "overhead": round(full / base - 1, 3),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, row in result["rows"].items():
            print(
                f"{name:20s} {row['articles_per_second']:>7.2f} articles/s "
                f"{row['words_per_second']:>8d} words/s"
            )
        print(f"extraction overhead {result['overhead']:.1%} ({n_attributions} attributions)")


if __name__ == "__main__":
    main()
