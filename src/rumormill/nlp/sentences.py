"""Sentence boundaries that respect quotation marks and paragraphs.

A statistical parser splits `“Does it matter? It matters a lot,” Russian security expert
Andrei Soldatov told …` at the question mark and again after the closing quote.  For
attribution a quotation and its attribution must stay in one sentence.  This component runs
*before* the parser and presets boundaries the parser then respects:

- a paragraph break (a blank line) always starts a sentence;
- no sentence starts inside a double quotation;
- no sentence starts right after a closing quote that follows a comma, or when the next word
  is lower-case (`“Is it over?” he asked.`);
- no sentence starts with a comma or closing punctuation, or right after a dash; whitespace
  stays with the sentence before it.
"""

from __future__ import annotations

import itertools

from spacy.language import Language
from spacy.tokens import Doc, Token

from rumormill.nlp.patterns import DOUBLE_CLOSE, DOUBLE_OPEN

STRAIGHT = '"'
# Tokens that never begin a sentence, and dashes that never end one.
NEVER_STARTS = frozenset({",", ";", ":", ")", "]", "}", ".", "?", "!", "%", "…", "’s", "'s"})
DASHES = frozenset({"–", "—", "-", "--"})


def is_paragraph_break(token: Token) -> bool:
    """A whitespace token holding a blank line."""
    return token.is_space and token.text.count("\n") >= 2


def quote_depths(doc: Doc) -> list[int]:
    """The quotation depth *before* each token; a paragraph break closes every quote."""
    depths: list[int] = []
    depth = 0
    for token in doc:
        depths.append(depth)
        if is_paragraph_break(token):
            depth = 0
        elif token.text in DOUBLE_OPEN:
            depth += 1
        elif token.text in DOUBLE_CLOSE:
            depth = max(depth - 1, 0)
        elif token.text == STRAIGHT:
            # A straight quote opens when no quote is open, otherwise it closes.
            depth = 1 if depth == 0 else depth - 1
    return depths


def continues_sentence(doc: Doc, i: int, depths: list[int]) -> bool | None:
    """True: token i must not start a sentence.  False: it must.  None: the parser decides."""
    token = doc[i]
    prev = doc[i - 1]
    if is_paragraph_break(prev) and not token.is_space:
        return False
    if token.is_space or token.text in NEVER_STARTS or prev.text in DASHES:
        return True
    if depths[i] > 0 or prev.text in DOUBLE_OPEN:
        return True
    if prev.text in DOUBLE_CLOSE and i >= 2:
        before = doc[i - 2].text
        return before in {",", "—", "–", "-"} or (before in {"?", "!"} and token.is_lower)
    return None


@Language.component(
    "rumormill_quote_sentences",
    assigns=["token.is_sent_start", "token.pos", "token.tag"],
)
def quote_sentences(doc: Doc) -> Doc:
    """Preset sentence starts before the parser runs (see the module doc).

    Whitespace tokens are also tagged SPACE / _SP here: the treebanks have none, so the
    trained tagger calls a blank line a NOUN.
    """
    for token in doc:
        if token.is_space:
            token.pos_ = "SPACE"
            token.tag_ = "_SP"
    if len(doc) < 2:
        return doc
    depths = quote_depths(doc)
    for i in range(1, len(doc)):
        verdict = continues_sentence(doc, i, depths)
        if verdict is not None:
            doc[i].is_sent_start = not verdict
    return doc


@Language.component(
    "rumormill_sentence_repair",
    requires=["token.dep", "token.head"],
    assigns=["token.dep", "token.head", "token.is_sent_start"],
)
def sentence_repair(doc: Doc) -> Doc:
    """After the parser: join a sentence that must not start where it does to the one before.

    The parser mostly respects the preset boundaries, but it starts a new tree whenever its
    stack empties.  Attaching the stray root to the previous root (as `parataxis`) merges
    the two sentences without touching the rest of the parse.
    """
    if len(doc) < 2:
        return doc
    depths = quote_depths(doc)
    sents = list(doc.sents)
    for prev_sent, sent in itertools.pairwise(sents):
        if continues_sentence(doc, sent.start, depths):
            root = sent.root
            root.head = prev_sent.root
            root.dep_ = "parataxis" if not root.is_space else "dep"
    return doc
