"""The syntax features of the span taggers, their embedding layer and their corpus reader."""

from __future__ import annotations

import bisect
from pathlib import Path

import numpy as np
import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc, DocBin, Span

from rumormill.nlp import pipeline
from rumormill.nlp.attribution import find_quotes
from rumormill.nlp.cues import cue_lemma
from rumormill.nlp.span_features import (
    SYNTAX_COLUMNS,
    SYNTAX_KEY,
    bare_copy,
    syntax_corpus,
    syntax_features,
    syntax_hash_embed,
)
from rumormill.nlp.spans import TAGGERS


def test_features_read_the_parse_quotes_and_cues(nlp: Language) -> None:
    text = "“Taxes will rise,” the mayor said. Then she left."
    doc = next(pipeline.parse([text], nlp=pipeline.load(exclude=TAGGERS)))
    rows = syntax_features(doc)
    assert rows.shape == (len(doc), len(SYNTAX_COLUMNS))
    place = SYNTAX_COLUMNS.index("place")
    lex = SYNTAX_COLUMNS.index("lex")
    by_word = {t.text: rows[t.i] for t in doc}
    assert by_word["Taxes"][place] == hash_string("q-")
    assert by_word["Then"][place] == hash_string("-s")
    assert by_word["said"][lex] == hash_string("cue")
    mayor = next(t for t in doc if t.text == "mayor")
    assert by_word["mayor"][SYNTAX_COLUMNS.index("dep")] == hash_string(mayor.dep_)


def reference_features(doc: Doc) -> np.ndarray:
    """The features written token by token: what `syntax_features` computes from arrays."""
    quotes = sorted((q.inner_start, q.inner_end) for q in find_quotes(doc.text))
    starts = [s for s, _ in quotes]
    rows = np.zeros((len(doc), len(SYNTAX_COLUMNS)), dtype="uint64")
    for t in doc:
        head = t.head
        side = "<" if head.i < t.i else ">" if head.i > t.i else "="
        lex = "cue" if cue_lemma(t) is not None else t.ent_type_
        n = bisect.bisect_right(starts, t.idx) - 1
        quoted = n >= 0 and t.idx < quotes[n][1]
        place = ("q" if quoted else "-") + ("s" if t.is_sent_start else "-")
        for c, value in enumerate((t.dep_, t.tag_, t.dep_ + side + head.tag_, lex, place)):
            rows[t.i, c] = hash_string(value)
    return rows


@pytest.mark.model
def test_features_equal_the_token_by_token_reference(shared_data: Path) -> None:
    texts = [
        p.read_text(encoding="utf8")
        for p in sorted((shared_data / "polnear" / "dev" / "text").glob("*.txt"))[:5]
    ]
    nlp = pipeline.load(exclude=TAGGERS)
    paragraphs = [p for text in texts for p in pipeline.paragraphs(text)]
    for doc in nlp.pipe(paragraphs):
        assert np.array_equal(syntax_features(doc), reference_features(doc))


def test_a_bare_copy_has_the_words_and_features_only(nlp: Language) -> None:
    doc = next(pipeline.parse(["Mayor Ann Lee said so. Then she left."], nlp=nlp))
    bare = bare_copy(doc)
    assert [t.text for t in bare] == [t.text for t in doc]
    assert bare.text == doc.text
    assert not bare.ents
    assert not bare.has_annotation("SENT_START")
    assert np.array_equal(bare.user_data[SYNTAX_KEY], syntax_features(doc))


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_features_never_fail_on_any_text(text: str) -> None:
    doc = spacy.blank("en")(text)
    assert syntax_features(doc).shape == (len(doc), len(SYNTAX_COLUMNS))
    assert np.array_equal(syntax_features(doc), reference_features(doc))


def test_the_embedding_gives_one_vector_per_token() -> None:
    nlp = spacy.blank("en")
    docs = [bare_copy(nlp("He said so.")), nlp("No features here at all.")]
    model = syntax_hash_embed(
        width=8,
        attrs=["NORM", "SHAPE"],
        rows=[50, 50],
        syntax_rows=20,
        include_static_vectors=False,
    )
    model.initialize(X=docs)
    out = model.predict(docs)
    assert [o.shape for o in out] == [(4, 8), (6, 8)]


def test_the_reader_keeps_features_on_the_predicted_side(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    doc = bare_copy(nlp("The mayor said so."))
    doc.ents = [Span(doc, 0, 2, label="SOURCE")]
    path = tmp_path / "layer.spacy"
    DocBin(store_user_data=True, docs=[doc, nlp("")]).to_disk(path)
    examples = list(syntax_corpus(path)(nlp))
    assert len(examples) == 1  # the empty Doc is skipped
    (eg,) = examples
    assert np.array_equal(eg.predicted.user_data[SYNTAX_KEY], doc.user_data[SYNTAX_KEY])
    assert not eg.predicted.ents
    assert [(e.text, e.label_) for e in eg.reference.ents] == [("The mayor", "SOURCE")]
