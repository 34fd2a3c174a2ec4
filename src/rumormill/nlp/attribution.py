"""Attribution: who says what, through whom, found by rules over one parsed Doc.

Quotations are found at the character level (curly and straight marks, quotes running over
paragraphs), then each is attributed from the words beside it:

- a trailing attribution: `“…,” Russian security expert Andrei Soldatov told CEPA.`,
  `“…,” said Soldatov.`, `“…” —Commissioner Hale`;
- a leading one: `And from Chairwoman Ruiz: “…”`, `Soldatov said: “…”`, `He said, “…”`;
- a continuation: a quote that opens its paragraph or sentence with no attribution of its own
  belongs to the speaker of the quote before it (same or previous paragraph).

Then reported speech (`X said (that) …`, `…, X said.`), `according to X`, and content with no
source (`reportedly`, `rumors about …`, `reports that …`).  The parse is used where it helps
(subjects, lemmas, tags) but every rule also has a surface path, because the shipped parser is
not perfect.  Sources are resolved by `speakers.py`, certainty is scored by `certainty.py`,
and every word list lives in `patterns.py`.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from rumormill.model import Attribution, AttributionKind, Source, Span
from rumormill.nlp import certainty
from rumormill.nlp.cues import cue_lemma
from rumormill.nlp.patterns import (
    ACCORDING_TO,
    CHANNEL_PREFIXES,
    CHAR_QUOTE_CLOSE,
    CHAR_QUOTE_OPEN,
    CHAR_QUOTE_STRAIGHT,
    OUTLET_WORDS,
    PARAGRAPH_BREAK,
    REPORT_NOUNS,
    TIME_WORDS,
    UNATTRIBUTED_ADVERBS,
    UNATTRIBUTED_LINKS,
    UNATTRIBUTED_NOUNS,
    UNNAMED_SOURCE_NOUNS,
    WRAPPERS,
)
from rumormill.nlp.speakers import EntityIndex, Resolver

DASHES = frozenset({"—", "–", "-", "--", "―"})
SENTENCE_END = frozenset({".", "!", "?"})
QUOTE_MARKS = CHAR_QUOTE_OPEN | CHAR_QUOTE_CLOSE | {CHAR_QUOTE_STRAIGHT, "``", "''"}
# Words between a subject and its cue: "Soldatov also said", "he has repeatedly warned".
BETWEEN_SOURCE_AND_CUE = frozenset(
    {
        "also",
        "has",
        "have",
        "had",
        "later",
        "then",
        "previously",
        "recently",
        "repeatedly",
        "again",
        "once",
        "reportedly",
        "allegedly",
        "publicly",
        "privately",
        "would",
        "will",
        "did",
        "does",
        "do",
        "not",
        "n't",
        "n’t",
        "never",
        "further",
        "however",
        "flatly",
        "firmly",
        "strongly",
        "now",
    }
)
NP_POS = frozenset({"NOUN", "PROPN", "PRON", "ADJ", "DET", "NUM"})
NP_GLUE = frozenset({"of", "and", "&", "for", "-", "’s", "'s", "’", ".", "de", "von", "al"})
NOMINAL_DEPS = frozenset(
    {"nsubj", "nsubj:pass", "compound", "flat", "appos", "nmod", "amod", "det", "nummod"}
)
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
# Inside a source phrase only: "a source close to the Kremlin", "people familiar with it".
SOURCE_GLUE = frozenset({"to", "with", "close", "familiar", "near", "in", "at"})
RELATIVES = frozenset({"who", "whom", "whose", "which", "that"})
ACCORDING_FIRST = frozenset(p[0] for p in ACCORDING_TO)
MAX_SOURCE = 16
MAX_CUE_DISTANCE = 14


# --- quotations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    """One quotation in one paragraph: `start`/`end` include the marks (end-exclusive)."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    paragraph: int
    opens_paragraph: bool
    open_end: bool = False  # runs on into the next paragraph (no closing mark here)
    continued: bool = False  # a later paragraph of a quote that started before


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Character ranges of the paragraphs (blank-line separated)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in PARAGRAPH_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def mark_kind(text: str, i: int, start: int, end: int, depth: int) -> str | None:
    """'open', 'close' or None for the character at `i` (a straight quote by its context)."""
    ch = text[i]
    if ch in CHAR_QUOTE_OPEN:
        return "open"
    if ch in CHAR_QUOTE_CLOSE:
        return "close"
    if ch != CHAR_QUOTE_STRAIGHT:
        return None
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    opening = before.isspace() or before in "([{—–-/"
    closing = after.isspace() or after in ".,;:!?)]}—–-/"
    if depth and (closing or not opening):
        return "close"
    return "open" if not closing or not depth else "close"


