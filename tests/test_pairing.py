"""Pairing learned spans into attributions: spans set by hand on parsed invented sentences,
so that the pairing is tested apart from what the taggers happen to find."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language
from spacy.tokens import Doc, Span

from rumormill.model import Attribution
from rumormill.nlp import pairing, pipeline, speakers
from rumormill.nlp.attribution import Extractor
from rumormill.nlp.spans import SPANS_KEY, TAGGERS


@pytest.fixture(scope="module")
def rules_nlp() -> Language:
    """The shipped pipeline without the span taggers: spans come from the tests."""
    return pipeline.load(exclude=TAGGERS)


def parsed(nlp: Language, text: str, spans: list[tuple[str, str, int]]) -> Doc:
    """Parse `text` and set the learned spans: (label, words, occurrence)."""
    doc = next(pipeline.parse([text], nlp=nlp))
    group = []
    for label, words, nth in spans:
        start = -1
        for _ in range(nth + 1):
            start = text.index(words, start + 1)
        span = doc.char_span(start, start + len(words), label=label)
        assert span is not None, words
        group.append(span)
    doc.spans[SPANS_KEY] = group
    return doc


def pairs(doc: Doc) -> list[tuple[str | None, str | None, str, str]]:
    found: list[Attribution] = pairing.extract(doc, speakers.build_entities(doc))
    return [
        (
            a.source.span.text if a.source.span else None,
            a.cue.text if a.cue else None,
            a.content.text,
            a.kind,
        )
        for a in found
    ]


def test_each_cue_takes_its_nearest_source_and_content(rules_nlp: Language) -> None:
    text = "Mayor Ann Lee said that taxes would rise. The council denied the report."
    doc = parsed(
        rules_nlp,
        text,
        [
            ("SOURCE", "Mayor Ann Lee", 0),
            ("CUE", "said", 0),
            ("CONTENT", "that taxes would rise", 0),
            ("SOURCE", "The council", 0),
            ("CUE", "denied", 0),
            ("CONTENT", "the report", 0),
        ],
    )
    assert pairs(doc) == [
        ("Mayor Ann Lee", "said", "that taxes would rise", "indirect"),
        ("The council", "denied", "the report", "indirect"),
    ]


def test_a_second_quote_joins_the_cue_of_the_first(rules_nlp: Language) -> None:
    text = "“We will finish the bridge,” she said. “It is paid for.”"
    doc = parsed(
        rules_nlp,
        text,
        [
            ("CONTENT", "“We will finish the bridge,”", 0),
            ("SOURCE", "she", 0),
            ("CUE", "said", 0),
            ("CONTENT", "“It is paid for.”", 0),
        ],
    )
    assert pairs(doc) == [
        ("she", "said", "“We will finish the bridge,”", "direct"),
        ("she", "said", "“It is paid for.”", "direct"),
    ]


def test_a_cue_with_no_content_span_falls_back_to_the_rules(rules_nlp: Language) -> None:
    text = "The mayor said the bridge is finished."
    doc = parsed(rules_nlp, text, [("SOURCE", "The mayor", 0), ("CUE", "said", 0)])
    assert pairs(doc) == [("The mayor", "said", "the bridge is finished", "indirect")]


def test_according_to_is_a_kind_of_its_own(rules_nlp: Language) -> None:
    text = "The bridge is finished, according to the mayor."
    doc = parsed(
        rules_nlp,
        text,
        [
            ("CONTENT", "The bridge is finished", 0),
            ("CUE", "according to", 0),
            ("SOURCE", "the mayor", 0),
        ],
    )
    assert pairs(doc) == [("the mayor", "according to", "The bridge is finished", "according_to")]


def test_with_no_learned_span_the_rules_answer_alone(rules_nlp: Language) -> None:
    text = "“The bridge is finished,” Mayor Ann Lee said on Monday, according to the Herald."
    doc = parsed(rules_nlp, text, [])
    index = speakers.build_entities(doc)
    assert pairing.extract(doc, index) == Extractor(doc, index).run()


def test_a_rule_attribution_that_a_learned_one_overlaps_is_dropped(rules_nlp: Language) -> None:
    text = "Mayor Ann Lee said that taxes would rise."
    doc = parsed(rules_nlp, text, [("CUE", "said", 0), ("CONTENT", "taxes would rise", 0)])
    # The rules find `that taxes would rise`: the learned content wins, the rules name the source.
    assert pairs(doc) == [("Mayor Ann Lee", "said", "taxes would rise", "indirect")]


def test_a_hedged_cue_phrase_with_no_source_is_unattributed(rules_nlp: Language) -> None:
    text = "The minister is reportedly planning to resign."
    doc = parsed(
        rules_nlp, text, [("CUE", "is reportedly", 0), ("CONTENT", "planning to resign", 0)]
    )
    (a,) = pairing.extract(doc, speakers.build_entities(doc))
    assert a.kind == "unattributed"
    assert a.source.span is None
    assert "reportedly" in a.certainty.cues
    assert a.certainty.label != "asserted"


def test_a_negated_cue_phrase_lowers_the_score(rules_nlp: Language) -> None:
    said = parsed(
        rules_nlp,
        "Lee said that taxes would rise.",
        [("SOURCE", "Lee", 0), ("CUE", "said", 0), ("CONTENT", "that taxes would rise", 0)],
    )
    denied = parsed(
        rules_nlp,
        "Lee did not say that taxes would rise.",
        [("SOURCE", "Lee", 0), ("CUE", "did not say", 0), ("CONTENT", "that taxes would rise", 0)],
    )
    (a,) = pairing.extract(said, speakers.build_entities(said))
    (b,) = pairing.extract(denied, speakers.build_entities(denied))
    assert b.certainty.score < a.certainty.score


def test_a_content_with_no_learned_cue_takes_the_rules_cue(rules_nlp: Language) -> None:
    text = "“We will win,” Mayor Ann Lee said."
    doc = parsed(rules_nlp, text, [("CONTENT", "“We will win,”", 0)])
    assert pairs(doc) == [("Mayor Ann Lee", "said", "“We will win,”", "direct")]


def test_a_content_with_no_cue_anywhere_is_unattributed(rules_nlp: Language) -> None:
    text = "The bridge is finished."
    doc = parsed(rules_nlp, text, [("CONTENT", "The bridge is finished", 0)])
    assert pairs(doc) == [(None, None, "The bridge is finished", "unattributed")]


def test_the_shipped_pipeline_tags_spans_and_keeps_its_entities(nlp: Language) -> None:
    text = "Mayor Ann Lee said on Monday that taxes in Boston would rise."
    with_spans = next(pipeline.parse([text], nlp=nlp))
    without = next(pipeline.parse([text], nlp=pipeline.load(exclude=TAGGERS)))
    assert [(e.text, e.label_) for e in with_spans.ents] == [
        (e.text, e.label_) for e in without.ents
    ]
    labels = {s.label_ for s in with_spans.spans[SPANS_KEY]}
    assert {"CUE", "CONTENT"} <= labels
    assert all(isinstance(s, Span) for s in with_spans.spans[SPANS_KEY])


WORDS = st.sampled_from(
    [
        "The",
        "mayor",
        "said",
        "that",
        "taxes",
        "rise",
        "he",
        "told",
        "reporters",
        "according",
        "to",
        "Lee",
        "reportedly",
        "“",
        "”",
        '"',
        ",",
        ".",
        ":",
        "\n\n",
        "—",
        "Ann",
        "(",
        ")",
    ]
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(WORDS, max_size=40).map(" ".join))
def test_any_text_gives_well_formed_attributions(nlp: Language, text: str) -> None:
    doc = next(pipeline.parse([text], nlp=nlp))
    assert SPANS_KEY in doc.spans
    for a in pairing.extract(doc, speakers.build_entities(doc)):
        for span in (a.content, a.cue, a.channel, a.source.span):
            if span is not None:
                assert 0 <= span.start < span.end <= len(text)
                assert text[span.start : span.end] == span.text
