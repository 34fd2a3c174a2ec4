"""rumormill: track rumors and claims in the news.

import rumormill
analysis = rumormill.analyze(text, published="2022-05-05", outlet="YWN")
analysis.to_dict()

article = rumormill.read_article("page.html")   # house format, plain text, JSON(L), HTML
analysis = rumormill.analyze_article(article)
"""

from rumormill.analysis import analyze, analyze_article, analyze_articles
from rumormill.errors import AnalysisError, Errors, InputError, ModelError, RumormillError
from rumormill.ingest import read_article
from rumormill.model import Analysis, Article, Attribution, Certainty, Entity, Source, Span

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "AnalysisError",
    "Article",
    "Attribution",
    "Certainty",
    "Entity",
    "Errors",
    "InputError",
    "ModelError",
    "RumormillError",
    "Source",
    "Span",
    "__version__",
    "analyze",
    "analyze_article",
    "analyze_articles",
    "read_article",
]
