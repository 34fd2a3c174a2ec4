"""Latency of the web app under load, while an ingest writes to the same store (issue 8).

1. The store: `--articles` articles built as bench/corpus.py builds its stream (real articles
   from the package's Wikinews sample, BASIL and PolNeAR dev in ../shared/data, analysed once,
   then re-dated, `--per-day` a day from 2020-01-01, each with the texts of two other real
   articles and a numbered line appended; linked with `Linker` and written with `Store.add` in
   batches of 32).  `--db PATH --reuse` serves a store built before instead (`--articles` is
   then ignored; the ingest of earlier runs stays in it).
2. The server: `rumormill serve` (uvicorn, its own process, access log on) on 127.0.0.1 and a
   free port, with RUMORMILL_TOKEN set; the benchmark waits until it answers.
3. The writer (`--ingest`): a process running `rumormill.ingestion.ingest` (read, analyse,
   link, store, suggest; one transaction per batch of `--ingest-batch`, default 32) on a JSON
   Lines file of more synthetic articles (real texts, two more appended and a numbered line,
   dated after the store's last day, new to the store).  The load starts once its first batch
   is written and it runs until the load ends (SQLite WAL: one writer, the server's readers
   alongside).  The articles it writes during the load are reported: analysis is most of its
   cost (about 0.45 s an article alone on a core), so on a shared core a batch of 32 takes
   a minute or more; `--ingest-batch 8` commits more often, and `--ingest-cpus` gives the
   writer cores of its own.
4. The load: `--clients` threads on loopback, each with its own keep-alive connection
   (http.client), send requests one after another; pages are loaded one after the other,
   `--requests` requests (or `--seconds` seconds) each, after `--warmup` untimed requests.
   Pages: the dashboard (`/`, `/index.json`), a claim (one of the store's 50 largest), full-text
   search (a word from the stored titles), search with filters (a word, a 30-day date range
   and a certainty label), an article (one of 200 drawn at random), and each one's JSON twin;
   then, beyond the target's list, search ranked by relevance (`sort=relevance`: BM25 over
   every match) and its twin.  The dashboard is kept until the store changes (`web/cache.py`):
   what it costs afresh, after each write, is measured apart before the load
   (`dashboard_afresh`).
   The baseline is the same load on a static file (`/static/rumormill.css`), first and last,
   so that the machine's noise (and the writer's cost to any request) is visible.
   Per page: p50, p95 and max latency (ms, from sending the request to the end of the body),
   throughput (requests/s over the page's wall time) and errors (non-2xx or exceptions).

Target (issue 8): p95 < 200 ms for every page at 10 concurrent clients, and no error.

The server, the load generator and (without `--ingest-cpus`) the ingest share the cores this
process may run on (`taskset -c 1`: one core for all three), so the figures are an upper bound
for a server with a core of its own.  `--server-cpus` gives the server cores of its own (its
users' browsers are not on its machine): `taskset -c 0 ... --server-cpus 1 --ingest-cpus 0`
runs the clients and the writer on one core and the server alone on the other.

Usage: OMP_NUM_THREADS=1 taskset -c 1 python bench/web.py [--articles 2000] [--db PATH [--reuse]]
           [--clients 10] [--requests 200 | --seconds 10] [--ingest] [--json]
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import BATCH, PER_DAY, START, real_analyses, variant  # bench/corpus.py
from rumormill.demo import corpus
from rumormill.ingest.sources import Options, read_items
from rumormill.ingestion import BATCH_SIZE, Progress, ingest
from rumormill.link.linker import Linker
from rumormill.store import Store
from rumormill.store import queries as store_queries

TARGET_P95_MS = 200.0
LABELS = store_queries.CERTAINTY_LABELS
STATIC = "/static/rumormill.css"
STOP = {"about", "after", "again", "against", "before", "being", "could", "their", "there"}
STOP |= {"these", "those", "under", "until", "where", "which", "while", "would", "says"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the store ---------------------------------------------------------------------------------


def build(db: Path, data: Path, n: int, per_day: int, seed: int) -> None:
    """A store of `n` synthetic articles, made and written as bench/corpus.py does."""
    start = time.perf_counter()
    real = real_analyses(data)
    log(f"analysed {len(real)} real articles in {time.perf_counter() - start:.0f} s")
    rng = random.Random(seed)
    with Store.open(db) as store:
        linker = Linker.load(store)
        for b in range(0, n, BATCH):
            batch = [
                variant(
                    real[rng.randrange(len(real))],
                    [real[rng.randrange(len(real))] for _ in range(2)],
                    i,
                    START + timedelta(days=i // per_day),
                )
                for i in range(b, min(n, b + BATCH))
            ]
            store.add(batch, links=linker.link(batch))
            if (b + BATCH) % 1024 < BATCH or b + BATCH >= n:
                log(f"stored {min(n, b + BATCH)} of {n} ({time.perf_counter() - start:.0f} s)")


@dataclass
class Sample:
    """What the load draws its URLs from."""

    articles: int
    article_ids: list[str]
    claim_ids: list[int]
    words: list[str]
    first: date
    last: date


def sample(db: Path, seed: int) -> Sample:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rng = random.Random(seed)
        (articles,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        first, last = conn.execute("SELECT min(published), max(published) FROM articles").fetchone()
        pks = [r[0] for r in conn.execute("SELECT pk FROM articles")]
        chosen = rng.sample(pks, min(200, len(pks)))
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM articles WHERE pk IN ({','.join('?' * len(chosen))})", chosen
            )
        ]
        titles = [r[0] for r in conn.execute("SELECT title FROM articles WHERE title IS NOT NULL")]
    finally:
        conn.close()
    words = sorted({w.lower() for t in titles for w in re.findall(r"[A-Za-z]{5,}", t)} - STOP)
    with Store.open(db, create=False) as store:
        claims = [c.claim_id for c in store_queries.claims(store, limit=50)]
    if not (ids and claims and words and first and last):
        raise SystemExit(f"{db}: no articles, claims, titles or dates to draw from")
    return Sample(articles, ids, claims, words, date.fromisoformat(first), date.fromisoformat(last))


# --- the writer --------------------------------------------------------------------------------


def inputs_of(data: Path) -> list[str]:
    return [*corpus(), str(data / "basil" / "articles"), str(data / "polnear" / "dev" / "text")]


def ingest_file(path: Path, data: Path, n: int, first: date, per_day: int, seed: int) -> None:
    """`n` synthetic articles as JSON Lines, dated from `first`, new to any store (a nonce)."""
    options = Options(published=date(2016, 9, 8), undated=True)
    real = [i.article for i in read_items(inputs_of(data), options) if i.article is not None]
    rng = random.Random(seed + 1)
    nonce = time.time_ns()
    with path.open("w", encoding="utf8") as out:
        for k in range(n):
            base, *extra = (real[rng.randrange(len(real))] for _ in range(3))
            more = "\n\n".join(a.text for a in extra)
            record = {
                "text": f"{base.text}\n\n{more}\n\nItem {k} of the ingest stream {nonce}.",
                "published": (first + timedelta(days=k // per_day)).isoformat(),
                "outlet": base.outlet,
                "url": None,
                "title": base.title,
            }
            out.write(json.dumps(record) + "\n")


def run_ingest(path: str, db: str, batch: int, cpus: list[int] | None, ingested: Any) -> None:
    """The writer's process: ingest `path` into `db` in batches of `batch`, counting the
    articles written; on `cpus` when given."""
    if cpus:
        os.sched_setaffinity(0, cpus)
    start = time.perf_counter()

    def progress(p: Progress) -> None:
        ingested.value = p.ingested
        log(f"ingest: {p.ingested} articles written ({time.perf_counter() - start:.0f} s)")

    ingest([path], db=db, batch_size=batch, on_progress=progress)


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(
    db: Path, port: int, logfile: Path, cpus: list[int] | None = None
) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).parent / "rumormill"
    env = {**os.environ, "RUMORMILL_TOKEN": "bench-web-token"}
    command = [str(exe), "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    with logfile.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    if cpus:
        os.sched_setaffinity(server.pid, cpus)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}):\n{logfile.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", STATIC)
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"the server did not answer in 120 s:\n{logfile.read_text()}")


# --- the load ----------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    url: Callable[[random.Random], str]


def pages(s: Sample) -> list[Page]:
    def claim(r: random.Random) -> str:
        return f"/claims/{r.choice(s.claim_ids)}"

    def article(r: random.Random) -> str:
        return f"/articles/{r.choice(s.article_ids)}"

    def search(r: random.Random) -> str:
        return f"?q={r.choice(s.words)}"

    def filtered(r: random.Random) -> str:
        span = max(0, (s.last - s.first).days - 30)
        since = s.first + timedelta(days=r.randint(0, span))
        until = since + timedelta(days=30)
        return f"?q={r.choice(s.words)}&since={since}&until={until}&label={r.choice(LABELS)}"

    return [
        Page("dashboard", lambda r: "/"),
        Page("dashboard.json", lambda r: "/index.json"),
        Page("claim", claim),
        Page("claim.json", lambda r: claim(r) + ".json"),
        Page("search", lambda r: "/search" + search(r)),
        Page("search.json", lambda r: "/search.json" + search(r)),
        Page("search+filters", lambda r: "/search" + filtered(r)),
        Page("search+filters.json", lambda r: "/search.json" + filtered(r)),
        Page("article", article),
        Page("article.json", lambda r: article(r) + ".json"),
        # Beyond the target's list: search ranked by BM25 (every match ranked) on request.
        Page("search:relevance", lambda r: "/search" + search(r) + "&sort=relevance"),
        Page("search:relevance.json", lambda r: "/search.json" + search(r) + "&sort=relevance"),
    ]


def dashboard_miss(db: Path, repeat: int = 5) -> dict[str, float]:
    """What the dashboard costs when the store has changed since it was last computed (the
    cache is invalidated by every write): computed afresh `repeat` times in this process,
    with nothing else running; median and max in ms."""
    from rumormill.web import create_app

    app = create_app(db, read_only=True)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        app.state.dashboard.refresh()
        times.append(1000 * (time.perf_counter() - t0))
    app.state.web.store.close()
    times.sort()
    return {"median_ms": round(times[len(times) // 2], 1), "max_ms": round(times[-1], 1)}


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest rank."""
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)]


