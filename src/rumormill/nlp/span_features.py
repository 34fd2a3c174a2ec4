"""Syntax features for the attribution span taggers, and the spaCy parts that feed them.

A content span ends where its clause ends, and a cue is a reporting verb: a CNN over word
forms sees neither far enough.  So the span taggers also embed, per token, what our own
pipeline already knows (from the parse of the paragraph):

- `dep`: the dependency label; `tag`: the fine tag;
- `arc`: the label with the side and the tag of the head (`ccomp<VBD`);
- `lex`: a cue verb from `patterns.py`, else the entity type, else nothing;
- `place`: inside quotation marks or not, and whether the token starts a sentence.

The features travel in `doc.user_data[SYNTAX_KEY]` (an (n, 5) uint64 array of string
hashes), so the taggers run on bare copies of the parsed Doc: no sentence starts (which
would stop a content at a sentence end) and no entities (which would constrain them).

Registered here for training and loading alike: the embedding architecture
`rumormill.SyntaxHashEmbed.v1` and the corpus reader `rumormill.SyntaxCorpus.v1`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import numpy as np
from spacy.attrs import DEP, ENT_TYPE, HEAD, IDX, LEMMA, ORTH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.ml.staticvectors import StaticVectors
from spacy.strings import hash_string  # type: ignore[attr-defined]
from spacy.tokens import Doc, DocBin
from spacy.training import Example
from spacy.util import registry
from thinc.api import (
    HashEmbed,
    Maxout,
    Model,
    chain,
    concatenate,
    list2ragged,
    ragged2list,
    with_array,
)
from thinc.types import Floats2d, Ints2d

from rumormill.nlp.attribution import find_quotes
from rumormill.nlp.cues import cue_lemma

SYNTAX_KEY = "rumormill_syntax"
SYNTAX_COLUMNS = ("dep", "tag", "arc", "lex", "place")


_ARRAY = [DEP, TAG, HEAD, ENT_TYPE, SENT_START, IDX, ORTH, POS, LEMMA]
_hashes: dict[str, int] = {}
_cues: dict[tuple[int, int, int], bool] = {}
_MAX_CACHE = 500_000


def _hash(value: str) -> int:
    found = _hashes.get(value)
    if found is None:
        if len(_hashes) >= _MAX_CACHE:
            _hashes.clear()
        found = _hashes[value] = hash_string(value)
    return found


def _is_cue(doc: Doc, i: int, key: tuple[int, int, int]) -> bool:
    found = _cues.get(key)
    if found is None:
        if len(_cues) >= _MAX_CACHE:
            _cues.clear()
        found = _cues[key] = cue_lemma(doc[i]) is not None
    return found


def syntax_features(doc: Doc) -> np.ndarray:
    """The (len(doc), 5) uint64 feature hashes of a parsed Doc: the string hashes of
    dep, tag, `dep + side + head tag`, `cue` or the entity type, and quoted / sentence start."""
    rows = np.zeros((len(doc), len(SYNTAX_COLUMNS)), dtype="uint64")
    if not len(doc):
        return rows
    strings = doc.vocab.strings
    quotes = sorted((q.inner_start, q.inner_end) for q in find_quotes(doc.text))
    starts = [s for s, _ in quotes]
    values: list[list[int]] = doc.to_array(_ARRAY).tolist()
    tags = [strings[row[1]] for row in values]
    for i, (dep, _, head, ent, sent, idx, orth, pos, lemma) in enumerate(values):
        head = head - (1 << 64) if head >= 1 << 63 else head  # a relative offset, as uint64
        sent = sent - (1 << 64) if sent >= 1 << 63 else sent
        dep_ = strings[dep]
        side = "<" if head < 0 else ">" if head > 0 else "="
        lex = "cue" if _is_cue(doc, i, (orth, pos, lemma)) else strings[ent]
        n = bisect.bisect_right(starts, idx) - 1
        quoted = n >= 0 and idx < quotes[n][1]
        place = ("q" if quoted else "-") + ("s" if sent == 1 else "-")
        row = rows[i]
        row[0] = _hash(dep_)
        row[1] = _hash(tags[i])
        row[2] = _hash(dep_ + side + tags[i + head])
        row[3] = _hash(lex)
        row[4] = _hash(place)
    return rows


def bare_copy(doc: Doc, features: np.ndarray | None = None) -> Doc:
    """The words of `doc` with its syntax features, and nothing else."""
    bare = Doc(doc.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc])
    bare.user_data[SYNTAX_KEY] = syntax_features(doc) if features is None else features
    return bare


# --- spaCy: the embedding layer --------------------------------------------------------------


def _extract(attrs: list[str]) -> Model[list[Doc], list[Ints2d]]:
    columns: list[int | str] = list(attrs)

    def forward(
        model: Model[list[Doc], list[Ints2d]], docs: list[Doc], is_train: bool
    ) -> tuple[list[Ints2d], Callable[[list[Ints2d]], list[Doc]]]:
        out = []
        for doc in docs:
            syntax = doc.user_data.get(SYNTAX_KEY)
            if syntax is None or len(syntax) != len(doc):
                syntax = np.zeros((len(doc), len(SYNTAX_COLUMNS)), dtype="uint64")
            words = (
                doc.to_array(columns).reshape((len(doc), len(columns)))
                if columns
                else np.zeros((len(doc), 0), dtype="uint64")
            )
            both = cast(Ints2d, np.hstack([words, syntax]))
            out.append(model.ops.asarray2i(both, dtype="uint64"))
        return out, lambda d_out: []

    return Model("rumormill_extract_features", forward)


def syntax_hash_embed(
    width: int,
    attrs: list[str],
    rows: list[int],
    syntax_rows: int,
    include_static_vectors: bool,
) -> Model[list[Doc], list[Floats2d]]:
    """spaCy's MultiHashEmbed over `attrs`, plus one table per syntax column."""
    sizes = [*rows, *[syntax_rows] * len(SYNTAX_COLUMNS)]
    tables: list[Model[Any, Any]] = [
        HashEmbed(width, size, column=i, seed=8 + i, dropout=0.0) for i, size in enumerate(sizes)
    ]
    features: Model[Any, Any] = chain(
        _extract(attrs), list2ragged(), with_array(concatenate(*tables))
    )
    concat_size = width * (len(tables) + include_static_vectors)
    max_out: Model[Any, Any] = with_array(
        Maxout(width, concat_size, nP=3, dropout=0.0, normalize=True)
    )
    if include_static_vectors:
        features = concatenate(features, StaticVectors(width, dropout=0.0))
    model: Model[list[Doc], list[Floats2d]] = chain(features, max_out, ragged2list())
    return model


# --- spaCy: the corpus reader ----------------------------------------------------------------


def syntax_corpus(path: Path) -> Callable[[Language], Iterator[Example]]:
    """Examples whose predicted side keeps the syntax features of the reference Doc
    (spaCy's own reader rebuilds it from the text and drops `user_data`)."""

    def read(nlp: Language) -> Iterator[Example]:
        for ref in DocBin().from_disk(path).get_docs(nlp.vocab):
            if len(ref):
                yield Example(bare_copy(ref, ref.user_data[SYNTAX_KEY]), ref)

    return read


registry.architectures.register("rumormill.SyntaxHashEmbed.v1", func=syntax_hash_embed)
registry.readers.register("rumormill.SyntaxCorpus.v1", func=syntax_corpus)
