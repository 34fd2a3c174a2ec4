"""The static embedder's tokenizer: the fast path for ASCII text agrees with the general one."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from rumormill.nlp.embeddings import WordPiece, static

ASCII = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=200)


@given(ASCII)
def test_ascii_fast_path_matches_the_general_one(text: str) -> None:
    wp = static().tokenizer
    assert wp.normalise(text) == wp.normalise_chars(text)
    assert wp.words(text) == WordPiece.split_chars(wp.normalise_chars(text))


def test_ascii_words_split_punctuation_and_drop_controls() -> None:
    wp = static().tokenizer
    assert wp.words("Putin's\tFSB:\x07 150 spies, (reportedly)!") == [
        "putin",
        "'",
        "s",
        "fsb",
        ":",
        "150",
        "spies",
        ",",
        "(",
        "reportedly",
        ")",
        "!",
    ]
    assert wp.words(string.punctuation) == list(string.punctuation)


@given(st.text(max_size=120))
def test_any_text_gets_the_general_split_where_it_is_not_ascii(text: str) -> None:
    wp = static().tokenizer
    normalised = wp.normalise(text)
    expected = WordPiece.split_chars(normalised)
    assert wp.words(text) == expected
