"""Claim linking: time per 1,000 claims, static model against MiniLM, and the cost of one `add`
as the store grows.

1. **Embedding**: the Emergent headlines (../shared/data/emergent, or `--emergent FILE`)
   embedded by the shipped static model and, when the `embed` extra is installed, by the full
   all-MiniLM-L6-v2; seconds per 1,000 headlines (best of `--repeat`; the static model's word
   cache is cleared before each repeat, and MiniLM is loaded before the clock starts).
2. **Linking**: the same headlines linked by a fresh `ClaimLinker` from their vectors; seconds
   per 1,000 adds.
3. **Scaling**: a synthetic dated stream (`--per-day` texts a day of random unit vectors, so
   that nearly every text opens a claim: the worst case for the index) fed to one linker;
   the mean time of an add over each successive block of `--block` adds.  Flat rows mean an
   add costs what its 30-day window holds, not what the store holds.

Usage: OMP_NUM_THREADS=1 python bench/claims.py [--emergent FILE] [--repeat 3] [--days 400]
       [--json]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from rumormill.link.claims import THRESHOLDS, ClaimInput, ClaimLinker, ClaimParams
from rumormill.nlp import embeddings

EMERGENT = Path("../shared/data/emergent/emergent_train_all_columns.csv")


def headlines(path: Path) -> list[str]:
    with path.open(encoding="utf8", newline="") as stream:
        return [row["articleHeadline"] for row in csv.DictReader(stream)]


def per_thousand(seconds: float, n: int) -> float:
    return round(1000 * seconds / n, 4)


def embed_time(embedder: embeddings.Embedder, texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        if isinstance(embedder, embeddings.StaticEmbedder):
            embedder.tokenizer._cache.clear()
        start = time.perf_counter()
        embedder.encode(texts)
        best = min(best, time.perf_counter() - start)
    return per_thousand(best, len(texts))


def link_time(embedder: embeddings.Embedder, texts: list[str]) -> float:
    vectors = embedder.encode(texts)
    linker = ClaimLinker(embedder)
    start = time.perf_counter()
    for k, text in enumerate(texts):
        linker.add_vector(ClaimInput(f"h{k}", text), vectors[k])
    return per_thousand(time.perf_counter() - start, len(texts))


class Random:
    """Unit vectors of the static model's size, never read from text."""

    name, dim = "random", 256

    def encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError


def scaling(days: int, per_day: int, block: int) -> list[dict[str, float]]:
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((days * per_day, Random.dim)).astype(np.float32)
    linker = ClaimLinker(Random(), ClaimParams(threshold=THRESHOLDS[embeddings.STATIC]))
    start_day = date(2020, 1, 1)
    rows: list[dict[str, float]] = []
    clock = time.perf_counter()
    for k in range(days * per_day):
        day = start_day + timedelta(days=k // per_day)
        linker.add_vector(ClaimInput(f"t{k}", "", (), day), vectors[k])
        if (k + 1) % block == 0:
            now = time.perf_counter()
            rows.append(
                {"claims": len(linker), "ms_per_add": round(1000 * (now - clock) / block, 4)}
            )
            clock = now
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--emergent", type=Path, default=EMERGENT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--days", type=int, default=400)
    ap.add_argument("--per-day", type=int, default=100)
    ap.add_argument("--block", type=int, default=4000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    texts = headlines(args.emergent)
    out: dict[str, object] = {
        "headlines": len(texts),
        "embed_s_per_1000": {},
        "link_s_per_1000": {},
    }
    models: list[embeddings.Embedder] = [embeddings.static()]
    if importlib.util.find_spec("torch") and embeddings.available(embeddings.MINILM):
        import torch

        torch.set_num_threads(1)
        models.append(embeddings.load(embeddings.MINILM))
    for model in models:
        out["embed_s_per_1000"][model.name] = embed_time(model, texts, args.repeat)  # type: ignore[index]
        out["link_s_per_1000"][model.name] = link_time(model, texts)  # type: ignore[index]
    out["scaling"] = scaling(args.days, args.per_day, args.block)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{len(texts)} Emergent headlines, seconds per 1,000 (one CPU thread)")
    for model in models:
        embed = out["embed_s_per_1000"][model.name]  # type: ignore[index]
        link = out["link_s_per_1000"][model.name]  # type: ignore[index]
        print(f"  {model.name:8} embed {embed:8.4f}   link {link:8.4f}")
    print(f"scaling: {args.per_day} texts a day for {args.days} days, ms per add by block")
    for row in out["scaling"]:  # type: ignore[attr-defined]
        print(f"  {row['claims']:>7} claims  {row['ms_per_add']:.4f} ms")


if __name__ == "__main__":
    main()
