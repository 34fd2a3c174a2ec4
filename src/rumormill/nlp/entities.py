"""Entity rules over the recognizer's output, at the level of a whole article.

A statistical recognizer sees a few words at a time.  An article gives more: once "Andrei
Soldatov" is a person, a later bare "Soldatov" is the same person; a title ("Ms Pugh") is not
part of the name; an unlabelled proper noun that says or tells something is a person.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from rumormill.nlp.patterns import ORG_HEAD_WORDS, PERSON_TITLES, SPEECH_VERB_LEMMAS


def strip_titles(span: Span) -> Span:
    start = span.start
    while start < span.end - 1 and span.doc[start].lower_ in PERSON_TITLES:
        start += 1
    return span if start == span.start else Span(span.doc, start, span.end, label="PERSON")


def is_name_token(token_text: str) -> bool:
    return token_text[:1].isupper() and token_text.isalpha() and len(token_text) > 1


@Language.component(
    "rumormill_entity_rules",
    requires=["doc.ents", "token.dep", "token.lemma", "token.pos"],
    assigns=["doc.ents"],
)
def entity_rules(doc: Doc) -> Doc:
    """Strip titles, spread person names through the article, label speaking proper nouns."""
    ents = [strip_titles(e) if e.label_ == "PERSON" else e for e in doc.ents]
    names = {
        t.text
        for e in ents
        if e.label_ == "PERSON"
        for t in e
        if is_name_token(t.text) and t.lower_ not in PERSON_TITLES
    }
    # Surnames are trusted whatever the tagger says ("Soldatov, who ..." tagged INTJ);
    # first names only as proper nouns ("Will" may be a verb).
    surnames = {e[-1].text for e in ents if e.label_ == "PERSON" and is_name_token(e[-1].text)}
    labelled = [False] * len(doc)
    for e in ents:
        for i in range(e.start, e.end):
            labelled[i] = True

    out: list[Span] = []
    for e in ents:
        # A one-word ORG / GPE / LOC that is a known person's name in this article is the person.
        if len(e) == 1 and e.label_ in {"ORG", "GPE", "LOC"} and e.text in names:
            out.append(Span(doc, e.start, e.end, label="PERSON"))
        # "Commissioner Tom Hale" taken for an organisation: a title and a full name.
        elif (
            e.label_ != "PERSON"
            and len(e) >= 3
            and e[0].lower_ in PERSON_TITLES
            and e[0].text[:1].isupper()
            and all(is_name_token(t.text) for t in e[1:])
        ):
            out.append(Span(doc, e.start + 1, e.end, label="PERSON"))
        else:
            out.append(e)

    for token in doc:
        if labelled[token.i] or not is_name_token(token.text):
            continue
        if (token.text in surnames or (token.text in names and token.pos_ == "PROPN")) or (
            token.pos_ == "PROPN"
            and token.dep_ in {"nsubj", "nsubj:pass"}
            and token.head.lemma_ in SPEECH_VERB_LEMMAS
            and token.lower_ not in ORG_HEAD_WORDS
            and not any(c.dep_ == "compound" for c in token.children)
            and not (token.i > 0 and doc[token.i - 1].pos_ == "PROPN")
        ):
            out.append(Span(doc, token.i, token.i + 1, label="PERSON"))
            labelled[token.i] = True
    doc.ents = sorted(out, key=lambda s: s.start)
    return doc
