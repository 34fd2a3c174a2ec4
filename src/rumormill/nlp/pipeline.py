"""Load the shipped English pipeline and add our own components.

The model in `rumormill/models/en_rumormill` is trained here (see training/README.md): a
tokenizer, tagger, morphologizer, parser, rule lemmatizer and entity recognizer.  Nothing is
downloaded.  `load()` caches one pipeline per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language

from rumormill.errors import Errors, ModelError
from rumormill.nlp import entities, sentences  # noqa: F401  (registers the components)

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "en_rumormill"
QUOTE_SENTENCES = "rumormill_quote_sentences"
SENTENCE_REPAIR = "rumormill_sentence_repair"
ENTITY_RULES = "rumormill_entity_rules"


def add_components(nlp: Language) -> Language:
    """Add rumormill's rule components to a trained pipeline (idempotent)."""
    if QUOTE_SENTENCES not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        nlp.add_pipe(QUOTE_SENTENCES, before=before)
    if SENTENCE_REPAIR not in nlp.pipe_names and "parser" in nlp.pipe_names:
        nlp.add_pipe(SENTENCE_REPAIR, after="parser")
    if ENTITY_RULES not in nlp.pipe_names and {"ner", "parser"} <= set(nlp.pipe_names):
        nlp.add_pipe(ENTITY_RULES, last=True)
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
