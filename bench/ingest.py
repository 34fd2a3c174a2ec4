"""End-to-end ingest throughput: articles per second from files on disk to a linked store, against
reading and analysing alone as the baseline measured in the same run (issue 6).

Inputs are the real texts of ../shared/data, read in place and never copied: the bundled
Wikinews sample (the demo corpus), BASIL's articles and PolNeAR's train and dev texts (undated:
stored as undated).  Two rows, run one after the other in the same process and repeated
`--repeat` times, alternating, so that a noisy machine affects both alike:

- baseline:read+analyze: `read_items` and `analyze_articles` over the same inputs, in batches of
  the ingest's size; nothing linked or stored;
- ingest: `rumormill.ingestion.ingest` into a fresh SQLite store (read, analyse, link copies,
  stories, claims and entities, write in one transaction per batch).

The overhead of tracking is (ingest time / baseline time) - 1.  The first few articles are
analysed once before the clock starts, so that loading the models is not counted.

Usage: OMP_NUM_THREADS=1 taskset -c 0 python bench/ingest.py [--data ../shared/data]
           [--repeat 2] [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from rumormill.analysis import analyze_articles
from rumormill.demo import corpus
from rumormill.ingest.sources import Options, read_items
from rumormill.ingestion import BATCH_SIZE, batches, ingest


def inputs_of(data: Path) -> list[str]:
    return [
        *corpus(),
        str(data / "basil" / "articles"),
        str(data / "polnear" / "train" / "text"),
        str(data / "polnear" / "dev" / "text"),
    ]


def analyse_only(inputs: list[str], limit: int | None) -> int:
    """Read and analyse, in ingest-sized batches; the number of articles analysed."""
    n = 0
    options = Options(undated=True)
    for batch in batches(read_items(inputs, options), BATCH_SIZE):
        articles = [i.article for i in batch if i.article is not None]
        if limit is not None:
            articles = articles[: max(0, limit - n)]
        n += sum(1 for _ in analyze_articles(articles, on_error=lambda a, e: None))
        if limit is not None and n >= limit:
            break
    return n


def limited(inputs: list[str], limit: int | None, workdir: Path) -> list[str]:
    """The inputs, or (with `limit`) a JSONL file of the first `limit` readable articles, so
    that both rows see the same articles."""
    if limit is None:
        return inputs
    path = workdir / "limited.jsonl"
    with path.open("w", encoding="utf8") as out:
        n = 0
        for item in read_items(inputs, Options(undated=True)):
            if item.article is None:
                continue
            a = item.article
            record = {
                "text": a.text,
                "published": a.published.isoformat() if a.published else None,
                "outlet": a.outlet,
                "url": a.url,
                "title": a.title,
            }
            out.write(json.dumps(record) + "\n")
            n += 1
            if n >= limit:
                break
    return [str(path)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        inputs = limited(inputs_of(args.data), args.limit, workdir)
        analyse_only(inputs, 5)  # load the models before the clock starts
        base_times: list[float] = []
        ingest_times: list[float] = []
        n_base = n_ingested = 0
        rejected = 0
        for round_ in range(args.repeat):
            start = time.perf_counter()
            n_base = analyse_only(inputs, None)
            base_times.append(time.perf_counter() - start)
            db = workdir / f"bench-{round_}.db"
            start = time.perf_counter()
            report = ingest(inputs, db=db)
            ingest_times.append(time.perf_counter() - start)
            n_ingested = report.ingested + report.duplicates
            rejected = report.rejected_total
    base, full = statistics.median(base_times), statistics.median(ingest_times)
    result = {
        "benchmark": "ingest-speed",
        "corpus": "wikinews sample + basil articles + polnear train and dev texts",
        "articles": n_ingested,
        "rejected": rejected,
        "rows": {
            "baseline:read+analyze": {"articles_per_second": round(n_base / base, 2)},
            "ingest": {"articles_per_second": round(n_ingested / full, 2)},
        },
        "overhead": round(full / base - 1, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, row in result["rows"].items():
            print(f"{name:24s} {row['articles_per_second']:>7.2f} articles/s")
        print(
            f"{n_ingested} articles ({rejected} rejected); tracking overhead "
            f"{result['overhead']:.1%}; peak RSS {result['peak_rss_mb']} MB"
        )


if __name__ == "__main__":
    main()
