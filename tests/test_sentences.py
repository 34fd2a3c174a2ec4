"""Quote- and paragraph-aware sentence boundaries, on hand-built Docs."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from rumormill.nlp.sentences import quote_depths, quote_sentences, sentence_repair

nlp = spacy.blank("en")


def starts(doc: Doc) -> list[str]:
    return [t.text for t in doc if t.is_sent_start]


def test_no_sentence_starts_inside_a_quote_or_after_a_comma_quote() -> None:
    doc = quote_sentences(
        nlp("“Does it matter? It matters a lot,” Russian expert Andrei Soldatov told CEPA.")
    )
    assert doc[5].text == "It"
    assert doc[5].is_sent_start is False
    assert doc[11].text == "Russian"
    assert doc[11].is_sent_start is False


def test_question_quote_followed_by_lower_case_continues() -> None:
    doc = quote_sentences(nlp("“Is it over?” he asked. Nobody knew."))
    he = next(t for t in doc if t.text == "he")
    assert he.is_sent_start is False
    nobody = next(t for t in doc if t.text == "Nobody")
    assert nobody.is_sent_start is None  # left to the parser


def test_paragraph_break_starts_a_sentence_and_closes_quotes() -> None:
    doc = quote_sentences(nlp("He said “this goes on\n\nA new paragraph."))
    new = next(t for t in doc if t.text == "A")
    assert new.is_sent_start is True
    assert quote_depths(doc)[new.i] == 0


def test_nested_curly_quotes() -> None:
    doc = nlp("“He has a “special operation” in Ukraine.” Then")
    depths = quote_depths(doc)
    assert depths[[t.text for t in doc].index("in")] == 1
    assert depths[[t.text for t in doc].index("Then")] == 0


def test_commas_and_dashes_never_start_a_sentence() -> None:
    doc = quote_sentences(nlp("Another analyst, Alexey Muraviev, spoke – and left."))
    assert all(t.is_sent_start is False for t in doc if t.text in {",", "and"})


def test_repair_joins_a_stray_sentence_to_the_one_before() -> None:
    words = ["Another", "analyst", ",", "Muraviev", "said", "."]
    # A parse that wrongly starts a second sentence at the comma.
    doc = Doc(
        nlp.vocab,
        words=words,
        heads=[1, 1, 4, 4, 4, 4],
        deps=["amod", "ROOT", "punct", "nsubj", "ROOT", "punct"],
    )
    assert len(list(doc.sents)) == 2
    sentence_repair(doc)
    assert len(list(doc.sents)) == 1
    assert doc[4].dep_ == "parataxis"
    assert doc[4].head.i == 1
