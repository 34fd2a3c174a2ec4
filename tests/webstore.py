"""The store the web tests share (tests/test_web.py, tests/test_browser.py): 40 bundled
Wikinews articles and the hand-made cascade of `tests/data/cascade/`, ingested and linked by
the real pipeline."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from rumormill.ingestion import ingest
from tests.test_cascade import CASCADE
from tests.test_queries import ingest_wikinews


def wikinews_and_cascade(folder: Path, nlp: Language) -> Path:
    """The store in `folder`: 47 articles, the cascade's claim with its suggested
    resolution; its path."""
    path = ingest_wikinews(folder, nlp)
    report = ingest([str(CASCADE)], db=path, nlp=nlp)
    assert (report.ingested, report.suggested) == (7, 1)
    return path
