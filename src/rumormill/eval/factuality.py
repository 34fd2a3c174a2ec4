"""Score event factuality: how committed a sentence sounds to each of its target events.

Layout: one folder per data set, `<SET>/<split>.jsonl` (the Jiang & de Marneffe 2021 release:
UW, MEANTIME, UDS_IH2, CB, MV2, RP).  `root` is one set folder (it holds `<split>.jsonl`) or a
folder of set folders (every one that holds `<split>.jsonl` is scored).  One JSON object per
line: `{"text": tokens joined by spaces, "targets": [{"span1": [start, end], "label": -3..3,
"span_text": ...}, ...]}`; `span1` counts tokens (whitespace-separated words of `text`),
end-exclusive.  Protocol (documented in docs/accuracy.md):

- **The event.**  The sentence is parsed as it is tokenized in the file (the shipped pipeline
  over a Doc of those words; entities and the span tagger are not run).  The target's token is
  the syntactic head of its span; `certainty.walk` climbs from it to its cue verb or the root.
- **Ours** is the learned certainty model (`certainty.Scorer`, what `analyze` reports), in the
  author's voice, in the terms of the set scored when it was trained on that set (its
  per-set weights and calibration), else in newswire's (UW).
- **baseline:lexicon** is the v1 certainty lexicon on the same event (`certainty.lexicon`: the
  cue verb's value, hedges in the modifiers on the way capping it, wrappers lowering it, a
  negation of the event flipping its sign).  The lexicon's scale is already the data's.
- **baseline:constant** predicts, for every target of a set, the mean label of that set's
  `train.jsonl` (on dev or test, never the mean of the split scored).  A set with no
  `train.jsonl`, or none with a target, predicts 0.0 (the middle of the scale), `train_n` 0.
- **Metrics** per set: `mae` (mean absolute error) and `pearson_r`.  Pearson's r is undefined
  when either side is constant (the baseline always is): it is reported as 0.0.  `n` is the
  number of targets of all sets; each set's group (ours) has its own `n`.
- A missing folder or file, or no `<split>.jsonl`, is E030.  A malformed line (bad JSON, a
  field missing or of the wrong type, a span outside the sentence, a label that is not a
  number in -3..3) is E033 with the file and the line number.  Files are read line by line,
  each line bounded (`LINE_LIMIT`), so a split of any size streams.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from rumormill.errors import Errors, InputError
from rumormill.eval.report import EvalReport
from rumormill.ingest import files
from rumormill.model import Certainty
from rumormill.nlp import certainty, pipeline

logger = logging.getLogger(__name__)

BENCHMARK = "factuality"
BASELINE = "baseline:constant"
LEXICON = "baseline:lexicon"
TRAIN = "train"
SCALE = 3.0
# One sentence with its targets; the longest line of the release is about 2,400 bytes.
LINE_LIMIT = 1_000_000
NOT_RUN = pipeline.PARSE_ONLY


# --- the reader --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    start: int
    end: int
    label: float


@dataclass(frozen=True)
class Sentence:
    line: int
    tokens: tuple[str, ...]
    targets: tuple[Target, ...]


def _bad(path: Path | str, line: int, reason: str) -> InputError:
    return InputError(Errors.E033, path=path, line=line, reason=reason)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _target(value: object, n_tokens: int, path: Path | str, line: int, k: int) -> Target:
    if not isinstance(value, dict):
        raise _bad(path, line, f"target {k} is not a JSON object")
    span = value.get("span1")
    if not (isinstance(span, list) and len(span) == 2 and all(_is_int(i) for i in span)):
        raise _bad(path, line, f"target {k}: 'span1' must be [start, end], two integers")
    start, end = span
    if not 0 <= start < end <= n_tokens:
        raise _bad(
            path, line, f"target {k}: span1 {span} is outside the sentence's {n_tokens} tokens"
        )
    label = value.get("label")
    if not isinstance(label, int | float) or isinstance(label, bool):
        raise _bad(path, line, f"target {k}: 'label' must be a number, got {label!r}")
    if not (math.isfinite(label) and -SCALE <= label <= SCALE):
        raise _bad(path, line, f"target {k}: label {label!r} is outside -3..3")
    return Target(start, end, float(label))


def parse_line(text: str, *, path: Path | str = "<jsonl>", line: int = 1) -> Sentence:
    """One line of a factuality file: the sentence's tokens and its targets, checked."""
    try:
        record: Any = json.loads(text)
    except json.JSONDecodeError as e:
        raise _bad(path, line, f"bad JSON at column {e.colno}: {e.msg}") from e
    except RecursionError as e:
        raise _bad(path, line, "bad JSON: nested too deeply") from e
    if not isinstance(record, dict):
        raise _bad(path, line, "expected a JSON object")
    sentence = record.get("text")
    if not isinstance(sentence, str) or not sentence.strip():
        raise _bad(path, line, "'text' must be a non-empty string")
    targets = record.get("targets")
    if not isinstance(targets, list):
        raise _bad(path, line, "'targets' must be a list")
    tokens = tuple(sentence.split())
    return Sentence(
        line,
        tokens,
        tuple(_target(t, len(tokens), path, line, k) for k, t in enumerate(targets, start=1)),
    )