def stripped(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_quotes(text: str) -> list[Quote]:
    """Every outermost quotation; unbalanced marks give none."""
    quotes: list[Quote] = []
    paras = paragraphs(text)
    carried = False  # the paragraph before ended inside a quotation that goes on
    for n, (p_start, p_end) in enumerate(paras):
        stack: list[int] = []
        found: list[Quote] = []
        i = p_start
        while i < p_end:
            pair = text[i : i + 2]
            width = 2 if pair in {"``", "''"} else 1
            kind = (
                ("open" if pair == "``" else "close")
                if width == 2
                else mark_kind(text, i, p_start, p_end, len(stack))
            )
            if kind == "open":
                stack.append(i)
            elif kind == "close" and stack:
                opened = stack.pop()
                if not stack:
                    mark = 2 if text[opened : opened + 2] == "``" else 1
                    inner = stripped(text, opened + mark, i)
                    if inner[0] < inner[1]:
                        found.append(
                            Quote(
                                opened,
                                i + width,
                                inner[0],
                                inner[1],
                                n,
                                not text[p_start:opened].strip(),
                                continued=carried and not found and opened == p_start,
                            )
                        )
            i += width
        next_opens = n + 1 < len(paras) and text[paras[n + 1][0]] in (
            CHAR_QUOTE_OPEN | {CHAR_QUOTE_STRAIGHT, "`"}
        )
        last_carried = carried
        carried = False
        if stack and next_opens:
            opened = stack[0]
            inner = stripped(text, opened + 1, p_end)
            if inner[0] < inner[1]:
                found.append(
                    Quote(
                        opened,
                        p_end,
                        inner[0],
                        inner[1],
                        n,
                        not text[p_start:opened].strip(),
                        open_end=True,
                        continued=last_carried and not found and opened == p_start,
                    )
                )
                carried = True
        quotes.extend(found)
    return quotes


# --- cue words -------------------------------------------------------------------------------


def is_passive(token: Token) -> bool:
    """ "should be expected to", "is said to": a passive cue has no speaker here."""
    if token.tag_ != "VBN":
        return False
    prev = token.doc[token.i - 1] if token.i > 0 else None
    return any(c.dep_ == "aux:pass" for c in token.children) or (
        prev is not None and prev.lower_ in {"be", "been", "being", "is", "are", "was", "were"}
    )


def is_outlet(tokens: Sequence[Token]) -> bool:
    """A phrase that names an outlet or platform (a channel)."""
    if not tokens or any(t.lower_ in TIME_WORDS for t in tokens):
        return False
    if any(
        t.lower_ in OUTLET_WORDS and (t.is_title or t.is_upper or t.pos_ != "NOUN") for t in tokens
    ):
        return True
    return any(t.ent_type_ == "ORG" for t in tokens)


def surface_kind(
    text: str, cue: Sequence[tuple[int, int]], content: Sequence[tuple[int, int]]
) -> AttributionKind:
    """The kind of an attribution read off its surface: `according to`, or how much of its
    content (character fragments) is inside quotation marks.  PolNeAR annotates no kinds, so
    the evaluation reads gold kinds the same way."""
    cue_text = " ".join(text[s:e] for s, e in sorted(cue)).lower().split()
    if cue_text[:2] == ["according", "to"]:
        return "according_to"
    inside = outside = marks = depth = 0
    # The quote state runs on across fragments: `“We will, [he said,] win.”` is one quote.
    for s, e in sorted(content):
        for ch in text[s:e]:
            if ch in CHAR_QUOTE_OPEN:
                depth, marks = depth + 1, marks + 1
            elif ch in CHAR_QUOTE_CLOSE:
                depth, marks = max(depth - 1, 0), marks + 1
            elif ch == CHAR_QUOTE_STRAIGHT:
                depth, marks = (0 if depth else 1), marks + 1
            elif ch.isalnum():
                if depth:
                    inside += 1
                else:
                    outside += 1
    if not marks:
        return "indirect"
    return "direct" if inside and not outside else "mixed"


# --- raw attributions ------------------------------------------------------------------------


@dataclass
class Raw:
    """An attribution before its source is resolved and its certainty scored."""

    kind: AttributionKind
    content: tuple[int, int]
    source: list[Token] = field(default_factory=list)
    cue: Token | None = None
    channel: list[Token] = field(default_factory=list)
    cue_end: int | None = None  # a cue of several words ("according to") ends here
    inherit: Raw | None = None  # a quote continuation takes the source of this one
    lemma: str | None = None  # the cue verb's lemma, when `cue` is not that verb
    resolved: Source | None = None


@dataclass
class Extractor:
    """The rules over one Doc; `run()` returns the attributions."""

    doc: Doc
    index: EntityIndex
    quotes: list[Quote] = field(default_factory=list)
    quoted: list[bool] = field(default_factory=list)
    token_starts: list[int] = field(default_factory=list)
    used_cues: set[int] = field(default_factory=set)
    paras: list[tuple[int, int]] = field(default_factory=list)
    text: str = ""  # doc.text, computed once: spaCy rebuilds it on every access
    sentence_of: list[list[Token]] = field(default_factory=list)
    lower: list[str] = field(default_factory=list)  # each token's lower_, read once

    def __post_init__(self) -> None:
        text = self.text = self.doc.text
        self.lower = [t.lower_ for t in self.doc]
        self.paras = paragraphs(text)
        self.quotes = find_quotes(text)
        self.token_starts = [t.idx for t in self.doc]
        self.sentence_of = [[] for _ in range(len(self.doc))]
        for sent in self.doc.sents:
            words = [t for t in sent if not t.is_space]
            for i in range(sent.start, sent.end):
                self.sentence_of[i] = words
        self.quoted = [False] * len(self.doc)
        for q in self.quotes:
            for t in self.tokens_between(q.start, q.end):
                self.quoted[t.i] = True

    # --- token helpers ---

    def tokens_between(self, start: int, end: int) -> list[Token]:
        """Tokens that begin in [start, end), without whitespace tokens."""
        a = bisect.bisect_left(self.token_starts, start)
        b = bisect.bisect_left(self.token_starts, end)
        return [t for t in self.doc[a:b] if not t.is_space]

    def char_span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end])

    def token_span(self, tokens: Sequence[Token]) -> Span | None:
        if not tokens:
            return None
        return self.char_span(tokens[0].idx, tokens[-1].idx + len(tokens[-1].text))

    def sentence_tokens(self, token: Token) -> list[Token]:
        return list(self.sentence_of[token.i])

    # --- noun phrases ---

    def np_tokens_ok(self, t: Token) -> bool:
        return not self.quoted[t.i] and (
            t.pos_ in NP_POS
            or t.ent_type_ != ""
            or t.lower_ in UNNAMED_SOURCE_NOUNS
            or (t.dep_ in NOMINAL_DEPS and t.is_alpha and t.pos_ not in {"VERB", "AUX"})
            or (t.dep_ in {"nsubj", "nsubj:pass"} and t.is_alpha)
        )

    def np_left(self, frame: Sequence[Token], k: int) -> list[Token]:
        """The source phrase that ends right before frame[k] (a cue verb)."""
        j = k - 1
        skipped = 0
        while j >= 0 and skipped < 3 and frame[j].lower_ in BETWEEN_SOURCE_AND_CUE:
            j -= 1
            skipped += 1
        if j < 0:
            return []
        # "Soldatov, who runs …, also reported": step over a comma-bounded insertion.
        insertion: list[Token] = []
        relative = False
        if frame[j].text == ",":
            left = next((m for m in range(j - 1, max(j - 16, -1), -1) if frame[m].text == ","), -1)
            if left < 1:
                return []
            insertion = list(frame[left + 1 : j])
            relative = bool(insertion) and insertion[0].lower_ in {"who", "which"}
            apposition = all(self.np_tokens_ok(t) or t.lower_ in NP_GLUE for t in insertion)
            if not insertion or not (relative or apposition):
                return []
            j = left - 1
        tokens: list[Token] = []
        m = j
        while m >= 0 and len(tokens) < MAX_SOURCE:
            t = frame[m]
            if t.lower_ in RELATIVES:
                break
            glue = t.lower_ in NP_GLUE or t.lower_ in SOURCE_GLUE
            if self.np_tokens_ok(t) or (glue and tokens):
                tokens.insert(0, t)
                m -= 1
                continue
            if t.pos_ == "ADV" and tokens and t.dep_ in {"advmod", "conj"} and m > 0:
                tokens.insert(0, t)
                m -= 1
                continue
            break
        while tokens and not self.np_tokens_ok(tokens[0]):
            tokens.pop(0)
        while tokens and tokens[0].pos_ in {"CCONJ", "ADP", "ADV"}:
            tokens.pop(0)
        if not tokens:
            return self.subject_of(frame, k)
        if insertion and not relative:
            # "Another analyst, Alexey Muraviev": the apposition is part of the source.
            tokens = [*tokens, *frame[j + 1 : j + 2 + len(insertion)]]
            return tokens
        # "Analysts inside and outside of Russia believe": when the words found are the tail
        # of the parser's subject, the whole subject is the source.
        subject = self.subject_of(frame, k)
        if subject and subject[0].i < tokens[0].i and subject[-1].i >= tokens[-1].i:
            return subject
        return tokens

    def subject_of(self, frame: Sequence[Token], k: int) -> list[Token]:
        """The parser's subject of frame[k], when it lies in the frame, left of the cue."""
        if k >= len(frame):
            return []
        cue = frame[k]
        allowed = {t.i for t in frame[:k]}
        for child in cue.children:
            if child.dep_ in {"nsubj", "nsubj:pass"} and child.i in allowed:
                sub = [t for t in child.subtree if t.i in allowed and not t.is_space]
                if 0 < len(sub) <= MAX_SOURCE and not any(self.quoted[t.i] for t in sub):
                    return sub
        return []

    def np_right(self, frame: Sequence[Token], k: int, *, conj: bool = True) -> list[Token]:
        """The noun phrase that starts at frame[k]."""
        tokens: list[Token] = []
        m = k
        while m < len(frame) and len(tokens) < MAX_SOURCE:
            t = frame[m]
            mention = self.index.mention_at(t)
            if mention is not None and mention.start == t.i:
                inside = [x for x in frame[m:] if x.i < mention.end]
                tokens.extend(inside)
                m += len(inside)
                continue
            glue = t.lower_ in NP_GLUE and (conj or t.lower_ not in {"and", "&"})
            if t.text in {",", ";", ":", "!", "?", "(", ")"} or t.text in QUOTE_MARKS:
                break
            if t.text == "." and not (tokens and tokens[-1].is_upper and len(tokens[-1]) <= 2):
                break
            if t.pos_ in {"VERB", "AUX", "SCONJ"} or t.lower_ in {"that", "who", "which"}:
                break
            if t.pos_ == "ADP" and t.lower_ not in NP_GLUE:
                break
            if self.np_tokens_ok(t) or (glue and tokens):
                tokens.append(t)
                m += 1
                continue
            break
        while tokens and (tokens[-1].lower_ in NP_GLUE or tokens[-1].pos_ in {"ADP", "CCONJ"}):
            tokens.pop()
        return tokens

    def channel_after(
        self, frame: Sequence[Token], k: int, cue: Token | None, *, limit: int = 10
    ) -> tuple[list[Token], int]:
        """A channel starting within a few words of frame[k]: "told X", "in an interview
        with X", "said on X".  Returns the channel tokens and the index after them."""
        if cue is not None and cue_lemma(cue) == "tell" and k < len(frame):
            obj = self.np_right(frame, k, conj=False)
            if obj and is_outlet(obj):
                return obj, k + len(obj)
        words = [t.lower_ for t in frame]
        for j in range(k, min(len(frame), k + limit)):
            if frame[j].lower_ in {"that", "“", '"', ":"} or frame[j].text in SENTENCE_END:
                break
            for prefix in CHANNEL_PREFIXES:
                if tuple(words[j : j + len(prefix)]) == prefix:
                    obj = self.np_right(frame, j + len(prefix), conj=False)
                    if obj and is_outlet(obj):
                        return obj, j + len(prefix) + len(obj)
        return [], k

    def is_source_phrase(self, tokens: Sequence[Token]) -> bool:
        return any(
            t.ent_type_ in {"PERSON", "ORG", "GPE", "NORP"}
            or t.lower_ in UNNAMED_SOURCE_NOUNS
            or t.pos_ == "PRON"
            or (t.is_title and t.pos_ == "PROPN")
            for t in tokens
        )

    # --- quotes ---

    def frames(
        self, q: Quote, before: Quote | None, after: Quote | None
    ) -> tuple[list[Token], list[Token]]:
        """The words before a quote (back to the previous sentence end or quote) and after
        it (to the next sentence end or quote), within its paragraph."""
        paras = self.paras
        p_start, p_end = paras[q.paragraph]
        head = self.tokens_between(before.end if before else p_start, q.start)
        cut = max((n for n, t in enumerate(head) if t.text in SENTENCE_END), default=-1)
        head = head[cut + 1 :]
        tail = [] if q.open_end else self.tokens_between(q.end, after.start if after else p_end)
        end = next((n for n, t in enumerate(tail) if t.text in SENTENCE_END), len(tail))
        return head, tail[: end + 1]

    def trailing(self, q: Quote, tail: list[Token]) -> Raw | None:
        """`“…,” X said (to Y).`, `“…,” said X.`, `“…” —X`."""
        frame = [t for t in tail if t.text not in SENTENCE_END]
        i = 0
        while i < len(frame) and frame[i].text in {",", "’", "'"}:
            i += 1
        if i >= len(frame):
            return None
        content = (q.inner_start, q.inner_end)
        if frame[i].text in DASHES or frame[i].text[:1] in {"—", "–"}:
            src = self.np_right(frame, i + 1)
            if src and self.is_source_phrase(src):
                channel, _ = self.channel_after(frame, i + 1 + len(src), None)
                return Raw("direct", content, src, frame[i], channel)
            return None
        inner_end = self.text[q.inner_end - 1]
        for k in range(i, min(len(frame), i + MAX_CUE_DISTANCE)):
            lemma = cue_lemma(frame[k])
            if lemma is None:
                continue
            if frame[k].i in self.used_cues:
                return None
            if k == i:
                src = self.np_right(frame, k + 1, conj=False)
                rest = k + 1 + len(src)
            else:
                src = self.np_left(frame, k)
                rest = k + 1
                if src and src[-1].i < frame[k - 1].i - 3:
                    src = []
            if not src:
                return None
            short = len(tail) <= 12
            if inner_end not in ",?!…—–-:" and not short:
                return None
            channel, _ = self.channel_after(frame, rest, frame[k])
            return Raw("direct", content, src, frame[k], channel)
        return None

    def leading(self, q: Quote, head: list[Token]) -> Raw | None:
        """`X said: “…”`, `And from X: “…”`, `X told Y, “…”`, `X said “…”`."""
        if not head:
            return None
        content = (q.inner_start, q.inner_end)
        last = head[-1]
        body = head[:-1] if last.text in {":", ","} else head
        if last.lower_ == "that" and len(head) >= 2:
            body = head[:-1]
        cues = [k for k, t in enumerate(body) if cue_lemma(t) is not None]
        if cues:
            k = cues[-1]
            if body[k].i in self.used_cues:
                return None
            channel, after = self.channel_after(body, k + 1, body[k], limit=len(body))
            if after < len(body) and last.text != ":":
                return None  # words between the cue and the quote: reported speech
            src = self.np_left(body, k) or self.np_right(body, k + 1, conj=False)
            if src:
                return Raw("direct", content, src, body[k], channel)
            return None
        if last.text != ":":
            return None
        froms = [k for k, t in enumerate(body) if t.lower_ == "from"]
        if froms:
            src = self.np_right(body, froms[-1] + 1)
            if src and self.is_source_phrase(src):
                return Raw("direct", content, src, last, [])
        src = self.np_left(body, len(body)) if body else []
        if src and any(t.ent_type_ in {"PERSON", "ORG"} for t in src):
            return Raw("direct", content, src, last, [])
        return None

    def quote_pass(self) -> tuple[dict[int, Raw], set[int]]:
        """Attribute every quotation; returns raws by quote index and the embedded ones."""
        found: dict[int, Raw] = {}
        embedded: set[int] = set()
        heads: dict[int, list[Token]] = {}
        for n, q in enumerate(self.quotes):
            before = (
                self.quotes[n - 1] if n and self.quotes[n - 1].paragraph == q.paragraph else None
            )
            after = (
                self.quotes[n + 1]
                if n + 1 < len(self.quotes) and self.quotes[n + 1].paragraph == q.paragraph
                else None
            )
            head, tail = self.frames(q, before, after)
            heads[n] = head
            raw = self.leading(q, head) or self.trailing(q, tail)
            if raw is None:
                continue
            if raw.cue is not None:
                self.used_cues.add(raw.cue.i)
            if (
                head
                and raw.cue is not None
                and raw.cue.i > q.start
                and head[-1].text != ":"
                and any(t.is_alpha for t in head)
                and not any(cue_lemma(t) for t in head)
            ):
                # `He called it “a disaster,” X said.`: partly quoted.
                raw.kind = "mixed"
                raw.content = (head[0].idx, q.end)
            found[n] = raw
        # Quotes over several paragraphs share one attribution.
        chains: list[list[int]] = []
        for n, q in enumerate(self.quotes):
            if q.continued and chains and self.quotes[chains[-1][-1]].open_end:
                chains[-1].append(n)
            else:
                chains.append([n])
        for chain in chains:
            owner = next((found[n] for n in chain if n in found), None)
            if owner is not None:
                for n in chain:
                    if n not in found:
                        found[n] = self.continuation(n, owner)
        # A quote that starts a paragraph or sentence continues the quote before it.
        for n, q in enumerate(self.quotes):
            if n in found:
                continue
            if heads[n] and not q.opens_paragraph:
                embedded.add(n)
                continue
            prev = next(
                (
                    found[m]
                    for m in range(n - 1, -1, -1)
                    if m in found and q.paragraph - self.quotes[m].paragraph <= 1
                ),
                None,
            )
            if prev is not None and self.nothing_said_between(prev, q):
                found[n] = self.continuation(n, prev)
        return found, embedded

    def nothing_said_between(self, prev: Raw, q: Quote) -> bool:
        """No other speaker's reported speech sits between a quote and the one before."""
        end = max(prev.content[1], prev.cue.idx if prev.cue is not None else 0)
        return not any(
            cue_lemma(t) is not None and t.i not in self.used_cues and not self.quoted[t.i]
            for t in self.tokens_between(end, q.start)
        )

    def continuation(self, n: int, owner: Raw) -> Raw:
        q = self.quotes[n]
        return Raw("direct", (q.inner_start, q.inner_end), inherit=owner, channel=owner.channel)

    # --- reported speech ---

    def content_after(self, sent: list[Token], k: int) -> tuple[int, list[Token]]:
        """The reported content after the cue sent[k] (skipping a channel and "that")."""
        j = k + 1
        _, j = self.channel_after(sent, j, sent[k])
        window = [t.lower_ for t in sent[j : j + 7]]
        if "that" in window:
            skip = window.index("that")
            if not any(t.pos_ in {"VERB", "AUX"} for t in sent[j : j + skip]):
                j += skip + 1
        elif j < len(sent) and sent[j].text == ",":
            j += 1
        body = list(sent[j:])
        while body and (body[-1].text in SENTENCE_END | {",", ";", ":"} or body[-1].is_space):
            body.pop()
        if not body or body[0].text in SENTENCE_END | {",", ";", ":", ")"}:
            return j, []
        clause = any(
            t.tag_ in FINITE_TAGS
            or "Fin" in t.morph.get("VerbForm", [])
            or (t.pos_ in {"VERB", "AUX"} and t.tag_ != "VBG")
            for t in body
        )
        if not clause and not any(self.quoted[t.i] for t in body):
            return j, []
        return j, body

    def reported_pass(self, raws: list[Raw], embedded: set[int]) -> None:
        for token in self.doc:
            if self.quoted[token.i] or token.i in self.used_cues:
                continue
            lemma = cue_lemma(token)
            if lemma is None or is_passive(token):
                continue
            sent = self.sentence_tokens(token)
            k = next((n for n, t in enumerate(sent) if t.i == token.i), -1)
            if k < 0:
                continue
            src = self.np_left(sent, k)
            _, body = self.content_after(sent, k)
            if src and body:
                kind: AttributionKind = "indirect"
                head = src[-1]
                if head.lower_ in REPORT_NOUNS and not any(t.ent_type_ for t in src):
                    kind = "unattributed"
                raw = Raw(kind, (body[0].idx, body[-1].idx + len(body[-1].text)), src, token)
                raw.channel, _ = self.channel_after(sent, k + 1, token)
                self.claim_quotes(raw, embedded)
                raws.append(raw)
                self.used_cues.add(token.i)
                continue
            # "…, X said." / "…, said X.": the content comes first.
            before = self.parenthetical(sent, k, src)
            if before is not None:
                self.claim_quotes(before, embedded)
                raws.append(before)
                self.used_cues.add(token.i)

    def parenthetical(self, sent: list[Token], k: int, src: list[Token]) -> Raw | None:
        cue = sent[k]
        if src:
            start = sent.index(src[0])
            rest = k + 1
        else:
            src = self.np_right(sent, k + 1, conj=False)
            start = k
            rest = k + 1 + len(src)
        if not src or start < 2 or sent[start - 1].text != ",":
            return None
        if not self.is_source_phrase(src):
            return None
        channel, rest = self.channel_after(sent, rest, cue)
        tail = [t for t in sent[rest:] if t.text not in SENTENCE_END]
        if tail:
            return None
        body = sent[: start - 1]
        while body and body[0].text in {",", "—", "–"}:
            body.pop(0)
        if not body or all(self.quoted[t.i] or t.text in QUOTE_MARKS for t in body):
            return None
        if not any(t.pos_ in {"VERB", "AUX"} for t in body):
            return None
        raw = Raw(
            "according_to", (body[0].idx, body[-1].idx + len(body[-1].text)), src, cue, channel
        )
        return raw

    def claim_quotes(self, raw: Raw, embedded: set[int]) -> None:
        """Reported speech that takes in a quotation is partly quoted (mixed)."""
        start, end = raw.content
        for n, q in enumerate(self.quotes):
            if q.start < end and start < q.end and (q.start >= start and q.end <= end + 1):
                if n in embedded:
                    embedded.discard(n)
                if raw.kind == "indirect":
                    raw.kind = "mixed"
                if q.end == end + 1:
                    raw.content = (start, q.end)

    # --- according to, unattributed ---

    def according_pass(self, raws: list[Raw]) -> None:
        """`…, according to X.` and `According to X, …`: X is the source (and the channel
        when X is an outlet)."""
        lower = self.lower
        for i, word in enumerate(lower):
            if self.quoted[i] or word not in ACCORDING_FIRST:
                continue
            width = next(
                (len(p) for p in ACCORDING_TO if tuple(lower[i : i + len(p)]) == p),
                0,
            )
            if not width:
                continue
            token = self.doc[i]
            sent = self.sentence_tokens(token)
            k = next((n for n, t in enumerate(sent) if t.i == token.i), -1)
            if k < 0:
                continue
            src = self.np_right(sent, k + width)
            if not src:
                continue
            after = k + width + len(src)
            lead = [t for t in sent[:k] if t.is_alpha]
            if not lead or all(t.lower_ in {"but", "and", "so"} for t in lead):
                body = list(sent[after:])
                while body and body[0].text in {",", "—", "–"}:
                    body.pop(0)
            else:
                body = list(sent[:k])
            while body and body[-1].text in SENTENCE_END | {",", ";", ":", "—", "–"}:
                body.pop()
            if not body:
                continue
            to = self.doc[token.i + width - 1]
            raw = Raw("according_to", (body[0].idx, body[-1].idx + len(body[-1].text)), src, token)
            raw.cue_end = to.idx + len(to.text)
            raw.channel = src if is_outlet(src) else []
            raws.append(raw)

    def unattributed_pass(self, raws: list[Raw]) -> None:
        covered = [False] * len(self.doc)
        for raw in raws:
            for t in self.tokens_between(*raw.content):
                covered[t.i] = True
            for t in raw.source:
                covered[t.i] = True
        for token in self.doc:
            if self.quoted[token.i] or covered[token.i]:
                continue
            word = token.lower_
            sent = self.sentence_tokens(token)
            if word in UNATTRIBUTED_ADVERBS:
                body = list(sent)
            elif word in UNATTRIBUTED_NOUNS and token.pos_ != "VERB":
                nxt = token.nbor(1) if token.i + 1 < len(self.doc) else None
                if nxt is None or nxt.lower_ not in UNATTRIBUTED_LINKS:
                    continue
                k = next((n for n, t in enumerate(sent) if t.i == nxt.i), -1)
                if k < 0:
                    continue
                body = []
                for t in sent[k + 1 :]:
                    finite = t.tag_ in {"VBZ", "VBP", "VBD", "MD"} or (
                        t.tag_ == "VB" and t.i > 0 and self.doc[t.i - 1].lower_ != "to"
                    )
                    if nxt.lower_ != "that" and (t.text in {",", ";", ".", ":"} or finite):
                        break
                    body.append(t)
            else:
                continue
            while body and (body[-1].text in SENTENCE_END | {",", ";", ":"}):
                body.pop()
            if not body:
                continue
            raws.append(
                Raw("unattributed", (body[0].idx, body[-1].idx + len(body[-1].text)), [], token)
            )

    # --- all together ---

    def rule_raws(self) -> list[Raw]:
        quote_raws, embedded = self.quote_pass()
        raws: list[Raw] = list(quote_raws.values())
        self.reported_pass(raws, embedded)
        self.according_pass(raws)
        self.unattributed_pass(raws)
        return raws

    def run(self) -> list[Attribution]:
        return self.finish(self.rule_raws())

    def finish(self, raws: list[Raw]) -> list[Attribution]:
        """Resolve sources in text order, score certainty, number the attributions."""
        reported = [False] * len(self.doc)
        for raw in raws:
            for t in self.tokens_between(*raw.content):
                reported[t.i] = True
        resolver = Resolver(self.doc, self.index, self.quoted, reported)

        def position(raw: Raw) -> int:
            first = raw.source[0].idx if raw.source else raw.content[0]
            return min(first, raw.cue.idx) if raw.cue is not None else first

        for raw in sorted((r for r in raws if r.inherit is None), key=position):
            if raw.kind == "unattributed" and not raw.source:
                raw.resolved = Source(span=None, type="UNNAMED")
            elif raw.kind == "unattributed":
                span = self.token_span(raw.source)
                raw.resolved = Source(span=span, type="UNNAMED")
            else:
                raw.resolved = resolver.source(raw.source)
        for raw in raws:
            if raw.inherit is not None:
                raw.resolved = raw.inherit.resolved
        seen: set[tuple[int, int, int]] = set()
        out: list[Attribution] = []
        for raw in sorted(raws, key=lambda r: (r.content[0], position(r))):
            key = (raw.content[0], raw.content[1], raw.cue.i if raw.cue is not None else -1)
            if key in seen or raw.content[0] >= raw.content[1]:
                continue
            seen.add(key)
            out.append(self.attribution(f"a{len(out) + 1}", raw))
        return out

    def attribution(self, ident: str, raw: Raw) -> Attribution:
        cue: Span | None = None
        lemma: str | None = None
        negated = False
        wrappers: list[str] = []
        if raw.cue is not None:
            end = raw.cue_end or raw.cue.idx + len(raw.cue.text)
            cue = self.char_span(raw.cue.idx, end)
            lemma = raw.lemma or (cue_lemma(raw.cue) if raw.cue_end is None else None)
            # A learned cue is a phrase ("is reportedly so frustrated with", "did not say"):
            # its own words count, like the three before it.
            phrase = self.tokens_between(raw.cue.idx, end)
            before = [t for t in self.doc[max(raw.cue.i - 3, 0) : raw.cue.i] if not t.is_space]
            negated = any(certainty.is_negation(t.text) for t in (*before, *phrase))
            inside = [t.text for t in phrase if t.lower_ in WRAPPERS]
            if raw.kind == "unattributed":
                wrappers.extend(inside or [raw.cue.text])
                lemma = None
            else:
                wrappers.extend(inside)
        content_tokens = self.tokens_between(*raw.content)
        # A wrapper counts once, also when the cue that carries it lies inside the content.
        cue_words = {t.i for t in phrase} if raw.cue is not None else set()
        wrappers.extend(
            t.text
            for t in content_tokens
            if t.lower_ in WRAPPERS and not self.quoted[t.i] and t.i not in cue_words
        )
        if raw.cue is not None and raw.kind != "unattributed":
            wrappers.extend(
                t.text
                for t in self.doc[max(raw.cue.i - 3, 0) : raw.cue.i]
                if t.lower_ in WRAPPERS and t.pos_ == "ADV"
            )
        lexical = certainty.assess(
            [t.text for t in content_tokens],
            cue_lemma=lemma,
            cue_text=cue.text if cue is not None else None,
            negated=negated,
            wrappers=wrappers,
        )
        unattributed = raw.kind == "unattributed"
        score = certainty.score_content(
            [t for t in content_tokens if not t.is_space],
            lexical,
            cue_value=None if unattributed else certainty.cue_value(lemma, negated=negated),
        )
        source = raw.resolved or Source(span=None, type="UNNAMED")
        return Attribution(
            id=ident,
            kind=raw.kind,
            source=source,
            cue=cue,
            channel=self.token_span(raw.channel),
            content=self.char_span(*raw.content),
            certainty=score,
        )


def extract(doc: Doc, index: EntityIndex) -> list[Attribution]:
    """Every attribution of one parsed Doc, in text order, with ids a1, a2, ..."""
    return Extractor(doc, index).run()
