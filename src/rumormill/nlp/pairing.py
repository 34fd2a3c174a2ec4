"""Pair the learned SOURCE, CUE and CONTENT spans into attributions.

The span taggers (`nlp/spans.py`) say where sources, cues and contents are; which belong
together is decided here, within one paragraph, by distance in tokens:

1. each cue takes the nearest free content (after it or before it), never across another cue;
2. a content left over (the second half of `“…,” he said. “…”`) joins the nearest cue;
3. each paired cue takes the nearest source in its own sentence, outside its content, and
   when it has none, the source the rules give the same cue;
4. a content with no cue in its paragraph continues the attribution before it; with none
   before it, it takes the cue and source of a rule attribution it overlaps, or stands as
   an unattributed claim.

The kind is read off the surface (`according to`, quotation marks).  Speaker resolution,
channels and certainty are those of the rules (`nlp/attribution.py`).  A rule attribution is
kept when no learned content overlaps its content and no paired cue is its cue: so a cue the
content tagger left alone still counts when the rules find its content.  (Guessing that
content as the cue's clause instead measured worse on PolNeAR dev: docs/accuracy.md.)
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from rumormill.model import Attribution, AttributionKind
from rumormill.nlp.attribution import Extractor, Raw, surface_kind
from rumormill.nlp.cues import cue_lemma
from rumormill.nlp.patterns import UNATTRIBUTED_ADVERBS, UNATTRIBUTED_NOUNS
from rumormill.nlp.spans import SPANS_KEY
from rumormill.nlp.speakers import EntityIndex

MAX_CONTENT_GAP = 30  # tokens between a cue and its content
MAX_SOURCE_GAP = 20  # tokens between a cue and its source
BEFORE_PENALTY = 0.5  # a content after its cue wins a tie


@dataclass
class Piece:
    """One learned span: its role, character range, doc token range and paragraph."""

    role: str
    start: int
    end: int
    first: int  # doc token index
    last: int  # doc token index, inclusive
    paragraph: int


def gap(a: Piece, b: Piece) -> int:
    """Tokens strictly between two spans (0 when they touch or overlap)."""
    if a.last < b.first:
        return b.first - a.last - 1
    if b.last < a.first:
        return a.first - b.last - 1
    return 0


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class Pairer(Extractor):
    """The rules' Extractor, with the learned spans as the first word on every role."""

    def pieces(self) -> list[Piece]:
        starts = [p[0] for p in self.paras]
        out: list[Piece] = []
        for span in self.doc.spans[SPANS_KEY]:
            words = [t for t in span if not t.is_space]
            if not words:
                continue
            start, end = words[0].idx, words[-1].idx + len(words[-1].text)
            paragraph = max(bisect.bisect_right(starts, start) - 1, 0)
            out.append(Piece(span.label_, start, end, words[0].i, words[-1].i, paragraph))
        return out

    def sentence_id(self, token_i: int) -> int:
        words = self.sentence_of[token_i]
        return words[0].i if words else token_i

    def cue_head(self, piece: Piece) -> Token:
        tokens = [t for t in self.doc[piece.first : piece.last + 1] if not t.is_space]
        return next(
            (t for t in tokens if cue_lemma(t) is not None),
            next((t for t in tokens if t.pos_ in {"VERB", "AUX"}), tokens[0]),
        )

    def learned_raws(self) -> list[Raw]:
        pieces = self.pieces()
        cues = [p for p in pieces if p.role == "CUE"]
        sources = [p for p in pieces if p.role == "SOURCE"]
        contents = [p for p in pieces if p.role == "CONTENT"]

        def cue_between(a: Piece, b: Piece) -> bool:
            lo, hi = min(a.last, b.last), max(a.first, b.first)
            return any(lo < c.first and c.last < hi for c in cues)

        def cost(cue: Piece, content: Piece) -> float | None:
            if cue.paragraph != content.paragraph or overlaps(
                (cue.start, cue.end), (content.start, content.end)
            ):
                return None
            distance = gap(cue, content)
            if distance > MAX_CONTENT_GAP or cue_between(cue, content):
                return None
            return distance + (BEFORE_PENALTY if content.last < cue.first else 0.0)

        pairs = sorted(
            (c, n, m)
            for n, cue in enumerate(cues)
            for m, content in enumerate(contents)
            if (c := cost(cue, content)) is not None
        )
        owner: dict[int, int] = {}  # content -> cue
        paired: set[int] = set()
        for _, n, m in pairs:
            if m not in owner and n not in paired:
                owner[m] = n
                paired.add(n)
        for _, n, m in pairs:  # leftovers join their nearest cue
            if m not in owner:
                owner[m] = n
        for m, content in enumerate(contents):  # then any cue of their paragraph
            near = [
                (gap(cue, content), n)
                for n, cue in enumerate(cues)
                if cue.paragraph == content.paragraph
                and not overlaps((cue.start, cue.end), (content.start, content.end))
            ]
            if m not in owner and near:
                owner[m] = min(near)[1]

        raws: list[Raw] = []
        last: Raw | None = None
        for m, content in enumerate(contents):
            if m in owner:
                last = self.paired_raw(cues[owner[m]], content, sources)
                raws.append(last)
                continue
            span = (content.start, content.end)
            kind = surface_kind(self.text, [], [span])
            if last is not None:
                raws.append(Raw(kind, span, inherit=last, channel=last.channel))
            else:  # no cue before it: the rules may find one (`run`), else it stands alone
                raws.append(Raw("unattributed", span))
        return raws

    def paired_raw(self, cue: Piece, content: Piece, sources: list[Piece]) -> Raw:
        head = self.cue_head(cue)
        sentence = self.sentence_id(cue.first)
        candidates = [
            (gap(cue, s), s)
            for s in sources
            if self.sentence_id(s.first) == sentence
            and not overlaps((s.start, s.end), (content.start, content.end))
            and not overlaps((s.start, s.end), (cue.start, cue.end))
            and gap(cue, s) <= MAX_SOURCE_GAP
        ]
        source = min(candidates, key=lambda c: c[0])[1] if candidates else None
        kind: AttributionKind = surface_kind(
            self.text, [(cue.start, cue.end)], [(content.start, content.end)]
        )
        words = {t.lower_ for t in self.doc[cue.first : cue.last + 1]}
        if source is None and words & (UNATTRIBUTED_ADVERBS | UNATTRIBUTED_NOUNS):
            kind = "unattributed"  # "reportedly", "rumors", "reports": no one stands behind it
        content = self.whole_clause(content)
        raw = Raw(
            kind,
            (content.start, content.end),
            self.tokens_between(source.start, source.end) if source else [],
            head,
        )
        raw.lemma = cue_lemma(head)
        if cue.first < cue.last:  # "according to", "told reporters": the whole span
            raw.cue, raw.cue_end = self.doc[cue.first], cue.end
        frame = self.sentence_tokens(head)
        k = next((n for n, t in enumerate(frame) if t.i == cue.last), None)
        if k is not None:
            raw.channel, _ = self.channel_after(frame, k + 1, head)
        return raw

    def whole_clause(self, content: Piece) -> Piece:
        """`said that [Beseda, the head of the branch], and his deputy have been placed …`:
        a that-clause with no verb was cut short; it runs to the end of its sentence."""
        words = [t for t in self.doc[content.first : content.last + 1] if not t.is_space]
        if words[0].lower_ != "that" or any(t.pos_ in {"VERB", "AUX"} for t in words):
            return content
        sent = self.sentence_of[content.first]
        rest = [t for t in sent if t.i > content.last]
        while rest and (rest[-1].text in {".", "!", "?", ",", ";", ":"} or rest[-1].is_space):
            rest.pop()
        if not rest or not any(t.pos_ in {"VERB", "AUX"} for t in rest):
            return content
        last = rest[-1]
        return Piece(
            "CONTENT",
            content.start,
            last.idx + len(last.text),
            content.first,
            last.i,
            content.paragraph,
        )

    def cue_tokens(self, raw: Raw) -> set[int]:
        if raw.cue is None:
            return set()
        end = raw.cue_end or raw.cue.idx + len(raw.cue.text)
        return {t.i for t in self.tokens_between(raw.cue.idx, end)}

    def run(self) -> list[Attribution]:
        learned = self.learned_raws()
        rules = self.rule_raws()
        by_cue = {r.cue.i: r for r in rules if r.cue is not None}
        for raw in learned:
            if raw.inherit is not None:
                continue
            if raw.cue is None:
                # A content with no learned cue: the rules may know its cue and source.
                rule = next(
                    (r for r in rules if r.cue is not None and overlaps(r.content, raw.content)),
                    None,
                )
                if rule is not None:
                    raw.source, raw.cue, raw.cue_end = rule.source, rule.cue, rule.cue_end
                    raw.channel, raw.lemma = rule.channel, rule.lemma
                    raw.kind = surface_kind(self.text, [], [raw.content])
                    if rule.kind in {"according_to", "unattributed"}:
                        raw.kind = rule.kind
                continue
            rule = next((by_cue[i] for i in sorted(self.cue_tokens(raw)) if i in by_cue), None)
            if rule is None:
                continue
            if not raw.source and rule.source:
                # The learned cue without a learned source: the rules may know who spoke.
                raw.source = rule.source
                if raw.kind == "unattributed":
                    raw.kind = "indirect"
        contents = [r.content for r in learned]
        cues = set().union(*(self.cue_tokens(r) for r in learned))
        kept = [
            r
            for r in rules
            if not any(overlaps(r.content, c) for c in contents)
            and (r.cue is None or r.cue.i not in cues)
        ]
        return self.finish(learned + kept)


def extract(doc: Doc, index: EntityIndex) -> list[Attribution]:
    """Every attribution of one parsed Doc: learned spans paired when the pipeline has the
    span taggers, the rules alone otherwise."""
    if SPANS_KEY in doc.spans:
        return Pairer(doc, index).run()
    return Extractor(doc, index).run()
