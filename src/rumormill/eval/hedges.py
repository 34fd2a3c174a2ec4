"""Score hedge-cue detection on the Szeged uncertainty corpus (`../shared/data/uncertainty`).

Layout: one XML file per corpus part (`wiki.xml`, `bio_bmc.xml`, `bio_fly.xml`, `bio_hbc.xml`,
`Uncertainty.dtd` beside them; Szarvas et al. 2012, the re-annotated successor of the
CoNLL-2010 data): `<Document type=...><DocID>...</DocID><DocumentPart type=...><Sentence
id=...>text <ccue type="...">may</ccue> text</Sentence>...`.  Element names are matched
without regard to case (the DTD says `sentence`, the files say `Sentence`).  Protocol
(documented in docs/accuracy.md):

- **Cue types.**  These files hold only the semantic-uncertainty types of Szarvas et al.
  (2012): `speculation_modal_probable_` (epistemic: may, probably, likely),
  `speculation_hypo_doxastic _` (belief: believed, considered, alleged),
  `speculation_hypo_condition _` (if, unless) and `speculation_hypo_investigation _`
  (whether, examined).  A type is read with its whitespace removed and trailing underscores
  stripped (`speculation_hypo_doxastic`).  Every type counts as uncertain except the
  discourse-level `peacock` (subjective praise, not uncertainty; `EXCLUDED_TYPES`), which
  does not occur in these files; `weasel` and `hedge` would count.  So the Wikipedia part
  is scored on speculation cues, like the biomedical parts, not on the weasel cues of the
  CoNLL-2010 Wikipedia task: its figures are not comparable with that task's.
- **Sentences.**  A sentence's text is all the text inside its element, in order, cue
  elements and any element nested in them included; a cue is each `ccue` element (at any
  depth; BioScope's `cue` and `xcope` elements are read as text only), as one
  character span of that text (a discontinuous cue, "either ... or", is two cues), trimmed of
  surrounding whitespace (a cue of whitespace only is dropped).  Every sentence of a
  document is scored, titles included.  A sentence is uncertain when it holds at least one
  counted cue.
- **Split.**  By document, fixed and seeded, per file: the distinct DocIDs sorted, shuffled
  with `random.Random(SEED)` (SEED = 2010), the first `int(0.2 * n + 0.5)` are dev and the
  rest train; `all` is every document (for a held-out file of the same layout).  It does not
  depend on hash randomisation or on the order of documents in the file.
- **Matching.**  Every sentence is parsed alone by the shipped pipeline (no entities, no span
  tagger).  A gold cue becomes the tokens its characters touch
  (`doc.char_span(..., alignment_mode="expand")`); a predicted cue counts as correct when its
  token span is exactly a gold cue's (start and end).  `cue`: precision, recall and F1 over
  cues; `sentence`: precision, recall and F1 of the uncertain class (a sentence with at least
  one predicted cue against one with at least one counted cue in the file).
- **Ours** is the learned hedge-cue tagger, `nlp/hedges.py` (`HedgeTagger`, the shipped
  `models/hedges.json` unless another is given).  Its model has shared weights and weights
  of its own per domain (`wiki`, `bio`); each document is read in the domain of its type
  (`DOMAINS`: `Wikipedia_text_weasel` as `wiki`, the biomedical types as `bio`), any other
  type in the tagger's own domain (`wiki` for the shipped model: the nearest to news, what
  analysis uses).  `by_type=False` reads every document in the tagger's own domain.
  **baseline:lexicon** is our v1 lexicon on the same parse: `HEDGES` of `nlp/patterns.py`
  matched on lowercased tokens as `certainty.hedges_in` matches them (longest first, no
  overlaps, a capitalised "May" inside a sentence is the month), plus each token whose
  lowercased form is one of `WRAPPERS`.
- **Metrics**: groups `cue`, `sentence`, `baseline:lexicon:cue`, `baseline:lexicon:sentence`,
  each with `p`, `r`, `f1` (fractions in 0..1); `n` is the number of sentences scored.
- A missing file is E030 (so is an unknown split); a file that is empty, not well-formed
  XML or holds no `Document` (or a `Document` with no `DocID`) is E034, with the parser's
  error chained where there is one.  The file is
  read with `iterparse`, one document at a time, so a file of any size streams.
"""

