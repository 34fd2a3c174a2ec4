"""The shipped model, loaded for real, on the seed article."""

from __future__ import annotations

import pytest
from spacy.language import Language

from rumormill.ingest import house
from rumormill.nlp.spans import TAGGERS

pytestmark = pytest.mark.model


def test_pipeline_has_every_component(nlp: Language) -> None:
    for name in ("tagger", "morphologizer", "parser", "rumormill_lemmas", "ner"):
        assert name in nlp.pipe_names
    assert nlp.pipe_names.index("rumormill_quote_sentences") < nlp.pipe_names.index("parser")
    # The model's own lemmatizer and span taggers are there, run by our components.
    for name in ("lemmatizer", *TAGGERS):
        assert name in nlp.component_names
        assert name not in nlp.pipe_names
    assert nlp.pipe_names[-1] == "rumormill_attribution_spans"


def test_cached_lemmas_equal_the_rule_lemmatizer(nlp: Language) -> None:
    import spacy

    from rumormill.nlp.pipeline import MODEL_DIR

    texts = [
        "The senators were running late; she said the bills had passed.",
        "Better children's books are being written, analysts believe.",
        "The senators were running late again.",
    ]
    plain = spacy.load(MODEL_DIR, exclude=list(TAGGERS))
    for ours, theirs in zip(nlp.pipe(texts), plain.pipe(texts), strict=True):
        assert [t.lemma_ for t in ours] == [t.lemma_ for t in theirs]
    lemmas = [t.lemma_ for t in nlp("The senators were running.")]
    assert lemmas[1] == "senator"
    assert lemmas[3] == "run"


def test_seed_article(nlp: Language, seed_text: str) -> None:
    doc = nlp(house.parse(seed_text).text)
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("Andrei Soldatov", "PERSON") in ents
    assert ("Alexey Muraviev", "PERSON") in ents
    assert ("Ukraine", "GPE") in ents
    assert any(label == "NORP" for _, label in ents)

    sents = [s.text.strip() for s in doc.sents if s.text.strip()]
    assert any(
        s.startswith("“Does it matter? It matters a lot,” Russian security expert Andrei Soldatov")
        for s in sents
    ), "the quote and its attribution must share one sentence"

    told = next(t for t in doc if t.text == "told")
    assert told.pos_ == "VERB"
    assert told.tag_ == "VBD"
    assert told.lemma_ == "tell"
    # The name is the subject of "told", and its two words hang together (UD makes the first
    # word the head of a flat name; the shipped parser may head it with the surname).
    andrei = next(t for t in doc if t.text == "Andrei")
    soldatov = doc[andrei.i + 1]
    subjects = [t for t in told.children if t.dep_ == "nsubj"]
    assert andrei in subjects or soldatov in subjects
    assert {andrei.head, soldatov.head} & {andrei, soldatov}
