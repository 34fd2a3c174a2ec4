"""The learned certainty: the walk from an event to its cue, the features, the calibration,
how a content's score composes with its cue, and the shipped model on the issue's four
sentences.  Hand-made models make the composition exact; the shipped one is checked only for
order and labels far from a boundary."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from rumormill.analysis import analysis_of
from rumormill.model import Article, Attribution, Certainty
from rumormill.nlp import certainty
from rumormill.nlp.linear import LinearModel


def parse(nlp: Language, text: str) -> Doc:
    return nlp(text)


def token(doc: Doc, word: str) -> int:
    return next(t.i for t in doc if t.text == word)


# --- calibration -------------------------------------------------------------------------------


def test_calibration_interpolates_and_runs_parallel_beyond_the_ends() -> None:
    knots = [[0.0, 1.0, 2.0], [-1.0, 1.0, 3.0]]
    assert certainty.calibrate(knots, 0.5) == pytest.approx(0.0)
    assert certainty.calibrate(knots, 1.5) == pytest.approx(2.0)
    assert certainty.calibrate(knots, -2.0) == pytest.approx(-3.0)
    assert certainty.calibrate(knots, 2.5) == pytest.approx(3.5)
    assert certainty.calibrate(None, 1.23) == 1.23


# --- the walk ----------------------------------------------------------------------------------


@pytest.mark.model
def test_the_walk_stops_at_the_cue_verb(nlp: Language) -> None:
    doc = parse(nlp, "The minister said that the firm might leave town.")
    event = certainty.walk(doc[token(doc, "leave")])
    assert event.cue is not None
    assert event.cue.text == "said"
    assert "might" in [doc[i].text for i in event.content]
    assert certainty.lexicon(event).score == 0.5
    features = certainty.features(event, certainty.lexicon(event))
    assert {"cue:say", "t.aux:might", "h:might"} <= set(features)


@pytest.mark.model
def test_within_a_content_the_walk_finds_no_cue(nlp: Language) -> None:
    doc = parse(nlp, "The minister said that the firm might leave town.")
    inside = frozenset(range(token(doc, "the"), token(doc, ".")))
    event = certainty.walk(doc[token(doc, "leave")], within=inside)
    assert event.cue is None
    assert all(i in inside for i in event.content)
    assert "cue:-" in certainty.features(event, certainty.lexicon(event))


@pytest.mark.model
def test_a_negated_event_flips_the_lexicon_and_is_a_feature(nlp: Language) -> None:
    doc = parse(nlp, "The mayor did not come to the meeting.")
    event = certainty.walk(doc[token(doc, "come")])
    assert certainty.lexicon(event).score == -3.0
    assert "t.neg" in certainty.features(event, certainty.lexicon(event))


@pytest.mark.model
def test_a_question_is_a_question_but_a_clause_beside_it_is_not(nlp: Language) -> None:
    doc = parse(nlp, "Will the army move?")
    assert certainty.is_question(doc[token(doc, "move")])
    doc = parse(nlp, "The army moved.")
    assert not certainty.is_question(doc[token(doc, "moved")])


# --- composing a content's score with its cue ---------------------------------------------------


def constant(value: float, **meta: object) -> certainty.Scorer:
    """A scorer whose model says `value` for any event (lexicon cues seen often enough)."""
    counts = {"could": 1000, "reportedly": 1000, **meta.get("cue_counts", {})}  # type: ignore[dict-item]
    return certainty.Scorer(LinearModel("squared", value, {}, {"cue_counts": counts}))


def lexical(score: float, *cues: str) -> Certainty:
    return Certainty(score=score, label=certainty.label(score), cues=cues)


@pytest.mark.model
@pytest.mark.parametrize(
    ("own", "cue_value", "expected"),
    [
        (3.0, 3.0, 3.0),  # "said": the content passes on whole
        (1.0, 3.0, 1.0),  # "said" a hedged content
        (3.0, 2.0, 2.0),  # "believe" caps it
        (3.0, -3.0, -3.0),  # "denied" a plain content
        (1.5, -3.0, -1.5),  # "denied" a hedged one
        (-2.0, -3.0, 0.0),  # "denied" that it did not happen: nothing to reject
        (3.0, 0.0, 0.0),  # "did not say"
    ],
)
def test_an_attributions_score_composes_own_and_cue(
    nlp: Language, own: float, cue_value: float, expected: float
) -> None:
    doc = parse(nlp, "the firm left town")
    found = certainty.score_content(
        list(doc), lexical(3.0), cue_value=cue_value, scorer=constant(own)
    )
    assert found.score == pytest.approx(expected)
    assert found.label == certainty.label(expected)


@pytest.mark.model
def test_an_unattributed_claim_is_capped_by_its_wrapper(nlp: Language) -> None:
    doc = parse(nlp, "the firm left town")
    found = certainty.score_content(
        list(doc), lexical(2.0, "reportedly"), cue_value=None, scorer=constant(3.0)
    )
    assert (found.score, found.cues) == (2.0, ("reportedly",))


@pytest.mark.model
def test_a_hedge_the_model_rarely_saw_caps_it_at_the_lexicon(nlp: Language) -> None:
    doc = parse(nlp, "the firm left town")
    seen_often = certainty.score_content(
        list(doc), lexical(0.5, "could"), cue_value=3.0, scorer=constant(1.5)
    )
    rare = constant(1.5, cue_counts={"could": 3})
    seen_rarely = certainty.score_content(
        list(doc), lexical(0.5, "could"), cue_value=3.0, scorer=rare
    )
    assert (seen_often.score, seen_rarely.score) == (1.5, 0.5)


@pytest.mark.model
def test_an_empty_content_keeps_the_lexicon(nlp: Language) -> None:
    assert certainty.score_content([], lexical(2.0), cue_value=3.0) == lexical(2.0)


# --- the shipped model -------------------------------------------------------------------------


def only(nlp: Language, text: str) -> Attribution:
    found = analysis_of(Article(text=text, published=date(2022, 5, 5)), nlp(text)).attributions
    assert len(found) == 1, [a.to_dict() for a in found]
    return found[0]


@pytest.mark.model
def test_the_issues_four_sentences_are_told_apart(nlp: Language) -> None:
    said = only(nlp, "Police said the mayor was arrested on Monday.").certainty
    reported = only(nlp, "The mayor was reportedly arrested on Monday.").certainty
    believed = only(nlp, "Analysts believe the mayor could be arrested.").certainty
    denied = only(nlp, "Officials denied the mayor was arrested.").certainty
    assert said.score > reported.score > believed.score > denied.score
    assert (said.label, denied.label) == ("asserted", "denied")
    assert "reportedly" in reported.cues
    assert reported.label != "asserted"
    assert {"believe", "could"} <= set(believed.cues)
    assert "denied" in denied.cues


@pytest.mark.model
def test_a_negated_content_is_doubted_and_says_why(nlp: Language) -> None:
    found = only(nlp, "Officials said the mayor was not arrested.").certainty
    assert found.score < -1.0
    assert "not" in found.cues


@pytest.mark.model
def test_score_event_is_the_authors_voice(nlp: Language) -> None:
    doc = parse(nlp, "The mayor was arrested on Monday.")
    plain = certainty.score_event(doc, doc[token(doc, "arrested")])
    doc = parse(nlp, "The mayor might be arrested on Monday.")
    hedged = certainty.score_event(doc, doc[token(doc, "arrested")])
    assert plain.label == "asserted"
    assert hedged.score < plain.score
    assert "might" in hedged.cues
    with pytest.raises(ValueError, match="not of this Doc"):
        certainty.score_event(parse(nlp, "Another one."), doc[0])


def test_cues_are_merged_without_repeats() -> None:
    merged = certainty.merge_cues(("I don’t think", "highly likely"), ["n’t", "likely", "may"])
    assert merged == ("I don’t think", "highly likely", "may")
    assert certainty.merge_cues((), ["may", "may"]) == ("may",)


@pytest.mark.model
def test_learned_hedge_cues_are_shown_beside_the_score(nlp: Language) -> None:
    text = "Officials said the results suggest that the virus was probably not spread by birds."
    a = only(nlp, text)
    assert "probably" in a.certainty.cues
    assert "suggest" in a.certainty.cues  # found by the learned tagger, not the lexicon
    assert a.certainty.cues.count("probably") == 1
    # The content reports a clause ("suggest that ..."): it is scored on that clause, negated.
    assert a.certainty.score < 0
    assert "not" in a.certainty.cues
