"""Certainty: how committed a source sounds to a content, on the factuality scale of
../shared/DESIGN.md (+3 certainly so, 0 uncommitted, -3 certainly not).

Two scorers live here.

**The lexicon (v1, `assess`)**, the baseline and the source of the hedge cues shown to users.
The cue verb sets the starting point ("said" 3, "believe" 2, "denied" -3), each hedge inside
the content caps it ("highly likely" 2, "could" 0.5, "I think" 0.5), stacked hedges lower it a
little more, and a reporter's wrapper around the content ("reportedly", "rumors") lowers it by
its weight.  Every lexicon lives in `patterns.py`.

**The learned model (`Scorer`)**, what `analyze` reports.  It scores an *event*: the head word
of a content, in its parse.  `walk` climbs the dependency tree from the event to its governing
cue verb (or the root), collecting the modifiers on the way; `features` describes that path
(the event's tense, auxiliaries, negation, markers such as "if", the governing verbs and how
the event hangs on them, the cue, the hedges and wrappers, and the lexicon's own score); a
sparse linear model (`linear.py`), trained on the factuality data sets' train splits
(`training/certainty.py`), weighs them.  Every feature exists once shared by all data sets and
once per data set (Daume's "frustratingly easy" domain adaptation): the data sets disagree on
what a future or a report is worth, and a score for one set uses the shared weights plus that
set's own.  `analyze` scores in the newswire set's terms (`NEWS`, UW).

Where the model has no evidence the lexicon stands: when a hedge or a wrapper the lexicon
finds was seen on fewer than `MIN_EVIDENCE` training targets, the learned score may not exceed
the lexicon's.  "Reportedly" is seen 17 times in all the train splits, "rumors" twice; without
this a reported event would read as plainly asserted.

Whose commitment: the data sets annotate the *author's* commitment ("X said the coup happened":
did the author present the coup as fact?).  An attribution's certainty is the *source's*
commitment to what it said.  So the model scores the content as if it stood alone (the source's
own words, in the source's voice), and the cue verb's lexicon value composes with it
(`score_content`): "said" (3) passes it on whole, "believe" (2) caps it, "denied" (-3) turns it
into its rejection, "did not say" (0) leaves it uncommitted.  An unattributed claim is the
author's, carried by its wrapper ("reportedly", "rumors"): the lexicon's score caps the model's.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Token

from rumormill.model import Certainty
from rumormill.nlp.cues import cue_lemma
from rumormill.nlp.linear import LinearModel, for_domain
from rumormill.nlp.patterns import (
    CUE_VERBS,
    HEDGE_STACK_PENALTY,
    HEDGES,
    NEGATIONS,
    WRAPPERS,
)

ASSERTED = 3.0
SCALE = 3.0
# The shipped model, and the data set whose terms `analyze` scores in (newswire).
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "certainty.json"
NEWS = "UW"
# Dependents that modify the word they hang on: where hedges, negations and wrappers sit.
MODIFIER_DEPS = frozenset({"aux", "aux:pass", "advmod", "amod", "det", "discourse"})
# The event's own dependents that the model sees, word by word.
EVENT_CHILD_DEPS = frozenset({"aux", "aux:pass", "advmod", "mark", "det", "discourse", "cop"})
# A lexicon cue seen on fewer training targets than this caps the learned score at the
# lexicon's: "reportedly", "allegedly" and "rumors" are rare in the factuality data.
MIN_EVIDENCE = 30
# How many governing words above the event the model sees.
MAX_PATH = 4
# As the extractor does: a negation or a reporter's adverb this close before the cue counts.
BEFORE_CUE = 3
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


def merge_cues(shown: Sequence[str], more: Sequence[str]) -> tuple[str, ...]:
    """`shown`, then those of `more` not already shown, nor inside a cue shown ("n't" in
    "I don't think", "likely" in "highly likely")."""
    lowered = [c.lower() for c in shown]
    extra = [c for c in more if not any(c.lower() in s for s in lowered)]
    return tuple(dict.fromkeys((*shown, *extra)))


def is_hedge_or_wrapper(cue: str) -> bool:
    lowered = cue.lower()
    return lowered in WRAPPERS or tuple(lowered.split()) in HEDGES


def is_negation(word: str) -> bool:
    return word.lower() in NEGATIONS


# --- the event: its path to the cue, in the parse ----------------------------------------------


@dataclass(frozen=True)
class Event:
    """An event (its head token) with its governing cue verb and the words that modify it.

    `path` holds the ancestors climbed (not the event, not the cue), each with the label of
    the arc climbed to reach it; `content` the indices of the event's and the ancestors'
    modifiers and of the ancestors themselves, in sentence order."""

    target: Token
    cue: Token | None
    path: tuple[tuple[str, Token], ...]
    content: tuple[int, ...]


def head_of(doc: Doc, start: int, end: int) -> Token:
    """The syntactic head of doc[start:end]: the first token whose head lies outside it."""
    for token in doc[start:end]:
        if token.head.i == token.i or not start <= token.head.i < end:
            return token
    return doc[start]


def walk(target: Token, *, cue: Token | None = None, within: frozenset[int] | None = None) -> Event:
    """Climb from `target` to its cue.  With `within` (the token indices of a content), the
    climb stays inside the content and finds no cue (an attribution's cue is outside its
    content, and need not govern it: "It matters," he said).  Without it, the cue is `cue`
    when the climb reaches it, else the first ancestor that is a cue verb, else the walk ends
    at the root.  A `conj` arc is passed through without taking the first conjunct's words (it
    shares its head, it does not govern its sister)."""
    node = target
    content: set[int] = set()
    path: list[tuple[str, Token]] = []
    found: Token | None = None
    passing = False
    while True:
        if not passing:
            if node is not target:
                content.add(node.i)
            content.update(c.i for c in node.children if c.dep_ in MODIFIER_DEPS)
        if node.head.i == node.i:
            break
        passing = node.dep_ == "conj"
        arc, above = node.dep_, node.head
        if within is not None:
            if above.i not in within:
                break
        elif (cue is not None and above.i == cue.i) or (
            cue is None and not passing and cue_lemma(above) is not None
        ):
            found = above
            break
        node = above
        if not passing:
            path.append((arc, node))
    if within is not None:
        content &= within
    return Event(target=target, cue=found, path=tuple(path), content=tuple(sorted(content)))


def lexicon(event: Event) -> Certainty:
    """The v1 lexicon's certainty for an event: the cue's value, negated by a negation in the
    three tokens before it or in it; every hedge in the content caps it; wrappers in the content,
    and reporter's adverbs among the three tokens before the cue, lower it.  A negation
    modifying the event itself flips the sign ("did n't [come]")."""
    doc = event.target.doc
    words = [doc[i].text for i in event.content]
    wrappers = [w for w in words if w.lower() in WRAPPERS]
    lemma: str | None = None
    negated = False
    cue = event.cue
    if cue is not None:
        lemma = cue_lemma(cue)
        before = [t for t in doc[max(cue.i - BEFORE_CUE, 0) : cue.i] if not t.is_space]
        negated = any(is_negation(t.text) for t in (*before, cue))
        wrappers.extend(t.text for t in before if t.lower_ in WRAPPERS and t.pos_ == "ADV")
    found = assess(
        words,
        cue_lemma=lemma,
        cue_text=cue.text if cue is not None else None,
        negated=negated,
        wrappers=wrappers,
    )
    negations = negations_of(event.target)
    if len(negations) % 2 == 0:
        return found
    score = -found.score if found.score else 0.0
    cues = tuple(dict.fromkeys((*found.cues, *negations)))
    return Certainty(score=score, label=label(score), cues=cues)


def negations_of(token: Token) -> list[str]:
    return [c.text for c in token.children if c.dep_ in MODIFIER_DEPS and is_negation(c.text)]


# --- the learned scorer ------------------------------------------------------------------------


def _bucket(value: float) -> str:
    return f"{round(value * 2) / 2:+.1f}"


def features(event: Event, lexical: Certainty) -> dict[str, float]:
    """The shared (domain-free) features of an event; see the module docstring."""
    t = event.target
    row: dict[str, float] = {
        "bias": 1.0,
        "lex": lexical.score / SCALE,
        f"lex:{_bucket(lexical.score)}": 1.0,
        f"t.pos:{t.pos_}": 1.0,
        f"t.tag:{t.tag_}": 1.0,
        f"t.dep:{t.dep_}": 1.0,
        f"t.lemma:{t.lemma_.lower()}": 1.0,
    }
    negated = len(negations_of(t)) % 2 == 1
    if negated:
        row["t.neg"] = 1.0
    for child in t.children:
        dep = child.dep_
        if dep in EVENT_CHILD_DEPS:
            word = child.lower_
            row[f"t.{dep}:{word}"] = 1.0
            if negated and dep in {"aux", "aux:pass"}:
                row[f"neg&t.{dep}:{word}"] = 1.0
        elif dep in {"nsubj", "nsubj:pass"} and child.pos_ == "PRON":
            row[f"t.subj:{child.lower_}"] = 1.0
    for k, (arc, node) in enumerate(event.path[:MAX_PATH]):
        lemma = node.lemma_.lower()
        row[f"a{min(k, 1)}:{arc}:{lemma}"] = 1.0
        row[f"a:{lemma}"] = 1.0
        row[f"a.arc:{arc}"] = 1.0
        if len(negations_of(node)) % 2 == 1:
            row["a.neg"] = 1.0
            row[f"a.neg:{lemma}"] = 1.0
        for child in node.children:
            if child.dep_ in {"aux", "mark"}:
                row[f"a.{child.dep_}:{child.lower_}"] = 1.0
    arcs = [arc for arc, _ in event.path[:3]]
    row[f"path:{'>'.join(arcs) or '-'}"] = 1.0
    cue = event.cue
    if cue is not None:
        lemma = cue_lemma(cue) or cue.lemma_.lower()
        doc = t.doc
        before = [x for x in doc[max(cue.i - BEFORE_CUE, 0) : cue.i] if not x.is_space]
        row[f"cue:{lemma}"] = 1.0
        row[f"cue.val:{_bucket(CUE_VERBS.get(lemma, ASSERTED))}"] = 1.0
        row[f"cue.arc:{event.path[-1][0] if event.path else t.dep_}"] = 1.0
        if any(is_negation(x.text) for x in (*before, cue)):
            row["cue.neg"] = 1.0
    else:
        row["cue:-"] = 1.0
    for text, _ in hedges_in([t.doc[i].text for i in event.content]):
        row[f"h:{text.lower()}"] = 1.0
    for cue_text in lexical.cues:
        if cue_text.lower() in WRAPPERS:
            row[f"w:{cue_text.lower()}"] = 1.0
    if is_question(t):
        row["s.q"] = 1.0
    return row


def is_question(token: Token) -> bool:
    """Whether `token` is in a question: a "?" hangs on it or on a clause above it (a clause
    set beside a question, "Does it matter? It matters a lot", is not in it)."""
    node = token
    while True:
        if any(c.text == "?" for c in node.rights):
            return True
        if node.head.i == node.i or node.dep_ == "parataxis":
            return False
        node = node.head


def calibrate(knots: Sequence[Sequence[float]] | None, raw: float) -> float:
    """The label a raw model score stands for: linear between the knots, and beyond the end
    knots parallel to the raw score (the few extreme examples of a set say little)."""
    if not knots or not knots[0]:
        return raw
    xs, ys = knots
    if raw <= xs[0]:
        return ys[0] + raw - xs[0]
    if raw >= xs[-1]:
        return ys[-1] + raw - xs[-1]
    j = bisect.bisect_right(xs, raw)
    x0, x1, y0, y1 = xs[j - 1], xs[j], ys[j - 1], ys[j]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)


@dataclass(frozen=True)
class Scorer:
    """The learned certainty of events: a linear model over `features`, in one domain, its raw
    score mapped through that domain's calibration (`training/certainty.py`)."""

    model: LinearModel
    domain: str = NEWS

    @functools.cached_property
    def knots(self) -> Sequence[Sequence[float]] | None:
        found = self.model.meta.get("calibration", {}).get(self.domain)
        return found if isinstance(found, list) else None

    @functools.cached_property
    def folded(self) -> LinearModel:
        """The model in this domain: shared weights plus the domain's own, summed once."""
        return for_domain(self.model, self.domain)

    def raw(self, row: dict[str, float]) -> float:
        """The model's score of a shared row (`features`) in this domain."""
        return self.folded.raw(row)

    def value(self, row: dict[str, float]) -> float:
        """The calibrated score of a shared row, on the scale."""
        return max(-SCALE, min(SCALE, calibrate(self.knots, self.raw(row))))

    @classmethod
    def load(cls, path: Path | None = None, *, domain: str = NEWS) -> Scorer:
        return cls(LinearModel.load(path or MODEL_PATH), domain)

    def score(self, event: Event, lexical: Certainty | None = None) -> Certainty:
        """The event's certainty: the model's score, with the lexicon's cues beside it.
        `lexical` is `lexicon(event)`, when the caller has it already."""
        lexical = lexical or lexicon(event)
        value = self.value(features(event, lexical))
        if self.unproven(lexical.cues):
            value = min(value, lexical.score)
        value = round(value, 2)
        return Certainty(score=value, label=label(value), cues=lexical.cues)

    def unproven(self, cues: Sequence[str]) -> bool:
        """Whether one of the lexicon's hedges or wrappers among `cues` was too rare in the
        training data for the model to have learned what it is worth: then the lexicon's score
        is a ceiling."""
        counts = self.model.meta.get("cue_counts", {})
        return any(
            counts.get(cue.lower(), 0) < MIN_EVIDENCE for cue in cues if is_hedge_or_wrapper(cue)
        )


