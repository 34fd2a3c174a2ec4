"""What a tracker asks of a store: the top stories, the most-cited people, the rumors.

Plain SQLAlchemy Core over the store's tables (portable to PostgreSQL), aggregated in the
database; only the top rows come back.

- **Stories** (`stories`): the articles of each story (`articles.story_id`, set by linking),
  with their outlets, first and last dates and the title of the earliest article.
- **Cited people** (`cited_people`): attributions whose source is a named person, by name,
  with the number of articles and outlets quoting them.
- **Rumors** (`rumors`): claims that are carried mostly by hedged or unnamed sourcing. A claim
  is the group of attributions linking put together (`attributions.claim_id`); until claims
  are linked, each story stands for its claims.  A group is a rumor when at least
  `RUMOR_SHARE` of its attributions are unattributed, from an unnamed source, or hedged
  (labelled possible, probable or doubted), and it has at least `MIN_ARTICLES` articles.
  Rumors are ranked by how fast they grew: articles per day between their first and last
  article (undated articles count, but not for the span).  Resolution (issue 7) will drop the
  resolved ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from rumormill.store import schema
from rumormill.store.store import Store

_A = schema.articles
_T = schema.attributions
_O = schema.outlets

HEDGED_LABELS = ("possible", "probable", "doubted")
RUMOR_SHARE = 0.5
MIN_ARTICLES = 2


@dataclass(frozen=True)
class StoryRow:
    story_id: int
    articles: int
    outlets: int
    first: date | None
    last: date | None
    title: str


@dataclass(frozen=True)
class PersonRow:
    name: str
    attributions: int
    articles: int
    outlets: int


@dataclass(frozen=True)
class RumorRow:
    key: str  # "claim 12" or "story 3"
    example: str  # the content of its earliest attribution
    attributions: int
    articles: int
    hedged_or_unnamed: float
    first: date | None
    last: date | None
    growth: float  # articles per day, first to last


def _title(conn: sa.Connection, story_id: int) -> str:
    row = conn.execute(
        sa.select(_A.c.title, _A.c.text)
        .where(_A.c.story_id == story_id)
        .order_by(_A.c.published.is_(None), _A.c.published, _A.c.ingested_at)
        .limit(1)
    ).first()
    if row is None:
        return ""
    return str(row.title or row.text.strip().split("\n", 1)[0])[:120]


def stories(
    store: Store,
    *,
    since: date | None = None,
    until: date | None = None,
    about: str | None = None,
    limit: int = 10,
) -> list[StoryRow]:
    """The largest stories (most articles), optionally in a date range or about an entity."""
    query = sa.select(
        _A.c.story_id,
        sa.func.count().label("articles"),
        sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
        sa.func.min(_A.c.published).label("first"),
        sa.func.max(_A.c.published).label("last"),
    ).where(_A.c.story_id.is_not(None))
    if since is not None:
        query = query.where(_A.c.published >= since)
    if until is not None:
        query = query.where(_A.c.published <= until)
    if about:
        named = sa.select(schema.entities.c.article_id).where(
            sa.func.lower(schema.entities.c.name).contains(about.lower())
        )
        query = query.where(_A.c.id.in_(named))
    query = (
        query.group_by(_A.c.story_id)
        .order_by(sa.desc("articles"), sa.desc("outlets"), _A.c.story_id)
        .limit(limit)
    )
    with store.reading() as conn:
        return [
            StoryRow(r.story_id, r.articles, r.outlets, r.first, r.last, _title(conn, r.story_id))
            for r in conn.execute(query)
        ]


def cited_people(store: Store, *, limit: int = 10) -> list[PersonRow]:
    """The people most often quoted or cited, by resolved name."""
    query = (
        sa.select(
            _T.c.source_name,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            sa.func.count(sa.distinct(_A.c.outlet_id)).label("outlets"),
        )
        .join(_A, _A.c.id == _T.c.article_id)
        .where(_T.c.source_type == "PERSON", _T.c.source_name.is_not(None))
        .group_by(_T.c.source_name)
        .order_by(sa.desc("articles"), sa.desc("attributions"), _T.c.source_name)
        .limit(limit)
    )
    with store.reading() as conn:
        return [
            PersonRow(r.source_name, r.attributions, r.articles, r.outlets)
            for r in conn.execute(query)
        ]


def rumors(store: Store, *, limit: int = 10) -> list[RumorRow]:
    """Claims (or, before claims are linked, stories) carried mostly by hedged or unnamed
    sourcing, fastest-growing first; see the module docstring."""
    weak = sa.case(
        (
            sa.or_(
                _T.c.kind == "unattributed",
                _T.c.source_type == "UNNAMED",
                _T.c.certainty_label.in_(HEDGED_LABELS),
            ),
            1,
        ),
        else_=0,
    )
    group = sa.case(
        (_T.c.claim_id.is_not(None), sa.literal("claim ") + sa.cast(_T.c.claim_id, sa.String)),
        else_=sa.literal("story ") + sa.cast(_A.c.story_id, sa.String),
    ).label("key")
    query = (
        sa.select(
            group,
            sa.func.count().label("attributions"),
            sa.func.count(sa.distinct(_T.c.article_id)).label("articles"),
            (sa.func.sum(weak) * 1.0 / sa.func.count()).label("share"),
            sa.func.min(_A.c.published).label("first"),
            sa.func.max(_A.c.published).label("last"),
        )
        .join(_A, _A.c.id == _T.c.article_id)
        .where(sa.or_(_T.c.claim_id.is_not(None), _A.c.story_id.is_not(None)))
        .group_by(group)
        .having(
            sa.func.sum(weak) * 1.0 / sa.func.count() >= RUMOR_SHARE,
            sa.func.count(sa.distinct(_T.c.article_id)) >= MIN_ARTICLES,
        )
    )
    with store.reading() as conn:
        found = [
            RumorRow(
                key=r.key,
                example=_example(conn, r.key),
                attributions=r.attributions,
                articles=r.articles,
                hedged_or_unnamed=float(r.share),
                first=r.first,
                last=r.last,
                growth=r.articles / (_days(r.first, r.last) + 1),
            )
            for r in conn.execute(query)
        ]
    found.sort(key=lambda f: (-f.growth, -f.articles, f.key))
    return found[:limit]


def _members(key: str) -> sa.ColumnElement[bool]:
    kind, _, number = key.partition(" ")
    if kind == "claim":
        return _T.c.claim_id == int(number)
    return sa.and_(_T.c.claim_id.is_(None), _A.c.story_id == int(number))


def _days(first: date | None, last: date | None) -> int:
    return (last - first).days if first is not None and last is not None else 0


def _example(conn: sa.Connection, key: str) -> str:
    row = conn.execute(
        sa.select(_T.c.content_text)
        .select_from(_T.join(_A, _A.c.id == _T.c.article_id))
        .where(_members(key))
        .order_by(_A.c.published.is_(None), _A.c.published, _T.c.position)
        .limit(1)
    ).first()
    return str(row[0])[:160] if row is not None else ""
