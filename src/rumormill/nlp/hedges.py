"""Learned hedge cues: which words of a text mark what it says as uncertain ("may", "it is
believed", "whether", "allegedly").

The classic strong recipe of the CoNLL-2010 shared task, cheap at run time.  Candidates are the
words and short word sequences that were a cue in the training data often enough (the lists
are learned and kept in the model file's `meta`, not in `patterns.py`): a token is a
candidate when its lowercased form or its lemma is one of the single-word cues, and a
sequence when its lowercased words are one of the multi-word cues.  A logistic model
(`nlp/linear.py`) then decides, per candidate, cue or not, from its context in the parse: its
words, lemma, tag and dependency label, the lemma and part of speech of the word it hangs on,
the neighbouring words and tags, its dependents, and whether it opens its sentence ("may" the
verb against "May" the month, "if" in a condition against "as if", "considered" a belief
against "considered the bill").  Only candidates cost anything: every other token is one or
two set lookups (about a microsecond a token in all, on news text).

A candidate is a cue when its probability reaches the model's `threshold`; where accepted
candidates overlap, the longest (then the most probable, then the first) is kept.

Domains: the model is trained on Wikipedia and biomedical text with every feature also copied
per domain (`linear.in_domain`), so that it has shared weights and weights of its own for `wiki` and
for `bio` ("investigated" is a cue in the biomedical papers, not in news).  A tagger reads as
one domain (`linear.for_domain` adds that domain's weights to the shared ones once, at load); the
shipped one reads as `wiki`, the nearest to news.  `training/hedges.py` fits the shipped model
(`models/hedges.json`) on the Szeged uncertainty corpus; `eval/hedges.py` scores it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeGuard

from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from rumormill.errors import Errors, ModelError
from rumormill.model import Attribution
from rumormill.nlp import pipeline
from rumormill.nlp.certainty import head_of, merge_cues
from rumormill.nlp.linear import LinearModel, for_domain, read_json

logger = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "hedges.json"
LABEL = "HEDGE"
THRESHOLD = 0.5
NOT_RUN = pipeline.PARSE_ONLY
# Dependents of a candidate worth a feature: they tell a hedge from the same word used plainly.
CHILD_DEPS = frozenset(
    {"aux", "aux:pass", "nsubj", "nsubj:pass", "expl", "mark", "neg", "advmod", "xcomp",
     "ccomp", "obj", "obl", "cop", "advcl", "csubj", "nmod", "case", "det"}
)  # fmt: skip
# Candidates and features use lowercased words; a word this long or longer is not a cue.
MAX_WORD = 40


def _word(token: Token) -> str:
    return token.lower_ if len(token) < MAX_WORD else "<long>"


def features(doc: Doc, start: int, end: int, *, sentences: bool | None = None) -> dict[str, float]:
    """The indicator features of the candidate at tokens start..end of a parsed Doc.  Most are
    conjoined with the candidate's words (`w`) or the head's lemma (`l`), so that each cue
    word learns its own contexts; a few stand alone, to share what cues have in common.
    `sentences`: whether the Doc has sentence boundaries (looked up when not given)."""
    words = " ".join(_word(t) for t in doc[start:end])
    head = head_of(doc, start, end)
    lemma = head.lemma_.lower() or head.lower_
    if sentences is None:
        sentences = doc.has_annotation("SENT_START")
    sent_start = head.sent.start if sentences else 0
    before = [t for t in doc[max(sent_start, start - 2) : start] if not t.is_space]
    after = [t for t in doc[end : end + 2] if not t.is_space]
    p1 = _word(before[-1]) if before else "<s>"
    p2 = _word(before[-2]) if len(before) > 1 else "<s>"
    n1 = _word(after[0]) if after else "</s>"
    n2 = _word(after[1]) if len(after) > 1 else "</s>"
    p1t = before[-1].tag_ if before else "<s>"
    n1t = after[0].tag_ if after else "</s>"
    governor = head.head if head.head.i != head.i else None
    hl = governor.lemma_.lower() if governor is not None else "<root>"
    hp = governor.pos_ if governor is not None else "<root>"
    first = start == sent_start
    capital = head.text[:1].isupper() and not first
    found: dict[str, float] = {}
    for key, value in (("w", words), ("l", lemma)):
        found[f"{key}={value}"] = 1.0
        found[f"{key}={value}|tag={head.tag_}"] = 1.0
        found[f"{key}={value}|dep={head.dep_}"] = 1.0
        found[f"{key}={value}|hl={hl}"] = 1.0
        found[f"{key}={value}|hp={hp}"] = 1.0
        found[f"{key}={value}|p1={p1}"] = 1.0
        found[f"{key}={value}|n1={n1}"] = 1.0
        found[f"{key}={value}|p1t={p1t}"] = 1.0
        found[f"{key}={value}|n1t={n1t}"] = 1.0
        found[f"{key}={value}|first={first}"] = 1.0
        found[f"{key}={value}|cap={capital}"] = 1.0
    found[f"w={words}|p2={p2}|p1={p1}"] = 1.0
    found[f"w={words}|n1={n1}|n2={n2}"] = 1.0
    for child in head.children:
        if child.dep_ in CHILD_DEPS and not start <= child.i < end:
            found[f"w={words}|c={child.dep_}"] = 1.0
            found[f"w={words}|c={child.dep_}:{child.lemma_.lower()}"] = 1.0
    found[f"tag={head.tag_}"] = 1.0
    found[f"dep={head.dep_}"] = 1.0
    found[f"p1t={p1t}|tag={head.tag_}"] = 1.0
    found[f"tag={head.tag_}|n1t={n1t}"] = 1.0
    found[f"n={min(end - start, 3)}"] = 1.0
    found["bias"] = 1.0
    return found


class HedgeTagger:
    """The learned hedge-cue detector: a candidate list and a logistic model over them.

    `domain` picks the model's domain-specific weights (`meta["domains"]`; the shipped model
    knows `wiki` and `bio`); by default the model's own `meta["domain"]`, which for the shipped
    model is `wiki`, the domain nearest to news."""

    def __init__(
        self,
        model: LinearModel,
        *,
        words: Iterable[str],
        lemmas: Iterable[str],
        ngrams: Iterable[Sequence[str]],
        threshold: float = THRESHOLD,
        domain: str | None = None,
    ) -> None:
        self.model = model
        self.threshold = threshold
        self.domain = domain
        self.words = frozenset(words)
        self.lemmas = frozenset(lemmas)
        self.ngrams = frozenset(tuple(g) for g in ngrams if len(g) > 1)
        self._scorer = for_domain(model, domain)
        self._words = frozenset(get_string_id(w) for w in self.words)
        self._lemmas = frozenset(get_string_id(w) for w in self.lemmas if w)
        by_first: dict[int, list[tuple[int, ...]]] = {}
        for gram in sorted(self.ngrams, key=lambda g: (-len(g), g)):
            by_first.setdefault(get_string_id(gram[0]), []).append(
                tuple(get_string_id(w) for w in gram)
            )
        self._ngrams = by_first

    @property
    def domains(self) -> list[str]:
        """The domains the model has weights of its own for."""
        found = self.model.meta.get("domains")
        return [str(d) for d in found] if isinstance(found, list) else []

    def with_domain(self, domain: str | None) -> HedgeTagger:
        """The same tagger reading as `domain` does (None: the shared weights alone)."""
        if domain is not None and domain not in self.domains:
            raise ValueError(f"unknown domain {domain!r}; the model knows {self.domains}")
        return HedgeTagger(
            self.model,
            words=self.words,
            lemmas=self.lemmas,
            ngrams=self.ngrams,
            threshold=self.threshold,
            domain=domain,
        )

    @classmethod
    def from_model(
        cls, model: LinearModel, *, path: Path | str = "<model>", domain: str | None = None
    ) -> HedgeTagger:
        """A tagger from a model whose `meta` holds its candidates (E021 when it does not)."""
        meta: Mapping[str, Any] = model.meta
        if model.loss != "logistic":
            raise ModelError(Errors.E021, path=path, reason="a hedge model must be logistic")
        candidates = meta.get("candidates")
        if not isinstance(candidates, dict):
            raise ModelError(Errors.E021, path=path, reason="no 'candidates' in its meta")
        words, lemmas, ngrams = (candidates.get(k) for k in ("words", "lemmas", "ngrams"))
        if not (_strings(words) and _strings(lemmas) and isinstance(ngrams, list)):
            raise ModelError(Errors.E021, path=path, reason="malformed 'candidates'")
        if not all(_strings(g) and len(g) > 1 for g in ngrams):
            raise ModelError(Errors.E021, path=path, reason="malformed candidate n-grams")
        threshold = meta.get("threshold", THRESHOLD)
        if not isinstance(threshold, int | float) or not 0.0 < threshold < 1.0:
            raise ModelError(Errors.E021, path=path, reason=f"bad threshold {threshold!r}")
        domains = meta.get("domains", [])
        own = meta.get("domain")
        if not _strings(domains) or not (own is None or own in domains):
            raise ModelError(Errors.E021, path=path, reason="malformed 'domains' or 'domain'")
        tagger = cls(model, words=words, lemmas=lemmas, ngrams=ngrams, threshold=threshold)
        return tagger.with_domain(domain or own)

    @classmethod
    def load(cls, path: Path | None = None, *, domain: str | None = None) -> HedgeTagger:
        """The tagger stored at `path` (default: the shipped `models/hedges.json`); E021 when
        the file is missing or is not a hedge model."""
        where = path or MODEL_PATH
        model = LinearModel.from_dict(read_json(where), path=where)
        tagger = cls.from_model(model, path=where, domain=domain)
        logger.debug("hedge model %s: %s weights, domain %s", where, len(model.weights), domain)
        return tagger

    def candidates(self, doc: Doc, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """(start, end) token spans of the candidates among tokens start..end of `doc`."""
        stop = len(doc) if end is None else end
        found: list[tuple[int, int]] = []
        words, lemmas, ngrams = self._words, self._lemmas, self._ngrams
        for token in doc[start:stop]:
            lower = token.lower
            i = token.i
            if lower in words or token.lemma in lemmas:
                found.append((i, i + 1))
            grams = ngrams.get(lower)
            if grams:
                for gram in grams:
                    j = i + len(gram)
                    if j <= stop and all(doc[i + k].lower == gram[k] for k in range(1, len(gram))):
                        found.append((i, j))
        return found

    def probability(
        self, doc: Doc, start: int, end: int, *, sentences: bool | None = None
    ) -> float:
        """The model's probability that tokens start..end are a hedge cue."""
        return self._scorer.predict(features(doc, start, end, sentences=sentences))

    def cues(self, tokens: Doc | Span) -> list[Span]:
        """The hedge cues among `tokens` (a Doc, or a Span of one), as spans of the Doc
        labelled HEDGE, in text order, without overlaps."""
        if isinstance(tokens, Span):
            doc, start, end = tokens.doc, tokens.start, tokens.end
        else:
            doc, start, end = tokens, 0, len(tokens)
        found = self.candidates(doc, start, end)
        if not found:
            return []
        sentences = doc.has_annotation("SENT_START")
        accepted: list[tuple[int, float, int, int]] = []
        for s, e in found:
            p = self.probability(doc, s, e, sentences=sentences)
            if p >= self.threshold:
                accepted.append((-(e - s), -p, s, e))
        kept: list[tuple[int, int]] = []
        for _, _, s, e in sorted(accepted):
            if all(e <= ks or s >= ke for ks, ke in kept):
                kept.append((s, e))
        return [Span(doc, s, e, label=LABEL) for s, e in sorted(kept)]


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


@cache
def default() -> HedgeTagger:
    """The shipped tagger, loaded once per process."""
    return HedgeTagger.load()


def with_cues(
    doc: Doc, attributions: Sequence[Attribution], tagger: HedgeTagger | None = None
) -> list[Attribution]:
    """Each attribution with the learned hedge cues of its content shown beside its certainty's
    own (the lexicon's cue verbs, hedges, wrappers and negations), in text order.  A learned
    cue already shown, or inside one shown ("likely" in "highly likely"), is not repeated.
    The score is not changed: the certainty model sees these words in its own features."""
    chosen = tagger or default()
    out: list[Attribution] = []
    for a in attributions:
        span = doc.char_span(a.content.start, a.content.end, alignment_mode="expand")
        found = chosen.cues(span) if span is not None and len(span) else []
        cues = merge_cues(a.certainty.cues, [s.text for s in found])
        if cues != a.certainty.cues:
            a = dataclasses.replace(a, certainty=dataclasses.replace(a.certainty, cues=cues))
        out.append(a)
    return out
