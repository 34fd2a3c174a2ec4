"""analyze() over real news text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from spacy.language import Language

from rumormill.analysis import analyze_articles
from rumormill.model import Article

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