def load(
    port: int, page: Page, clients: int, requests: int | None, seconds: float, seed: int
) -> dict[str, Any]:
    """`clients` threads sending requests for `page` back to back until `requests` are sent
    (or `seconds` have passed); latencies, throughput and errors."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0
    deadline = time.perf_counter() + seconds

    def worker(k: int) -> None:
        nonlocal issued
        rng = random.Random(seed * 1000 + k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if requests is not None:
                    if issued >= requests:
                        break
                    issued += 1
                elif time.perf_counter() >= deadline:
                    break
            url = page.url(rng)
            error = None
            t0 = time.perf_counter()
            try:
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    error = f"{response.status} {url}"
            except (OSError, http.client.HTTPException) as e:
                error = f"{type(e).__name__}: {e} {url}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(1000 * elapsed)
                if error is not None:
                    errors.append(error)
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ms = sorted(latencies)
    return {
        "requests": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "max_ms": round(ms[-1], 1),
        "rps": round(len(ms) / wall, 1),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def warm(port: int, page: Page, n: int, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(n):
        conn.request("GET", page.url(rng))
        conn.getresponse().read()
    conn.close()


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--articles", type=int, default=2000, help="articles in the store built")
    ap.add_argument("--per-day", type=int, default=PER_DAY, help="articles a day in the stream")
    ap.add_argument("--db", type=Path, default=None, help="the store (default: a temporary one)")
    ap.add_argument("--reuse", action="store_true", help="serve the store at --db as it is")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--requests", type=int, default=None, help="requests per page")
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds per page (no --requests)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed requests per page")
    ap.add_argument("--ingest", action="store_true", help="an ingest writes during the load")
    ap.add_argument("--ingest-articles", type=int, default=3000, help="in the writer's file")
    ap.add_argument("--ingest-batch", type=int, default=BATCH_SIZE, help="articles a transaction")
    ap.add_argument(
        "--ingest-cpus",
        type=lambda v: [int(c) for c in v.split(",")],
        default=None,
        help="pin the writer to these cores (e.g. 2,3); default: this process's",
    )
    ap.add_argument(
        "--server-cpus",
        type=lambda v: [int(c) for c in v.split(",")],
        default=None,
        help="pin the server to these cores (e.g. 1); default: this process's",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.reuse and args.db is None:
        ap.error("--reuse needs --db")
    if args.db is not None and args.db.exists() and not args.reuse:
        ap.error(f"{args.db} exists: pass --reuse to serve it, or remove it")

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db = args.db or workdir / "bench-web.db"
        build_s = None
        if not args.reuse:
            t0 = time.perf_counter()
            build(db, args.data, args.articles, args.per_day, args.seed)
            build_s = round(time.perf_counter() - t0)
        s = sample(db, args.seed)
        miss = dashboard_miss(db)
        log(f"dashboard computed afresh: {miss}")
        size_mb = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20
        log(f"store: {s.articles} articles, {size_mb:.0f} MB, {s.first} .. {s.last}")

        writer = None
        ingested = mp.get_context("spawn").Value("i", 0)
        port = free_port()
        server = serve(db, port, workdir / "server.log", args.server_cpus)
        try:
            if args.ingest:
                stream = workdir / "ingest.jsonl"
                first = s.last + timedelta(days=1)
                ingest_file(stream, args.data, args.ingest_articles, first, args.per_day, args.seed)
                writer = mp.get_context("spawn").Process(
                    target=run_ingest,
                    args=(str(stream), str(db), args.ingest_batch, args.ingest_cpus, ingested),
                    daemon=True,
                )
                writer.start()
                deadline = time.monotonic() + 600
                while ingested.value == 0 and writer.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.5)
                if ingested.value == 0:
                    raise SystemExit("the ingest wrote nothing (it failed or was too slow)")
                log(f"ingest running: {ingested.value} articles written")
            at_start = ingested.value
            t_start = time.perf_counter()
            baseline = Page("baseline:static", lambda r: STATIC)
            order = [baseline, *pages(s), Page("baseline:static (last)", baseline.url)]
            rows: dict[str, dict[str, Any]] = {}
            for page in order:
                warm(port, page, args.warmup, args.seed)
                rows[page.name] = load(
                    port, page, args.clients, args.requests, args.seconds, args.seed
                )
                log(f"{page.name}: {json.dumps(rows[page.name])}")
            load_s = time.perf_counter() - t_start
            written = ingested.value - at_start
            writer_alive = writer is not None and writer.is_alive()
        finally:
            if writer is not None and writer.is_alive():
                writer.terminate()
                writer.join()
            server.terminate()
            server.wait(timeout=30)

    for name, row in rows.items():
        if not name.startswith(("baseline", "search:relevance")):
            row["pass"] = row["p95_ms"] < TARGET_P95_MS and row["errors"] == 0
    result = {
        "benchmark": "web-latency",
        "store_articles": s.articles,
        "store_mb": round(size_mb),
        "build_s": build_s,
        "clients": args.clients,
        "per_page": {"requests": args.requests} if args.requests else {"seconds": args.seconds},
        "cpus": sorted(os.sched_getaffinity(0)),  # the clients (and by default server, ingest)
        "server_cpus": args.server_cpus,
        "ingest": {
            "on": args.ingest,
            "batch": args.ingest_batch,
            "cpus": args.ingest_cpus,
            "articles_written_during_load": written,
            "articles_per_s": round(written / load_s, 2),
            "still_running_at_end": writer_alive,
        },
        "target_p95_ms": TARGET_P95_MS,
        "dashboard_afresh": miss,
        "rows": rows,
        "pass": all(r.get("pass", True) for r in rows.values()),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'page':24s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} {'req/s':>7s} {'errors':>6s}")
    for name, row in rows.items():
        verdict = "" if "pass" not in row else ("pass" if row["pass"] else "FAIL")
        print(
            f"{name:24s} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['max_ms']:>8.1f} "
            f"{row['rps']:>7.1f} {row['errors']:>6d}  {verdict}"
        )
    print(f"dashboard computed afresh (after a write): {miss}")
    ing = result["ingest"]
    print(
        f"{s.articles} articles, {args.clients} clients, cpus {result['cpus']}; ingest "
        + (
            f"wrote {written} articles during the load ({ing['articles_per_s']}/s)"
            if args.ingest
            else "off"
        )
        + f"; target p95 < {TARGET_P95_MS:.0f} ms, no error: "
        + ("PASS" if result["pass"] else "FAIL")
    )


if __name__ == "__main__":
    main()
