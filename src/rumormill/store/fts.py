"""Full-text search: SQLite FTS5 here, and the one place with SQLite-only SQL.

Two external-content FTS5 tables index the articles (title, text) and the claims (each
attribution's content).  Triggers keep them in step with their tables inside the writing
transaction, so an index can never disagree with what is stored, whatever kills the process.

Other databases get a portable, unindexed fallback (every word of the query, case-insensitive
substring match), correct but slow; a PostgreSQL `tsvector` index is future work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rumormill.store import schema

# `unicode61 remove_diacritics 2`: Unicode word boundaries and case folding, and "café" found
# by "cafe" (and the reverse).
TOKENIZE = "unicode61 remove_diacritics 2"

# The DDL of migration 1, frozen: a later change is a new migration, never an edit here.
SQLITE_V1: tuple[str, ...] = (
    f"CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', "
    f"content_rowid='pk', tokenize='{TOKENIZE}')",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.pk, new.title, new.text); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.pk, old.title, old.text); END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.pk, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.pk, new.title, new.text); END",
    f"CREATE VIRTUAL TABLE claims_fts USING fts5(content_text, content='attributions', "
    f"content_rowid='pk', tokenize='{TOKENIZE}')",
    "CREATE TRIGGER claims_fts_insert AFTER INSERT ON attributions BEGIN "
    "INSERT INTO claims_fts(rowid, content_text) VALUES (new.pk, new.content_text); END",
    "CREATE TRIGGER claims_fts_delete AFTER DELETE ON attributions BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, content_text) "
    "VALUES ('delete', old.pk, old.content_text); END",
    "CREATE TRIGGER claims_fts_update AFTER UPDATE OF content_text ON attributions BEGIN "
    "INSERT INTO claims_fts(claims_fts, rowid, content_text) "
    "VALUES ('delete', old.pk, old.content_text); "
    "INSERT INTO claims_fts(rowid, content_text) VALUES (new.pk, new.content_text); END",
)

FTS_TABLES = ("articles_fts", "claims_fts")


@dataclass(frozen=True)
class SearchHit:
    """One search result: an article (`kind == "article"`) or one attribution's content
    (`kind == "claim"`, with its `attribution_id`).  `score`: higher is better (FTS5's BM25,
    negated); comparable within one search only."""

    kind: str
    article_id: str
    attribution_id: str | None
    title: str | None
    snippet: str
    score: float
    published: date | None
    outlet: str | None  # the outlet's display name


class QueryError(Exception):
    """The database refused the query itself (syntax, unknown column)."""


def create_sqlite_v1(conn: Connection) -> None:
    for statement in SQLITE_V1:
        conn.exec_driver_sql(statement)


def integrity_check(conn: Connection) -> None:
    """FTS5's own check that each index agrees with its content table; raises if not."""
    for table in FTS_TABLES:
        conn.exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


# Messages of SQLite errors that are about the query text, not the database.
_QUERY_ERROR = re.compile(
    r"fts5|syntax error|no such column|unterminated|unknown special query|malformed MATCH",
    re.IGNORECASE,
)


def count_matches(conn: Connection, table: str, query: str, *, cap: int) -> int:
    """How many rows of the FTS5 index `table` match `query`, counted up to `cap` (no
    ranking, no snippet); QueryError when the index cannot parse `query`."""
    if table not in FTS_TABLES:
        raise ValueError(f"not a full-text table: {table}")
    try:
        found = conn.execute(
            sa.text(
                f"SELECT count(*) FROM (SELECT rowid FROM {table} "
                f"WHERE {table} MATCH :query LIMIT :cap)"
            ),
            {"query": query, "cap": cap},
        ).scalar_one()
    except sa.exc.OperationalError as e:
        if _QUERY_ERROR.search(str(e.orig)):
            raise QueryError(str(e.orig)) from e
        raise
    return int(found)


def snippets(
    conn: Connection, table: str, query: str, rowids: list[int], *, highlight: tuple[str, str]
) -> dict[int, str]:
    """The snippets of these rows of the FTS5 index `table` for `query` (only these: a
    snippet costs a read of the row's text)."""
    if table not in FTS_TABLES:
        raise ValueError(f"not a full-text table: {table}")
    if not rowids:
        return {}
    marks = ", ".join(str(int(r)) for r in rowids)
    rows = conn.execute(
        sa.text(
            f"SELECT rowid, snippet({table}, -1, :open, :close, '…', 24) FROM {table} "
            f"WHERE {table} MATCH :query AND rowid IN ({marks})"
        ),
        {"query": query, "open": highlight[0], "close": highlight[1]},
    )
    return {int(r[0]): str(r[1] or "") for r in rows}


