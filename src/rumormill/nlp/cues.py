"""Which token is a reporting (cue) verb, and its lemma: shared by the extractor, the span
tagger's features and the factuality scorer."""

from __future__ import annotations

from spacy.tokens import Token

from rumormill.nlp.patterns import CUE_IRREGULAR, CUE_NOUN_LIKE, CUE_VERBS


def cue_lemma(token: Token) -> str | None:
    """The cue-verb lemma of `token`, or None when it is not a reporting verb here."""
    word = token.lower_
    if not token.is_alpha or token.pos_ in {"PROPN", "ADP", "DET", "PRON", "CCONJ"}:
        return None
    if word in CUE_NOUN_LIKE and token.pos_ != "VERB":
        return None
    if token.pos_ in {"NOUN", "ADJ"} and word not in CUE_IRREGULAR and not word.endswith("ed"):
        return None
    lemma = token.lemma_.lower()
    if lemma in CUE_VERBS:
        return lemma
    if word in CUE_IRREGULAR:
        return CUE_IRREGULAR[word]
    for suffix, repl in (("ied", "y"), ("ies", "y"), ("ing", ""), ("ing", "e"), ("ed", "")):
        if word.endswith(suffix):
            base = word[: -len(suffix)] + repl
            if base in CUE_VERBS:
                return base
            if len(base) > 2 and base[-1] == base[-2] and base[:-1] in CUE_VERBS:
                return base[:-1]
    for suffix in ("es", "s", "d"):
        if word.endswith(suffix) and word[: -len(suffix)] in CUE_VERBS:
            return word[: -len(suffix)]
    return None
