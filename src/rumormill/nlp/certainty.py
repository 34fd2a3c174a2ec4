"""Certainty v1: how committed a source sounds, from a lexicon of cue verbs and hedges.

The score is on the factuality scale of ../shared/DESIGN.md (+3 certainly so, 0 uncommitted,
-3 certainly not).  The cue verb sets the starting point ("said" 3, "believe" 2, "denied" -3),
each hedge inside the content caps it ("highly likely" 2, "could" 0.5, "I think" 0.5), stacked
hedges lower it a little more, and a reporter's wrapper around the content ("reportedly",
"rumors") lowers it by its weight.  Every lexicon lives in `patterns.py`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rumormill.model import Certainty
from rumormill.nlp.patterns import (
    CUE_VERBS,
    HEDGE_STACK_PENALTY,
    HEDGES,
    NEGATIONS,
    WRAPPERS,
)

ASSERTED = 3.0
MAX_HEDGE_WORDS = max(len(k) for k in HEDGES)
# A negated cue: "did not say" leaves the content uncommitted, "don't believe" doubts it.
NEGATED_SAYING = 0.0
NEGATED_BELIEF = -1.5


def label(score: float) -> str:
    """The DESIGN.md label of a score (boundaries belong to the label nearer the ends)."""
    if score >= 2.5:
        return "asserted"
    if score >= 1.0:
        return "probable"
    if score > -1.0:
        return "possible"
    if score > -2.5:
        return "doubted"
    return "denied"


def joined(words: Sequence[str]) -> str:
    """Words as written: "I do n't think" -> "I don't think"."""
    text = ""
    for word in words:
        glue = word.lower() in {"n't", "n’t", "'s", "’s"} or not text
        text += word if glue else " " + word
    return text


def hedges_in(words: Sequence[str]) -> list[tuple[str, float]]:
    """The hedges in `words` (token texts), longest match first, without overlaps."""
    lowered = [w.lower() for w in words]
    found: list[tuple[str, float]] = []
    i = 0
    while i < len(lowered):
        for n in range(min(MAX_HEDGE_WORDS, len(lowered) - i), 0, -1):
            key = tuple(lowered[i : i + n])
            value = HEDGES.get(key)
            # "May" with a capital inside a sentence is the month.
            if value is not None and not (n == 1 and words[i] == "May" and i > 0):
                found.append((joined(words[i : i + n]), value))
                i += n
                break
        else:
            i += 1
    return found


def cue_value(cue_lemma: str | None, *, negated: bool = False) -> float:
    """The certainty a cue verb lends; a plain quote or an unknown cue asserts."""
    value = CUE_VERBS.get(cue_lemma or "", ASSERTED)
    if negated:
        return NEGATED_BELIEF if value < ASSERTED else NEGATED_SAYING
    return value


def assess(
    words: Sequence[str],
    *,
    cue_lemma: str | None = None,
    cue_text: str | None = None,
    negated: bool = False,
    wrappers: Sequence[str] = (),
) -> Certainty:
    """Score one content (its token texts) said with `cue_lemma`, wrapped by `wrappers`."""
    cues: list[str] = []
    score = cue_value(cue_lemma, negated=negated)
    if score < ASSERTED and cue_text:
        cues.append(cue_text)
    hedges = hedges_in(words)
    if hedges:
        score = min(score, *(value for _, value in hedges))
        score -= HEDGE_STACK_PENALTY * (len(hedges) - 1)
        cues.extend(text for text, _ in hedges)
    for wrapper in wrappers:
        weight = WRAPPERS.get(wrapper.lower())
        if weight is not None:
            score -= weight
            cues.append(wrapper)
    score = round(max(-3.0, min(3.0, score)), 2)
    return Certainty(score=score, label=label(score), cues=tuple(dict.fromkeys(cues)))


def is_negation(word: str) -> bool:
    return word.lower() in NEGATIONS
