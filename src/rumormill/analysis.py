"""Analyse one article: sentences, entities and attributions from our pipeline.

The pipeline parses each text once; entities, speaker resolution, attribution and certainty
are rules over that one Doc (`nlp/speakers.py`, `nlp/attribution.py`, `nlp/certainty.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from rumormill.errors import AnalysisError, Errors, InputError
from rumormill.ingest import files, house
from rumormill.model import Analysis, Article, Span
from rumormill.nlp import hedges, pairing, pipeline, speakers


def analysis_of(article: Article, doc: Doc, *, name: str = "<text>") -> Analysis:
    sentences = [Span(s.start_char, s.end_char, s.text) for s in doc.sents if s.text.strip()]
    index = speakers.build_entities(doc)
    try:
        speakers.add_descriptors(doc, index)
        found = hedges.with_cues(doc, pairing.extract(doc, index))
    except (IndexError, KeyError, ValueError, AttributeError) as e:
        # A rule that trips over an odd text must not stop a batch: a coded, named error.
        raise AnalysisError(Errors.E040, path=name, reason=e) from e
    return Analysis(
        article=article, sentences=sentences, entities=index.entities, attributions=found
    )


def analyze_article(article: Article, *, nlp: Language | None = None) -> Analysis:
    """Analyse one Article."""
    return next(analyze_articles([article], nlp=nlp))


def analyze_articles(
    articles: Iterable[Article],
    *,
    nlp: Language | None = None,
    batch_size: int = 32,
    on_error: Callable[[Article, AnalysisError], None] | None = None,
) -> Iterator[Analysis]:
    """Analyse many Articles, batching the NLP work (`pipeline.parse` over `nlp.pipe`).

    With `on_error`, an article whose analysis fails is handed to it (with its coded error)
    and skipped, so that one bad article never stops a batch; without, the error is raised.
    Input size is guarded where it is read (`ingest.files.MAX_BYTES`, `--max-bytes`); a caller
    who raised that limit on purpose is not stopped again by spaCy's own `max_length`.
    """
    model = nlp or pipeline.load()
    pending: list[Article] = []

    def texts() -> Iterator[str]:
        for article in articles:
            pending.append(article)
            yield article.text

    for doc in pipeline.parse(texts(), nlp=model, batch_size=batch_size):
        article = pending.pop(0)
        try:
            result = analysis_of(article, doc, name=article.url or article.id)
        except AnalysisError as e:
            if on_error is None:
                raise
            on_error(article, e)
            continue
        yield result


def analyze(
    text: str,
    *,
    published: str | date | None = None,
    outlet: str | None = None,
    url: str | None = None,
    title: str | None = None,
    name: str = "<text>",
    max_bytes: int = files.MAX_BYTES,
) -> Analysis:
    """Analyse one article given as text (the house format, or plain text with a date).
    Files, bytes, JSON and HTML go through `rumormill.read_article()` first.

    >>> analysis = analyze(text, published="2022-05-05", outlet="YWN")
    """
    size = len(text.encode("utf8", errors="replace"))
    if size > max_bytes:
        raise InputError(Errors.E005, path=name, size=size, limit=max_bytes)
    if isinstance(published, str):
        published = house.parse_date(published, name=name)
    article = house.parse(text, name=name, published=published, outlet=outlet, url=url, title=title)
    return analyze_article(article)
