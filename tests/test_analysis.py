"""analyze() over real news text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from rumormill.analysis import analyze_articles
from rumormill.model import Article, Attribution
from rumormill.nlp.speakers import EntityIndex

pytestmark = pytest.mark.model


def dev_articles(shared_data: Path) -> list[Article]:
    paths = sorted((shared_data / "polnear" / "dev" / "text").glob("*.txt"))
    assert len(paths) == 84
    articles = []
    for path in paths:
        text = path.read_text(encoding="utf8")
        title = text.split("\n", 1)[0].strip() or None
        articles.append(Article(text=text, published=date(2016, 9, 1), title=title))
    return articles


def test_every_polnear_dev_text_analyses(shared_data: Path, nlp: Language) -> None:
    articles = dev_articles(shared_data)
    results = list(analyze_articles(articles, nlp=nlp))
    assert len(results) == 84
    assert sum(len(r.attributions) for r in results) > 500
    for article, result in zip(articles, results, strict=True):
        for a in result.to_dict()["attributions"]:
            for role in ("source", "cue", "channel", "content"):
                value = a[role]
                if value is not None and value["span"] is not None:
                    start, end = value["span"]
                    assert article.text[start:end] == value["text"]


def test_one_failing_article_does_not_stop_a_batch(
    nlp: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rumormill import analysis
    from rumormill.errors import AnalysisError, Errors

    real = analysis.pairing.extract

    def extract(doc: Doc, index: EntityIndex) -> list[Attribution]:
        if "BROKEN" in doc.text:
            raise ValueError("a rule tripped")
        return real(doc, index)

    monkeypatch.setattr(analysis.pairing, "extract", extract)
    day = date(2022, 5, 5)
    articles = [
        Article(text="Soldatov said the FSB was purged.", published=day),
        Article(text="BROKEN text that trips a rule.", published=day),
        Article(text="Muraviev told Sky News that a coup was coming.", published=day),
    ]
    failed: list[tuple[Article, AnalysisError]] = []
    results = list(analyze_articles(articles, nlp=nlp, on_error=lambda a, e: failed.append((a, e))))
    assert [r.article for r in results] == [articles[0], articles[2]]
    assert len(failed) == 1
    assert failed[0][0] is articles[1]
    assert failed[0][1].code is Errors.E040
    assert isinstance(failed[0][1].__cause__, ValueError)
    with pytest.raises(AnalysisError):
        list(analyze_articles(articles, nlp=nlp))