def score_content(
    tokens: Sequence[Token],
    lexical: Certainty,
    *,
    cue_value: float | None,
    scorer: Scorer | None = None,
) -> Certainty:
    """The learned certainty of a content (its tokens, in order).

    The event is the content's head, walked within the content and scored as if the content
    stood alone (`own`).  `lexical` is the lexicon's certainty of the whole attribution (cue,
    hedges, wrappers), whose cues are shown.  An attribution (`cue_value`: the lexicon's
    value of its cue verb, negation included) is the source's commitment: a cue that commits
    (say 3, believe 2) caps `own`; a cue that rejects (deny -3) turns the content's commitment
    into its rejection (-3 x own / 3, nothing for a content that is itself doubted).  An
    unattributed claim (`cue_value` None) is the author's, carried by its wrapper: the
    lexicon's score caps `own`.  A content with no token gets `lexical` as it is."""
    if not tokens:
        return lexical
    chosen = scorer or default()
    inside = frozenset(t.i for t in tokens)
    heads = [t for t in tokens if t.head.i == t.i or t.head.i not in inside] or [tokens[0]]
    # A quote that opens with a question ("Does it matter? It matters a lot") is scored on
    # what it goes on to say.
    target = next((t for t in heads if not is_question(t)), heads[0])
    if is_question(target):
        after = [c for c in target.children if c.dep_ == "parataxis" and c.i in inside]
        target = next((c for c in after if not is_question(c)), target)
    # A content that reports or judges a clause ("the results suggest that ...") is about
    # that clause: it is scored there, with the reporting verb above it on the walk.
    while cue_lemma(target) is not None:
        clause = next((c for c in target.children if c.dep_ == "ccomp" and c.i in inside), None)
        if clause is None:
            break
        target = clause
    own = chosen.score(walk(target, within=inside)).score
    # The event's own negation is a reason to show ("the mayor was not arrested").
    cues = merge_cues(lexical.cues, negations_of(target))
    if cue_value is None:
        value = min(own, lexical.score)
    elif cue_value >= 0:
        value = min(own, cue_value)
    else:
        value = cue_value * max(own, 0.0) / SCALE
    if chosen.unproven(lexical.cues):
        value = min(value, lexical.score)
    value = round(value, 2)
    return Certainty(score=value, label=label(value), cues=cues)


@functools.cache
def default() -> Scorer:
    """The shipped model, loaded once."""
    return Scorer.load()


def score_event(doc: Doc, token: Token) -> Certainty:
    """The learned certainty of the event headed by `token` in the author's voice (newswire)."""
    if token.doc is not doc:
        raise ValueError("the token is not of this Doc")
    return default().score(walk(token))