def read_sentences(path: Path, *, limit: int = LINE_LIMIT) -> Iterator[Sentence]:
    """Every sentence of a factuality file, line by line; blank lines are skipped."""
    if not path.is_file():
        raise InputError(Errors.E030, path=path, reason="no such file")
    try:
        with path.open("rb") as stream:
            number = 0
            while raw := stream.readline(limit + 1):
                number += 1
                if len(raw) > limit:
                    raise _bad(path, number, f"a line over {limit} bytes")
                if not raw.strip():
                    continue
                text = files.decode(raw, name=f"{path}: line {number}", limit=limit)
                yield parse_line(text, path=path, line=number)
    except OSError as e:
        raise InputError(Errors.E001, path=path, reason=e.strerror or str(e)) from e


def find_sets(root: Path, split: str) -> list[tuple[str, Path]]:
    """(set name, `<split>.jsonl`) of one set folder, or of every set folder in `root` that
    holds the split, sorted by name; E030 when there is none."""
    if not root.is_dir():
        reason = "not a folder" if root.exists() else "no such folder"
        raise InputError(Errors.E030, path=root, reason=reason)
    own = root / f"{split}.jsonl"
    if own.is_file():
        return [(root.resolve().name, own)]
    if any(root.glob("*.jsonl")):
        raise InputError(Errors.E030, path=root, reason=f"a set folder with no {split}.jsonl")
    found = sorted(
        (folder.name, folder / f"{split}.jsonl")
        for folder in root.iterdir()
        if folder.is_dir() and (folder / f"{split}.jsonl").is_file()
    )
    if not found:
        raise InputError(
            Errors.E030, path=root, reason=f"no {split}.jsonl in it or in any folder inside it"
        )
    return found


def mean_label(path: Path) -> tuple[float, int]:
    """The mean label of a file's targets and their number (0.0 and 0 when it has none)."""
    total, n = 0.0, 0
    for sentence in read_sentences(path):
        for target in sentence.targets:
            total += target.label
            n += 1
    return (total / n if n else 0.0), n


# --- metrics -----------------------------------------------------------------------------------


@dataclass
class Stats:
    """Streaming MAE and Pearson's r (Welford's co-moments) over (gold, predicted) pairs."""

    n: int = 0
    abs_error: float = 0.0
    mean_gold: float = 0.0
    mean_pred: float = 0.0
    m2_gold: float = 0.0
    m2_pred: float = 0.0
    co_moment: float = 0.0

    def add(self, gold: float, pred: float) -> None:
        self.n += 1
        self.abs_error += abs(pred - gold)
        d_gold = gold - self.mean_gold
        d_pred = pred - self.mean_pred
        self.mean_gold += d_gold / self.n
        self.mean_pred += d_pred / self.n
        self.m2_gold += d_gold * (gold - self.mean_gold)
        self.m2_pred += d_pred * (pred - self.mean_pred)
        self.co_moment += d_gold * (pred - self.mean_pred)

    @property
    def mae(self) -> float:
        return self.abs_error / self.n if self.n else 0.0

    @property
    def pearson_r(self) -> float:
        """Pearson's r; 0.0 when it is undefined (either side constant, or n < 2)."""
        if self.m2_gold <= 0.0 or self.m2_pred <= 0.0:
            return 0.0
        # Two square roots, not one of the product: a product of tiny moments underflows to 0.
        spread = math.sqrt(self.m2_gold) * math.sqrt(self.m2_pred)
        if spread == 0.0:
            return 0.0
        r = self.co_moment / spread
        return max(-1.0, min(1.0, r))

    def scores(self) -> dict[str, float]:
        return {"mae": self.mae, "pearson_r": self.pearson_r}


