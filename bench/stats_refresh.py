"""What keeping the statistics costs a batch (`store/stats.py`, issue 8).

On a copy of a built store (`--db`, e.g. one `bench/web.py --db PATH` kept), the last
`--batches` batches of 32 stored articles are taken one by one, and in a transaction that is
rolled back, the work `Store.add` does for them is done again and timed: recomputing their
claims and stories (`stats.refresh`) and adding their citations to the people's counts
(`stats.add_people`).  The baseline, in the same run, is what the person statistics cost
when recounted from every attribution (`stats.refresh(people=...)`), as the first version
did.  Medians over the batches, in ms.

Usage: OMP_NUM_THREADS=1 taskset -c 1 python bench/stats_refresh.py --db COPY.db [--batches 10]
       [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import sqlalchemy as sa

from rumormill.store import Store, schema, stats

BATCH = 32


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, required=True, help="a copy of a built store")
    ap.add_argument("--batches", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    a = schema.articles
    with Store.open(args.db, create=False) as store:
        with store.reading() as conn:
            (articles,) = conn.execute(sa.select(sa.func.count()).select_from(a)).one()
            ids = list(
                conn.execute(
                    sa.select(a.c.id).order_by(a.c.pk.desc()).limit(BATCH * args.batches)
                ).scalars()
            )
        times: dict[str, list[float]] = {"claims_and_stories": [], "people": [], "baseline": []}
        for k in range(args.batches):
            batch = ids[k * BATCH : (k + 1) * BATCH]
            with store.engine.connect() as conn:
                transaction = conn.begin()
                claims, stories = stats.claims_of(conn, batch), stats.stories_of(conn, batch)
                t0 = time.perf_counter()
                stats.refresh(conn, claims=claims, stories=stories)
                t1 = time.perf_counter()
                stats.add_people(conn, batch)
                t2 = time.perf_counter()
                stats.refresh(conn, people=stats.people_of(conn, batch))
                t3 = time.perf_counter()
                transaction.rollback()
            times["claims_and_stories"].append(1000 * (t1 - t0))
            times["people"].append(1000 * (t2 - t1))
            times["baseline"].append(1000 * (t3 - t2))
    result = {
        "benchmark": "stats-refresh",
        "store_articles": articles,
        "batch": BATCH,
        "batches": args.batches,
        "median_ms": {name: round(statistics.median(v), 1) for name, v in times.items()},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, ms in result["median_ms"].items():
        print(f"{name:20s} {ms:8.1f} ms a batch of {BATCH}")
    print(f"{articles} articles in the store")


if __name__ == "__main__":
    main()