from __future__ import annotations

import logging
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from rumormill.errors import Errors, InputError
from rumormill.eval.report import EvalReport, prf
from rumormill.nlp import hedges, pipeline
from rumormill.nlp.certainty import MAX_HEDGE_WORDS
from rumormill.nlp.patterns import HEDGES, WRAPPERS

logger = logging.getLogger(__name__)

BENCHMARK = "szeged-hedges"
BASELINE = "baseline:lexicon"
SPLITS = ("train", "dev", "all")
SEED = 2010
DEV_SHARE = 0.2
# Discourse-level types that mark no uncertainty of the writer (see the module docstring).
EXCLUDED_TYPES = frozenset({"peacock"})
BATCH_SIZE = 256
# The tagger's domain for each document type of the DTD (other types: the tagger's own).
DOMAINS = {
    "Wikipedia_text_weasel": "wiki",
    "Biological_abstract": "bio",
    "Biological_full_article": "bio",
    "Biological_text_certanty": "bio",
    "Medical_record": "bio",
}


# --- the reader --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cue:
    """One `ccue` element: characters start..end of its sentence's text, and its type."""

    start: int
    end: int
    type: str


@dataclass(frozen=True)
class Sentence:
    id: str
    part: str
    text: str
    cues: tuple[Cue, ...]

    @property
    def uncertain(self) -> bool:
        return any(counts(cue) for cue in self.cues)


@dataclass(frozen=True)
class Document:
    doc_id: str
    type: str
    sentences: tuple[Sentence, ...]


def cue_type(raw: str | None) -> str:
    """A cue type as written, whitespace removed and trailing underscores stripped."""
    return re.sub(r"\s+", "", raw or "").rstrip("_")


def domain_of(document_type: str) -> str | None:
    """The tagger domain of a document type (`DOMAINS`), None for any other type."""
    return DOMAINS.get(document_type)


def counts(cue: Cue) -> bool:
    """Whether a cue counts as uncertain: every type but the excluded ones."""
    return cue.type.split("_", 1)[0].lower() not in EXCLUDED_TYPES


