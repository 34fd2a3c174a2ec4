"""What each page costs the server on its own: one client, in process, nothing kept (issue 8).

The pages and URLs of `bench/web.py` (the dashboard, a claim of the 50 largest, search,
search with filters, an article, each JSON twin, and relevance search), on a store built
before (`--db`, e.g. the one `bench/web.py --db PATH` keeps), each requested `--repeat`
times through FastAPI's test client with the app's caches emptied before every request
(`web/cache.py`): the cost of the first request after a write.  Medians and maxima in ms.
With `--largest`, also the heaviest entity, outlet and story pages: the corpus entity named
in the most articles, the outlet with the most articles, the story with the most articles.

The same command on an older commit (`git worktree add /tmp/old COMMIT`, then
`PYTHONPATH=/tmp/old/src python bench/web_service.py ...`) measures that code on the same
store, as long as the store's migrations are ones it knows (run it before a newer version
opens the store).

Usage: OMP_NUM_THREADS=1 taskset -c 0 python bench/web_service.py --db PATH [--repeat 5]
       [--largest] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient

from rumormill.web import create_app
from web import Page, pages, sample  # bench/web.py


def forget(app: Any) -> None:
    """Empty the app's caches (an older app has none)."""
    for name in ("dashboard", "claims", "claim_pages"):
        cache = getattr(app.state, name, None)
        if cache is not None:
            cache.forget()


def largest(db: Path) -> list[Page]:
    """The pages of the corpus entity named in the most articles, the outlet with the most
    articles and the story with the most articles."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        entity = conn.execute(
            "SELECT corpus_entity_id FROM entities WHERE corpus_entity_id IS NOT NULL"
            " GROUP BY corpus_entity_id ORDER BY count(DISTINCT article_id) DESC LIMIT 1"
        ).fetchone()[0]
        outlet = conn.execute(
            "SELECT outlet_id FROM articles WHERE outlet_id IS NOT NULL"
            " GROUP BY outlet_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        story = conn.execute(
            "SELECT story_id FROM story_stats ORDER BY articles DESC LIMIT 1"
        ).fetchone()[0]
    finally:
        conn.close()
    return [
        Page("entity (most named)", lambda r: f"/entities/{entity}"),
        Page("outlet (most articles)", lambda r: f"/outlets/{outlet}"),
        Page("story (most articles)", lambda r: f"/stories/{story}"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--largest", action="store_true", help="the heaviest entity, outlet, story")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    s = sample(args.db, args.seed)
    app = create_app(args.db, read_only=True)
    client = TestClient(app)
    rows: dict[str, dict[str, float]] = {}
    chosen = pages(s) + (largest(args.db) if args.largest else [])
    for page in chosen:
        rng = random.Random(args.seed + 1)
        times = []
        for _ in range(args.repeat):
            url = page.url(rng)
            forget(app)
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(1000 * (time.perf_counter() - t0))
            if response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
        rows[page.name] = {
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
        }
        print(f"{page.name}: {rows[page.name]}", file=sys.stderr, flush=True)
    result = {
        "benchmark": "web-service-time",
        "store_articles": s.articles,
        "repeat": args.repeat,
        "rows": rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, row in rows.items():
        print(f"{name:24s} {row['median_ms']:>9.1f} {row['max_ms']:>9.1f}")


if __name__ == "__main__":
    main()