def scores_of(pairs: Iterable[tuple[float, float]]) -> dict[str, float]:
    """`mae` and `pearson_r` of (gold, predicted) pairs."""
    stats = Stats()
    for gold, pred in pairs:
        stats.add(gold, pred)
    return stats.scores()


# --- ours and the lexicon on one target --------------------------------------------------------


def target_event(doc: Doc, target: Target) -> certainty.Event:
    """The event of a target: the head of its span, walked up to its cue (`certainty.walk`)."""
    return certainty.walk(certainty.head_of(doc, target.start, target.end))


def target_certainty(doc: Doc, start: int, end: int) -> Certainty:
    """The v1 lexicon's certainty for the event at tokens start..end of a parsed sentence."""
    return certainty.lexicon(certainty.walk(certainty.head_of(doc, start, end)))


def parsed(sentences: Iterable[Sentence], nlp: Language) -> Iterator[tuple[Doc, Sentence]]:
    """Each sentence parsed as tokenized in the file (one Doc token per word)."""
    docs = (
        (Doc(nlp.vocab, words=list(s.tokens), spaces=[True] * (len(s.tokens) - 1) + [False]), s)
        for s in sentences
    )
    off = [name for name in NOT_RUN if name in nlp.pipe_names]
    yield from nlp.pipe(docs, as_tuples=True, disable=off, batch_size=256)


# --- the evaluation ----------------------------------------------------------------------------


def evaluate_factuality(
    root: Path,
    *,
    split: str = "dev",
    nlp: Language | None = None,
    scorer: certainty.Scorer | None = None,
) -> EvalReport:
    """Score ours (the learned certainty model), baseline:lexicon (the v1 lexicon) and
    baseline:constant, in the same run, on `<split>.jsonl` of one set folder or of every set
    folder in `root`.  Groups: `<SET>` (ours: `mae`, `pearson_r` and `n`, the set's targets),
    `baseline:lexicon:<SET>` (`mae`, `pearson_r`) and `baseline:constant:<SET>` (`mae`,
    `pearson_r`, the `constant` it predicts and `train_n`, the number of train targets it is
    the mean of).  `n` is the number of targets of all sets."""
    sets = find_sets(root, split)
    model = nlp or pipeline.load()
    shipped = scorer or certainty.default()
    domains = shipped.model.meta.get("domains", [])
    report = EvalReport(benchmark=BENCHMARK, split=split, n=0)
    for name, path in sets:
        train = path.parent / f"{TRAIN}.jsonl"
        if train.is_file():
            constant, train_n = mean_label(train)
        else:
            logger.warning("%s: no %s; baseline:constant predicts 0.0", path.parent, train.name)
            constant, train_n = 0.0, 0
        # A set the model was trained on is scored in its own terms; any other as news.
        domain = name if name in domains else certainty.NEWS
        ours_scorer = certainty.Scorer(shipped.model, domain)
        ours, lexical, baseline = Stats(), Stats(), Stats()
        for doc, sentence in parsed(read_sentences(path), model):
            for target in sentence.targets:
                event = target_event(doc, target)
                found = certainty.lexicon(event)
                ours.add(target.label, ours_scorer.score(event, found).score)
                lexical.add(target.label, found.score)
                baseline.add(target.label, constant)
        logger.info("scored %s targets of %s", ours.n, path)
        report.scores[name] = {**ours.scores(), "n": ours.n}
        report.scores[f"{LEXICON}:{name}"] = lexical.scores()
        report.scores[f"{BASELINE}:{name}"] = {
            **baseline.scores(),
            "constant": constant,
            "train_n": train_n,
        }
        report.n += ours.n
    return report
