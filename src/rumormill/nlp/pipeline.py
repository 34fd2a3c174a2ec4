"""Load the shipped English pipeline and add our own components.

The model in `rumormill/models/en_rumormill` is trained here (see training/README.md): a
tokenizer, tagger, morphologizer, parser, rule lemmatizer and entity recognizer.  Nothing is
downloaded.  `load()` caches one pipeline per process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from itertools import islice
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from rumormill.errors import Errors, ModelError
from rumormill.nlp import entities, lemmas, sentences, spans  # noqa: F401  (registers the components)
from rumormill.nlp.patterns import PARAGRAPH_END

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "en_rumormill"
QUOTE_SENTENCES = "rumormill_quote_sentences"
SENTENCE_REPAIR = "rumormill_sentence_repair"
ENTITY_RULES = "rumormill_entity_rules"
# What a reader that needs only the tags, the parse and the lemmas leaves out (the scorers of
# factuality, hedges and stance): the entities and the attribution span tagger.
PARSE_ONLY = ("ner", ENTITY_RULES, spans.COMPONENT)


def add_components(nlp: Language) -> Language:
    """Add rumormill's rule components to a trained pipeline (idempotent)."""
    if QUOTE_SENTENCES not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        nlp.add_pipe(QUOTE_SENTENCES, before=before)
    if SENTENCE_REPAIR not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(SENTENCE_REPAIR, after="parser")
    if lemmas.LEMMATIZER in nlp.pipe_names and lemmas.COMPONENT not in nlp.pipe_names:
        # The model's rule lemmatizer stays, disabled, as the cached component's rules.
        nlp.add_pipe(lemmas.COMPONENT, after=lemmas.LEMMATIZER)
        nlp.disable_pipe(lemmas.LEMMATIZER)
    if ENTITY_RULES not in nlp.pipe_names and {"ner", "parser"} <= set(nlp.pipe_names):
        nlp.add_pipe(ENTITY_RULES, last=True)
    if spans.COMPONENT not in nlp.pipe_names and spans.available(nlp):
        nlp.add_pipe(spans.COMPONENT, last=True)
    return nlp


def load_path(path: Path, *, exclude: tuple[str, ...] = ()) -> Language:
    """Load a trained pipeline from `path` and add our components."""
    try:
        nlp = spacy.load(path, exclude=list(exclude))
    except (OSError, ValueError) as e:
        raise ModelError(Errors.E020, path=path, reason=e) from e
    return add_components(nlp)


@cache
def load(exclude: tuple[str, ...] = ()) -> Language:
    """The shipped pipeline, loaded once per process."""
    return load_path(MODEL_DIR, exclude=exclude)


def paragraphs(text: str) -> list[str]:
    """Split at blank lines, each break kept with the paragraph before: "".join() == text."""
    pieces: list[str] = []
    start = 0
    for match in PARAGRAPH_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text) or not pieces:
        pieces.append(text[start:])
    return pieces


def parse(
    texts: Iterable[str], *, nlp: Language | None = None, batch_size: int = 32
) -> Iterator[Doc]:
    """Parse article texts paragraph by paragraph, and join each article's paragraphs again.

    The treebanks we train on have no blank lines, so a paragraph break inside a text is a
    token the tagger and parser never saw; it spoiled the analysis of the words around it.
    Each paragraph is parsed alone (batched with `nlp.pipe`), the Docs are joined with their
    exact text, and the article-level entity rules run once more over the whole article.
    """
    nlp = nlp or load()
    stream = iter(texts)
    while chunk := list(islice(stream, batch_size)):
        pieces = [paragraphs(text) for text in chunk]
        for text in (p for ps in pieces for p in ps):
            if len(text) >= nlp.max_length:
                nlp.max_length = len(text) + 1
        docs = nlp.pipe((p for ps in pieces for p in ps), batch_size=batch_size * 8)
        for ps in pieces:
            parts = list(islice(docs, len(ps)))
            doc = parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
            if ENTITY_RULES in nlp.pipe_names:
                entities.entity_rules(doc)
            yield doc
