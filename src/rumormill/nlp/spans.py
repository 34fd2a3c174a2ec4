"""The learned attribution span taggers, run as one pipeline component.

One entity-style recognizer, `attribution_tagger`, trained on PolNeAR train (see
`training/attribution_spans.py`), finds the three roles of an attribution: SOURCE, CUE and
CONTENT spans.  In PolNeAR no source or cue lies inside a content and no content inside
another, so one layer of non-overlapping spans holds them all.

It is a spaCy `ner` with its own tok2vec over word forms and the syntax features of
`span_features.py`, shipped disabled in the model so that it never runs on its own.  This
component, last in the pipeline, runs it over bare copies of each batch (the words and the
features of the parse, without the sentence starts and entities that would constrain a
recognizer) and keeps its spans in `doc.spans["attribution"]`.  `nlp/pairing.py` turns the
spans into attributions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc, Span

from rumormill.nlp.span_features import bare_copy

SPANS_KEY = "attribution"
COMPONENT = "rumormill_attribution_spans"
TAGGERS = ("attribution_tagger",)


class AttributionSpans:
    """Run the (disabled) span taggers of `nlp` and keep their spans in `doc.spans[key]`."""

    def __init__(self, nlp: Language, name: str, taggers: list[str], key: str) -> None:
        self.nlp = nlp
        self.name = name
        self.taggers = list(taggers)
        self.key = key

    def __call__(self, doc: Doc) -> Doc:
        self.tag([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        stream = iter(docs)
        while batch := list(islice(stream, batch_size)):
            self.tag(batch)
            yield from batch

    def tag(self, docs: list[Doc]) -> None:
        bare = [bare_copy(doc) for doc in docs]
        found: list[list[Span]] = [[] for _ in docs]
        for name in self.taggers:
            tagger = self.nlp.get_pipe(name)
            for copy in bare:
                copy.set_ents([], default="missing")
            tagger.set_annotations(bare, tagger.predict(bare))  # type: ignore[attr-defined]
            for spans, doc, copy in zip(found, docs, bare, strict=True):
                spans.extend(Span(doc, e.start, e.end, label=e.label_) for e in copy.ents)
        for doc, spans in zip(docs, found, strict=True):
            doc.spans[self.key] = sorted(spans, key=lambda s: (s.start, s.end))


@Language.factory(
    COMPONENT,
    default_config={"taggers": list(TAGGERS), "key": SPANS_KEY},
)
def make_attribution_spans(
    nlp: Language, name: str, taggers: list[str], key: str
) -> AttributionSpans:
    return AttributionSpans(nlp, name, taggers, key)


def available(nlp: Language) -> bool:
    """Whether the pipeline holds the span taggers (enabled or not)."""
    return all(name in nlp.component_names for name in TAGGERS)
