"""Score the shipped pipeline on dev sets, from raw text, as `spacy evaluate` does.

- Syntax on a CoNLL-U file (UD EWT or GUM dev): UPOS, XPOS, morphology, lemma, UAS, LAS and
  sentence F.  The pipeline tokenizes the raw text itself, so tokenization errors count.
- Entities on a UniversalNER IOB2 file (PUD: news and Wikipedia): exact-span precision,
  recall and F1 per label.  UniversalNER has one LOC class for places, so our GPE and LOC are
  both scored as LOC; its OTH (demonyms and other names) is not scored, nor is our NORP.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.training.converters import conllu_to_docs

from rumormill.errors import Errors, InputError
from rumormill.eval.report import EvalReport, prf
from rumormill.ingest.files import read_text

UNER_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


def conllu_examples(nlp: Language, path: Path) -> list[Example]:
    text = read_text(path, limit=200 * 1024 * 1024)
    examples = []
    for ref in conllu_to_docs(text, n_sents=10, no_print=True):
        examples.append(Example(nlp.make_doc(ref.text), ref))
    return examples


def score_syntax(nlp: Language, path: Path, *, batch_size: int = 64) -> dict[str, float]:
    examples = conllu_examples(nlp, path)
    scores = nlp.evaluate(examples, batch_size=batch_size)
    wanted = {
        "upos": "pos_acc",
        "xpos": "tag_acc",
        "morph": "morph_acc",
        "lemma": "lemma_acc",
        "uas": "dep_uas",
        "las": "dep_las",
        "sents_p": "sents_p",
        "sents_r": "sents_r",
        "sents_f": "sents_f",
    }
    out = {ours: float(scores[theirs]) for ours, theirs in wanted.items() if scores.get(theirs)}
    out["words"] = float(sum(len(eg.reference) for eg in examples))
    return out


def uner_sentences(path: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """Yield (text, words, IOB2 tags) per sentence of a UniversalNER file."""
    text, words, tags = "", [], []
    for line in read_text(path, limit=200 * 1024 * 1024).splitlines():
        if line.startswith("# text = "):
            text = line[len("# text = ") :]
        elif line.startswith("#"):
            continue
        elif not line.strip():
            if words:
                yield text, words, tags
            text, words, tags = "", [], []
        else:
            cols = line.split("\t")
            if len(cols) < 3:
                raise InputError(Errors.E030, path=path, reason=f"bad line {line!r}")
            words.append(cols[1])
            tags.append(cols[2] if cols[2] not in {"B-O", "I-O"} else "O")
    if words:
        yield text, words, tags


def gold_char_spans(text: str, words: list[str], tags: list[str]) -> set[tuple[int, int, str]]:
    """Map token-level IOB2 tags onto character spans of `text`."""
    offsets: list[tuple[int, int]] = []
    pos = 0
    for w in words:
        start = text.find(w, pos)
        if start == -1:  # a token not found verbatim: fall back to the running position
            start = pos
        offsets.append((start, start + len(w)))
        pos = start + len(w)
    spans: set[tuple[int, int, str]] = set()
    start_i, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if tag.startswith("I-") and tag[2:] == label and start_i >= 0:
            continue
        if start_i >= 0:
            spans.add((offsets[start_i][0], offsets[i - 1][1], label))
            start_i, label = -1, ""
        if tag.startswith(("B-", "I-")):
            start_i, label = i, tag[2:]
    return spans


def predicted_spans(doc: Doc) -> set[tuple[int, int, str]]:
    return {
        (e.start_char, e.end_char, UNER_LABELS[e.label_])
        for e in doc.ents
        if e.label_ in UNER_LABELS
    }


def score_entities(
    nlp: Language, path: Path, *, batch_size: int = 64
) -> dict[str, dict[str, float]]:
    sentences = list(uner_sentences(path))
    gold = [gold_char_spans(t, w, g) for t, w, g in sentences]
    docs = nlp.pipe((t for t, _, _ in sentences), batch_size=batch_size)
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for gold_spans, doc in zip(gold, docs, strict=True):
        gold_scored = {s for s in gold_spans if s[2] in {"PER", "ORG", "LOC"}}
        pred = predicted_spans(doc)
        for label in ("PER", "ORG", "LOC"):
            g = {s for s in gold_scored if s[2] == label}
            p = {s for s in pred if s[2] == label}
            tp[label] += len(g & p)
            n_pred[label] += len(p)
            n_gold[label] += len(g)
    scores = {label: prf(tp[label], n_pred[label], n_gold[label]) for label in tp | n_gold}
    scores["all"] = prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    for label in scores:
        scores[label]["n_gold"] = float(n_gold[label] if label != "all" else sum(n_gold.values()))
    return scores


def evaluate_pipeline(
    nlp: Language,
    *,
    treebanks: dict[str, Path],
    entities: dict[str, Path],
    split: str = "dev",
) -> EvalReport:
    """Score `nlp` on each named treebank and entity file; groups are `name` or `name:LABEL`."""
    report = EvalReport(benchmark="pipeline", split=split, n=0)
    for name, path in treebanks.items():
        report.scores[name] = score_syntax(nlp, path)
        report.n += int(report.scores[name]["words"])
    for name, path in entities.items():
        for label, metrics in score_entities(nlp, path).items():
            report.scores[f"{name}:{label}"] = metrics
    return report
