"""Certainty v1: the lexicon scorer, on hand-written word lists (no model)."""

from __future__ import annotations

import pytest

from rumormill.nlp.certainty import assess, hedges_in, label


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (3.0, "asserted"),
        (2.5, "asserted"),
        (2.0, "probable"),
        (1.0, "probable"),
        (0.5, "possible"),
        (-0.5, "possible"),
        (-1.0, "doubted"),
        (-2.0, "doubted"),
        (-2.5, "denied"),
        (-3.0, "denied"),
    ],
)
def test_labels_follow_the_design_thresholds(score: float, expected: str) -> None:
    assert label(score) == expected


def test_said_or_a_plain_quote_asserts() -> None:
    said = assess(["It", "matters", "a", "lot"], cue_lemma="say", cue_text="said")
    assert (said.score, said.label, said.cues) == (3.0, "asserted", ())
    assert assess(["It", "matters", "a", "lot"]).score == 3.0


def test_believe_and_likely_are_probable() -> None:
    assert assess(["a", "coup", "is", "coming"], cue_lemma="believe").label == "probable"
    likely = assess(["they", "highly", "likely", "played", "a", "role"], cue_lemma="say")
    assert likely.label == "probable"
    assert likely.cues == ("highly likely",)


def test_could_may_and_i_think_are_possible() -> None:
    for words in ("There could be changes", "It may rain", "I think it is over"):
        assert assess(words.split(), cue_lemma="say").label == "possible", words
    assert "I think" in assess(["I", "think", "it", "is", "over"]).cues


def test_may_the_month_is_no_hedge() -> None:
    assert hedges_in(["They", "met", "in", "May"]) == []


def test_denied_is_denied() -> None:
    result = assess(["she", "had", "resigned"], cue_lemma="deny", cue_text="denied")
    assert result.label == "denied"
    assert result.cues == ("denied",)


def test_a_wrapper_lowers_the_score() -> None:
    plain = assess(["he", "is", "frustrated"])
    wrapped = assess(["he", "is", "reportedly", "frustrated"], wrappers=["reportedly"])
    assert wrapped.score < plain.score
    assert "reportedly" in wrapped.cues


def test_hedge_words_are_joined_as_written() -> None:
    assert hedges_in(["I", "do", "n’t", "think", "so"]) == [("I don’t think", -1.5)]


def test_negated_cue() -> None:
    assert assess(["it", "works"], cue_lemma="believe", negated=True).label == "doubted"
    assert assess(["it", "works"], cue_lemma="say", negated=True).label == "possible"


def test_score_stays_in_range() -> None:
    words = ["could", "may", "might", "possibly", "perhaps", "maybe"]
    result = assess(words, cue_lemma="deny", wrappers=["rumors", "speculation"])
    assert -3.0 <= result.score <= 3.0
