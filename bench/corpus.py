"""Corpus tracking at scale: linking and storing cost per article as the store grows, and peak
memory (issue 6).

Real articles (Wikinews 2019 and 2020, BASIL, PolNeAR dev: read from ../shared/data and the
package, never copied) are analysed once.  Then a synthetic stream of `--articles` analyses is
made from them by re-dating (one day after another, `PER_DAY` articles a day, in a shuffled order,
seeded) and by appending to each the texts of two other real articles drawn at random and a
numbered closing line, so that every one is a new article to the store and, mostly, not a
near-copy of another (the base analysis keeps its offsets: text is only appended).  The
stream is linked (`link/linker.py`: copies and stories) and written (`Store.add`, batches
of 32, one transaction each) into a fresh SQLite store, and the cost per article is
measured for each block of `--block` articles:

- the first block is the baseline measured in the same run (an empty store);
- if the cost stays roughly flat block after block, linking and storing scale with the
  batch, not with the corpus (candidates come from time-bucketed indexes; the store's
  lookups are indexed);
- peak memory (ru_maxrss) is reported at the end of each block.

Usage: OMP_NUM_THREADS=1 taskset -c 0 python bench/corpus.py --articles 10000 [--per-day 40]
       [--block 1000] [--json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from rumormill.analysis import analyze_articles
from rumormill.demo import corpus
from rumormill.ingest.sources import Options, read_items
from rumormill.link.linker import Linker
from rumormill.model import Analysis, Span
from rumormill.store import Store

BATCH = 32
START = date(2020, 1, 1)
PER_DAY = 40


def real_analyses(data: Path) -> list[Analysis]:
    inputs = [
        *corpus(),
        str(data / "basil" / "articles"),
        str(data / "polnear" / "dev" / "text"),
    ]
    options = Options(published=date(2016, 9, 8), undated=True)
    articles = [i.article for i in read_items(inputs, options) if i.article is not None]
    return list(analyze_articles(articles, on_error=lambda a, e: None))


def variant(base: Analysis, extra: list[Analysis], n: int, day: date) -> Analysis:
    """`base` as a new article: re-dated, with the texts of `extra` and a numbered line
    appended (offsets of the analysis stay valid)."""
    more = "\n\n".join(a.article.text for a in extra)
    text = f"{base.article.text}\n\n{more}\n\nItem {n} of the benchmark stream."
    article = dataclasses.replace(base.article, text=text, published=day, url=None)
    sentences = [*base.sentences, Span(len(base.article.text), len(text), text[-50:])]
    return dataclasses.replace(base, article=article, sentences=sentences)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--block", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-day", type=int, default=PER_DAY, help="articles a day in the stream")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    start = time.perf_counter()
    real = real_analyses(args.data)
    analysed = time.perf_counter() - start
    print(f"analysed {len(real)} real articles in {analysed:.0f} s", file=sys.stderr)
    rng = random.Random(args.seed)
    blocks: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.db") as store:
        linker = Linker.load(store)
        done = 0
        while done < args.articles:
            size = min(args.block, args.articles - done)
            order = [rng.randrange(len(real)) for _ in range(size)]
            stream = [
                variant(
                    real[k],
                    [real[rng.randrange(len(real))] for _ in range(2)],
                    done + i,
                    START + timedelta(days=(done + i) // args.per_day),
                )
                for i, k in enumerate(order)
            ]
            link_s = store_s = 0.0
            for b in range(0, size, BATCH):
                batch = stream[b : b + BATCH]
                t0 = time.perf_counter()
                links = linker.link(batch)
                t1 = time.perf_counter()
                store.add(batch, links=links)
                t2 = time.perf_counter()
                link_s += t1 - t0
                store_s += t2 - t1
            done += size
            blocks.append(
                {
                    "stored": done,
                    "link_ms": round(1000 * link_s / size, 2),
                    "store_ms": round(1000 * store_s / size, 2),
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                }
            )
            print(json.dumps(blocks[-1]), file=sys.stderr)
    first, rest = blocks[0], blocks[1:] or blocks
    result = {
        "benchmark": "corpus-scale",
        "real_articles": len(real),
        "stream": args.articles,
        "per_day": args.per_day,
        "blocks": blocks,
        "baseline:first_block_ms": round(first["link_ms"] + first["store_ms"], 2),
        "median_later_block_ms": round(
            statistics.median(b["link_ms"] + b["store_ms"] for b in rest), 2
        ),
        "last_block_ms": round(blocks[-1]["link_ms"] + blocks[-1]["store_ms"], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for b in blocks:
            print(
                f"{b['stored']:>8d} stored  link {b['link_ms']:>6.2f} ms  "
                f"store {b['store_ms']:>6.2f} ms  peak {b['peak_rss_mb']:>6.0f} MB"
            )


if __name__ == "__main__":
    main()
