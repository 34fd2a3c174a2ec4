"""Score the shipped pipeline on dev sets, from raw text, as `spacy evaluate` does.

- Syntax on a CoNLL-U file (UD EWT or GUM dev): UPOS, XPOS, morphology, lemma, UAS, LAS and
  sentence F.  The pipeline tokenizes the raw text itself, so tokenization errors count.
- Entities on a UniversalNER IOB2 file (PUD: news and Wikipedia): exact-span precision,
  recall and F1 per label.  UniversalNER has one LOC class for places, so our GPE and LOC are
  both scored as LOC; its OTH (demonyms and other names) is not scored, nor is our NORP.
  UniversalNER also labels a country ORG where it acts as a government ("China said ...").
  A second group, `NAME-gpe-either`, credits our GPE for such a span: GPE is exactly the
  OntoNotes type that covers both readings.  Both groups are reported; neither hides the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.training.converters import conllu_to_docs  # type: ignore[attr-defined]

from rumormill.errors import Errors, InputError
from rumormill.eval.report import EvalReport, prf
from rumormill.ingest.files import read_text

UNER_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}


def conllu_examples(nlp: Language, path: Path) -> list[Example]:
    text = read_text(path, limit=200 * 1024 * 1024)
    docs = conllu_to_docs(text, n_sents=10, no_print=True)  # type: ignore[no-untyped-call]
    # Move the gold Docs into the pipeline's vocab, which the scorer reads strings from.
    refs = DocBin(docs=docs).get_docs(nlp.vocab)
    return [Example(nlp.make_doc(ref.text), ref) for ref in refs]


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
    """Yield (text, words, IOB2 tags) per sentence of a UniversalNER file.

    A document boundary (`# newdoc`) is yielded as an empty sentence ("", [], []).
    """
    text, words, tags = "", list[str](), list[str]()
    for line in read_text(path, limit=200 * 1024 * 1024).splitlines():
        if line.startswith("# newdoc"):
            yield "", [], []
        elif line.startswith("# text = "):
            text = line[len("# text = ") :]
        elif line.startswith("#"):
            continue
        elif not line.strip():
            if words:
                yield text, words, tags
            text, words, tags = "", list[str](), list[str]()
        else:
            cols = line.split("\t")
            if len(cols) < 3:
                raise InputError(Errors.E030, path=path, reason=f"bad line {line!r}")
            words.append(cols[1])
            tags.append(cols[2] if cols[2] not in {"B-O", "I-O"} else "O")
    if words:
        yield text, words, tags


def uner_documents(path: Path) -> Iterator[tuple[str, set[tuple[int, int, str]]]]:
    """Yield (text, gold character spans) per document: its sentences joined by a space."""
    text = ""
    spans: set[tuple[int, int, str]] = set()
    for sent_text, words, tags in uner_sentences(path):
        if not words:
            if text:
                yield text, spans
            text, spans = "", set()
            continue
        offset = len(text) + 1 if text else 0
        text = f"{text} {sent_text}" if text else sent_text
        for start, end, label in gold_char_spans(sent_text, words, tags):
            spans.add((start + offset, end + offset, label))
    if text:
        yield text, spans


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


def predicted_spans(
    doc: Doc, gold: set[tuple[int, int, str]] | None = None
) -> set[tuple[int, int, str]]:
    """Our entities in UniversalNER labels; with `gold`, a GPE on a gold ORG span is ORG."""
    gold_orgs = {(s, e) for s, e, label in gold or () if label == "ORG"}
    spans = set()
    for ent in doc.ents:
        if ent.label_ not in UNER_LABELS:
            continue
        label = UNER_LABELS[ent.label_]
        if ent.label_ == "GPE" and (ent.start_char, ent.end_char) in gold_orgs:
            label = "ORG"
        spans.add((ent.start_char, ent.end_char, label))
    return spans


class EntityCounts:
    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.n_pred: Counter[str] = Counter()
        self.n_gold: Counter[str] = Counter()

    def add(self, gold: set[tuple[int, int, str]], pred: set[tuple[int, int, str]]) -> None:
        for label in ("PER", "ORG", "LOC"):
            g = {s for s in gold if s[2] == label}
            p = {s for s in pred if s[2] == label}
            self.tp[label] += len(g & p)
            self.n_pred[label] += len(p)
            self.n_gold[label] += len(g)

    def scores(self) -> dict[str, dict[str, float]]:
        out = {}
        for label in ("PER", "ORG", "LOC"):
            out[label] = prf(self.tp[label], self.n_pred[label], self.n_gold[label])
            out[label]["n_gold"] = float(self.n_gold[label])
        out["all"] = prf(
            sum(self.tp.values()), sum(self.n_pred.values()), sum(self.n_gold.values())
        )
        out["all"]["n_gold"] = float(sum(self.n_gold.values()))
        return out


def score_entities(
    nlp: Language, path: Path, *, batch_size: int = 64
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """(strict scores, GPE-either scores) per label and for `all`.

    Each document is analysed whole, as rumormill analyses articles.
    """
    documents = list(uner_documents(path))
    docs = nlp.pipe((t for t, _ in documents), batch_size=batch_size)
    strict, either = EntityCounts(), EntityCounts()
    for (_, spans), doc in zip(documents, docs, strict=True):
        gold = {s for s in spans if s[2] in {"PER", "ORG", "LOC"}}
        strict.add(gold, predicted_spans(doc))
        either.add(gold, predicted_spans(doc, gold))
    return strict.scores(), either.scores()


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
        strict, either = score_entities(nlp, path)
        for label, metrics in strict.items():
            report.scores[f"{name}:{label}"] = metrics
        for label, metrics in either.items():
            report.scores[f"{name}-gpe-either:{label}"] = metrics
    return report