def _name(element: ET.Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_of(element: ET.Element, *, part: str = "") -> Sentence:
    """One sentence element: its whole text in order and a span per `ccue` element in it (at
    any depth).  Walked with a stack, not recursion, so deep nesting cannot overflow."""
    pieces: list[str] = []
    position = 0
    cues: list[Cue] = []
    opened: dict[int, int] = {}
    todo: list[tuple[ET.Element, bool]] = [(element, True)]
    while todo:
        node, entering = todo.pop()
        if entering:
            opened[id(node)] = position
            if node.text:
                pieces.append(node.text)
                position += len(node.text)
            todo.append((node, False))
            todo.extend((child, True) for child in reversed(node))
            continue
        start = opened.pop(id(node))
        if node is element:
            continue
        if _name(node) == "ccue":
            cues.append(Cue(start, position, cue_type(node.get("type"))))
        if node.tail:
            pieces.append(node.tail)
            position += len(node.tail)
    text = "".join(pieces)
    kept: list[Cue] = []
    for cue in sorted(cues, key=lambda c: (c.start, c.end)):
        start, end = _trimmed(text, cue.start, cue.end)
        if start < end:
            kept.append(Cue(start, end, cue.type))
    return Sentence(element.get("id") or "", part, text, tuple(kept))


def document_of(element: ET.Element, *, path: Path | str, number: int) -> Document:
    """One `Document` element; E034 when it has no DocID."""
    doc_id = ""
    sentences: list[Sentence] = []
    for child in element:
        name = _name(child)
        if name == "docid":
            doc_id = "".join(child.itertext()).strip()
        elif name == "documentpart":
            part = child.get("type") or ""
            sentences.extend(
                sentence_of(s, part=part) for s in child.iter() if _name(s) == "sentence"
            )
        elif name == "sentence":
            sentences.append(sentence_of(child))
    if not doc_id:
        raise InputError(Errors.E034, path=path, reason=f"document {number} has no DocID")
    return Document(doc_id, element.get("type") or "", tuple(sentences))


def check_file(path: Path) -> None:
    """E030 when `path` is not a file."""
    if not path.is_file():
        reason = "not a file" if path.exists() else "no such file"
        raise InputError(Errors.E030, path=path, reason=reason)


def read_documents(path: Path) -> Iterator[Document]:
    """Every document of a Szeged XML file, in file order, one at a time (`iterparse`)."""
    check_file(path)
    try:
        if path.stat().st_size == 0:
            raise InputError(Errors.E034, path=path, reason="the file is empty")
        number = 0
        parents: list[ET.Element] = []
        for event, element in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                parents.append(element)
                continue
            parents.pop()
            if _name(element) != "document":
                continue
            number += 1
            yield document_of(element, path=path, number=number)
            # Done with it: drop it from the tree so that memory stays flat.
            if parents:
                parents[-1].remove(element)
            element.clear()
        if not number:
            raise InputError(Errors.E034, path=path, reason="no <Document> element in it")
    except ET.ParseError as e:
        line, column = e.position
        reason = f"not well-formed XML at line {line}, column {column}: {e}"
        raise InputError(Errors.E034, path=path, reason=reason) from e
    except OSError as e:
        raise InputError(Errors.E001, path=path, reason=e.strerror or str(e)) from e


# --- the split ---------------------------------------------------------------------------------


def dev_ids(doc_ids: Iterable[str], *, seed: int = SEED) -> frozenset[str]:
    """The dev documents among `doc_ids`: sorted, shuffled with `random.Random(seed)`, the first
    `int(DEV_SHARE * n + 0.5)` of the n distinct ids."""
    ids = sorted(set(doc_ids))
    random.Random(seed).shuffle(ids)
    return frozenset(ids[: int(DEV_SHARE * len(ids) + 0.5)])


def check_split(split: str, path: Path | str) -> None:
    if split not in SPLITS:
        reason = f"unknown split {split!r}; expected one of {', '.join(SPLITS)}"
        raise InputError(Errors.E030, path=path, reason=reason)


def read_split(path: Path, split: str = "dev") -> Iterator[Document]:
    """The documents of one split of a file (two passes: the DocIDs first, then the split)."""
    check_split(split, path)
    if split == "all":
        yield from read_documents(path)
        return
    dev = dev_ids(d.doc_id for d in read_documents(path))
    for document in read_documents(path):
        if (document.doc_id in dev) == (split == "dev"):
            yield document


# --- the baseline ------------------------------------------------------------------------------


def lexicon_cues(tokens: Sequence[str]) -> list[tuple[int, int]]:
    """The v1 lexicon's cues in `tokens` (texts) as (start, end) indices: `HEDGES` as
    `certainty.hedges_in` matches them, and single `WRAPPERS`, in text order."""
    lowered = [w.lower() for w in tokens]
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(lowered):
        for n in range(min(MAX_HEDGE_WORDS, len(lowered) - i), 0, -1):
            if tuple(lowered[i : i + n]) in HEDGES and not (
                n == 1 and tokens[i] == "May" and i > 0
            ):
                found.append((i, i + n))
                i += n
                break
        else:
            if lowered[i] in WRAPPERS:
                found.append((i, i + 1))
            i += 1
    return found


def baseline_spans(doc: Doc) -> set[tuple[int, int]]:
    """`lexicon_cues` over a Doc's words (whitespace tokens left out), as Doc token spans."""
    words = [t for t in doc if not t.is_space]
    return {(words[s].i, words[e - 1].i + 1) for s, e in lexicon_cues([t.text for t in words])}


# --- the evaluation ----------------------------------------------------------------------------


def gold_spans(doc: Doc, sentence: Sentence) -> set[tuple[int, int]]:
    """The counted cues of a sentence as token spans of its parse (the tokens they touch)."""
    found: set[tuple[int, int]] = set()
    for cue in sentence.cues:
        if not counts(cue):
            continue
        span = doc.char_span(cue.start, cue.end, alignment_mode="expand")
        if span is not None and len(span):
            found.add((span.start, span.end))
    return found


@dataclass
class Counts:
    """Cue-level and sentence-level counts of one system."""

    cue_tp: int = 0
    cue_pred: int = 0
    cue_gold: int = 0
    sent_tp: int = 0
    sent_pred: int = 0
    sent_gold: int = 0

    def add(
        self, gold: set[tuple[int, int]], pred: set[tuple[int, int]], *, uncertain: bool
    ) -> None:
        """One sentence: its gold and predicted cue spans, and whether it is uncertain (has a
        counted cue in the file)."""
        self.cue_tp += len(gold & pred)
        self.cue_pred += len(pred)
        self.cue_gold += len(gold)
        self.sent_tp += uncertain and bool(pred)
        self.sent_pred += bool(pred)
        self.sent_gold += uncertain

    def cue(self) -> dict[str, float]:
        return prf(self.cue_tp, self.cue_pred, self.cue_gold)

    def sentence(self) -> dict[str, float]:
        return prf(self.sent_tp, self.sent_pred, self.sent_gold)


def parsed(
    documents: Iterable[Document], nlp: Language, *, batch_size: int = BATCH_SIZE
) -> Iterator[tuple[Doc, Sentence, Document]]:
    """Each sentence of the documents parsed alone by `nlp` (what the hedge tagger needs,
    nothing more), with its document."""
    off = [name for name in hedges.NOT_RUN if name in nlp.pipe_names]
    pairs = ((s.text, (s, d)) for d in documents for s in d.sentences)
    for doc, (sentence, document) in nlp.pipe(
        pairs, as_tuples=True, disable=off, batch_size=batch_size
    ):
        yield doc, sentence, document


def evaluate_hedges(
    path: Path,
    *,
    split: str = "dev",
    nlp: Language | None = None,
    tagger: hedges.HedgeTagger | None = None,
    by_type: bool = True,
) -> EvalReport:
    """Score ours (the learned hedge-cue tagger) and baseline:lexicon, in the same run, on one
    split of one Szeged XML file.  Groups `cue` and `sentence` (ours) and
    `baseline:lexicon:cue`, `baseline:lexicon:sentence`, each with `p`, `r`, `f1`; `n` is the
    number of sentences scored.  With `by_type` (the default) the tagger reads each document
    in the domain of its type (`DOMAINS`: Wikipedia as `wiki`, biomedical as `bio`) when the
    model has that domain, any other document in the tagger's own; without it, every document
    in the tagger's own domain (the shipped tagger's is `wiki`, the one for news)."""
    check_split(split, path)
    check_file(path)
    model = nlp or pipeline.load()
    base = tagger or hedges.default()
    taggers: dict[str | None, hedges.HedgeTagger] = {}
    ours, baseline = Counts(), Counts()
    n = 0
    for doc, sentence, document in parsed(read_split(path, split), model):
        domain = domain_of(document.type) if by_type else None
        if domain not in base.domains:
            domain = None
        if domain not in taggers:
            taggers[domain] = base if domain is None else base.with_domain(domain)
        gold = gold_spans(doc, sentence)
        uncertain = sentence.uncertain
        found = {(s.start, s.end) for s in taggers[domain].cues(doc)}
        ours.add(gold, found, uncertain=uncertain)
        baseline.add(gold, baseline_spans(doc), uncertain=uncertain)
        n += 1
    logger.info("scored %s sentences of %s (%s)", n, path, split)
    report = EvalReport(benchmark=BENCHMARK, split=split, n=n)
    report.scores["cue"] = ours.cue()
    report.scores["sentence"] = ours.sentence()
    report.scores[f"{BASELINE}:cue"] = baseline.cue()
    report.scores[f"{BASELINE}:sentence"] = baseline.sentence()
    return report
