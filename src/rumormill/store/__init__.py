"""The store: analysed articles, attributions, entities and outlets in SQLite or PostgreSQL.

from rumormill.store import open_store
with open_store("news.db") as store:
    store.add(analyses)
    store.search("coup")
"""

from rumormill.store.fts import SearchHit
from rumormill.store.outlets import Outlet
from rumormill.store.records import (
    AddOutcome,
    AddReport,
    CorpusEntityUpdate,
    EntityRole,
    IngestedSource,
    Links,
    ResolverEntity,
    ResolverKey,
    StoredArticle,
    StoredAttribution,
    StoredEntity,
)
from rumormill.store.store import Store, open_store

__all__ = [
    "AddOutcome",
    "AddReport",
    "CorpusEntityUpdate",
    "EntityRole",
    "IngestedSource",
    "Links",
    "Outlet",
    "ResolverEntity",
    "ResolverKey",
    "SearchHit",
    "Store",
    "StoredArticle",
    "StoredAttribution",
    "StoredEntity",
    "open_store",
]