def search_sqlite(
    conn: Connection, query: str, *, limit: int, highlight: tuple[str, str]
) -> list[SearchHit]:
    opening, closing = highlight
    articles_sql = sa.text(
        "SELECT a.id, a.title, a.published, o.name AS outlet_name, "
        "snippet(articles_fts, -1, :open, :close, '…', 16) AS snip, "
        "bm25(articles_fts) AS rank "
        "FROM articles_fts JOIN articles a ON a.pk = articles_fts.rowid "
        "LEFT JOIN outlets o ON o.id = a.outlet_id "
        "WHERE articles_fts MATCH :query ORDER BY rank LIMIT :limit"
    ).columns(published=sa.Date)
    claims_sql = sa.text(
        "SELECT a.id, a.title, a.published, o.name AS outlet_name, t.attribution_id, "
        "snippet(claims_fts, 0, :open, :close, '…', 16) AS snip, "
        "bm25(claims_fts) AS rank "
        "FROM claims_fts JOIN attributions t ON t.pk = claims_fts.rowid "
        "JOIN articles a ON a.id = t.article_id LEFT JOIN outlets o ON o.id = a.outlet_id "
        "WHERE claims_fts MATCH :query ORDER BY rank LIMIT :limit"
    ).columns(published=sa.Date)
    params = {"query": query, "limit": limit, "open": opening, "close": closing}
    hits: list[SearchHit] = []
    try:
        for row in conn.execute(articles_sql, params):
            hits.append(_hit(row, None, row.snip, -row.rank))
        for row in conn.execute(claims_sql, params):
            hits.append(_hit(row, row.attribution_id, row.snip, -row.rank))
    except sa.exc.OperationalError as e:
        if _QUERY_ERROR.search(str(e.orig)):
            raise QueryError(str(e.orig)) from e
        raise
    hits.sort(key=lambda hit: -hit.score)
    return hits[:limit]


def search_portable(
    conn: Connection, query: str, *, limit: int, highlight: tuple[str, str]
) -> list[SearchHit]:
    """Every word of `query` as a case-insensitive substring; newest first.  No index."""
    words = [w.lower() for w in re.findall(r"\w+", query)]
    if not words:
        raise QueryError("no words to search for")
    a, t, o = schema.articles, schema.attributions, schema.outlets
    outlet = o.c.name.label("outlet_name")
    hits: list[SearchHit] = []
    article_rows = conn.execute(
        sa.select(a.c.id, a.c.title, a.c.text, a.c.published, outlet)
        .select_from(a.outerjoin(o, o.c.id == a.c.outlet_id))
        .where(*[sa.func.lower(a.c.text).contains(w, autoescape=True) for w in words])
        .order_by(a.c.published.desc(), a.c.pk)
        .limit(limit)
    )
    for row in article_rows:
        hits.append(_hit(row, None, _snippet(row.text, words, highlight), 0.0))
    claim_rows = conn.execute(
        sa.select(a.c.id, a.c.title, a.c.published, outlet)
        .add_columns(t.c.attribution_id, t.c.content_text)
        .select_from(t.join(a, a.c.id == t.c.article_id).outerjoin(o, o.c.id == a.c.outlet_id))
        .where(*[sa.func.lower(t.c.content_text).contains(w, autoescape=True) for w in words])
        .order_by(a.c.published.desc(), t.c.pk)
        .limit(limit)
    )
    for row in claim_rows:
        hits.append(
            _hit(row, row.attribution_id, _snippet(row.content_text, words, highlight), 0.0)
        )
    return hits[:limit]


def _hit(row: Any, attribution_id: str | None, snippet: str, score: float) -> SearchHit:
    kind = "article" if attribution_id is None else "claim"
    return SearchHit(
        kind, row.id, attribution_id, row.title, snippet, score, row.published, row.outlet_name
    )


def _snippet(text: str, words: list[str], highlight: tuple[str, str], width: int = 80) -> str:
    """A window of `text` around the first word found, that word marked."""
    lowered = text.lower()
    found = [(lowered.find(w), w) for w in words if w in lowered]
    if not found:
        return text[:width]
    start, word = min(found)
    begin = max(0, start - width // 2)
    end = min(len(text), start + len(word) + width // 2)
    opening, closing = highlight
    stop = start + len(word)
    marked = text[begin:start] + opening + text[start:stop] + closing + text[stop:end]
    return ("…" if begin else "") + marked + ("…" if end < len(text) else "")
