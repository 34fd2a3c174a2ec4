"""Analyse one article: sentences and entities from our pipeline.

Attribution, speaker resolution and certainty are added on top of this by later stages.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from rumormill.ingest import house
from rumormill.model import Analysis, Article, Entity, Span
from rumormill.nlp import pipeline

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "NORP")


def entity_key(name: str) -> str:
    return " ".join(name.split()).lower()


def entities_of(doc: Doc) -> list[Entity]:
    """Group the named mentions of one Doc by type and normalised name."""
    by_key: dict[tuple[str, str], Entity] = {}
    for ent in doc.ents:
        if ent.label_ not in ENTITY_TYPES:
            continue
        name = ent.text.strip()
        if name.startswith(("the ", "The ")) and ent.label_ != "PERSON":
            name = name[4:]
        key = (ent.label_, entity_key(name))
        if key not in by_key:
            by_key[key] = Entity(id=f"e{len(by_key) + 1}", name=name, type=ent.label_)
        by_key[key].mentions.append(Span(ent.start_char, ent.end_char, ent.text))
    return list(by_key.values())


def analysis_of(article: Article, doc: Doc) -> Analysis:
    sentences = [Span(s.start_char, s.end_char, s.text) for s in doc.sents if s.text.strip()]
    return Analysis(article=article, sentences=sentences, entities=entities_of(doc))


def analyze_article(article: Article, *, nlp: Language | None = None) -> Analysis:
    """Analyse one Article."""
    nlp = nlp or pipeline.load()
    return analysis_of(article, nlp(article.text))


def analyze_articles(
    articles: Iterable[Article], *, nlp: Language | None = None, batch_size: int = 32
) -> Iterator[Analysis]:
    """Analyse many Articles, batching the NLP work with `nlp.pipe`."""
    nlp = nlp or pipeline.load()
    pairs = ((a.text, a) for a in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield analysis_of(article, doc)


def analyze(
    text: str,
    *,
    published: str | date | None = None,
    outlet: str | None = None,
    url: str | None = None,
    title: str | None = None,
    name: str = "<text>",
) -> Analysis:
    """Analyse one article given as text (the house format, or plain text with a date).

    >>> analysis = analyze(text, published="2022-05-05", outlet="YWN")
    """
    if isinstance(published, str):
        published = house.parse_date(published, name=name)
    article = house.parse(text, name=name, published=published, outlet=outlet, url=url, title=title)
    return analyze_article(article)
